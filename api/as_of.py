"""The data as it was: `?as_of=` on every read of the API, from the history already kept.

`as_of` is a named release (`manage.py release NAME`), a release id (20261201T120000123456Z,
as /api/v1/meta/ and X-Data-Release give it) or a date-time with its UTC offset. The answer is
the one the API gave at that moment: every list, detail, history, search, the timeline, the
dump and every format read from a *snapshot* of the data, made from django-simple-history's
versions once per state of the data and kept:

- each record, citation, statement and link row is its latest version at that moment (left
  out if that version is its deletion), a many-to-many link as its version held it;
- the history itself stops at that moment, so a record deleted before it answers 410 Gone
  there, and one created after it 404;
- what is derived (a record's sequence, a chosen date, other names) is derived afresh from
  those rows, as the signals keep it (sources.models, events.choosing), and every record is
  rendered (api.renderings) into the snapshot's own read model;
- its data version is the state's: Last-Modified, the ETags and X-Data-Release name it (a
  release's own id where one was cut of that state, else when its last version was written).

A snapshot is a database of its own beside the primary: on SQLite a file under AS_OF_DIR, on
PostgreSQL a schema in the same database (its connections' search_path is that schema alone,
so that a snapshot gone missing fails loudly instead of reading today's tables). It holds the
tables of the watched apps, the read model, the data version, the content types and the
editors (without their passwords, for the joins of a history's names); SnapshotRouter sends
every other model (the editors too: who is signed in, sessions, tokens, the releases) to the
primary. It is named by the state it holds (when the data last changed
before the moment, and the schema's migrations), so any moment in one state shares it, and at
most AS_OF_SNAPSHOTS are kept; a client may have AS_OF_BUILDS_PER_MINUTE made a minute. A
moment after the last version is today's data, read as any read is. A write with `as_of` is
refused: it changes today's data, not the past.

Versions are stamped when they are saved, not when their transaction commits: a moment inside
a long write shows the part of it saved by then.

Records that were written without a version (`synthesize`'s, which writes below the models)
have no past, and are in no snapshot.
"""

import datetime
import functools
import hashlib
import os
import re
import threading
import uuid
from collections import OrderedDict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.db.migrations.recorder import MigrationRecorder
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from simple_history.models import HistoricalChanges

from api import data_version, replicas
from api.clients import client_address
from api.errors import problem_response
from api.middleware import database_unavailable

PARAMETER = "as_of"
PREFIX = "as_of_"
RELEASE_ID = re.compile(r"^\d{8}T\d{12}Z$")
# What any of the three may hold (a release's name is a slug of at most 64 characters).
MAX_LENGTH = 64
PATTERN = r"^[A-Za-z0-9_.:+-]+$"
# A UTC offset's "+" sent unencoded, which a query string reads as a space.
_OFFSET_AS_SPACE = re.compile(r"(T[\d:.]+) (\d\d:?\d\d)$")
# The apps of the data (api.data_version watches them), and what else a read of it joins.
KEPT_LABELS = {
    "api.rendering",
    "api.renderingdependency",
    "api.dataversion",
    "contenttypes.contenttype",
    "auth.user",
}


class AsOfError(Exception):
    """An `as_of` that names no moment the data can be read at: a 400 with this detail."""


# Held for the joins of a history's editor names, but read on the primary: who is signed in
# is today's question (a snapshot's editors have no passwords).
READ_ON_THE_PRIMARY = {"auth.user"}


def kept(model) -> bool:
    """Whether a snapshot holds `model`'s table."""
    return model._meta.app_label in data_version.WATCHED_APPS or model._meta.label_lower in KEPT_LABELS


def read_there(model) -> bool:
    """Whether a read of a snapshot reads `model` there."""
    return kept(model) and model._meta.label_lower not in READ_ON_THE_PRIMARY


def is_snapshot(alias: str) -> bool:
    return alias.startswith(PREFIX)


