"""The JSON renderer, which sends text the read model (api.renderings) rendered already."""

import json

from rest_framework import renderers


class Rendered:
    """JSON text rendered already, which JSONRenderer sends as it is."""

    def __init__(self, text: str):
        self.text = text

    def parsed(self):
        return json.loads(self.text)


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, which sends a Rendered answer's text unchanged (unless the client
    asked for indentation)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, Rendered):
            if self.get_indent(accepted_media_type or "", renderer_context or {}) is None:
                return data.text.encode()
            data = data.parsed()
        return super().render(data, accepted_media_type, renderer_context)


class NDJSONRenderer(renderers.BaseRenderer):
    """Newline-delimited JSON (the dump streams it itself, api.streaming); what it renders is
    an error, a problem on one line."""

    media_type = "application/x-ndjson"
    format = "ndjson"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data) + b"\n"


class CSVRenderer(NDJSONRenderer):
    """CSV (a list streams it itself, api.tables); what it renders is an error, a problem."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class GeoJSONRenderer(JSONRenderer):
    """GeoJSON (RFC 7946): places and engagements, where they have coordinates (api.geo)."""

    media_type = "application/geo+json"
    format = "geojson"


class JSONLDRenderer(JSONRenderer):
    """JSON-LD in schema.org's vocabulary: a record (api.linked_data)."""

    media_type = "application/ld+json"
    format = "jsonld"


# The formats whose renderers render an error as a JSON problem (api.errors).
PROBLEM_FORMATS = ("json", "csv", "ndjson", "geojson", "jsonld")
