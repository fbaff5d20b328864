"""The views that read across every app: the timeline, search, the data's description and
its dump. They know the kinds of record from the registry (api.registry) and the router, not
from the apps' modules."""

from django import forms
from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, F, Window
from django.forms.utils import ErrorDict, ErrorList
from django.urls import reverse
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api import build, replicas, statements, streaming, tables
from api.backends import SEARCH_MAX_LENGTH
from api.calendars import format_julian
from api.dates import Calendar, Precision, format_partial_date
from api.fields import summary
from api.filters import CALENDAR_PARAMETER, DATE_BOUND_SCHEMA, selects_everything
from api.pagination import EXACT_COUNT_UP_TO, NumberedPagination
from api.query import CheckedQueryMixin, view_parameters
from api.readings import Basis
from api.registry import dated_models
from api.renderers import CSVRenderer, JSONRenderer, NDJSONRenderer
from explore import dump, search
from explore.filters import ORDERING_PARAMETERS, TIMELINE_ORDERS, RecordSearchFilter, TimelineFilter
from explore.serializers import MetaSerializer, SearchHitSerializer, TimelineEntrySerializer

PRECISION_ORDER = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}


class ExploreView(CheckedQueryMixin, GenericAPIView):
    """A paginated read over several kinds of record, whose parameters are a FilterSet's."""

    permission_classes = [AllowAny]
    # Merged from every kind in memory: numbered pages (no cursor runs across kinds).
    pagination_class = NumberedPagination
    # Its FilterSet is applied to each kind of record in turn; no list filters apply.
    filter_backends = []
    filterset_class = None

    # As CSV, the page alone (see `answer`), flattened as every list's CSV is (api.tables).
    other_forms = {
        "text/csv": {
            "type": "string",
            "description": (
                "The page its parameters name (the first by default), as CSV (RFC 4180, UTF-8, a "
                "header row), a Link header to the next and previous: a row an entry, a column a field "
                "of the JSON page. Null is an empty cell, a nested value its JSON text."
            ),
        }
    }

    def get_renderers(self):
        return [*super().get_renderers(), CSVRenderer()]

    def answer(self, rows: list[dict]):
        """The page of `rows`: as JSON in the paginator's envelope, or as CSV (api.tables), the
        page alone, whose neighbours the Link header names: every kind's records are merged a
        page at a time, so there is no whole selection to stream."""
        if self.request.accepted_renderer.format != CSVRenderer.format:
            return self.get_paginated_response(rows)
        columns = list(self.get_serializer().fields)
        parts = lambda: tables.lines(columns, [rows])  # noqa: E731
        links = self.paginator.links()
        what = f"{self.csv_name}-csv"
        return streaming.streamed(self.request, what, parts, tables.CONTENT_TYPE, links=links)

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

    def window(self, request) -> slice:
        """The bounds of the page the request asks for (its parameters checked: a 400 if not)."""
        size = self.paginator.get_page_size(request)
        number = self.paginator.get_page_number(request, None)
        return slice((number - 1) * size, number * size)


