from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from api.admin import CitationForm, text_at_offsets
from sources.models import Citation, DatasetLoad, Source


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "language", "title_supplied", "filename", "sha256"]
    search_fields = ["name", "slug", "filename"]
    fields = ["name", *Source.DESCRIPTION_FIELDS, "slug", "filename", "sha256", "text"]
    # The description is the editors'; the text and what identifies it stay as loaded, since
    # every citation's offsets point into it.
    readonly_fields = ["slug", "filename", "sha256", "text"]


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    form = CitationForm
    list_display = ["quote_preview", "start", "end", "content_type", "record", "source"]
    list_filter = ["content_type", "source"]
    search_fields = ["quote"]
    fields = ["source", "start", "end", "quote", "source_text", "content_type", "object_id", "uuid"]
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
