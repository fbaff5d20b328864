"""The admin's shared machinery: a record edited beside what belongs to it (its citations,
its figures, its links to records of any kind), its slug set once."""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from api.registry import record_type
from api.rows import generic_key
from api.writes import citation_rule_errors
from sources.models import Citation, CitedRecord


def text_at_offsets(citation) -> str:
    """What the source says at the citation's offsets, so an editor sees what it points at."""
    if citation.source_id is None or citation.start is None or citation.end is None:
        return "– (a reference: its text is not here)" if citation.locator else "–"
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
    fields = ["source", "start", "end", "locator", "quote", "source_text"]
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


class RecordLinkForm(forms.ModelForm):
    """A row linking to a record of any kind by its generic key, edited as one choice of record
    (`type:slug`) among the formset's. (Not named after the key: a form may not name a field
    the model does not let it edit.)"""

    target = forms.ChoiceField(label="record")

    class Meta:
        fields = []

    def __init__(self, *args, choices, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["target"].choices = choices
        key = generic_key(self._meta.model)
        target = getattr(self.instance, key.name) if self.instance.pk is not None else None
        if target is not None:
            self.initial["target"] = f"{record_type(type(target))}:{target.slug}"

    def clean_target(self):
        kind, _, slug = self.cleaned_data["target"].partition(":")
        model = self.kinds().get(kind)
        target = None if model is None else model._default_manager.filter(slug=slug).first()
        if target is None:
            raise ValidationError("Choose a record from the list.")
        key = generic_key(self._meta.model)
        setattr(self.instance, key.ct_field, ContentType.objects.get_for_model(target))
        setattr(self.instance, key.fk_field, target.pk)
        return self.cleaned_data["target"]


class RecordLinkFormSet(BaseInlineFormSet):
    """The choices of record are read once for the whole formset, not once per form."""

    kinds = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = [("", "---------")] + [
            (kind, [(f"{kind}:{record.slug}", str(record)) for record in model._default_manager.all()])
            for kind, model in sorted(self.kinds().items())
        ]

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "choices": self.choices, "kinds": self.kinds}


def record_links_inline(model, kinds) -> type[admin.TabularInline]:
    """An inline for `model`'s rows linking their owner to records of any kind among `kinds`
    (a callable giving the models by type name) by a generic key: a claim's judged records."""
    return type(
        f"{model.__name__}Inline",
        (admin.TabularInline,),
        {
            "model": model,
            "form": RecordLinkForm,
            "formset": type("RecordLinkFormSet", (RecordLinkFormSet,), {"kinds": staticmethod(kinds)}),
            "fields": ["target"],
            "extra": 0,
        },
    )


class CitedAdmin(SimpleHistoryAdmin):
    """An admin for a record that rests on citations: they are edited beside it, after its own
    inlines and the inlines of the records about it through a generic relation (figures)."""

    list_per_page = 50

    def get_inlines(self, request, obj):
        # The records about it (its figures), not the claims' rows judging it: those are
        # edited on their claim.
        owned = [
            owned_records_inline(field)
            for field in self.model._meta.private_fields
            if isinstance(field, GenericRelation) and issubclass(field.related_model, CitedRecord)
        ]
        return [*super().get_inlines(request, obj), *owned, CitationInline]

    def get_prepopulated_fields(self, request, obj=None):
        # A slug is the public identifier: set once, from the name, and then kept.
        if obj is None and "name" in [f.name for f in self.model._meta.fields]:
            return {"slug": ["name"]}
        return {}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Its place in the source is shown, never edited: its citations set it.
        return [*readonly, "slug", "sequence"] if obj is not None else readonly


def links_inline(row_model, *fields: str) -> type[admin.TabularInline]:
    """A record's link rows (its places with their roles, ...) edited beside it; each link says
    its basis and, for a reading, why."""
    related = [name for name in fields if row_model._meta.get_field(name).is_relation]
    return type(
        f"{row_model.__name__}Inline",
        (admin.TabularInline,),
        {
            "model": row_model,
            "fields": [*fields, "basis", "rationale"],
            "autocomplete_fields": related,
            "extra": 0,
        },
    )


def places_inline(row_model) -> type[admin.TabularInline]:
    return links_inline(row_model, "place", "role")
