import django_filters

from api.filters import IntegerFilter, RecordTypeFilter, SlugChoiceFilter
from api.registry import citable_models
from sources.models import Citation, Source


class CitationFilter(django_filters.FilterSet):
    source = SlugChoiceFilter(Source, help_text="Slug of the source.")
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
        fields = ["source", "record_type", "covers"]

    def filter_covers(self, qs, name, value):
        return qs.filter(start__lte=value, end__gt=value)
