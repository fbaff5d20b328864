"""Every record keeps its place in the source: `sequence`, where its first citation starts,
whichever path changes its citations, shown and ordered by every list, and never in history."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Min

from api.registry import citable_models
from config.urls import router
from events.models import Claim, Engagement, Party, Place
from sources.models import Citation, Source
from tests.factories import STATEMENTS_UNCHANGED, TEXTBOOK

pytestmark = pytest.mark.django_db

# The lists of the kinds of record that carry citations, by model.
NARRATED_LISTS = {
    viewset.queryset.model: prefix
    for prefix, viewset, _ in router.registry
    if viewset.queryset.model in citable_models().values()
}


def first_starts(model) -> dict[str, int]:
    """The start of each record's first citation, by slug, read from the citations."""
    starts = (
        Citation.objects.filter(content_type=ContentType.objects.get_for_model(model))
        .values("object_id")
        .annotate(first=Min("start"))
        .values_list("object_id", "first")
    )
    slugs = dict(model.objects.values_list("pk", "slug"))
    return {slugs[pk]: first for pk, first in starts if pk in slugs}


def sequence(record) -> int | None:
    return type(record).objects.values_list("sequence", flat=True).get(pk=record.pk)


def cite(record, start, end, **kwargs) -> Citation:
    """A new citation of `record`, saved as code in a shell saves one."""
    source = Source.objects.get(slug=TEXTBOOK)
    citation = Citation(source=source, start=start, end=end, quote=source.text[start:end])
    citation.record = record
    citation.save(**kwargs)
    return citation


@pytest.fixture
def editor(make_user, api_as):
    return api_as(make_user("sequence-editor", superuser=True))


def test_every_kind_of_cited_record_has_an_indexed_sequence():
    assert set(NARRATED_LISTS) == set(citable_models().values())
    assert len(NARRATED_LISTS) == 13
    for model in citable_models().values():
        field = model._meta.get_field("sequence")
        assert (field.db_index, field.null, field.editable) == (True, True, False), model


def test_every_narrated_record_is_where_its_first_citation_starts():
    checked = 0
    for model in citable_models().values():
        stored = dict(model.objects.values_list("slug", "sequence"))
        assert stored == first_starts(model), model
        checked += len(stored)
    assert checked > 70  # every record of the dataset


def every_page(client, url, **params):
    body = client.get(url, {"page_size": 100, **params}).json()
    found = body["results"]
    while body["next"]:
        body = client.get(body["next"]).json()
        found += body["results"]
    return found


def test_every_list_and_detail_shows_the_sequence(client):
    for model, prefix in NARRATED_LISTS.items():
        listed = every_page(client, f"/api/v1/{prefix}/")
        assert {r["slug"]: r["sequence"] for r in listed} == first_starts(model), prefix
        record = listed[0]
        assert client.get(f"/api/v1/{prefix}/{record['slug']}/").json()["sequence"] == record["sequence"]


@pytest.mark.parametrize("prefix", sorted(NARRATED_LISTS.values()))
def test_every_narrated_list_orders_by_sequence(client, prefix):
    forwards = client.get(f"/api/v1/{prefix}/", {"page_size": 100, "ordering": "sequence"})
    assert forwards.status_code == HTTPStatus.OK, forwards.content
    ascending = [r["sequence"] for r in every_page(client, f"/api/v1/{prefix}/", ordering="sequence")]
    descending = [r["sequence"] for r in every_page(client, f"/api/v1/{prefix}/", ordering="-sequence")]
    assert len(ascending) == forwards.json()["count"] > 0
    # A record only references cite has no place in the source: last, either way.
    placed = sorted(s for s in ascending if s is not None)
    unplaced = [None] * ascending.count(None)
    assert ascending == placed + unplaced
    assert descending == placed[::-1] + unplaced


