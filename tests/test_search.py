"""/search/: full-text search on PostgreSQL (ranked, phrases, word forms, citations' quotes,
through the GIN indexes), the plain fallback on SQLite, and what both answer alike."""

from http import HTTPStatus

import pytest
from django.db import connection, transaction
from django.urls import resolve

from events.models import Event, Negotiation
from explore import search
from explore.views import SearchView
from tests import factories

pytestmark = pytest.mark.django_db


def postgres(test):
    """A test of PostgreSQL's full-text search, skipped on SQLite."""
    skip = pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
    return pytest.mark.postgres(skip(test))


def event(slug: str, description: str, quote: tuple[int, int] | None = None) -> Event:
    made = Event.objects.create(
        slug=slug,
        name=slug.title(),
        kind="hostilities",
        negotiation=Negotiation.objects.first(),
        description=description,
    )
    return factories.cite(made, *quote) if quote else factories.cite(made)


def hits(client, q: str, **query) -> list[dict]:
    response = client.get("/api/v1/search/", {"q": q, "page_size": 100, **query})
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()["results"]


def test_records_where_a_word_occurs_more_often_rank_first(client):
    event("once", "The zemblan army.")
    event("thrice", "The zemblan army met a zemblan fleet by the zemblan river.")
    found = hits(client, "zemblan")
    assert [hit["slug"] for hit in found] == ["thrice", "once"]
    assert found[0]["rank"] > found[1]["rank"]


def test_a_hit_keeps_its_fields_and_gains_rank_and_a_marked_snippet(client):
    event("harbour", "Ships came to the zemblan harbour at dawn.")
    (hit,) = hits(client, "zemblan")
    assert list(hit) == ["type", "slug", "name", "url", "summary", "rank", "snippet"]
    assert hit["summary"] == "Ships came to the zemblan harbour at dawn."
    assert "<mark>zemblan</mark> harbour" in hit["snippet"]


def test_a_snippet_is_escaped_html_but_its_marks(client):
    event("markup", "A zemblan <script>alert(1)</script> note & more.")
    (hit,) = hits(client, "zemblan")
    assert "<script>" not in hit["snippet"]
    assert "<mark>zemblan</mark>" in hit["snippet"]


@pytest.mark.parametrize("q", [None, "", "x" * 201, "port\x00arthur"])
def test_bad_input_is_still_400_naming_q(client, q):
    response = client.get("/api/v1/search/", {} if q is None else {"q": q})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "q" in response.json()["errors"]


def test_pages_follow_the_rank(client):
    for number in range(1, 6):
        event(f"e{number}", " ".join(["zemblan"] * number))
    first = client.get("/api/v1/search/", {"q": "zemblan", "page_size": 2}).json()
    second = client.get("/api/v1/search/", {"q": "zemblan", "page_size": 2, "page": 2}).json()
    assert first["count"] == second["count"] == 5
    assert [hit["slug"] for hit in first["results"] + second["results"]] == ["e5", "e4", "e3", "e2"]


@postgres
def test_a_phrase_finds_its_words_in_order_and_words_alone_anywhere(client):
    event("in-order", "The zemblan harbour froze.")
    event("apart", "The harbour of the zemblan coast froze.")
    assert {hit["slug"] for hit in hits(client, "zemblan harbour")} == {"in-order", "apart"}
    assert [hit["slug"] for hit in hits(client, '"zemblan harbour"')] == ["in-order"]
    assert [hit["slug"] for hit in hits(client, "zemblan -coast")] == ["in-order"]


@postgres
def test_a_word_finds_its_other_forms(client):
    event("forms", "Two zemblan harbours froze.")
    assert [hit["slug"] for hit in hits(client, "zemblan harbour")] == ["forms"]


@postgres
def test_a_citations_quote_finds_its_record_with_the_quote_as_snippet(client, text):
    start = text.index("The essentials of Japan")
    event("quoted", "Nothing of it here.", (start, start + len("The essentials of Japan")))
    found = {hit["slug"]: hit for hit in hits(client, "essentials")}
    assert "<mark>essentials</mark>" in found["quoted"]["snippet"]
    assert found["quoted"]["summary"] == "Quoted"


@postgres
def test_words_too_common_to_mean_anything_find_nothing(client):
    assert hits(client, "the") == []


def searched_kinds() -> list[search.Kind]:
    view = resolve("/api/v1/search/").func
    viewsets = SearchView(**view.view_initkwargs).searched()
    return [search.Kind(n, v.queryset.model, tuple(v.search_fields)) for n, v in enumerate(viewsets)]


def searched_texts() -> list[tuple[str, str]]:
    """(table, the search's expression of its text) of every searched kind, and the quotes'."""
    texts = [(kind.table, search.vector(kind.columns, kind.table)) for kind in searched_kinds()]
    return [*texts, ("sources_citation", search.vector(["quote"], "sources_citation"))]


@postgres
def test_every_searched_text_is_read_through_its_gin_index():
    # The planner reads a table this small whole unless told not to; what counts is that it
    # can use the index on the stored vector the search reads.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for table, _expression in searched_texts():
            cursor.execute(
                f'EXPLAIN SELECT 1 FROM "{table}" WHERE '
                f"{search.stored(table)} @@ websearch_to_tsquery('english', 'army')"
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"api_search_{table}" in plan, plan


@postgres
def test_every_stored_vector_is_its_rows_searched_text_as_the_list_searches_it(client):
    # The stored column (api/migrations/0007_search_vectors.py) is PostgreSQL's to keep; its
    # expression must join the columns the list's `search_fields` name, in their order.
    event("stored-vector", "A description the vector must hold.")
    Event.objects.filter(slug="stored-vector").update(note="Quokkas, written in after.")
    with connection.cursor() as cursor:
        for table, expression in searched_texts():
            cursor.execute(
                f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {search.stored(table)} IS DISTINCT FROM "
                f'{expression}) FROM "{table}"'
            )
            rows, differing = cursor.fetchone()
            assert (rows > 0, differing) == (True, 0), table
    assert [h["slug"] for h in hits(client, "quokkas")] == ["stored-vector"]
