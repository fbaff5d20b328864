"""The production server: nginx, buffering, in front of gunicorn's sync workers.

    .venv/bin/python deploy/serve.py --bind 0.0.0.0:443 --tls-cert CERT --tls-key KEY

Gunicorn's sync workers each serve one connection at a time, so a client sending its request
slowly would hold a worker for as long as it likes; a few such clients stop the service.
nginx reads every request whole (and takes every answer whole) before a worker is involved,
and drops a client that is too slow (deploy/nginx.conf.template). gunicorn listens on
127.0.0.1 only, on a port of its own; nginx listens on --bind, with TLS when given a
certificate (it is then the TLS proxy DJANGO_BEHIND_TLS_PROXY speaks of).

This process starts gunicorn, then nginx once gunicorn accepts connections, and stops both
when it gets SIGTERM or SIGINT, or when either of them exits. It needs Debian's nginx
(apt-get install nginx). The settings come from the environment, as for manage.py.

In front of several instances (each a gunicorn serving config.wsgi, on this host or others,
sharing one database and one Redis), it starts nginx alone, balancing over them:

    .venv/bin/python deploy/serve.py --bind 0.0.0.0:443 --tls-cert CERT --tls-key KEY \
        --upstream 127.0.0.1:8001 --upstream 127.0.0.1:8002 --proxy-cache

--proxy-cache has nginx keep the anonymous answers the service marks public, as long as their
Cache-Control allows. --print-config prints the configuration and exits, for an nginx run
as a system service instead.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
GUNICORN_START_SECONDS = 60
# Seconds an instance that failed a request is left out of the balancing before it is tried again.
FAIL_TIMEOUT_SECONDS = 5
# What this prints, with the address, once nginx is serving.
READY = "serving on"


def nginx_binary() -> str | None:
    # /usr/sbin is not on every user's PATH.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def max_body_bytes() -> int:
    """The body limit Django enforces with these settings, for nginx to enforce first."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def nginx_conf(args, run_dir: Path, upstreams: list[str]) -> str:
    if args.tls_cert:
        listen = f"{args.bind} ssl"
        tls = (
            f"ssl_certificate {args.tls_cert.resolve()};\n"
            f"        ssl_certificate_key {args.tls_key.resolve()};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;"
        )
    else:
        listen, tls = args.bind, ""
    values = {
        "RUN_DIR": str(run_dir),
        "LISTEN": listen,
        "TLS": tls,
        "UPSTREAMS": "\n        ".join(
            f"server {address} max_fails=1 fail_timeout={FAIL_TIMEOUT_SECONDS}s;" for address in upstreams
        ),
        "FAIL_TIMEOUT": str(FAIL_TIMEOUT_SECONDS),
        "PROXY_CACHE": "answers" if args.proxy_cache else "off",
        # Without the cache, every precondition goes to the instance.
        "ANONYMOUS_IF_NONE_MATCH": '""' if args.proxy_cache else "$http_if_none_match",
        "CLIENT_TIMEOUT": str(args.client_timeout),
        "MAX_BODY_BYTES": str(max_body_bytes()),
    }
    conf = TEMPLATE.read_text()
    for name, value in values.items():
        conf = conf.replace(f"@{name}@", value)
    return conf


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def announce_ready(nginx: subprocess.Popen, run_dir: Path, stopping, bind: str) -> bool:
    """Wait for nginx to hold its port, then say so on stdout (READY, for whoever started
    this); False when it exits first (its port taken, say) or a signal comes. nginx writes its
    pid file once its sockets are bound, so a port that merely accepts, as another process's
    could, is not taken for ready."""
    while not (run_dir / "nginx.pid").exists():
        if stopping or nginx.poll() is not None:
            return False
        time.sleep(0.05)
    print(f"{READY} {bind}", flush=True)
    return True


