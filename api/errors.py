"""One error shape everywhere: RFC 9457 problem details.

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "No party matches the given query.", "instance": "/api/v1/parties/x/"}

Validation errors add `errors`, a map from each bad field to its messages; which status a
refused write gets is decided in api.writes.
"""

from http import HTTPStatus

from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler

from api.renderers import PROBLEM_FORMATS
from api.throttling import counted

PROBLEM_CONTENT_TYPE = "application/problem+json"
INVALID_FIELDS = "The request has invalid fields; see errors."


def problem(status: int, detail: str, instance: str, errors=None) -> dict:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    request, status: int, detail: str, errors=None, headers=None, members=None
) -> JsonResponse:
    """A problem-details response for code outside DRF (URL resolver, middleware), with any
    extension `members` RFC 9457 allows beside the standard ones."""
    response = JsonResponse(
        problem(status, detail, request.path, errors) | (members or {}),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class Conflict(exceptions.APIException):
    status_code = HTTPStatus.CONFLICT
    default_detail = "The change conflicts with the current state of the data."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = HTTPStatus.PRECONDITION_FAILED
    default_detail = "The record has changed since the ETag you sent; fetch it again and retry."
    default_code = "precondition_failed"


class Gone(exceptions.APIException):
    """A record that was published and deleted since: its history stays (`members`: its link)."""

    status_code = HTTPStatus.GONE
    default_detail = "The record was deleted."
    default_code = "gone"

    def __init__(self, detail, members: dict):
        super().__init__(detail)
        self.members = members


def problem_exception_handler(exc, context):
    """DRF's handler, with every error body rewritten as problem details."""
    exc = counted(exc, context)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, ProtectedError | RestrictedError):
        # Imported here: api.deletion defines model fields, and config.wsgi imports this module
        # (through api.response_cache) before Django is set up.
        from api.deletion import dependents

        exc = Conflict(f"Other records still refer to this one: {dependents(exc.args[1])}.")
    elif isinstance(exc, IntegrityError):
        exc = Conflict("The change conflicts with another record (a duplicate, or a broken reference).")
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context["request"]
    data = response.data
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        # api.writes' refusals (422, 409) say what kind they are; any other is the schema's.
        detail = getattr(exc, "summary", INVALID_FIELDS)
    elif isinstance(data, dict) and "detail" in data:
        detail = str(data["detail"])
    else:
        detail = str(data)
    response.data = problem(response.status_code, detail, request.path, errors) | getattr(exc, "members", {})
    renderer = getattr(request, "accepted_renderer", None)
    # Those formats' renderers render a problem as JSON; the others (the browsable API, the
    # schema's YAML), their own way.
    if renderer is None or renderer.format in PROBLEM_FORMATS:
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def not_found(request, exception=None):
    return problem_response(request, 404, "There is nothing at this address.")


def server_error(request):
    return problem_response(request, 500, "The server failed to answer; the error has been logged.")


def bad_request(request, exception=None):
    return problem_response(request, 400, "The request could not be understood.")


def permission_denied(request, exception=None):
    return problem_response(request, 403, "You do not have permission to do this.")
