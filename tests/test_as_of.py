"""`?as_of=` on every read: the data as it was at a release or a moment, from the history kept.

A snapshot is made by another connection from what has committed, so these tests' writes
commit (`live_db`)."""

import datetime
import gzip
import io
import json
import urllib.parse
from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.http import http_date

from api import as_of, data_version
from api.models import Release, Rendering
from api.throttling import counter
from events.models import Event, Party, Place
from tests import factories

pytestmark = pytest.mark.usefixtures("snapshots")

# What a reader reads, in every shape: lists of each kind (their first pages), details, the
# timeline, search, a history, the meta's counts.
READS = [
    "/api/v1/places/",
    "/api/v1/parties/",
    "/api/v1/events/",
    "/api/v1/engagements/",
    "/api/v1/figures/?page_size=100",
    "/api/v1/statements/?page_size=100",
    "/api/v1/claims/",
    "/api/v1/treaty-articles/",
    "/api/v1/citations/?page_size=100",
    "/api/v1/sources/",
    "/api/v1/places/mukden/",
    "/api/v1/places/port-arthur/",
    "/api/v1/events/no-reply/",
    "/api/v1/places/mukden/history/",
    "/api/v1/timeline/",
    "/api/v1/search/?q=Korea",
]


@pytest.fixture
def snapshots(live_db, settings, tmp_path, django_db_blocker):
    """Snapshots under the test's folder. Django's test case refuses connections to a database
    it was not told of; a snapshot's alias is only known when it is made, so its connections
    are let through."""
    settings.AS_OF_DIR = str(tmp_path / "as_of")
    # The dataset is put back after each test with its history as it was: a snapshot made in
    # another test may hold a state of this one's (with other releases cut of it).
    as_of.forget(discard=True)
    counter().clear()
    guarded = BaseDatabaseWrapper.ensure_connection
    unguarded = django_db_blocker._real_ensure_connection

    def ensure_connection(self, *args, **kwargs):
        return (unguarded if as_of.is_snapshot(self.alias) else guarded)(self, *args, **kwargs)

    BaseDatabaseWrapper.ensure_connection = ensure_connection
    try:
        yield tmp_path / "as_of"
    finally:
        BaseDatabaseWrapper.ensure_connection = guarded
        as_of.forget()


def read(client, url: str, moment=None, **headers):
    if moment is not None:
        joiner = "&" if "?" in url else "?"
        url = f"{url}{joiner}as_of={moment}"
    return client.get(url, HTTP_ACCEPT="application/json", **headers)


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def change_the_data():
    """Rename a place, add a party and an event."""
    mukden = Place.objects.get(slug="mukden")
    mukden.name = "Shenyang"
    mukden.save()
    Party.objects.create(slug="a-party-of-later", name="A party of later")
    factories.event()


def test_a_moment_reads_exactly_what_was_answered_then(client):
    then = {url: read(client, url).json() for url in READS}
    moment = timezone.now()
    change_the_data()
    assert read(client, "/api/v1/places/mukden/").json()["name"] == "Shenyang"
    for url in READS:
        response = read(client, url, iso(moment))
        assert response.status_code == HTTPStatus.OK, (url, response.content[:300])
        # The same, but that the links to other pages read as of the moment too.
        value = urllib.parse.quote(iso(moment))
        if response.json().get("next"):
            assert f"as_of={value}&" in response.json()["next"]
        text = response.content.decode().replace(f"as_of={value}&", "").replace(f"?as_of={value}", "")
        assert json.loads(text) == then[url], url
    # Today's data is still today's.
    assert read(client, "/api/v1/places/mukden/").json()["name"] == "Shenyang"
    assert read(client, "/api/v1/parties/a-party-of-later/").status_code == HTTPStatus.OK


def test_a_named_release_is_read_back_by_its_name_and_id(client):
    call_command("release", "first-edition", stdout=io.StringIO())
    release = Release.objects.get(name="first-edition")
    meta = read(client, "/api/v1/meta/").json()
    places = read(client, "/api/v1/places/").json()
    change_the_data()
    for value in ("first-edition", meta["release"]["id"]):
        response = read(client, "/api/v1/places/", value)
        assert response.json() == places
        # Dated as the release: its Last-Modified and its id, under its name.
        assert response["Last-Modified"] == http_date(release.data_changed_at.timestamp())
        shown = read(client, "/api/v1/meta/", value).json()["release"]
        assert shown == meta["release"] | {"name": "first-edition"}
    assert (
        read(client, "/api/v1/parties/a-party-of-later/", "first-edition").status_code == HTTPStatus.NOT_FOUND
    )