class TimelineView(ExploreView):
    """Every record of every dated kind: in date order, or in the source's narrative order."""

    serializer_class = TimelineEntrySerializer
    filterset_class = TimelineFilter
    csv_name = "timeline"

    @extend_schema(
        summary="List the dated kinds' records in date or narrative order",
        description=(
            "Every event, negotiation, engagement and treaty, dated by the source or not, merged in "
            "one list. In date order (the default) the dated records come first, in the order of "
            "their `chosen_date` (their own date, or, where the source gives none, another source's "
            "chosen statement; a year before a month before a day that start together; ties in "
            "narrative order), and then the records no source dates, in narrative order; `date` stays "
            "the source's own, null for every engagement. In narrative order every record comes where "
            "the source first "
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
                DATE_BOUND_SCHEMA,
                description=(
                    "YYYY, YYYY-MM or YYYY-MM-DD (Gregorian, or Julian with `calendar=julian`): from "
                    "here on, by `chosen_date`. Selects dated records only: a record no source dates is in "
                    "no range."
                ),
            ),
            OpenApiParameter(
                "end",
                DATE_BOUND_SCHEMA,
                description=(
                    "YYYY, YYYY-MM or YYYY-MM-DD (Gregorian, or Julian with `calendar=julian`): up to "
                    "the end of it, by `chosen_date`. An end before the start selects nothing. Selects "
                    "dated records only: a record no source dates is in no range."
                ),
            ),
            OpenApiParameter(
                CALENDAR_PARAMETER,
                OpenApiTypes.STR,
                enum=Calendar.values,
                description=TimelineFilter.base_filters[CALENDAR_PARAMETER].extra["help_text"],
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
        page = self.paginate_queryset(TimelineEntries(self, narrative, self.window(request).stop))
        return self.answer(
            [
                {
                    **summary(request, dated_models()[kind], slug, name),
                    "date": format_partial_date(date, precision),
                    "date_julian": format_julian(date, precision),
                    "date_calendar": calendar,
                    "date_precision": precision,
                    "date_basis": basis,
                    "chosen_date": format_partial_date(chosen, chosen_precision),
                    "sequence": sequence,
                }
                for (
                    _key,
                    kind,
                    slug,
                    name,
                    date,
                    precision,
                    calendar,
                    basis,
                    sequence,
                    chosen,
                    chosen_precision,
                ) in page
            ]
        )

    def selected(self, model):
        """`model`'s records that the request selects (None when it selects them all)."""
        if selects_everything(self.filterset_class, set(self.request.query_params) - ORDERING_PARAMETERS):
            return None
        rows = model.objects.all()
        return self.filterset(rows).filter_queryset(rows)

    def count(self, model, narrative: bool) -> int:
        """How many of `model`'s records the request selects."""
        if self.selected(model) is None:
            return statements.Keys(("timeline", model), lambda: model.objects.values_list("pk")).count()
        _rows, total = self.records(model, narrative, 1)
        return total

    def records(self, model, narrative: bool, limit: int) -> tuple[list[tuple], int | None]:
        """(slug, name, date, precision, calendar, basis, sequence, chosen date, its precision) of
        the first `limit` of `model`'s records that the request selects, in the timeline's order
        (sliced in the database: a month of a large table is read no further than the page),
        and how many it selects in all, counted in the same statement (`COUNT(*) OVER ()`);
        None for a kind's whole list, a statement compiled once, which counts apart."""
        selected = self.selected(model)
        if selected is None:
            rows = statements.rows(
                ("timeline", model, narrative),
                lambda: timeline_ordered(model.objects.all(), narrative),
                limit=limit,
            )
            return rows, None
        counted = selected.annotate(selected_in_all=Window(Count("pk")))
        rows = list(timeline_ordered(counted, narrative, "selected_in_all")[:limit])
        return [row[:-1] for row in rows], rows[0][-1] if rows else 0


TIMELINE_COLUMNS = (
    *("slug", "name", "date", "date_precision", "date_calendar", "date_basis", "sequence"),
    *("chosen_date", "chosen_date_precision"),
)


def timeline_ordered(rows, narrative: bool, *also: str):
    """`rows` as the timeline's columns (and `also`), in the timeline's order within their
    kind: by `chosen_date` (nulls last), its precision (a year before a month before a day),
    then as told (`sequence`, nulls last), then in the kind's own order; in narrative order,
    as told."""
    told = [F("sequence").asc(nulls_last=True), *rows.model._meta.ordering, "pk"]
    if not narrative:
        # "year" > "month" > "day" in every collation: descending is PRECISION_ORDER's order.
        dated = [F("chosen_date").asc(nulls_last=True), F("chosen_date_precision").desc(nulls_last=True)]
        told = [*dated, *told]
    return rows.order_by(*told).values_list(*TIMELINE_COLUMNS, *also)


class TimelineEntries:
    """The timeline's entries, every dated kind's merged, as Django's Paginator reads a list.

    Each kind's first rows up to the end of the page asked for (`reach`) are read in the
    timeline's order, sliced in the database, and merged: a month of a large table is read no
    further than the page. A selection is counted in the statement that reads it; a kind's
    whole list, when it runs past the page, apart. A page past the first EXACT_COUNT_UP_TO
    entries is counted first (a page past the end is a 404 before any row is read)."""

    def __init__(self, view: TimelineView, narrative: bool, reach: int):
        self.view, self.narrative, self.reach = view, narrative, reach
        models = dated_models().items() if reach <= EXACT_COUNT_UP_TO else ()
        self.first = {kind: view.records(model, narrative, reach + 1) for kind, model in models}

    def __len__(self) -> int:
        total = 0
        for kind, model in dated_models().items():
            rows, counted = self.first.get(kind, (None, None))
            if counted is None and rows is not None and len(rows) <= self.reach:
                counted = len(rows)
            total += self.view.count(model, self.narrative) if counted is None else counted
        return total

    def __getitem__(self, bounds: slice) -> list[tuple]:
        start, stop = bounds.start or 0, bounds.stop
        entries = []
        for kind, model in dated_models().items():
            rows, _counted = self.first.get(kind, (None, None)) if stop <= self.reach else (None, None)
            if rows is None:
                rows, _counted = self.view.records(model, self.narrative, stop)
            # Within a kind the database has ordered them: their place is the last tie-break.
            for rank, row in enumerate(rows[:stop]):
                entries.append((entry_key(kind, rank, row, self.narrative), kind, *row))
        entries.sort()
        return entries[start:stop]


def entry_key(kind: str, rank: int, row: tuple, narrative: bool) -> tuple:
    """Where a row of the timeline's columns (TIMELINE_COLUMNS), the `rank`th of its kind in
    its kind's order, goes among every kind's: by chosen date and its precision (the undated
    after), then as told; in narrative order, as told."""
    *_shown, sequence, chosen, chosen_precision = row
    told = (sequence is None, sequence or 0, kind, rank)
    if narrative or chosen is None:
        return (1, *told)
    return (0, chosen, PRECISION_ORDER[chosen_precision], *told)


class SearchView(ExploreView):
    """Every kind of record the router serves by slug, searched as its own list's `?search=`."""

    serializer_class = SearchHitSerializer
    filterset_class = RecordSearchFilter
    csv_name = "search"
    # The router's registry (prefix, viewset, basename), given by config.urls.
    registry = ()

    @extend_schema(
        summary="Search every kind of record",
        description=(
            "Search across every kind of record: the fields each list's `?search=` looks in, and, on "
            "PostgreSQL, the quotes of the record's citations. On PostgreSQL this is full-text search "
            "in English: `q` is read as a web search engine reads it (every word, in any of its forms; "
            '`"a phrase"`; `or`; `-word` to leave out), words as common as "the" are ignored, and hits '
            "come best first (`rank`), with a snippet of the matching text; a text contributes at most "
            f"its first {search.CANDIDATES} matches. On SQLite (the embedded default) `q` is found as "
            "given, case-insensitively, in the record's own fields, the records holding it most often "
            "first, then by kind in each kind's own order."
        ),
        tags=["Explore"],
        responses=SearchHitSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "minLength": 1, "maxLength": SEARCH_MAX_LENGTH},
                required=True,
                allow_blank=False,
                description=(
                    f"What to look for (1 to {SEARCH_MAX_LENGTH} characters): on PostgreSQL, words as "
                    "a web search takes them; on SQLite, the text as given."
                ),
            )
        ],
    )
    def get(self, request, format=None):
        query = self.parameter("q")
        alias = replicas.reading()
        if connections[alias].vendor == "postgresql":
            kinds = [
                search.Kind(number, viewset.queryset.model, tuple(viewset.search_fields))
                for number, viewset in enumerate(self.searched())
            ]
            return self.answer(
                self.paginate_queryset(search.RankedHits(kinds, query, request, alias, self.window(request)))
            )
        page = self.paginate_queryset(self.fallback(query))
        return self.answer(
            [
                search.hit(record, request, fields, query, rank, search.excerpt(text, query))
                for _order, rank, record, fields, text in page
            ]
        )

    def fallback(self, query: str) -> list[tuple]:
        """SQLite's search: `icontains` over every searched kind, the records where the query
        occurs most often first (then in the kind's order), each with the text it occurs in."""
        pattern = f"%{connection.ops.prep_for_like_query(query)}%"
        hits = []
        for viewset in self.searched():
            model, fields = viewset.queryset.model, viewset.search_fields
            # Compiled once with a placeholder text that LIKE would not escape.
            for row in statements.rows(("search", model), self.search_of(viewset), {"%probe%": pattern}):
                record = model.from_db(connection.alias, self.columns(model), row)
                rank = search.occurrences(record, fields, query)
                texts = [str(getattr(record, field) or "") for field in fields]
                text = next((t for t in texts if query.lower() in t.lower()), texts[0])
                hits.append(((-rank, len(hits)), rank, record, fields, text))
        hits.sort(key=lambda hit: hit[0])
        return hits

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


