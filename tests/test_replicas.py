"""Read replicas (DATABASE_REPLICA_URLS): a server whose replica is a second database, holding
the dataset with one value of its own, so that each answer tells where it was read. Nothing
copies the primary's writes to it: it is a replica lagging for good."""

import json
import urllib.request
from http import HTTPStatus

import pytest
from rest_framework.authtoken.models import Token

from api import data_version
from events.models import Place
from tests.servers import database_url, get, gunicorn, manage, redis_database, redis_url
from tests.test_backup import migrated, new_database  # noqa: F401 (migrated is a fixture)

pytestmark = pytest.mark.usefixtures("live_db")

REDIS_URL = redis_url(9)
URL = "/api/v1/places/mukden/"
ON_THE_REPLICA = "Mukden, as the replica has it"
# Another client, behind the trusted proxy (127.0.0.1, where the test's requests come from).
ANOTHER = {"X-Forwarded-For": "192.0.2.7"}


@pytest.fixture
def store():
    with redis_database(REDIS_URL) as store:
        yield store


@pytest.fixture
def token(make_user):
    data_version.bump()  # the version row a transactional test's emptied tables lack
    return Token.objects.create(user=make_user("replica-editor", superuser=True)).key


@pytest.fixture
def replica(token, migrated, tmp_path):  # noqa: F811
    """A copy of the primary as it is now (its backup restored), with one value of its own."""
    from django.db import connection

    backup = tmp_path / "primary.json"
    done = manage("backup", str(backup), DATABASE_URL=database_url())
    assert done.returncode == 0, done.stderr
    with new_database(connection.vendor, "replica", tmp_path, template=migrated) as url:
        mark = (
            "from django.core.management import call_command; from events.models import Place; "
            f"call_command('restore_backup', {str(backup)!r}, verbosity=0); "
            f"p = Place.objects.get(slug='mukden'); p.modern_name = {ON_THE_REPLICA!r}; p.save(); "
            # A true replica at a version holds what the primary held at it; this one differs,
            # so its version is set where the primary's does not go within the test.
            "from api.models import DataVersion; DataVersion.objects.update(generation=10**6)"
        )
        done = manage("shell", "-c", mark, DATABASE_URL=url)
        assert done.returncode == 0, done.stderr
        yield url


@pytest.fixture
def server(store, replica):
    env = {
        "DATABASE_URL": database_url(),
        "DATABASE_REPLICA_URLS": replica,
        "REDIS_URL": REDIS_URL,
        "API_TRUSTED_PROXIES": "127.0.0.1",
        "DATABASE_REPLICA_LAG_SECONDS": "600",
    }
    with gunicorn(**env) as (base, _):
        yield base


def modern_name(base, token=None, headers=None):
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Token {token}"
    status, _, body = get(base + URL, headers)
    assert status == HTTPStatus.OK, body
    return json.loads(body)["modern_name"]


def patch(base, token, body):
    request = urllib.request.Request(
        base + URL,
        data=json.dumps(body).encode(),
        method="PATCH",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.status


def test_reads_go_to_the_replica_and_a_writers_reads_after_its_write_to_the_primary(
    server, replica, store, token
):
    # Before any write, everyone reads the replica: anonymous clients, and editors too.
    assert modern_name(server) == ON_THE_REPLICA
    assert modern_name(server, token) == ON_THE_REPLICA
    assert modern_name(server, headers=ANOTHER) == ON_THE_REPLICA

    assert patch(server, token, {"modern_name": "Shenyang"}) == HTTPStatus.OK
    # The write went to the primary alone.
    assert Place.objects.get(slug="mukden").modern_name == "Shenyang"
    check = "from events.models import Place; print(Place.objects.get(slug='mukden').modern_name)"
    assert manage("shell", "-c", check, DATABASE_URL=replica).stdout.splitlines()[-1] == ON_THE_REPLICA

    # The client that wrote reads the primary, with its token or without, within the window...
    assert modern_name(server, token) == "Shenyang"
    assert modern_name(server) == "Shenyang"
    assert store.ttl("replicas:wrote:127.0.0.1") > 0
    # ...while every other client reads the replica.
    assert modern_name(server, headers=ANOTHER) == ON_THE_REPLICA
    # Once the window is over (its key expired), the writer reads a replica again.
    store.delete("replicas:wrote:127.0.0.1")
    assert modern_name(server, token) == ON_THE_REPLICA
