"""Other sources' values beside the textbook's: statements and further figures, each cited,
side by side, with which is chosen and whether they differ (events.choosing)."""

import datetime
from collections import defaultdict
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction

from events.choosing import source_rank
from events.models import Engagement, Event, Place, Statement, StatementKind
from sources.models import Source, SourceKind
from tests.factories import TEXTBOOK

pytestmark = pytest.mark.django_db

DATED_LISTS = ["events", "engagements", "negotiations", "treaties"]
OWNING_LISTS = [*DATED_LISTS, "parties", "places", "proposals", "counterproposals"]


def records(client, lists=OWNING_LISTS):
    for name in lists:
        for record in client.get(f"/api/v1/{name}/?page_size=100").json()["results"]:
            yield name, record


def groups(record):
    found = defaultdict(list)
    for statement in record["statements"]:
        party = statement["party"]["slug"] if statement["party"] else None
        found[(statement["kind"], statement["scope"], party, statement["language"])].append(statement)
    return found


def test_the_facts_are_loaded():
    counts = {kind: Statement.objects.filter(kind=kind).count() for kind in StatementKind.values}
    assert counts["date"] >= 70
    assert counts["coordinates"] >= 9
    assert counts["name"] >= 40
    # Every engagement is dated by other sources, as a whole or in its parts.
    assert not Engagement.objects.filter(statements__isnull=True).exists()


def test_every_statement_rests_on_its_own_source_by_locator():
    for statement in Statement.objects.select_related("source").prefetch_related("citations__source"):
        citations = list(statement.citations.all())
        assert citations, statement.slug
        for citation in citations:
            assert citation.source_id == statement.source_id, statement.slug
            if citation.source.kind == SourceKind.REFERENCE:
                assert citation.locator, statement.slug
                assert citation.start is None, statement.slug
                assert len(citation.quote.split()) <= 25
            else:
                assert citation.source.text[citation.start : citation.end] == citation.quote


