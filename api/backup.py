"""A backup of the whole database, and its restore: every row of every table, as it was.

A backup is one JSON file: the migrations the database had applied, then each table (every
model's, the many-to-many tables and django-simple-history's included; only
django_migrations is left out, since `migrate` writes it) with its columns and its rows, one
row a line, in primary-key order. Each value is what its field writes as text: the original
ids, datetimes to the microsecond, password hashes and tokens as stored. The file holds those
secrets, so it is created readable by its owner alone.

A restore writes the rows back with plain INSERTs, below the ORM's `save()`: no signal fires,
so django-simple-history records no version of its own, the data version (api.data_version)
is not raised row by row and no `auto_now` field takes the time of the restore. It runs in one
transaction, and any fault (a row the database refuses, a broken link) changes nothing.
Each table's id sequence then goes on from where the backed-up database's was, past every id
it ever gave: the next insert does not collide, and a deleted record's id, which its history
keeps, is not given to another.

`dumpdata` and `loaddata` cannot do this: loaddata saves each object, and setting its
many-to-many relations fires the signals that record history, so it adds versions of its own,
which on PostgreSQL then collide with the history ids being loaded.
"""

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import AutoField
from django.utils import timezone

from api import data_version
from api.models import DataVersion

FORMAT = "japan-russia-1903-1905 backup"
FORMAT_VERSION = 1
# Rows `migrate` writes into a new database by itself. A restore replaces them with the
# backup's (whose ids the other rows refer to), and they do not make a database hold data.
MADE_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission", "api.dataversion"}


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why."""


@dataclass
class Summary:
    tables: int
    rows: int
    generation: int | None


def backed_up_models(using: str = "default") -> list:
    """Every model with a table of its own in this database, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and router.allow_migrate_model(using, model)
    ]


def applied_migrations(connection) -> list[list[str]]:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return sorted([app, name] for app, name in loader.applied_migrations)


def columns(model) -> dict:
    """The table's columns, each with the field that reads and writes it."""
    return {field.column: field for field in model._meta.local_concrete_fields}


def encode(field, instance):
    value = field.value_from_object(instance)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    # Text that the field's to_python() reads back exactly (datetimes keep their microseconds,
    # which DjangoJSONEncoder would cut to milliseconds).
    return field.value_to_string(instance)


def table_rows(model, using: str) -> list[list]:
    fields = list(columns(model).values())
    return [
        [encode(field, instance) for field in fields]
        for instance in model._base_manager.using(using).order_by("pk").iterator(chunk_size=2000)
    ]


def read_tables(using: str) -> tuple[dict, dict]:
    """(the backup's header, {table: (model label, columns, rows)}), read as one snapshot."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    if outermost:
        # Checked now, so that the first statement of the transaction below is its own.
        connection.ensure_connection()
        connection.close_if_health_check_failed()
    # One transaction, so every table is read at the same moment while writers go on (on
    # SQLite it holds the write lock for the few seconds this takes).
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        models = backed_up_models(using)
        version = data_version.current(using)
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "made_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "data_version": version[0] if version else None,
            "migrations": applied_migrations(connection),
            "sequences": sequences_used(connection, models),
        }
        tables = {
            model._meta.db_table: (model._meta.label_lower, list(columns(model)), table_rows(model, using))
            for model in models
        }
    return header, tables


def write_backup(path: Path, using: str = "default") -> Summary:
    """Write every table of the database to `path`, as one consistent snapshot."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; name a new file, so no earlier backup is lost.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory.")
    try:
        header, tables = read_tables(using)
    except DatabaseError as exc:
        raise BackupError(f"the database could not be read: {exc}") from None
    # Written beside its final name and moved there whole: a failed backup leaves no half file.
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as out:
        try:
            write_json(out, header, tables)
        except BaseException:
            os.unlink(out.name)
            raise
    os.replace(out.name, path)
    return Summary(
        tables=len(tables),
        rows=sum(len(rows) for _, _, rows in tables.values()),
        generation=header["data_version"],
    )


