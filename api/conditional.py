"""Conditional requests (RFC 9110 section 13): a strong ETag of each record as shown, and the
preconditions evaluated in the RFC's order by Django's own get_conditional_response."""

import hashlib
import json
from types import SimpleNamespace

from django.utils.cache import get_conditional_response
from rest_framework import status
from rest_framework.response import Response

from api.errors import PreconditionFailed

# A record carries no modification date, so (RFC 9110, 13.1.3 and 13.1.4) the date
# preconditions are ignored: Django's function would fail If-Unmodified-Since without one.
DATE_PRECONDITIONS = ("HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def etag_of(data) -> str:
    """A strong ETag: the digest of the record's representation."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def evaluate_preconditions(request, etag: str) -> Response | None:
    """None when the request goes on; a 304 (with the ETag) for a read whose If-None-Match
    matches; a 412 problem (PreconditionFailed) when If-Match, or If-None-Match on a write,
    fails."""
    meta = request.META
    if any(name in meta for name in DATE_PRECONDITIONS):
        meta = {key: value for key, value in meta.items() if key not in DATE_PRECONDITIONS}
    answer = get_conditional_response(
        SimpleNamespace(META=meta, method=request.method, path=request.path), etag=etag
    )
    if answer is None:
        return None
    if answer.status_code == status.HTTP_304_NOT_MODIFIED:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    raise PreconditionFailed()
