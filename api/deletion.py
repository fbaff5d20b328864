"""What deleting a record takes with it, and what keeps it: one rule, held by the models, so
that the API, the admin and code all follow it (they all delete through Django's Collector).

- **A record's own parts go with it**: its citations, and the rows of its own links (an
  event's parties and places, a counterproposal's `responds_to` rows with their rationale, a
  treaty term's party roles, a claim's `judges`). Each part's deletion is recorded in the
  part's history with the reason `deleted_with(record)`, and restoring the record brings
  exactly those parts back (api.history).
- **Whatever else refers to a record keeps it**: another record pointing at it (a treaty term at
  its treaty, a request at its negotiation, a figure at its subject) or another record's link
  to it (an engagement's place, a counterproposal answering this request, a claim judging it).
  Deleting it raises ProtectedError, nothing is deleted, and the API answers 409 naming them
  all (`dependents_of`, `dependents`); the admin lists them as the objects that protect it.
"""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import ProtectedError

from api.registry import record_type


def deleted_with(owner) -> str:
    """The reason a part's history gives for its deletion with its record."""
    return f"deleted with {record_type(type(owner))} {owner.slug}"


def PART(collector, field, sub_objs, using):
    """on_delete for a row that is part of the record it points at: deleted with it, as by
    CASCADE, with its history saying so."""
    # The Collector may defer every field but the key; the owner is needed for the reason.
    rows = list(sub_objs.defer(None).select_related(field.name))
    for row in rows:
        row._change_reason = deleted_with(getattr(row, field.name))
    models.CASCADE(collector, field, rows, using)


class Links(models.ManyToManyField):
    """A record's links to records of another kind. The rows are the linking record's parts
    (PART); a record they link to cannot be deleted while they do (PROTECT). Django's own rows
    would go silently with the record at either end."""

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if cls._meta.abstract:
            return  # each concrete model that inherits the field gets rows of its own
        through = self.remote_field.through
        if not through._meta.auto_created:
            raise TypeError(f"{cls.__name__}.{name}: with a through model, mark its owner's key PART.")
        owner, target = (field for field in through._meta.local_fields if field.is_relation)
        owner.remote_field.on_delete = PART
        target.remote_field.on_delete = models.PROTECT
        # How the admin names a row that keeps a record: "(3) Fall of Port Arthur → Port Arthur".
        through.__str__ = lambda row: f"{getattr(row, owner.name)} → {getattr(row, target.name)}"


class Parts(GenericRelation):
    """A generic relation to rows that are part of the record (its citations): deleted with
    it, each deletion recorded as made with it."""

    def bulk_related_objects(self, objs, using=DEFAULT_DB_ALIAS):
        owners = {obj.pk: obj for obj in objs}
        rows = list(super().bulk_related_objects(objs, using))
        for row in rows:
            row._change_reason = deleted_with(owners[getattr(row, self.object_id_field_name)])
        return rows


class Dependents(GenericRelation):
    """A generic relation to records about this one (its figures, the claims' rows judging it):
    while there are any, it cannot be deleted."""

    def bulk_related_objects(self, objs, using=DEFAULT_DB_ALIAS):
        # Every kind at once: the Collector stops at the first that raises.
        found = set()
        for field in self.model._meta.private_fields:
            if isinstance(field, Dependents):
                found.update(GenericRelation.bulk_related_objects(field, objs, using))
        if found:
            raise ProtectedError(f"{self.model.__name__} records still have dependents.", found)
        return []


def dependents_of(record) -> set:
    """The rows of `record`'s Dependents (its figures, the claims' rows judging it). Django's
    Collector stops at the protected keys pointing at a record before it asks these, so its
    ProtectedError names them only when no such key does: add these to name everything."""
    found = set()
    for field in type(record)._meta.private_fields:
        if isinstance(field, Dependents):
            found.update(GenericRelation.bulk_related_objects(field, [record]))
    return found


def part_kinds(model) -> list[tuple[type[models.Model], str, str | None]]:
    """The kinds of part a record of `model` has: each as (the part's model, the field of the
    part that holds the owner's id, the field holding its content type for a generic one)."""
    kinds = [
        (field.related_model, field.object_id_field_name, field.content_type_field_name)
        for field in model._meta.private_fields
        if isinstance(field, Parts)
    ]
    kinds += [
        (relation.related_model, relation.field.attname, None)
        for relation in model._meta.related_objects
        if relation.on_delete is PART
    ]
    return kinds


def link_field_of(owner_model, row_model) -> str | None:
    """The name of the owner's field whose rows are of `row_model`, if any: a many-to-many
    field, or the rows themselves where they link by a generic key (a claim's `judges`)."""
    for field in owner_model._meta.many_to_many:
        if field.remote_field.through is row_model:
            return field.name
    for relation in owner_model._meta.related_objects:
        if relation.related_model is row_model and relation.on_delete is PART:
            return relation.get_accessor_name()
    return None


def owner_of(row):
    """The record a row is part of, and the name of the record's field the row belongs to;
    (row, None) for a record."""
    for field in row._meta.concrete_fields:
        if field.is_relation and field.remote_field.on_delete is PART:
            owner = getattr(row, field.name)
            return owner, link_field_of(type(owner), type(row))
    return row, None


def dependents(objects, shown: int = 10) -> str:
    """What still refers to a record, for a person: the type and slug of each record (and the
    field of the link, for a link row), the first `shown` of them and how many more."""
    names = set()
    for obj in objects:
        record, field = owner_of(obj)
        name = f"{record_type(type(record))} {getattr(record, 'slug', record.pk)}"
        names.add(f"{name} ({field})" if field else name)
    ordered = sorted(names)
    text = ", ".join(ordered[:shown])
    if len(ordered) > shown:
        text += f" and {len(ordered) - shown} more"
    return text
