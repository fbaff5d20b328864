"""The version of the data: a number every write raises, in the writer's own transaction.

Any save, delete or change of a many-to-many relation of a record, a citation, a source, a
history row or a user (whose name history shows) raises it, whichever path the write takes:
the API, the admin, load_dataset, a restore, a management command or a shell. Readers on
every process and every server sharing the database see the new number as they see the new
data, so a cache keyed by it (api.response_cache) never answers with what was there before.
Only `QuerySet.update()` and `bulk_create()` pass by model signals; the one use of them on data,
a record's sequence set from its citations (sources.models.renumber), says so with `updated()`.
A restore of a backup (api.backup) writes below the signals and sets the version itself.
"""

import datetime

from django.apps import apps
from django.db import connections, router
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

# The apps whose rows are what the API shows, and auth for the editors' names in history.
WATCHED_APPS = {"sources", "events", "treaties"}
WATCHED_MODELS = {"auth.user"}
# Where a request's environ carries the version already read for it.
ENVIRON_KEY = "api.data_version"


def watched(model) -> bool:
    return model._meta.app_label in WATCHED_APPS or model._meta.label_lower in WATCHED_MODELS


def current(using: str | None = None) -> tuple[int, datetime.datetime] | None:
    """(generation, when the data last changed), or None before the first migration's row; read
    where the data is read (a replica, for most reads: api.replicas) unless `using` says."""
    from api.models import DataVersion

    table = DataVersion._meta.db_table
    with connections[using or router.db_for_read(DataVersion)].cursor() as cursor:
        cursor.execute(f"SELECT generation, changed_at FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    generation, changed_at = row
    return generation, moment_of(changed_at)


def of_request(request) -> tuple[int, datetime.datetime] | None:
    """current(), read once a request: the cache in front (api.response_cache), a past state's
    routing (api.as_of) or an earlier reader of this request may have read it already."""
    version = request.META.get(ENVIRON_KEY)
    if version is None:
        version = request.META[ENVIRON_KEY] = current()
    return version


def moment_of(value) -> datetime.datetime | None:
    """A datetime column's value as a raw cursor returns it (text on SQLite, naive in UTC
    there), as an aware datetime."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


# A release id's form: 20261201T120000123456Z.
RELEASE_ID_FORMAT = "%Y%m%dT%H%M%S%fZ"


def release_id(changed_at: datetime.datetime) -> str:
    """The data release's id: when the data last changed, in UTC to the microsecond
    (20261201T120000123456Z). It changes whenever any record does, and only then."""
    return changed_at.astimezone(datetime.UTC).strftime(RELEASE_ID_FORMAT)


def bump(using: str = "default", data_changed: bool = True) -> None:
    """Raise the generation, inside whatever transaction the write is in; with `data_changed`
    False (a release cut: what is shown about the data changed, not the data) the time the
    data last changed stays."""
    from api.models import DataVersion

    now = timezone.now()
    changes = {"generation": F("generation") + 1} | ({"changed_at": now} if data_changed else {})
    if not DataVersion.objects.using(using).filter(id=1).update(**changes):
        DataVersion.objects.using(using).create(id=1, generation=1, changed_at=now)


def _changed(sender, instance=None, **kwargs):
    from api import renderings  # it needs the apps loaded; this module is imported before

    using = kwargs.get("using") or router.db_for_write(sender, instance=instance)
    # The version first: its row lock is what orders this write against a rendering
    # (api.renderings.store), so the renderings are discarded while it is held.
    bump(using)
    renderings.record_changed(instance, using)


def updated(model, pks, using: str = "default") -> None:
    """Columns of these records were set with `QuerySet.update()`, below their save: raise the
    version and discard what shows them, as their save would."""
    from api import renderings

    bump(using)
    renderings.records_updated(model, pks, using)


def _relation_changed(sender, instance, action, using, reverse, model, pk_set, **kwargs):
    from api import renderings

    if action in ("post_add", "post_remove", "post_clear"):
        bump(using)
        renderings.relation_changed(instance, model, pk_set, reverse, sender, using)


def connect() -> None:
    """Raise the version on every change to watched data (called once, by ApiConfig.ready).

    Connected for the watched models alone, so that other models' deletes (sessions, tokens,
    the renderings themselves) stay single queries.
    """
    for model in apps.get_models(include_auto_created=True):
        if watched(model):
            uid = model._meta.label_lower
            post_save.connect(_changed, sender=model, dispatch_uid=f"api.data_version.save.{uid}")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"api.data_version.delete.{uid}")
            m2m_changed.connect(_relation_changed, sender=model, dispatch_uid=f"api.data_version.m2m.{uid}")
