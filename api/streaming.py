"""Answers streamed as they are read (the dump, a list as CSV): memory stays flat however
many records they hold.

Such an answer cannot be digested for its ETag before it is sent, so it is named by what
decides its bytes: the version of the data (api.data_version), the code that renders the
records (api.renderings.code) and what it is (its kind and format; the URL holds the rest).
It carries what HttpCachingMiddleware gives a whole answer (which it passes by): Last-Modified,
Cache-Control, Vary, a 304 for If-None-Match, gzip for a client that accepts it; and the data
release (X-Data-Release). It is read in one REPEATABLE READ READ ONLY transaction on
PostgreSQL: one moment of the data, however long it takes to send. On SQLite (the embedded
default) it is not: a read transaction there would hold every writer out until the end.
"""

import contextlib
import hashlib
import zlib

from django.db import connections, transaction
from django.http import HttpResponseNotModified, StreamingHttpResponse
from django.utils.http import http_date

from api import data_version, heartbeat, renderings, replicas
from api.conditional import FAILED, NOT_MODIFIED, gzip_etag, outcome
from api.errors import PreconditionFailed
from api.http_caching import NOT_MODIFIED_HEADERS, accepts_gzip, public_cache_control

# Bytes gathered before they are sent on: a write for each record would cost more than it.
FLUSH_BYTES = 64 * 1024
# Records read at a time.
CHUNK = 500


def release(request) -> dict:
    """The data's release for this request: {id, name, data_changed_at, generation, releases}
    (every named release, latest first: {name, id, data_changed_at, cut_at})."""
    from api.models import Release

    generation, changed_at = data_version.of_request(request)
    releases = [
        {**named, "id": data_version.release_id(named["data_changed_at"])}
        for named in Release.objects.values("name", "data_changed_at", "cut_at")
    ]
    return {
        "id": data_version.release_id(changed_at),
        # The latest release cut of this very data.
        "name": next((r["name"] for r in releases if r["data_changed_at"] == changed_at), None),
        "data_changed_at": changed_at,
        "generation": generation,
        "releases": releases,
    }


def streamed(request, what: str, parts, content_type: str, filename=None, current=None, links=None):
    """The answer to `request` (GET or HEAD): `parts()`'s text, streamed (see the module),
    named `what` in its ETag; a download named `filename` if given, with a Link header for
    `links` (relation -> URL, None for none). `current` is the release(request) the caller read
    already."""
    current = current or release(request)
    compress = accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    # The query string names the selection (its filters, search, page): an answer of its own.
    query = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()[:12]
    etag = f'"{what}-{query}-{current["id"]}-{current["generation"]}-{renderings.code()[:12]}"'
    user = getattr(request, "user", None)
    headers = {
        "ETag": gzip_etag(etag) if compress else etag,
        "Last-Modified": http_date(current["data_changed_at"].timestamp()),
        "Cache-Control": "private, no-cache" if user and user.is_authenticated else public_cache_control(),
        "Vary": "Accept, Accept-Encoding",
        "X-Data-Release": current["id"],
    }
    if filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if links and any(links.values()):
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
    result = outcome(request.META, request.method, request.path, etag)
    if result == FAILED:
        raise PreconditionFailed()
    if result == NOT_MODIFIED:
        return HttpResponseNotModified(
            headers={k: v for k, v in headers.items() if k in NOT_MODIFIED_HEADERS}
        )
    if compress:
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":  # streamed as GET is: no Content-Length is made up for it
        return StreamingHttpResponse((), content_type=content_type, headers=headers)
    body = stream(parts, replicas.reading(), compress)
    return StreamingHttpResponse(body, content_type=content_type, headers=headers)


def stream(parts, alias: str, compress: bool):
    """`parts()` (text) as UTF-8 bytes in pieces of about FLUSH_BYTES, gzip-compressed if asked,
    read from `alias` (the request's database: the answer is read after its routing ended), in
    one snapshot of it where the database gives one without holding writers out."""
    connection = connections[alias]
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    encoder = zlib.compressobj(6, zlib.DEFLATED, 31) if compress else None  # 31: a gzip header
    with (
        replicas.reading_from(alias),
        transaction.atomic(using=alias) if snapshot else contextlib.nullcontext(),
    ):
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # The snapshot is taken by the first query: now, not when the first record is
                # read (the head of the answer may have gone out before).
                cursor.execute("SELECT 1")
        pending, size = [], 0
        for part in parts():
            data = part.encode()
            pending.append(data)
            size += len(data)
            if size >= FLUSH_BYTES:
                chunk = b"".join(pending)
                pending, size = [], 0
                chunk = encoder.compress(chunk) if encoder else chunk
                heartbeat.beat()
                if chunk:
                    yield chunk
        chunk = b"".join(pending)
        yield (encoder.compress(chunk) + encoder.flush()) if encoder else chunk


def chunks(keys, size: int | None = None):
    """`keys` (an iterable of primary keys) in lists of `size` (CHUNK), read as they go."""
    size = size or CHUNK
    chunk = []
    for key in keys:
        chunk.append(key)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
