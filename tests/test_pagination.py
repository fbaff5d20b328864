"""Pages: numbered where numbers stay cheap, by cursor past them, the same records in the same
order either way, with a count that says when it is an estimate."""

import base64
import json
import urllib.parse
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import pagination
from events.models import Event
from sources.models import Citation

pytestmark = pytest.mark.django_db


def walk(client, url, params=None):
    """Every page of a list, following `next` from the first: (slugs in order, pages)."""
    pages = []
    answer = client.get(url, params).json()
    pages.append(answer)
    while answer["next"]:
        answer = client.get(answer["next"]).json()
        pages.append(answer)
    return [record.get("slug") or record["id"] for page in pages for record in page["results"]], pages


def walk_back(client, page):
    seen = []
    while page["previous"]:
        page = client.get(page["previous"]).json()
        seen = [record.get("slug") or record["id"] for record in page["results"]] + seen
    return seen


@pytest.fixture
def short_reach(monkeypatch):
    """Page numbers reach 4 records only: the lists of the dataset go past them."""
    monkeypatch.setattr(pagination, "PAGE_NUMBERS_REACH", 4)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        # Read without filters: the cursor's statements are compiled once (pagination.Keyset).
        ("/api/v1/events/", {}),  # by date (nulls last), then slug
        ("/api/v1/places/", {}),
        ("/api/v1/parties/", {}),
        ("/api/v1/events/", {"ordering": "-date"}),
        ("/api/v1/engagements/", {"ordering": "sequence"}),  # five share one sequence
        ("/api/v1/parties/", {"ordering": "-kind"}),  # ties in the list's own order
        ("/api/v1/places/", {"ordering": "kind,-sequence"}),  # a nullable kind
        ("/api/v1/citations/", {"ordering": "-end", "record_type": "place"}),
        ("/api/v1/figures/", {"party": "russia"}),  # filtered
    ],
)
def test_cursors_walk_the_records_numbered_pages_show_in_the_same_order(client, short_reach, url, params):
    page_size = {"page_size": 2}
    numbered = []
    for number in (1, 2):  # what page numbers reach
        numbered += [
            r.get("slug") or r["id"]
            for r in client.get(url, params | page_size | {"page": number}).json()["results"]
        ]
    everything = client.get(url, params | {"page_size": 100}).json()
    expected = [r.get("slug") or r["id"] for r in everything["results"]]
    assert everything["count"] == len(expected) > 4
    assert numbered == expected[:4]
    walked, pages = walk(client, url, params | page_size)
    assert walked == expected
    assert "page=2" in pages[0]["next"]
    assert "cursor=" not in pages[0]["next"]
    assert "cursor=" in pages[1]["next"]
    assert "page=" not in pages[1]["next"]
    assert all(page["count"] == len(expected) and page["count_estimated"] is False for page in pages)
    # And back again from the last page, by cursors, to the first.
    assert walk_back(client, pages[-1]) == expected[: len(expected) - len(pages[-1]["results"])]


def test_page_numbers_stop_where_they_stop_being_cheap(client, short_reach):
    assert client.get("/api/v1/citations/", {"page": 2, "page_size": 2}).status_code == HTTPStatus.OK
    refused = client.get("/api/v1/citations/", {"page": 3, "page_size": 2})
    assert refused.status_code == HTTPStatus.NOT_FOUND
    assert "follow the `next` links" in refused.json()["detail"]


def test_page_numbers_count_on_from_a_cursor(client, short_reach):
    expected = [r["slug"] for r in client.get("/api/v1/events/", {"page_size": 100}).json()["results"]]
    cursor = pagination.encode_cursor(Event.objects.get(slug=expected[1]).pk, backwards=False)
    second = client.get("/api/v1/events/", {"cursor": cursor, "page": 2, "page_size": 2}).json()
    assert [r["slug"] for r in second["results"]] == expected[4:6]
    after = client.get(second["next"]).json()
    assert [r["slug"] for r in after["results"]] == expected[6:8]
    before = client.get(second["previous"]).json()
    assert [r["slug"] for r in before["results"]] == expected[2:4]
    far = client.get("/api/v1/events/", {"cursor": cursor, "page": 3, "page_size": 2})
    assert far.status_code == HTTPStatus.NOT_FOUND


