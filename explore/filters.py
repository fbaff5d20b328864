"""The parameters of the timeline and of search, as FilterSets applied to each kind of record."""

import django_filters
from django.db.models import Q

from api.backends import SEARCH_MAX_LENGTH
from api.filters import DateBasisFilter, date_range_filters
from api.registry import dated_models, record_type

# How the timeline may order its entries; the first is the default.
TIMELINE_ORDERS = ("date", "narrative")
# The timeline's parameters that order what the others select.
ORDERING_PARAMETERS = {"order"}


class TimelineFilter(django_filters.FilterSet):
    start, end, calendar = date_range_filters()
    date_basis = DateBasisFilter()
    type = django_filters.ChoiceFilter(
        choices=lambda: [(name, name) for name in sorted(dated_models())],
        method="filter_type",
        help_text="Only records of this kind.",
    )
    order = django_filters.ChoiceFilter(
        choices=[(name, name) for name in TIMELINE_ORDERS],
        method="in_any_order",
        help_text="date (the default) or narrative.",
    )

    def filter_type(self, qs, name, value):
        return qs if record_type(qs.model) == value else qs.none()

    def in_any_order(self, qs, name, value):
        # It orders the merged entries of every kind (explore.views), selecting none.
        return qs


class RecordSearchFilter(django_filters.FilterSet):
    """`q` in any of the fields a list's own `?search=` looks in (`search_fields`, by model)."""

    q = django_filters.CharFilter(
        method="matching",
        required=True,
        # Taken as given: its documented length is the length checked.
        strip=False,
        error_messages={"required": f"Give 1 to {SEARCH_MAX_LENGTH} characters to search for."},
    )

    def __init__(self, data, queryset, *, search_fields, **kwargs):
        self.search_fields = search_fields
        super().__init__(data, queryset, **kwargs)

    def matching(self, qs, name, value):
        condition = Q()
        for field in self.search_fields[qs.model]:
            condition |= Q(**{f"{field}__icontains": value})
        return qs.filter(condition)
