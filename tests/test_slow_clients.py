"""The production server (deploy/serve.py: nginx buffering in front of gunicorn's sync workers)
started for real on 127.0.0.1: slow clients hold no worker, and the proxy passes on the
client's address and scheme and nothing a client says about them, and refuses bodies past the
application's limit before reading them.

Each failure condition is a socket timeout or a deadline, never a measured speed.
"""

import http.client
import json
import select
import shutil
import socket
import ssl
import subprocess
import time
from http import HTTPStatus

import pytest

from tests.servers import database_url, get, production_server

# The servers read the dataset the session loaded into the test database.
pytestmark = pytest.mark.django_db

WORKERS = 2
# Seconds nginx gives a client for its headers, and between two reads of its body.
CLIENT_TIMEOUT = 8
# An answer slower than this is a failure: the service is being held.
ANSWER_TIMEOUT = 4
MAX_BODY_BYTES = 4096

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3+Vq9#pZ2!mW7@rT5$yL1%nB8^cX4&dF6*gH0(jS2)aQ9-eU7_iO3=vR5~tY1",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    # Trusts X-Forwarded-Proto: what the proxy sends must be the truth.
    "DJANGO_BEHIND_TLS_PROXY": "true",
}


@pytest.fixture(scope="module")
def server(django_db_setup):
    """Plain HTTP (TLS is tested on its own), WORKERS sync workers; yields the port."""
    env = PRODUCTION | {
        "DATABASE_URL": database_url(),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    }
    with production_server("--client-timeout", str(CLIENT_TIMEOUT), workers=WORKERS, **env) as (port, _):
        yield port


def status(url, **kwargs) -> int:
    return get(url, timeout=ANSWER_TIMEOUT, **kwargs)[0]


