"""The rules every query string keeps: only the parameters the view's action declares, each
given once unless it is declared multi-valued, with a value that is not empty, bounded in
length, and free of NUL characters."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.settings import api_settings

from api import as_of

# The longest value any query parameter may have; the schema states it on each (api.schema).
QUERY_VALUE_MAX_LENGTH = 200


def check_query_parameters(request, known: dict[str, bool]) -> None:
    """A 400 for a query the view cannot honour as asked.

    `known` maps each parameter the view takes to whether it may be repeated. A 400 answers a
    parameter outside `known` (listing those allowed), a parameter given twice that takes one
    value (which would otherwise quietly mean its last value), an empty value (which would
    mean "no filter"), a value over QUERY_VALUE_MAX_LENGTH, or one holding a NUL character
    (SQLite would take it, but PostgreSQL cannot compare one and would fail with a 500).
    """
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise ValidationError(
            {name: ["Unknown query parameter."] for name in unknown} | {"allowed": sorted(known)}
        )
    errors = {}
    for name, values in request.query_params.lists():
        if len(values) > 1 and not known[name]:
            errors[name] = ["Give this parameter once."]
        elif any(value == "" for value in values):
            errors[name] = ["Give a value, or leave the parameter out."]
        elif any(len(value) > QUERY_VALUE_MAX_LENGTH for value in values):
            errors[name] = [f"Give at most {QUERY_VALUE_MAX_LENGTH} characters."]
        elif any("\x00" in value for value in values):
            errors[name] = ["Null characters are not allowed."]
    if errors:
        raise ValidationError(errors)


def view_parameters(view, filterset_class=None) -> dict[str, bool]:
    """What a view's action understands, each with whether it may be repeated: `format` and
    `as_of` (api.as_of, which has read it before the view); and
    for an action that lists (CheckedQueryMixin.listing_actions) its paginator's parameters,
    and the filters (of `filterset_class`, or of its filter backend), search and ordering
    that its filter backends apply."""
    known = {api_settings.URL_FORMAT_OVERRIDE: False, as_of.PARAMETER: False}
    action = getattr(view, "action", None)
    if action is not None and action not in getattr(view, "listing_actions", ("list",)):
        return known
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        known |= dict.fromkeys(paginator.parameters(), False)
    backends = getattr(view, "filter_backends", ())
    if filterset_class is None:
        filterset_class = next(
            (
                backend().get_filterset_class(view, view.get_queryset())
                for backend in backends
                if issubclass(backend, DjangoFilterBackend)
            ),
            None,
        )
    if filterset_class is not None:
        known |= {name: repeatable(f) for name, f in filterset_class.base_filters.items()}
    if getattr(view, "search_fields", None) and any(issubclass(b, SearchFilter) for b in backends):
        known[api_settings.SEARCH_PARAM] = False
    if getattr(view, "ordering_fields", None) and any(issubclass(b, OrderingFilter) for b in backends):
        known[api_settings.ORDERING_PARAM] = False
    return known


def repeatable(filter_) -> bool:
    """A filter declared multi-valued (django-filter's MultipleChoiceFilter and its kind) reads
    every value of a repeated parameter; any other reads one."""
    widget = filter_.extra.get("widget", filter_.field_class.widget)
    return bool(getattr(widget, "allow_multiple_selected", False))


class CheckedQueryMixin:
    """A view whose every request has its query checked against what its action declares
    (view_parameters), before the action runs. `listing_actions` are those that list."""

    listing_actions = ("list",)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # An empty query keeps every rule; most reads send one, and need not learn the view's.
        if request.query_params:
            check_query_parameters(request, self.query_parameters())

    def query_parameters(self) -> dict[str, bool]:
        return view_parameters(self)
