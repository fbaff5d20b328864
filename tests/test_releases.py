"""/api/v1/meta/ and `manage.py release NAME`: the data release a reader cites, and the names
cut of it."""

import io
import subprocess
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.utils.http import http_date

from api import build, data_version
from api.models import Release
from events.models import Party

pytestmark = pytest.mark.django_db


def meta(client) -> dict:
    response = client.get("/api/v1/meta/")
    assert response.status_code == HTTPStatus.OK
    return response.json()


def test_meta_names_the_release_and_counts_every_list(client):
    body = meta(client)
    _generation, changed_at = data_version.current()
    assert body["release"] == {
        "id": data_version.release_id(changed_at),
        "name": None,
        "data_changed_at": changed_at.isoformat().replace("+00:00", "Z"),
    }
    assert body["releases"] == []
    root = client.get("/api/v1/").json()
    lists = {name: url for name, url in root.items() if name in body["counts"]}
    # Every list of the root is counted, and each count is what the list itself says.
    assert set(body["counts"]) == set(lists)
    assert len(lists) >= 15
    for name, url in lists.items():
        assert client.get(url).json()["count"] == body["counts"][name], name
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert body["schema_version"] == schema["info"]["version"]
    assert body["api_version"] == "v1"
    assert body["licence"]["name"] == schema["info"]["license"]["name"] == "CC BY 4.0"
    assert body["dump"] == "http://testserver/api/v1/dump/"
    assert body["title"] == schema["info"]["title"]


def test_the_release_id_is_when_the_data_last_changed_to_the_microsecond(client):
    response = client.get("/api/v1/meta/")
    _generation, changed_at = data_version.current()
    assert response["Last-Modified"] == http_date(changed_at.timestamp())
    assert response.json()["release"]["id"] == changed_at.strftime("%Y%m%dT%H%M%S%fZ")


def test_a_write_changes_the_release_and_the_counts(client):
    before = meta(client)
    Party.objects.create(slug="a-new-party", name="A new party")
    after = meta(client)
    assert after["release"]["id"] > before["release"]["id"]
    assert after["counts"]["parties"] == before["counts"]["parties"] + 1


def test_a_cut_release_names_the_data_until_it_changes(client):
    before = meta(client)
    call_command("release", "first-edition", stdout=io.StringIO())
    cut = meta(client)
    # Naming the data does not change it: the same id, now with its name.
    assert cut["release"] == before["release"] | {"name": "first-edition"}
    [listed] = cut["releases"]
    assert listed["name"] == "first-edition"
    assert listed["id"] == cut["release"]["id"]
    assert listed["data_changed_at"] == cut["release"]["data_changed_at"]

    Party.objects.create(slug="a-new-party", name="A new party")
    changed = meta(client)
    assert changed["release"]["name"] is None
    assert changed["releases"] == [listed]  # what was cut stays as it was

    call_command("release", "second-edition", stdout=io.StringIO())
    assert [r["name"] for r in meta(client)["releases"]] == ["second-edition", "first-edition"]


def test_meta_is_answered_anew_after_a_cut(client):
    # The cut raises the generation every cached answer is keyed by, not the data's date.
    first = client.get("/api/v1/meta/")
    call_command("release", "first-edition", stdout=io.StringIO())
    second = client.get("/api/v1/meta/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == HTTPStatus.OK
    assert second.json()["release"]["name"] == "first-edition"


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("first edition", "name: Enter a valid “slug”"),
        ("x" * 65, "name: Ensure this value has at most 64 characters"),
    ],
)
def test_a_release_name_must_be_a_short_slug(name, complaint):
    with pytest.raises(CommandError, match=complaint):
        call_command("release", name)
    assert not Release.objects.exists()


def test_a_release_name_is_used_once():
    call_command("release", "first-edition", stdout=io.StringIO())
    with pytest.raises(CommandError, match="name: Release with this Name already exists"):
        call_command("release", "first-edition")
    assert Release.objects.count() == 1


def test_meta_names_the_code_serving_it(client, settings):
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout
    build.commit.cache_clear()
    try:
        assert meta(client)["commit"] == head.strip()
        settings.BUILD_COMMIT = "0123456789abcdef0123456789abcdef01234567"
        build.commit.cache_clear()
        assert meta(client)["commit"] == settings.BUILD_COMMIT
    finally:
        build.commit.cache_clear()