class SlowClient:
    """A connection that sends the start of its request, then the rest a byte at a time."""

    def __init__(self, port: int, start: bytes, rest: bytes):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT)
        self.socket.sendall(start)
        self.rest = iter(rest)
        self.is_closed = False

    @classmethod
    def headers(cls, port):
        """Headers that never end."""
        return cls(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: " + b"a" * 1000)

    @classmethod
    def body(cls, port):
        """Whole headers, then a body that never ends."""
        start = (
            b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        return cls(port, start, b" " * 1000)

    def send_a_byte(self):
        try:
            self.socket.send(bytes([next(self.rest)]))
        except OSError:
            self.is_closed = True

    def closed(self) -> bool:
        """Whether the server has closed (or reset) the connection; does not wait."""
        while not self.is_closed and select.select([self.socket], [], [], 0)[0]:
            try:
                # An answer before the close (nginx's 408) is read and passed over.
                self.is_closed = self.socket.recv(65536) == b""
            except OSError:
                self.is_closed = True
        return self.is_closed

    def close(self):
        self.socket.close()


def test_slow_clients_hold_no_worker_and_are_dropped(server):
    base = f"http://127.0.0.1:{server}"
    # Warm the workers first: an answer below is held up by the slow clients or by nothing.
    for _ in range(2 * WORKERS):
        assert status(base + "/api/v1/parties/") == HTTPStatus.OK
    # More slow clients of each kind than there are workers: served directly by gunicorn's
    # sync workers, the headers alone would leave none for anyone else.
    slow_headers = [SlowClient.headers(server) for _ in range(WORKERS + 1)]
    slow_bodies = [SlowClient.body(server) for _ in range(WORKERS + 1)]
    slow = slow_headers + slow_bodies
    try:
        for _ in range(2):
            for client in slow:
                client.send_a_byte()
            assert status(base + "/healthz") == HTTPStatus.OK
            assert status(base + "/api/v1/parties/") == HTTPStatus.OK
            # They were all still hanging on while those were answered.
            assert [client.closed() for client in slow] == [False] * len(slow)
            time.sleep(1)

        # Headers still trickling in, a byte a second, are dropped once the timeout has run
        # since the connection opened; a body that stops moving, once it has been still for it.
        deadline = time.monotonic() + CLIENT_TIMEOUT + 10
        while not all(client.closed() for client in slow) and time.monotonic() < deadline:
            for client in slow_headers:
                client.send_a_byte()
            time.sleep(1)
        assert [client.closed() for client in slow] == [True] * len(slow)
        assert status(base + "/healthz") == HTTPStatus.OK
    finally:
        for client in slow:
            client.close()


def raw_request(port: int, request: bytes) -> tuple[int, dict, bytes]:
    """Send `request` as it is; (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT) as connection:
        connection.sendall(request)
        # Read to the answer's Content-Length: nginx may linger for a body it refused.
        answer = http.client.HTTPResponse(connection)
        answer.begin()
        return answer.status, dict(answer.headers), answer.read()


def test_a_body_past_the_apps_limit_is_refused_before_it_is_sent(server):
    # Headers only: the answer comes without the body ever being sent.
    answer = raw_request(
        server,
        b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + f"Content-Type: application/json\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode(),
    )
    code, headers, body = answer
    assert code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(body) == {
        "type": "about:blank",
        "title": "Content Too Large",
        "status": 413,
        "detail": f"The body is larger than the {MAX_BODY_BYTES} bytes this service accepts.",
        "instance": "/api/v1/auth/token/",
    }


def test_a_body_at_the_apps_limit_reaches_the_app(server):
    body = b"[" + b" " * (MAX_BODY_BYTES - 2) + b"]"
    answer = raw_request(
        server,
        b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )
    code, headers, _ = answer
    assert code != HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "X-Request-ID" in headers  # Django's answer, not nginx's


def test_what_nginx_refuses_itself_is_a_problem_too(server):
    code, headers, body = raw_request(server, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon\r\n\r\n")
    assert (code, headers["Content-Type"]) == (HTTPStatus.BAD_REQUEST, "application/problem+json")
    assert json.loads(body)["status"] == HTTPStatus.BAD_REQUEST
    code, _, body = raw_request(server, b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert code == json.loads(body)["status"] == HTTPStatus.REQUEST_URI_TOO_LONG


def test_the_client_cannot_claim_a_scheme(server):
    # Over plain HTTP, the client's own X-Forwarded-Proto / -Ssl are not passed on: the
    # records' links say http, as the connection is.
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "Forwarded": "proto=https"}
    code, _, body = get(f"http://127.0.0.1:{server}/api/v1/parties/", spoofed, timeout=ANSWER_TIMEOUT)
    assert code == HTTPStatus.OK
    assert json.loads(body)["results"][0]["url"].startswith(f"http://127.0.0.1:{server}/api/v1/parties/")


def test_the_client_cannot_claim_an_address():
    # One worker counts every request in its memory; nginx sends the connection's address as
    # X-Forwarded-For, whatever the client put there, so new "addresses" buy nothing.
    env = PRODUCTION | {
        "DATABASE_URL": database_url(),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "API_ANON_RATE": "3/minute",
        "REDIS_URL": "",
    }
    with production_server(**env) as (port, _):
        codes = [
            status(f"http://127.0.0.1:{port}/api/v1/parties/", headers={"X-Forwarded-For": f"10.0.0.{n}"})
            for n in range(4)
        ]
    assert codes == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]


@pytest.fixture
def certificate(tmp_path):
    if shutil.which("openssl") is None:
        raise AssertionError("openssl is not installed; .ci/run installs it")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_over_tls_the_app_sees_https(certificate):
    cert, key = certificate
    env = PRODUCTION | {"DATABASE_URL": database_url()}  # HTTPS redirect on, as in production
    with production_server("--tls-cert", str(cert), "--tls-key", str(key), **env) as (port, _):
        context = ssl.create_default_context(cafile=cert)
        code, headers, body = get(
            f"https://127.0.0.1:{port}/api/v1/parties/", timeout=ANSWER_TIMEOUT, context=context
        )
        assert code == HTTPStatus.OK  # not redirected to itself
        assert json.loads(body)["results"][0]["url"].startswith(f"https://127.0.0.1:{port}/")
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        # Plain HTTP on the HTTPS port is refused, in the same shape.
        code, _, body = raw_request(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert code == json.loads(body)["status"] == HTTPStatus.BAD_REQUEST