def is_work(name: str) -> bool:
    """Whether a snapshot's alias, file or schema is one being made."""
    return name.startswith(f"{PREFIX}build_")


class SnapshotRouter:
    """While a request reads a snapshot, the models it holds are read (and the read model
    written) there, and every other model on the primary; otherwise it leaves the choice to
    the next router. Nothing migrates a snapshot: it is made from the migrated tables."""

    def db_for_read(self, model, **hints):
        alias = replicas.reading()
        if is_snapshot(alias):
            return alias if read_there(model) else DEFAULT_DB_ALIAS
        return None

    db_for_write = db_for_read

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if is_snapshot(db) else None


# The moment asked


def moment(value: str) -> tuple[datetime.datetime, object]:
    """(the moment, the release it names or None) that an `as_of` value names."""
    from api.models import Release

    release = Release.objects.using(DEFAULT_DB_ALIAS).filter(name=value).first()
    if release is not None:
        return release.data_changed_at, release
    try:
        if RELEASE_ID.match(value):
            at = datetime.datetime.strptime(value, data_version.RELEASE_ID_FORMAT).replace(
                tzinfo=datetime.UTC
            )
        else:
            at = parse_datetime(value)
    except ValueError:  # well formed, but no day or time there is (a 13th month, a 25th hour)
        at = None
    if at is None:
        raise AsOfError(
            "Give as_of as a release's name (GET /api/v1/meta/ lists them), a release id "
            "(20261201T120000123456Z) or a date-time with its UTC offset (2026-12-01T12:00:00Z)."
        )
    if timezone.is_naive(at):
        raise AsOfError(
            "Give the date-time's UTC offset (2026-12-01T12:00:00Z, or +09:00): a moment, not a wall clock."
        )
    try:
        at.astimezone(datetime.UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00: before any year a database keeps
        raise AsOfError("as_of is before the data's first version: there was no data then.") from None
    if at > timezone.now():
        raise AsOfError("as_of is a moment to come: the data can only be read as it was.")
    return at, None


@functools.cache
def kinds() -> dict[str, list]:
    """The kept models by what a snapshot makes of them: "tracked" (a record, citation or row
    with versions: its latest), "versions" (their history, up to the moment), "version rows"
    (a version's many-to-many rows), "through" (the many-to-many rows a version held), "copied"
    (the rest, as they are)."""
    found = {"tracked": [], "versions": [], "version rows": [], "through": [], "copied": []}
    for model in apps.get_models(include_auto_created=True):
        if not kept(model):
            continue
        if issubclass(model, HistoricalChanges):
            names = {field.name for field in model._meta.concrete_fields}
            found["versions" if "history_date" in names else "version rows"].append(model)
        elif hasattr(getattr(model, "history", None), "model"):
            found["tracked"].append(model)
    found["through"] = [rows.instance_type for rows in found["version rows"]]
    taken = {model for models in found.values() for model in models}
    found["copied"] = [
        model for model in apps.get_models(include_auto_created=True) if kept(model) and model not in taken
    ]
    return found


def around(at: datetime.datetime, alias: str = DEFAULT_DB_ALIAS):
    """(the last version written at or before `at`, the first one after it): when the state of
    the data at `at` began, and whether it has ended (None if it has not)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    tables = [quote(model._meta.db_table) for model in kinds()["versions"]]
    before = " UNION ALL ".join(
        f"SELECT MAX(history_date) AS d FROM {table} WHERE history_date <= %s" for table in tables
    )
    after = " UNION ALL ".join(
        f"SELECT MIN(history_date) AS d FROM {table} WHERE history_date > %s" for table in tables
    )
    value = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(d) FROM ({before}) AS b), (SELECT MIN(d) FROM ({after}) AS a)",
            [value] * (2 * len(tables)),
        )
        began, ended = cursor.fetchone()
    return data_version.moment_of(began), data_version.moment_of(ended)


@functools.cache
def schema_digest() -> str:
    """The migrations the primary has: a snapshot made under others has other tables."""
    applied = sorted(MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations())
    return hashlib.sha256(repr(applied).encode()).hexdigest()[:8]


# Snapshots

_lock = threading.Lock()
# The snapshot alias of each state asked for lately, by moment (a state that has ended does
# not change), and each registered alias.
_states = OrderedDict()
STATES_KEPT = 1024
# The snapshots' schemas on PostgreSQL, as LIKE finds them.
_SCHEMAS = PREFIX.replace("_", r"\_") + "%"


class TooManyBuilds(Exception):
    """A client asked for more snapshots to be made than AS_OF_BUILDS_PER_MINUTE allows."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after


def snapshot(at: datetime.datetime, release=None, client: str = "") -> str | None:
    """The alias of the snapshot of the data at `at` (made if there is none, counted against
    `client`'s allowance), or None when the data has not changed since: today's data is the
    answer."""
    from api.models import Release

    state = _states.get(at)
    if state is None:
        began, ended = around(at, replicas.reading())
        if ended is None:
            return None
        if began is None:
            raise AsOfError(
                f"The data's first version was written at {ended.isoformat()}: there was no data before."
            )
        if release is None:  # a release cut of that state names it
            cuts = Release.objects.using(DEFAULT_DB_ALIAS).filter(
                data_changed_at__gte=began, data_changed_at__lt=ended
            )
            release = cuts.order_by("data_changed_at", "pk").first()
        state = (PREFIX + data_version.release_id(began).lower() + "_" + schema_digest(), began, release)
        with _lock:
            _states[at] = state
            while len(_states) > STATES_KEPT:
                _states.popitem(last=False)
    alias, began, release = state
    if _present(alias):
        return alias
    # Making one costs seconds: a client may have only so many made a minute.
    from api.throttling import counter

    made, seconds_left = counter().hit(f"as_of:builds:{client}", 60)
    if made > settings.AS_OF_BUILDS_PER_MINUTE:
        raise TooManyBuilds(seconds_left)
    with _lock:
        if not _present(alias):
            Builder.of(alias).build(at, began, release)
    return alias


def _directory() -> Path:
    return Path(settings.AS_OF_DIR)


def _present(alias: str) -> bool:
    """Whether the snapshot exists (registered in this process, and its file or schema there)."""
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        found = (_directory() / f"{alias}.sqlite3").exists()
    else:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [alias])
            found = cursor.fetchone() is not None
    if found and alias not in connections.settings:
        _register(alias, Builder.of(alias).serving_settings())
    return found


