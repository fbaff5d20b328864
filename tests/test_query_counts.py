"""Every list and detail endpoint runs a fixed number of SQL queries, whatever the rows.

Each list is filled to at least 50 rows (the real data plus factory records) and read at
page_size=1 and page_size=50: the counts must be equal and equal to the pinned number. A read
of stored renderings (api.renderings) is its COUNT(*), its page's keys and their renderings,
or a detail's key and its rendering; where they are missing, the read renders them itself,
and the pinned numbers below are what that rendering costs (a write pays the same to render
what it changed).
"""

import datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from api import pagination, renderings
from api.models import Rendering
from api.registry import dated_models
from events.models import (
    Claim,
    Counterproposal,
    Engagement,
    Event,
    Figure,
    JudgedRecord,
    Negotiation,
    Party,
    Place,
    Proposal,
)
from explore.views import SearchView
from sources.models import Citation, Source
from tests import factories
from treaties.models import Treaty, TreatyArticle, TreatyTerm

pytestmark = pytest.mark.django_db

# Rendering a page: its rows, then one query per prefetch.
LISTS = {
    # Every kind but figures, claims and terms: + statements (with source and party), their
    # citations.
    # + citations
    "parties": (Party, factories.party, 4),
    # + citations
    "places": (Place, factories.place, 4),
    # + citations, figures, figures' citations
    "negotiations": (Negotiation, factories.negotiation, 6),
    # + citations, responses (with their counterproposal), place links (with their place),
    # the terms settling it
    "proposals": (Proposal, factories.proposal, 7),
    # + citations, figures, figures' citations, responses (with their proposal), place links,
    # the terms settling it
    "counterproposals": (Counterproposal, factories.counterproposal, 9),
    # + party links (with their party), place links (with their place), citations, figures,
    # figures' citations
    "events": (Event, factories.event, 8),
    # + place links, belligerents (with party and side), citations, figures, figures' citations
    "engagements": (Engagement, factories.engagement, 8),
    # + citations, and one per kind of subject on the page (see test below)
    "figures": (Figure, lambda: factories.figure(Engagement.objects.get(slug="battle-of-tsushima")), None),
    # + parties, places, citations, judged-record rows, and one per kind of judged record on
    # the page (see test below)
    "claims": (Claim, factories.claim, None),
    # + parties, citations, statements, statements' citations, terms, articles
    "treaties": (Treaty, factories.treaty, 7),
    # + party roles (with their party), place links, transfers, settled requests, settled
    # counterproposals, article links (with their article), figures, figures' citations, citations
    "terms": (TreatyTerm, factories.term, 10),
    # (rows with their treaty) + party roles (with their party), place links (with their place),
    # term links (with their term), citations
    "treaty-articles": (TreatyArticle, factories.article, 5),
}


def count_queries(client, url):
    # Each read as the first of its list in this state of the data: the ones after it take the
    # list's count kept for it (api.pagination.counted).
    pagination._counts.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK, response.content
    statements = [q["sql"] for q in queries.captured_queries]
    # A read only reads: no write, no transaction (the rate limiter counts outside the database).
    assert [sql for sql in statements if not sql.startswith("SELECT")] == []
    # Besides the view's queries, one read of the data version (for Last-Modified).
    view = [sql for sql in statements if "api_dataversion" not in sql]
    assert len(statements) - len(view) == 1
    return len(view), response.json()


# A list read of stored renderings: COUNT(*) (the first read of a list in a state of the data),
# the page's keys, their renderings.
STORED_LIST = 3
# A detail read of a stored rendering: the record's key, its rendering.
STORED_DETAIL = 2


@pytest.fixture(params=["stored", "rendered here"])
def stored(request):
    """Whether the read finds every rendering stored (as writes leave them) or none at all."""
    return request.param == "stored"


def prepare(stored: bool, model) -> None:
    # Writes made inside a test's transaction never commit, so never render: do it here.
    if stored:
        renderings.store([(model, pk) for pk in model.objects.values_list("pk", flat=True)])
    else:
        Rendering.objects.all().delete()


@pytest.mark.parametrize("resource", [name for name, spec in LISTS.items() if spec[2] is not None])
def test_list_queries_do_not_grow_with_rows(client, resource, stored):
    model, factory, rendering = LISTS[resource]
    factories.fill(factory, model, 50)
    prepare(stored, model)
    # Factory records first ("Event 12" sorts before the real names), so that even the
    # one-row page holds a record with every relation.
    ordering = "-number" if hasattr(model, "number") else "name"
    one, page_one = count_queries(client, f"/api/v1/{resource}/?page_size=1&ordering={ordering}")
    fifty, page_fifty = count_queries(client, f"/api/v1/{resource}/?page_size=50&ordering={ordering}")
    assert len(page_one["results"]) == 1
    assert len(page_fifty["results"]) == 50
    pinned = STORED_LIST if stored else STORED_LIST + rendering
    assert (one, fifty) == (pinned, pinned)


