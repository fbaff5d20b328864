"""Reading and restoring the versions django-simple-history keeps of every record, and how
the API shows a version and takes a restoration.

A version links to other records by their public ids (slugs; `{type, slug}` for a generic
link), also to records deleted since. A restoration is a write, refused as one would be
(api.writes): a 422 when it would link to a record that no longer exists or break a rule, a
409 when it would collide with another record, and nothing written either way.
"""

import datetime

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Max
from rest_framework import serializers

from api.deletion import deleted_with, link_field_of, part_kinds
from api.fields import STRICT_FIELDS
from api.registry import record_type
from api.rows import replace_rows
from api.serializers import KnownFieldsMixin
from api.writes import Collision, Unprocessable, collision_errors, drf_errors, rule_errors

CHANGE = {"+": "created", "~": "changed", "-": "deleted"}


def tracked_many_to_many(model) -> list[models.ManyToManyField]:
    """The many-to-many fields whose rows each version keeps, in the model's order."""
    fields = getattr(model.history.model, "_history_m2m_fields", [])
    return sorted(fields, key=lambda field: field.creation_counter)


def historical_m2m_model(model, field):
    """The table where simple-history keeps each version's rows of one many-to-many field."""
    return apps.get_model(model._meta.app_label, f"historical{model._meta.model_name}_{field.name}")


