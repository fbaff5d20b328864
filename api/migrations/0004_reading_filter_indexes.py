"""Indexes for the filters on readings the lists gained with roles (events 0010): each led by
the filtered column and ending in the list's own order, as in 0003_list_indexes."""

from django.db import migrations

# (table, columns)
INDEXES = [
    ("events_party", ["role_basis", "name"]),
    ("events_engagement", ["kind_basis", "number"]),
    ("events_engagement", ["victor_basis", "number"]),
]


def name(table: str, columns: list[str]) -> str:
    return f"api_{table}_{'_'.join(columns)}"[:63]


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_list_indexes"),
        ("events", "0010_places_and_parties_have_roles"),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "{}" ON "{}" ({})'.format(
                name(table, columns), table, ", ".join(f'"{column}"' for column in columns)
            ),
            f'DROP INDEX IF EXISTS "{name(table, columns)}"',
        )
        for table, columns in INDEXES
    ]
