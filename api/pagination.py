"""Pages of a list: numbered where numbers stay cheap, by cursor past them, with an honest count.

A numbered page is an OFFSET: the database walks past every row before it, so the cost of
page 5,000 grows with the table. Page numbers reach the first PAGE_NUMBERS_REACH records; past
them a page starts after a cursor (keyset pagination): the last record of the page before,
whose place in the list's order (a unique one: the list's own order, then the record's id)
the next page's query starts from, through the index, whatever the depth. The cursor carries
that place (the record's values of the order, with its key), so a page after a cursor is one
query. `next` and `previous` links switch to cursors by themselves.

Counting every row costs the same: the count is exact up to EXACT_COUNT_UP_TO, and past it,
on PostgreSQL, the planner's estimate (`EXPLAIN`, from the table's statistics), marked
`count_estimated: true`. SQLite, the embedded default, always counts exactly. A list read
without filters is counted once for each state of the data (its version: api.data_version).
"""

import base64
import binascii
import json
import re
import zlib
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, connections
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import OrderBy, RawSQL
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api import data_version, replicas, statements
from api.filters import INTEGER_FILTER_MAX, WholeNumberField

# Page numbers reach this many records; past them, pages follow cursors.
PAGE_NUMBERS_REACH = 10_000
# Counts are exact up to here; past it, estimated where the database can estimate. Counting
# a filtered list's first thousand rows reads them (a few milliseconds); ten thousand, ten times more.
EXACT_COUNT_UP_TO = 1_000


