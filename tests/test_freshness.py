"""Nothing stale: a write by any path is on the very next read of every server process.

Two gunicorn servers share the test database, each caching anonymous reads
(api.response_cache). Each test reads a record on both until the answer comes from the cache,
writes it by one path, and reads it again on both.
"""

import json
import urllib.request
from http import HTTPStatus

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from api import data_version
from events.models import Place
from tests.factories import STATEMENTS_UNCHANGED
from tests.servers import database_url, get, gunicorn, manage

pytestmark = pytest.mark.usefixtures("live_db")

URL = "/api/v1/places/mukden/"


@pytest.fixture
def servers():
    # A transactional test starts from emptied tables: put back the version row the first
    # migration makes, without which nothing is cached.
    data_version.bump()
    url = database_url()
    with gunicorn(DATABASE_URL=url) as (first, _), gunicorn(DATABASE_URL=url) as (second, _):
        yield first, second


def modern_names(servers, field="modern_name") -> list:
    return [json.loads(get(base + URL)[2])[field] for base in servers]


def cached(servers, expected):
    """Both servers answer `expected`, the second time from their cache (no new ETag work)."""
    assert modern_names(servers) == [expected, expected]
    assert modern_names(servers) == [expected, expected]


def set_modern_name(value):
    place = Place.objects.get(slug="mukden")
    place.modern_name = value
    place.save()


def editor_token(make_user):
    return Token.objects.create(user=make_user("fresh-editor", superuser=True)).key


def test_an_api_write_on_one_server_is_read_on_both(servers, make_user):
    cached(servers, None)
    request = urllib.request.Request(
        servers[0] + URL,
        data=json.dumps({"modern_name": "Shenyang"}).encode(),
        method="PATCH",
        headers={"Authorization": f"Token {editor_token(make_user)}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == HTTPStatus.OK
    assert modern_names(servers) == ["Shenyang", "Shenyang"]


def test_an_admin_change_is_read_on_both(servers, make_user):
    cached(servers, None)
    client = Client()
    client.force_login(make_user("fresh-curator", superuser=True))
    place = Place.objects.get(slug="mukden")
    form = {"name": "Mukden", "kind": "", "modern_name": "Shenyang", "latitude": "", "longitude": ""}
    form |= {
        "part_of": place.part_of_id,
        "part_of_basis": place.part_of_basis,
        "part_of_rationale": place.part_of_rationale,
    }
    prefix = "sources-citation-content_type-object_id"
    citations = list(place.citations.all())
    form |= {f"{prefix}-TOTAL_FORMS": len(citations), f"{prefix}-INITIAL_FORMS": len(citations)}
    for index, citation in enumerate(citations):
        for field in ("id", "source", "start", "end", "quote"):
            value = getattr(citation, "source_id" if field == "source" else field)
            form[f"{prefix}-{index}-{field}"] = value
    form |= STATEMENTS_UNCHANGED
    response = client.post(f"/admin/events/place/{place.pk}/change/", form)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert modern_names(servers) == ["Shenyang", "Shenyang"]


def test_a_restore_is_read_on_both(servers, make_user):
    set_modern_name("Fengtian")
    version = Place.history.filter(slug="mukden").latest("history_id").history_id
    set_modern_name("Shenyang")
    cached(servers, "Shenyang")
    request = urllib.request.Request(
        servers[1] + URL + "restorations/",
        data=json.dumps({"version": version}).encode(),
        method="POST",
        headers={"Authorization": f"Token {editor_token(make_user)}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == HTTPStatus.OK
    assert modern_names(servers) == ["Fengtian", "Fengtian"]


def test_the_loader_run_as_a_management_command_is_read_on_both(servers):
    set_modern_name("Shenyang")
    cached(servers, "Shenyang")
    assert manage("load_dataset", DATABASE_URL=database_url()).returncode == 0
    assert modern_names(servers) == [None, None]


def in_a_shell(code: str) -> None:
    """Run `code` in `manage.py shell`, its own process, on the test database."""
    done = manage("shell", "-c", code, DATABASE_URL=database_url())
    assert done.returncode == 0, done.stderr


def test_a_save_in_a_shell_is_read_on_both(servers):
    cached(servers, None)
    in_a_shell(
        "from events.models import Place; p = Place.objects.get(slug='mukden'); "
        "p.modern_name = 'Shenyang'; p.save()"
    )
    assert modern_names(servers) == ["Shenyang", "Shenyang"]


def test_a_citation_saved_in_a_shell_moves_its_records_place_on_both(servers):
    # A shell writes outside any transaction: the citation, then its record's sequence.
    assert modern_names(servers, "sequence") == modern_names(servers, "sequence") == [2153, 2153]
    saved = manage(
        "shell",
        "-c",
        "from events.models import Place; from sources.models import Citation, Source; "
        "Citation(source=Source.objects.get(slug='japan-russia-1903-1905'), start=65, end=74, "
        "quote='Manchuria', "
        "record=Place.objects.get(slug='mukden')).save()",
        DATABASE_URL=database_url(),
    )
    assert saved.returncode == 0, saved.stderr
    assert modern_names(servers, "sequence") == [65, 65]


CLAIM_URL = "/api/v1/claims/mukden-was-decisive/"


def judged_names(servers) -> list:
    return [[j["name"] for j in json.loads(get(base + CLAIM_URL)[2])["judges"]] for base in servers]


def test_a_judged_record_renamed_in_a_shell_shows_on_the_claim_on_both(servers):
    # The claim shows the name of the record it judges: renaming that record is a change to
    # the claim's answer, though the claim itself is not written.
    for _ in range(2):
        assert judged_names(servers) == [["Occupation of Mukden"], ["Occupation of Mukden"]]
    in_a_shell(
        "from events.models import Engagement; e = Engagement.objects.get(slug='occupation-of-mukden'); "
        "e.name = 'Battle of Mukden'; e.save()"
    )
    assert judged_names(servers) == [["Battle of Mukden"], ["Battle of Mukden"]]