def write_json(out, header: dict, tables: dict) -> None:
    """One JSON object, laid out for people: a line for each header field and each row."""

    def dump(value):
        return json.dumps(value, ensure_ascii=False)

    out.write("{\n")
    for key, value in header.items():
        out.write(f"{dump(key)}: {dump(value)},\n")
    out.write('"tables": {')
    for position, (table, (model, names, rows)) in enumerate(tables.items()):
        out.write("," if position else "")
        out.write(f'\n{dump(table)}: {{"model": {dump(model)}, "columns": {dump(names)}, "rows": [')
        out.write(",".join(f"\n  {dump(row)}" for row in rows))
        out.write("\n]}")
    out.write("\n}}\n")


def read_backup(path: Path) -> dict:
    """The backup in `path`, checked to be one; a BackupError says what is wrong."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as stream:
            backup = json.load(stream)
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file.") from None
    except OSError as exc:
        raise BackupError(f"{path}: cannot be read: {exc.strerror}.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is not a backup: it is not UTF-8 JSON ({exc}).") from None
    if not isinstance(backup, dict) or backup.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup made by `manage.py backup`.")
    if backup.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a backup of format version {backup.get('format_version')!r}; "
            f"this code reads version {FORMAT_VERSION}."
        )
    tables = backup.get("tables")
    if not all(isinstance(backup.get(key), dict) for key in ("tables", "sequences")) or not isinstance(
        backup.get("migrations"), list
    ):
        raise BackupError(f"{path} is not a whole backup: its migrations or tables are missing.")
    for table, content in tables.items():
        if not (
            isinstance(content, dict)
            and isinstance(content.get("columns"), list)
            and isinstance(content.get("rows"), list)
            and all(isinstance(row, list) and len(row) == len(content["columns"]) for row in content["rows"])
        ):
            raise BackupError(f"{path} is not a whole backup: table {table} is malformed.")
    if not all(isinstance(value, int) for value in backup["sequences"].values()):
        raise BackupError(f"{path} is not a whole backup: its sequences are malformed.")
    return backup


def check_compatible(path: Path, backup: dict, connection, models: dict) -> None:
    """The backup was made at this database's migration state, with these tables and columns."""
    applied = {tuple(migration) for migration in applied_migrations(connection)}
    expected = {tuple(migration) for migration in backup["migrations"]}
    if applied != expected:
        if not applied:
            raise BackupError("This database has no migrations applied: run `manage.py migrate` first.")
        missing = ", ".join(f"{app}.{name}" for app, name in sorted(expected - applied)) or "none"
        extra = ", ".join(f"{app}.{name}" for app, name in sorted(applied - expected)) or "none"
        raise BackupError(
            f"{path} was made at another migration state than this database's, so its tables "
            f"do not fit. Applied in the backup but not here: {missing}. Applied here but not in "
            f"the backup: {extra}. Restore it with the code of the backup's version into a "
            "database migrated to its state, then migrate."
        )
    tables = backup["tables"]
    if set(tables) != set(models):
        unknown = ", ".join(sorted(set(tables) - set(models))) or "none"
        absent = ", ".join(sorted(set(models) - set(tables))) or "none"
        raise BackupError(
            f"{path} does not hold this code's tables. In the backup, not here: {unknown}. "
            f"Here, not in the backup: {absent}."
        )
    for table, model in models.items():
        if tables[table]["columns"] != list(columns(model)):
            raise BackupError(
                f"{path}: the columns of {table} ({', '.join(tables[table]['columns'])}) are not "
                f"this code's ({', '.join(columns(model))})."
            )


def row_values(path: Path, table: str, model, content: dict, connection) -> list[list]:
    """The backup's rows of `table`, as the values an INSERT into this database takes."""
    fields = list(columns(model).values())
    values = []
    for number, row in enumerate(content["rows"], start=1):
        values.append([])
        for field, value in zip(fields, row, strict=True):
            try:
                values[-1].append(field.get_db_prep_save(field.to_python(value), connection))
            except (ValidationError, TypeError, ValueError) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                raise BackupError(
                    f"{path}: row {number} of {table} does not fit column {field.column}: {reason}"
                ) from None
    return values


