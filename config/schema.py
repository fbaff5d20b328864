"""Post-processing of the generated OpenAPI document.

It adds the one error shape (RFC 9457 problem details) to every operation, and example
responses recorded from the real API (`manage.py record_api_examples`), so the examples in
Swagger UI are true answers of this server, checked by the test suite.
"""

import json
from pathlib import Path

from drf_spectacular import openapi
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly

EXAMPLES_FILE = Path(__file__).resolve().parent / "api_examples.json"

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

# Only writes can meet these.
WRITE_ERRORS = {
    "401": "No credentials, or wrong ones: send `Authorization: Token <key>`.",
    "403": "The user lacks the permission for this change.",
    "409": "The change conflicts with other records: a slug or number already taken, or (on "
    "delete) records that still refer to this one.",
    "412": "The record changed since the version whose ETag was sent in If-Match.",
    "422": (
        "Well-formed input that breaks a rule about the data, which no schema can state: a link "
        "to a record that does not exist, a quote that is not the source's text at its offsets, "
        "a month-precision date not on day 1, a slug that would change."
    ),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, knowing that anyone may read a resource editors write, and that a
    record's write rejects fields it does not know (so its request body says so)."""

    def _map_basic_serializer(self, serializer, direction):
        result = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "rejects_unknown_fields", False):
            result["additionalProperties"] = False
        return result

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        result = super()._map_serializer_field(field, direction, bypass_extensions)
        # A to-many link that may not be empty (an engagement's belligerents) needs one item
        # when written; a read shows what is stored.
        if (
            direction == "request"
            and result.get("type") == "array"
            and getattr(field, "allow_empty", True) is False
        ):
            result["minItems"] = 1
        return result

    def get_auth(self):
        auths = super().get_auth()
        anonymous_reads = any(
            isinstance(permission, DjangoModelPermissionsOrAnonReadOnly)
            for permission in self.view.get_permissions()
        )
        if anonymous_reads and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


def load_examples() -> dict:
    if not EXAMPLES_FILE.exists():
        return {}
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))


def add_problem_responses_and_examples(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    examples = load_examples()
    paths = result.get("paths", {})
    for path, path_item in paths.items():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            errors = ERRORS | (WRITE_ERRORS if method in ("post", "put", "patch", "delete") else {})
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": problem})
            example = examples.get(operation.get("operationId")) or written_record_example(
                paths, path, method, examples
            )
            if example is None:
                continue
            for status in ("200", "201"):
                for media in responses.get(status, {}).get("content", {}).values():
                    media["examples"] = {
                        "recorded": {"summary": f"GET {example['path']}", "value": example["value"]}
                    }
    return result


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
