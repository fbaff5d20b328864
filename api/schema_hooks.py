"""Post-processing of the generated OpenAPI document (a drf-spectacular hook).

It adds the one error shape (RFC 9457 problem details) to every operation, and example
responses recorded from the real API (`manage.py record_api_examples`), so the examples in
Swagger UI are true answers of this server, checked by the test suite.
"""

import json
from http import HTTPStatus
from pathlib import Path

from api import as_of

EXAMPLES_FILE = Path(__file__).resolve().parent / "examples.json"

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {
            "type": "string",
            "description": "A URI naming the kind of problem.",
            "example": "about:blank",
        },
        "title": {"type": "string", "description": "The HTTP status phrase.", "example": "Not Found"},
        "status": {"type": "integer", "description": "The HTTP status code.", "example": 404},
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "instance": {"type": "string", "description": "The path of the request."},
        "errors": {
            "type": "object",
            "description": (
                "For invalid input: each bad field or parameter with its messages (for a list of "
                "rows, the errors of each bad row by its index)."
            ),
            "additionalProperties": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]},
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
}

ERRORS = {
    "400": (
        "Invalid input, as this schema states it: an unknown parameter or field, a value of the "
        "wrong type or form, out of range, or not among the choices."
    ),
    "404": "No record with that identifier, no such page, or a filter names a record that does not exist.",
    "405": "The method is not allowed on this resource.",
    "406": "The requested format cannot be produced.",
    "429": "Too many requests: wait the seconds in Retry-After.",
    "500": "The server failed; the error is logged.",
    "503": "The database is unavailable: try again after the seconds in Retry-After.",
}


def header(description: str, schema: dict, required: bool = True) -> dict:
    return {"description": description, "schema": schema, "required": required}


# Documented once, under components/headers, and referred to from each response.
HEADERS = {
    "X-Request-ID": header("The request's id, as in the server's log line for it.", {"type": "string"}),
    "Retry-After": header("Seconds to wait before trying again.", {"type": "integer", "minimum": 0}),
    "ETag": header(
        "A strong ETag of the record as shown: send it in If-None-Match (304 when unchanged) or "
        "in If-Match on a write (412 when it changed since).",
        {"type": "string"},
    ),
    "Location": header("The URL of the new record.", {"type": "string", "format": "uri"}),
    "RateLimit-Limit": header("Requests allowed in the window.", {"type": "integer"}, required=False),
    "RateLimit-Remaining": header("Requests left in the window.", {"type": "integer"}, required=False),
    "RateLimit-Reset": header("Seconds until the window resets.", {"type": "integer"}, required=False),
}


# Only writes can meet these.
WRITE_ERRORS = {
    "401": "No credentials, or wrong ones: send `Authorization: Token <key>`.",
    "403": "The user lacks the permission for this change.",
    "409": "The change conflicts with other records: a slug or number already taken, or (on "
    "delete) records that still refer to this one.",
    "412": (
        "A precondition failed: the record changed since the version whose ETag was sent in "
        "If-Match (or, on a write, If-None-Match matched it)."
    ),
    "422": (
        "Well-formed input that breaks a rule about the data, which no schema can state: a link "
        "to a record that does not exist, a quote that is not the source's text at its offsets, "
        "a written row that breaks a rule (a link that is our reading without a rationale), a slug "
        "that would change."
    ),
}


# Only operations that read a body can meet this.
BODY_ERRORS = {
    "415": "The body is not in a media type this operation takes (see its request body).",
}
# A record's read: an identifier once published stays meaningful.
RECORD_ERRORS = {
    "410": "The record was deleted: the problem's `history` links to its history, which stays.",
}


def abridged(value: dict) -> dict:
    """A streamed answer (the dump: megabytes) as its example shows it: its head, and the first
    record of each of its lists."""
    return value | {"records": {name: records[:1] for name, records in value["records"].items()}}


def load_examples() -> dict:
    if not EXAMPLES_FILE.exists():
        return {}
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))


