from django.db.models.functions import Length
from rest_framework import permissions

from api.docs import document
from api.viewsets import RecordViewSet
from sources.filters import CitationFilter, SourceFilter
from sources.models import Citation, Source
from sources.serializers import CitationDetailSerializer, SourceDetailSerializer, SourceSerializer


@document(
    "source",
    "sources",
    "Provenance",
    "The documents the dataset rests on, of two kinds (`kind`). A held text: its full text is in "
    "the detail, citation offsets index into it (counted in Unicode code points, `offset_unit`, "
    "not bytes) and every quote is checked against it; once cited, it cannot change, since that "
    "would move every citation. A reference: a bibliographic record (author or body, title, "
    "publisher, year, URL, kind of document, language) without its text, cited by locator; its "
    "`precedence` orders it when a value is chosen among statements. Each says what is known of "
    "it (a description, its language, whether its title is the dataset's, where it is published, "
    "who holds its rights). Editors add sources of either kind here.",
)
class SourceViewSet(RecordViewSet):
    linked_data_type = "CreativeWork"
    queryset = Source.objects.annotate(length=Length("text"))
    serializer_class = SourceSerializer
    detail_serializer_class = SourceDetailSerializer
    filterset_class = SourceFilter
    search_fields = ["name", "filename", "author"]
    ordering_fields = ["slug", "name", "year"]
    ordering = ["slug"]

    def get_queryset(self):
        queryset = super().get_queryset()
        # The list leaves the text out: a client reading it does not need every document whole.
        return queryset.defer("text") if self.action == "list" else queryset


@document(
    "citation",
    "citations",
    "Provenance",
    "What a record rests on, in a source of either kind (`kind`). In a held text: the exact "
    "words, with their start and end offsets into its text, counted in Unicode code points "
    "(Python string indices), not bytes; a citation whose quote is not the text at its offsets "
    "cannot be saved. In a reference: a `locator` (page, article, document number) and, where it "
    "pins the fact, a quote of at most 25 words, which is not checked against any text.",
)
class CitationViewSet(RecordViewSet):
    linked_data_type = "Quotation"
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
