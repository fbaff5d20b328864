"""The API's root, and the two views that read across apps: the timeline and search."""

from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from config.filtering import SEARCH_MAX_LENGTH, check_query_parameters
from events.models import Engagement, Event, Negotiation
from events.views import (
    ClaimViewSet,
    CounterproposalViewSet,
    EngagementViewSet,
    EventViewSet,
    FigureViewSet,
    NegotiationViewSet,
    PartyViewSet,
    PlaceViewSet,
    ProposalViewSet,
)
from sources.dates import PARTIAL_DATE_PATTERN, Precision, format_partial_date, overlapping, period_end
from sources.filters import PartialDateFormField
from sources.serializers import detail_url, record_type
from sources.views import SourceViewSet
from treaties.models import Treaty
from treaties.views import TreatyArticleViewSet, TreatyViewSet

RESOURCES = {
    "parties": "party-list",
    "places": "place-list",
    "negotiations": "negotiation-list",
    "proposals": "proposal-list",
    "counterproposals": "counterproposal-list",
    "events": "event-list",
    "engagements": "engagement-list",
    "figures": "figure-list",
    "claims": "claim-list",
    "treaties": "treaty-list",
    "articles": "treaty-article-list",
    "sources": "source-list",
    "citations": "citation-list",
    "timeline": "timeline",
    "search": "search",
    "schema": "schema",
    "token": "api-token",
}


def healthz(request):
    """The process answers; touches nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The database answers a trivial query; if it cannot, DatabaseUnavailableMiddleware
    answers 503 as it does for every other view."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": "ok"})


class CredentialsSerializer(AuthTokenSerializer):
    """DRF's, with lengths bounded: the login-failure log (django-axes) stores the username in
    a column of 255 characters, which PostgreSQL enforces and SQLite does not."""

    username = serializers.CharField(label="Username", max_length=150, write_only=True)
    password = serializers.CharField(
        label="Password",
        max_length=4096,
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the API token of that user."""

    serializer_class = CredentialsSerializer

    @extend_schema(
        summary="Get your API token",
        description=(
            "Send `username` and `password`; the answer holds the user's token. Send it on writes as "
            "`Authorization: Token <token>`. The same token comes back every time."
        ),
        tags=["Auth"],
        examples=[
            OpenApiExample(
                "token", value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}, response_only=True
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        refused = serializer.errors.get("non_field_errors", []) if not serializer.is_valid() else []
        if any(error.code == "authorization" for error in refused):
            # Well-formed credentials that match no active user: a 401, as for a bad token.
            raise AuthenticationFailed("Unable to log in with the username and password given.")
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class ApiRootView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="List every resource",
        description="The URL of every resource of this version of the API.",
        tags=["Explore"],
        responses=inline_serializer("ApiRoot", {name: serializers.URLField() for name in RESOURCES}),
    )
    def get(self, request, format=None):
        return Response(
            {name: reverse(view, request=request, format=format) for name, view in RESOURCES.items()}
        )


class StrictQueryMixin:
    """Answer a query parameter this view does not know with a 400."""

    permission_classes = [AllowAny]
    # Their parameters are their own, checked by check_parameters; no list filters apply.
    filter_backends = []

    allowed_parameters: frozenset[str] = frozenset()

    def check_parameters(self, request):
        check_query_parameters(request, self.allowed_parameters)


class TimelineEntrySerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The kind of record: event, negotiation, treaty, engagement.")
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()
    date = serializers.CharField(help_text="Written to its precision: YYYY-MM-DD, YYYY-MM or YYYY.")
    date_precision = serializers.ChoiceField(choices=Precision.choices)


PRECISION_ORDER = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}