def _register(alias: str, overrides: dict) -> None:
    base = connections[DEFAULT_DB_ALIAS].settings_dict
    options = {**base.get("OPTIONS", {}), **overrides.pop("OPTIONS", {})}
    # A new dict, not the one in place: another thread may be iterating over it (Django closes
    # old connections at the end of every request).
    databases = {**connections.settings, alias: {**base, "OPTIONS": options, "TEST": {}, **overrides}}
    connections.__dict__["settings"] = databases


def _unregister(alias: str) -> None:
    if alias in connections.settings:
        if hasattr(connections._connections, alias):
            connections[alias].close()
            del connections[alias]
        connections.__dict__["settings"] = {k: v for k, v in connections.settings.items() if k != alias}


def forget(discard: bool = False) -> None:
    """Unregister every snapshot in this process; with `discard`, delete every snapshot too (a
    database whose history was put back from a backup: the tests' fixtures do)."""
    with _lock:
        _states.clear()
        for alias in [alias for alias in connections.settings if is_snapshot(alias)]:
            _unregister(alias)
        if not discard:
            return
        if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
            for path in _directory().glob(f"{PREFIX}*.sqlite3"):
                path.unlink(missing_ok=True)
            return
        for name in _schemas():
            _drop_schema(name)


def _schemas() -> list[str]:
    """The snapshots' schemas on PostgreSQL, made and being made, oldest moment first."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname", [_SCHEMAS])
        return [name for (name,) in cursor.fetchall()]


def _drop_schema(name: str, lock_timeout: str | None = None) -> None:
    """Drop a snapshot's schema; with `lock_timeout`, not waiting longer on its readers."""
    primary = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(using=DEFAULT_DB_ALIAS), primary.cursor() as cursor:
        if lock_timeout is not None:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
        cursor.execute(f"DROP SCHEMA {primary.ops.quote_name(name)} CASCADE")


