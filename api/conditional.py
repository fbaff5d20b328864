"""Conditional requests (RFC 9110 section 13): a strong ETag of each answer, and the
preconditions evaluated in the RFC's order by Django's own get_conditional_response.

A gzip-compressed answer carries its own strong ETag, the identity one with "-gzip" before
the closing quote (api.http_caching); either form names the same version of the record.
"""

import hashlib
from types import SimpleNamespace

from django.utils.cache import get_conditional_response
from django.utils.http import parse_etags
from rest_framework import status
from rest_framework.response import Response

from api.errors import PreconditionFailed

# The answers carry Last-Modified for caches, but the date of the data as a whole cannot
# prove that one record is unchanged, so (RFC 9110, 13.1.3 and 13.1.4) the ETag decides:
# Django's function would otherwise fail If-Unmodified-Since on its own.
DATE_PRECONDITIONS = ("HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
TAG_PRECONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH")
GZIP_SUFFIX = "-gzip"
NOT_MODIFIED, FAILED = "not modified", "failed"


def digest_etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip-compressed form of the answer whose ETag is `etag`."""
    return etag[:-1] + GZIP_SUFFIX + '"'


def identity_etag(etag: str) -> str:
    """The ETag of the uncompressed answer, for either form."""
    return etag.replace(GZIP_SUFFIX + '"', '"')


def outcome(meta, method: str, path: str, etag: str) -> str | None:
    """None when the request goes on, NOT_MODIFIED or FAILED, for a target with `etag`
    (its identity form)."""
    if method in ("GET", "HEAD") and only_if_none_match(meta):
        # The common conditional read: Django's function would build a whole response to say
        # 304; its rule for this case alone (RFC 9110, 13.1.2: weak comparison) is this.
        tags = [identity_etag(tag).removeprefix("W/") for tag in parse_etags(meta["HTTP_IF_NONE_MATCH"])]
        return NOT_MODIFIED if tags == ["*"] or etag.removeprefix("W/") in tags else None
    # Copy the request's headers only when something in them is to be set aside or rewritten:
    # this runs on every conditional read, cached ones included.
    if any(name in meta for name in DATE_PRECONDITIONS) or any(
        GZIP_SUFFIX in meta.get(name, "") for name in TAG_PRECONDITIONS
    ):
        meta = {key: value for key, value in meta.items() if key not in DATE_PRECONDITIONS}
        for name in TAG_PRECONDITIONS:
            if name in meta:
                meta[name] = identity_etag(meta[name])
    answer = get_conditional_response(SimpleNamespace(META=meta, method=method, path=path), etag=etag)
    if answer is None:
        return None
    return NOT_MODIFIED if answer.status_code == status.HTTP_304_NOT_MODIFIED else FAILED


def only_if_none_match(meta) -> bool:
    """Whether If-None-Match is the request's only precondition."""
    return "HTTP_IF_NONE_MATCH" in meta and not any(
        name in meta for name in ("HTTP_IF_MATCH", *DATE_PRECONDITIONS)
    )


def evaluate_preconditions(request, etag: str) -> Response | None:
    """None when the request goes on; a 304 (with the ETag) for a read whose If-None-Match
    matches; a 412 problem (PreconditionFailed) when If-Match, or If-None-Match on a write,
    fails."""
    if not any(name in request.META for name in TAG_PRECONDITIONS + DATE_PRECONDITIONS):
        return None
    result = outcome(request.META, request.method, request.path, etag)
    if result is None:
        return None
    if result == NOT_MODIFIED:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    raise PreconditionFailed()
