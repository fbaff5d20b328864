import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from sources.dates import overlapping, parse_partial_date, period_end
from sources.models import Citation, Source
from sources.serializers import citable_models


class PartialDateFormField(forms.CharField):
    """Accepts YYYY, YYYY-MM or YYYY-MM-DD and gives (first day, precision)."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            return parse_partial_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@extend_schema_field(OpenApiTypes.STR)
class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A related record named by its slug; an unknown slug is a 400."""

    def __init__(self, *, queryset, **kwargs):
        super().__init__(queryset=queryset, to_field_name="slug", **kwargs)


class StrictBooleanFormField(forms.Field):
    """true/false (or 1/0); anything else is an error rather than "no filter"."""

    values = {"true": True, "1": True, "false": False, "0": False}

    def clean(self, value):
        if value in (None, ""):
            return None
        try:
            return self.values[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(f"{value!r} is not a boolean; use true or false.") from None


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanFormField


@extend_schema_field(OpenApiTypes.STR)
class DateRangeBound(django_filters.Filter):
    """One end of a date range; a record's date counts with its whole period (month, year)."""

    field_class = PartialDateFormField

    def __init__(self, *, bound: str, date_field: str = "date", **kwargs):
        self.bound = bound
        self.date_field = date_field
        relation = "on or after" if bound == "start" else "on or before"
        kwargs.setdefault(
            "help_text",
            f"Only records dated (at their precision) {relation} "
            "this date: YYYY, YYYY-MM or YYYY-MM-DD. A month-precision date matches any range that "
            "touches its month.",
        )
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        date, precision = value
        if self.bound == "start":
            return qs.filter(overlapping(self.date_field, date, None))
        return qs.filter(overlapping(self.date_field, None, period_end(date, precision)))


class CitationFilter(django_filters.FilterSet):
    source = SlugChoiceFilter(queryset=Source.objects.all(), help_text="Slug of the source.")
    record_type = django_filters.ChoiceFilter(
        choices=lambda: [(name, name) for name in sorted(citable_models())],
        method="filter_record_type",
        help_text="Only citations supporting records of this kind.",
    )
    covers = django_filters.NumberFilter(
        method="filter_covers",
        min_value=0,
        help_text="Only citations whose span includes this character offset of the source.",
    )

    class Meta:
        model = Citation
        fields = ["source", "record_type", "covers"]

    def filter_record_type(self, qs, name, value: str):
        model = citable_models()[value]
        return qs.filter(content_type=ContentType.objects.get_for_model(model))

    def filter_covers(self, qs, name, value):
        return qs.filter(start__lte=value, end__gt=value)
