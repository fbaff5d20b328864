"""Filter and ordering backends that answer a query they cannot honour with a 400.

An unknown parameter, an unknown filter value or an undeclared ordering field would
otherwise be ignored, and the client would take an unfiltered list for an answer.
"""

from django.db.models import F
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError

# Parameters every list understands besides its own filters.
COMMON_PARAMETERS = {"page", "page_size", "search", "ordering", "format"}


def reject_unknown_parameters(request, known) -> None:
    """A 400 naming each query parameter outside `known`, and listing those allowed."""
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise ValidationError(
            {name: ["Unknown query parameter."] for name in unknown} | {"allowed": sorted(known)}
        )


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) == "list":
            known = set(COMMON_PARAMETERS)
            filterset_class = self.get_filterset_class(view, queryset)
            if filterset_class is not None:
                known |= set(filterset_class.base_filters)
            reject_unknown_parameters(request, known)
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(filters.OrderingFilter):
    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            valid = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            invalid = [field for field in fields if field.lstrip("-") not in valid]
            if invalid:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {', '.join(invalid)}; choose from {', '.join(sorted(valid))}."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        # Empty values last, as PostgreSQL does: SQLite would put them first.
        return queryset.order_by(*(self.nulls_last(term) for term in ordering))

    @staticmethod
    def nulls_last(term):
        if not isinstance(term, str):
            return term
        if term.startswith("-"):
            return F(term[1:]).desc(nulls_last=True)
        return F(term).asc(nulls_last=True)
