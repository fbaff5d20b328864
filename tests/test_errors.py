"""One error shape everywhere: RFC 9457 problem details."""

from http import HTTPStatus

import pytest
from django.test import Client

from events.views import PartyViewSet

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    return body


def test_unknown_slug_is_a_404_problem(client):
    body = assert_problem(client.get("/api/v1/parties/atlantis/"), 404)
    assert body["instance"] == "/api/v1/parties/atlantis/"


def test_unknown_url_is_a_404_problem(client):
    assert_problem(client.get("/api/v1/no-such-resource/"), 404)
    assert_problem(client.get("/nowhere"), 404)


def test_bad_input_is_a_400_problem_naming_the_field(client):
    body = assert_problem(client.get("/api/v1/engagements/", {"kind": "skirmish"}), 400)
    assert list(body["errors"]) == ["kind"]


def test_unsupported_method_is_a_405_problem_with_allow(client):
    response = client.post("/api/v1/timeline/", {})
    assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_unacceptable_format_is_a_406_problem(client):
    assert_problem(client.get("/api/v1/parties/", HTTP_ACCEPT="application/xml"), 406)


def test_a_server_error_is_a_500_problem_without_a_traceback(monkeypatch):
    def explode(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(PartyViewSet, "get_queryset", explode)
    response = Client(raise_request_exception=False).get("/api/v1/parties/")
    body = assert_problem(response, 500)
    assert "boom" not in response.content.decode()
    assert "Traceback" not in body["detail"]


def test_a_malformed_citation_id_is_a_404_not_a_500(client):
    assert_problem(client.get("/api/v1/citations/not-a-uuid/"), 404)
    assert_problem(client.get("/api/v1/citations/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz/"), 404)


@pytest.mark.django_db
def test_an_unrouted_api_address_is_a_json_404_in_debug_mode_too(client, settings):
    settings.DEBUG = True
    assert_problem(client.get("/api/v1/no-such-resource/"), 404)
    # A missing trailing slash is still redirected, not answered with a 404.
    assert client.get("/api/v1/parties").status_code == 301


@pytest.mark.parametrize("debug", [True, False])
def test_a_write_without_its_slash_is_a_308_problem_naming_the_url(settings, make_user, api_as, debug):
    # A 308 keeps the method and the body, so a client that follows it writes what it meant to.
    settings.DEBUG = debug
    editor = api_as(make_user("slashless", "add_place", "change_place"))
    place = {"slug": "harbin", "name": "Harbin"}
    answer = editor.post("/api/v1/places?format=json", place, format="json")
    body = assert_problem(answer, 308)
    assert answer["Location"] == "http://testserver/api/v1/places/?format=json"
    assert answer["Location"] in body["detail"]
    assert editor.post(answer["Location"], place, format="json").status_code == HTTPStatus.CREATED
    answer = editor.patch("/api/v1/places/harbin", {"name": "Kharbin"}, format="json")
    assert_problem(answer, 308)
    assert answer["Location"] == "http://testserver/api/v1/places/harbin/"
    assert editor.patch(answer["Location"], {"name": "Kharbin"}, format="json").json()["name"] == "Kharbin"
    # Nothing to send it to: a 404 as before; a read is still redirected.
    assert_problem(editor.post("/api/v1/nowhere", place, format="json"), 404)
    assert editor.get("/api/v1/places").status_code == HTTPStatus.MOVED_PERMANENTLY


def test_a_body_of_another_media_type_is_a_415_problem(make_user, api_as):
    editor = api_as(make_user("plain-texter", "add_place"))
    answer = editor.generic("POST", "/api/v1/places/", "slug=harbin", content_type="text/plain")
    assert_problem(answer, 415)
