"""The site for people at `/`: the source read with every cited span highlighted, the timeline,
and a page for each record with its statements side by side.

Its pages read what the API serves (the records' stored renderings, api.renderings), so a page
shows what its record's JSON says, and they read across every app as explore does: through the
registry of record types, never an app's own views. They change nothing. Synthetic records
(made for load tests) are left out of every list here; a page for one still answers.
"""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from api import renderings, streaming
from api.calendars import format_julian
from api.dates import format_partial_date
from api.registry import dated_models, record_type
from explore.views import entry_key, timeline_ordered
from reader import spans
from sources.models import SYNTHETIC_PREFIX, Citation, Source

# Records listed on one page of a kind's index.
PAGE_SIZE = 100
TIMELINE_ORDERS = {"date": "Date order", "narrative": "The source's order"}
# A record's fields shown apart (or not at all) on its page, not in the table of its fields.
APART = {"slug", "url", "name", "statements", "figures", "citations", "text"}
# What groups the values that are of one thing (as events.choosing groups them to choose).
GROUPED_BY = {"statements": ("kind", "scope", "party"), "figures": ("measure", "party")}


def kinds() -> dict:
    """The kinds of record addressed by slug, by public type name: {type: model}."""
    return {
        record_type(model): model
        for model, viewset in renderings.viewsets().items()
        if viewset.lookup_field == "slug"
    }


def real(model):
    """`model`'s records that are not synthetic."""
    return model._default_manager.exclude(slug__startswith=SYNTHETIC_PREFIX)


def kind_of(name: str):
    model = kinds().get(name)
    if model is None:
        raise Http404(f"There is no kind of record called {name!r}.")
    return model


def home(request):
    return render(
        request,
        "reader/home.html",
        {
            "title": settings.SERVICE_NAME,
            "held_texts": Source.objects.filter(synthetic=False).exclude(text="").defer("text"),
            "kinds": [
                (name, model._meta.verbose_name_plural, real(model).count())
                for name, model in kinds().items()
            ],
            "release": streaming.release(request),
        },
    )


def cited_records(citations) -> dict:
    """The record each citation (a dict with content_type_id and object_id) points at: {(content
    type id, object id): record}, read one query per kind."""
    wanted: dict[int, set[int]] = {}
    for citation in citations:
        wanted.setdefault(citation["content_type_id"], set()).add(citation["object_id"])
    found = {}
    for type_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        # With what their names are made of (a treaty article's is its treaty's and its own).
        for record in model._default_manager.filter(pk__in=pks).select_related():
            found[(type_id, record.pk)] = record
    return found


