"""What the benchmark serves: the service (with the peer's URLs, bench.settings) and, under
/ceiling/, a bare WSGI app returning the very bytes the service answered for each case, read
from BENCH_CEILING_FILE once the benchmark has recorded them."""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from config.wsgi import application as service

_ceiling = {}


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if not path.startswith("/ceiling/"):
        return service(environ, start_response)
    if not _ceiling:
        with open(os.environ["BENCH_CEILING_FILE"], encoding="utf-8") as recorded:
            for name, answer in json.load(recorded).items():
                _ceiling[f"/ceiling/{name}"] = (answer["content_type"], answer["body"].encode())
    content_type, body = _ceiling[path]
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
