"""Faults under load, against a real server with several worker processes."""

import http.client
import json
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest

from tests.servers import database_url, get, gunicorn

WORKERS = 3
CLIENTS = 6
REQUESTS_PER_CLIENT = 60  # about a third of them writes
KILLS = 3
DEADLINE_SECONDS = 120


def workers_of(master_pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # The parent pid is the second field after the parenthesised command name.
            if int(stat.rsplit(")", 1)[1].split()[1]) == master_pid:
                children.append(int(entry))
    return children


def send(method, url, token, body=None):
    """(status, body) or (None, the error) when the connection failed mid-request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException) as error:
        # Refused, reset, or cut off mid-answer (IncompleteRead) by a killed worker.
        return None, repr(error)


def new_term(client: int, n: int) -> dict:
    number = 1000 + client * REQUESTS_PER_CLIENT + n
    return {
        "slug": f"load-{client}-{n}",
        "treaty": "portsmouth-treaty",
        "number": number,
        "wording": f"Wording written by client {client}, request {n}.",
        "parties": [
            {"party": "japan", "role": "bound", "basis": "document"},
            {"party": "russia", "role": "beneficiary", "basis": "document"},
        ],
        "places": [{"place": "port-arthur", "role": "subject", "basis": "document"}],
    }


@pytest.mark.usefixtures("live_db")
def test_every_acknowledged_write_survives_a_worker_killed_under_load(make_user):
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    from treaties.models import TreatyTerm

    editor = make_user("load-editor")
    editor.user_permissions.set(Permission.objects.filter(content_type__app_label="treaties"))
    token = Token.objects.create(user=editor).key
    attempts, lock = [], threading.Lock()

    with gunicorn(workers=WORKERS, DATABASE_URL=database_url(), API_EDITOR_RATE="100000/minute") as (
        base,
        master,
    ):
        assert get(base + "/readyz")[0] == HTTPStatus.OK
        # One worker answering does not mean all have booted.
        for _ in range(100):
            if len(workers_of(master.pid)) == WORKERS:
                break
            time.sleep(0.1)
        assert len(workers_of(master.pid)) == WORKERS

        crashed = []

        def client(number):
            try:
                run_client(number)
            except Exception as error:  # a client that dies would quietly shrink the load
                crashed.append(repr(error))
                raise

        def run_client(number):
            rng = random.Random(number)
            for n in range(REQUESTS_PER_CLIENT):
                if rng.random() < 0.35:
                    body = new_term(number, n)
                    status, answer = send("POST", f"{base}/api/v1/terms/", token, body)
                    with lock:
                        attempts.append((body, status, answer))
                else:
                    path = rng.choice(["/api/v1/terms/", "/api/v1/timeline/", "/api/v1/parties/japan/"])
                    send("GET", base + path, token)

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        # Kill a worker outright, a few times while the load runs; gunicorn starts another each
        # time. A killed worker takes whatever request it was serving down with it.
        started = time.monotonic()
        victims = []
        while any(t.is_alive() for t in threads) and time.monotonic() - started < DEADLINE_SECONDS:
            if len(victims) < KILLS and len(attempts) >= (len(victims) + 1) * CLIENTS:
                victims.append(workers_of(master.pid)[0])
                os.kill(victims[-1], signal.SIGKILL)
            time.sleep(0.01)
        for thread in threads:
            thread.join(timeout=1)
        assert not any(t.is_alive() for t in threads), "the load did not finish in time"
        assert not crashed, crashed
        assert len(victims) == KILLS
        assert not set(victims) & set(workers_of(master.pid))
        assert get(base + "/readyz")[0] == HTTPStatus.OK

    acknowledged = [body for body, status, _ in attempts if status == HTTPStatus.CREATED]
    failed = [(body["slug"], status, answer) for body, status, answer in attempts if status is None]
    refused = [
        (body["slug"], status, answer) for body, status, answer in attempts if status not in (201, None)
    ]
    assert not refused, refused
    assert len(acknowledged) >= len(attempts) // 2, (len(acknowledged), len(attempts), failed)
    print(f"\n{len(attempts)} writes: {len(acknowledged)} acknowledged, {len(failed)} cut off by a kill")

    stored = {
        term.slug: term
        for term in TreatyTerm.objects.filter(slug__startswith="load-").prefetch_related(
            "party_roles__party", "places"
        )
    }
    for body in acknowledged:
        term = stored.get(body["slug"])
        assert term is not None, f"{body['slug']} was acknowledged but is not in the database"
    # Every record there is whole, acknowledged or not: its rows and its history came with it.
    for slug, term in stored.items():
        body = next(body for body, _, _ in attempts if body["slug"] == slug)
        assert term.wording == body["wording"], slug
        assert {(row.party.slug, row.role) for row in term.party_roles.all()} == {
            (row["party"], row["role"]) for row in body["parties"]
        }, slug
        assert [place.slug for place in term.places.all()] == [row["place"] for row in body["places"]], slug
        assert term.history.order_by("history_id").first().history_type == "+", slug
