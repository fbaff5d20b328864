"""The two views that read across every app: the timeline and search. They know the kinds of
record from the registry (api.registry) and the router, not from the apps' modules."""

from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny

from api.backends import SEARCH_MAX_LENGTH
from api.dates import PARTIAL_DATE_SCHEMA, Precision
from api.query import CheckedQueryMixin, view_parameters
from api.registry import dated_models, record_type
from explore.filters import RecordSearchFilter, TimelineFilter
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

    def filtered(self, queryset):
        """`queryset` filtered by the request's parameters; a 400 when they are not valid.

        The parameters are checked once a request (building a FilterSet and its form is the
        dearest part of a read), then applied to each kind of record in turn.
        """
        filterset = getattr(self, "_filterset", None)
        if filterset is None:
            filterset = self.filterset_class(
                self.request.query_params, queryset, request=self.request, **self.filterset_kwargs()
            )
            if not filterset.is_valid():
                raise translate_validation(filterset.errors)
            self._filterset = filterset
        return filterset.filter_queryset(queryset)

    def answer(self, records):
        page = self.paginate_queryset(records)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def query_parameters(self):
        return view_parameters(self, self.filterset_class)


class TimelineView(ExploreView):
    """Every dated record of every kind, in date order."""

    serializer_class = TimelineEntrySerializer
    filterset_class = TimelineFilter

    @extend_schema(
        summary="List every dated record in date order",
        description=(
            "Events, negotiations, engagements and treaties that the source dates, merged in date "
            "order. A date counts with its whole period: a month-precision date overlaps any range "
            "that touches its month. Records the source does not date are left out."
        ),
        tags=["Explore"],
        responses=TimelineEntrySerializer(many=True),
        parameters=[
            OpenApiParameter(
                "start",
                PARTIAL_DATE_SCHEMA,
                description="YYYY, YYYY-MM or YYYY-MM-DD: from here on.",
            ),
            OpenApiParameter(
                "end",
                PARTIAL_DATE_SCHEMA,
                description=(
                    "YYYY, YYYY-MM or YYYY-MM-DD: up to the end of it. An end before the start "
                    "selects nothing."
                ),
            ),
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                enum=sorted(dated_models()),
                description="Only records of this kind.",
            ),
        ],
    )
    def get(self, request, format=None):
        records = []
        for model in dated_models().values():
            dated = model.objects.filter(date__isnull=False).only("slug", "name", "date", "date_precision")
            records += self.filtered(dated)
        records.sort(key=lambda r: (r.date, PRECISION_ORDER[r.date_precision], record_type(type(r)), r.slug))
        return self.answer(records)


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
        query = request.query_params.get("q")
        hits = []
        for viewset in self.searched():
            rows = viewset.queryset.model.objects.order_by(*viewset.ordering)
            for row in self.filtered(rows):
                row.matched_text = self.matched_text(row, viewset.search_fields, query)
                hits.append(row)
        return self.answer(hits)

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
