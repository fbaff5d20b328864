import django_filters

from api.filters import IntegerFilter, RecordTypeFilter, SlugChoiceFilter
from api.registry import citable_models
from sources.models import Citation, DocumentKind, Source, SourceKind


class SourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=SourceKind.choices, help_text="Only sources of this kind.")
    document_kind = django_filters.ChoiceFilter(
        choices=DocumentKind.choices, help_text="Only references of this kind of document."
    )

    class Meta:
        model = Source
        fields = ["kind", "document_kind"]


class CitationFilter(django_filters.FilterSet):
    source = SlugChoiceFilter(Source, help_text="Slug of the source.")
    kind = django_filters.ChoiceFilter(
        field_name="source__kind",
        choices=SourceKind.choices,
        help_text="Only citations of a held text (checked quotes at offsets) or of references (locators).",
    )
    record_type = RecordTypeFilter(
        kinds=citable_models,
        content_type_field="content_type",
        help_text="Only citations supporting records of this kind.",
    )
    covers = IntegerFilter(
        method="filter_covers",
        help_text="Only citations whose span includes this character offset of the source.",
    )

    class Meta:
        model = Citation
        fields = ["source", "kind", "record_type", "covers"]

    def filter_covers(self, qs, name, value):
        return qs.filter(start__lte=value, end__gt=value)