def stop(process: subprocess.Popen, sig=signal.SIGTERM):
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve(args, run_dir: Path) -> int:
    nginx = nginx_binary()
    if nginx is None:
        print("Debian's nginx is not installed: apt-get install nginx (.ci/run does)", file=sys.stderr)
        return 1
    run_dir.chmod(0o755)  # nginx's workers drop root and still need their temporary files
    upstream = socket.socket()
    upstream.bind(("127.0.0.1", 0))
    port = upstream.getsockname()[1]
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_conf(args, run_dir, args.upstream or [f"127.0.0.1:{port}"]))
    nginx_command = [nginx, "-p", str(run_dir), "-c", str(conf), "-e", "stderr"]
    if subprocess.run([*nginx_command, "-t", "-q"]).returncode:
        return 1  # nginx has said what is wrong with its configuration
    (run_dir / "nginx.pid").unlink(missing_ok=True)  # -t writes one: announce_ready waits for nginx's

    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: stopping.append(signum))
    if args.upstream:
        upstream.close()
        return balance(nginx_command, run_dir, stopping, args.bind)

    # Their own sessions: a Ctrl-C reaches this process alone, which stops them in order.
    # gunicorn takes the socket bound here (it listens on it once it is ready): no other
    # process can take its port between choosing it and binding it.
    gunicorn_command = [
        *(sys.executable, "-m", "gunicorn", "--config", str(ROOT / "config" / "gunicorn.py")),
        *("config.wsgi", "--bind", f"fd://{upstream.fileno()}"),
        *("--workers", str(args.workers), "--control-socket", str(run_dir / "gunicorn.ctl")),
    ]
    with upstream:
        gunicorn = subprocess.Popen(
            gunicorn_command, cwd=ROOT, start_new_session=True, pass_fds=(upstream.fileno(),)
        )
    processes = [gunicorn]
    try:
        deadline = time.monotonic() + GUNICORN_START_SECONDS
        while not accepts(port):
            if stopping:
                return 0
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                print("gunicorn did not start", file=sys.stderr)
                return 1
            time.sleep(0.1)
        nginx_process = subprocess.Popen(nginx_command, start_new_session=True)
        processes.append(nginx_process)
        if not announce_ready(nginx_process, run_dir, stopping, args.bind):
            return 0 if stopping else 1
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.2)
        return 0 if stopping else 1
    finally:
        # nginx first (it finishes the answers it has), then the workers behind it.
        for process in reversed(processes):
            stop(process, signal.SIGQUIT if process is not gunicorn else signal.SIGTERM)


def balance(nginx_command, run_dir: Path, stopping, bind: str) -> int:
    """nginx alone, in front of instances started elsewhere, until a signal or nginx exits."""
    nginx = subprocess.Popen(nginx_command, start_new_session=True)
    try:
        if not announce_ready(nginx, run_dir, stopping, bind):
            return 0 if stopping else 1
        while not stopping and nginx.poll() is None:
            time.sleep(0.2)
        return 0 if stopping else 1
    finally:
        stop(nginx, signal.SIGQUIT)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bind", default="127.0.0.1:8000", help="where nginx listens (default %(default)s)")
    parser.add_argument("--workers", type=int, help="gunicorn sync workers (default 4)")
    parser.add_argument(
        "--upstream",
        action="append",
        metavar="HOST:PORT",
        help="balance over this instance, started elsewhere (once for each); no gunicorn is started",
    )
    parser.add_argument(
        "--proxy-cache",
        action="store_true",
        help="nginx keeps anonymous answers as long as their Cache-Control allows",
    )
    parser.add_argument(
        "--print-config", action="store_true", help="print nginx's configuration (for --run-dir) and exit"
    )
    parser.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM, chain too)")
    parser.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    parser.add_argument(
        "--client-timeout",
        type=int,
        default=10,
        help="seconds a client has for its headers, and between reads of its body (default %(default)s)",
    )
    parser.add_argument(
        "--run-dir",
        type=Path,
        help="where nginx keeps its configuration, pid and temporary files (default: a new temporary one)",
    )
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.upstream and args.workers is not None:
        parser.error("--workers is for the gunicorn this starts; with --upstream it starts none")
    if args.workers is None:
        args.workers = 4
    if args.print_config:
        if not (args.run_dir and args.upstream):
            parser.error("--print-config needs --run-dir and the instances (--upstream)")
        print(nginx_conf(args, args.run_dir.resolve(), args.upstream), end="")
        return 0
    if args.run_dir:
        args.run_dir.mkdir(parents=True, exist_ok=True)
        return serve(args, args.run_dir.resolve())
    run_dir = Path(tempfile.mkdtemp(prefix="serve-"))
    try:
        return serve(args, run_dir)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
