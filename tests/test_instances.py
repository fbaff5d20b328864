"""More than one instance: two gunicorn instances on two ports, sharing PostgreSQL and Redis,
behind Debian's nginx on 127.0.0.1 (deploy/serve.py --upstream ... --proxy-cache, rendering
deploy/nginx.conf.template: what production runs), with production settings.

Each failure condition is an answer, an order of events or a deadline, never a measured speed.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http import HTTPStatus

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from api import data_version
from deploy.serve import nginx_binary
from events.models import Place
from tests.servers import (
    ROOT,
    database_url,
    gunicorn,
    listening,
    manage_env,
    production_server,
    redis_database,
    redis_url,
)
from tests.test_slow_clients import PRODUCTION

# This test's own Redis database.
REDIS_URL = redis_url(10)
WORKERS = 2
# Short lifetimes, so that nginx's copy runs out within the test (production's are 10 and 60).
MAX_AGE = 2
URL = "/api/v1/places/mukden/"
INSTANCE = PRODUCTION | {
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "REDIS_URL": REDIS_URL,
    "API_TRUSTED_PROXIES": "127.0.0.1",
    "API_CACHE_MAX_AGE": str(MAX_AGE),
    "API_CACHE_STALE_WHILE_REVALIDATE": "0",
    "API_ANON_RATE": "100000/minute",
    "API_EDITOR_RATE": "100000/minute",
}


def require_the_parts():
    if connection.vendor != "postgresql":
        pytest.skip(
            "the instances share one PostgreSQL database: run with DATABASE_URL=postgres://... "
            "(CI's second run does)"
        )
    if nginx_binary() is None:
        pytest.skip("Debian's nginx is not installed (apt-get install nginx; .ci/run installs it)")


@pytest.fixture
def store():
    require_the_parts()
    with redis_database(REDIS_URL) as store:  # or skips, without Redis
        yield store


@pytest.fixture
def instances(store, tmp_path):
    """{"a", "b", "nginx"}: the instances' and nginx's base URLs; B's master process, port and
    log (its request log: a line for each request it answers)."""
    # A transactional test starts from emptied tables: put back the version row the first
    # migration makes, without which nothing is cached.
    data_version.bump()
    env = INSTANCE | {"DATABASE_URL": database_url()}
    b_log = tmp_path / "b.log"
    with (
        gunicorn(workers=WORKERS, **env) as (a, _),
        b_log.open("wb") as log,
        gunicorn(workers=WORKERS, log=log, **env) as (b, b_process),
    ):
        upstreams = [arg for base in (a, b) for arg in ("--upstream", base.removeprefix("http://"))]
        with production_server(*upstreams, "--proxy-cache", workers=None, **env) as (port, _):
            yield {
                "a": a,
                "b": b,
                "nginx": f"http://127.0.0.1:{port}",
                "b_process": b_process,
                "b_port": int(b.rsplit(":", 1)[1]),
                "b_log": b_log,
            }


@pytest.fixture
def token(make_user):
    return Token.objects.create(user=make_user("instance-editor", superuser=True)).key


def send(base, path=URL, token=None, method="GET", body=None):
    """(status, headers, parsed body) of one request; status None when the connection failed."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException) as error:
        return None, {}, repr(error)


def modern_name(base, token=None):
    status, headers, body = send(base, token=token)
    assert status == HTTPStatus.OK, body
    return body["modern_name"], headers.get("X-Cache-Status")