API_VERSION = "v1"
LICENCE = {
    "name": settings.SPECTACULAR_SETTINGS["LICENSE"]["name"],
    "url": settings.SPECTACULAR_SETTINGS["LICENSE"]["url"],
    "scope": (
        "The dataset's own work: its structure, readings and wording. Not the source text (a source's "
        "`text`, a citation's `quote`), whose rights stay with its publisher, as the source's `rights` says."
    ),
}


class ReleasedView(CheckedQueryMixin, GenericAPIView):
    """A view of the data as a whole: no filters, no pages."""

    permission_classes = [AllowAny]
    filter_backends = []
    pagination_class = None
    # The router's registry (prefix, viewset, basename), given by config.urls.
    registry = ()


# (database, generation, release) -> counts of the lists: a million rows are not counted each read.
_counts: dict[tuple, dict] = {}


class MetaView(ReleasedView):
    """The data's release, size and licence, and the code serving it."""

    serializer_class = MetaSerializer

    @extend_schema(
        summary="Describe the data: its release, counts, versions and licence",
        description=(
            "The data release to cite (an id that changes whenever any record changes, and the name "
            "of the release cut of it, if one was), when the data last changed, every named release, "
            "how many records each list holds, the API's and the schema's versions, the git commit of "
            "the code serving it, and the licence."
        ),
        tags=["Explore"],
    )
    def get(self, request, format=None):
        release = streaming.release(request)
        return Response(
            MetaSerializer(
                {
                    "title": settings.SPECTACULAR_SETTINGS["TITLE"],
                    "release": release,
                    "releases": release["releases"],
                    "counts": self.counts(release),
                    "api_version": API_VERSION,
                    "schema_version": settings.SPECTACULAR_SETTINGS["VERSION"],
                    "commit": build.commit(),
                    "licence": LICENCE,
                    "dump": request.build_absolute_uri(reverse("dump")),
                }
            ).data
        )

    def counts(self, release: dict) -> dict:
        """How many records each list holds, counted once a version of the data in this process."""
        key = (replicas.reading(), release["generation"], release["id"])
        if key not in _counts:
            counts = {
                prefix: viewset.queryset.model._default_manager.count()
                for prefix, viewset, _ in self.registry
            }
            _counts.clear()
            _counts[key] = counts
        return _counts[key]


