"""`make bench`: the service's reads beside a ceiling and a naive peer, in one run; then the
scale part (bench/scale.py), the same reads at 10^3 to 10^6 records on PostgreSQL.

One gunicorn (sync workers) serves the service, the naive peer (bench/peer.py) and the ceiling
(a bare WSGI app returning the service's own bytes, bench/wsgi.py) from the same processes,
on 127.0.0.1, with production settings and a fresh SQLite database holding the dataset.
wrk loads each case in interleaved rounds; the table shows the medians over the rounds, and
bench/results/<date>.json keeps every round.

Variants of each case: the ceiling; the peer; the service hot (one URL again and again),
cold (every cache bypassed, with the header bench.settings names) and conditional
(If-None-Match with the ETag of the answer).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# name -> (the service's URL, the peer's URL)
CASES = {
    "small list": ("/api/v1/engagements/", "/peer/engagements/"),
    "100-row page": ("/api/v1/citations/?page_size=100", "/peer/citations/?page_size=100"),
    "detail": ("/api/v1/engagements/battle-of-tsushima/", "/peer/engagements/battle-of-tsushima/"),
    "search": ("/api/v1/search/?q=Port%20Arthur", "/peer/search/?q=Port%20Arthur"),
    "timeline": ("/api/v1/timeline/", "/peer/timeline/"),
}
VARIANTS = ("ceiling", "peer", "hot", "cold", "conditional")
COLD_HEADER = "X-Bench-Cold"


def require_wrk():
    if shutil.which("wrk") is None:
        print("Installing Debian's wrk…", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
        )


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def server_environment(workdir: Path) -> dict:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "API_")) and k != "DATABASE_URL"
    }
    return keep | {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        # The throttle runs on every request, as in production, but never refuses one here.
        "API_ANON_RATE": "1000000000/second",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "BENCH_CEILING_FILE": str(workdir / "ceiling.json"),
    }


def prepare_database(env):
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v", "0"], ["load_dataset"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_server(env, port, workers):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "config" / "gunicorn.py"),
        "bench.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            fetch(base + "/healthz")
            return server, base
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def record_ceiling(base, path: Path) -> dict:
    """The service's own answer for every case: the ceiling serves these bytes; returns ETags."""
    recorded, etags = {}, {}
    for name, (url, _peer) in CASES.items():
        status, headers, body = fetch(base + url, {"Accept": "application/json"})
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        recorded[slug(name)] = {"content_type": headers["Content-Type"], "body": body.decode()}
        etags[name] = headers.get("ETag")
    path.write_text(json.dumps(recorded), encoding="utf-8")
    return etags


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def request_for(variant, name, etags):
    url, peer = CASES[name]
    headers = {"Accept": "application/json"}
    if variant == "ceiling":
        url = f"/ceiling/{slug(name)}"
    elif variant == "peer":
        url = peer
    elif variant == "cold":
        headers[COLD_HEADER] = "1"
    elif variant == "conditional" and etags.get(name):
        headers["If-None-Match"] = etags[name]
    return url, headers


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)([a-z]+)", text).groups()
    return float(number) * UNITS[unit]


def wrk(base, url, headers, seconds, connections, threads):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run([*command, base + url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)$", output, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    # No answer within the run (every request slower than it): no latencies to give.
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1)),
        "p50_ms": milliseconds(latency["50"]) if "50" in latency else None,
        "p99_ms": milliseconds(latency["99"]) if "99" in latency else None,
        "errors": int(bad.group(1)) if bad else 0,
    }


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def table(medians) -> str:
    lines = [
        "| case | variant | req/s | p50 ms | p99 ms | × ceiling | × peer |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in CASES:
        ceiling = medians[name]["ceiling"]["requests_per_second"]
        peer = medians[name]["peer"]["requests_per_second"]
        for variant in VARIANTS:
            m = medians[name][variant]
            rps = m["requests_per_second"]
            lines.append(
                f"| {name} | {variant} | {rps:,.0f} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} "
                f"| {rps / ceiling:.3f} | {rps / peer:.2f} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="length of each wrk run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--scale",
        action="store_true",
        help="run only the scale part (bench/scale.py: 10^3 to 10^6 records on PostgreSQL)",
    )
    parser.add_argument("--no-scale", action="store_true", help="skip the scale part")
    parser.add_argument(
        "--sizes",
        default="1000,100000,1000000",
        help="the scale part's numbers of generated records, comma-separated (default %(default)s)",
    )
    args = parser.parse_args()
    require_wrk()
    if not args.scale:
        compare(args)
    if not args.no_scale:
        scale_table(args)


def scale_table(args):
    sys.path.insert(0, str(ROOT))
    from bench import scale

    url = scale.database_url()
    if url is None:
        print("\nScale part skipped: no PostgreSQL at BENCH_SCALE_DATABASE_URL.", file=sys.stderr)
        return
    report = scale.measure(args, url) | {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": vars(args),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.date.today().isoformat()}-scale.json"
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(
        f"\nScale (PostgreSQL, cold reads, gunicorn {args.workers} sync workers, wrk {args.connections} "
        f"connections, {args.rounds} rounds of {args.seconds} s, medians)"
    )
    print(scale.table(report))
    print(f"\nRaw results: {out.relative_to(ROOT)}")


def compare(args):
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = server_environment(workdir)
    prepare_database(env)
    server, base = start_server(env, free_port(), args.workers)
    try:
        etags = record_ceiling(base, Path(env["BENCH_CEILING_FILE"]))
        rounds = []
        for number in range(args.rounds):
            results = {}
            for name in CASES:
                for variant in VARIANTS:
                    url, headers = request_for(variant, name, etags)
                    fetch(base + url, headers)  # warm: the first answer may fill a cache
                    results.setdefault(name, {})[variant] = wrk(
                        base, url, headers, args.seconds, args.connections, threads=2
                    )
            rounds.append(results)
            print(f"round {number + 1} of {args.rounds} done", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    medians = {
        name: {
            variant: {
                key: statistics.median(r[name][variant][key] for r in rounds)
                for key in ("requests_per_second", "p50_ms", "p99_ms", "errors")
            }
            for variant in VARIANTS
        }
        for name in CASES
    }
    errors = {f"{n} {v}": m["errors"] for n in medians for v, m in medians[n].items() if m["errors"]}
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": vars(args),
        "cases": {name: {"service": url, "peer": peer} for name, (url, peer) in CASES.items()},
        "rounds": rounds,
        "medians": medians,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{datetime.date.today().isoformat()}.json"
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    m = report["machine"]
    print(
        f"{m['cpu']}, {m['cores']} cores, Python {m['python']}; gunicorn {args.workers} sync workers, "
        f"wrk {args.connections} connections, {args.rounds} rounds of {args.seconds} s, medians"
    )
    print(table(medians))
    print(f"\nRaw results: {out.relative_to(ROOT)}")
    if errors:
        raise SystemExit(f"Some answers were not 2xx/3xx: {errors}")


if __name__ == "__main__":
    main()
