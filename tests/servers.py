"""A real server for the tests that need one: gunicorn in its own process, on 127.0.0.1."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What every gunicorn of the project runs with, production's included.
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.py"


def manage_env(**env):
    """This environment without the project's own settings, plus `env`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    return environment | env


def manage(*args, **env):
    """Run manage.py in its own process with manage_env(**env); the finished process."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=manage_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def database_url() -> str:
    """The test database, as a URL a server process can open."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


def listening(port: int) -> bool:
    """Something accepts connections on 127.0.0.1:port (PostgreSQL, Redis)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, headers=None, timeout=15, context=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextlib.contextmanager
def gunicorn(workers=1, ready_path="/healthz", log=subprocess.DEVNULL, **env):
    """Serve config.wsgi with `workers` processes, writing its output (the request log) to
    `log`; yields (base URL, the master process). The master leads a process group of its own
    and its workers: os.killpg(master.pid, SIGKILL) takes the whole instance down at once."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(GUNICORN_CONFIG),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=manage_env(**env),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                get(base + ready_path)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=15)


@contextlib.contextmanager
def production_server(*args, workers=1, **env):
    """The production server (deploy/serve.py: nginx in front of gunicorn) with `args`, on a
    free port; yields (its port, the process). Fails, with its log, if it does not start.
    With `workers=None` no --workers is given (nginx alone in front of `--upstream`s)."""
    from deploy.serve import READY, nginx_binary

    if nginx_binary() is None:
        raise AssertionError("Debian's nginx is not installed; .ci/run installs it (apt-get install nginx)")
    if workers is not None:
        args = (f"--workers={workers}", *args)
    # The port is free when chosen, and another process (the suite's other run in CI) may bind
    # it before nginx does: nginx then exits, and the server is started again on another.
    for _ in range(3):
        port = free_port()
        with tempfile.TemporaryFile() as log:
            server = subprocess.Popen(
                [sys.executable, "deploy/serve.py", "--bind", f"127.0.0.1:{port}", *args],
                cwd=ROOT,
                env=manage_env(**env),
                stdout=log,
                stderr=log,
            )
            try:
                # Ready once it says so, not once the port accepts: another process's could.
                deadline = time.monotonic() + 60
                while server.poll() is None and time.monotonic() < deadline:
                    log.seek(0)
                    if f"{READY} 127.0.0.1:{port}".encode() in log.read():
                        yield port, server
                        return
                    time.sleep(0.1)
                log.seek(0)
                output = log.read().decode(errors="replace")
                if server.poll() is None or "Address already in use" not in output:
                    raise AssertionError("deploy/serve.py did not start:\n" + output)
            finally:
                server.terminate()
                server.wait(timeout=60)
    raise AssertionError("deploy/serve.py found no free port in three tries")


def redis_url(number: int) -> str:
    """Redis database `number` (8 to 15) for a test on SQLite, `number - 8` on PostgreSQL: CI
    runs the suite on both side by side, and each test empties its Redis database."""
    from django.db import connection

    assert 8 <= number <= 15, number
    return f"redis://127.0.0.1:6379/{number if connection.vendor == 'sqlite' else number - 8}"


@contextlib.contextmanager
def redis_database(url):
    """A Redis database emptied before and after; the test skips, saying why, without Redis."""
    import pytest
    import redis

    if not listening(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI and developer machines have it)")
    store = redis.Redis.from_url(url)
    store.flushdb()
    try:
        yield store
    finally:
        store.flushdb()
        store.close()
