"""The read model: every record as the API shows it, rendered when it is written, not when it
is read.

A write discards, inside its own transaction, each stored rendering that shows what it
changed (api.data_version calls `record_changed` and `relation_changed`), and renders those
records afresh once it commits. A read joins the stored JSON of the records it selects: a
list is its count, its page's keys and one statement for their texts, and no serializer.
What a read finds missing (a write whose process died before rendering, a code change since)
it renders itself for that answer and stores nothing: a read never writes, and nothing stale
is ever served.

What a rendering shows is read off the records its serializer walked: every record loaded
with it (`_state.fields_cache`) and every set of related rows prefetched for it
(`_prefetched_objects_cache`), each stored as a dependency key. A change to a record discards
the renderings that show it; a row added to, moved into or taken out of a set (a citation, a
figure, a through-row, a many-to-many link) discards the renderings that show that set.
"""

import functools
import hashlib
from collections import defaultdict
from importlib import import_module
from pathlib import Path

import django
import rest_framework
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, transaction
from django.http import HttpRequest
from django.urls import get_script_prefix, set_script_prefix
from rest_framework import renderers
from rest_framework.response import Response

from api import replicas
from api.conditional import digest_etag
from api.renderers import Rendered

# Every kind of record with a viewset (api.viewsets registers them), by model.
_viewsets = {}
# Links are rendered as paths, "url":"/…"; a read writes the request's origin in front. In
# JSON text this sequence only ever opens the value of a key named "url".
PATH_LINK = '"url":"/'
# What each stored part of a rendering is: the viewset action that shows it.
PART_ACTIONS = {"listed": "list", "detail": "retrieve"}


def register(viewset_class) -> None:
    """Render the records of `viewset_class`'s model as it lists and details them."""
    _viewsets[viewset_class.queryset.model] = viewset_class


def viewsets() -> dict:
    """The viewset of each rendered model, once the URLconf (which imports them all) is loaded:
    a management command or a test may not have loaded it yet."""
    import_module(settings.ROOT_URLCONF)
    return _viewsets


@functools.cache
def code() -> str:
    """A digest of the code that renders (the apps whose records the API shows, and the
    libraries' versions): renderings made by other code are not served."""
    digest = hashlib.sha256(f"{django.__version__} {rest_framework.VERSION}".encode())
    for label in ("api", "sources", "events", "treaties"):
        for path in sorted(Path(apps.get_app_config(label).path).rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def with_origin(request, text: str) -> str:
    """Stored text with the request's absolute links."""
    origin = request.build_absolute_uri("/").removesuffix("/")
    return text.replace(PATH_LINK, f'"url":"{origin}{get_script_prefix()}')


def answer(request, text: str, **kwargs) -> Response:
    """A Response sending stored text, its links made absolute for this request."""
    rendered = Rendered(with_origin(request, text))
    if getattr(request, "accepted_renderer", None) is not None and request.accepted_renderer.format != "json":
        return Response(rendered.parsed(), **kwargs)
    return Response(rendered, **kwargs)


def etag(text: str) -> str:
    """A record's strong ETag: the digest of its stored detail rendering."""
    return digest_etag(text.encode())


def envelope(page_response: Response, items: list[str]) -> str:
    """A page's stored items inside its paginator's envelope ({count, next, previous, results})."""
    head = renderers.JSONRenderer().render(page_response.data).decode()
    assert head.endswith('"results":[]}'), head
    return head[:-2] + ",".join(items) + "]}"


# Reading


def read(model, pks, part: str) -> list[str]:
    """The texts of one part ("listed" or "detail") of these records, in the order given: those
    stored by this code in one query, the rest rendered here (and a pk of no record left out)."""
    from api.models import Rendering

    pks = list(pks)
    if not pks:
        return []
    # A plain statement: a read runs it on every request, and it is the same for every model.
    column = "listed" if part == "listed" else "CASE WHEN detail = '' THEN listed ELSE detail END"
    connection = connections[replicas.reading()]
    table = connection.ops.quote_name(Rendering._meta.db_table)
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT object_id, {column} FROM {table} "
            f"WHERE content_type_id = %s AND code = %s AND object_id IN ({marks})",
            [ContentType.objects.get_for_model(model).pk, code(), *pks],
        )
        found = dict(cursor.fetchall())
    missing = [pk for pk in pks if pk not in found]
    if missing:
        # A record deleted since its page was read is left out, as a read a moment later would.
        found |= {pk: text for pk, (text, _) in rendered(model, part, missing).items()}
    return [found[pk] for pk in pks if pk in found]


# Rendering


class Record:
    """One record rendered: its list and detail texts and what they show."""

    def __init__(self, listed: str, detail: str, keys: set[str]):
        self.listed, self.detail, self.keys = listed, detail, keys


