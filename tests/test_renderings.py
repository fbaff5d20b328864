"""The read model (api.renderings): what is stored is what rendering the records now gives,
after every kind of write, and a read serves it with the reader's own links."""

import json
from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType

from api import renderings
from api.models import Rendering
from events.models import Claim, Engagement, Figure, JudgedRecord, Party, Place, Response
from sources.models import Citation, Source
from tests.factories import TEXTBOOK

pytestmark = pytest.mark.django_db


def not_as_rendered_now() -> list[str]:
    """Every record whose stored rendering is missing, of other code, or not what rendering
    it now gives; and every rendering of a record that is gone."""
    wrong = []
    for model in renderings.viewsets():
        fresh = renderings.render(model, list(model.objects.values_list("pk", flat=True)))
        content_type = ContentType.objects.get_for_model(model)
        stored = {row.object_id: row for row in Rendering.objects.filter(content_type=content_type)}
        for pk, record in fresh.items():
            row = stored.get(pk)
            if (
                row is None
                or row.code != renderings.code()
                or row.listed != record.listed
                or (row.detail or row.listed) != record.detail
            ):
                wrong.append(f"{model._meta.label_lower}:{pk}")
        wrong += [f"{model._meta.label_lower}:{pk} (gone)" for pk in stored.keys() - fresh.keys()]
    return wrong


def first_citation(model, slug) -> Citation:
    return Citation.objects.for_record(model.objects.get(slug=slug)).order_by("start").first()


@pytest.fixture
def editor(make_user, api_as):
    return api_as(make_user("rendering-editor", superuser=True))


def test_the_loaded_dataset_is_stored_as_rendered():
    assert Rendering.objects.count() == sum(model.objects.count() for model in renderings.viewsets())
    assert not_as_rendered_now() == []


def api_writes(editor):
    return {
        "rename a place others show": lambda: editor.patch(
            "/api/v1/places/mukden/", {"name": "Mukden (Shenyang)"}, format="json"
        ),
        "link an engagement to another place": lambda: editor.patch(
            "/api/v1/engagements/battle-of-tsushima/",
            {
                "places": [
                    {"place": "tsushima", "role": "site", "basis": "document"},
                    {"place": "port-arthur", "role": "destination", "basis": "reading", "rationale": "x"},
                ]
            },
            format="json",
        ),
        "cite a party": lambda: editor.post(
            "/api/v1/citations/",
            {
                "source": "japan-russia-1903-1905",
                "start": 3,
                "end": 9,
                "quote": "August",
                "record": {"type": "party", "slug": "korea"},
            },
            format="json",
        ),
        "delete a figure shown inside its engagement": lambda: editor.delete(
            f"/api/v1/figures/{Figure.objects.filter(subject_type__model='engagement').first().slug}/"
        ),
        "add a treaty term with party roles": lambda: editor.post(
            "/api/v1/terms/",
            {
                "slug": "portsmouth-treaty-term-99",
                "treaty": "portsmouth-treaty",
                "number": 99,
                "wording": "Wording for the test.",
                "parties": [
                    {"party": "japan", "role": "bound", "basis": "document"},
                    {"party": "russia", "role": "beneficiary", "basis": "document"},
                ],
                "places": [{"place": "port-arthur", "role": "subject", "basis": "document"}],
            },
            format="json",
        ),
        "delete a citation": lambda: editor.delete(f"/api/v1/citations/{Citation.objects.first().uuid}/"),
        # China is first cited at 280, then at 3258; Sakhalin at 3490: both sequences move.
        "move a record's first citation to another record": lambda: editor.patch(
            f"/api/v1/citations/{first_citation(Party, 'china').uuid}/",
            {"record": {"type": "place", "slug": "sakhalin"}},
            format="json",
        ),
        "make a claim judge another record": lambda: editor.patch(
            "/api/v1/claims/mukden-was-decisive/",
            {
                "judges": [
                    {"type": "engagement", "slug": "occupation-of-mukden"},
                    {"type": "place", "slug": "mukden"},
                ]
            },
            format="json",
        ),
        "rename a record claims judge": lambda: editor.patch(
            "/api/v1/engagements/occupation-of-mukden/", {"name": "Battle of Mukden"}, format="json"
        ),
    }


