"""Strong ETags: 304 for an unchanged record, 412 for a stale write, and no lost update."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user, api_as):
    return api_as(make_user("etag-editor", superuser=True))


def test_a_detail_carries_a_strong_etag_and_answers_304_when_unchanged(client):
    first = client.get("/api/v1/places/mukden/")
    etag = first["ETag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    again = client.get("/api/v1/places/mukden/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    assert client.get("/api/v1/places/mukden/", HTTP_IF_NONE_MATCH='"other"').status_code == HTTPStatus.OK


def test_the_etag_changes_with_every_change(client, editor):
    before = client.get("/api/v1/places/mukden/")["ETag"]
    response = editor.patch("/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json")
    assert response["ETag"] != before
    assert client.get("/api/v1/places/mukden/")["ETag"] == response["ETag"]


def test_a_stale_if_match_is_412_and_changes_nothing(client, editor):
    stale = client.get("/api/v1/places/mukden/")["ETag"]
    editor.patch("/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json")
    for method in ("patch", "put", "delete"):
        body = {"slug": "mukden", "name": "Mukden", "modern_name": "Fengtian"} if method != "delete" else None
        response = getattr(editor, method)("/api/v1/places/mukden/", body, format="json", HTTP_IF_MATCH=stale)
        assert response.status_code == HTTPStatus.PRECONDITION_FAILED, method
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 412
    assert Place.objects.get(slug="mukden").modern_name == "Shenyang"


def test_a_current_if_match_writes(client, editor):
    current = client.get("/api/v1/places/mukden/")["ETag"]
    response = editor.patch(
        "/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json", HTTP_IF_MATCH=current
    )
    assert response.status_code == HTTPStatus.OK


def race(editor, url, etag, values):
    """Two writers holding the same ETag write at once; returns their status codes."""
    barrier = threading.Barrier(len(values))
    statuses = []

    def writer(value):
        try:
            barrier.wait()
            response = editor.patch(url, {"modern_name": value}, format="json", HTTP_IF_MATCH=etag)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(value,)) for value in values]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_of_two_concurrent_writers_with_one_etag_exactly_one_wins(live_db, make_user, api_as, client):
    editor = api_as(make_user("racer", superuser=True))
    url = "/api/v1/places/mukden/"
    for round_ in range(5):
        etag = client.get(url)["ETag"]
        values = [f"writer-a-{round_}", f"writer-b-{round_}"]
        assert race(editor, url, etag, values) == [HTTPStatus.OK, HTTPStatus.PRECONDITION_FAILED]
        assert Place.objects.get(slug="mukden").modern_name in values


def test_preconditions_are_evaluated_in_the_order_rfc_9110_gives(client, editor):
    current = client.get("/api/v1/places/mukden/")["ETag"]
    # If-Match is evaluated first, on reads as well: a stale one fails even with a matching
    # If-None-Match, and the answer is the one problem shape.
    failed = client.get("/api/v1/places/mukden/", HTTP_IF_MATCH='"stale"', HTTP_IF_NONE_MATCH=current)
    assert failed.status_code == HTTPStatus.PRECONDITION_FAILED
    assert failed["Content-Type"] == "application/problem+json"
    assert failed.json()["detail"].startswith("The record has changed")
    # A weak validator never matches If-Match, which compares strongly.
    weak = client.get("/api/v1/places/mukden/", HTTP_IF_MATCH=f"W/{current}")
    assert weak.status_code == HTTPStatus.PRECONDITION_FAILED
    # If-None-Match compares weakly, and on a read it is a 304 that carries the ETag.
    not_modified = client.get(
        "/api/v1/places/mukden/", HTTP_IF_MATCH=current, HTTP_IF_NONE_MATCH=f"W/{current}"
    )
    assert not_modified.status_code == HTTPStatus.NOT_MODIFIED
    assert not_modified["ETag"] == current
    # On a write, a matching If-None-Match (here "*": the record exists) is a 412.
    refused = editor.patch(
        "/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json", HTTP_IF_NONE_MATCH="*"
    )
    assert refused.status_code == HTTPStatus.PRECONDITION_FAILED
    assert Place.objects.get(slug="mukden").modern_name is None


def test_date_preconditions_are_ignored_for_records_without_a_modification_date(client, editor):
    long_ago = "Sat, 01 Jan 2000 00:00:00 GMT"
    assert client.get("/api/v1/places/mukden/", HTTP_IF_MODIFIED_SINCE=long_ago).status_code == HTTPStatus.OK
    response = editor.patch(
        "/api/v1/places/mukden/",
        {"modern_name": "Shenyang"},
        format="json",
        HTTP_IF_UNMODIFIED_SINCE=long_ago,
    )
    assert response.status_code == HTTPStatus.OK


def test_a_write_reads_and_locks_its_record_in_one_query(editor):
    with CaptureQueriesContext(connection) as queries:
        response = editor.patch("/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json")
    assert response.status_code == HTTPStatus.OK
    place_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "events_place"."id"')]
    # The read that takes the lock, and the fresh read of the answer; nothing in between.
    assert len(place_reads) == 2, place_reads
    if connection.vendor == "postgresql":
        assert place_reads[0].endswith('FOR UPDATE OF "events_place"')


@pytest.mark.parametrize(
    "header", ['"abc"', 'W/"abc"', '"x", "abc"', "*", '"abc-gzip"', 'W/"abc-gzip"', '"x"', "", "garbage"]
)
@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT"])
def test_if_none_match_alone_is_decided_as_djangos_own_function_decides_it(header, method):
    # api.conditional answers If-None-Match alone itself (every cached conditional read does);
    # with another header beside it, Django's get_conditional_response decides: both must agree.
    from types import SimpleNamespace

    from django.utils.cache import get_conditional_response

    from api.conditional import FAILED, NOT_MODIFIED, identity_etag, outcome

    meta = {"HTTP_IF_NONE_MATCH": header}
    rewritten = {"HTTP_IF_NONE_MATCH": ", ".join(identity_etag(t.strip()) for t in header.split(","))}
    django = get_conditional_response(SimpleNamespace(META=rewritten, method=method, path="/"), etag='"abc"')
    expected = None if django is None else NOT_MODIFIED if django.status_code == 304 else FAILED
    assert outcome(meta, method, "/", '"abc"') == expected