def test_figure_list_queries_grow_only_with_kinds_of_subject(client, stored):
    # Rendering: rows + citations + one query per kind of subject record on the page
    # (a generic relation is prefetched per content type); all of these are about one engagement.
    JudgedRecord.objects.filter(content_type__model="figure").delete()  # a claim judges one
    Figure.objects.all().delete()
    factories.fill(lambda: factories.figure(Engagement.objects.get(slug="battle-of-tsushima")), Figure, 50)
    prepare(stored, Figure)
    one, _ = count_queries(client, "/api/v1/figures/?page_size=1")
    fifty, _ = count_queries(client, "/api/v1/figures/?page_size=50")
    pinned = STORED_LIST if stored else STORED_LIST + 3
    assert (one, fifty) == (pinned, pinned)


def test_claim_list_queries_grow_only_with_kinds_of_judged_record(client, stored):
    # Rendering: rows + parties, places, citations, judged-record rows + one query per kind of
    # record judged on the page (a generic key is prefetched per content type); here every
    # claim judges one engagement, then a figure besides.
    JudgedRecord.objects.all().delete()
    factories.fill(factories.claim, Claim, 50)
    prepare(stored, Claim)
    one, _ = count_queries(client, "/api/v1/claims/?page_size=1")
    fifty, page = count_queries(client, "/api/v1/claims/?page_size=50")
    assert len(page["results"]) == 50
    assert {judged["type"] for claim in page["results"] for judged in claim["judges"]} == {"engagement"}
    pinned = STORED_LIST if stored else STORED_LIST + 5 + 1
    assert (one, fifty) == (pinned, pinned)

    figure = Figure.objects.get(slug="tsushima-japanese-losses")
    for claim in Claim.objects.all():
        claim.judges.create(record=figure)
    prepare(stored, Claim)
    one, _ = count_queries(client, "/api/v1/claims/?page_size=1")
    fifty, _ = count_queries(client, "/api/v1/claims/?page_size=50")
    pinned = STORED_LIST if stored else STORED_LIST + 5 + 2
    assert (one, fifty) == (pinned, pinned)


def test_citation_list_queries_grow_only_with_kinds_of_record(client, stored):
    # Rendering: rows (with source) + one query per kind of record on the page; the filter
    # keeps every row a place.
    factories.fill(factories.place, Place, 50)
    prepare(stored, Citation)
    one, _ = count_queries(client, "/api/v1/citations/?record_type=place&page_size=1")
    fifty, page = count_queries(client, "/api/v1/citations/?record_type=place&page_size=50")
    assert len(page["results"]) == 50
    pinned = STORED_LIST if stored else STORED_LIST + 2
    assert (one, fifty) == (pinned, pinned)


# Rendering a detail: the row (with its select_related) + one query per prefetch.
DETAILS = {
    # Every record others' statements are about: + statements (with source and party), their
    # citations.
    "/api/v1/parties/japan/": 4,  # party + part_of + territory, citations
    "/api/v1/places/mukden/": 4,  # place + part_of, citations
    # negotiation, citations, figures, figures' citations, proposals (with party),
    # their responses (with counterproposal), the terms settling them, counterproposals, events
    "/api/v1/negotiations/japan-russia-negotiations-1903-1904/": 11,
    "/api/v1/proposals/request-1/": 7,  # proposal, citations, responses, place links, settled by
    # row, citations, figures, their citations, responses, place links, settled by
    "/api/v1/counterproposals/counterproposal-3/": 9,
    "/api/v1/events/no-reply/": 8,  # row, parties, places, citations, figures, their citations
    "/api/v1/engagements/battle-of-tsushima/": 8,  # row, places, belligerents, citations, figures, theirs
    "/api/v1/figures/mukden-russian-casualties/": 3,  # row, subject, citations
    "/api/v1/statements/mukden-dates-tyler/": 3,  # row + source + party, subject, citations
    # row, parties, places, citations, judged-record rows, the engagement it judges
    "/api/v1/claims/mukden-was-decisive/": 6,
    # treaty, parties, citations, terms, their party roles, place links, transfers, settled
    # requests, settled counterproposals, article links, figures, figures' citations, terms'
    # citations, articles, statements, statements' citations
    "/api/v1/treaties/portsmouth-treaty/": 16,
    # row, roles, place links, transfers, settled requests and counterproposals, article links,
    # figures, theirs, citations
    "/api/v1/terms/portsmouth-treaty-term-5/": 10,
    # row (with its treaty), party roles, place links, term links, citations
    "/api/v1/treaty-articles/portsmouth-treaty-article-vi/": 5,
    "/api/v1/sources/japan-russia-1903-1905/": 1,
}


@pytest.mark.parametrize("url", DETAILS)
def test_detail_queries_are_pinned(client, url, stored):
    resource = url.split("/")[3]
    prepare(stored, LISTS[resource][0] if resource in LISTS else Source)
    queries, _ = count_queries(client, url)
    assert queries == (STORED_DETAIL if stored else STORED_DETAIL + DETAILS[url])


def test_citation_detail_queries_are_pinned(client, stored):
    prepare(stored, Citation)
    citation = Citation.objects.first()
    queries, body = count_queries(client, f"/api/v1/citations/{citation.uuid}/")
    assert body["record"]["slug"]
    # Rendering: the citation with its source and content type, its record.
    assert queries == (STORED_DETAIL if stored else STORED_DETAIL + 2)


