"""Cross-cutting HTTP concerns: a content security policy, a bound on bodies, a request id,
one JSON log line per request, rate-limit headers, and addresses missing their trailing slash."""

import json
import logging
import re
import time
import uuid

from django.conf import settings
from django.middleware.common import CommonMiddleware
from django.utils.http import escape_leading_slashes

from api.clients import client_address

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Swagger UI and ReDoc set styles inline; nothing else is allowed inline.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
logger = logging.getLogger("requests")


def request_id(offered: str) -> str:
    """The client's X-Request-ID if it is sane, else a new one."""
    return offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class BodyLimitMiddleware:
    """A body longer than DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, answered from its
    Content-Length before a byte of it is read.

    Django checks that bound only where something reads `request.body`, and never for the
    files of a multipart body, which it reads to the end and spools to disk first. A body
    without a Content-Length (chunked) is never read: Django takes it as empty.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from api.errors import problem_response

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return problem_response(request, 413, f"The body is over the {limit} bytes this server takes.")
        return self.get_response(request)


class RequestLogMiddleware:
    """Gives each request an id (the client's X-Request-ID if it is sane), returns it in the
    response, and logs one JSON line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id(request.headers.get("X-Request-ID", ""))
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        limits = getattr(request, "rate_limit", None)
        if limits is not None:
            response["RateLimit-Limit"], response["RateLimit-Remaining"], response["RateLimit-Reset"] = (
                str(value) for value in limits
            )
        user = getattr(request, "user", None)
        logger.info(
            json.dumps(
                {
                    "request_id": request.id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user": user.get_username() if user is not None and user.is_authenticated else None,
                    "remote_addr": client_address(request.META),
                }
            )
        )
        return response


class ApiNotFoundMiddleware:
    """An address under /api/ that matches no route is a 404 problem, in debug mode too.

    With DEBUG off Django already answers with handler404 (api.errors.not_found); with it
    on, `make run` would otherwise send its HTML debug page to programs expecting JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from rest_framework.response import Response

        from api.errors import not_found

        response = self.get_response(request)
        unrouted = response.status_code == 404 and not isinstance(response, Response)
        if unrouted and request.path.startswith("/api/") and "json" not in response.get("Content-Type", ""):
            return not_found(request)
        return response


class AppendSlashMiddleware(CommonMiddleware):
    """Django's CommonMiddleware, which redirects an address missing its trailing slash, with
    a write under /api/ answered by a 308 problem naming the right URL in Location: a 308
    keeps the method and the body, where Django's 301 would lose the body (and with DEBUG on,
    Django raises instead). A read is still redirected with a 301."""

    def process_response(self, request, response):
        if (
            response.status_code == 404
            and request.method not in ("GET", "HEAD")
            and request.path.startswith("/api/")
            and self.should_redirect_with_slash(request)
        ):
            from api.errors import problem_response

            path = escape_leading_slashes(request.get_full_path(force_append_slash=True))
            location = request.build_absolute_uri(path)
            return problem_response(
                request,
                308,
                f"This address ends with a slash: send the request again to {location}",
                headers={"Location": location},
            )
        return super().process_response(request, response)


def database_unavailable(request, **members):
    """The 503 problem for a database that does not answer."""
    from api.errors import problem_response

    return problem_response(
        request,
        503,
        "The database is unavailable; try again shortly.",
        headers={"Retry-After": "5"},
        members=members,
    )


class DatabaseUnavailableMiddleware:
    """A request that finds the database unreachable gets a quick 503 problem, not a trace.

    Connections are health-checked before reuse (CONN_HEALTH_CHECKS), so once the
    database is back the next request simply reconnects.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError

        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning(
                json.dumps({"request_id": getattr(request, "id", None), "database": str(exception)})
            )
            return database_unavailable(request)
        return None