def test_a_cursor_is_checked(client):
    for malformed in ("nonsense!", "a" * (pagination.CURSOR_MAX_LENGTH + 1)):
        answer = client.get("/api/v1/events/", {"cursor": malformed})
        assert answer.status_code == HTTPStatus.BAD_REQUEST, malformed
        assert "cursor" in answer.json()["errors"]
    # Of a cursor's form, but not one this API gave, or whose record is gone: no such page.
    terms = pagination.ordering_terms(Event.objects.order_by("chosen_date", "slug"))
    forged = [
        ["a", 1, pagination.columns_of(terms), "1904-02-31", "x"],  # no such day
        ["a", 1, pagination.columns_of(terms), None, None],  # an event has a slug
        ["a", 1, pagination.columns_of(terms), ["1904-02-08"], "x"],  # not a value
        ["c", 1, pagination.columns_of(terms), None, "x"],
        ["a", -1, pagination.columns_of(terms), None, "x"],
        ["a", 2**64, pagination.columns_of(terms), None, "x"],
        {"a": 1},
    ]
    for unknown in ("YXg", "0", pagination.encode_cursor(10**9, False), "Wz", *map(encoded, forged)):
        answer = client.get("/api/v1/events/", {"cursor": unknown})
        assert answer.status_code == HTTPStatus.NOT_FOUND, unknown
        assert answer.json()["detail"].startswith("cursor: ")


def encoded(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_a_cursor_leads_on_from_its_place_when_its_record_is_gone(client, short_reach):
    # A cursor carries its record's place in the list's order: the next page is read from
    # there, in one query, even once the record has been deleted.
    url = "/api/v1/citations/"
    expected, _pages = walk(client, url, {"page_size": 2})
    second = client.get(url, {"page_size": 2, "page": 2}).json()
    third = client.get(second["next"]).json()
    assert [r["id"] for r in third["results"]] == expected[4:6]
    Citation.objects.filter(uuid__in=[expected[3], expected[5]]).delete()
    after_second = client.get(second["next"]).json()["results"]
    assert [r["id"] for r in after_second] == [expected[4], expected[6]]
    fourth = client.get(third["next"]).json()
    assert [r["id"] for r in fourth["results"]] == expected[6:8]
    back = client.get(fourth["previous"]).json()
    assert [r["id"] for r in back["results"]] == [expected[2], expected[4]]
    # In an order of other columns, the cursor's place is its record's: found by its key.
    by_end = {"ordering": "-end", "page_size": 3}
    ends, _pages = walk(client, url, by_end)
    after = client.get(url, by_end | {"cursor": query_of(fourth["next"])["cursor"]}).json()
    assert [r["id"] for r in after["results"]] == ends[ends.index(expected[7]) + 1 :][:3]
    gone = client.get(url, by_end | {"cursor": query_of(third["next"])["cursor"]})
    assert gone.status_code == HTTPStatus.NOT_FOUND  # that record is the one deleted


def query_of(url: str) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_a_history_pages_by_cursor_too(client, short_reach, make_user, api_as):
    editor = api_as(make_user("editor", "change_place"))
    for name in ("A", "B", "C", "D", "E"):
        response = editor.patch("/api/v1/places/mukden/", {"modern_name": name}, format="json")
        assert response.status_code == HTTPStatus.OK
    url = "/api/v1/places/mukden/history/"
    expected = [v["version"] for v in client.get(url, {"page_size": 100}).json()["results"]]
    pages = [client.get(url, {"page_size": 2}).json()]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())
    assert [v["version"] for page in pages for v in page["results"]] == expected
    assert len(expected) >= 6


def test_a_count_past_the_exact_bound_is_estimated_on_postgresql(client, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_COUNT_UP_TO", 10)  # the dataset holds more citations
    monkeypatch.setattr(pagination, "_counts", {})  # counts kept under the bound of before
    total = Citation.objects.count()
    answer = client.get("/api/v1/citations/").json()
    filtered = client.get("/api/v1/citations/", {"ordering": "-start"}).json()
    small = client.get("/api/v1/engagements/").json()
    assert small == small | {"count": 5, "count_estimated": False}
    if connection.vendor == "postgresql":
        assert answer["count_estimated"] is filtered["count_estimated"] is True
        assert answer["count"] > 10
        assert filtered["count"] > 10
    else:  # SQLite counts every row
        assert (answer["count"], answer["count_estimated"]) == (total, False)
        assert (filtered["count"], filtered["count_estimated"]) == (total, False)


def test_a_list_counted_once_for_a_state_of_the_data_counts_every_write(client, make_user, api_as):
    # An unfiltered list's count is kept for the data's version: every write changes it.
    before = client.get("/api/v1/citations/").json()["count"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/citations/", {"page": 2}).json()["count"] == before
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]  # kept, not read again
    Citation.objects.first().delete()
    assert client.get("/api/v1/citations/").json()["count"] == before - 1
    editor = api_as(make_user("editor", "add_place"))
    places = client.get("/api/v1/places/").json()["count"]
    made = editor.post("/api/v1/places/", {"slug": "nowhere", "name": "Nowhere"}, format="json")
    assert made.status_code == HTTPStatus.CREATED, made.content
    assert client.get("/api/v1/places/").json()["count"] == places + 1
