"""The OpenAPI schema: valid, complete, unchanged unless meant, with true examples."""

import gzip
import json
import os
from http import HTTPStatus
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from api.docs import SCHEMA
from api.schema_hooks import ERRORS, abridged, load_examples

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def generated():
    return SchemaGenerator().get_schema(request=None, public=True)


def without_examples(node):
    if isinstance(node, dict):
        return {k: without_examples(v) for k, v in node.items() if k != "examples"}
    if isinstance(node, list):
        return [without_examples(v) for v in node]
    return node


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert yaml.safe_load((tmp_path / "schema.yml").read_text())["openapi"].startswith("3.")


def test_schema_matches_the_snapshot():
    # After an intended change: UPDATE_SNAPSHOTS=1 make test, and review the diff.
    current = json.loads(json.dumps(without_examples(generated()), default=str))
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())


def test_every_operation_is_described():
    schema = generated()
    tags = {tag["name"] for tag in schema["tags"]}
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert operation.get("tags"), where
        assert set(operation["tags"]) <= tags, where
        assert set(ERRORS) <= set(operation["responses"]), where
        if method in ("post", "put", "patch"):
            assert "415" in operation["responses"], where
        not_found = schema["components"]["responses"]["NotFound"]
        assert operation["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}, where
        assert not_found["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
        for response in operation["responses"].values():
            headers = response.get("headers", {})
            assert "$ref" in response or "X-Request-ID" in headers, where
        success = operation["responses"].get("200") or operation["responses"].get("201")
        if success is not None and "content" in success:
            assert success["content"]["application/json"]["examples"], where
        else:
            assert method == "delete", where


# What differs between two loads of the same data (history times, ids; the data's release, which
# is when it was loaded) and between two commits of the code.
UNSTABLE = ("recorded_at", "version", "data_changed_at", "commit")


def stable(value):
    """A response without what differs between two loads of the same data or two commits."""
    if isinstance(value, dict):
        if "data_changed_at" in value and "id" in value:  # a release: its id is its time
            value = value | {"id": "…"}
        return {k: "…" if k in UNSTABLE else stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def test_examples_are_what_the_api_answers_today():
    # Stale after a serializer change: run `python manage.py record_api_examples`.
    client = Client(HTTP_HOST="127.0.0.1:8000")
    examples = load_examples()
    assert len(examples) == len([op for _, method, op in operations(generated()) if method == "get"])
    for operation_id, example in examples.items():
        response = client.get(example["path"], HTTP_ACCEPT="application/json")
        assert response.status_code == HTTPStatus.OK, operation_id
        if operation_id == "search_list" and connection.vendor == "postgresql":
            # Recorded on SQLite, whose search is not PostgreSQL's full-text search (which also
            # reads citations' quotes, and ranks otherwise: tests/test_search.py): the same shape.
            hits = response.json()["results"]
            assert hits
            assert all(list(hit) == list(example["value"]["results"][0]) for hit in hits)
            continue
        if response.streaming:  # the dump: its head and each list's first record
            answer = abridged(json.loads(b"".join(response.streaming_content)))
        else:
            answer = response.json()
        assert stable(answer) == stable(example["value"]), operation_id


@pytest.mark.parametrize(
    ("query", "content_type"),
    [("", "application/vnd.oai.openapi"), ("?format=json", "application/vnd.oai.openapi+json")],
)
def test_schema_is_served_as_yaml_and_json(client, query, content_type):
    response = client.get(f"/api/v1/schema/{query}")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith(content_type)
    body = json.loads(response.content) if "json" in query else yaml.safe_load(response.content)
    assert "/api/v1/engagements/{slug}/" in body["paths"]


def test_the_served_schema_is_the_generated_one(client):
    served = json.loads(client.get("/api/v1/schema/?format=json").content)
    assert served == json.loads(json.dumps(generated(), default=str))


def test_the_schema_is_built_once_per_process_whoever_asks(client, api_as, make_user, monkeypatch):
    from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer

    built = []

    def counted(cls, name):
        original = getattr(cls, name)

        def call(*args, **kwargs):
            built.append(name if cls is SchemaGenerator else cls.format)
            return original(*args, **kwargs)

        monkeypatch.setattr(cls, name, call)

    counted(SchemaGenerator, "get_schema")
    counted(OpenApiYamlRenderer, "render")
    counted(OpenApiJsonRenderer, "render")
    SCHEMA.forget()  # as in a process that has not served it yet
    editor = api_as(make_user("schema-reader"))
    answers = [
        client.get("/api/v1/schema/"),
        editor.get("/api/v1/schema/"),
        client.get("/api/v1/schema/", HTTP_ACCEPT_ENCODING="gzip"),
        client.get("/api/v1/schema/?format=json"),
        editor.get("/api/v1/schema/?format=json"),
        client.get("/api/v1/schema/", HTTP_ACCEPT="application/json"),
    ]
    assert [a.status_code for a in answers] == [HTTPStatus.OK] * len(answers)
    # One generation, and one rendering per format, for anonymous readers and editors alike.
    assert sorted(built) == ["get_schema", "json", "yaml"]
    assert answers[0].content == answers[1].content
    assert gzip.decompress(answers[2].content) == answers[0].content
    assert answers[0]["ETag"] == answers[1]["ETag"]
    assert answers[2]["ETag"] == answers[0]["ETag"][:-1] + '-gzip"'
    # The same bytes as another media type are another representation, with an ETag of its own.
    assert answers[5].content == answers[3].content
    assert answers[5]["Content-Type"] == "application/json"
    assert answers[5]["ETag"] != answers[3]["ETag"]


def test_the_schema_answers_if_none_match_with_a_304_for_anyone(client, api_as, make_user):
    editor = api_as(make_user("schema-cacher"))
    for reader in (client, editor):
        for query in ("", "?format=json"):
            etag = reader.get(f"/api/v1/schema/{query}")["ETag"]
            again = reader.get(f"/api/v1/schema/{query}", HTTP_IF_NONE_MATCH=etag)
            assert again.status_code == HTTPStatus.NOT_MODIFIED
            assert again.content == b""
            assert again["ETag"] == etag


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_their_assets_from_this_server(client, url):
    page = client.get(url).content.decode()
    assert "sidecar" in page
    assert "cdn" not in page.lower()
    assert "unpkg" not in page.lower()


def test_links_are_documented_as_read_and_as_written():
    schemas = generated()["components"]["schemas"]
    assert schemas["Party"]["properties"]["part_of"]["allOf"] == [{"$ref": "#/components/schemas/Link"}]
    assert schemas["Event"]["properties"]["parties"]["items"] == {"$ref": "#/components/schemas/EventParty"}
    assert schemas["EventParty"]["properties"]["party"] == {"$ref": "#/components/schemas/Link"}
    assert schemas["EventPartyRequest"]["properties"]["party"]["type"] == "string"
    # Every record's places are one shape: a place in a role, on a basis.
    for name in ("Event", "Engagement", "Claim", "Proposal", "Counterproposal"):
        assert schemas[name]["properties"]["places"]["items"] == {"$ref": "#/components/schemas/PlaceLink"}
    assert set(schemas["PlaceLink"]["properties"]) == {"place", "role", "basis", "rationale"}
    assert schemas["PartyRequest"]["properties"]["part_of"]["type"] == "string"
    assert set(schemas["Link"]["properties"]) == {"slug", "name", "url"}


def test_every_field_of_an_answer_is_required():
    # Each is always there, null where unknown; a generated client should not make it optional.
    schemas = generated()["components"]["schemas"]
    answers = {name: schema for name, schema in schemas.items() if "properties" in schema}
    answers = {name: schema for name, schema in answers.items() if not name.endswith("Request")}
    # A problem's `errors` is there for invalid input only.
    assert schemas["Problem"]["required"] == ["type", "title", "status", "detail", "instance"]
    del answers["Problem"]
    assert {"Place", "Engagement", "PaginatedPlaceList", "TimelineEntry"} <= set(answers)
    for name, schema in answers.items():
        assert sorted(schema.get("required", [])) == sorted(schema["properties"]), name


def test_every_operation_anyone_may_call_says_so():
    # An empty security requirement beside the token's: a generated client may go anonymous.
    for path, method, operation in operations(generated()):
        anyone = method == "get" or path.endswith("/auth/token/")
        assert ({} in operation["security"]) == anyone, f"{method.upper()} {path}"
        assert {"tokenAuth": []} in operation["security"], f"{method.upper()} {path}"


def test_ordering_values_have_names_for_generated_code():
    ordering = [
        parameter["schema"]["items"]
        for _path, _method, operation in operations(generated())
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "ordering"
    ]
    assert len(ordering) == 15  # every resource's list
    for items in ordering:
        names = items["x-enum-varnames"]
        assert len(names) == len(set(names)) == len(items["enum"])
        assert all(name.isidentifier() and name.isupper() for name in names)
        assert dict(zip(items["enum"], names, strict=True)).get("-slug", "SLUG_DESC") == "SLUG_DESC"
    events = next(items for items in ordering if "-kind" in items["enum"] and "-date" in items["enum"])
    assert dict(zip(events["enum"], events["x-enum-varnames"], strict=True))["-date"] == "DATE_DESC"


def test_an_unknown_place_kind_and_coordinates_are_documented_as_they_are_sent():
    schemas = generated()["components"]["schemas"]
    place = schemas["Place"]["properties"]
    assert {"$ref": "#/components/schemas/NullEnum"} in place["kind"]["oneOf"]
    assert "BlankEnum" not in schemas
    for name in ("Place", "PlaceRequest"):
        assert schemas[name]["properties"]["latitude"]["type"] == "number"
        assert schemas[name]["properties"]["longitude"]["maximum"] == 180


@pytest.mark.parametrize("text", ["\n", " \x1d", "\x85\t", "\u2003", "a", " \ufeff", "\xa0b"])
def test_the_non_blank_pattern_takes_exactly_what_the_api_takes(text):
    # DRF trims with Python's str.strip(); the schema must call blank what it calls blank.
    import re

    from api.schema import NON_BLANK_PATTERN

    assert bool(re.search(NON_BLANK_PATTERN, text)) == bool(text.strip())


def test_the_schema_gives_the_licence_how_to_cite_and_what_offsets_count():
    schema = generated()
    assert schema["info"]["license"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    description = schema["info"]["description"]
    assert "its rights stay with its publisher" in description
    assert "Cite the dataset as: *Japan–Russia 1903–1905 API*" in description
    assert f"version {schema['info']['version']}" in description
    schemas = schema["components"]["schemas"]
    source = schemas["SourceDetail"]["properties"]
    assert {"title_supplied", "description", "language", "publication", "note", "rights"} <= set(source)
    assert source["publication"]["nullable"] is True
    assert "Unicode code points" in source["offset_unit"]["description"]
    assert schemas["OffsetUnitEnum"]["enum"] == ["unicode-code-point"]
    for name in ("Citation", "CitationDetail"):
        for offset in ("start", "end"):
            assert "in Unicode code points" in schemas[name]["properties"][offset]["description"], name
