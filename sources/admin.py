from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from api.admin import CitationForm, text_at_offsets
from sources.models import Citation, DatasetLoad, Source


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "kind", "document_kind", "year", "precedence", "language"]
    list_filter = ["kind", "document_kind"]
    search_fields = ["name", "slug", "author", "filename"]
    fieldsets = [
        (None, {"fields": ["kind", "slug", "name", *Source.DESCRIPTION_FIELDS]}),
        ("A reference's bibliographic record", {"fields": list(Source.REFERENCE_FIELDS)}),
        ("A held text", {"fields": ["filename", "sha256", "text"]}),
    ]
    readonly_fields = ["sha256"]

    def get_readonly_fields(self, request, obj=None):
        # A cited source keeps its kind, and a cited held text its text (Source.clean): the
        # form shows them as they are rather than refusing an edit after it is made.
        fixed = list(self.readonly_fields)
        if obj is not None and obj.citations.exists():
            fixed += ["kind", "slug", *(["filename", "text"] if obj.is_held_text else [])]
        elif obj is not None:
            fixed.append("slug")
        return fixed


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    form = CitationForm
    list_display = ["quote_preview", "start", "end", "locator", "content_type", "record", "source"]
    list_filter = ["source__kind", "content_type", "source"]
    search_fields = ["quote", "locator"]
    fields = [
        *("source", "start", "end", "locator", "quote", "source_text"),
        *("content_type", "object_id", "uuid"),
    ]
    readonly_fields = ["source_text", "uuid"]
    autocomplete_fields = ["source"]
    list_select_related = ["source", "content_type"]

    @admin.display(description="quote")
    def quote_preview(self, citation):
        return citation.quote if len(citation.quote) <= 80 else citation.quote[:79] + "…"

    @admin.display(description="source text at these offsets")
    def source_text(self, citation):
        return text_at_offsets(citation)


@admin.register(DatasetLoad)
class DatasetLoadAdmin(admin.ModelAdmin):
    list_display = ["loaded_at", "digest", "created", "updated", "unchanged"]
    readonly_fields = ["loaded_at", "digest", "created", "updated", "unchanged"]

    def has_add_permission(self, request):
        return False