def add_problem_responses_and_examples(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components["headers"] = HEADERS
    # Each error response is described once, under components/responses.
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    components["responses"] = {
        error_name(status): {
            "description": description,
            "content": problem,
            "headers": response_headers(status),
        }
        for status, description in (ERRORS | WRITE_ERRORS | BODY_ERRORS | RECORD_ERRORS).items()
    }
    examples = load_examples()
    paths = result.get("paths", {})
    for path, path_item in paths.items():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            shows_a_record = (method == "get" and path.endswith("}/")) or (
                method in ("post", "put", "patch") and not path.endswith("/auth/token/")
            )
            for status, response in responses.items():
                response["headers"] = response_headers(status, shows_a_record)
            errors = ERRORS | (WRITE_ERRORS if method in ("post", "put", "patch", "delete") else {})
            errors |= BODY_ERRORS if method in ("post", "put", "patch") else {}
            errors |= RECORD_ERRORS if method == "get" and shows_a_record else {}
            for status in errors:
                responses.setdefault(status, {"$ref": f"#/components/responses/{error_name(status)}"})
            example = examples.get(operation.get("operationId")) or written_record_example(
                paths, path, method, examples
            )
            if example is None:
                continue
            for status in ("200", "201"):
                for media_type, media in responses.get(status, {}).get("content", {}).items():
                    if media_type != "application/json":
                        continue  # recorded as JSON (the dump's NDJSON is documented in words)
                    media["examples"] = {
                        "recorded": {"summary": f"GET {example['path']}", "value": example["value"]}
                    }
    return result


def error_name(status: str) -> str:
    """ "404" -> "NotFound": the name of an error response under components/responses."""
    return HTTPStatus(int(status)).phrase.title().replace(" ", "").replace("-", "")


def response_headers(status: str, shows_a_record: bool = False) -> dict:
    """The headers every answer carries, and those of records, creations and waits."""
    names = ["X-Request-ID"]
    if status in ("429", "503"):
        names.append("Retry-After")
    if status.startswith("2"):
        names += ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"]
    if status in ("200", "201") and shows_a_record:
        names.append("ETag")
    if status == "201":
        names.append("Location")
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def written_record_example(paths, path, method, examples):
    """A write answers with the record as a detail GET shows it: reuse that recording."""
    if method not in ("post", "put", "patch"):
        return None
    detail = (
        path
        if path.endswith("}/")
        else next(
            (
                p
                for p in paths
                if p.startswith(path) and p.count("/") == path.count("/") + 1 and p.endswith("}/")
            ),
            None,
        )
    )
    if detail is None or path.endswith("/restorations/"):
        detail = path.removesuffix("restorations/") if path.endswith("/restorations/") else detail
    operation = paths.get(detail, {}).get("get")
    return examples.get(operation["operationId"]) if operation else None


AS_OF_PARAMETER = {
    "in": "query",
    "name": "as_of",
    "required": False,
    "description": (
        "Read the data as it was: a release's name (`GET /api/v1/meta/` lists them), a release "
        "id (`20261201T120000123456Z`) or a date-time with its UTC offset "
        "(`2026-12-01T12:00:00Z`; an offset's `+` may be sent as it is). Records deleted before "
        "it answer 410, those made after it 404; the links to other pages keep it, the records' "
        "own `url`s are today's. A moment to come, one before the data's first version, or a "
        "write with as_of is a 400."
    ),
    "schema": {"type": "string", "maxLength": as_of.MAX_LENGTH, "pattern": as_of.PATTERN},
}


def add_as_of_parameter(result, generator, request, public):
    """`as_of` on every read of the data (api.as_of): every GET but the root's, which lists the
    lists."""
    for path, path_item in result.get("paths", {}).items():
        operation = path_item.get("get")
        if operation is None or path == "/api/v1/":
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(parameter.get("name") == "as_of" for parameter in parameters):
            parameters.append(AS_OF_PARAMETER)
            parameters.sort(key=lambda parameter: parameter.get("name", ""))
    return result