def render(model, pks) -> dict:
    """The records of `model` with these primary keys, rendered as the API shows them, by pk
    (a pk of no record is left out)."""
    listed, detail = rendered(model, "listed", pks), rendered(model, "detail", pks)
    return {
        pk: Record(text, detail[pk][0], keys | detail[pk][1])
        for pk, (text, keys) in listed.items()
        if pk in detail
    }


def rendered(model, part: str, pks) -> dict:
    """(text, dependency keys) of one part ("listed" or "detail") of these records, by pk."""
    view = viewsets()[model](action=PART_ACTIONS[part], args=(), kwargs={}, format_kwarg=None)
    view.request = HttpRequest()
    view.request.method = "GET"
    instances = list(view.get_queryset().filter(pk__in=pks))
    return {instance.pk: text for instance, text in zip(instances, texts(view, instances), strict=True)}


def texts(view, instances) -> list[tuple[str, set[str]]]:
    """(text, dependency keys) of records loaded by `view`'s queryset, as its serializer shows them."""
    serializer_class = view.get_serializer_class()
    serializer = serializer_class(
        instances, many=True, context={"request": None, "view": view, "format": None}
    )
    prefix = get_script_prefix()
    set_script_prefix("/")
    try:
        data = serializer.data
    finally:
        set_script_prefix(prefix)
    renderer = renderers.JSONRenderer()
    return [
        (renderer.render(item).decode(), shown_by(instance))
        for instance, item in zip(instances, data, strict=True)
    ]


def key_of(model, pk) -> str:
    return f"{model._meta.concrete_model._meta.label_lower}:{pk}"


def shown_by(root) -> set[str]:
    """The dependency keys of a rendered record: every record and set of rows loaded with it."""
    from api.data_version import watched

    keys, seen, stack = set(), set(), [root]
    while stack:
        instance = stack.pop()
        key = key_of(type(instance), instance.pk)
        if key in seen:
            continue
        seen.add(key)
        if watched(type(instance)):
            keys.add(key)
        stack.extend(
            value for value in instance._state.fields_cache.values() if isinstance(value, models.Model)
        )
        for name, rows in getattr(instance, "_prefetched_objects_cache", {}).items():
            keys.add(f"{key}:{name}")
            stack.extend(rows)
    return keys


def store(pairs, using: str = "default") -> None:
    """Render and store these (model, pk) records, replacing what was stored for them."""
    from api.models import DataVersion, Rendering, RenderingDependency

    by_model = defaultdict(set)
    for model, pk in pairs:
        by_model[model].add(pk)
    with transaction.atomic(using=using):
        # Every write holds this row until it commits (api.data_version): waiting for it
        # means rendering what every committed write has left, and no write commits between
        # the reading and the storing. (SQLite's IMMEDIATE transactions hold its one lock.)
        list(DataVersion.objects.using(using).select_for_update().filter(id=1))
        for model, pks in by_model.items():
            content_type = ContentType.objects.db_manager(using).get_for_model(model)
            records = render(model, pks)
            Rendering.objects.using(using).filter(content_type=content_type, object_id__in=pks).delete()
            renderings = Rendering.objects.using(using).bulk_create(
                Rendering(
                    content_type=content_type,
                    object_id=pk,
                    code=code(),
                    listed=record.listed,
                    detail="" if record.detail == record.listed else record.detail,
                )
                for pk, record in records.items()
            )
            RenderingDependency.objects.using(using).bulk_create(
                RenderingDependency(rendering=rendering, key=key)
                for rendering, record in zip(renderings, records.values(), strict=True)
                for key in sorted(record.keys)
            )


def store_all(using: str = "default", only_missing: bool = False) -> int:
    """Render and store every record (or only those with no rendering by this code), after a
    deployment or to rebuild the read model; how many were rendered."""
    from api.models import Rendering

    pairs = []
    for model in viewsets():
        pks = model._default_manager.using(using).values_list("pk", flat=True)
        if only_missing:
            current = Rendering.objects.using(using).filter(
                content_type=ContentType.objects.db_manager(using).get_for_model(model), code=code()
            )
            pks = pks.exclude(pk__in=current.values("object_id"))
        pairs.extend((model, pk) for pk in pks)
    store(pairs, using)
    return len(pairs)


# Forgetting what a write changed


