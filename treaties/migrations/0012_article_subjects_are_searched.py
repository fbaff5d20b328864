"""The GIN index /search/ reads the articles' subjects through on PostgreSQL, as
api/migrations/0005_search_indexes.py makes one for each kind searched before: its expression
must be the one explore.search writes for the list's `search_fields`, to the character."""

from django.db import migrations

INDEX = "api_search_treaties_article"
VECTOR = "to_tsvector('english'::regconfig, coalesce(\"subject\", ''))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "treaties_article" USING gin ({VECTOR})'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("treaties", "0011_treaties_have_their_articles")]

    operations = [migrations.RunPython(create, drop)]
