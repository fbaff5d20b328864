"""Every change is kept with who made it, and any version can be brought back."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command

from events.models import Counterproposal, Event, Figure, Party, Place, Proposal
from sources.models import Citation
from tests.factories import STATEMENTS_UNCHANGED, unjudged

# The delete rule over the textbook's records; statements keep theirs as figures do (tests/
# test_statements.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("textbook_only")]


@pytest.fixture
def admin(make_user):
    return make_user("curator", superuser=True)


def versions(client, url):
    response = client.get(f"{url}history/")
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()["results"]


def refused_restore(editor, url, version, status=HTTPStatus.UNPROCESSABLE_ENTITY) -> dict:
    """The errors a refused restoration names; nothing was restored."""
    response = editor.post(f"{url}restorations/", {"version": version}, format="json")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["errors"]


def test_the_loader_is_recorded_as_such(client):
    history = versions(client, "/api/v1/places/mukden/")
    assert history[-1]["change"] == "created"
    assert {v["reason"] for v in history} == {"load_dataset"}
    assert {v["user"] for v in history} == {None}


def test_an_api_change_is_kept_with_its_user_and_the_state_before(admin, api_as):
    editor = api_as(admin)
    editor.patch("/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json")
    latest, before = versions(editor, "/api/v1/places/mukden/")[:2]
    assert (latest["change"], latest["user"]) == ("changed", "curator")
    assert latest["snapshot"]["modern_name"] == "Shenyang"
    assert before["snapshot"]["modern_name"] is None


def test_who_made_a_change_is_named_to_editors_only(admin, make_user, api_as, client):
    api_as(admin).patch("/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json")
    anonymous = versions(client, "/api/v1/places/mukden/")
    assert [v["user"] for v in anonymous[:2]] == ["editor", None]  # None: the loader
    assert "curator" not in client.get("/api/v1/places/mukden/history/").content.decode()
    assert versions(api_as(make_user("reader")), "/api/v1/places/mukden/")[0]["user"] == "curator"


def test_a_version_links_by_public_id_also_to_a_record_deleted_since(admin, api_as, client):
    editor = api_as(admin)
    figure = versions(client, "/api/v1/figures/final-proposal-unanswered-for/")[0]["snapshot"]
    assert figure["subject"] == {"type": "event", "slug": "no-reply"}
    assert figure["party"] == "russia"
    assert not {"subject_id", "subject_type"} & figure.keys()
    place = Place.objects.get(slug="vladivostok")
    citation = Citation.objects.for_record(place).get()
    snapshot = versions(client, f"/api/v1/citations/{citation.uuid}/")[0]["snapshot"]
    assert snapshot == {
        "uuid": str(citation.uuid),
        "source": "japan-russia-1903-1905",
        "start": citation.start,
        "end": citation.end,
        "locator": "",
        "quote": citation.quote,
        "record": {"type": "place", "slug": "vladivostok"},
    }
    editor.patch("/api/v1/engagements/japan-achieves-maritime-control/", {"places": []}, format="json")
    assert editor.delete("/api/v1/places/vladivostok/").status_code == HTTPStatus.NO_CONTENT
    engagement = versions(client, "/api/v1/engagements/japan-achieves-maritime-control/")
    assert {"place": "vladivostok", "role": "site", "basis": "document", "rationale": ""} in engagement[1][
        "snapshot"
    ]["places"]
    deleted = versions(client, f"/api/v1/citations/{citation.uuid}/")[0]
    assert deleted["snapshot"]["record"] == {"type": "place", "slug": "vladivostok"}


def test_an_admin_change_is_kept_with_its_user(admin, client):
    client.force_login(admin)
    place = Place.objects.get(slug="vladivostok")
    form = client.get(f"/admin/events/place/{place.pk}/change/")
    assert form.status_code == HTTPStatus.OK
    citation = place.citations.get()
    response = client.post(
        f"/admin/events/place/{place.pk}/change/",
        {
            "name": "Vladivostok",
            "kind": "port",
            "kind_basis": "reading",
            "kind_rationale": place.kind_rationale,
            "note": "",
            "modern_name": "",
            "latitude": "",
            "longitude": "",
            "sources-citation-content_type-object_id-TOTAL_FORMS": "1",
            "sources-citation-content_type-object_id-INITIAL_FORMS": "1",
            "sources-citation-content_type-object_id-0-id": citation.pk,
            "sources-citation-content_type-object_id-0-source": citation.source_id,
            "sources-citation-content_type-object_id-0-start": citation.start,
            "sources-citation-content_type-object_id-0-end": citation.end,
            "sources-citation-content_type-object_id-0-quote": citation.quote,
            **STATEMENTS_UNCHANGED,
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    latest = versions(client, "/api/v1/places/vladivostok/")[0]
    assert (latest["user"], latest["snapshot"]["kind"]) == ("curator", "port")


def test_the_admin_refuses_a_citation_whose_quote_is_not_at_its_offsets(admin, client):
    client.force_login(admin)
    place = Place.objects.get(slug="vladivostok")
    citation = place.citations.get()
    start, end = citation.start, citation.end
    response = client.post(
        f"/admin/events/place/{place.pk}/change/",
        {
            "name": "Vladivostok",
            "kind": "",
            "sources-citation-content_type-object_id-TOTAL_FORMS": "1",
            "sources-citation-content_type-object_id-INITIAL_FORMS": "1",
            "sources-citation-content_type-object_id-0-id": citation.pk,
            "sources-citation-content_type-object_id-0-source": citation.source_id,
            "sources-citation-content_type-object_id-0-start": citation.start + 1,
            "sources-citation-content_type-object_id-0-end": citation.end + 1,
            "sources-citation-content_type-object_id-0-quote": citation.quote,
        },
    )
    assert response.status_code == HTTPStatus.OK  # the form again, with the error on the quote
    shifted = citation.source.text[start + 1 : end + 1]
    page = response.content.decode()
    assert f"The source text at {start + 1}–{end + 1} reads &#x27;{shifted}&#x27;" in page
    citation.refresh_from_db()
    assert (citation.start, citation.end) == (start, end)


def test_a_management_command_change_is_recorded_with_its_reason():
    Party.objects.filter(slug="japan").update(name="Nippon")  # a bulk update: no history, as documented
    call_command("load_dataset", stdout=StringIO())
    japan = Party.objects.get(slug="japan")
    latest = japan.history.order_by("-history_id").first()
    assert (latest.history_change_reason, latest.name) == ("load_dataset", "Japan")


def test_a_version_can_be_restored(admin, api_as, client):
    editor = api_as(admin)
    original = versions(client, "/api/v1/engagements/fall-of-port-arthur/")[0]
    editor.patch(
        "/api/v1/engagements/fall-of-port-arthur/",
        {"outcome": "Vandalised.", "places": [{"place": "mukden", "role": "site", "basis": "document"}]},
        format="json",
    )
    response = editor.post(
        "/api/v1/engagements/fall-of-port-arthur/restorations/",
        {"version": original["version"]},
        format="json",
    )
    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert body["outcome"] == "The Japanese occupied the Port Arthur fortress and destroyed Russian ships."
    assert [(p["place"]["slug"], p["role"]) for p in body["places"]] == [("port-arthur", "site")]
    latest = versions(client, "/api/v1/engagements/fall-of-port-arthur/")[0]
    assert latest["reason"] == f"restored version {original['version']}"


def test_a_deleted_record_comes_back_with_its_citations_and_then_its_figures(admin, api_as, client):
    editor = api_as(admin)
    event = Event.objects.get(slug="no-reply")
    citations = sorted(event.citations.values_list("uuid", flat=True))
    assert list(event.figures.values_list("slug", flat=True)) == ["final-proposal-unanswered-for"]

    figure_url = "/api/v1/figures/final-proposal-unanswered-for/"
    assert editor.delete("/api/v1/events/no-reply/").status_code == HTTPStatus.CONFLICT
    assert editor.delete(figure_url).status_code == HTTPStatus.NO_CONTENT
    assert editor.delete("/api/v1/events/no-reply/").status_code == HTTPStatus.NO_CONTENT
    assert client.get("/api/v1/events/no-reply/").status_code == HTTPStatus.GONE

    # The figure's subject is gone: restoring it is refused as any write linking to it would be.
    figure_version = versions(client, figure_url)[1]["version"]
    assert refused_restore(editor, figure_url, figure_version) == {
        "subject": ["No event with slug 'no-reply': it was deleted; restore it first."]
    }
    assert not Figure.objects.filter(slug="final-proposal-unanswered-for").exists()

    history = versions(client, "/api/v1/events/no-reply/")
    assert history[0]["change"] == "deleted"
    response = editor.post(
        "/api/v1/events/no-reply/restorations/", {"version": history[1]["version"]}, format="json"
    )
    assert response.status_code == HTTPStatus.OK, response.content
    restored = Event.objects.get(slug="no-reply")
    assert sorted(restored.citations.values_list("uuid", flat=True)) == citations
    assert [(p["party"]["slug"], p["role"]) for p in response.json()["parties"]] == [
        ("russia", "actor"),
        ("japan", "addressee"),
    ]

    back = editor.post(f"{figure_url}restorations/", {"version": figure_version}, format="json")
    assert back.status_code == HTTPStatus.OK, back.content
    assert back.json()["subject"]["slug"] == "no-reply"
    assert Figure.objects.get(slug="final-proposal-unanswered-for").citations.count() == 1


def test_restoring_a_citation_whose_record_is_gone_is_a_422(admin, api_as, client):
    editor = api_as(admin)
    citation = Citation.objects.for_record(Place.objects.get(slug="portsmouth")).get()
    url = f"/api/v1/citations/{citation.uuid}/"
    assert editor.delete("/api/v1/places/portsmouth/").status_code == HTTPStatus.NO_CONTENT
    version = versions(client, url)[0]["version"]
    assert refused_restore(editor, url, version) == {
        "record": ["No place with slug 'portsmouth': it was deleted; restore it first."]
    }
    assert not Citation.objects.filter(uuid=citation.uuid).exists()


def test_restoring_a_record_whose_links_are_gone_is_a_422_naming_them(admin, api_as, client):
    editor = api_as(admin)
    unjudged((Counterproposal, "counterproposal-1"), (Proposal, "request-1"))
    url = "/api/v1/counterproposals/counterproposal-1/"
    assert editor.delete(url).status_code == HTTPStatus.NO_CONTENT
    assert editor.delete("/api/v1/proposals/request-1/").status_code == HTTPStatus.NO_CONTENT
    version = versions(client, url)[0]["version"]
    assert refused_restore(editor, url, version) == {
        "responds_to": ["No proposal with slug 'request-1': it was deleted; restore it first."]
    }
    assert not Counterproposal.objects.filter(slug="counterproposal-1").exists()


def test_restoring_a_record_whose_slug_was_taken_since_is_a_409(admin, api_as, client):
    editor = api_as(admin)
    assert editor.delete("/api/v1/places/portsmouth/").status_code == HTTPStatus.NO_CONTENT
    made = editor.post("/api/v1/places/", {"slug": "portsmouth", "name": "Portsmouth, NH"}, format="json")
    assert made.status_code == HTTPStatus.CREATED
    deleted = next(v for v in versions(client, "/api/v1/places/portsmouth/") if v["change"] == "deleted")
    errors = refused_restore(editor, "/api/v1/places/portsmouth/", deleted["version"], HTTPStatus.CONFLICT)
    assert list(errors) == ["slug"]
    assert Place.objects.get(slug="portsmouth").name == "Portsmouth, NH"


def test_restoring_needs_the_change_permission(make_user, api_as):
    reader = make_user("reader")
    response = api_as(reader).post("/api/v1/places/mukden/restorations/", {"version": 1}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert api_as(None).post(
        "/api/v1/places/mukden/restorations/", {"version": 1}, format="json"
    ).status_code == (HTTPStatus.UNAUTHORIZED)


def test_restoring_an_unknown_version_or_a_bad_body_is_refused(admin, api_as):
    editor = api_as(admin)
    assert editor.post(
        "/api/v1/places/mukden/restorations/", {"version": 999999}, format="json"
    ).status_code == (HTTPStatus.NOT_FOUND)
    bad = editor.post("/api/v1/places/mukden/restorations/", {"version": "latest"}, format="json")
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert list(bad.json()["errors"]) == ["version"]


def test_history_of_a_record_that_never_existed_is_a_404(client):
    assert client.get("/api/v1/places/atlantis/history/").status_code == HTTPStatus.NOT_FOUND


def test_citation_history_is_kept_too(admin, api_as, client):
    citation = Citation.objects.filter(content_type__model="place").first()
    response = client.get(f"/api/v1/citations/{citation.uuid}/history/")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["results"][0]["reason"] == "load_dataset"


def test_a_version_keeps_its_link_rows_and_a_restore_names_those_gone(admin, api_as, client):
    # A place in a role is a row of its own (events.PlaceLink) with its own history: each
    # version of the event shows the rows it had, and restoring the deleted event brings them
    # back, unless the place is gone since.
    editor = api_as(admin)
    assert (
        editor.post("/api/v1/places/", {"slug": "ulsan", "name": "Ulsan"}, format="json").status_code == 201
    )
    link = {"place": "ulsan", "role": "site", "basis": "reading", "rationale": "A test's reading."}
    made = editor.post(
        "/api/v1/events/",
        {"slug": "ulsan-raid", "name": "Raid", "kind": "hostilities", "description": "x", "places": [link]},
        format="json",
    )
    assert made.status_code == HTTPStatus.CREATED, made.content
    assert editor.delete("/api/v1/places/ulsan/").status_code == HTTPStatus.CONFLICT
    assert editor.delete("/api/v1/events/ulsan-raid/").status_code == HTTPStatus.NO_CONTENT
    history = versions(client, "/api/v1/events/ulsan-raid/")
    assert [v["change"] for v in history] == ["deleted", "created"]
    assert history[1]["snapshot"]["places"] == [link]
    assert editor.delete("/api/v1/places/ulsan/").status_code == HTTPStatus.NO_CONTENT
    assert refused_restore(editor, "/api/v1/events/ulsan-raid/", history[0]["version"]) == {
        "places": ["No place with slug 'ulsan': it was deleted; restore it first."]
    }


def test_restoring_an_earlier_version_puts_its_link_rows_back(admin, api_as, client):
    editor = api_as(admin)
    url = "/api/v1/engagements/battles-of-liaoyang-and-shahe/"
    original = versions(client, url)[0]
    before = client.get(url).json()["places"]
    changed = editor.patch(
        url, {"places": [{"place": "mukden", "role": "site", "basis": "document"}]}, format="json"
    )
    assert changed.status_code == HTTPStatus.OK, changed.content
    response = editor.post(f"{url}restorations/", {"version": original["version"]}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["places"] == before
    assert [(p["place"]["slug"], p["role"]) for p in before] == [
        ("liaoyang", "site"),
        ("shahe", "site"),
        ("mukden", "destination"),
    ]
