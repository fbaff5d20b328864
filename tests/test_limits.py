"""Limits a client cannot walk around: who the client is, what counts against its rate
limit, whose login a lockout stops, and how large a body may be."""

import http.client
import ipaddress
import json
import socket
import threading
import time
from http import HTTPStatus

import pytest
from django.test import Client
from werkzeug.test import Client as WsgiClient

from api.clients import client_address
from api.throttling import MemoryCounter
from config.wsgi import application
from tests.conftest import keeping_the_connection
from tests.servers import database_url, gunicorn

PROXY = "127.0.0.1"  # the test client's REMOTE_ADDR, standing for the TLS proxy in front


@pytest.fixture
def behind_the_proxy(settings):
    settings.API_TRUSTED_PROXIES = [ipaddress.ip_network(PROXY), ipaddress.ip_network("10.0.0.0/8")]


def statuses(responses) -> list:
    return [response.status_code for response in responses]


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # Not from a trusted proxy: what it says of itself is not believed.
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),
        # From the proxy: the address it saw.
        (PROXY, "203.0.113.7", "203.0.113.7"),
        # The client wrote the left part itself; the proxy appended what it saw.
        (PROXY, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        # Through two trusted proxies, the rightmost address neither of them is.
        (PROXY, "6.6.6.6, 203.0.113.7, 10.1.2.3", "203.0.113.7"),
        (PROXY, "::ffff:203.0.113.7", "203.0.113.7"),
        # Nothing a trusted proxy wrote: the proxy is all that is known.
        (PROXY, "", PROXY),
        (PROXY, "unknown", PROXY),
    ],
)
def test_the_client_is_the_rightmost_address_no_trusted_proxy_wrote(
    behind_the_proxy, remote, forwarded, client
):
    assert client_address({"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}) == client


@pytest.mark.django_db
def test_a_forwarded_for_header_names_no_one_without_a_trusted_proxy(tight_limits):
    spoofed = [Client().get("/api/v1/places/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(4)]
    assert statuses(spoofed) == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_limit(tight_limits, behind_the_proxy):
    first = [Client().get("/api/v1/places/", HTTP_X_FORWARDED_FOR="203.0.113.7") for _ in range(3)]
    # Prepending another address to the header changes nothing: the proxy's part is kept.
    spoofing = Client().get("/api/v1/places/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    other = Client().get("/api/v1/places/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert statuses([*first, spoofing, other]) == [HTTPStatus.OK] * 3 + [
        HTTPStatus.TOO_MANY_REQUESTS,
        HTTPStatus.OK,
    ]


@pytest.mark.django_db
def test_cached_answers_count_against_the_same_client(tight_limits, behind_the_proxy):
    wsgi = WsgiClient(keeping_the_connection(application))
    application.answers.clear()

    def read(forwarded):
        headers = {"Accept": "application/json", "X-Forwarded-For": forwarded}
        return wsgi.get("/api/v1/places/", headers=headers, environ_base={"REMOTE_ADDR": PROXY})

    # The first answer comes from Django, the next ones from the cache: one count for both.
    first = [read(f"{n}.{n}.{n}.{n}, 203.0.113.7") for n in range(4)]
    other = read("198.51.100.2")
    assert [response.status_code for response in [*first, other]] == [HTTPStatus.OK] * 3 + [
        HTTPStatus.TOO_MANY_REQUESTS,
        HTTPStatus.OK,
    ]
    assert other.headers["RateLimit-Remaining"] == "2"


@pytest.mark.django_db
def test_failed_logins_lock_out_their_address_only(behind_the_proxy, make_user):
    make_user("named-editor")

    def sign_in(address, password):
        return Client().post(
            "/api/v1/auth/token/",
            {"username": "named-editor", "password": password},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=address,
        )

    for _ in range(5):
        assert sign_in("203.0.113.66", "wrong").status_code == HTTPStatus.UNAUTHORIZED
    # The attacker's address is locked out for this username, even with the right password...
    assert sign_in("203.0.113.66", "pw-named-editor").status_code == HTTPStatus.UNAUTHORIZED
    # ...and the editor, behind the same proxy, still signs in from their own.
    signed_in = sign_in("198.51.100.20", "pw-named-editor")
    assert signed_in.status_code == HTTPStatus.OK
    assert signed_in.json()["token"]


@pytest.mark.django_db
def test_requests_with_a_wrong_token_count_against_the_limit(tight_limits):
    wrong = [Client().get("/api/v1/places/", HTTP_AUTHORIZATION="Token nosuchtoken") for _ in range(4)]
    assert statuses(wrong) == [HTTPStatus.UNAUTHORIZED] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]
    assert int(wrong[-1]["Retry-After"]) > 0
    assert Client().get("/api/v1/places/").status_code == HTTPStatus.TOO_MANY_REQUESTS


@pytest.mark.django_db
def test_anonymous_writes_count_against_the_limit(tight_limits):
    client = Client()
    writes = [
        client.post("/api/v1/places/", {"slug": "x", "name": "X"}, content_type="application/json"),
        client.patch("/api/v1/places/mukden/", {"name": "X"}, content_type="application/json"),
        client.delete("/api/v1/places/mukden/"),
        client.post("/api/v1/places/", {"slug": "x", "name": "X"}, content_type="application/json"),
    ]
    assert statuses(writes) == [HTTPStatus.UNAUTHORIZED] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]


@pytest.mark.django_db
def test_token_requests_count_against_the_limit(tight_limits, make_user):
    make_user("guessed")

    def attempt(password):
        return Client().post(
            "/api/v1/auth/token/",
            {"username": "guessed", "password": password},
            content_type="application/json",
        )

    guesses = [attempt(f"guess-{n}") for n in range(3)]
    # Past the limit even the right password is not tried.
    assert statuses([*guesses, attempt("pw-guessed")]) == [HTTPStatus.UNAUTHORIZED] * 3 + [
        HTTPStatus.TOO_MANY_REQUESTS
    ]


@pytest.mark.django_db
def test_an_editor_without_the_permission_counts_against_the_editor_limit(tight_limits, make_user, api_as):
    editor = api_as(make_user("no-rights"))
    refused = [editor.patch("/api/v1/places/mukden/", {"name": "X"}, format="json") for _ in range(6)]
    assert statuses(refused) == [HTTPStatus.FORBIDDEN] * 5 + [HTTPStatus.TOO_MANY_REQUESTS]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=b", "application/x-www-form-urlencoded", "text/plain"],
)
def test_the_token_endpoint_takes_json_only(make_user, content_type):
    make_user("form-user")
    bodies = {
        "multipart/form-data; boundary=b": (
            '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nform-user\r\n'
            '--b\r\nContent-Disposition: form-data; name="password"\r\n\r\npw-form-user\r\n--b--\r\n'
        ),
        "application/x-www-form-urlencoded": "username=form-user&password=pw-form-user",
        "text/plain": "username=form-user&password=pw-form-user",
    }
    response = Client().post("/api/v1/auth/token/", bodies[content_type], content_type=content_type)
    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_a_body_over_the_bound_is_a_413(make_user, api_as):
    editor = api_as(make_user("big-writer", superuser=True))
    response = editor.patch("/api/v1/places/mukden/", {"modern_name": "x" * 300_000}, format="json")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 413


def announce_a_huge_body(port: int, head: str) -> http.client.HTTPResponse:
    """Send `head` claiming a 100 MB body, then only a little of it; the answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + b"x" * 1000)
    answer = http.client.HTTPResponse(sock)
    answer.begin()
    return answer


@pytest.mark.parametrize(
    "head",
    [
        # A file upload to the token endpoint, anonymously.
        "POST /api/v1/auth/token/ HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: multipart/form-data; boundary=b\nContent-Length: 104857600\n\n"
        '--b\nContent-Disposition: form-data; name="file"; filename="big"\n',
        # JSON to a write, anonymously.
        "PATCH /api/v1/places/mukden/ HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: application/json\nContent-Length: 104857600\n\n",
        # A form to the admin's login.
        "POST /admin/login/ HTTP/1.1\nHost: 127.0.0.1\n"
        "Content-Type: multipart/form-data; boundary=b\nContent-Length: 104857600\n\n",
    ],
)
def test_a_huge_body_is_refused_before_it_is_read(django_db_setup, head):
    with gunicorn(DATABASE_URL=database_url()) as (base, _):
        answer = announce_a_huge_body(int(base.rsplit(":", 1)[1]), head)
        # Were the server reading the body, it would wait for the 100 MB and the read time out.
        assert answer.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        assert answer.getheader("Content-Type") == "application/problem+json"
        assert json.loads(answer.read())["status"] == 413


class Yielding(dict):
    """A dict that lets other threads run between reading a count and writing it back."""

    def get(self, *args):
        value = super().get(*args)
        time.sleep(0)
        return value


def test_the_memory_counter_counts_each_request_once_across_threads():
    memory = MemoryCounter()
    memory.windows = Yielding()
    counts = []

    def client():
        counts.extend(memory.hit("throttle_anon_203.0.113.7", 60)[0] for _ in range(200))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each request got a count of its own: none was lost between two threads.
    assert sorted(counts) == list(range(1, 1601))