def source(request, slug):
    """The source reader: a held text with every cited span highlighted. `?at=` (an offset)
    lists what cites the character there; `?kind=` highlights only what a kind of record cites."""
    text_source = get_object_or_404(Source.objects.exclude(text=""), slug=slug, synthetic=False)
    text = text_source.text
    rows = list(
        Citation.objects.filter(source=text_source)
        .order_by("start", "end", "pk")
        .values("uuid", "start", "end", "quote", "content_type_id", "object_id")
    )
    records = cited_records(rows)
    citations = []
    for row in rows:
        record = records.get((row["content_type_id"], row["object_id"]))
        if record is None:
            continue  # a citation whose record went between the two reads
        citations.append({**row, "record": record, "type": record_type(type(record))})

    problems = []
    shown_kinds = sorted({citation["type"] for citation in citations})
    chosen_kind = request.GET.get("kind", "")
    if chosen_kind and chosen_kind not in shown_kinds:
        problems.append(f"Nothing here cites a record of the kind {chosen_kind!r}; every citation is shown.")
        chosen_kind = ""
    at = request.GET.get("at")
    if at is not None:
        try:
            at = int(at)
            if not 0 <= at < len(text):
                raise ValueError
        except ValueError:
            problems.append(f"{request.GET['at']!r} is not a position in this text (0 to {len(text) - 1}).")
            at = None

    cut = spans.pieces(text, [(citation["start"], citation["end"]) for citation in citations])
    pieces, selected = [], None
    for piece in cut:
        types = sorted({citations[index]["type"] for index in piece.cited_by})
        chosen = at is not None and piece.start <= at < piece.end
        if chosen:
            selected = piece
        query = {"at": piece.start, **({"kind": chosen_kind} if chosen_kind else {})}
        pieces.append(
            {
                "piece": piece,
                "ids": " ".join(str(citations[index]["uuid"]) for index in piece.cited_by),
                "types": " ".join(types),
                "other": bool(chosen_kind) and chosen_kind not in types,
                "selected": chosen,
                # Only white space (between two cited words): highlighted, but no link without words.
                "blank": not piece.text.strip(),
                "href": f"?{urlencode(query)}#cited-by",
            }
        )
    cited_here = [citations[index] for index in selected.cited_by] if selected else []
    return render(
        request,
        "reader/source.html",
        {
            "title": f"{text_source.name}: the text and what cites it",
            "source": text_source,
            "pieces": pieces,
            "citation_count": len(citations),
            "type_counts": [
                (name, sum(citation["type"] == name for citation in citations)) for name in shown_kinds
            ],
            "chosen_kind": chosen_kind,
            "selected": selected,
            "cited_here": cited_here,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def timeline(request):
    """The dated kinds' records in date order (or the source's), both calendars, disputed dates
    marked: the order and the chosen dates are the API's timeline's."""
    order = request.GET.get("order", "date")
    problems = []
    if order not in TIMELINE_ORDERS:
        problems.append(f"{order!r} is not an order; the timeline is shown in date order.")
        order = "date"
    narrative = order == "narrative"
    entries = []
    for kind, model in dated_models().items():
        rows = list(timeline_ordered(real(model), narrative, "pk"))
        details = renderings.read(model, [row[-1] for row in rows], "detail")
        for rank, (row, detail) in enumerate(zip(rows, details, strict=True)):
            shown = row[:-1]
            slug, _name, date, precision, calendar, basis, sequence, chosen, _chosen_precision = shown
            record = json.loads(renderings.with_origin(request, detail))
            dates = [s for s in record.get("statements", []) if s["kind"] == "date"]
            entries.append(
                (
                    entry_key(kind, rank, shown, narrative),
                    {
                        "type": kind,
                        "record": record,
                        "page": reverse("reader:record", args=[kind, slug]),
                        "date": format_partial_date(date, precision),
                        "date_julian": format_julian(date, precision),
                        "calendar": calendar,
                        "basis": basis,
                        "sequence": sequence,
                        "chosen": next((s for s in dates if s["chosen"]), None)
                        if date is None and chosen
                        else None,
                        "disputed": any(s["disputed"] for s in dates),
                        "dates": dates,
                    },
                )
            )
    entries.sort(key=lambda pair: pair[0])
    return render(
        request,
        "reader/timeline.html",
        {
            "title": "Timeline",
            "entries": [entry for _key, entry in entries],
            "order": order,
            "orders": TIMELINE_ORDERS,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def kind_index(request, kind):
    model = kind_of(kind)
    records = real(model).select_related().order_by(*model._meta.ordering, "pk")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reader/kind.html",
        {"title": str(model._meta.verbose_name_plural).capitalize(), "kind": kind, "page": page},
    )


def record(request, kind, slug):
    """One record as its API detail shows it: its fields, its values side by side with their
    sources, and what it cites."""
    model = kind_of(kind)
    pk = get_object_or_404(model._default_manager.values_list("pk", flat=True), slug=slug)
    found = renderings.read(model, [pk], "detail")
    if not found:
        raise Http404("The record was deleted as it was read.")
    shown = json.loads(renderings.with_origin(request, found[0]))
    return render(
        request,
        "reader/record.html",
        {
            "title": shown.get("name") or str(model._default_manager.get(pk=pk)),
            "kind": kind,
            "kind_name": model._meta.verbose_name,
            "record": shown,
            "fields": [(name, value) for name, value in shown.items() if name not in APART],
            "groups": {part: side_by_side(shown.get(part, []), keys) for part, keys in GROUPED_BY.items()},
            "citations": shown.get("citations", []),
            "held_text": kind == "source" and bool(shown.get("text")),
        },
    )


def side_by_side(values: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """Values of one thing grouped (`keys` say what they are of), each group a table: a column
    for each value, a row for each of their fields any of them gives."""
    groups: dict[tuple, list[dict]] = {}
    for value in values:
        groups.setdefault(tuple(json.dumps(value.get(key), sort_keys=True) for key in keys), []).append(value)
    tables = []
    for members in groups.values():
        first = members[0]
        names = [
            name
            for name in first
            if name not in (*keys, "slug", "url", "source", "citations")
            and any(member.get(name) not in (None, "", []) for member in members)
        ]
        tables.append(
            {
                "of": [(key, first.get(key)) for key in keys if first.get(key) not in (None, "")],
                "values": members,
                "rows": [(name, [member.get(name) for member in members]) for name in names],
            }
        )
    return tables


def not_found(request, exception=None):
    """A 404: a page for a person asking for one of the reader's pages, else the API's problem."""
    from api.errors import not_found as problem

    wants_page = "text/html" in request.headers.get("Accept", "")
    if wants_page and not request.path.startswith(("/api/", "/admin/", "/static/")):
        return render(request, "reader/not_found.html", {"title": "Not found"}, status=404)
    return problem(request, exception)
