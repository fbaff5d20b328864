"""How request bodies are read: JSON only, and JSON too deeply nested is invalid input."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's, answering a body nested past what Python's parser recurses into with a 400
    rather than a RecursionError (a 500): no record is nested more than a few levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