@pytest.mark.usefixtures("live_db")
def test_a_write_through_one_instance_is_read_back_through_the_other_and_nginx(instances, token):
    a, b, front = instances["a"], instances["b"], instances["nginx"]
    # Every reader holds the old answer: B in its cache of anonymous answers, nginx in its own.
    for base in (b, front):
        for _ in range(2):
            assert modern_name(base)[0] is None
    assert modern_name(front) == (None, "HIT")
    assert modern_name(front, token) == (None, "BYPASS")

    status, _, body = send(a, token=token, method="PATCH", body={"modern_name": "Shenyang"})
    assert status == HTTPStatus.OK, body

    # The writer reads its write on its very next request, on the other instance and through
    # nginx, whose cache never answers an editor.
    assert modern_name(b, token)[0] == "Shenyang"
    assert modern_name(front, token) == ("Shenyang", "BYPASS")
    # Every instance answers anyone afresh: the data version moved in the shared database.
    assert modern_name(b)[0] == "Shenyang"
    # nginx may still give an anonymous reader the copy it keeps, but only as long as that
    # answer's Cache-Control allows; then it asks again and has the write.
    deadline = time.monotonic() + MAX_AGE + 10
    name, cache = modern_name(front)
    while name is None and time.monotonic() < deadline:
        assert cache == "HIT"  # the old answer comes from nginx's copy, never from an instance
        time.sleep(0.2)
        name, cache = modern_name(front)
    assert (name, cache) in {("Shenyang", "EXPIRED"), ("Shenyang", "MISS")}
    # And nginx keeps the new answer. Its clock counts whole seconds, so a copy kept for
    # MAX_AGE seconds may run out a little past MAX_AGE - 1: on a loaded machine the very next
    # request can find it expired, but never the old answer, and soon a hit.
    deadline = time.monotonic() + MAX_AGE + 10
    while (name, cache) != ("Shenyang", "HIT"):
        assert time.monotonic() < deadline, f"nginx never kept the new answer: {cache}"
        name, cache = modern_name(front)
        assert name == "Shenyang"


READ_PATHS = [URL, "/api/v1/places/", "/api/v1/engagements/battle-of-tsushima/", "/api/v1/timeline/"]


class Load:
    """Readers (an editor's reads, which reach an instance, and anonymous ones, which nginx
    may answer) and one writer, all through nginx, until stopped; every request is recorded
    with when it started and ended."""

    def __init__(self, base, token, readers=4):
        self.base, self.token = base, token
        self.records, self.lock = [], threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.read, args=(n,)) for n in range(readers)]
        self.threads.append(threading.Thread(target=self.write))

    def record(self, kind, started, result, value=None):
        status, headers, _ = result
        entry = {
            "kind": kind,
            "started": started,
            "ended": time.monotonic(),
            "status": status,
            "remaining": headers.get("RateLimit-Remaining") if kind != "anonymous" else None,
            "cache": headers.get("X-Cache-Status"),
            "value": value,
        }
        with self.lock:
            self.records.append(entry)

    def read(self, n):
        turn = n
        while not self.stopping.is_set():
            path = READ_PATHS[turn % len(READ_PATHS)]
            editor = turn % 2 == 0
            started = time.monotonic()
            result = send(self.base, path, token=self.token if editor else None)
            self.record("editor" if editor else "anonymous", started, result)
            turn += 1

    def write(self):
        n = 0
        while not self.stopping.is_set():
            value = f"written-{n}"
            started = time.monotonic()
            result = send(self.base, token=self.token, method="PATCH", body={"modern_name": value})
            self.record("write", started, result, value)
            n += 1

    def answered(self) -> int:
        with self.lock:
            return sum(1 for entry in self.records if entry["status"] is not None)

    def until(self, answered, deadline):
        while self.answered() < answered:
            assert time.monotonic() < deadline, f"only {self.answered()} answers before the deadline"
            time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


def answered_by_b(log_path) -> int:
    return sum(1 for line in log_path.read_text().splitlines() if line.startswith('{"request_id"'))


