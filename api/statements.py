"""Queries compiled once and run again with each request's values.

Compiling a queryset to SQL (its select list, joins and ordering) costs more than running it
on a small table, and reads compile several on every request: a list's count and page, a
detail's key, the timeline's and search's statement for each kind of record. A statement
whose shape is the same for every request is compiled once per process and database
connection; each request gives only its values, and the rows come back through Django's own
converters (a SQLite date as a `date`, as the ORM gives it)."""

from django.db import connections

from api import replicas

_compiled = {}


def compiled(key, build):
    """The compiler, SQL and parameters of the queryset `build()` makes, compiled once under
    `key` for the connection of the database this request reads (api.replicas)."""
    connection = connections[replicas.reading()]
    entry = _compiled.get((key, connection))
    if entry is None:
        compiler = build().query.get_compiler(connection=connection)
        entry = _compiled[(key, connection)] = (compiler, *compiler.as_sql())
    return entry


def _run(compiler, sql, params) -> list[tuple]:
    with compiler.connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    # Finding the converters of every column costs more than running a search that matched nothing.
    return list(compiler.results_iter(results=[fetched], tuple_expected=True)) if fetched else []


def rows(key, build, values=None, limit: int | None = None) -> list[tuple]:
    """The rows of the queryset `build()` makes (a `values_list`), compiled once under `key`.

    `values` maps placeholder parameters to this request's: `build()` makes its queryset with
    the placeholders (the same SQL whatever the values), and each compiled parameter equal to
    one is replaced by its value when the statement runs. `limit`, when given, is how many
    rows at most (a LIMIT, a parameter of the same statement).
    """
    compiler, sql, params = compiled(key, build)
    if values:
        params = [values.get(param, param) for param in params]
    if limit is not None:
        sql, params = f"{sql} LIMIT %s", [*params, limit]
    return _run(compiler, sql, params)


class Keys:
    """The first column of a `values_list` queryset's rows, as Django's Paginator reads it: its
    count and one slice, each a statement compiled once under `key` (the slice's bounds are
    its parameters, in the LIMIT … OFFSET … that SQLite, PostgreSQL and MySQL all read)."""

    def __init__(self, key, build):
        self.key, self.build = key, build

    def count(self, at_most: int | None = None) -> int:
        """How many rows there are, or `at_most` if there are more: a bounded count reads no
        further than its bound."""
        compiler, sql, params = compiled((self.key, "count"), lambda: self.build().order_by())
        if at_most is not None:
            sql, params = f"{sql} LIMIT %s", [*params, at_most]
        with compiler.connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, bounds: slice) -> list:
        if not isinstance(bounds, slice) or bounds.step is not None or bounds.stop is None:
            raise TypeError("Keys take a slice with a start and a stop")
        start = bounds.start or 0
        compiler, sql, params = compiled(self.key, self.build)
        sliced = f"{sql} LIMIT %s OFFSET %s"
        return [row[0] for row in _run(compiler, sliced, [*params, bounds.stop - start, start])]
