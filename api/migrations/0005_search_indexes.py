"""GIN indexes for /search/ on PostgreSQL (explore.search): one on each searched kind's text
(the columns its list's `?search=` looks in, joined as explore.search.document joins them)
and one on the citations' quotes. The expressions must be the ones the search writes, to the
character, or the planner does not use them (tests/test_search.py checks it does). SQLite,
the embedded default, searches without them (explore.search.fallback)."""

from django.db import migrations

CONFIG = "english"

# (table, columns), in the order explore.search joins them (the viewset's `search_fields`).
DOCUMENTS = [
    ("sources_source", ["name", "filename"]),
    ("sources_citation", ["quote"]),
    ("events_party", ["name", "slug"]),
    ("events_place", ["name", "slug", "modern_name"]),
    ("events_negotiation", ["name", "outcome"]),
    ("events_proposal", ["terms"]),
    ("events_counterproposal", ["terms"]),
    ("events_event", ["name", "description", "note"]),
    ("events_engagement", ["name", "outcome"]),
    ("events_figure", ["description", "measure", "unit"]),
    ("events_claim", ["name", "statement"]),
    ("treaties_treaty", ["name"]),
    ("treaties_treatyterm", ["wording"]),
]


def name(table: str) -> str:
    return f"api_search_{table}"[:63]


def vector(columns: list[str]) -> str:
    joined = " || ' ' || ".join(f"coalesce(\"{column}\", '')" for column in columns)
    return f"to_tsvector('{CONFIG}'::regconfig, {joined})"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in DOCUMENTS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name(table)}" ON "{table}" USING gin ({vector(columns)})'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _columns in DOCUMENTS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name(table)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0004_reading_filter_indexes"),
        ("events", "0010_places_and_parties_have_roles"),
        ("treaties", "0009_terms_have_roles_transfers_and_settlements"),
        ("sources", "0005_list_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
