"""Content negotiation: DRF's, with an unknown `?format=` answered as a 406 problem (the
format is not one the resource has), not DRF's 404 (the resource exists)."""

from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            asked = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
            raise NotAcceptable(self.refusal(f"no format {asked!r}", renderers)) from None
        except NotAcceptable:
            raise NotAcceptable(self.refusal("nothing the Accept header accepts", renderers)) from None

    @staticmethod
    def refusal(what: str, renderers) -> str:
        offered = ", ".join(f"{r.format} ({r.media_type})" for r in renderers)
        return f"This resource has {what}; it answers as: {offered}."
