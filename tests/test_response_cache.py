"""The cache of anonymous reads (api.response_cache) and the HTTP caching of every answer
(api.http_caching), through the WSGI application the server runs."""

import gzip
import json
import logging
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from werkzeug.test import Client

from api.throttling import counter
from config.wsgi import application
from tests.conftest import keeping_the_connection

pytestmark = pytest.mark.django_db

URL = "/api/v1/engagements/"
PER_REQUEST = {"X-Request-ID", "RateLimit-Remaining", "RateLimit-Reset"}


@pytest.fixture
def wsgi():
    application.answers.clear()
    counter().clear()
    yield Client(keeping_the_connection(application))
    application.answers.clear()


def read(wsgi, url=URL, **headers):
    """The answer and the SQL statements it took."""
    with CaptureQueriesContext(connection) as queries:
        response = wsgi.get(url, headers={"Accept": "application/json", **headers})
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_repeated_read_is_answered_from_the_cache_with_every_header(wsgi):
    first, first_queries = read(wsgi)
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logging.getLogger("requests").addHandler(handler)
    try:
        again, queries = read(wsgi, **{"X-Request-ID": "client-id-1"})
    finally:
        logging.getLogger("requests").removeHandler(handler)
    assert again.status_code == first.status_code == HTTPStatus.OK
    assert again.data == first.data
    assert len(first_queries) > 1
    # Only the data version is read; no view, serializer or rate-limit query runs.
    assert len(queries) == 1
    assert "api_dataversion" in queries[0]
    same = {k: v for k, v in first.headers.items() if k not in PER_REQUEST}
    assert {k: v for k, v in again.headers.items() if k not in PER_REQUEST} == same
    assert again.headers["X-Request-ID"] == "client-id-1"
    assert int(again.headers["RateLimit-Remaining"]) == int(first.headers["RateLimit-Remaining"]) - 1
    for name in ("Content-Security-Policy", "X-Frame-Options", "ETag", "Last-Modified", "Cache-Control"):
        assert again.headers[name], name
    assert again.headers["Cache-Control"].startswith("public, max-age=")
    (line,) = (json.loads(text) for text in lines)
    assert (line["request_id"], line["status"], line["path"]) == ("client-id-1", 200, URL)
    assert line["cached"] is True


def test_cors_headers_follow_the_origin_of_each_request(wsgi):
    read(wsgi)
    with_origin, _ = read(wsgi, Origin="https://example.org")
    assert with_origin.headers["Access-Control-Allow-Origin"] == "*"
    without, queries = read(wsgi)
    assert "Access-Control-Allow-Origin" not in without.headers
    assert len(queries) == 1


def test_a_write_is_on_the_very_next_read(wsgi, make_user, api_as):
    read(wsgi, "/api/v1/places/mukden/")
    before = read(wsgi, "/api/v1/places/mukden/")[0]
    editor = api_as(make_user("cache-editor", superuser=True))
    editor.patch("/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json")
    after = read(wsgi, "/api/v1/places/mukden/")[0]
    assert json.loads(after.data)["modern_name"] == "Shenyang"
    assert after.headers["ETag"] != before.headers["ETag"]


def test_editors_and_sessions_are_never_served_a_cached_answer(wsgi, make_user, client):
    editor = make_user("cached-editor", superuser=True)
    read(wsgi)
    read(wsgi)
    token = Token.objects.create(user=editor).key
    answer, queries = read(wsgi, Authorization=f"Token {token}")
    assert len(queries) > 1
    assert answer.headers["Cache-Control"] == "private, no-cache"
    client.force_login(editor)
    session = client.cookies["sessionid"].value
    _, queries = read(wsgi, Cookie=f"sessionid={session}")
    assert len(queries) > 1
    # An editor's answer is not kept for anyone else either.
    assert len(read(wsgi)[1]) == 1


def test_a_304_from_the_cache_does_not_count_against_the_rate_limit(wsgi, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    first, _ = read(wsgi)
    assert first.headers["RateLimit-Remaining"] == "2"
    for _ in range(5):
        not_modified, queries = read(wsgi, **{"If-None-Match": first.headers["ETag"]})
        assert not_modified.status_code == HTTPStatus.NOT_MODIFIED
        assert not_modified.data == b""
        assert not_modified.headers["ETag"] == first.headers["ETag"]
        assert len(queries) == 1
    assert read(wsgi)[0].headers["RateLimit-Remaining"] == "1"
    assert read(wsgi)[0].headers["RateLimit-Remaining"] == "0"
    limited, _ = read(wsgi)
    assert limited.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert limited.headers["Content-Type"] == "application/problem+json"


def test_lists_have_etags_and_304s_without_the_cache_too(client):
    first = client.get(URL)
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again["ETag"] == etag
    assert client.get(URL, HTTP_IF_NONE_MATCH='"other"').status_code == HTTPStatus.OK
    assert first["Last-Modified"].endswith("GMT")
    assert "Accept-Encoding" in first["Vary"]


def test_json_is_compressed_under_its_own_etag_and_either_etag_names_the_record(client, make_user, api_as):
    plain = client.get("/api/v1/places/mukden/")
    zipped = client.get("/api/v1/places/mukden/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()
    assert zipped["ETag"] == plain["ETag"][:-1] + '-gzip"'
    assert (
        client.get(
            "/api/v1/places/mukden/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"]
        ).status_code
        == HTTPStatus.NOT_MODIFIED
    )
    editor = api_as(make_user("gzip-editor", superuser=True))
    response = editor.patch(
        "/api/v1/places/mukden/", {"modern_name": "Shenyang"}, format="json", HTTP_IF_MATCH=zipped["ETag"]
    )
    assert response.status_code == HTTPStatus.OK
    tiny = client.get("/api/v1/schema/", {"format": "json"}, HTTP_ACCEPT_ENCODING="gzip")
    assert tiny["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/healthz", HTTP_ACCEPT_ENCODING="gzip")


def test_a_cached_answer_keeps_the_preconditions_django_keeps(wsgi):
    plain, _ = read(wsgi)
    read(wsgi, **{"Accept-Encoding": "gzip"})
    zipped, queries = read(wsgi, **{"Accept-Encoding": "gzip"})
    assert len(queries) == 1
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    # Either form of the ETag names the answer, as in Django's own evaluation.
    for etag in (plain.headers["ETag"], zipped.headers["ETag"]):
        not_modified, _ = read(wsgi, **{"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert not_modified.status_code == HTTPStatus.NOT_MODIFIED
    stale, _ = read(wsgi, **{"If-Match": '"stale"'})
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert stale.headers["Content-Type"] == "application/problem+json"


def test_a_miss_reads_the_data_version_once(wsgi):
    _, queries = read(wsgi, "/api/v1/places/mukden/")
    assert len([sql for sql in queries if "api_dataversion" in sql]) == 1