def record_changed(instance, using: str) -> None:
    """A record was saved or deleted: discard what shows it, or the sets it is in."""
    model = type(instance)._meta.concrete_model
    keys = {key_of(model, instance.pk)}
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.related_model is not ContentType:
            target = getattr(instance, field.attname)
            if target is not None and not field.remote_field.hidden:
                keys.add(f"{key_of(field.related_model, target)}:{field.remote_field.get_accessor_name()}")
    for relation, near, far in _through(model):
        keys.add(f"{key_of(relation.model, getattr(instance, near))}:{relation.name}")
        if not relation.remote_field.hidden:
            accessor = relation.remote_field.get_accessor_name()
            keys.add(f"{key_of(relation.related_model, getattr(instance, far))}:{accessor}")
    for field in model._meta.private_fields:
        if isinstance(field, GenericForeignKey):
            keys.update(_generic_sets(model, field, instance))
    forget(keys, using, also=(model, instance.pk) if model in viewsets() else None)


def records_updated(model, pks, using: str) -> None:
    """Some of a record's own columns were updated without a save (api.data_version.updated):
    discard what shows these records, and render them again."""
    model = model._meta.concrete_model
    for pk in pks:
        forget({key_of(model, pk)}, using, also=(model, pk) if model in viewsets() else None)


def relation_changed(instance, relation_model, pk_set, reverse: bool, through, using: str) -> None:
    """A many-to-many relation of `instance` changed (post_add, post_remove, post_clear)."""
    own = key_of(type(instance), instance.pk)
    keys = {own}
    relation = next(
        (
            relation
            for relation, _, _ in _through(through)
            if isinstance(instance, relation.related_model if reverse else relation.model)
        ),
        None,
    )
    if relation is not None:
        accessor = None if relation.remote_field.hidden else relation.remote_field.get_accessor_name()
        near, far = (accessor, relation.name) if reverse else (relation.name, accessor)
        if near is not None:
            keys.add(f"{own}:{near}")
        if far is not None:
            keys.update(f"{key_of(relation_model, pk)}:{far}" for pk in pk_set or ())
    if not through._meta.auto_created:
        # A record shows a through model's rows under their own accessor (an engagement's
        # place_links), which the rows' keys name.
        for field in through._meta.concrete_fields:
            if not field.many_to_one or field.remote_field.hidden:
                continue
            accessor = field.remote_field.get_accessor_name()
            if isinstance(instance, field.related_model):
                keys.add(f"{own}:{accessor}")
            elif field.related_model is relation_model:
                keys.update(f"{key_of(relation_model, pk)}:{accessor}" for pk in pk_set or ())
    forget(keys, using)


@functools.cache
def _through(model) -> list:
    """(many-to-many field, attname of its own side, attname of the other) for each relation
    whose rows are `model`'s."""
    return [
        (
            field,
            model._meta.get_field(field.m2m_field_name()).attname,
            model._meta.get_field(field.m2m_reverse_field_name()).attname,
        )
        for owner in apps.get_models()
        for field in owner._meta.local_many_to_many
        if field.remote_field.through is model
    ]


def _generic_sets(model, field, instance) -> set[str]:
    content_type_id = getattr(instance, model._meta.get_field(field.ct_field).attname)
    object_id = getattr(instance, field.fk_field)
    if content_type_id is None or object_id is None:
        return set()
    target = ContentType.objects.get_for_id(content_type_id).model_class()
    return {
        f"{key_of(target, object_id)}:{relation.name}"
        for relation in target._meta.private_fields
        if isinstance(relation, GenericRelation)
        and relation.related_model is model
        and relation.object_id_field_name == field.fk_field
        and relation.content_type_field_name == field.ct_field
    }


def forget(keys, using: str, also=None) -> None:
    """Discard the renderings that show any of `keys`, and render them (and `also`) again
    once the transaction commits."""
    from api.models import Rendering

    doomed = Rendering.objects.using(using).filter(dependencies__key__in=keys)
    found = list(doomed.values_list("id", "content_type_id", "object_id").distinct())
    if found:
        Rendering.objects.using(using).filter(id__in=[row[0] for row in found]).delete()
    pending = [(ContentType.objects.get_for_id(ct).model_class(), pk) for _, ct, pk in found]
    if also is not None:
        pending.append(also)
    if pending:
        _pending(using).update(pending)


def _pending(using: str) -> set:
    connection = connections[using]
    pending = getattr(connection, "api_renderings_pending", None)
    if pending is None:
        pending = connection.api_renderings_pending = set()
    # One callback per change; the first to run takes them all (a rolled-back transaction's
    # leave a little work to the next commit, never a stale rendering: the rows are gone).
    # Robust: the write has committed, and a failure to render must not answer it with a
    # 500; what is not rendered is rendered by the reads, and logged.
    transaction.on_commit(lambda: _store_pending(using), using=using, robust=True)
    return pending


def _store_pending(using: str) -> None:
    pending = connections[using].api_renderings_pending
    if pending:
        pairs = list(pending)
        pending.clear()
        store(pairs, using)
