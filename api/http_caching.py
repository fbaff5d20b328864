"""HTTP caching of the API's answers: what lets a client, a proxy or a CDN (and
api.response_cache) hold an answer safely, and send fewer bytes.

Every successful GET under /api/ gets a strong ETag (a record's own, or the digest of the
body), a 304 when If-None-Match names it, Last-Modified (when the data last changed) and
Cache-Control: public for anonymous readers, private for editors. JSON is gzip-compressed for
a client that accepts it, when it is worth it, under an ETag of its own (see api.conditional).
"""

import gzip

from django.conf import settings
from django.db import DatabaseError
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.regex_helper import _lazy_re_compile

from api import data_version
from api.conditional import FAILED, NOT_MODIFIED, digest_etag, gzip_etag, outcome
from api.errors import problem_response

# Smaller answers gain nothing from compression (Django's GZipMiddleware draws the same line).
COMPRESS_MIN_BYTES = 200
ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")
# Headers a 304 repeats (RFC 9110, 15.4.5), as Django's own 304s do.
NOT_MODIFIED_HEADERS = (
    "Cache-Control",
    "Content-Location",
    "Date",
    "ETag",
    "Expires",
    "Last-Modified",
    "Vary",
)


def accepts_gzip(accept_encoding: str) -> bool:
    return bool(ACCEPTS_GZIP.search(accept_encoding))


def gzip_bytes(content: bytes) -> bytes:
    """`content` gzip-compressed, the same bytes every time (no timestamp)."""
    return gzip.compress(content, compresslevel=6, mtime=0)


def public_cache_control() -> str:
    return (
        f"public, max-age={settings.API_CACHE_MAX_AGE}, "
        f"stale-while-revalidate={settings.API_CACHE_STALE_WHILE_REVALIDATE}"
    )


class HttpCachingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.streaming
            or not request.path.startswith("/api/")
        ):
            return response
        if not response.has_header("ETag"):
            response["ETag"] = digest_etag(response.content)
        # Read once a request: the cache in front of Django (api.response_cache) may have read it.
        try:
            version = data_version.of_request(request)
        except DatabaseError:  # an answer that needed no database still goes out, undated
            version = None
        if version is not None:
            response["Last-Modified"] = http_date(version[1].timestamp())
        user = getattr(request, "user", None)
        anonymous = user is None or not user.is_authenticated
        response["Cache-Control"] = public_cache_control() if anonymous else "private, no-cache"
        patch_vary_headers(response, ("Accept", "Accept-Encoding"))
        result = outcome(request.META, request.method, request.path, response["ETag"])
        if result == FAILED:
            return problem_response(
                request, 412, "The record has changed since the ETag you sent; fetch it again and retry."
            )
        if result == NOT_MODIFIED:
            return not_modified(response)
        return compressed(request, response)


def not_modified(response):
    from django.http import HttpResponseNotModified

    answer = HttpResponseNotModified()
    for name in NOT_MODIFIED_HEADERS:
        if response.has_header(name):
            answer[name] = response[name]
    return answer


def compressed(request, response):
    """The answer gzip-compressed, if the client accepts it and it is JSON worth compressing."""
    if (
        len(response.content) < COMPRESS_MIN_BYTES
        or response.has_header("Content-Encoding")
        or "json" not in response.get("Content-Type", "")
        or not accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    ):
        return response
    response.content = gzip_bytes(response.content)
    response["Content-Length"] = str(len(response.content))
    response["Content-Encoding"] = "gzip"
    response["ETag"] = gzip_etag(response["ETag"])
    return response