def test_records_sharing_a_sequence_keep_the_lists_own_order(client):
    # The five engagements are all first cited at "Japan's winning consecutive victories".
    assert set(Engagement.objects.values_list("sequence", flat=True)) == {1996}
    by_sequence = client.get("/api/v1/engagements/", {"ordering": "sequence"}).json()["results"]
    assert [r["number"] for r in by_sequence] == [1, 2, 3, 4, 5]
    # Across pages too: no record on two pages, none on neither.
    pages = [
        r["slug"]
        for page in (1, 2, 3)
        for r in client.get(
            "/api/v1/engagements/", {"ordering": "-sequence", "page_size": 2, "page": page}
        ).json()["results"]
    ]
    assert pages == [r["slug"] for r in by_sequence]


def test_the_sequence_follows_a_citation_created_moved_and_deleted_through_the_api(editor):
    korea, china = Party.objects.get(slug="korea"), Party.objects.get(slug="china")
    assert (sequence(korea), sequence(china)) == (280, 280)
    created = editor.post(
        "/api/v1/citations/",
        {
            "source": "japan-russia-1903-1905",
            "start": 3,
            "end": 9,
            "quote": "August",
            "record": {"type": "party", "slug": "korea"},
        },
        format="json",
    )
    assert created.status_code == HTTPStatus.CREATED, created.content
    assert editor.get("/api/v1/parties/korea/").json()["sequence"] == 3
    url = f"/api/v1/citations/{created.json()['id']}/"

    moved = editor.patch(url, {"record": {"type": "party", "slug": "china"}}, format="json")
    assert moved.status_code == HTTPStatus.OK, moved.content
    assert [editor.get(f"/api/v1/parties/{slug}/").json()["sequence"] for slug in ("korea", "china")] == [
        280,
        3,
    ]

    later = editor.patch(url, {"start": 38, "end": 44, "quote": "Russia"}, format="json")
    assert later.status_code == HTTPStatus.OK, later.content
    assert editor.get("/api/v1/parties/china/").json()["sequence"] == 38

    assert editor.delete(url).status_code == HTTPStatus.NO_CONTENT
    assert editor.get("/api/v1/parties/china/").json()["sequence"] == 280


def test_the_sequence_follows_a_citation_saved_and_deleted_in_a_shell():
    korea, place = Party.objects.get(slug="korea"), Place.objects.get(slug="mukden")
    citation = cite(korea, 65, 74)
    assert sequence(korea) == 65
    citation.record = place
    citation.save()
    assert (sequence(korea), sequence(place)) == (280, 65)
    citation.delete()
    assert sequence(place) == 2153
    cite(place, 65, 74)
    Citation.objects.filter(content_type=ContentType.objects.get_for_model(Place), start=65).delete()
    assert sequence(place) == 2153


def test_a_record_read_before_its_citations_changed_does_not_write_back_its_old_sequence():
    korea = Party.objects.get(slug="korea")
    cite(Party.objects.get(slug="korea"), 65, 74)
    korea.name = "Korea (Joseon)"
    korea.save()
    assert sequence(korea) == korea.sequence == 65


def test_the_last_citation_of_a_record_gone_leaves_no_sequence():
    claim = Claim.objects.get(slug="mukden-was-decisive")
    claim.citations.all().delete()
    assert sequence(claim) is None


def test_the_loader_puts_the_sequence_back_with_the_citations():
    cite(Party.objects.get(slug="korea"), 65, 74)
    call_command("load_dataset", stdout=StringIO())
    assert sequence(Party.objects.get(slug="korea")) == 280


def test_the_admin_sets_the_sequence_of_a_record_it_cites(make_user, client):
    client.force_login(make_user("sequence-curator", superuser=True))
    place = Place.objects.get(slug="tsushima")
    citation = place.citations.get()
    prefix = "sources-citation-content_type-object_id"
    form = {"name": "Tsushima", "kind": "", "modern_name": "", "latitude": "", "longitude": ""}
    form |= {f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "1"}
    form |= {
        f"{prefix}-0-{field}": value
        for field, value in [
            ("id", citation.pk),
            ("source", citation.source_id),
            ("start", citation.start),
            ("end", citation.end),
            ("quote", citation.quote),
        ]
    }
    form |= {
        f"{prefix}-1-source": citation.source_id,
        f"{prefix}-1-start": 65,
        f"{prefix}-1-end": 74,
        f"{prefix}-1-quote": "Manchuria",
    }
    response = client.post(f"/admin/events/place/{place.pk}/change/", form | STATEMENTS_UNCHANGED)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    assert sequence(place) == 65
    # Shown, and not editable.
    page = client.get(f"/admin/events/place/{place.pk}/change/").content.decode()
    assert '<div class="readonly">65</div>' in page
    assert 'name="sequence"' not in page


