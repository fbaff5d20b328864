"""/api/v1/dump/: the whole dataset in one streamed answer, as JSON or NDJSON."""

import gzip
import io
import json
import threading
from http import HTTPStatus

import pytest
from django.conf import settings
from django.db import connection, connections

from api import renderings, streaming
from config.urls import router
from events.models import Party
from explore import dump
from tests.factories import TEXTBOOK

pytestmark = pytest.mark.django_db


def body_of(response) -> bytes:
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def kinds():
    """prefix -> model of every list."""
    return {prefix: viewset.queryset.model for prefix, viewset, _ in router.registry}


def test_the_json_dump_holds_every_record_of_every_list_as_its_detail_shows_it(client):
    whole = json.loads(body_of(client.get("/api/v1/dump/")))
    assert list(whole["records"]) == list(kinds())  # the root's order, each list present
    for prefix, model in kinds().items():
        records = whole["records"][prefix]
        assert len(records) == model.objects.count(), prefix
        # Every record is its detail answer; the first and the last of each kind are read back.
        for record in (records[0], records[-1]):
            assert client.get(record["url"]).json() == record, record["url"]
    # The sources' text is in it: the whole document the citations quote.
    [source] = [s for s in whole["records"]["sources"] if s["slug"] == TEXTBOOK]
    assert source["text"] == (settings.DATASET_DIR / "000_e55e7a650dbafbc1.txt").read_text(encoding="utf-8")
    assert whole["release"]["id"] == client.get("/api/v1/meta/").json()["release"]["id"]
    assert whole["licence"]["name"] == "CC BY 4.0"


def test_ndjson_is_the_same_records_a_line_each(client):
    whole = json.loads(body_of(client.get("/api/v1/dump/")))
    for response in (
        client.get("/api/v1/dump/?format=ndjson"),
        client.get("/api/v1/dump/", HTTP_ACCEPT="application/x-ndjson"),
    ):
        assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
        head, *lines = [json.loads(line) for line in body_of(response).decode().splitlines()]
        assert head == {key: value for key, value in whole.items() if key != "records"}
        by_kind = {}
        for line in lines:
            assert set(line) == {"kind", "record"}
            by_kind.setdefault(line["kind"], []).append(line["record"])
        assert by_kind == {kind: records for kind, records in whole["records"].items() if records}


def test_the_dump_is_read_in_chunks_and_still_whole(client, monkeypatch):
    whole = body_of(client.get("/api/v1/dump/?format=ndjson"))
    # Chunks of two records, sent on at every part: the keyset walk misses and repeats nothing.
    monkeypatch.setattr(streaming, "CHUNK", 2)
    monkeypatch.setattr(streaming, "FLUSH_BYTES", 1)
    response = client.get("/api/v1/dump/?format=ndjson")
    pieces = list(response.streaming_content)
    assert b"".join(pieces) == whole
    assert len(pieces) > whole.count(b"\n")  # one piece a record at least: nothing waited for the end


def test_the_dump_names_its_release_and_is_a_download(client):
    response = client.get("/api/v1/dump/")
    release = client.get("/api/v1/meta/").json()["release"]["id"]
    assert response["X-Data-Release"] == release
    assert response["Content-Disposition"] == f'attachment; filename="japan-russia-1903-1905-{release}.json"'
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"].startswith("public, max-age=")
    assert release in response["ETag"]
    assert response["Last-Modified"] == client.get("/api/v1/meta/")["Last-Modified"]
    assert "Content-Length" not in response


def test_a_named_release_names_the_file(client):
    from django.core.management import call_command

    call_command("release", "first-edition", stdout=io.StringIO())
    response = client.get("/api/v1/dump/?format=ndjson")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="japan-russia-1903-1905-first-edition.ndjson"'
    )
    assert json.loads(body_of(response).splitlines()[0])["release"]["name"] == "first-edition"