class Builder:
    """Makes one snapshot: its tables from the primary's, their rows from the history."""

    @staticmethod
    def of(alias: str) -> "Builder":
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        return SQLiteBuilder(alias) if vendor == "sqlite" else PostgresBuilder(alias)

    def __init__(self, alias: str):
        self.alias = alias
        self.work = f"{PREFIX}build_{uuid.uuid4().hex[:12]}"

    def build(self, at, began, release) -> None:
        _register(self.work, self.building_settings())
        try:
            self.make(at, began, release)
        finally:
            _unregister(self.work)
        self.evict()
        _register(self.alias, self.serving_settings())

    def fill(self, cursor, at, src: str, dst: str) -> None:
        """Every kept table made in `dst` and filled from `src`'s (schema names, quoted)."""
        connection = connections[self.work]
        quote = connection.ops.quote_name
        at = connection.ops.adapt_datetimefield_value(at)

        def columns(fields):
            return ", ".join(quote(field.column) for field in fields)

        def insert(model, select: str, params=()):
            table = f"{dst}.{quote(model._meta.db_table)}"
            cursor.execute(f"INSERT INTO {table} ({columns(model._meta.concrete_fields)}) {select}", params)

        found = kinds()
        for models in found.values():
            for model in models:
                self.create(cursor, model._meta.db_table, src, dst)
        for history in found["versions"]:
            insert(
                history,
                f"SELECT {columns(history._meta.concrete_fields)} FROM {src}.{quote(history._meta.db_table)} "
                "WHERE history_date <= %s",
                [at],
            )
        for rows in found["version rows"]:
            parent = quote(rows._meta.get_field("history").related_model._meta.db_table)
            insert(
                rows,
                f"SELECT {columns(rows._meta.concrete_fields)} FROM {src}.{quote(rows._meta.db_table)} "
                f"WHERE history_id IN (SELECT history_id FROM {dst}.{parent})",
            )

        def latest(history) -> str:
            """The versions standing at the moment: each row's last, unless it is its deletion."""
            table = f"{dst}.{quote(history._meta.db_table)}"
            pk = quote(history.instance_type._meta.pk.column)
            return (
                f"SELECT history_id FROM {table} WHERE history_id IN "
                f"(SELECT MAX(history_id) FROM {table} GROUP BY {pk}) AND history_type <> '-'"
            )

        for model in found["tracked"]:
            history = model.history.model
            held = {field.column for field in history._meta.concrete_fields}
            # The derived fields a version does not hold: their defaults, derived afterwards.
            values, params = [], []
            for field in model._meta.concrete_fields:
                if field.column in held:
                    values.append(quote(field.column))
                else:
                    values.append("%s")
                    params.append(field.get_db_prep_save(field.get_default(), connection))
            insert(
                model,
                f"SELECT {', '.join(values)} FROM {dst}.{quote(history._meta.db_table)} "
                f"WHERE history_id IN ({latest(history)})",
                params,
            )
        for rows in found["version rows"]:
            through = rows.instance_type
            insert(
                through,
                f"SELECT {columns(through._meta.concrete_fields)} FROM {dst}.{quote(rows._meta.db_table)} "
                f"WHERE history_id IN ({latest(rows._meta.get_field('history').related_model)})",
            )
        for model in found["copied"]:
            self.copy(model, src, insert)

    def copy(self, model, src, insert):
        """A kept table that is not the data's: the read model and the version begin empty, the
        editors lose their passwords, the rest (content types, dataset loads) is copied."""
        from api.models import DataVersion, Rendering, RenderingDependency

        if model in (DataVersion, Rendering, RenderingDependency):
            return
        quote = connections[self.work].ops.quote_name
        values = ", ".join(
            "'!'" if field.name == "password" else quote(field.column)
            for field in model._meta.concrete_fields
        )
        insert(model, f"SELECT {values} FROM {src}.{quote(model._meta.db_table)}")

    def derive(self, began, release) -> None:
        """What the signals derive, derived from the snapshot's rows; its version; its read model."""
        from api import renderings
        from api.models import DataVersion
        from events.choosing import refresh_chosen_date, refresh_other_names
        from sources.models import Citation, CitedRecord, first_citation_starts

        using = self.work
        with replicas.reading_from(using), transaction.atomic(using=using):
            DataVersion.objects.using(using).create(id=1, generation=0, changed_at=began)
            for model in apps.get_models():
                if not (kept(model) and issubclass(model, CitedRecord)):
                    continue
                content_type = ContentType.objects.db_manager(using).get_for_model(model)
                citations = Citation.objects.using(using)
                model._base_manager.using(using).update(
                    sequence=first_citation_starts(citations, content_type)
                )
                fields = {field.name for field in model._meta.concrete_fields}
                for pk in model._base_manager.using(using).values_list("pk", flat=True):
                    if "chosen_date" in fields:
                        refresh_chosen_date(content_type.pk, pk, using, quietly=True)
                    if "other_names" in fields:
                        refresh_other_names(content_type.pk, pk, using, quietly=True)
            renderings.store_all(using)
            generation = release.generation if release is not None else 0
            changed_at = release.data_changed_at if release is not None else began
            DataVersion.objects.using(using).filter(id=1).update(generation=generation, changed_at=changed_at)