def test_a_write_giving_the_sequence_is_refused_as_read_only(editor):
    changed = editor.patch("/api/v1/parties/korea/", {"sequence": 1}, format="json")
    assert changed.status_code == HTTPStatus.BAD_REQUEST
    assert changed.json()["errors"] == {"sequence": ["This field is read-only."]}
    body = {"slug": "atlantis", "name": "Atlantis", "kind": "state", "role": "mediator", "sequence": 1}
    created = editor.post("/api/v1/parties/", body, format="json")
    assert created.status_code == HTTPStatus.BAD_REQUEST
    assert created.json()["errors"] == {"sequence": ["This field is read-only."]}
    assert sequence(Party.objects.get(slug="korea")) == 280


def test_the_history_of_a_record_does_not_change_when_only_its_sequence_does(client):
    before = client.get("/api/v1/parties/korea/history/").json()
    assert "sequence" not in before["results"][0]["snapshot"]
    cite(Party.objects.get(slug="korea"), 65, 74)
    assert sequence(Party.objects.get(slug="korea")) == 65
    assert client.get("/api/v1/parties/korea/history/").json() == before
    for model in citable_models().values():
        assert "sequence" not in [field.name for field in model.history.model._meta.fields], model


def test_restoring_an_old_version_keeps_the_sequence_its_citations_give(editor):
    version = editor.get("/api/v1/parties/korea/history/").json()["results"][0]["version"]
    cite(Party.objects.get(slug="korea"), 65, 74)
    assert (
        editor.patch("/api/v1/parties/korea/", {"name": "Joseon"}, format="json").status_code == HTTPStatus.OK
    )
    restored = editor.post("/api/v1/parties/korea/restorations/", {"version": version}, format="json")
    assert restored.status_code == HTTPStatus.OK, restored.content
    assert (restored.json()["name"], restored.json()["sequence"]) == ("Korea", 65)


def test_a_record_deleted_with_its_citations_comes_back_with_its_sequence(editor):
    url = "/api/v1/claims/mukden-was-decisive/"
    # The claim quotes "decisive", at 2403.
    assert editor.get(url).json()["sequence"] == 2403
    assert editor.delete(url).status_code == HTTPStatus.NO_CONTENT
    version = editor.get(f"{url}history/").json()["results"][0]["version"]
    restored = editor.post(f"{url}restorations/", {"version": version}, format="json")
    assert restored.status_code == HTTPStatus.OK, restored.content
    assert restored.json()["sequence"] == 2403
    assert sequence(Claim.objects.get(slug="mukden-was-decisive")) == 2403


@pytest.mark.migrations
def test_the_migration_sets_the_sequence_of_the_records_a_database_holds(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("events", "0005_deletes_protect_what_others_refer_to"), ("treaties", "0006_term_slugs")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    # A citation the fixtures do not have, added before there was a sequence to keep.
    citation = old.get_model("sources", "Citation").objects.filter(start=280).first()
    old.get_model("sources", "Citation").objects.filter(pk=citation.pk).update(start=3, end=9, quote="August")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    for model in citable_models().values():
        assert dict(model.objects.values_list("slug", "sequence")) == first_starts(model), model
    assert 3 in {record.sequence for model in citable_models().values() for record in model.objects.all()}


def test_the_engagements_docs_say_their_number_is_no_chronology(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    listed = schema["paths"]["/api/v1/engagements/"]["get"]["description"]
    number = schema["components"]["schemas"]["Engagement"]["properties"]["number"]["description"]
    for text in (listed, number):
        assert "not a chronology" in text
        assert "?ordering=sequence" in text
        assert "?order=narrative" in text