def insert_rows(cursor, table: str, model, rows: list[list]) -> None:
    quote = cursor.db.ops.quote_name
    names = ", ".join(map(quote, columns(model)))
    placeholders = ", ".join(["%s"] * len(columns(model)))
    cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})", rows)


def held_data(connection, models: dict) -> dict:
    """{table: row count} for every table holding rows that `migrate` did not write itself."""
    held = {}
    with connection.cursor() as cursor:
        for table, model in models.items():
            if model._meta.label_lower in MADE_BY_MIGRATE:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            count = cursor.fetchone()[0]
            if count:
                held[table] = count
    return held


def restore_backup(path: Path, using: str = "default", replace: bool = False) -> Summary:
    """Put every row of the backup in `path` into this database, in one transaction.

    The database must be migrated to the backup's state and hold no data, unless `replace`,
    which deletes what it holds first. The data version comes back as the backup had it, or
    past the one this database had, if that was higher: a server process never takes the
    restored data for answers it keeps under an earlier version.
    """
    path = Path(path)
    backup = read_backup(path)
    connection = connections[using]
    models = {model._meta.db_table: model for model in backed_up_models(using)}
    try:
        check_compatible(path, backup, connection, models)
        rows = {
            table: row_values(path, table, model, backup["tables"][table], connection)
            for table, model in models.items()
        }
        with transaction.atomic(using=using):
            held = held_data(connection, models)
            if held and not replace:
                listed = ", ".join(f"{table}: {count}" for table, count in list(held.items())[:5])
                more = f" and {len(held) - 5} more tables" if len(held) > 5 else ""
                raise BackupError(
                    f"This database already holds data ({listed}{more}). Nothing was restored. "
                    "Restore into a freshly migrated, empty database, or pass --replace to delete "
                    "what this one holds and put the backup in its place."
                )
            before = data_version.current(using)
            with connection.cursor() as cursor:
                # Foreign keys are checked at commit (Django creates them deferred on SQLite
                # and PostgreSQL alike), so the order of the tables does not matter.
                for table in models:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
                for table, model in models.items():
                    if rows[table]:
                        insert_rows(cursor, table, model, rows[table])
            set_sequences(connection, models.values(), backup["sequences"])
            version = keep_version_ahead(before, using)
            connection.check_constraints(table_names=list(models))
    except DatabaseError as exc:
        raise BackupError(f"The database refused the backup, so nothing was restored: {exc}") from None
    # The restored content types may have other ids than the ones this process has seen.
    ContentType.objects.clear_cache()
    return Summary(tables=len(models), rows=sum(map(len, rows.values())), generation=version)


def keep_version_ahead(before, using: str) -> int:
    """The restored generation, raised past `before`'s (this database's own) if need be."""
    restored = data_version.current(using)
    floor = before[0] if before else 0
    if restored is not None and restored[0] > floor:
        return restored[0]
    raised = {"generation": floor + 1, "changed_at": timezone.now()}
    if not DataVersion.objects.using(using).filter(id=1).update(**raised):
        DataVersion.objects.using(using).bulk_create([DataVersion(id=1, **raised)])
    return floor + 1


def id_columns(models) -> dict:
    """{table: its id column} for the tables whose ids a sequence gives."""
    return {
        model._meta.db_table: model._meta.pk.column
        for model in models
        if isinstance(model._meta.pk, AutoField)
    }


def sequences_used(connection, models) -> dict:
    """{table: the highest id its sequence has given}. Kept in the backup so that a restored
    database never gives an id twice either: a deleted record's id stays with its history."""
    tables = id_columns(models)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
            given = dict(cursor.fetchall())
            return {table: given.get(table, 0) for table in tables}
        used = {}
        for table, column in tables.items():
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), column]
            )
            cursor.execute(f"SELECT last_value, is_called FROM {cursor.fetchone()[0]}")
            last, called = cursor.fetchone()
            used[table] = last if called else last - 1
        return used


def set_sequences(connection, models, used: dict) -> None:
    """Start each sequence past the restored ids and past every id the backup's had given."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in id_columns(models).items():
            cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
            highest = max(cursor.fetchone()[0] or 0, used.get(table, 0))
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, highest])
            else:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
                    [quote(table), column, max(highest, 1), highest > 0],
                )