class SQLiteBuilder(Builder):
    def path(self, alias=None) -> Path:
        return _directory() / f"{alias or self.alias}.sqlite3"

    # Deferred: an IMMEDIATE transaction would take the write lock of the attached primary
    # too, holding every writer out while the snapshot is made.
    OPTIONS = {"transaction_mode": "DEFERRED"}

    def building_settings(self) -> dict:
        _directory().mkdir(parents=True, exist_ok=True)
        return {"NAME": str(self.path(self.work)), "OPTIONS": self.OPTIONS}

    def serving_settings(self) -> dict:
        # Read-only: a snapshot gone missing is an error, not a new empty database.
        return {"NAME": f"file:{self.path()}?mode=ro", "OPTIONS": self.OPTIONS}

    def create(self, cursor, table, src, dst):
        cursor.execute(
            f"SELECT type, sql FROM {src}.sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
            "ORDER BY type = 'index'",
            [table],
        )
        for _, sql in cursor.fetchall():
            cursor.execute(sql)

    def make(self, at, began, release) -> None:
        connection = connections[self.work]
        live = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        try:
            with connection.cursor() as cursor:
                # A read-only copy: the rows are the versions', written when the rules then held.
                cursor.execute("PRAGMA foreign_keys = OFF")
                cursor.execute("PRAGMA ignore_check_constraints = ON")
                cursor.execute("ATTACH DATABASE %s AS live", [str(live)])
                with transaction.atomic(using=self.work):
                    self.fill(cursor, at, '"live"', '"main"')
            with connection.cursor() as cursor:
                cursor.execute("DETACH DATABASE live")
            self.derive(began, release)
            connection.close()
            os.replace(self.path(self.work), self.path())
        except BaseException:
            connection.close()
            self.path(self.work).unlink(missing_ok=True)
            raise

    def evict(self) -> None:
        made = [path for path in _directory().glob(f"{PREFIX}*.sqlite3") if not is_work(path.stem)]
        found = sorted(made, key=lambda path: path.stat().st_mtime)
        for path in found[: max(0, len(found) - settings.AS_OF_SNAPSHOTS)]:
            _unregister(path.stem)
            path.unlink(missing_ok=True)