class DumpView(ReleasedView):
    """The whole dataset, streamed (explore.dump)."""

    renderer_classes = [JSONRenderer, NDJSONRenderer]

    @extend_schema(
        summary="Download the whole dataset",
        description=(
            "Every record of every list, as its detail shows it (its citations and statements inside), "
            "and the sources with their text, in one streamed answer: as JSON (the default: one object, "
            "the release and licence, then `records`, each list's records by its name in the API root) "
            "or as NDJSON (`?format=ndjson` or `Accept: application/x-ndjson`: a first line with the "
            'release and licence, then one `{"kind", "record"}` line for each record). It is '
            "gzip-compressed for a client that accepts it, and names its release (`X-Data-Release`, "
            "the ETag, the file name): an If-None-Match with the ETag is a 304 until the data changes. "
            "Lists come in the API root's order, each list's records in the order they were made. On "
            "PostgreSQL the dump is one moment of the data, writes during it left out."
        ),
        tags=["Explore"],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
        },
    )
    def get(self, request, format=None):
        fmt = request.accepted_renderer.format
        release = streaming.release(request)
        head = {
            "title": settings.SPECTACULAR_SETTINGS["TITLE"],
            "release": {
                "id": release["id"],
                "name": release["name"],
                "data_changed_at": release["data_changed_at"].isoformat(),
            },
            "api_version": API_VERSION,
            "licence": LICENCE,
        }
        parts = dump.json_parts if fmt == "json" else dump.ndjson_parts
        return streaming.streamed(
            request,
            f"dump-{fmt}",
            lambda: parts(head, self.registry, request),
            f"{request.accepted_renderer.media_type}; charset=utf-8",
            filename=f"japan-russia-1903-1905-{release['name'] or release['id']}.{fmt}",
            current=release,
        )