class TimelineView(StrictQueryMixin, GenericAPIView):
    """Every dated record of every kind, in date order."""

    serializer_class = TimelineEntrySerializer
    allowed_parameters = frozenset({"start", "end", "type", "page", "page_size", "format"})
    dated_models = (Negotiation, Event, Engagement, Treaty)

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
                {"type": "string", "pattern": PARTIAL_DATE_PATTERN},
                description="YYYY, YYYY-MM or YYYY-MM-DD: from here on.",
            ),
            OpenApiParameter(
                "end",
                {"type": "string", "pattern": PARTIAL_DATE_PATTERN},
                description=(
                    "YYYY, YYYY-MM or YYYY-MM-DD: up to the end of it. An end before the start "
                    "selects nothing."
                ),
            ),
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                enum=sorted(record_type(model) for model in dated_models),
                description="Only records of this kind.",
            ),
        ],
    )
    def get(self, request, format=None):
        self.check_parameters(request)
        start, end = self.date_bounds(request)
        wanted_type = request.query_params.get("type")
        types = {record_type(model): model for model in self.dated_models}
        if wanted_type is not None and wanted_type not in types:
            raise ValidationError({"type": [f"Choose one of {', '.join(sorted(types))}."]})
        entries = []
        for name, model in types.items():
            if wanted_type not in (None, name):
                continue
            rows = model.objects.filter(overlapping("date", start, end)).only(
                "slug", "name", "date", "date_precision"
            )
            entries += [self.entry(request, name, row) for row in rows]
        entries.sort(key=lambda e: (e["_sort"], PRECISION_ORDER[e["date_precision"]], e["type"], e["slug"]))
        for entry in entries:
            del entry["_sort"]
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(page)

    @staticmethod
    def entry(request, name, row):
        return {
            "type": name,
            "slug": row.slug,
            "name": row.name,
            "url": detail_url(request, row),
            "date": format_partial_date(row.date, row.date_precision),
            "date_precision": row.date_precision,
            "_sort": row.date,
        }

    @staticmethod
    def date_bounds(request):
        bounds, errors = {}, {}
        for name in ("start", "end"):
            raw = request.query_params.get(name)
            try:
                bounds[name] = PartialDateFormField(required=False).clean(raw)
            except Exception as exc:  # a django ValidationError with the parser's message
                errors[name] = list(getattr(exc, "messages", [str(exc)]))
        if errors:
            raise ValidationError(errors)
        start = bounds["start"][0] if bounds["start"] else None
        end = period_end(*bounds["end"]) if bounds["end"] else None
        return start, end


class SearchHitSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The kind of record.")
    slug = serializers.SlugField()
    name = serializers.CharField()
    summary = serializers.CharField(help_text="The text that matched, shortened.")
    url = serializers.URLField()


SEARCHED = (
    PartyViewSet,
    PlaceViewSet,
    NegotiationViewSet,
    ProposalViewSet,
    CounterproposalViewSet,
    EventViewSet,
    EngagementViewSet,
    FigureViewSet,
    ClaimViewSet,
    TreatyViewSet,
    TreatyArticleViewSet,
    SourceViewSet,
)


class SearchView(StrictQueryMixin, GenericAPIView):
    serializer_class = SearchHitSerializer
    allowed_parameters = frozenset({"q", "page", "page_size", "format"})

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
        self.check_parameters(request)
        # check_parameters has refused an empty or over-long q; only a missing one is left.
        query = request.query_params.get("q")
        if query is None:
            raise ValidationError({"q": [f"Give 1 to {SEARCH_MAX_LENGTH} characters to search for."]})
        hits = []
        for viewset in SEARCHED:
            model = viewset.queryset.model
            condition = Q()
            for field in viewset.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            for row in model.objects.filter(condition).order_by(*viewset.ordering):
                hits.append(self.hit(request, row, viewset.search_fields, query))
        page = self.paginate_queryset(hits)
        return self.get_paginated_response(page)

    @staticmethod
    def hit(request, row, fields, query):
        texts = [str(getattr(row, field) or "") for field in fields]
        matched = next((t for t in texts if query.lower() in t.lower()), texts[0])
        return {
            "type": record_type(type(row)),
            "slug": row.slug,
            "name": str(row.name),
            "summary": matched if len(matched) <= 200 else matched[:199] + "…",
            "url": detail_url(request, row),
        }
