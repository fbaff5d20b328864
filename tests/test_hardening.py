"""Production settings, security headers, rate limits, health, and behaviour with no database."""

import contextlib
import json
import logging
import socket
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.test import Client

from tests.servers import ROOT, database_url, free_port, get, gunicorn, listening, manage_env, redis_url

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3+Vq9#pZ2!mW7@rT5$yL1%nB8^cX4&dF6*gH0(jS2)aQ9-eU7_iO3=vR5~tY1",
    "DJANGO_ALLOWED_HOSTS": "api.example.org",
}


def test_check_deploy_reports_nothing_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=manage_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_short_secret_is_refused_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=manage_env(**(PRODUCTION | {"DJANGO_SECRET_KEY": "short"})),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50 characters" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/parties/", "/api/v1/nowhere/", "/api/docs/", "/admin/login/"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_hsts_is_sent_over_tls_in_production(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/api/v1/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in Client().get("/api/v1/")


@pytest.mark.django_db
def test_anonymous_clients_are_throttled_with_retry_after(tight_limits, client):
    statuses = [client.get("/api/v1/places/").status_code for _ in range(3)]
    assert statuses == [HTTPStatus.OK] * 3
    limited = client.get("/api/v1/places/")
    assert limited.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert limited["Content-Type"] == "application/problem+json"
    assert 0 < int(limited["Retry-After"]) <= 60
    assert (limited["RateLimit-Limit"], limited["RateLimit-Remaining"]) == ("3", "0")
    # The counter is the process's, not this client's or this handler's.
    assert Client().get("/api/v1/parties/").status_code == HTTPStatus.TOO_MANY_REQUESTS


@pytest.mark.django_db
def test_the_rate_limit_headers_count_down(tight_limits, client):
    remaining = [client.get("/api/v1/").headers["RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]


@pytest.mark.django_db
def test_editors_get_a_higher_limit(tight_limits, make_user, api_as):
    editor = api_as(make_user("busy-editor"))
    statuses = [editor.get("/api/v1/places/").status_code for _ in range(6)]
    assert statuses == [HTTPStatus.OK] * 5 + [HTTPStatus.TOO_MANY_REQUESTS]


@pytest.mark.django_db
def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_each_request_is_one_json_log_line_with_its_id(client):
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger = logging.getLogger("requests")
    logger.addHandler(handler)
    try:
        response = client.get("/api/v1/places/mukden/", HTTP_X_REQUEST_ID="trace-42")
        generated = client.get("/api/v1/places/atlantis/")
    finally:
        logger.removeHandler(handler)
    assert response["X-Request-ID"] == "trace-42"
    first, second = (json.loads(line) for line in lines)
    assert first | {"duration_ms": 0} == {
        "request_id": "trace-42",
        "method": "GET",
        "path": "/api/v1/places/mukden/",
        "status": 200,
        "duration_ms": 0,
        "user": None,
        "remote_addr": "127.0.0.1",
    }
    assert second["status"] == 404
    assert second["request_id"] == generated["X-Request-ID"]
    assert len(second["request_id"]) == 32


def test_with_the_database_unreachable_requests_get_a_quick_503():
    # The production server (gunicorn) pointed at a PostgreSQL port where nothing listens.
    dead = f"postgres://postgres@127.0.0.1:{free_port()}/postgres"
    with gunicorn(DATABASE_URL=dead) as (base, _):
        assert get(base + "/healthz")[0] == HTTPStatus.OK
        for path in ("/readyz", "/api/v1/parties/", "/api/v1/places/mukden/"):
            status, headers, body = get(base + path)
            assert status == HTTPStatus.SERVICE_UNAVAILABLE, path
            assert headers["Content-Type"] == "application/problem+json"
            assert headers["Retry-After"] == "5"
            assert json.loads(body)["status"] == 503
            assert b"Traceback" not in body
        assert json.loads(get(base + "/readyz")[2])["checks"] == {"database": "unavailable"}


class Switch:
    """A TCP forwarder to PostgreSQL that a test can cut and restore: the database "goes away"
    and "comes back" without touching the real server."""

    def __init__(self, target_port=5432):
        import threading

        self.threading = threading
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.open = threading.Event()
        self.connections = []
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen()
        self.listener.settimeout(0.2)
        self.running = True
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            if not self.open.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                self.threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.close()

    def cut(self):
        self.open.clear()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.connections = []

    def restore(self):
        self.open.set()

    def close(self):
        self.running = False
        self.cut()
        self.listener.close()


@pytest.mark.postgres
def test_the_service_recovers_by_itself_when_the_database_comes_back():
    if not listening(5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432 (CI and developer machines have it)")
    switch = Switch()
    switch.restore()
    try:
        with gunicorn(
            ready_path="/readyz", DATABASE_URL=f"postgres://postgres@127.0.0.1:{switch.port}/postgres"
        ) as (base, _):
            assert get(base + "/readyz")[0] == HTTPStatus.OK
            switch.cut()
            assert get(base + "/readyz")[0] == HTTPStatus.SERVICE_UNAVAILABLE
            switch.restore()
            assert get(base + "/readyz")[0] == HTTPStatus.OK
    finally:
        switch.close()


@pytest.mark.django_db
def test_the_admin_locks_out_repeated_failed_logins(client, django_user_model):
    django_user_model.objects.create_superuser("target", "t@example.org", "the-right-password")
    for _ in range(5):
        failed = client.post("/admin/login/", {"username": "target", "password": "wrong"})
        assert failed.status_code in (HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS)
    locked = client.post("/admin/login/", {"username": "target", "password": "the-right-password"})
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "locked" in locked.content.decode().lower()
    assert "_auth_user_id" not in client.session
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "target", "password": "the-right-password"},
        content_type="application/json",
    )
    assert token.status_code == HTTPStatus.UNAUTHORIZED


REDIS_URL = redis_url(15)


def test_two_servers_count_one_rate_limit_in_redis():
    if not listening(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI and developer machines have it)")
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    limits = {"REDIS_URL": REDIS_URL, "API_ANON_RATE": "6/minute"}
    try:
        with gunicorn(**limits) as (first, _), gunicorn(**limits) as (second, _):
            answers = [get(base + "/api/v1/")[:2] for base in [first, second] * 4]
            assert [status for status, _ in answers] == [HTTPStatus.OK] * 6 + [
                HTTPStatus.TOO_MANY_REQUESTS
            ] * 2
            assert [headers["RateLimit-Remaining"] for _, headers in answers[:6]] == [
                "5",
                "4",
                "3",
                "2",
                "1",
                "0",
            ]
            assert 0 < int(answers[-1][1]["Retry-After"]) <= 60
            assert store.keys("*throttle_anon*")
    finally:
        store.flushdb()


REDIS_URL_DB13 = redis_url(13)


def test_rate_limits_count_in_process_memory_while_redis_does_not_answer(caplog, monkeypatch):
    if not listening(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI and developer machines have it)")
    import redis

    from api.throttling import MemoryCounter, RedisCounter

    # Ask Redis again on every request, so that every one of them finds it down.
    monkeypatch.setattr(RedisCounter, "RETRY_SECONDS", 0)
    store = redis.Redis.from_url(REDIS_URL_DB13)
    store.flushdb()
    switch = Switch(target_port=6379)
    through = RedisCounter(f"redis://127.0.0.1:{switch.port}/13", MemoryCounter())
    try:
        with caplog.at_level(logging.WARNING, logger="api.throttling"):
            counts = [through.hit("throttle_anon_client", 60)[0] for _ in range(3)]
            down = [record.getMessage() for record in caplog.records]
            switch.restore()
            caplog.clear()
            counts.append(through.hit("throttle_anon_client", 60)[0])
            back = [record.getMessage() for record in caplog.records]
    finally:
        switch.close()
        store.flushdb()
        store.close()
    assert counts == [1, 2, 3, 1]
    # Said once for the outage, not once a request; and once when it is over.
    assert len(down) == 1
    assert "counting in process memory" in down[0]
    assert back == ["Redis answers again; rate limits count there"]


@contextlib.contextmanager
def hung_redis():
    """A port where connections are accepted (by the kernel) and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/13"


@contextlib.contextmanager
def refusing_redis():
    yield f"redis://127.0.0.1:{free_port()}/13"


@pytest.mark.parametrize("redis_down", [hung_redis, refusing_redis])
def test_with_redis_down_reads_answer_and_readiness_says_degraded(django_db_setup, redis_down):
    with redis_down() as url, gunicorn(REDIS_URL=url, DATABASE_URL=database_url()) as (base, _):
        # Within get()'s 15 s: a Redis waited for without a bound would hold the worker for good.
        for path in ("/api/v1/places/", "/api/v1/places/mukden/", "/api/v1/places/"):
            status, headers, _ = get(base + path)
            assert status == HTTPStatus.OK, path
            assert int(headers["RateLimit-Remaining"]) >= 0
        status, _, body = get(base + "/readyz")
        assert status == HTTPStatus.OK
        checks = {"database": "ok", "redis": "unavailable"}
        assert json.loads(body) == {"status": "degraded", "checks": checks}


def test_readiness_reports_redis_when_it_answers(django_db_setup):
    if not listening(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI and developer machines have it)")
    with gunicorn(REDIS_URL=REDIS_URL_DB13, DATABASE_URL=database_url()) as (base, _):
        status, _, body = get(base + "/readyz")
    assert status == HTTPStatus.OK
    assert json.loads(body) == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
