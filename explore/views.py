"""The two views that read across every app: the timeline and search. They know the kinds of
record from the registry (api.registry) and the router, not from the apps' modules."""

from django import forms
from django.db import connection
from django.forms.utils import ErrorDict, ErrorList
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny

from api import statements
from api.backends import SEARCH_MAX_LENGTH
from api.dates import PARTIAL_DATE_SCHEMA, Precision, format_partial_date
from api.fields import summary, summary_of
from api.filters import selects_everything
from api.query import CheckedQueryMixin, view_parameters
from api.readings import Basis
from api.registry import dated_models
from explore.filters import ORDERING_PARAMETERS, TIMELINE_ORDERS, RecordSearchFilter, TimelineFilter
from explore.serializers import SearchHitSerializer, TimelineEntrySerializer

PRECISION_ORDER = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}
SUMMARY_LENGTH = 200


class ExploreView(CheckedQueryMixin, GenericAPIView):
    """A paginated read over several kinds of record, whose parameters are a FilterSet's."""

    permission_classes = [AllowAny]
    # Its FilterSet is applied to each kind of record in turn; no list filters apply.
    filter_backends = []
    filterset_class = None

    def filterset_kwargs(self) -> dict:
        return {}

    def filterset(self, queryset):
        """The request's FilterSet, its parameters checked (a 400 when they are not valid).

        Built once a request (building a FilterSet and its form is the dearest part of a
        read), then applied to each kind of record in turn.
        """
        filterset = getattr(self, "_filterset", None)
        if filterset is None:
            filterset = self.filterset_class(
                self.request.query_params, queryset, request=self.request, **self.filterset_kwargs()
            )
            if not filterset.is_valid():
                raise translate_validation(filterset.errors)
            self._filterset = filterset
        return filterset

    def parameter(self, name: str):
        """One of the FilterSet's parameters, checked as the FilterSet checks it (a 400 when it
        is not valid), without building a FilterSet for it."""
        field = self.filterset_class.base_filters[name].field
        try:
            return field.clean(self.request.query_params.get(name))
        except forms.ValidationError as error:
            raise translate_validation(ErrorDict({name: ErrorList(error.error_list)})) from None

    def query_parameters(self):
        return view_parameters(self, self.filterset_class)


class TimelineView(ExploreView):
    """Every record of every dated kind: in date order, or in the source's narrative order."""

    serializer_class = TimelineEntrySerializer
    filterset_class = TimelineFilter

    @extend_schema(
        summary="List the dated kinds' records in date or narrative order",
        description=(
            "Every event, negotiation, engagement and treaty, dated by the source or not, merged in "
            "one list. In date order (the default) the dated records come first, in date order (a "
            "year before a month before a day that start together; ties in narrative order), and "
            'then the records the source does not date (every engagement among them), with `"date": '
            "null`, in narrative order. In narrative order every record comes where the source first "
            "cites it (`sequence`): the order the source tells them in. Records that share a "
            "`sequence` go by kind, then in their kind's own order (engagements by their number). A "
            "date counts with its whole period: a month-precision date overlaps any range that "
            "touches its month. A date that is our reading (a year taken from the sentence "
            'before, a date derived from "three weeks after") says so: `date_basis` is `reading`, '
            "and the record's rationale says why."
        ),
        tags=["Explore"],
        responses=TimelineEntrySerializer(many=True),
        parameters=[
            OpenApiParameter(
                "start",
                PARTIAL_DATE_SCHEMA,
                description=(
                    "YYYY, YYYY-MM or YYYY-MM-DD: from here on. Selects dated records only: a record "
                    "the source does not date is in no range."
                ),
            ),
            OpenApiParameter(
                "end",
                PARTIAL_DATE_SCHEMA,
                description=(
                    "YYYY, YYYY-MM or YYYY-MM-DD: up to the end of it. An end before the start "
                    "selects nothing. Selects dated records only: a record the source does not date "
                    "is in no range."
                ),
            ),
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                enum=sorted(dated_models()),
                description="Only records of this kind.",
            ),
            OpenApiParameter(
                "order",
                OpenApiTypes.STR,
                enum=list(TIMELINE_ORDERS),
                description=(
                    "`date` (the default): the dated records in date order, then the undated ones in "
                    "narrative order. `narrative`: every record by `sequence`, where the source first "
                    "cites it."
                ),
            ),
            OpenApiParameter(
                "date_basis",
                OpenApiTypes.STR,
                enum=Basis.values,
                description="document: only dates the source states; reading: only dates we read from it.",
            ),
        ],
    )
    def get(self, request, format=None):
        narrative = (self.parameter("order") or TIMELINE_ORDERS[0]) == "narrative"
        entries = []
        for kind, model in dated_models().items():
            # A kind's rows come in its own order (engagements by number): the last tie-break.
            for rank, (slug, name, date, precision, basis, sequence) in enumerate(self.records(model)):
                told = (sequence is None, sequence or 0, kind, rank)
                if narrative or date is None:
                    key = (1, *told)
                else:
                    key = (0, date, PRECISION_ORDER[precision], *told)
                entries.append((key, kind, slug, name, date, precision, basis, sequence))
        entries.sort()
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(
            [
                {
                    **summary(request, dated_models()[kind], slug, name),
                    "date": format_partial_date(date, precision),
                    "date_precision": precision,
                    "date_basis": basis,
                    "sequence": sequence,
                }
                for _key, kind, slug, name, date, precision, basis, sequence in page
            ]
        )

    def records(self, model) -> list[tuple]:
        """(slug, name, date, precision, basis, sequence) of `model`'s records that the request
        selects, in the kind's own order."""
        rows = model.objects.all()
        columns = ("slug", "name", "date", "date_precision", "date_basis", "sequence")
        if selects_everything(self.filterset_class, set(self.request.query_params) - ORDERING_PARAMETERS):
            return statements.rows(("timeline", model), lambda: rows.values_list(*columns))
        return self.filterset(rows).filter_queryset(rows).values_list(*columns)