def test_the_dump_is_gzip_compressed_for_a_client_that_accepts_it(client):
    plain = client.get("/api/v1/dump/")
    packed = client.get("/api/v1/dump/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip"
    assert packed["ETag"] == plain["ETag"][:-1] + '-gzip"'
    raw = body_of(packed)
    identity = body_of(plain)
    assert gzip.decompress(raw) == identity
    assert len(raw) * 3 < len(identity)


def test_a_conditional_read_is_a_304_until_the_data_changes(client):
    first = client.get("/api/v1/dump/")
    again = client.get("/api/v1/dump/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again["ETag"] == first["ETag"]
    # Either form of the ETag names the same data.
    packed = client.get("/api/v1/dump/", HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_ENCODING="gzip")
    assert packed.status_code == HTTPStatus.NOT_MODIFIED
    Party.objects.create(slug="a-new-party", name="A new party")
    changed = client.get("/api/v1/dump/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == HTTPStatus.OK
    assert b'"slug":"a-new-party"' in body_of(changed)


def test_head_says_what_get_would_send_without_it(client):
    get, head = client.get("/api/v1/dump/"), client.head("/api/v1/dump/")
    assert head.status_code == HTTPStatus.OK
    assert b"".join(head.streaming_content) == b""
    for name in ("ETag", "Content-Type", "Content-Disposition", "X-Data-Release", "Last-Modified"):
        assert head[name] == get[name], name


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/api/v1/dump/?format=xml", "*/*"),
        ("/api/v1/dump/", "application/xml"),
        ("/api/v1/parties/?format=xml", "*/*"),
        ("/api/v1/parties/", "application/xml"),
        ("/api/v1/parties/russia/?format=yaml", "*/*"),
    ],
)
def test_a_format_the_resource_does_not_have_is_a_406_problem(client, url, accept):
    response = client.get(url, HTTP_ACCEPT=accept)
    assert response.status_code == HTTPStatus.NOT_ACCEPTABLE
    problem = response.json()
    assert problem["status"] == HTTPStatus.NOT_ACCEPTABLE
    assert "it answers as: json (application/json)" in problem["detail"]


def test_the_dump_takes_no_other_parameter(client):
    response = client.get("/api/v1/dump/?kind=parties")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]["kind"] == ["Unknown query parameter."]


def test_a_write_during_a_dump_is_not_half_in_it(live_db, client, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite gives no snapshot that leaves its writers free (CI's second run is PostgreSQL)")
    # One record a chunk, sent on at once: the dump is under way when the write commits.
    monkeypatch.setattr(streaming, "CHUNK", 1)
    monkeypatch.setattr(streaming, "FLUSH_BYTES", 1)
    response = client.get("/api/v1/dump/?format=ndjson")
    pieces = iter(response.streaming_content)
    first = next(pieces)

    def write():
        # Another connection, as another request's: it commits while the dump reads on.
        Party.objects.create(slug="written-meanwhile", name="Written meanwhile")
        connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join()
    rest = b"".join(pieces)
    lines = (first + rest).decode().splitlines()
    assert not any('"written-meanwhile"' in line for line in lines)
    parties = [json.loads(line) for line in lines[1:] if json.loads(line)["kind"] == "parties"]
    # Every party there was when it began, and only those.
    assert len(parties) == Party.objects.count() - 1


def test_the_dump_reads_heavy_records_a_few_at_a_time(client, monkeypatch):
    # A chunk comes to about TEXT_BUDGET of text (rendering it takes memory in proportion):
    # fewer records of a kind whose details are large, and the dump whole all the same.
    whole = body_of(client.get("/api/v1/dump/?format=ndjson"))
    chunks = []
    read = renderings.read

    def reading(model, pks, part):
        texts = read(model, pks, part)
        chunks.append((model, len(pks), sum(map(len, texts))))
        return texts

    monkeypatch.setattr(renderings, "read", reading)
    monkeypatch.setattr(dump, "TEXT_BUDGET", 5000)  # a party's detail is a few thousand
    assert body_of(client.get("/api/v1/dump/?format=ndjson")) == whole
    by_kind = {}
    for model, records, length in chunks:
        by_kind.setdefault(model, []).append((records, length))
    for read_of_kind in by_kind.values():
        # Each chunk after a kind's first is as large as the one before it weighed; its last
        # is what was left of the kind.
        for index in range(1, len(read_of_kind)):
            expected, got = dump.next_size(*read_of_kind[index - 1]), read_of_kind[index][0]
            assert got == expected or (index == len(read_of_kind) - 1 and got < expected)
    parties = [records for model, records, _ in chunks if model is Party]
    assert parties[0] == dump.FIRST_CHUNK > parties[1]  # heavier than the budget: fewer at once


def test_a_chunk_grows_while_its_records_are_light_and_shrinks_when_they_are_heavy(monkeypatch):
    monkeypatch.setattr(dump, "TEXT_BUDGET", 1_000_000)
    assert dump.next_size(8, 8 * 1_000) == 16  # light: twice as many, no more at once
    assert dump.next_size(500, 500 * 1_000) == streaming.CHUNK == 500  # never more than CHUNK
    assert dump.next_size(100, 100 * 100_000) == 10  # heavy: as many as make the budget
    assert dump.next_size(1, 50_000_000) == 1  # one record, however large
    assert dump.next_size(8, 0) == 16  # records with no text (none found): grows as light ones do
