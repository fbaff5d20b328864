"""Queries compiled once and run again with each request's values.

Compiling a queryset to SQL (its select list, joins and ordering) costs more than running it
on a small table, and the timeline and search compile one for every kind of record on every
request. A statement whose shape is the same for every request is compiled once per process
and database connection; each request gives only its values, and the rows come back through
Django's own converters (a SQLite date as a `date`, as the ORM gives it)."""

from django.db import DEFAULT_DB_ALIAS, connections

_compiled = {}


def rows(key, build, values=None) -> list[tuple]:
    """The rows of the queryset `build()` makes (a `values_list`), compiled once under `key`.

    `values` maps placeholder parameters to this request's: `build()` makes its queryset with
    the placeholders (the same SQL whatever the values), and each compiled parameter equal to
    one is replaced by its value when the statement runs.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    entry = _compiled.get((key, connection))
    if entry is None:
        compiler = build().query.get_compiler(connection=connection)
        entry = _compiled[(key, connection)] = (compiler, *compiler.as_sql())
    compiler, sql, params = entry
    if values:
        params = [values.get(param, param) for param in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    return list(compiler.results_iter(results=[fetched], tuple_expected=True))