def record_links(model) -> list[models.ForeignKey]:
    """The model's foreign keys to records (which have a slug), not to machinery."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and hasattr(field.related_model, "slug")
    ]


def generic_links(model) -> list[GenericForeignKey]:
    return [field for field in model._meta.private_fields if isinstance(field, GenericForeignKey)]


def slugs_of(model, pks) -> dict:
    """The slug of each record of `model` among `pks`, of deleted ones too (from their history)."""
    pks = set(pks) - {None}
    found = dict(model._base_manager.filter(pk__in=pks).values_list("pk", "slug"))
    gone = pks - found.keys()
    if gone:
        # Oldest first, so that the latest version's slug is the one kept.
        found |= dict(model.history.filter(id__in=gone).order_by("history_id").values_list("id", "slug"))
    return found


def link_row_kinds(model) -> list[tuple[str, type[models.Model], str]]:
    """The rows that link a record of `model` to others and are part of it (a place in its
    role, a counterproposal's answer to a request, a claim's judged record), each kept in its
    own history: (the record's field for them, the row model, the row's key to the record)."""
    return [
        (link_field_of(model, row_model), row_model, owner_field)
        for row_model, owner_field, type_field in part_kinds(model)
        if type_field is None and hasattr(row_model, "history") and not hasattr(row_model, "slug")
    ]


class LinkRows:
    """The link rows a record had at each of its versions: those standing until its next
    version (the rows a write replaces are saved just after the record), so the latest version
    has the rows it has now. A query per kind of row, however many versions."""

    def __init__(self, model, versions):
        self.kinds = link_row_kinds(model)
        self.by_version: dict[int, dict[str, list]] = {v.history_id: {} for v in versions}
        if not versions or not self.kinds:
            return
        record_id = versions[0].id
        # A deleted record's rows went with it, their history says (api.deletion.PART).
        gone = deleted_with(versions[0].instance)
        dates = sorted(model.history.filter(id=record_id).values_list("history_date", "history_id"))
        until = {hid: (dates[i + 1][0] if i + 1 < len(dates) else None) for i, (_, hid) in enumerate(dates)}
        for name, row_model, owner_field in self.kinds:
            history = list(
                row_model.history.filter(**{owner_field: record_id}).order_by("history_date", "history_id")
            )
            for version in versions:
                cutoff = until.get(version.history_id)
                state = {}
                for row in history:
                    if cutoff is not None and row.history_date >= cutoff:
                        break
                    if row.history_type == "-" and row.history_change_reason == gone:
                        continue  # taken by the record's own deletion, just before it
                    state[row.id] = row
                self.by_version[version.history_id][name] = [
                    r for r in state.values() if r.history_type != "-"
                ]

    def rows(self, version, name) -> list:
        return self.by_version.get(version.history_id, {}).get(name, [])

    @staticmethod
    def fields(row_model, owner_field) -> list[models.Field]:
        return [f for f in row_model._meta.concrete_fields if not f.primary_key and f.attname != owner_field]

    def targets(self, version):
        """(field name, model, primary key) of each record the version's link rows link to."""
        found = []
        for name, row_model, owner_field in self.kinds:
            generic = generic_links(row_model)
            for row in self.rows(version, name):
                for field in self.fields(row_model, owner_field):
                    if isinstance(field, models.ForeignKey) and hasattr(field.related_model, "slug"):
                        pk = getattr(row, field.attname)
                        if pk is not None:
                            found.append((name, field.related_model, pk))
                for key in generic:
                    type_id = getattr(row, row_model._meta.get_field(key.ct_field).attname)
                    found.append(
                        (
                            name,
                            ContentType.objects.get_for_id(type_id).model_class(),
                            getattr(row, key.fk_field),
                        )
                    )
        return found

    def snapshot(self, version, slugs) -> dict[str, list]:
        """Each kind of link row as the version had them, links by public id."""
        result = {}
        for name, row_model, owner_field in self.kinds:
            generic = generic_links(row_model)
            hidden = {f for key in generic for f in (key.ct_field, key.fk_field)}
            shown = []
            for row in self.rows(version, name):
                item = {}
                for field in self.fields(row_model, owner_field):
                    if field.name in hidden:
                        continue
                    value = getattr(row, field.attname)
                    if isinstance(field, models.ForeignKey) and value is not None:
                        value = slugs[field.related_model].get(value)
                    item[field.name] = value
                for key in generic:
                    target = ContentType.objects.get_for_id(
                        getattr(row, row_model._meta.get_field(key.ct_field).attname)
                    ).model_class()
                    item[key.name] = {
                        "type": record_type(target),
                        "slug": slugs[target].get(getattr(row, key.fk_field)),
                    }
                shown.append(item)
            result[name] = sorted(shown, key=repr)
        return result

    def restore(self, version, record, reason: str) -> None:
        """Make the record's link rows those of `version` (their targets must exist: see
        VersionLinks.missing)."""
        for name, row_model, owner_field in self.kinds:
            accessor = next(
                r.get_accessor_name()
                for r in type(record)._meta.related_objects
                if r.related_model is row_model and r.field.attname == owner_field
            )
            wanted = []
            for row in self.rows(version, name):
                values = {}
                for field in self.fields(row_model, owner_field):
                    value = getattr(row, field.attname)
                    if field.is_relation and value is not None:
                        value = field.related_model._base_manager.get(pk=value)
                    values[field.name] = value
                wanted.append(values)
            replace_rows(record, accessor, wanted, reason=reason)


