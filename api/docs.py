"""How each resource's operations read in the OpenAPI schema (summary, description, tag),
and the view that serves the schema, built once per process."""

import threading
from types import SimpleNamespace

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer

from api.conditional import digest_etag, gzip_etag
from api.history import RestorationSerializer, VersionSerializer
from api.http_caching import accepts_gzip, gzip_bytes
from api.query import CheckedQueryMixin


def document(singular: str, plural: str, tag: str, description: str = "", writable: bool = True):
    """Summaries, description and tag for every operation on a resource."""
    operations = {
        "list": extend_schema(summary=f"List {plural}", description=description, tags=[tag]),
        "retrieve": extend_schema(
            summary=f"Retrieve one {singular}",
            description=description + " Carries a strong ETag; send it in If-None-Match to get a 304.",
            tags=[tag],
        ),
    }
    if writable:
        auth = (
            " Needs a token (`Authorization: Token <key>`) or a session of a user with the matching "
            "model permission. Send the ETag of the version you edited in `If-Match`: if the record "
            "changed since, the answer is 412 and nothing is written."
        )
        operations |= {
            "create": extend_schema(
                summary=f"Create a {singular}",
                description="Related records are given by slug. Unknown or read-only fields are a 400."
                + auth,
                tags=[tag],
            ),
            "update": extend_schema(summary=f"Replace a {singular}", description=auth.strip(), tags=[tag]),
            "partial_update": extend_schema(
                summary=f"Change some fields of a {singular}", description=auth.strip(), tags=[tag]
            ),
            "destroy": extend_schema(
                summary=f"Delete a {singular}",
                description=(
                    "A record others still refer to (a record pointing at it, such as a treaty term at "
                    "its treaty or a figure at its subject, or another record's link to it) is not deleted: "
                    "409, naming them. Otherwise it goes with its own parts, its citations and the rows "
                    "of its own links, and its history is kept: .../restorations/ brings it back whole."
                    + auth
                ),
                tags=[tag],
            ),
            "history": extend_schema(
                summary=f"List the versions of a {singular}",
                description=(
                    "Every change, newest first: when, by whom (named to signed-in editors; "
                    '"editor" to anyone else), through which path (the reason), and the record as it '
                    "was, linking to other records by slug. Also answers for a deleted record."
                ),
                tags=[tag],
                responses=VersionSerializer(many=True),
            ),
            "restorations": extend_schema(
                summary=f"Restore a {singular} to an earlier version",
                description=(
                    "Puts the record back as it was at `version` (see .../history/), its links "
                    "included; a deleted record comes back with the parts deleted with it (its "
                    "citations, the rows of its links), a deletion's version as it was deleted. Refused "
                    "as a write would be: 422 when the version links to a record deleted since, 409 "
                    "when its slug or number is taken. Needs the change permission (and the add "
                    "permission for a deleted record)."
                ),
                tags=[tag],
                request=RestorationSerializer,
            ),
        }
    return extend_schema_view(**operations)


class BuiltSchema:
    """The OpenAPI document of this process, generated on first use and rendered once per
    format. It depends on the code and on api/examples.json alone, never on the request or on
    the data, so one build serves every requester until the process ends."""

    def __init__(self):
        self.lock = threading.Lock()
        self.forget()

    def forget(self):
        """Build afresh on next use, as a new process would."""
        self.document = None
        self.rendered = {}
        self.answers = {}

    def get(self, view, renderer):
        """The document as `renderer` sends it: Content-Type, bytes, their gzip form, and a
        strong ETag of its own (two media types of the same bytes are two representations)."""
        answer = self.answers.get(renderer.media_type)
        if answer is not None:
            return answer
        with self.lock:
            if renderer.media_type not in self.answers:
                if self.document is None:
                    generator = view.generator_class(urlconf=view.urlconf, patterns=view.patterns)
                    self.document = generator.get_schema(request=None, public=view.serve_public)
                if renderer.format not in self.rendered:
                    body = renderer.render(self.document, renderer_context={})
                    self.rendered[renderer.format] = body, gzip_bytes(body)
                body, gzipped = self.rendered[renderer.format]
                content_type = renderer.media_type
                if renderer.charset:
                    content_type += f"; charset={renderer.charset}"
                self.answers[renderer.media_type] = SimpleNamespace(
                    content_type=content_type,
                    body=body,
                    gzipped=gzipped,
                    etag=digest_etag(content_type.encode() + b"\n" + body),
                )
            return self.answers[renderer.media_type]


SCHEMA = BuiltSchema()


class SchemaView(CheckedQueryMixin, SpectacularAPIView):
    """drf-spectacular's schema view, sending the document built once (SCHEMA): a request
    costs the bytes it is sent. The ETag is set here, so api.http_caching answers
    If-None-Match with a 304; a client that accepts gzip gets the gzip form, made once too."""

    # The schema documents the API, not itself (SERVE_INCLUDE_SCHEMA is off).
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        built = SCHEMA.get(self, request.accepted_renderer)
        if accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(built.gzipped, content_type=built.content_type)
            response["Content-Encoding"] = "gzip"
            response["ETag"] = gzip_etag(built.etag)
        else:
            response = HttpResponse(built.body, content_type=built.content_type)
            response["ETag"] = built.etag
        response["Content-Disposition"] = f'inline; filename="{self._get_filename(request, None)}"'
        return response

    def handle_exception(self, exc):
        # An error (a bad query, a 429) is a JSON problem, as everywhere, not a YAML document.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
