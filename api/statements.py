"""Queries compiled once and run again with each request's values.

Compiling a queryset to SQL (its select list, joins and ordering) costs more than running it
on a small table, and the timeline and search compile one for every kind of record on every
request. A statement whose shape is the same for every request is compiled once per process
and database connection; each request gives only its parameters, and the rows come back
through Django's own converters (a SQLite date as a `date`, as the ORM gives it)."""

from django.db import DEFAULT_DB_ALIAS, connections

_compiled = {}


def rows(key, build, params=None) -> list[tuple]:
    """The rows of the queryset `build()` makes (a `values_list`), compiled once under `key`.

    `params`, when given, replace the compiled statement's parameters in order: `build()` must
    then make the same SQL for any values (the caller builds it with placeholder values).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    entry = _compiled.get((key, connection))
    if entry is None:
        compiler = build().query.get_compiler(connection=connection)
        entry = _compiled[(key, connection)] = (compiler, *compiler.as_sql())
    compiler, sql, compiled_params = entry
    values = compiled_params if params is None else params
    if len(values) != len(compiled_params):
        raise ValueError(f"{key!r} takes {len(compiled_params)} parameters, not {len(values)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        fetched = cursor.fetchall()
    return list(compiler.results_iter(results=[fetched], tuple_expected=True))
