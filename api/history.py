"""Reading and restoring the versions django-simple-history keeps of every record, and how
the API shows a version and takes a restoration."""

import datetime

from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from rest_framework import serializers

from api.fields import STRICT_FIELDS
from api.serializers import KnownFieldsMixin

CHANGE = {"+": "created", "~": "changed", "-": "deleted"}

# Generic relations cascade: deleting a record deletes its citations and figures in the same
# transaction, a moment before or after the record itself.
CASCADE_WINDOW = datetime.timedelta(seconds=10)


def tracked_many_to_many(model) -> list[models.ManyToManyField]:
    return list(getattr(model.history.model, "_history_m2m_fields", []))


def historical_m2m_model(model, field):
    """The table where simple-history keeps each version's rows of one many-to-many field."""
    return apps.get_model(model._meta.app_label, f"historical{model._meta.model_name}_{field.name}")


def version_rows(model, versions) -> list[dict]:
    """One dict per historical record, relations given by slug (a query per relation, not per row)."""
    foreign_keys = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    slugs = {}
    for field in foreign_keys:
        target = field.related_model
        ids = {getattr(v, field.attname) for v in versions} - {None}
        if hasattr(target, "slug"):
            slugs[field.name] = dict(target.objects.filter(pk__in=ids).values_list("pk", "slug"))
    many = {}
    for field in tracked_many_to_many(model):
        target_key = f"{field.m2m_reverse_field_name()}_id"
        rows = historical_m2m_model(model, field).objects.filter(history__in=versions)
        by_version = {}
        for row in rows:
            by_version.setdefault(row.history_id, []).append(getattr(row, target_key))
        names = dict(
            field.related_model.objects.filter(
                pk__in={i for ids in by_version.values() for i in ids}
            ).values_list("pk", "slug")
        )
        many[field.name] = {
            version: sorted(names.get(i, i) for i in ids) for version, ids in by_version.items()
        }

    result = []
    for version in versions:
        snapshot = {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in ("content_type", "subject_type"):
                continue
            value = getattr(version, field.attname)
            if field.name in slugs:
                value = slugs[field.name].get(value, value)
            elif isinstance(value, datetime.date | datetime.datetime):
                value = value.isoformat()
            elif not isinstance(value, bool | int | float | str | type(None)):
                value = str(value)
            snapshot[field.name] = value
        for name, values in many.items():
            snapshot[name] = values.get(version.history_id, [])
        result.append(
            {
                "version": version.history_id,
                "recorded_at": version.history_date,
                "change": CHANGE[version.history_type],
                "user": version.history_user.get_username() if version.history_user else None,
                "reason": version.history_change_reason,
                "snapshot": snapshot,
            }
        )
    return result


def restore_version(historical, reason: str):
    """Put a record back as it was at `historical`, its tracked many-to-many relations too.

    A deleted record comes back under its old primary key, with the records its deletion
    cascaded to (citations, figures) restored to their last version.
    """
    model = historical.instance_type
    instance = historical.instance
    existed = model.objects.filter(pk=instance.pk).exists()
    instance._change_reason = reason
    instance.save(force_insert=not existed)
    for field in tracked_many_to_many(model):
        target_key = f"{field.m2m_reverse_field_name()}_id"
        rows = historical_m2m_model(model, field).objects.filter(history=historical)
        wanted = [getattr(row, target_key) for row in rows]
        present = set(field.related_model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        getattr(instance, field.name).set([pk for pk in wanted if pk in present])
    if not existed:
        deletion = model.history.filter(id=instance.pk, history_type="-").order_by("-history_id").first()
        if deletion is not None:
            restore_cascaded(instance, deletion.history_date, reason)
    return instance


def restore_cascaded(instance, deleted_at, reason):
    """Bring back the generic-relation records deleted together with `instance`."""
    content_type = ContentType.objects.get_for_model(instance)
    for relation in instance._meta.private_fields:
        if not isinstance(relation, GenericRelation):
            continue
        related = relation.related_model
        deleted = related.history.filter(
            **{relation.content_type_field_name: content_type.pk, relation.object_id_field_name: instance.pk},
            history_type="-",
            history_date__gte=deleted_at - CASCADE_WINDOW,
            history_date__lte=deleted_at + CASCADE_WINDOW,
        )
        for version in deleted:
            if related.objects.filter(pk=version.id).exists():
                continue
            previous = (
                related.history.filter(id=version.id, history_id__lt=version.history_id)
                .order_by("-history_id")
                .first()
            ) or version
            restore_version(previous, reason)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="Pass it to .../restorations/ to restore this state.")
    recorded_at = serializers.DateTimeField()
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True, help_text="Who made the change; null for the loader.")
    reason = serializers.CharField(allow_null=True, help_text='e.g. "load_dataset" for the fixtures.')
    snapshot = serializers.DictField(help_text="The record's fields as they were; relations as slugs.")


class RestorationSerializer(KnownFieldsMixin, serializers.Serializer):
    version = STRICT_FIELDS[serializers.IntegerField](
        min_value=1,
        # The largest id every database stores; past it a lookup would overflow SQLite.
        max_value=2**63 - 1,
        help_text="A version from the record's history.",
    )
