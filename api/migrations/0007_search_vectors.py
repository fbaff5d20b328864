"""/search/ on PostgreSQL reads a stored tsvector, not one computed at each read.

Each searched table gains `search_vector`, a generated column (`GENERATED ALWAYS AS (...)
STORED`: PostgreSQL keeps it up to date on every insert and update) of its searched text,
and the GIN index /search/ reads is on that column instead of on the expression (0005, 0006,
treaties 0012). With the expression, every candidate row's text was parsed again to check
and rank it, and the planner, counting that as cheap, could not weigh an index scan against
reading a table in order until enough rows match; a common word in a million rows took
hundreds of milliseconds. With the column, checking and ranking a row reads a stored value,
and the planner has the column's statistics (its most common words) to choose by.

The column is PostgreSQL's alone: Django's models do not know it (SQLite, the embedded
default, searches without it, explore.search's fallback), so nothing Django writes names it.
Its expression must stay the one explore.search joins the list's `search_fields` into
(tests/test_search.py checks every row's stored vector against it). A later migration that
changes the type of a searched column must drop the generated column first and add it back
(PostgreSQL refuses to alter a column a generated column reads).
"""

from django.db import migrations

CONFIG = "english"
COLUMN = "search_vector"

# (table, columns), in the order explore.search joins them (the viewset's `search_fields`).
DOCUMENTS = [
    ("sources_source", ["name", "filename", "author"]),
    ("sources_citation", ["quote"]),
    ("events_party", ["name", "slug", "other_names"]),
    ("events_place", ["name", "slug", "modern_name", "other_names"]),
    ("events_negotiation", ["name", "outcome"]),
    ("events_proposal", ["terms"]),
    ("events_counterproposal", ["terms"]),
    ("events_event", ["name", "description", "note"]),
    ("events_engagement", ["name", "outcome"]),
    ("events_figure", ["description", "measure", "unit"]),
    ("events_statement", ["text", "scope", "note"]),
    ("events_claim", ["name", "statement"]),
    ("treaties_treaty", ["name"]),
    ("treaties_treatyterm", ["wording"]),
    ("treaties_article", ["subject"]),
]


def name(table: str) -> str:
    return f"api_search_{table}"[:63]


def vector(columns: list[str]) -> str:
    joined = " || ' ' || ".join(f"coalesce(\"{column}\", '')" for column in columns)
    return f"to_tsvector('{CONFIG}'::regconfig, {joined})"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in DOCUMENTS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name(table)}"')
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD COLUMN "{COLUMN}" tsvector GENERATED ALWAYS AS ({vector(columns)}) STORED'
        )
        schema_editor.execute(f'CREATE INDEX "{name(table)}" ON "{table}" USING gin ("{COLUMN}")')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in DOCUMENTS:
        # The index on the column goes with it.
        schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN "{COLUMN}"')
        schema_editor.execute(f'CREATE INDEX "{name(table)}" ON "{table}" USING gin ({vector(columns)})')


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0006_search_other_names_and_statements"),
        ("events", "0015_statements_give_a_victor"),
        ("sources", "0008_citations_of_a_reference_are_ordered_by_locator"),
        ("treaties", "0013_statements_and_chosen_dates"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
