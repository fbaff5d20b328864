from django.db.models.functions import Length
from rest_framework import permissions

from api.docs import document
from api.viewsets import ReadOnlyRecordViewSet, RecordViewSet
from sources.filters import CitationFilter
from sources.models import Citation, Source
from sources.serializers import CitationDetailSerializer, SourceDetailSerializer, SourceSerializer


@document(
    "source",
    "sources",
    "Provenance",
    "The documents the dataset is transcribed from, each with what is known of it (a description "
    "from its own text, its language, whether its title is the dataset's, where it is published "
    "once a reference confirms it, and who holds its rights). The detail includes the full text "
    "that citation offsets index into, counted in Unicode code points (`offset_unit`), not bytes. "
    "Sources are read-only here: changing a text would move every citation.",
    writable=False,
)
class SourceViewSet(ReadOnlyRecordViewSet):
    queryset = Source.objects.annotate(length=Length("text"))
    serializer_class = SourceSerializer
    detail_serializer_class = SourceDetailSerializer
    search_fields = ["name", "filename"]
    ordering_fields = ["slug", "name"]
    ordering = ["slug"]

    def get_queryset(self):
        queryset = super().get_queryset()
        # The list leaves the text out: a client reading it does not need every document whole.
        return queryset.defer("text") if self.action == "list" else queryset


@document(
    "citation",
    "citations",
    "Provenance",
    "The exact words of a source that a record rests on, with their start and end offsets into "
    "the source text, counted in Unicode code points (Python string indices), not bytes. A "
    "citation whose quote is not the source text at its offsets cannot be saved.",
)
class CitationViewSet(RecordViewSet):
    queryset = (
        Citation.objects.select_related("source", "content_type")
        .defer("source__text")
        .prefetch_related("record")
    )
    serializer_class = CitationDetailSerializer
    lookup_field = "uuid"
    # Anything but a UUID is simply not found (and never reaches the UUID parser).
    lookup_value_regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    filterset_class = CitationFilter
    search_fields = ["quote"]
    ordering_fields = ["start", "end"]
    ordering = ["source", "start", "end", "id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        # Writing validates the quote against the source text, so it needs the text.
        return queryset if self.request.method in permissions.SAFE_METHODS else queryset.defer(None)