class NumberedPagination(pagination.PageNumberPagination):
    """Numbered pages; `page_size` may be chosen up to a cap, and past it is a 400."""

    page_size_query_param = "page_size"
    # `page=last` is DRF's convenience, but the schema says a page is a number.
    last_page_strings = ()

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def parameters(self) -> set[str]:
        """The query parameters that choose the page."""
        return {self.page_query_param, self.page_size_query_param}

    def links(self) -> dict:
        """The page's neighbours, for a Link header (None where there is none)."""
        return {"next": self.get_next_link(), "prev": self.get_previous_link()}

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        message = f"Must be a whole number from 1 to {self.max_page_size}."
        return self.whole_number(raw, self.page_size_query_param, message, self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        # A number past the last page is still a 404, as DRF answers it.
        message = f"Must be a whole number from 1 to {INTEGER_FILTER_MAX}."
        return self.whole_number(raw, self.page_query_param, message, INTEGER_FILTER_MAX)

    @staticmethod
    def whole_number(raw, name, message, max_value=None):
        try:
            return WholeNumberField(min_value=1, max_value=max_value).clean(raw)
        except forms.ValidationError:
            raise ValidationError({name: [message]}) from None

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
                parameter["description"] = (
                    f"Results per page (1 to {self.max_page_size}; default {self.page_size})."
                )
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": INTEGER_FILTER_MAX})
        return parameters


class PageNumberPagination(NumberedPagination):
    """A list's pages: numbered up to PAGE_NUMBERS_REACH records, then by cursor; its count
    exact up to EXACT_COUNT_UP_TO, then estimated (and marked so) where that is cheaper."""

    cursor_query_param = "cursor"

    def parameters(self) -> set[str]:
        return super().parameters() | {self.cursor_query_param}

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.number = self.get_page_number(request, None)
        # Pages counted from the start of the list, or from a cursor's place in it.
        skipped = (self.number - 1) * self.page_size
        if skipped >= PAGE_NUMBERS_REACH:
            raise NotFound(
                f"{self.page_query_param}: page numbers reach {PAGE_NUMBERS_REACH:,} records (from the "
                "start, or from a cursor); past them, follow the `next` links, which carry a cursor."
            )
        self.count, self.count_estimated = counted(queryset, request)
        raw_cursor = request.query_params.get(self.cursor_query_param)
        if raw_cursor is not None:
            return self.cursor_page(queryset, decode_cursor(raw_cursor, self.cursor_query_param), skipped)
        if skipped and skipped >= self.count:
            raise NotFound("Invalid page.")
        keys = list(queryset[skipped : skipped + self.page_size])
        self.first_key = keys[0] if keys else None
        self.last_key = keys[-1] if keys else None
        self.has_next = skipped + len(keys) < self.count
        self.has_previous = self.number > 1
        # Past the reach of page numbers, the next page is the one after this page's last record,
        # whose place in the order its cursor carries.
        self.next_by_cursor = skipped + self.page_size >= PAGE_NUMBERS_REACH
        self.previous_by_cursor = False
        if self.next_by_cursor and self.has_next:
            key = getattr(self.last_key, "pk", self.last_key)
            self.terms, position = self.place(queryset, key)
            if position is not None:
                self.last_key = (key, *position)
        return keys

    @staticmethod
    def place(queryset, key: int) -> tuple[list, tuple | None]:
        """(the list's order as terms, the values of them of the record `key`, None if the
        record is not in the list)."""
        if isinstance(queryset, statements.Keys):  # a list read without filters
            keyset = Keyset.of(queryset)
            return keyset.terms, keyset.position(queryset, key)
        terms = ordering_terms(queryset)
        return terms, queryset.filter(pk=key).values_list(*[term.path for term in terms]).first()

    def cursor_page(self, queryset, cursor: "Cursor", skipped: int):
        if isinstance(queryset, statements.Keys):  # a list read without filters
            rows, keyset = None, Keyset.of(queryset)
        else:
            rows, keyset = queryset, None
        terms = keyset.terms if keyset is not None else ordering_terms(rows)
        position = cursor.position((keyset or rows).model, terms)
        if position is None:  # a cursor of the key alone, or of an order of other columns
            terms, position = self.place(queryset, cursor.key)
        if position is None:
            raise NotFound(
                f"{self.cursor_query_param}: no record of this list is at this cursor (it may have been "
                "deleted); start again from the first page."
            )
        backwards = cursor.backwards
        self.terms = terms
        if backwards:
            terms = [term.reversed() for term in terms]
        if keyset is not None:
            page = keyset.following(queryset, terms, position, skipped, self.page_size + 1, backwards)
        else:
            page = following(rows, terms, position, skipped, self.page_size + 1)
        more = len(page) > self.page_size
        page = page[: self.page_size]
        if backwards:
            page.reverse()
        # Each row is (key, *its values of the order): the links' cursors carry the values.
        self.first_key, self.last_key = (page[0], page[-1]) if page else (None, None)
        # The cursor's own record lies on the side it was taken from.
        self.has_next, self.has_previous = (True, more) if backwards else (more, True)
        self.next_by_cursor = self.previous_by_cursor = True
        page = [row[0] for row in page]
        if rows is None or rows._fields == ("pk",):  # a list's keys (api.viewsets)
            return page
        found = rows.in_bulk(page)
        return [found[key] for key in page if key in found]

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_estimated": self.count_estimated,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_next_link(self):
        if not self.has_next or self.last_key is None:
            return None
        if not self.next_by_cursor:
            url = remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
            return replace_query_param(url, self.page_query_param, self.number + 1)
        return self.cursor_link(self.last_key, backwards=False)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.previous_by_cursor or self.first_key is None:
            url = self.request.build_absolute_uri()
            if self.number == 2:
                return remove_query_param(url, self.page_query_param)
            return replace_query_param(url, self.page_query_param, self.number - 1)
        return self.cursor_link(self.first_key, backwards=True)

    def cursor_link(self, row, backwards: bool) -> str:
        """A link to the page after (or before) `row`: a key, a record, or a cursor page's
        (key, *values of the order)."""
        if isinstance(row, tuple):
            cursor = encode_cursor(row[0], backwards, self.terms, row[1:])
        else:
            cursor = encode_cursor(getattr(row, "pk", row), backwards)
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = (
            f"How many records the list holds: exact up to {EXACT_COUNT_UP_TO:,}, and past that "
            "the database's estimate where it has one (then `count_estimated` is true)."
        )
        properties["count"]["example"] = 123
        properties = {
            "count": properties["count"],
            "count_estimated": {
                "type": "boolean",
                "description": "True when `count` is the database's estimate, not a count.",
                "example": False,
            },
            **{name: value for name, value in properties.items() if name != "count"},
        }
        for link in ("next", "previous"):
            properties[link]["description"] = (
                f"The {link} page: a numbered page within the first {PAGE_NUMBERS_REACH:,} records, "
                "a cursor past them (or once a cursor is followed)."
            )
        response["properties"] = properties
        response["required"] = ["count", "count_estimated", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                reach = PAGE_NUMBERS_REACH
                parameter["description"] = (
                    f"A page number, counted from the start of the list or from `cursor`, for pages "
                    f"within {reach:,} records of it ((page - 1) × page_size under {reach:,}: past "
                    "them a 404); further on, follow `next`, which carries a cursor."
                )
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Where a page starts: the cursor a `next` or `previous` link carries (opaque). It "
                    "holds the place in the list's order of the record the page follows (or precedes), "
                    "which stays where it was if that record is deleted since. A cursor no link gave is "
                    "a 404, and so is one of another `ordering` whose record has since been deleted."
                ),
                "schema": {"type": "string", "pattern": CURSOR_PATTERN, "maxLength": CURSOR_MAX_LENGTH},
            }
        )
        return parameters