def test_records_deleted_since_are_there_and_deleted_before_are_gone(client):
    doomed = Party.objects.create(slug="a-party-of-then", name="A party of then")
    url = f"/api/v1/parties/{doomed.slug}/"
    shown = read(client, url).json()
    moment = timezone.now()
    doomed.delete()
    assert read(client, url).status_code == HTTPStatus.GONE
    assert read(client, url, iso(moment)).json() == shown
    later = timezone.now()
    gone = read(client, url, iso(later))
    # Nothing has changed since `later`: today's answer, a 410 with the history's link.
    assert gone.status_code == HTTPStatus.GONE
    Party.objects.create(slug="after-the-deletion", name="After the deletion")
    gone = read(client, url, iso(later))
    assert gone.status_code == HTTPStatus.GONE
    assert gone.json()["history"] == f"http://testserver{url}history/"
    # The history itself stops at the moment.
    changes = [v["change"] for v in read(client, f"{url}history/", iso(later)).json()["results"]]
    assert changes == ["deleted", "created"]
    changes = [v["change"] for v in read(client, f"{url}history/", iso(moment)).json()["results"]]
    assert changes == ["created"]


def test_the_dump_and_other_forms_are_as_of_the_moment(client):
    moment = timezone.now()
    change_the_data()
    response = client.get(f"/api/v1/dump/?as_of={iso(moment)}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == HTTPStatus.OK
    body = json.loads(gzip.decompress(b"".join(response.streaming_content)))
    places = {record["slug"]: record["name"] for record in body["records"]["places"]}
    assert places["mukden"] == "Mukden"
    assert "a-party-of-later" not in {record["slug"] for record in body["records"]["parties"]}
    _generation, changed_at = data_version.current()
    assert response["X-Data-Release"] < data_version.release_id(changed_at)
    assert response["X-Data-Release"] <= data_version.release_id(moment)
    csv = client.get(f"/api/v1/places/?format=csv&as_of={iso(moment)}")
    text = b"".join(csv.streaming_content).decode()
    assert "Mukden" in text
    assert "Shenyang" not in text
    now_csv = b"".join(client.get("/api/v1/places/?format=csv").streaming_content).decode()
    assert "Shenyang" in now_csv
    assert csv["ETag"] != client.get("/api/v1/places/?format=csv")["ETag"]


def test_an_as_of_that_names_no_moment_is_a_400(client):
    for value, words in [
        ("no-such-release", "release's name"),
        ("20261399T250000000000Z", "release's name"),
        ("2026-12-01", "UTC offset"),
        ("2026-12-01T12:00:00", "UTC offset"),
        ("2999-01-01T00:00:00Z", "moment to come"),
        ("1900-01-01T00:00:00Z", "first version"),
        ("0001-01-01T00:00:00+01:00", "first version"),
    ]:
        response = read(client, "/api/v1/places/", value)
        assert response.status_code == HTTPStatus.BAD_REQUEST, value
        assert response["Content-Type"] == "application/problem+json"
        assert words in response.json()["detail"], value
    for query in ("as_of=first&as_of=second", "as_of=", "as_of=%00", "as_of=" + "x" * 65, "as_of=a%20b"):
        assert read(client, f"/api/v1/places/?{query}").status_code == HTTPStatus.BAD_REQUEST, query


def test_a_write_with_as_of_is_refused_and_writes_nothing(client, make_user, api_as):
    editor = api_as(make_user("editor", "add_party"))
    response = editor.post(
        f"/api/v1/parties/?as_of={iso(timezone.now())}", {"slug": "p", "name": "P"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "without as_of" in response.json()["detail"]
    assert not Party.objects.filter(slug="p").exists()


def test_a_moment_since_which_nothing_changed_reads_today_without_a_snapshot(client, snapshots):
    moment = timezone.now()
    response = read(client, "/api/v1/places/", iso(moment))
    assert response.json() == read(client, "/api/v1/places/").json()
    # In Tokyo's offset, its "+" sent as it is (a query string's space).
    tokyo = moment.astimezone(datetime.timezone(datetime.timedelta(hours=9))).isoformat()
    assert read(client, "/api/v1/places/", tokyo).json() == response.json()
    assert not snapshots.exists() or not list(snapshots.iterdir())


def test_moments_in_one_state_share_a_snapshot_and_few_are_kept(client, settings, snapshots):
    settings.AS_OF_SNAPSHOTS = 2
    first = timezone.now()
    Event.objects.filter(slug="no-reply").first().save()
    second = timezone.now()
    Event.objects.filter(slug="no-reply").first().save()
    third = timezone.now()
    Party.objects.create(slug="last", name="Last")
    read(client, "/api/v1/parties/", iso(first))
    read(client, "/api/v1/parties/", iso(first + datetime.timedelta(microseconds=1)))
    assert len(set(as_of._states.values())) == 1
    read(client, "/api/v1/parties/", iso(second))
    read(client, "/api/v1/parties/", iso(third))
    if connection.vendor == "sqlite":
        assert len(list(snapshots.glob("*.sqlite3"))) == 2
    else:
        with connection.cursor() as cursor:
            cursor.execute(r"SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'as\_of\_%%'")
            assert cursor.fetchone() == (2,)
    # An evicted snapshot is made again when it is asked for.
    assert (
        read(client, "/api/v1/parties/", iso(first)).json()["count"]
        == read(client, "/api/v1/parties/").json()["count"] - 1
    )


def test_every_read_takes_as_of_and_the_schema_says_so(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    reads = {path: item["get"] for path, item in schema["paths"].items() if "get" in item}
    for path, operation in reads.items():
        names = {parameter["name"] for parameter in operation.get("parameters", [])}
        assert ("as_of" in names) == (path != "/api/v1/"), path
    moment = timezone.now()
    change_the_data()
    for path in reads:
        if "{" in path or path == "/api/v1/":
            continue
        response = read(client, path + ("?q=Korea" if path == "/api/v1/search/" else ""), iso(moment))
        assert response.status_code == HTTPStatus.OK, (path, response.content[:300])


def test_a_signed_in_editor_stays_signed_in_reading_the_past(client, make_user):
    client.force_login(make_user("curator"))
    moment = timezone.now()
    change_the_data()
    response = read(client, "/api/v1/places/mukden/", iso(moment))
    assert response.json()["name"] == "Mukden"
    assert response["Cache-Control"] == "private, no-cache"  # answered as to the editor
    assert read(client, "/api/v1/places/mukden/")["Cache-Control"] == "private, no-cache"


def test_making_a_snapshot_leaves_todays_read_model_alone(client):
    moment = timezone.now()
    change_the_data()
    read(client, "/api/v1/places/")  # today's renderings, stored by the writes
    today = sorted(Rendering.objects.values_list("content_type_id", "object_id", "listed", "detail"))
    assert read(client, "/api/v1/places/mukden/", iso(moment)).json()["name"] == "Mukden"
    assert sorted(Rendering.objects.values_list("content_type_id", "object_id", "listed", "detail")) == today


def test_a_client_may_have_only_so_many_snapshots_made_a_minute(client, settings, snapshots):
    settings.AS_OF_BUILDS_PER_MINUTE = 1
    first = timezone.now()
    Party.objects.create(slug="one-more", name="One more")
    second = timezone.now()
    Party.objects.create(slug="and-another", name="And another")
    assert read(client, "/api/v1/parties/", iso(first)).status_code == HTTPStatus.OK
    refused = read(client, "/api/v1/parties/", iso(second))
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert refused["Content-Type"] == "application/problem+json"
    assert 0 < int(refused["Retry-After"]) <= 60
    # One made already is read again at no cost; an address that reads nothing makes none.
    assert read(client, "/api/v1/parties/", iso(first)).status_code == HTTPStatus.OK
    assert read(client, "/api/v1/no-such-list/", iso(second)).status_code == HTTPStatus.NOT_FOUND
    assert len(list(snapshots.glob("*.sqlite3"))) <= 1


def test_a_release_since_which_only_editors_changed_is_named_as_the_release(client, make_user):
    read(client, "/api/v1/places/")
    call_command("release", "unchanged", stdout=io.StringIO())
    release = Release.objects.get(name="unchanged")
    make_user("newcomer")  # raises the data version (history shows editors' names), no record
    response = read(client, "/api/v1/places/", "unchanged")
    assert response["Last-Modified"] == http_date(release.data_changed_at.timestamp())
    assert read(client, "/api/v1/meta/", "unchanged").json()["release"]["name"] == "unchanged"
