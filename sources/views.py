from django.db.models.functions import Length
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from sources.filters import CitationFilter
from sources.models import Citation, Source
from sources.serializers import (
    CitationDetailSerializer,
    SourceDetailSerializer,
    SourceSerializer,
)


def document(singular: str, plural: str, tag: str, description: str = ""):
    """Summaries, description and tag for a resource's list and detail operations."""
    return extend_schema_view(
        list=extend_schema(summary=f"List {plural}", description=description, tags=[tag]),
        retrieve=extend_schema(summary=f"Retrieve one {singular}", description=description, tags=[tag]),
    )


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of one kind of record, addressed by slug."""

    lookup_field = "slug"
    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action != "list" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class


@document(
    "source",
    "sources",
    "Provenance",
    "The documents the dataset is transcribed from. The detail includes the full text that "
    "citation offsets index into.",
)
class SourceViewSet(RecordViewSet):
    # The list leaves the text out: a client reading it does not need every document whole.
    queryset = Source.objects.annotate(length=Length("text")).defer("text")
    serializer_class = SourceSerializer
    detail_serializer_class = SourceDetailSerializer
    search_fields = ["name", "filename"]
    ordering_fields = ["slug", "name"]
    ordering = ["slug"]

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if self.action == "list" else Source.objects.annotate(length=Length("text"))


@document(
    "citation",
    "citations",
    "Provenance",
    "The exact words of a source that a record rests on, with their start and end character "
    "offsets (Python string indices) into the source text.",
)
class CitationViewSet(RecordViewSet):
    queryset = (
        Citation.objects.select_related("source", "content_type")
        .defer("source__text")
        .prefetch_related("record")
    )
    serializer_class = CitationDetailSerializer
    lookup_field = "uuid"
    filterset_class = CitationFilter
    search_fields = ["quote"]
    ordering_fields = ["start", "end"]
    ordering = ["source", "start", "end", "id"]