@pytest.mark.usefixtures("live_db")
def test_an_instance_killed_under_load_costs_only_its_requests_in_flight(instances, token, store):
    from django.contrib.auth.models import User

    front = instances["nginx"]
    first_version = Place.history.filter(slug="mukden").latest("history_id").history_id
    deadline = time.monotonic() + 40
    with Load(front, token) as load:
        load.until(200, deadline)
        # nginx was sending B its share of the load.
        assert answered_by_b(instances["b_log"]) > 10
        killing = time.monotonic()
        os.killpg(instances["b_process"].pid, signal.SIGKILL)
        # Gone once its last process is: until then its socket still takes connections.
        while listening(instances["b_port"]):
            assert time.monotonic() < deadline
        killed = time.monotonic()
        load.until(load.answered() + 200, deadline)
    records = load.records

    # The only requests that may fail are those B held when it died (nginx passes a read that
    # fails there to A, but not a write it has sent: that could do it twice).
    failed = [entry for entry in records if entry["status"] != HTTPStatus.OK]
    assert all(entry["started"] < killed and entry["ended"] > killing for entry in failed), failed
    after = [entry for entry in records if entry["started"] > killed]
    assert sum(entry["status"] == HTTPStatus.OK for entry in after) >= 150
    assert {entry["kind"] for entry in after} == {"editor", "anonymous", "write"}

    # The throttle: one count in Redis for the editor, shared by both instances, so every
    # answer saw a number no other answer saw (counting apart, the two would repeat them).
    # A request B counted and died serving, then counted again by A, is one of B's in flight.
    counted = [
        entry["remaining"] for entry in records if entry["kind"] != "anonymous" and entry["status"] == 200
    ]
    assert len(set(counted)) == len(counted)
    user = User.objects.get(username="instance-editor")
    in_redis = int(store.get(f"throttle_user_{user.pk}"))
    assert len(counted) <= in_redis <= len(counted) + WORKERS

    # The history: every write that was answered is in it once, nothing else is but a write
    # whose answer was lost with B, and the record is its last version.
    written = [entry for entry in records if entry["kind"] == "write"]
    acknowledged = [entry["value"] for entry in written if entry["status"] == HTTPStatus.OK]
    lost = {entry["value"] for entry in written if entry["status"] != HTTPStatus.OK}
    versions = list(
        Place.history.filter(slug="mukden", history_id__gt=first_version)
        .order_by("history_id")
        .values_list("modern_name", flat=True)
    )
    assert [value for value in versions if value not in lost] == acknowledged
    assert len(versions) - len(acknowledged) <= len(lost)
    stored = Place.objects.get(slug="mukden").modern_name
    assert stored == versions[-1]

    # The caches: the instance left answers what is stored, to anyone, as nginx does to the
    # editor; an anonymous reader through nginx gets it once nginx's copy has run out.
    assert modern_name(instances["a"])[0] == stored
    assert modern_name(instances["a"], token)[0] == stored
    assert modern_name(front, token)[0] == stored
    deadline = time.monotonic() + MAX_AGE + 10
    while modern_name(front)[0] != stored:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_the_configuration_printed_for_an_nginx_of_ones_own_is_the_one_served(tmp_path):
    if nginx_binary() is None:
        pytest.skip("Debian's nginx is not installed (apt-get install nginx; .ci/run installs it)")
    printed = subprocess.run(
        [
            *(sys.executable, "deploy/serve.py", "--print-config", "--run-dir", str(tmp_path)),
            *("--proxy-cache", "--upstream", "127.0.0.1:8001", "--upstream", "127.0.0.1:8002"),
        ],
        cwd=ROOT,
        env=manage_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "server 127.0.0.1:8001 max_fails=1 fail_timeout=5s;" in printed
    assert "server 127.0.0.1:8002 max_fails=1 fail_timeout=5s;" in printed
    assert "proxy_cache answers;" in printed
    assert re.findall(r"@[A-Z_]+@", printed) == ["@NAMES@"]  # the comment's: every name is filled in
    conf = tmp_path / "nginx.conf"
    conf.write_text(printed)
    checked = subprocess.run(
        [nginx_binary(), "-p", str(tmp_path), "-c", str(conf), "-e", "stderr", "-t"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
