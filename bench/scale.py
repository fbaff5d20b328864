"""The scale part of `make bench` (`bench/run.py --scale` alone): whether a read costs the same
at 10^3, 10^5 and 10^6 records (`--sizes`), on PostgreSQL.

For each size, in one run: a database of its own (the scale database's name and the size:
bench_scale_1000000) is filled (the dataset, then `synthesize --records N` of generated
records), the records the cases show are rendered (as every write renders what it changed;
rendering a million records would take most of an hour), and a gunicorn with production
settings serves it. wrk loads each case with every cache bypassed (the cold reads of
bench.run) at every size back to back, in rounds; the table shows the medians, the ratio of
each case's p99 at the largest size to its p99 at the smallest (the target: at most 1.5), and
the workers' peak RSS (VmHWM) at each size.
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import run

# The deep page starts at this record of the events list (or at its last page when the list
# is shorter): reached by following `next`, as a client would.
DEEP = 10_000
TARGET = 1.5
MONTH = {"start": "1904-02", "end": "1904-02"}


def manage(env, *command, quiet=True):
    subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=run.ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
    )


def fill(env, records: int) -> float:
    """The dataset and `records` generated records; the seconds synthesize took.

    The database is then vacuumed and analyzed, as autovacuum would after a bulk load: what
    is measured is a settled database (fresh statistics for the planner, the visibility map
    set for index-only scans), not one whose autovacuum competes with the load for the CPU."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_dataset", "--skip-if-loaded")
    manage(env, "synthesize", "--delete")
    started = time.monotonic()
    manage(env, "synthesize", "--records", str(records), "-v", "0")
    seconds = time.monotonic() - started
    subprocess.run(["psql", env["DATABASE_URL"], "-qc", "VACUUM ANALYZE"], check=True)
    return seconds


def get(base, url):
    status, _headers, body = run.fetch(
        url if url.startswith("http") else base + url,
        {"Accept": "application/json", run.COLD_HEADER: "1"},
    )
    if status != 200:
        raise SystemExit(f"{url} answered {status}: {body[:300]!r}")
    return json.loads(body)


def path_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def cases(base) -> dict:
    """name -> URL, found through the API itself."""
    url, seen = "/api/v1/events/?page_size=100", 0
    while True:
        page = get(base, url)
        seen += len(page["results"])
        if seen >= DEEP or not page["next"]:
            break
        url = path_of(page["next"])
    deep = path_of(page["next"] or url).replace("page_size=100", "page_size=20")
    events = get(base, "/api/v1/events/")["results"]
    # A generated event's name carries a made-up word of its own (sources.synthetic.rare_word).
    generated = [e for e in events if e["slug"].startswith("synthetic-")]
    return {
        "first page": "/api/v1/events/",
        "deep page": deep,
        "detail": f"/api/v1/events/{generated[-1]['slug']}/",
        "search, common word": "/api/v1/search/?q=army",
        "search, rare word": "/api/v1/search/?q=" + urllib.parse.quote(generated[0]["name"].split()[2]),
        "filtered list": "/api/v1/events/?kind=rupture",
        "timeline, one month": "/api/v1/timeline/?" + urllib.parse.urlencode(MONTH),
    }


def render_shown(env, base, urls):
    """Store the renderings of the events the cases show, as their writes would have."""
    slugs = set()
    for url in urls:
        if url.startswith("/api/v1/events/"):
            answer = get(base, url)
            slugs.update(r["slug"] for r in answer.get("results", [answer]))
    code = (
        "from api import renderings; from events.models import Event; "
        f"renderings.store([(Event, pk) for pk in Event.objects.filter(slug__in={sorted(slugs)!r})"
        ".values_list('pk', flat=True)])"
    )
    manage(env, "shell", "-c", code)