class VersionLinks:
    """What some versions of one model link to, with every target's slug: a query or two per
    kind of target, not one per version."""

    def __init__(self, model, versions):
        self.model = model
        self.generic = generic_links(model)
        self.many = {field.name: self._many_rows(field, versions) for field in tracked_many_to_many(model)}
        self.rows = LinkRows(model, versions)
        targets = {}
        for version in versions:
            for _, target, pk in self.targets(version):
                targets.setdefault(target, set()).add(pk)
        self.slugs = {target: slugs_of(target, pks) for target, pks in targets.items()}

    def _many_rows(self, field, versions) -> dict:
        target_key = f"{field.m2m_reverse_field_name()}_id"
        rows = historical_m2m_model(self.model, field).objects.filter(history__in=versions)
        by_version = {}
        for row in rows:
            by_version.setdefault(row.history_id, []).append(getattr(row, target_key))
        return by_version

    def targets(self, version) -> list[tuple[str, type[models.Model], int]]:
        """(field name, model, primary key) of each record `version` links to."""
        found = []
        for field in record_links(self.model):
            pk = getattr(version, field.attname)
            if pk is not None:
                found.append((field.name, field.related_model, pk))
        for field in self.generic:
            type_id = getattr(version, version._meta.get_field(field.ct_field).attname)
            pk = getattr(version, field.fk_field)
            if type_id is not None and pk is not None:
                found.append((field.name, ContentType.objects.get_for_id(type_id).model_class(), pk))
        for name, rows in self.many.items():
            target = self.model._meta.get_field(name).related_model
            found += [(name, target, pk) for pk in rows.get(version.history_id, [])]
        return found + self.rows.targets(version)

    def snapshot_links(self, version) -> dict:
        """Every link of `version` as the public id of what it links to."""
        generic = {field.name for field in self.generic}
        links = dict.fromkeys([field.name for field in record_links(self.model)] + sorted(generic))
        links |= {name: [] for name in self.many}
        for name, target, pk in self.targets(version):
            slug = self.slugs[target].get(pk)
            value = {"type": record_type(target), "slug": slug} if name in generic else slug
            if name in self.many:
                links[name].append(value)
            else:
                links[name] = value
        for name in self.many:
            links[name].sort()
        return links | self.rows.snapshot(version, self.slugs)

    def missing(self, version, owner=None) -> dict[str, list[str]]:
        """The records `version` links to that no longer exist, by field, as a write linking to
        a missing record is told; `owner` (restored with it) counts as there."""
        wanted = [
            (name, target, pk)
            for name, target, pk in self.targets(version)
            if owner is None or (target, pk) != (type(owner), owner.pk)
        ]
        present = {}
        for _, target, pk in wanted:
            present.setdefault(target, set()).add(pk)
        for target, pks in present.items():
            present[target] = set(target._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
        errors = {}
        for name, target, pk in wanted:
            if pk not in present[target]:
                errors.setdefault(name, []).append(
                    f"No {record_type(target)} with slug {self.slugs[target].get(pk)!r}: it was deleted; "
                    "restore it first."
                )
        return errors


def version_rows(model, versions, *, show_users: bool) -> list[dict]:
    """One dict per historical record, links by public id. Who made a change is named to
    signed-in editors only; anyone else sees "editor"."""
    links = VersionLinks(model, versions)
    # A generic link shows where its content type would, and its integer id not at all.
    generic_at = {field.ct_field: field.name for field in links.generic}
    ids = {field.fk_field for field in links.generic}
    # What a version does not keep (a field derived from others, such as a record's sequence).
    untracked = set(getattr(model.history.model, "_history_excluded_fields", []))
    result = []
    for version in versions:
        values = links.snapshot_links(version)
        snapshot = {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in ids or field.name in untracked:
                continue
            name = generic_at.get(field.name, field.name)
            if name in values:
                snapshot[name] = values[name]
                continue
            value = getattr(version, field.attname)
            if isinstance(value, datetime.date | datetime.datetime):
                value = value.isoformat()
            elif not isinstance(value, bool | int | float | str | type(None)):
                value = str(value)
            snapshot[name] = value
        for name in [*links.many, *(kind[0] for kind in links.rows.kinds)]:
            snapshot[name] = values[name]
        user = None
        if version.history_user_id is not None:
            user = version.history_user.get_username() if show_users else "editor"
        result.append(
            {
                "version": version.history_id,
                "recorded_at": version.history_date,
                "change": CHANGE[version.history_type],
                "user": user,
                "reason": version.history_change_reason,
                "snapshot": snapshot,
            }
        )
    return result


def as_it_was(historical):
    """The version to restore for `historical`: a deletion's is the version it deleted, whose
    links are recorded (a deletion's are not)."""
    if historical.history_type != "-":
        return historical
    model = historical.instance_type
    before = model.history.filter(id=historical.id, history_id__lt=historical.history_id)
    return before.order_by("-history_id").first() or historical


def deleted_parts(record) -> list:
    """The last versions of the parts deleted with `record` (api.deletion) that are not back."""
    found = []
    for part_model, owner_field, type_field in part_kinds(type(record)):
        if not hasattr(part_model, "history"):
            continue  # the rows of its Links, restored as the record's tracked links
        lookup = {owner_field: record.pk}
        if type_field is not None:
            lookup[f"{type_field}_id"] = ContentType.objects.get_for_model(record).pk
        deletions = list(
            part_model.history.filter(**lookup, history_type="-", history_change_reason=deleted_with(record))
        )
        ids = {deletion.id for deletion in deletions}
        latest = dict(
            part_model.history.filter(id__in=ids)
            .values("id")
            .annotate(last=Max("history_id"))
            .values_list("id", "last")
        )
        back = set(part_model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
        found += [d for d in deletions if latest[d.id] == d.history_id and d.id not in back]
    return found


def restore(historical, reason: str):
    """Put a record back as it was at `historical`, its tracked links too; a deleted record
    comes back with the parts deleted with it. Call it inside a transaction: it raises the
    refusal a write would get (Unprocessable, Collision) before it writes anything."""
    historical = as_it_was(historical)
    model = historical.instance_type
    record = historical.instance
    # The record's own row, where it still has one, is not a collision.
    record._state.adding = False
    existed = model._base_manager.filter(pk=record.pk).exists()
    parts = [] if existed else deleted_parts(record)
    links = VersionLinks(model, [historical])
    part_links = [VersionLinks(part.instance_type, [part]) for part in parts]
    errors = links.missing(historical)
    for part, part_link in zip(parts, part_links, strict=True):
        name = link_field_of(model, part.instance_type)
        for field, messages in part_link.missing(part, owner=record).items():
            known = errors.setdefault(name or field, [])
            # The version's own link rows name the same records (LinkRows): once each.
            known.extend(message for message in messages if message not in known)
    if errors:
        raise Unprocessable(errors)
    exclude = [field.name for field in model._meta.many_to_many]
    rules = rule_errors(record, exclude)
    if rules:
        raise Unprocessable(drf_errors(rules))
    collisions = collision_errors(record, exclude)
    if collisions:
        raise Collision(drf_errors(collisions))
    write_version(historical, record, links, existed, reason)
    if existed:
        links.rows.restore(historical, record, reason)
    for part, part_link in zip(parts, part_links, strict=True):
        write_version(part, part.instance, part_link, False, reason)
    return record


def write_version(historical, record, links: VersionLinks, existed: bool, reason: str) -> None:
    """Save `record`, the model instance of `historical`, and set its tracked links as they were."""
    record._change_reason = reason
    record.save(force_insert=not existed)
    for name, rows in links.many.items():
        getattr(record, name).set(rows.get(historical.history_id, []))


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="Pass it to .../restorations/ to restore this state.")
    recorded_at = serializers.DateTimeField()
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(
        allow_null=True,
        help_text="Who made the change: their username, shown to signed-in editors only; anyone else "
        'reads "editor". Null for a change no one signed in made (the loader, a management command).',
    )
    reason = serializers.CharField(allow_null=True, help_text='e.g. "load_dataset" for the fixtures.')
    snapshot = serializers.DictField(
        help_text="The record's fields as they were. Links by public id: a slug (a list of slugs "
        'for many), `{"type": ..., "slug": ...}` for a link to a record of any kind; also for a '
        "record deleted since."
    )


class RestorationSerializer(KnownFieldsMixin, serializers.Serializer):
    version = STRICT_FIELDS[serializers.IntegerField](
        min_value=1,
        # The largest id every database stores; past it a lookup would overflow SQLite.
        max_value=2**63 - 1,
        help_text="A version from the record's history.",
    )