class PostgresBuilder(Builder):
    def building_settings(self) -> dict:
        return {}

    def serving_settings(self) -> dict:
        return {"OPTIONS": {"options": f"-c search_path={self.alias}"}}

    def create(self, cursor, table, src, dst):
        quote = connections[self.work].ops.quote_name
        # Not its checks: the rows are the versions', written when the rules then held (its
        # unique indexes come with INCLUDING INDEXES, and a state of the data kept them).
        cursor.execute(
            f"CREATE TABLE {dst}.{quote(table)} (LIKE {src}.{quote(table)} "
            "INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY INCLUDING INDEXES)"
        )

    def make(self, at, began, release) -> None:
        connection = connections[self.work]
        quote = connection.ops.quote_name
        with transaction.atomic(using=self.work), connection.cursor() as cursor:
            # One builder a snapshot, whichever process: the others wait, then find it made.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.alias])
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [self.alias])
            if cursor.fetchone() is not None:
                return
            cursor.execute("SELECT current_schema()")
            (live,) = cursor.fetchone()
            cursor.execute(f"CREATE SCHEMA {quote(self.work)}")
            self.fill(cursor, at, quote(live), quote(self.work))
            cursor.execute(f"SET LOCAL search_path TO {quote(self.work)}")
            self.derive(began, release)
            cursor.execute(f"ALTER SCHEMA {quote(self.work)} RENAME TO {quote(self.alias)}")

    def evict(self) -> None:
        found = [name for name in _schemas() if name != self.alias and not is_work(name)]
        for name in found[: max(0, len(found) - settings.AS_OF_SNAPSHOTS + 1)]:
            _unregister(name)
            try:
                # Not waiting on a reader of it (a download streaming from it): left for later.
                _drop_schema(name, lock_timeout="1s")
            except DatabaseError:
                continue


# Requests

READS = {"GET", "HEAD", "OPTIONS"}


class AsOfMiddleware:
    """Reads a request with `as_of` from the snapshot of that moment (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = request.GET.getlist(PARAMETER)
        if not values or not request.path.startswith("/api/"):
            return self.get_response(request)
        if request.method not in READS:
            return problem_response(
                request,
                400,
                "as_of reads the data as it was; a write changes it as it is: send it without as_of.",
            )
        if len(values) > 1 or not values[0]:
            return problem_response(request, 400, "Give as_of once, with a value.")
        value = _OFFSET_AS_SPACE.sub(r"\1+\2", values[0])
        if len(value) > MAX_LENGTH or not re.match(PATTERN, value):
            detail = f"Give as_of in at most {MAX_LENGTH} letters, digits and _ . : + -."
            return problem_response(request, 400, detail, errors={PARAMETER: [detail]})
        try:
            resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)  # no read: its 404, with no snapshot made for it
        try:
            at, release = moment(value)
            alias = snapshot(at, release, client_address(request.META))
            version = data_version.current(alias) if alias is not None else None
        except AsOfError as error:
            return problem_response(request, 400, str(error), errors={PARAMETER: [str(error)]})
        except TooManyBuilds as busy:
            detail = (
                f"as_of: at most {settings.AS_OF_BUILDS_PER_MINUTE} snapshots of past states are made "
                f"for a client a minute; retry in {busy.retry_after} s (or read a moment read before)."
            )
            return problem_response(request, 429, detail, headers={"Retry-After": str(busy.retry_after)})
        except (OperationalError, InterfaceError):
            return database_unavailable(request)
        if alias is None:
            if release is None:
                return self.get_response(request)
            # Today's data is the release's (what changed since is no record: an editor, a
            # release cut): named as the release.
            version, alias = (release.generation, release.data_changed_at), replicas.reading()
        with replicas.reading_from(alias):
            request.META[data_version.ENVIRON_KEY] = version
            return self.get_response(request)