def peak_rss_kib(server) -> int:
    """The largest peak RSS (VmHWM) among the server's worker processes."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]))
    return max(peaks, default=0)


# Seconds the dump is read for at each size: longer than gunicorn's worker timeout (30 s),
# which a worker busy streaming must outlive (api.heartbeat).
DUMP_SECONDS = 45


def dump_probe(base, server) -> dict:
    """Read /api/v1/dump/?format=ndjson for DUMP_SECONDS (or to its end): what came, and the
    workers' peak RSS before and after (memory that stays flat however large the tables)."""
    before = peak_rss_kib(server)
    request = urllib.request.Request(base + "/api/v1/dump/?format=ndjson", headers={run.COLD_HEADER: "1"})
    started, received, lines, complete = time.monotonic(), 0, 0, False
    with urllib.request.urlopen(request, timeout=60) as response:
        while time.monotonic() - started < DUMP_SECONDS:
            piece = response.read(1 << 16)
            if not piece:
                complete = True
                break
            received += len(piece)
            lines += piece.count(b"\n")
    seconds = time.monotonic() - started
    return {
        "seconds": round(seconds, 1),
        "complete": complete,
        "records": max(lines - 1, 0),
        "mib": round(received / (1 << 20), 1),
        "worker_peak_rss_before_kib": before,
        "worker_peak_rss_after_kib": peak_rss_kib(server),
    }


def measure(args, database_url: str) -> dict:
    """Every size in its own database, served by its own gunicorn, all at once: each round loads
    a case at every size back to back (their order turned each round), so what the machine
    does meanwhile weighs on every size alike and the ratios compare sizes, not moments."""
    sizes = [int(size) for size in args.sizes.split(",")]
    report = {"sizes": {}, "urls": {}}
    servers = {}
    try:
        for records in sizes:
            env = run.server_environment(Path("/tmp")) | {"DATABASE_URL": sized(database_url, records)}
            seconds = fill(env, records)
            server, base = run.start_server(env, run.free_port(), args.workers)
            servers[records] = (server, base)
            urls = cases(base)
            render_shown(env, base, urls.values())
            report["urls"][records] = urls
            report["sizes"][records] = {"synthesize_seconds": round(seconds, 1), "rounds": []}
            print(f"{records:,} records: filled and served", file=sys.stderr)
        headers = {"Accept": "application/json", run.COLD_HEADER: "1"}
        # A second of each first, unrecorded: every worker has read what it reads once per process.
        for records, (_server, base) in servers.items():
            for url in report["urls"][records].values():
                run.wrk(base, url, headers, 1, args.connections, threads=2)
        for number in range(args.rounds):
            results = {records: {} for records in sizes}
            for name in report["urls"][sizes[0]]:
                order = sizes[number % len(sizes) :] + sizes[: number % len(sizes)]
                for records in order:
                    base, url = servers[records][1], report["urls"][records][name]
                    get(base, url)
                    loaded = run.wrk(base, url, headers, args.seconds, args.connections, threads=2)
                    results[records][name] = loaded
            for records in sizes:
                report["sizes"][records]["rounds"].append(results[records])
            print(f"round {number + 1} of {args.rounds} done", file=sys.stderr)
        for records in sizes:
            server, base = servers[records]
            measured = report["sizes"][records]
            measured["worker_peak_rss_kib"] = peak_rss_kib(server)
            measured["dump"] = dump_probe(base, server)
            print(f"{records:,} records: dump read", file=sys.stderr)
    finally:
        for server, _base in servers.values():
            server.terminate()
            server.wait(timeout=30)
    for records in sizes:
        measured = report["sizes"][records]
        rounds = measured["rounds"]
        measured["medians"] = {
            name: {key: median(r[name][key] for r in rounds) for key in ("p50_ms", "p99_ms")}
            | {
                "requests_per_second": statistics.median(r[name]["requests_per_second"] for r in rounds),
                "errors": max(r[name]["errors"] for r in rounds),
            }
            for name in report["urls"][records]
        }
    return report