# Counting


# A list read without filters, counted once for each state of the data: (its key, the database
# read, the data's version) -> count(). Every write changes the version (api.data_version), so
# a count kept is of the data the request reads (or of a write that committed between the
# reading of the version and the count: as a count read beside its page may be).
_counts = {}
COUNTS_KEPT = 256


def counted(rows, request) -> tuple[int, bool]:
    """count(rows); for a list read without filters (statements.Keys), kept for the state of
    the data this request reads, as every answer of it is the same."""
    if not isinstance(rows, statements.Keys):
        return count(rows)
    version = data_version.of_request(request)
    if version is None:
        return count(rows)
    key = (rows.key, replicas.reading(), version)
    found = _counts.get(key)
    if found is None:
        if len(_counts) >= COUNTS_KEPT:
            _counts.clear()
        found = _counts[key] = count(rows)
    return found


def count(rows) -> tuple[int, bool]:
    """(how many rows, whether that is an estimate): exact up to EXACT_COUNT_UP_TO, and past
    it the planner's estimate on PostgreSQL."""
    if isinstance(rows, list):
        return len(rows), False
    if isinstance(rows, statements.Keys):
        bounded = rows.count(at_most=EXACT_COUNT_UP_TO + 1)
    else:
        bounded = rows.order_by()[: EXACT_COUNT_UP_TO + 1].count()
    if bounded <= EXACT_COUNT_UP_TO:
        return bounded, False
    if connection.vendor != "postgresql":
        return rows.count(), False
    return max(estimate(rows), bounded), True


def estimate(rows) -> int:
    """The planner's estimate of how many rows `rows` selects (EXPLAIN: no row is read)."""
    if isinstance(rows, statements.Keys):
        compiler, sql, params = statements.compiled((rows.key, "count"), lambda: rows.build().order_by())
        database = compiler.connection
    else:
        sql, params = rows.order_by().query.sql_with_params()
        database = connections[rows.db]
    with database.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


# Cursors: where a page starts after (or before), opaque to clients. A cursor carries the key of
# the record at that place and, where they fit, that record's values of the list's order, so
# that the next page is one query; a cursor of an order of other columns, or of the key
# alone, finds the values by the key.

CURSOR_MAX_LENGTH = 200
CURSOR_PATTERN = rf"^[A-Za-z0-9_-]{{1,{CURSOR_MAX_LENGTH}}}$"
KEY_MAX = 2**63 - 1


class Cursor:
    """A decoded cursor: the record's key, whether the page is the one before it, and (when
    the cursor carries them) the columns of the order it was given for and their values."""

    def __init__(self, name: str, key: int, backwards: bool, columns: int | None = None, values=None):
        self.name, self.key, self.backwards, self.columns, self.values = name, key, backwards, columns, values

    def position(self, model, terms: list) -> tuple | None:
        """The values of `terms` this cursor carries, typed as their columns are (None if it
        carries none for these columns); not values of those columns, a 404."""
        if self.values is None or self.columns != columns_of(terms) or len(self.values) != len(terms):
            return None
        try:
            return tuple(
                typed(field_of(model, t.path), value) for t, value in zip(terms, self.values, strict=True)
            )
        except (DjangoValidationError, TypeError, ValueError, OverflowError):
            raise NotFound(f"{self.name}: no page starts at this cursor; {FOLLOW}") from None


def typed(field, value):
    """`value` as a value of the column `field` (its type, its length, its range), or an error."""
    if value is None:
        if not field.null:
            raise ValueError(f"{field.name} is never null")
        return None
    value = field.to_python(value)
    field.run_validators(value)
    return value


