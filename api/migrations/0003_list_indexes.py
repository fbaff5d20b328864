"""Indexes for the orderings and filters the lists of events/ and treaties/ declare
(tests/test_indexes.py checks each is led by one on PostgreSQL), each ending in the list's own
order so that a filtered or reordered page is read in index order. Written here, as SQL, while
those apps' models are being changed elsewhere; they belong in each model's Meta.indexes, and
moving them there is a migration that renames nothing (the names are these)."""

from django.db import migrations

# (table, columns)
INDEXES = [
    ("events_party", ["name"]),
    ("events_party", ["kind", "name"]),
    ("events_party", ["role", "name"]),
    ("events_place", ["name"]),
    ("events_place", ["kind", "name"]),
    ("events_negotiation", ["date", "slug"]),
    ("events_negotiation", ["name"]),
    ("events_negotiation", ["date_basis", "date", "slug"]),
    ("events_proposal", ["number"]),
    ("events_counterproposal", ["number"]),
    ("events_event", ["date", "slug"]),
    ("events_event", ["name"]),
    ("events_event", ["kind", "date", "slug"]),
    ("events_event", ["date_basis", "date", "slug"]),
    ("events_engagement", ["name"]),
    ("events_engagement", ["date", "number"]),
    ("events_engagement", ["kind", "number"]),
    ("events_engagement", ["date_basis", "number"]),
    ("events_figure", ["unit", "slug"]),
    ("events_figure", ["value", "slug"]),
    ("events_claim", ["name"]),
    ("events_claim", ["is_interpretation", "slug"]),
    ("treaties_treaty", ["date", "slug"]),
    ("treaties_treaty", ["name"]),
    ("treaties_treaty", ["date_basis", "date", "slug"]),
    ("treaties_treatyterm", ["number"]),
]


def name(table: str, columns: list[str]) -> str:
    return f"api_{table}_{'_'.join(columns)}"[:63]


def create(table: str, columns: list[str]) -> str:
    quoted = ", ".join(f'"{column}"' for column in columns)
    return f'CREATE INDEX IF NOT EXISTS "{name(table, columns)}" ON "{table}" ({quoted})'


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_renderings"),
        ("events", "0009_claims_judge_records"),
        ("treaties", "0008_records_keep_their_place_in_the_source"),
    ]

    operations = [
        migrations.RunSQL(
            create(table, columns),
            f'DROP INDEX IF EXISTS "{name(table, columns)}"',
        )
        for table, columns in INDEXES
    ]