class SearchView(ExploreView):
    """Every kind of record the router serves by slug, searched as its own list's `?search=`."""

    serializer_class = SearchHitSerializer
    filterset_class = RecordSearchFilter
    # The router's registry (prefix, viewset, basename), given by config.urls.
    registry = ()

    @extend_schema(
        summary="Search every kind of record",
        description=(
            "Case-insensitive search across every kind of record (the fields each list's `?search=` "
            "looks in). Hits come grouped by kind, in each kind's own order."
        ),
        tags=["Explore"],
        responses=SearchHitSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "minLength": 1, "maxLength": SEARCH_MAX_LENGTH},
                required=True,
                allow_blank=False,
                description=f"The text to look for, as given (1 to {SEARCH_MAX_LENGTH} characters).",
            )
        ],
    )
    def get(self, request, format=None):
        query = self.parameter("q")
        pattern = f"%{connection.ops.prep_for_like_query(query)}%"
        hits = []
        for viewset in self.searched():
            model = viewset.queryset.model
            # Compiled once with a placeholder text that LIKE would not escape.
            for row in statements.rows(("search", model), self.search_of(viewset), {"%probe%": pattern}):
                hit = model.from_db(connection.alias, self.columns(model), row)
                hits.append((hit, self.matched_text(hit, viewset.search_fields, query)))
        page = self.paginate_queryset(hits)
        return self.get_paginated_response(
            [{**summary_of(hit, request), "summary": summary_text} for hit, summary_text in page]
        )

    def search_of(self, viewset):
        """A builder of the query the FilterSet makes of a search of `viewset`'s records (every
        column, in the kind's order), for a placeholder text."""

        def build():
            model = viewset.queryset.model
            rows = model.objects.order_by(*viewset.ordering)
            filterset = self.filterset_class({"q": "probe"}, rows, **self.filterset_kwargs())
            assert filterset.is_valid(), filterset.errors
            return filterset.qs.values_list(*self.columns(model))

        return build

    @staticmethod
    def columns(model) -> list[str]:
        """Every column of `model`, in order: what a search selects, and what from_db reads."""
        return [field.attname for field in model._meta.concrete_fields]

    def filterset_kwargs(self) -> dict:
        return {
            "search_fields": {viewset.queryset.model: viewset.search_fields for viewset in self.searched()}
        }

    def searched(self):
        """The viewsets of records addressed by slug that have a search."""
        for _prefix, viewset, _basename in self.registry:
            if viewset.lookup_field == "slug" and viewset.search_fields:
                yield viewset

    @staticmethod
    def matched_text(row, fields, query):
        texts = [str(getattr(row, field) or "") for field in fields]
        matched = next((t for t in texts if query.lower() in t.lower()), texts[0])
        return matched if len(matched) <= SUMMARY_LENGTH else matched[: SUMMARY_LENGTH - 1] + "…"