FOLLOW = "give one a `next` or `previous` link carries."


def field_of(model, path: str):
    return model._meta.pk if path == "pk" else model._meta.get_field(path)


def columns_of(terms: list) -> int:
    """A short fingerprint of the columns an order reads (not their directions: a record's
    values are the same in either)."""
    return zlib.crc32(",".join(term.path for term in terms).encode())


def encode_cursor(key: int, backwards: bool, terms: list | None = None, position: tuple | None = None) -> str:
    """The cursor of the record `key`, with its values of `terms` when given and when they fit."""

    def encoded(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    direction = "b" if backwards else "a"
    if terms is not None and position is not None:
        values = [value.isoformat() if hasattr(value, "isoformat") else value for value in position]
        values = [str(value) if isinstance(value, Decimal) else value for value in values]
        text = encoded(json.dumps([direction, key, columns_of(terms), *values], separators=(",", ":")))
        if len(text) <= CURSOR_MAX_LENGTH:
            return text
    return encoded(f"{direction}{key}")


def decode_cursor(raw: str, name: str) -> Cursor:
    """The cursor `raw` is. Not of a cursor's form, a 400; of its form but no cursor this API
    gives, a 404, as an unknown slug is."""
    if not re.fullmatch(CURSOR_PATTERN, raw):
        raise ValidationError({name: ["Not a cursor: give the one a `next` or `previous` link carries."]})
    unknown = NotFound(f"{name}: no page starts at this cursor; {FOLLOW}")
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise unknown from None
    if text.startswith("["):
        try:
            direction, key, columns, *values = json.loads(text)
        except (ValueError, TypeError):
            raise unknown from None
        scalars = all(value is None or type(value) in (str, int, bool) for value in values)
        if direction not in ("a", "b") or not scalars or not all(type(n) is int for n in (key, columns)):
            raise unknown
        if not 0 <= key <= KEY_MAX:
            raise unknown
        return Cursor(name, key, direction == "b", columns, values)
    if len(text) < 2 or text[0] not in "ab" or not text[1:].isdigit() or len(text) > 20:
        raise unknown
    return Cursor(name, int(text[1:]), text[0] == "b")


class Term:
    """One column of a list's order: its path, direction, and where its nulls go."""

    def __init__(self, path: str, descending: bool, nulls_first: bool, nullable: bool):
        self.path, self.descending, self.nulls_first, self.nullable = path, descending, nulls_first, nullable

    def reversed(self) -> "Term":
        return Term(self.path, not self.descending, not self.nulls_first, self.nullable)

    def expression(self) -> OrderBy:
        nulls = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        return F(self.path).desc(**nulls) if self.descending else F(self.path).asc(**nulls)

    def beyond(self, value) -> Q:
        """Rows strictly after `value` in this term's order."""
        if value is None:
            return Q(**{f"{self.path}__isnull": False}) if self.nulls_first else Q(pk__in=[])
        condition = Q(**{f"{self.path}__{'lt' if self.descending else 'gt'}": value})
        if self.nullable and not self.nulls_first:
            condition |= Q(**{f"{self.path}__isnull": True})
        return condition

    def level(self, value) -> Q:
        return Q(**{f"{self.path}__isnull": True}) if value is None else Q(**{self.path: value})


def ordering_terms(queryset) -> list[Term]:
    """The list's order as terms, made unique by the primary key at the end (unless a unique
    column already makes it so, where the terms stop).

    A list's order reaches the query as its ordering backend set it (every term an `F()`
    with its nulls last, api.backends) or as plain field names (a record's versions by
    `-history_id`); the primary key ends it either way, so that ties have an order."""
    model = queryset.model
    terms = []
    for item in queryset.query.order_by or model._meta.ordering:
        if isinstance(item, str):
            descending, name = item.startswith("-"), item.removeprefix("-")
            nulls_first = descending  # where PostgreSQL puts them without being told
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            descending, name = item.descending, item.expression.name
            nulls_first = bool(item.nulls_first) or (not item.nulls_last and descending)
        else:
            raise TypeError(f"Cannot page by cursor over {item!r}")
        field = field_of(model, name)
        terms.append(Term(field.attname if field.is_relation else name, descending, nulls_first, field.null))
        if field.unique and not field.null:
            return terms  # unique already (a slug), as the index serving the order is
    terms.append(Term("pk", False, False, False))
    return terms


def following(rows, terms: list[Term], position: tuple, skipped: int, limit: int) -> list[tuple]:
    """Up to `limit` rows after `position` in the order of `terms`, past `skipped`: each its key
    and its values of `terms`.

    Where the order allows (one direction throughout, the position's values all given, and
    only the first column nullable), the condition is a row comparison,
    `(date, slug) > (%s, %s)`, which PostgreSQL and SQLite read as where to start walking the
    index; the rows without a first value, which a nulls-last order puts after every other,
    are a second read once the first runs out. Otherwise the condition is spelled out
    (`date > %s OR date IS NULL OR (date = %s AND slug > %s)`), which is the same rows, but
    read as a filter over the index walked from its start."""
    ordered = [term.expression() for term in terms]
    keys = rows.order_by(*ordered).values_list("pk", *[term.path for term in terms])
    comparison = row_comparison(rows.model, terms, position)
    if comparison is None or skipped:
        return list(keys.filter(after(terms, position))[skipped : skipped + limit])
    page = list(keys.filter(comparison)[:limit])
    first = terms[0]
    if len(page) < limit and first.nullable and not first.nulls_first:
        page += list(keys.filter(**{f"{first.path}__isnull": True})[: limit - len(page)])
    return page


class Keyset:
    """A list read without filters (statements.Keys), paged by cursor: its order (the same for
    every such read) and the statements that find a cursor's position and the page after it,
    each compiled once under the list's key, with stand-ins for the position's values."""

    _of = {}
    # Stand-ins for a record's key and a position's values: none is a value of any column.
    KEY = -(2**62)
    VALUES = tuple(f"\x00position {index}\x00" for index in range(16))

    @classmethod
    def of(cls, keys: statements.Keys) -> "Keyset":
        keyset = cls._of.get(keys.key)
        if keyset is None:
            keyset = cls._of[keys.key] = cls(keys.build())
        return keyset

    def __init__(self, rows):
        self.model, self.terms = rows.model, ordering_terms(rows)

    def position(self, keys: statements.Keys, key: int) -> tuple | None:
        """The values of the list's order for the record `key` (None if it is not in the list)."""
        paths = [term.path for term in self.terms]
        found = statements.rows(
            (keys.key, "position"),
            lambda: keys.build().filter(pk=self.KEY).values_list(*paths),
            {self.KEY: key},
        )
        return found[0] if found else None

    def following(self, keys, terms: list[Term], position: tuple, skipped: int, limit: int, backwards: bool):
        """following(), its usual statements compiled once."""
        marks = self.VALUES[: len(terms)]
        if skipped or len(terms) > len(marks) or row_comparison(self.model, terms, position) is None:
            return following(keys.build(), terms, position, skipped, limit)

        def ordered():
            ordering = [term.expression() for term in terms]
            return keys.build().order_by(*ordering).values_list("pk", *[term.path for term in terms])

        page = statements.rows(
            (keys.key, "following", backwards),
            lambda: ordered().filter(row_comparison(self.model, terms, marks)),
            dict(zip(marks, position, strict=True)),
            limit=limit,
        )
        first = terms[0]
        if len(page) < limit and first.nullable and not first.nulls_first:
            nulls = statements.rows(
                (keys.key, "nulls", backwards),
                lambda: ordered().filter(**{f"{first.path}__isnull": True}),
                limit=limit - len(page),
            )
            page += nulls
        return page


def row_comparison(model, terms: list[Term], position: tuple) -> RawSQL | None:
    """`(a, b, …) > (%s, %s, …)` (or `<`) for rows after `position`, where it means the same."""
    if len({term.descending for term in terms}) > 1 or None in position:
        return None
    if any(term.nullable for term in terms[1:]):
        return None
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [field_of(model, term.path).column for term in terms]
    left = ", ".join(f"{table}.{connection.ops.quote_name(column)}" for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    operator = "<" if terms[0].descending else ">"
    return RawSQL(f"({left}) {operator} ({marks})", list(position), output_field=BooleanField())


def after(terms: list[Term], position: tuple) -> Q:
    """Rows after `position` (the values of `terms` for one row) in the order of `terms`."""
    condition = Q(pk__in=[])
    for term, value in reversed(list(zip(terms, position, strict=True))):
        condition = term.beyond(value) | (term.level(value) & condition)
    return condition
