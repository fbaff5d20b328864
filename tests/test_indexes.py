"""Every ordering and filter a list declares is backed by an index on PostgreSQL: a list of a
million records ordered or filtered by a column no index leads would sort or scan them all."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import ManyToManyField, ManyToOneRel

from api.filters import CalendarFilter, DateRangeBound, RecordTypeFilter
from config.urls import router

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes that count are PostgreSQL's"),
]

# What the filters with a method of their own read, by list and parameter: (model, field) pairs.
METHOD_COLUMNS = {
    ("negotiations", "party"): [
        ("events.negotiation", "initiated_by"),
        ("events.negotiation", "counterparty"),
    ],
    ("citations", "covers"): [("sources.citation", "start")],
    ("terms", "role"): [("treaties.termparty", "term")],
    ("treaty-articles", "term_role"): [("treaties.termarticle", "article")],
}


def leading_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        found["columns"][0]
        for found in constraints.values()
        if found["columns"] and (found["index"] or found["unique"] or found["primary_key"])
    }


def column(model, name: str) -> tuple[str, str]:
    """(table, column) that a lookup through `name`, from `model`, reads first."""
    field = model._meta.get_field(name)
    if isinstance(field, ManyToManyField):
        through = field.remote_field.through
        return through._meta.db_table, through._meta.get_field(field.m2m_field_name()).column
    if isinstance(field, ManyToOneRel):  # rows pointing at the record (a counterproposal's responses)
        return field.related_model._meta.db_table, field.field.column
    return model._meta.db_table, field.column


def read_columns(prefix, viewset, name, declared) -> list[tuple[str, str]]:
    model = viewset.queryset.model
    if (prefix, name) in METHOD_COLUMNS:
        return [
            (apps.get_model(label)._meta.db_table, apps.get_model(label)._meta.get_field(field).column)
            for label, field in METHOD_COLUMNS[(prefix, name)]
        ]
    if isinstance(declared, CalendarFilter):
        return []  # the calendar `start` and `end` are written in: it reads nothing itself
    assert declared.method is None, f"{prefix}?{name}: say in METHOD_COLUMNS what it reads"
    if isinstance(declared, DateRangeBound):
        return [column(model, declared.date_field)]
    if isinstance(declared, RecordTypeFilter):
        return [column(model, declared.content_type_field)]
    return [column(model, declared.field_name.split("__")[0])]


def lists():
    for prefix, viewset, _basename in router.registry:
        if viewset.queryset is not None:
            yield prefix, viewset


def test_every_declared_ordering_and_filter_is_led_by_an_index():
    unbacked = []
    for prefix, viewset in lists():
        model = viewset.queryset.model
        orderings = [*(viewset.ordering_fields or []), *(viewset.ordering or [])[:1]]
        needed = {(f"{prefix}?ordering={name}", column(model, name.removeprefix("-"))) for name in orderings}
        filterset = getattr(viewset, "filterset_class", None)
        for name, declared in filterset.base_filters.items() if filterset else []:
            needed |= {(f"{prefix}?{name}", read) for read in read_columns(prefix, viewset, name, declared)}
        for what, (table, name) in sorted(needed):
            if name not in leading_columns(table):
                unbacked.append(f"{what}: {table}.{name}")
    assert unbacked == []


def test_the_check_sees_an_index_go():
    table = "events_event"
    assert "date" in leading_columns(table)
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT index_check")
        cursor.execute("DROP INDEX api_events_event_date_slug")
        try:
            assert "date" not in leading_columns(table)
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT index_check")
