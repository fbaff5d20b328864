"""Search across every kind of record: PostgreSQL's full-text search, and a plain fallback for
SQLite, the embedded default, answering in the same shape.

On PostgreSQL a record matches when its text (the columns its list's `?search=` looks in,
joined) or the quote of one of its citations matches the query, read as a web search engine
reads one (`websearch_to_tsquery`: words all present, "a phrase" in order, `or`, `-word`).
The configuration is 'english': a word finds its other forms ("battles" finds "battle") and
words too common to mean anything ("the", "of") are left out; 'simple' would find only the
exact word, which reads badly in prose. Each searched table keeps its text's tsvector in a
stored generated column, `search_vector`, with a GIN index on it
(api/migrations/0007_search_vectors.py): its expression is `vector()` of the list's columns.

Hits are ranked (`ts_rank`, a record's own text and its citations' quotes added together),
counted and paged in one statement; only the page's hits are read whole, with a highlighted
snippet (`ts_headline`). A word in most records of a large table would make ranking read
them all, so each text contributes at most the first CANDIDATES matches its table gives:
a common word answers in bounded time with a sample of its matches, ranked, found by reading
the table until enough rows match, and a rare one through the index, as the planner chooses.
"""

import html
from dataclasses import dataclass

from django.db import connections
from django.db.models import TextField
from django.db.models.expressions import RawSQL

from api.fields import summary_of

CONFIG = "english"
# How many matches each text (a kind's records, the citations' quotes) contributes at most.
CANDIDATES = 100
# What the snippet marks a match with, once its text is escaped (the text may hold `<`).
MARK, UNMARK = "<mark>", "</mark>"
# ts_headline's marks, characters no text holds, replaced by MARK and UNMARK after escaping.
_START, _STOP = "\x02", "\x03"
HEADLINE_OPTIONS = f"StartSel={_START}, StopSel={_STOP}, MinWords=10, MaxWords=30, MaxFragments=2"
SNIPPET_LENGTH = 200


def document(columns, table: str | None = None) -> str:
    """The SQL of the text searched in `columns`, joined by spaces."""
    prefix = f'"{table}".' if table else ""
    return " || ' ' || ".join(f"coalesce({prefix}\"{column}\", '')" for column in columns)


def vector(columns, table: str | None = None) -> str:
    """The SQL of the tsvector of `columns`: the expression the GIN index is on."""
    return f"to_tsvector('{CONFIG}'::regconfig, {document(columns, table)})"


TSQUERY = f"websearch_to_tsquery('{CONFIG}'::regconfig, %s)"
# The stored tsvector of each searched table (api/migrations/0007_search_vectors.py).
STORED = "search_vector"


def stored(table: str) -> str:
    return f'"{table}"."{STORED}"'


QUOTE = stored("sources_citation")


@dataclass(frozen=True)
class Kind:
    """A searched kind of record: its model and the columns its list's `?search=` looks in."""

    number: int
    model: type
    fields: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> list[str]:
        return [self.model._meta.get_field(field).column for field in self.fields]


def marked(text: str) -> str:
    """`text` escaped for HTML, its matches (between _START and _STOP) in MARK and UNMARK."""
    return html.escape(text, quote=False).replace(_START, MARK).replace(_STOP, UNMARK)