def sized(database_url: str, records: int) -> str:
    """The database of one size: the scale database's name with the size after it (made on the
    server if it is missing, as the scale database is: database_url)."""
    server, _, name = database_url.partition("?")[0].rpartition("/")
    url = f"{server}/{name}_{records}"
    exists = subprocess.run(["psql", url, "-qAtc", "SELECT 1"], capture_output=True, check=False)
    if exists.returncode != 0:
        subprocess.run(["psql", database_url, "-qAtc", f'CREATE DATABASE "{name}_{records}"'], check=True)
    return url


def median(values):
    """The median of the rounds that measured something (None where none did: wrk shows no
    latencies, or zeros, when no answer came within a round)."""
    measured = [value for value in values if value]
    return statistics.median(measured) if measured else None


def shown(value, digits=2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def table(report) -> str:
    sizes = list(report["sizes"])
    smallest, largest = sizes[0], sizes[-1]
    head = " | ".join(f"{size:,}: req/s, p50, p99 ms" for size in sizes)
    lines = [
        f"| case | {head} | p99 ×{largest:,} / ×{smallest:,} |",
        "| --- |" + " ---: |" * (len(sizes) + 1),
    ]
    for name in report["sizes"][smallest]["medians"]:
        cells = []
        for size in sizes:
            m = report["sizes"][size]["medians"][name]
            cells.append(f"{m['requests_per_second']:,.0f}, {shown(m['p50_ms'])}, {shown(m['p99_ms'])}")
        last = report["sizes"][largest]["medians"][name]["p99_ms"]
        first = report["sizes"][smallest]["medians"][name]["p99_ms"]
        if last is None or first is None:
            verdict = "— (over target: no answer within a run)"
        else:
            verdict = f"{last / first:.2f}" + ("" if last / first <= TARGET else " (over target)")
        lines.append(f"| {name} | {' | '.join(cells)} | {verdict} |")
    rss = ", ".join(
        f"{size:,}: {report['sizes'][size]['worker_peak_rss_kib'] / 1024:.0f} MiB" for size in sizes
    )
    synth = ", ".join(f"{size:,}: {report['sizes'][size]['synthesize_seconds']:.0f} s" for size in sizes)
    dumps = "\n".join(
        "| {size:,} | {records:,} | {mib} | {seconds} | {whole} | {before:.0f} → {after:.0f} |".format(
            size=size,
            records=d["records"],
            mib=d["mib"],
            seconds=d["seconds"],
            whole="yes" if d["complete"] else "no (read for the probe's time)",
            before=d["worker_peak_rss_before_kib"] / 1024,
            after=d["worker_peak_rss_after_kib"] / 1024,
        )
        for size in sizes
        for d in [report["sizes"][size]["dump"]]
    )
    dump_table = (
        f"\n\nThe dump (NDJSON, read for up to {DUMP_SECONDS} s):\n\n"
        "| generated records | records read | MiB | s | whole | worker peak RSS, MiB (before → after) |\n"
        "| ---: | ---: | ---: | ---: | --- | --- |\n" + dumps
    )
    return "\n".join(lines) + f"\n\nWorker peak RSS: {rss}. synthesize took {synth}." + dump_table


def database_url() -> str | None:
    """The PostgreSQL database the scale part fills (BENCH_SCALE_DATABASE_URL; it is emptied
    of generated records and refilled, and made when the server lacks it): None when the server
    cannot be reached."""
    url = os.environ.get("BENCH_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_scale")

    def probe():
        return subprocess.run(["psql", url, "-qAtc", "SELECT 1"], capture_output=True, text=True, check=False)

    answer = probe()
    if answer.returncode != 0 and "does not exist" in answer.stderr:
        # A server without the database (a new machine): make it, as the server's default.
        server, _, name = url.partition("?")[0].rpartition("/")
        create = f'CREATE DATABASE "{name}"'
        subprocess.run(["psql", f"{server}/postgres", "-qAtc", create], capture_output=True, check=False)
        answer = probe()
    return url if answer.returncode == 0 else None
