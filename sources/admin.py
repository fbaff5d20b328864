from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from sources.models import Citation, DatasetLoad, Source


def text_at_offsets(citation) -> str:
    """What the source says at the citation's offsets, so an editor sees what it points at."""
    if citation.source_id is None or citation.start is None or citation.end is None:
        return "–"
    found = citation.source.text[citation.start : citation.end]
    if found == citation.quote:
        return format_html("<q>{}</q>", found)
    return format_html('<q style="color:#ba2121">{}</q> (does not match the quote)', found)


class CitationInline(GenericTabularInline):
    model = Citation
    fields = ["source", "start", "end", "quote", "source_text"]
    readonly_fields = ["source_text"]
    extra = 0
    autocomplete_fields = ["source"]

    @admin.display(description="source text at these offsets")
    def source_text(self, citation):
        return text_at_offsets(citation)


class CitedAdmin(SimpleHistoryAdmin):
    """An admin for a record that rests on citations: they are edited beside it."""

    inlines = [CitationInline]
    list_per_page = 50

    def get_prepopulated_fields(self, request, obj=None):
        # A slug is the public identifier: set once, from the name, and then kept.
        if obj is None and "name" in [f.name for f in self.model._meta.fields]:
            return {"slug": ["name"]}
        return {}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "slug"] if obj is not None else readonly


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "filename", "sha256"]
    search_fields = ["name", "slug", "filename"]
    readonly_fields = ["slug", "filename", "sha256", "text"]


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
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
