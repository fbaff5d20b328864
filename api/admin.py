"""The admin's shared machinery: a record edited beside what belongs to it (its citations,
its figures), its slug set once."""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from api.writes import citation_rule_errors
from sources.models import Citation


def text_at_offsets(citation) -> str:
    """What the source says at the citation's offsets, so an editor sees what it points at."""
    if citation.source_id is None or citation.start is None or citation.end is None:
        return "–"
    found = citation.source.text[citation.start : citation.end]
    if found == citation.quote:
        return format_html("<q>{}</q>", found)
    return format_html('<q style="color:#ba2121">{}</q> (does not match the quote)', found)


class CitationForm(forms.ModelForm):
    """A citation on its own: it must also keep the rules its record has about what it rests
    on (CitedRecord.citation_errors), as a write through the API must."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            for messages in citation_rule_errors(self.instance).values():
                self.add_error(None, messages)


class CitationFormSet(BaseGenericInlineFormSet):
    """A record's citations edited beside it: together, as the forms leave them, they must keep
    the record's rules about what it rests on, with the record as its own form leaves it."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.instance
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
            and (form.instance.pk is not None or form.has_changed())
        ]
        errors = self.instance.citation_errors(kept)
        if errors:
            raise ValidationError([message for messages in errors.values() for message in messages])


class CitationInline(GenericTabularInline):
    model = Citation
    formset = CitationFormSet
    fields = ["source", "start", "end", "quote", "source_text"]
    readonly_fields = ["source_text"]
    extra = 0
    autocomplete_fields = ["source"]

    @admin.display(description="source text at these offsets")
    def source_text(self, citation):
        return text_at_offsets(citation)


def owned_records_inline(relation: GenericRelation) -> type[GenericTabularInline]:
    """An inline for the records of a generic relation other than citations (a record's
    figures): every editable field but the relation's own, related records by autocomplete."""
    model = relation.related_model
    own = {relation.content_type_field_name, relation.object_id_field_name}
    fields = [
        f for f in model._meta.concrete_fields if f.editable and not f.primary_key and f.name not in own
    ]
    return type(
        f"{model.__name__}Inline",
        (GenericTabularInline,),
        {
            "model": model,
            "ct_field": relation.content_type_field_name,
            "ct_fk_field": relation.object_id_field_name,
            "fields": [f.name for f in fields],
            "autocomplete_fields": [f.name for f in fields if f.is_relation],
            "extra": 0,
        },
    )


class CitedAdmin(SimpleHistoryAdmin):
    """An admin for a record that rests on citations: they are edited beside it, after its own
    inlines and the inlines of whatever else it owns through a generic relation (figures)."""

    list_per_page = 50

    def get_inlines(self, request, obj):
        owned = [
            owned_records_inline(field)
            for field in self.model._meta.private_fields
            if isinstance(field, GenericRelation) and field.related_model is not Citation
        ]
        return [*super().get_inlines(request, obj), *owned, CitationInline]

    def get_prepopulated_fields(self, request, obj=None):
        # A slug is the public identifier: set once, from the name, and then kept.
        if obj is None and "name" in [f.name for f in self.model._meta.fields]:
            return {"slug": ["name"]}
        return {}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "slug"] if obj is not None else readonly