@pytest.mark.parametrize(
    ("query", "kinds"),
    [("", len(dated_models())), ("?start=1904&end=1905-06", len(dated_models())), ("?type=engagement", 1)],
)
def test_timeline_queries_are_one_per_dated_kind_and_a_count_where_it_runs_past_the_page(
    client, query, kinds
):
    # One SELECT of each dated kind's (slug, name, date, precision, sequence) the query selects,
    # dated or not (a range selects dated ones: the engagements are dated here for it), cut at
    # the page's end in SQL; a kind with more rows than that is counted too.
    factories.fill(factories.engagement, Engagement, 50)
    Engagement.objects.filter(date__isnull=True).update(
        date=datetime.date(1905, 3, 1),
        date_precision="day",
        date_calendar="gregorian",
        date_basis="reading",
        date_rationale="A test's.",
        # Below save(), which would set it: the chosen date is the record's own.
        chosen_date=datetime.date(1905, 3, 1),
        chosen_date_precision="day",
    )
    separator = "&" if query else "?"
    one, page_one = count_queries(client, f"/api/v1/timeline/{query}{separator}page_size=1")
    two, page_two = count_queries(client, f"/api/v1/timeline/{query}{separator}page_size=40&page=2")
    hundred, page_hundred = count_queries(client, f"/api/v1/timeline/{query}{separator}page_size=100")
    assert len(page_one["results"]) == 1
    assert len(page_two["results"]) == min(page_two["count"] - 40, 40) > 0
    assert len(page_hundred["results"]) == page_hundred["count"] <= 100
    if query:
        # A selection is counted in the statement that reads it (COUNT(*) OVER ()).
        assert one == two == hundred == kinds
    else:
        # A kind's whole list, compiled once, is counted apart when it runs past the page (the
        # engagements here, and more on a one-record page); none runs past a page of them all.
        assert kinds < one <= 2 * kinds
        assert two == hundred == kinds


def test_search_queries_are_fixed(client):
    factories.fill(factories.place, Place, 50)
    view = resolve("/api/v1/search/").func
    kinds = len(list(SearchView(**view.view_initkwargs).searched()))
    assert kinds > 1
    if connection.vendor != "postgresql":
        # One SELECT of each searched kind's rows that match; a hit's summary needs nothing more.
        one, _ = count_queries(client, "/api/v1/search/?q=a&page_size=1")
        fifty, page = count_queries(client, "/api/v1/search/?q=a&page_size=50")
        assert len(page["results"]) == 50
        assert one == fifty == kinds
        return
    # The page's (kind, id, rank) and the count of every hit in one statement, then one SELECT
    # of each kind on the page, its records with their snippets.
    one, _ = count_queries(client, "/api/v1/search/?q=place+or+russia+or+japan&page_size=1")
    fifty, page = count_queries(client, "/api/v1/search/?q=place+or+russia+or+japan&page_size=50")
    assert len(page["results"]) == 50
    on_page = {hit["type"] for hit in page["results"]}
    assert len(on_page) > 1
    assert (one, fifty) == (1 + 1, 1 + len(on_page))
    # A page past the end finds no hit to count in its statement: it counts them apart, a 404.
    with CaptureQueriesContext(connection) as queries:
        past = client.get("/api/v1/search/?q=place+or+russia+or+japan&page=1000")
    assert past.status_code == HTTPStatus.NOT_FOUND
    assert [q["sql"].split()[:3] for q in queries.captured_queries] == [
        ["SELECT", "kind,", "id,"],
        ["SELECT", "COUNT(*)", "FROM"],
    ]


def test_meta_queries_are_fixed(client):
    from config.urls import router
    from explore import views

    views._counts.clear()  # counted by another test of this version of the data
    # The named releases; and, once a version of the data in a process, a COUNT(*) of each list.
    first, _ = count_queries(client, "/api/v1/meta/")
    again, body = count_queries(client, "/api/v1/meta/")
    assert len(body["counts"]) == len(router.registry)
    assert (first, again) == (1 + len(router.registry), 1)


def test_dump_queries_are_two_a_chunk(client, monkeypatch):
    from api import streaming
    from config.urls import router
    from explore import dump

    renderings.store_all()
    monkeypatch.setattr(streaming, "CHUNK", 10_000)  # each list in one chunk
    monkeypatch.setattr(dump, "FIRST_CHUNK", 10_000)  # from the first (no few at first to weigh)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/dump/?format=ndjson")
        lines = b"".join(response.streaming_content).splitlines()
    statements = [q["sql"] for q in queries.captured_queries]
    assert [sql for sql in statements if not sql.startswith("SELECT")] == []
    # The data version and the named releases; then for each list its chunk's keys and their
    # stored renderings (none for a list with no record).
    empty = sum(1 for _, viewset, _ in router.registry if not viewset.queryset.model.objects.exists())
    assert len(statements) == 2 + 2 * len(router.registry) - empty
    records = sum(viewset.queryset.model.objects.count() for _, viewset, _ in router.registry)
    assert len(lines) == 1 + records