class RankedHits:
    """The hits of a full-text query on PostgreSQL, best first, as Django's Paginator reads a
    list: the page the request asks for (`window`, its bounds) and the count of every hit,
    read in one statement; another page's bounds, or a count past the end, in one more."""

    def __init__(self, kinds: list[Kind], query: str, request, alias: str, window: slice):
        self.kinds, self.query, self.request, self.window = kinds, query, request, window
        self.connection = connections[alias]
        self.read = None  # (bounds, rows of kind, id, rank, count of every hit)

    def matches(self) -> tuple[str, list]:
        """The SQL of every match (kind, id, rank), each text's first CANDIDATES, and its
        parameters. The query is written out in each condition, not read from a common table,
        so that each is a condition on a constant that the index answers (and the statement
        a SELECT, as every read's is)."""
        branches, params = [], []
        for kind in self.kinds:
            text = stored(kind.table)
            branches.append(
                f'(SELECT {kind.number} AS kind, "{kind.table}"."id" AS id, ts_rank({text}, {TSQUERY}) '
                f'AS rank FROM "{kind.table}" WHERE {text} @@ {TSQUERY} LIMIT %s)'
            )
            params += [self.query, self.query, CANDIDATES]
        # A citation's match counts for the record it is of, when that record is searched.
        values = ", ".join(["(%s, %s, %s)"] * len(self.kinds))
        params.append(self.query)
        for kind in self.kinds:
            params += [kind.number, kind.model._meta.app_label, kind.model._meta.model_name]
        branches.append(
            f"(SELECT kinds.number AS kind, sources_citation.object_id AS id, ts_rank({QUOTE}, {TSQUERY}) "
            "AS rank FROM sources_citation JOIN django_content_type ON django_content_type.id = "
            f"sources_citation.content_type_id JOIN (VALUES {values}) AS kinds (number, app_label, "
            "model) ON kinds.app_label = django_content_type.app_label AND kinds.model = "
            f"django_content_type.model WHERE {QUOTE} @@ {TSQUERY} LIMIT %s)"
        )
        params += [self.query, CANDIDATES]
        return " UNION ALL ".join(branches), params

    def page(self, bounds: slice) -> list[tuple]:
        """(kind, id, rank, count of every hit) of the hits within `bounds`, best first (the
        last page's bounds end at the count, within the bounds already read)."""
        if self.read is not None:
            read = self.read[0]
            if read.start == bounds.start and bounds.stop <= read.stop:
                return self.read[1][: bounds.stop - bounds.start]
        matches, params = self.matches()
        sql = (
            f"SELECT kind, id, rank, COUNT(*) OVER () FROM (SELECT kind, id, SUM(rank) AS rank FROM "
            f"({matches}) matches GROUP BY kind, id) hits ORDER BY rank DESC, kind, id LIMIT %s OFFSET %s"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, bounds.stop - bounds.start, bounds.start])
            self.read = (bounds, cursor.fetchall())
        return self.read[1]

    def count(self) -> int:
        rows = self.page(self.window)
        if rows:
            return rows[0][3]
        matches, params = self.matches()
        with self.connection.cursor() as cursor:
            distinct = f"SELECT DISTINCT kind, id FROM ({matches}) matches"
            cursor.execute(f"SELECT COUNT(*) FROM ({distinct}) hits", params)
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, bounds: slice) -> list[dict]:
        bounds = slice(bounds.start or 0, bounds.stop)
        if bounds.stop <= bounds.start:
            return []
        page = [(number, id, rank) for number, id, rank, _count in self.page(bounds)]
        found = {}
        for kind in self.kinds:
            ids = [id for number, id, _rank in page if number == kind.number]
            if ids:
                found.update({(kind.number, record.pk): record for record in self.records(kind, ids)})
        fields = {kind.number: kind.fields for kind in self.kinds}
        return [
            hit(record, self.request, fields[number], self.query, rank, marked(record.search_snippet or ""))
            for number, id, rank in page
            if (record := found.get((number, id))) is not None
        ]

    def records(self, kind: Kind, ids: list[int]):
        """The records `ids` of `kind`, each with the snippet of its text (or, when only a
        citation matched, of that citation's quote) that best matches."""
        text, table = stored(kind.table), kind.table
        snippet = (
            f"CASE WHEN {text} @@ {TSQUERY} "
            f"THEN ts_headline('{CONFIG}'::regconfig, {document(kind.columns, table)}, {TSQUERY}, %s) "
            f"ELSE (SELECT ts_headline('{CONFIG}'::regconfig, sources_citation.quote, {TSQUERY}, %s) "
            "FROM sources_citation WHERE sources_citation.content_type_id = (SELECT id FROM "
            "django_content_type WHERE app_label = %s AND model = %s) AND sources_citation.object_id "
            f'= "{table}"."id" AND {QUOTE} @@ {TSQUERY} ORDER BY ts_rank({QUOTE}, {TSQUERY}) DESC '
            "LIMIT 1) END"
        )
        meta = kind.model._meta
        params = [self.query, self.query, HEADLINE_OPTIONS, self.query, HEADLINE_OPTIONS]
        params += [meta.app_label, meta.model_name, self.query, self.query]
        return (
            unsearched_text_deferred(kind).filter(pk__in=ids).annotate(search_snippet=RawSQL(snippet, params))
        )


def unsearched_text_deferred(kind: Kind):
    """The kind's records without the long texts a hit does not show (a source's text)."""
    long = [
        field.name
        for field in kind.model._meta.concrete_fields
        if isinstance(field, TextField) and field.name not in kind.fields
    ]
    return kind.model.objects.defer(*long)


def hit(record, request, fields, query: str, rank: float, snippet: str) -> dict:
    """A hit as /search/ answers it."""
    return {
        **summary_of(record, request),
        "summary": summary_text(record, fields, query),
        "rank": float(rank),
        "snippet": snippet,
    }


def summary_text(record, fields, query) -> str:
    """The first of the record's searched texts that holds the query as typed (its first text
    if none does, as when only another form of a word, or a citation, matched), shortened."""
    texts = [str(getattr(record, field) or "") for field in fields]
    matched = next((t for t in texts if query.lower() in t.lower()), texts[0])
    return matched if len(matched) <= SNIPPET_LENGTH else matched[: SNIPPET_LENGTH - 1] + "…"


def excerpt(text: str, query: str) -> str:
    """The fallback's snippet: up to SNIPPET_LENGTH characters of `text` around the query's
    first occurrence, the occurrence marked."""
    at = text.lower().find(query.lower())
    if at < 0:
        return marked(text[:SNIPPET_LENGTH])
    before = max(0, at - (SNIPPET_LENGTH - len(query)) // 2)
    after = min(len(text), max(at + len(query), before + SNIPPET_LENGTH))
    parts = [
        "…" if before else "",
        text[before:at],
        _START,
        text[at : at + len(query)],
        _STOP,
        text[at + len(query) : after],
        "…" if after < len(text) else "",
    ]
    return marked("".join(parts))


def occurrences(record, fields, query: str) -> int:
    """The fallback's rank: how often the query occurs in the record's searched texts."""
    needle = query.lower()
    return sum(str(getattr(record, field) or "").lower().count(needle) for field in fields)
