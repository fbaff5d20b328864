"""Every list as CSV: the whole selection, a row a record, flattened as api.tables says."""

import csv
import gzip
import io
import json
from http import HTTPStatus

import pytest

from api import streaming
from config.urls import router

pytestmark = pytest.mark.django_db

LISTS = [prefix for prefix, _viewset, _basename in router.registry]


def table(response) -> list[dict]:
    assert response.status_code == HTTPStatus.OK, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text, newline="")))


def every_record(client, url) -> list[dict]:
    """Every record of a list in JSON, following its pages."""
    records = []
    while url:
        page = client.get(url).json()
        records += page["results"]
        url = page["next"]
    return records


@pytest.mark.parametrize("prefix", LISTS)
def test_each_list_as_csv_is_every_record_with_every_field(client, prefix):
    records = every_record(client, f"/api/v1/{prefix}/?page_size=100")
    rows = table(client.get(f"/api/v1/{prefix}/?format=csv"))
    assert len(rows) == len(records)
    assert rows
    assert list(rows[0]) == list(records[0])  # the list's fields, in its order
    for row, record in zip(rows, records, strict=True):
        assert row["url"] == record["url"]  # in the list's own order


def test_accept_text_csv_is_the_same_as_format_csv(client):
    by_format = b"".join(client.get("/api/v1/events/?format=csv").streaming_content)
    by_accept = b"".join(client.get("/api/v1/events/", HTTP_ACCEPT="text/csv").streaming_content)
    assert by_format == by_accept


def test_links_are_slugs_and_nested_values_are_json(client):
    record = client.get("/api/v1/events/negotiations-opened/").json()
    [row] = [r for r in table(client.get("/api/v1/events/?format=csv")) if r["slug"] == record["slug"]]
    assert row["negotiation"] == record["negotiation"]["slug"]
    # A list of links: their keys, a space between; the citations' are their ids.
    assert row["citations"].split(" ") == [citation["id"] for citation in record["citations"]]
    assert row["statements"].split(" ") == [statement["slug"] for statement in record["statements"]]
    # What is not a link is its JSON.
    assert json.loads(row["chosen_date"]) == record["chosen_date"]
    assert json.loads(row["parties"]) == record["parties"]  # each party with its role
    assert row["places"] == ""  # no place: an empty list
    assert row["date"] == "1903-08"
    engagement = next(r for r in table(client.get("/api/v1/engagements/?format=csv")) if r["date"] == "")
    assert engagement["date_precision"] == ""  # null is an empty cell


def test_a_citation_row_holds_its_quote_and_offsets(client):
    rows = table(client.get("/api/v1/citations/?format=csv"))
    cited = next(row for row in rows if row["quote"])
    record = client.get(cited["url"]).json()
    assert (cited["quote"], int(cited["start"]), int(cited["end"])) == (
        record["quote"],
        record["start"],
        record["end"],
    )
    assert cited["source"] == record["source"]["slug"]


def test_booleans_are_true_and_false(client):
    records = every_record(client, "/api/v1/claims/?page_size=100")
    rows = table(client.get("/api/v1/claims/?format=csv"))
    assert [row["is_interpretation"] for row in rows] == [
        "true" if record["is_interpretation"] else "false" for record in records
    ]


def test_filters_search_and_ordering_apply(client):
    url = "/api/v1/engagements/?ordering=-number&search=battle"
    records = every_record(client, url)
    rows = table(client.get(url + "&format=csv"))
    assert [row["slug"] for row in rows] == [record["slug"] for record in records]
    assert 0 < len(rows) < len(table(client.get("/api/v1/engagements/?format=csv")))


def test_a_page_asked_for_is_that_page_with_links_to_the_next(client):
    page = client.get("/api/v1/events/?page_size=3&page=2").json()
    response = client.get("/api/v1/events/?page_size=3&page=2&format=csv")
    assert [row["slug"] for row in table(response)] == [record["slug"] for record in page["results"]]
    links = dict(
        (rel.split('"')[1], url.strip(" <>"))
        for url, rel in (link.split(";") for link in response["Link"].split(","))
    )
    assert set(links) == {"next", "prev"}
    following = client.get(page["next"]).json()["results"]
    assert [row["slug"] for row in table(client.get(links["next"]))] == [r["slug"] for r in following]


def test_a_record_is_not_csv(client):
    response = client.get("/api/v1/events/negotiations-opened/?format=csv")
    assert response.status_code == HTTPStatus.NOT_ACCEPTABLE
    assert response["Content-Type"] == "application/problem+json"


def test_csv_is_read_in_chunks_and_still_whole(client, monkeypatch):
    whole = b"".join(client.get("/api/v1/citations/?format=csv").streaming_content)
    monkeypatch.setattr(streaming, "CHUNK", 3)
    monkeypatch.setattr(streaming, "FLUSH_BYTES", 1)
    pieces = list(client.get("/api/v1/citations/?format=csv").streaming_content)
    assert b"".join(pieces) == whole
    assert len(pieces) > whole.count(b"\r\n") / 3


def test_csv_is_compressed_and_conditional(client):
    plain = client.get("/api/v1/places/?format=csv")
    packed = client.get("/api/v1/places/?format=csv", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(packed.streaming_content)) == b"".join(plain.streaming_content)
    again = client.get("/api/v1/places/?format=csv", HTTP_IF_NONE_MATCH=plain["ETag"])
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert plain["ETag"] != client.get("/api/v1/parties/?format=csv")["ETag"]


@pytest.mark.parametrize(
    "url", ["/api/v1/timeline/?page_size=5&page=2", "/api/v1/search/?q=Korea&page_size=5"]
)
def test_the_timeline_and_search_answer_a_page_as_csv(client, url):
    """Merged from every kind a page at a time, they answer the page asked for, with its links."""
    page = client.get(url).json()
    response = client.get(f"{url}&format=csv")
    rows = table(response)
    assert [row["url"] for row in rows] == [entry["url"] for entry in page["results"]]
    assert [row["type"] for row in rows] == [entry["type"] for entry in page["results"]]
    assert f"<{page['next']}" in response["Link"].replace("&format=csv", "").replace("format=csv&", "")
    assert client.get(url, HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")


def test_a_streamed_answer_is_tagged_for_its_query(client):
    korea = client.get("/api/v1/search/?q=Korea&format=csv")
    again = client.get("/api/v1/search/?q=Korea&format=csv", HTTP_IF_NONE_MATCH=korea["ETag"])
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    # Another query is another answer: the first one's ETag does not stand for it.
    other = client.get("/api/v1/search/?q=Mukden&format=csv", HTTP_IF_NONE_MATCH=korea["ETag"])
    assert other.status_code == HTTPStatus.OK
    assert other["ETag"] != korea["ETag"]
    assert (
        client.get("/api/v1/places/?kind=city&format=csv")["ETag"]
        != client.get("/api/v1/places/?format=csv")["ETag"]
    )