@pytest.mark.parametrize(
    "write",
    [
        "rename a place others show",
        "link an engagement to another place",
        "cite a party",
        "delete a figure shown inside its engagement",
        "add a treaty term with party roles",
        "delete a citation",
        "move a record's first citation to another record",
        "make a claim judge another record",
        "rename a record claims judge",
    ],
)
def test_after_an_api_write_every_rendering_is_as_rendered_now(
    editor, write, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_writes(editor)[write]()
    assert response.status_code < 300, response.content
    assert not_as_rendered_now() == []


def relation_writes():
    tsushima = Engagement.objects.get(slug="battle-of-tsushima")
    port_arthur = Place.objects.get(slug="port-arthur")
    return {
        "add to a many-to-many set": lambda: tsushima.places.add(port_arthur),
        "add from the other side": lambda: port_arthur.engagements.add(tsushima),
        "remove from the other side": lambda: Place.objects.get(slug="tsushima").engagements.remove(tsushima),
        "clear a set": lambda: tsushima.belligerents.clear(),
        "change a through-row's rationale": _rationale_changed,
        "rename a party in a shell": _party_renamed,
        "cite a figure earlier in a shell": _figure_cited_earlier,
        "delete a record's first citation in a shell": lambda: first_citation(Party, "china").delete(),
        "rename a judged request's number in a shell": _request_renumbered,
        "take a record out of a claim's judges": lambda: (
            JudgedRecord.objects.filter(claim__slug="russia-had-no-good-reason-to-object").first().delete()
        ),
        "add a judged record in a shell": lambda: Claim.objects.get(slug="mukden-was-decisive").judges.create(
            record=Place.objects.get(slug="mukden")
        ),
    }


def _request_renumbered():
    # A request's name is its number ("Request 2"): the claims judging it show it.
    from events.models import Proposal

    request = Proposal.objects.get(slug="request-2")
    request.number = 20
    request.save()


def _rationale_changed():
    response = Response.objects.first()
    response.rationale = "A rationale written by the test."
    response.save()


def _figure_cited_earlier():
    # A figure's sequence is shown inside the record it is about, too.
    figure = Figure.objects.get(slug="mukden-russian-casualties")
    source = Source.objects.get(slug=TEXTBOOK)
    Citation.objects.create(source=source, start=3, end=9, quote=source.text[3:9], record=figure)


def _party_renamed():
    party = Party.objects.get(slug="japan")
    party.name = "Empire of Japan"
    party.save()


@pytest.mark.parametrize(
    "write",
    [
        "add to a many-to-many set",
        "add from the other side",
        "remove from the other side",
        "clear a set",
        "change a through-row's rationale",
        "rename a party in a shell",
        "cite a figure earlier in a shell",
        "delete a record's first citation in a shell",
        "rename a judged request's number in a shell",
        "take a record out of a claim's judges",
        "add a judged record in a shell",
    ],
)
def test_after_a_change_in_code_every_rendering_is_as_rendered_now(write, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        relation_writes()[write]()
    assert not_as_rendered_now() == []


def test_a_write_discards_what_it_changes_before_it_commits(editor, client):
    # Nothing commits inside a test, so nothing is rendered again: what a reader on another
    # connection would see at the commit is the renderings left, and none of them is stale.
    response = editor.patch("/api/v1/places/mukden/", {"name": "Mukden (Shenyang)"}, format="json")
    assert response.status_code == HTTPStatus.OK
    wrong = not_as_rendered_now()
    assert "events.place:" + str(Place.objects.get(slug="mukden").pk) in wrong
    stored = Rendering.objects.filter(code=renderings.code())
    assert not any("Mukden (Shenyang)" in row.listed for row in stored)
    assert not any('"name":"Mukden"' in row.listed + row.detail for row in stored)
    # And the reads render what is missing themselves.
    battle = client.get("/api/v1/engagements/occupation-of-mukden/").json()
    assert "Mukden (Shenyang)" in [link["place"]["name"] for link in battle["places"]]


def test_a_column_updated_below_the_save_discards_what_shows_the_record(django_capture_on_commit_callbacks):
    # What sources.models.renumber does with a record's sequence, for any column.
    from api import data_version

    japan = Party.objects.get(slug="japan")
    generation, _ = data_version.current()
    with django_capture_on_commit_callbacks(execute=True):
        Party.objects.filter(pk=japan.pk).update(name="Nippon")
        assert not_as_rendered_now() != []
        data_version.updated(Party, [japan.pk], "default")
        # Discarded in the writer's own transaction, then rendered again when it commits.
        assert f"events.party:{japan.pk}" in not_as_rendered_now()
        assert data_version.current()[0] == generation + 1
    assert not_as_rendered_now() == []
    assert '"name":"Nippon"' in Rendering.objects.get(object_id=japan.pk, content_type__model="party").listed


def test_a_rendering_of_other_code_is_never_served(client):
    party = Party.objects.get(slug="japan")
    row = Rendering.objects.get(content_type=ContentType.objects.get_for_model(Party), object_id=party.pk)
    row.code = "other code"
    row.listed = row.listed.replace('"name":"Japan"', '"name":"Stale"')
    row.save()
    assert client.get("/api/v1/parties/japan/").json()["name"] == "Japan"
    assert "Stale" not in client.get("/api/v1/parties/").content.decode()


def test_links_carry_the_readers_origin(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "data.example.org"]
    body = client.get("/api/v1/engagements/", HTTP_HOST="data.example.org", secure=True).json()
    urls = [link["place"]["url"] for record in body["results"] for link in record["places"]]
    assert urls
    assert all(url.startswith("https://data.example.org/api/v1/places/") for url in urls)
    stored = Rendering.objects.filter(content_type=ContentType.objects.get_for_model(Engagement))
    assert all('"url":"/api/v1/' in row.listed and "http" not in row.listed for row in stored)


def test_indentation_asked_for_is_given(client):
    plain = client.get("/api/v1/parties/japan/", HTTP_ACCEPT="application/json")
    indented = client.get("/api/v1/parties/japan/", HTTP_ACCEPT="application/json; indent=2")
    assert b"\n  " in indented.content
    assert b"\n" not in plain.content
    assert json.loads(indented.content) == json.loads(plain.content)


def test_the_browsable_api_shows_stored_records(client):
    response = client.get("/api/v1/engagements/", HTTP_ACCEPT="text/html")
    assert response.status_code == HTTPStatus.OK
    assert "Battle of Tsushima" in response.content.decode()


def test_render_records_stores_what_is_missing(client):
    from django.core.management import call_command

    Rendering.objects.filter(content_type=ContentType.objects.get_for_model(Place)).delete()
    call_command("render_records", verbosity=0)
    assert not_as_rendered_now() == []
