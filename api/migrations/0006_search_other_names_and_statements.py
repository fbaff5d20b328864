"""/search/'s GIN indexes on PostgreSQL (see 0005) for the texts that changed: a source's author
(a reference's), a place's and a party's other names join their searched columns, and
statements are a searched kind."""

from django.db import migrations

CONFIG = "english"

# (table, columns as they were, columns now), in the order explore.search joins them.
DOCUMENTS = [
    ("sources_source", ["name", "filename"], ["name", "filename", "author"]),
    ("events_party", ["name", "slug"], ["name", "slug", "other_names"]),
    ("events_place", ["name", "slug", "modern_name"], ["name", "slug", "modern_name", "other_names"]),
    ("events_statement", None, ["text", "scope", "note"]),
]


def name(table: str) -> str:
    return f"api_search_{table}"[:63]


def vector(columns: list[str]) -> str:
    joined = " || ' ' || ".join(f"coalesce(\"{column}\", '')" for column in columns)
    return f"to_tsvector('{CONFIG}'::regconfig, {joined})"


def index(schema_editor, table, columns):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{name(table)}"')
    if columns is not None:
        schema_editor.execute(f'CREATE INDEX "{name(table)}" ON "{table}" USING gin ({vector(columns)})')


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, _before, after in DOCUMENTS:
            index(schema_editor, table, after)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, before, _after in DOCUMENTS:
            index(schema_editor, table, before)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0005_search_indexes"),
        ("events", "0013_places_and_parties_keep_other_names"),
        ("sources", "0006_sources_of_two_kinds"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
