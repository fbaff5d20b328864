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
