"""A versioned whole-response cache in front of Django, for anonymous reads.

Each server process keeps the answers Django marked `Cache-Control: public` (anonymous GETs
under /api/, see api.http_caching), keyed by the data version (api.data_version) and by every
part of the request the answer depends on: host and scheme (absolute URLs), path and query,
Accept, whether gzip is accepted, whether an Origin was sent (CORS). A write anywhere raises
the version, so the next read on every process misses and is answered afresh: nothing stale.

A hit costs one small read of the version, the rate-limit count and a dictionary look-up: no
middleware, view or serializer runs. It keeps what the rest of the stack gives every answer:
the stored headers (security, CSP, CORS, ETag, Vary, Cache-Control, Last-Modified), a fresh
X-Request-ID, the RateLimit-* headers and the JSON log line. If-None-Match naming the stored
ETag is a 304, which does not count against the rate limit; the preconditions are those of
api.conditional, so either form of an ETag counts. Anything else (an editor, a session, a
write, a failed If-Match, a client over its limit, a miss) goes to Django as before.
"""

import json
import logging
import threading
import time
from collections import OrderedDict
from types import SimpleNamespace

from django.conf import settings
from django.db import DatabaseError
from django.http.request import HttpHeaders

from api import data_version
from api.clients import client_address
from api.conditional import FAILED, NOT_MODIFIED, TAG_PRECONDITIONS, identity_etag, outcome
from api.http_caching import NOT_MODIFIED_HEADERS, accepts_gzip
from api.middleware import request_id
from api.throttling import AnonymousRateThrottle

logger = logging.getLogger("requests")
# What Django adds per request, which the cache adds afresh on every hit instead.
RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
PER_REQUEST_HEADERS = {"x-request-id", *(name.lower() for name in RATE_HEADERS)}


class Answers:
    """The stored answers of one process, least recently used first out past `max_bytes`."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        size = len(entry.body) + 200
        if size > self.max_bytes:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, dropped = self.entries.popitem(last=False)
                self.bytes -= len(dropped.body) + 200

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.bytes = 0


class ResponseCache:
    """WSGI middleware around Django's application (config.wsgi)."""

    def __init__(self, application):
        self.application = application
        self.answers = Answers(settings.API_RESPONSE_CACHE_BYTES)
        bypass = settings.API_CACHE_BYPASS_HEADER
        self.bypass_key = "HTTP_" + bypass.upper().replace("-", "_") if bypass else None
        self.session_cookie = settings.SESSION_COOKIE_NAME + "="

    def __call__(self, environ, start_response):
        started = time.monotonic()
        key = self.key(environ)
        if key is None:
            return self.application(environ, start_response)
        try:
            version = data_version.current()
        except DatabaseError:
            version = None
        if version is None:
            return self.application(environ, start_response)
        environ[data_version.ENVIRON_KEY] = version
        key = (version[0], *key)
        entry = self.answers.get(key)
        if entry is None:
            return self.fill(key, environ, start_response)
        return self.serve(entry, environ, start_response, started)

    def key(self, environ):
        """What the answer depends on, or None for a request that is not served from here."""
        if environ["REQUEST_METHOD"] != "GET" or not environ.get("PATH_INFO", "").startswith("/api/"):
            return None
        if "HTTP_AUTHORIZATION" in environ or self.session_cookie in environ.get("HTTP_COOKIE", ""):
            return None
        if self.bypass_key is not None and self.bypass_key in environ:
            return None
        proxy = settings.SECURE_PROXY_SSL_HEADER
        scheme = environ.get("wsgi.url_scheme", "http")
        if proxy is not None and environ.get(proxy[0]) == proxy[1]:
            scheme = "https"
        return (
            scheme,
            environ.get("HTTP_HOST", ""),
            environ["PATH_INFO"],
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
            accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")),
            bool(environ.get("HTTP_ORIGIN")),
        )

    def fill(self, key, environ, start_response):
        """Let Django answer, and keep the answer if Django says it may be shared."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.application(environ, capture)
        headers = captured.get("headers", [])
        names = {name.lower(): value for name, value in headers}
        if "content-length" not in names:
            return result  # streamed (the dump): passed on as it comes, never held here
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if (
            captured.get("status", "").startswith("200")
            and names.get("cache-control", "").startswith("public")
            and "set-cookie" not in names
        ):
            stored = [(n, v) for n, v in headers if n.lower() not in PER_REQUEST_HEADERS]
            self.answers.put(key, SimpleNamespace(headers=stored, etag=names.get("etag"), body=body))
        return [body]

    def serve(self, entry, environ, start_response, started):
        rid = request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        preconditions = None
        if entry.etag is not None and any(name in environ for name in TAG_PRECONDITIONS):
            preconditions = outcome(environ, "GET", environ["PATH_INFO"], identity_etag(entry.etag))
        if preconditions == FAILED:  # Django answers with the 412 problem
            return self.application(environ, start_response)
        if preconditions == NOT_MODIFIED:
            headers = [
                (n, v)
                for n, v in entry.headers
                if n in NOT_MODIFIED_HEADERS or n.startswith("Access-Control-")
            ]
            start_response("304 Not Modified", [*headers, ("X-Request-ID", rid)])
            log(environ, rid, 304, started)
            return []
        limits = count(environ)
        if limits is None:  # over the limit: Django answers with the 429 problem
            return self.application(environ, start_response)
        rate = [(name, str(value)) for name, value in zip(RATE_HEADERS, limits, strict=False)]
        start_response("200 OK", [*entry.headers, ("X-Request-ID", rid), *rate])
        log(environ, rid, 200, started)
        return [entry.body]


def count(environ):
    """Count the request with the anonymous throttle itself; the (limit, remaining, reset) it
    leaves for the RateLimit-* headers, or None when the client is over its limit."""
    # Imported here: config.wsgi imports this module before Django's apps are loaded.
    from django.contrib.auth.models import AnonymousUser

    limits = SimpleNamespace(rate_limit=())
    request = SimpleNamespace(
        META=environ, headers=HttpHeaders(environ), user=AnonymousUser(), _request=limits
    )
    if not AnonymousRateThrottle().allow_request(request, None):
        return None
    return limits.rate_limit


def log(environ, rid, status, started):
    logger.info(
        json.dumps(
            {
                "request_id": rid,
                "method": environ["REQUEST_METHOD"],
                "path": environ.get("PATH_INFO", ""),
                "status": status,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user": None,
                "remote_addr": client_address(environ),
                "cached": True,
            }
        )
    )