def test_a_citation_of_another_source_is_refused(make_user, api_as):
    editor = make_user("editor")
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["events", "sources"]))
    statement = Statement.objects.get(slug="mukden-dates-tyler")
    response = api_as(editor).post(
        "/api/v1/citations/",
        {
            "record": {"type": "statement", "slug": statement.slug},
            "source": "spectator-1905",
            "locator": "p. 1",
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert "tyler-1905" in str(response.json()["errors"])
    assert statement.citations.count() == 1


def test_disputed_is_exactly_where_values_differ(client):
    seen = {True: 0, False: 0}
    for _name, record in records(client):
        own = record.get("date", record.get("opened", record.get("signed")))
        for key, members in groups(record).items():
            values = {
                (s["date"], s["ended"], s["time"], s["latitude"], s["longitude"], s["text"]) for s in members
            }
            if key[:3] == ("date", "", None) and own is not None:
                values.add((own, None, None, None, None, ""))
            flags = {s["disputed"] for s in members}
            assert len(flags) == 1, (record["slug"], key)
            disputed = flags.pop()
            seen[disputed] += 1
            if len(values) == 1 or key[0] == "name":
                assert not disputed, (record["slug"], key)
            elif all(len(s["date"] or "") == 10 for s in members) and len({s["date"] for s in members}) > 1:
                assert disputed, (record["slug"], key)
    assert seen[True]
    assert seen[False]


def statements_of(client, path, **where):
    record = client.get(path).json()
    return record, [s for s in record["statements"] if all(s[k] == v for k, v in where.items())]


def test_the_same_day_in_the_other_calendar_agrees(client):
    treaty, signing = statements_of(client, "/api/v1/treaties/portsmouth-treaty/", kind="date", scope="")
    julian = [s for s in signing if s["date_calendar"] == "julian"]
    assert len(julian) >= 3
    assert {s["date_julian"] for s in julian} == {"1905-08-23"}
    assert {s["date"] for s in signing} == {treaty["signed"]} == {"1905-09-05"}
    # The time of day only adds to the day: no dispute.
    assert any(s["time"] == "15:50" for s in signing)
    assert not any(s["disputed"] for s in signing)


def test_the_textbook_date_stands_beside_the_notification(client):
    event, rupture = statements_of(client, "/api/v1/events/breaking-off-of-relations/", kind="date", scope="")
    assert event["date"] == "1904-02-04"
    assert event["chosen_date"]["statement"] is None
    assert {s["date"] for s in rupture} == {"1904-02-06"}
    assert all(s["disputed"] and not s["chosen"] for s in rupture)


def test_competing_dates_are_disputed_and_one_is_chosen(client):
    _, liaoyang = statements_of(
        client, "/api/v1/engagements/battles-of-liaoyang-and-shahe/", scope="Battle of Liaoyang"
    )
    assert {s["date"] for s in liaoyang} == {"1904-08-24", "1904-08-25"}
    assert all(s["disputed"] for s in liaoyang)
    assert sum(s["chosen"] for s in liaoyang) == 1


def test_the_chosen_value_follows_the_stated_order(client):
    ranks = {source.slug: source_rank(source) for source in Source.objects.all()}
    for _name, record in records(client):
        for key, members in groups(record).items():
            chosen = [s for s in members if s["chosen"]]
            if key[:3] == ("date", "", None) and record.get("chosen_date", {}) and not chosen:
                assert record["chosen_date"]["statement"] is None  # the record's own date
                continue
            assert len(chosen) == 1, (record["slug"], key)
            first = min(members, key=lambda s: (ranks[s["source"]["slug"]], s["slug"]))
            assert chosen[0]["slug"] == first["slug"]


def test_an_undated_record_takes_its_chosen_date_from_a_statement(client):
    mukden = client.get("/api/v1/engagements/occupation-of-mukden/").json()
    assert mukden["date"] is None
    chosen = next(s for s in mukden["statements"] if s["slug"] == mukden["chosen_date"]["statement"])
    assert chosen["chosen"]
    assert chosen["date"] == mukden["chosen_date"]["date"]
    # Lists filter and order by it.
    found = client.get("/api/v1/engagements/?start=1905-02&end=1905-03").json()["results"]
    assert [e["slug"] for e in found] == ["occupation-of-mukden"]
    ordered = client.get("/api/v1/engagements/?ordering=date").json()["results"]
    dates = [e["chosen_date"]["date"] for e in ordered if e["chosen_date"]]
    assert dates == sorted(dates)
    assert len(dates) >= 3
    assert ordered[-1]["chosen_date"] is None  # undated in every source: last


def test_a_julian_bound_filters_the_chosen_date(client):
    # Tsushima: 27-28 May 1905, which the Russian course text gives as 14-15 May (Julian).
    found = client.get("/api/v1/engagements/?start=1905-05-13&end=1905-05-16&calendar=julian").json()
    assert [e["slug"] for e in found["results"]] == ["battle-of-tsushima"]


def test_the_chosen_date_follows_the_statements_as_they_change():
    mukden = Engagement.objects.get(slug="occupation-of-mukden")
    chosen = mukden.dated_statement()
    assert (mukden.chosen_date, mukden.chosen_date_precision) == (chosen.date, chosen.date_precision)
    others = Statement.objects.filter(
        subject_id=mukden.pk, subject_type=chosen.subject_type, kind="date", scope=""
    )
    for statement in others.in_precedence():
        statement.delete()
        mukden.refresh_from_db()
        following = mukden.dated_statement()
        assert mukden.chosen_date == (following.date if following else None)
    assert mukden.chosen_date is None
    assert mukden.chosen_date_precision is None


def test_a_source_ranked_higher_changes_the_choice():
    mukden = Engagement.objects.get(slug="occupation-of-mukden")
    wikipedia = Source.objects.get(slug="wikipedia-battle-articles")
    wikipedia.precedence = 1
    wikipedia.save()
    mukden.refresh_from_db()
    assert mukden.chosen_date == datetime.date(1905, 2, 20)
    assert mukden.dated_statement().source == wikipedia


def test_an_own_date_is_chosen_over_any_statement():
    event = Event.objects.get(slug="breaking-off-of-relations")
    assert event.chosen_date == event.date == datetime.date(1904, 2, 4)
    event.date, event.date_precision = None, None
    event.date_calendar = event.date_basis = None
    event.date_rationale = ""
    event.save()
    event.refresh_from_db()
    assert event.chosen_date == datetime.date(1904, 2, 6)


def test_a_statement_holds_exactly_the_value_its_kind_takes():
    source = Source.objects.get(slug="geonames-2012")
    mukden = Engagement.objects.get(slug="occupation-of-mukden")
    base = {"subject": mukden, "source": source}
    broken = [
        {"kind": "date"},  # no date
        {"kind": "name", "text": "奉天"},  # no language
        {"kind": "coordinates", "latitude": 41, "longitude": None},
        {"kind": "text", "text": "x", "latitude": 41, "longitude": 123},
        {
            "kind": "date",
            "date": datetime.date(1905, 3, 1),
            "date_precision": "month",
            "date_calendar": "gregorian",
            "date_basis": "document",
            "time": datetime.time(12),
        },  # a time on a month
        {
            "kind": "date",
            "date": datetime.date(1905, 3, 1),
            "date_precision": "day",
            "date_calendar": "gregorian",
            "date_basis": "document",
            "ended": datetime.date(1905, 2, 1),
            "ended_precision": "day",
            "ended_calendar": "gregorian",
            "ended_basis": "document",
        },  # ends before it starts
    ]
    for n, values in enumerate(broken):
        with pytest.raises(IntegrityError), transaction.atomic():
            Statement.objects.create(slug=f"broken-{n}", **base, **values)


def test_figures_from_other_sources_stand_beside_the_textbook(client):
    figures = client.get("/api/v1/engagements/occupation-of-mukden/").json()["figures"]
    casualties = [f for f in figures if f["measure"] == "casualties" and f["party"]["slug"] == "russia"]
    values = {f["value"] for f in casualties}
    assert {100000, 89662, 88352} <= values
    assert all(f["disputed"] for f in casualties)
    (chosen,) = [f for f in casualties if f["chosen"]]
    assert [c["source"]["slug"] for c in chosen["citations"]] == [TEXTBOOK]
    vessels = [
        f
        for f in client.get("/api/v1/engagements/battle-of-tsushima/").json()["figures"]
        if f["measure"] == "vessels"
    ]
    assert len(vessels) > 1
    assert not any(f["disputed"] for f in vessels)


def test_names_in_other_languages_and_ids_are_cited(client):
    port_arthur = client.get("/api/v1/places/port-arthur/").json()
    names = {(s["language"], s["text"]) for s in port_arthur["statements"] if s["kind"] == "name"}
    assert ("ja", "旅順口") in names
    assert ("ru", "Портъ-Артуръ") in names
    (geonames,) = [s for s in port_arthur["statements"] if s["kind"] == "geonames-id"]
    assert geonames["text"] == "1801722"
    assert geonames["citations"][0]["locator"]
    for statement in Statement.objects.filter(kind="wikidata-id"):
        assert statement.source.slug == "code-qid-mappings"
        assert "third-party" in statement.note


def test_a_statement_written_through_the_api_dates_its_record(make_user, api_as):
    editor = make_user("editor")
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["events", "sources"]))
    client = api_as(editor)
    body = {
        "slug": "liaoyang-shahe-whole",
        "subject": {"type": "engagement", "slug": "battles-of-liaoyang-and-shahe"},
        "kind": "date",
        "source": "tyler-1905",
        "date": "1904-08",
        "date_calendar": "gregorian",
        "date_basis": "reading",
        "date_rationale": "A test's.",
    }
    response = client.post("/api/v1/statements/", body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    record = client.get("/api/v1/engagements/battles-of-liaoyang-and-shahe/").json()
    assert record["chosen_date"] == {
        "date": "1904-08",
        "precision": "month",
        "statement": "liaoyang-shahe-whole",
    }
    # A time of day is HH:MM, nothing the sources do not give (seconds, an offset).
    for time, status in [("3:50 pm", HTTPStatus.BAD_REQUEST), ("15:50:00Z", HTTPStatus.BAD_REQUEST)]:
        response = client.patch("/api/v1/statements/liaoyang-shahe-whole/", {"time": time}, format="json")
        assert response.status_code == status, response.content
    body |= {"slug": "liaoyang-shahe-whole-day", "date": "1904-08-25", "time": "06:30"}
    response = client.post("/api/v1/statements/", body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert response.json()["time"] == "06:30"
    # A name with no language is refused, with the rule it breaks.
    response = client.post(
        "/api/v1/statements/",
        {**{k: body[k] for k in ("subject", "source")}, "slug": "nameless", "kind": "name", "text": "遼陽"},
        format="json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert not Statement.objects.filter(slug="nameless").exists()


def test_a_victor_stands_beside_the_textbooks_and_is_disputed_only_by_another_party(make_user, api_as):
    editor = make_user("editor")
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["events", "sources"]))
    client = api_as(editor)
    path = "/api/v1/engagements/battles-of-liaoyang-and-shahe/"
    assert client.get(path).json()["victor"]["slug"] == "japan"
    subject = {"type": "engagement", "slug": "battles-of-liaoyang-and-shahe"}
    body = {"slug": "liaoyang-victor", "subject": subject, "kind": "victor", "party": "russia"}
    body["source"] = "tyler-1905"
    response = client.post("/api/v1/statements/", body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content

    def victors():
        record = client.get(path).json()
        given = [s for s in record["statements"] if s["kind"] == "victor"]
        return record["victor"]["slug"], [(s["party"]["slug"], s["disputed"], s["chosen"]) for s in given]

    # The textbook's victor stays the record's and is chosen; the other party disputes it.
    assert victors() == ("japan", [("russia", True, False)])
    response = client.patch("/api/v1/statements/liaoyang-victor/", {"party": "japan"}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert victors() == ("japan", [("japan", False, False)])
    # A victor is a party's, and an engagement's.
    for slug, values, field in [
        ("no-party", {"party": None}, "__all__"),
        ("of-a-place", {"subject": {"type": "place", "slug": "mukden"}}, "kind"),
    ]:
        response = client.post("/api/v1/statements/", {**body, "slug": slug, **values}, format="json")
        assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
        assert field in response.json()["errors"], response.content
        assert not Statement.objects.filter(slug=slug).exists()


def test_a_record_statements_are_about_is_not_deleted_until_they_go(make_user, api_as):
    client = api_as(make_user("curator", superuser=True))
    response = client.delete("/api/v1/places/portsmouth/")
    assert response.status_code == HTTPStatus.CONFLICT, response.content
    assert "statement portsmouth-coordinates-geonames" in response.json()["detail"]
    for statement in Place.objects.get(slug="portsmouth").statements.all():
        assert client.delete(f"/api/v1/statements/{statement.slug}/").status_code == HTTPStatus.NO_CONTENT
    assert client.delete("/api/v1/places/portsmouth/").status_code == HTTPStatus.NO_CONTENT


@pytest.mark.parametrize(
    ("name", "place"),
    [("Shenyang", "mukden"), ("瀋陽", "mukden"), ("旅順", "port-arthur"), ("Портъ-Артуръ", "port-arthur")],
)
def test_a_place_is_found_by_any_of_its_names(client, name, place):
    listed = client.get("/api/v1/places/", {"search": name}).json()["results"]
    assert [p["slug"] for p in listed] == [place]
    hits = client.get("/api/v1/search/", {"q": name}).json()["results"]
    assert {"type": "place", "slug": place} in [{"type": h["type"], "slug": h["slug"]} for h in hits]


def test_other_names_follow_the_name_statements():
    mukden = Place.objects.get(slug="mukden")
    assert "Shenyang" in mukden.other_names.splitlines()
    mukden.statements.filter(kind="name", text="Shenyang").delete()
    mukden.refresh_from_db()
    assert "Shenyang" not in mukden.other_names.splitlines()
    assert "奉天" in mukden.other_names.splitlines()


def test_the_schema_describes_statements_and_chosen_dates():
    from tests.test_schema import generated

    schema = generated()
    components = schema["components"]["schemas"]
    assert "/api/v1/statements/" in schema["paths"]
    nested = components["NestedStatement"]["properties"]
    for field in (
        "kind",
        "scope",
        "source",
        "date",
        "date_julian",
        "date_calendar",
        "ended",
        "time",
        "disputed",
        "chosen",
    ):
        assert field in nested, field
    assert set(components["StatementKindEnum"]["enum"]) == set(StatementKind.values)
    engagement = components["Engagement"]["properties"]
    assert set(engagement["chosen_date"]["properties"]) == {"date", "precision", "statement"}
    assert engagement["statements"]["items"]["$ref"].endswith("/NestedStatement")
    assert {"disputed", "chosen"} <= set(components["NestedFigure"]["properties"])
