"""The rules every query string keeps: only the parameters the view declares, each with a
value that is not empty, bounded in length, and free of NUL characters."""

from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

# The longest value any query parameter may have; the schema states it on each (api.schema).
QUERY_VALUE_MAX_LENGTH = 200


def check_query_parameters(request, known) -> None:
    """A 400 for a query the view cannot honour as asked.

    That is a parameter outside `known` (the 400 lists those allowed), an empty value (which
    would otherwise quietly mean "no filter"), a value over QUERY_VALUE_MAX_LENGTH, or one
    holding a NUL character (SQLite would take it, but PostgreSQL cannot compare one and
    would fail with a 500).
    """
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise ValidationError(
            {name: ["Unknown query parameter."] for name in unknown} | {"allowed": sorted(known)}
        )
    errors = {}
    for name, values in request.query_params.lists():
        if any(value == "" for value in values):
            errors[name] = ["Give a value, or leave the parameter out."]
        elif any(len(value) > QUERY_VALUE_MAX_LENGTH for value in values):
            errors[name] = [f"Give at most {QUERY_VALUE_MAX_LENGTH} characters."]
        elif any("\x00" in value for value in values):
            errors[name] = ["Null characters are not allowed."]
    if errors:
        raise ValidationError(errors)


def view_parameters(view, filterset_class=None) -> set[str]:
    """What a listing view understands: `format`, its paginator's parameters, and its
    filters, search and ordering where it has them."""
    known = {api_settings.URL_FORMAT_OVERRIDE}
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        known |= {paginator.page_query_param, paginator.page_size_query_param}
    if filterset_class is not None:
        known |= set(filterset_class.base_filters)
    if getattr(view, "search_fields", None):
        known.add(api_settings.SEARCH_PARAM)
    if getattr(view, "ordering_fields", None):
        known.add(api_settings.ORDERING_PARAM)
    return known
