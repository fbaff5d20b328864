"""The filter, search and ordering backends of every list; search and ordering answer a
query they cannot honour with a 400.

An overlong search or an undeclared ordering field would otherwise be ignored, and the
client would take an unfiltered list for an answer; the query as a whole is checked before
any backend runs (api.query.CheckedQueryMixin).
"""

from django.db.models import F
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from api.filters import selects_everything
from api.query import QUERY_VALUE_MAX_LENGTH

# The longest text a client may search for, in a list's `search` or in /search/'s `q`.
SEARCH_MAX_LENGTH = QUERY_VALUE_MAX_LENGTH


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, building a list's FilterSet only when the query names one of
    its filters: with none it selects everything, and building it (and its form) would be most
    of the work of reading a stored page (api.renderings)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or selects_everything(filterset_class, request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


class BoundedSearchFilter(filters.SearchFilter):
    """DRF's search, with a bounded query: past the bound a client gets a 400, not a slow scan."""

    def get_search_terms(self, request):
        raw = request.query_params.get(self.search_param, "")
        if len(raw) > SEARCH_MAX_LENGTH:
            raise ValidationError(
                {self.search_param: [f"Give at most {SEARCH_MAX_LENGTH} characters to search for."]}
            )
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["description"] = (
                f"Words to look for (case-insensitive; at most {SEARCH_MAX_LENGTH} characters)."
            )
            parameter["schema"].update({"minLength": 1, "maxLength": SEARCH_MAX_LENGTH})
        return parameters


class StrictOrderingFilter(filters.OrderingFilter):
    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            terms = params.split(",")
            valid = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            invalid = [term for term in terms if term.removeprefix("-") not in valid]
            if invalid:
                message = f"Cannot order by {', '.join(invalid)}; choose from {', '.join(sorted(valid))}."
            elif len(set(terms)) < len(terms):
                message = "Give each term once."
            else:
                message = None
            if message:
                raise ValidationError({self.ordering_param: [message]})
        return super().get_ordering(request, queryset, view)

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        # Ties in the list's own order: records often share a value (the five engagements are
        # all first cited at one offset), and a database left to order them may order them
        # differently for each page.
        named = {term.removeprefix("-") for term in ordering if isinstance(term, str)}
        ties = [term for term in getattr(view, "ordering", None) or () if term.removeprefix("-") not in named]
        # A dated record's `date` orders by its chosen date (api.dates.DatedRecord.chosen_date):
        # its own, or another source's where the one it rests on gives none.
        if hasattr(queryset.model, "chosen_date"):
            ordering = [self.chosen(term) for term in ordering]
            ties = [self.chosen(term) for term in ties]
        # Empty values last, as PostgreSQL does: SQLite would put them first.
        return queryset.order_by(*(self.nulls_last(term) for term in [*ordering, *ties]))

    @staticmethod
    def chosen(term):
        if isinstance(term, str) and term.removeprefix("-") == "date":
            return term.replace("date", "chosen_date")
        return term

    def get_schema_operation_parameters(self, view):
        # A list of declared fields, each maybe prefixed with "-": what get_ordering accepts.
        choices = [term for name in view.ordering_fields for term in (name, f"-{name}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Fields to order by, comma-separated; prefix one with - for descending order. "
                    "Empty values come last either way; ties keep the list's own order."
                ),
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": len(choices),
                    "uniqueItems": True,
                    # Names for client generators, which would make "-date" MINUS_DATE or _DATE.
                    "items": {
                        "type": "string",
                        "enum": choices,
                        "x-enum-varnames": [enum_name(c) for c in choices],
                    },
                },
            }
        ]

    @staticmethod
    def nulls_last(term):
        if not isinstance(term, str):
            return term
        if term.startswith("-"):
            return F(term[1:]).desc(nulls_last=True)
        return F(term).asc(nulls_last=True)


def enum_name(term: str) -> str:
    """An ordering term's name in generated code: "date" DATE, "-date" DATE_DESC."""
    name = term.removeprefix("-").upper()
    return f"{name}_DESC" if term.startswith("-") else name
