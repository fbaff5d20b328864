"""Why a write is refused, decided in one place, by where the error comes from.

A write is checked in three steps, and the first that fails answers:

1. the schema (the serializer's fields): 400, except that a body whose only faults are links
   to records that do not exist (DRF's own `does_not_exist`) fits the schema and is a 422;
2. the data's rules, which no schema can state (the model's `clean()`, its check constraints,
   the rows written inside it, a cited record's rules about its citations, checked from
   whichever side is written; a slug is set once): 422;
3. collisions with other records (unique fields and constraints): 409.

A collision that slips between step 3 and the save (another writer) is the database's
IntegrityError, which api.errors answers with a 409 as well.
"""

import copy
from http import HTTPStatus

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import router
from django.db.models import UniqueConstraint
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error

from api.registry import record_type
from sources.models import Citation, CitedRecord


class Unprocessable(exceptions.ValidationError):
    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    summary = "The request is well-formed but breaks a rule about the data; see errors."


class Collision(exceptions.ValidationError):
    status_code = HTTPStatus.CONFLICT
    summary = "The request conflicts with other records; see errors."


def check_write(serializer) -> None:
    """Validate a record's write (a RecordSerializer with its data), raising the first kind of
    refusal that applies; afterwards `serializer.save()` writes what was checked."""
    if not serializer.is_valid():
        errors = serializer.errors
        if set(error_codes(errors)) == {"does_not_exist"}:
            raise Unprocessable(errors)
        raise exceptions.ValidationError(errors)
    record, exclude = candidate(serializer)
    rules = rule_errors(record, exclude)
    slug = serializer.validated_data.get("slug")
    if serializer.instance is not None and slug is not None and slug != serializer.instance.slug:
        rules.setdefault("slug", []).append("The slug of an existing record cannot be changed.")
    rows = row_errors(serializer)
    if rules or rows:
        raise Unprocessable({**drf_errors(rules), **rows})
    collisions = collision_errors(record, exclude)
    if collisions:
        raise Collision(drf_errors(collisions))


def candidate(serializer):
    """The record as the write would leave it (not saved), and the fields not to validate."""
    model = serializer.Meta.model
    record = model() if serializer.instance is None else copy.copy(serializer.instance)
    many = {field.name for field in model._meta.many_to_many}
    rows = {field.source for field in serializer.row_fields().values()}
    for name, value in serializer.validated_data.items():
        if name not in many and name not in rows:
            setattr(record, name, value)
    computed = [field.name for field in model._meta.concrete_fields if not field.editable]
    return record, [*many, *computed]


def rule_errors(instance, exclude) -> dict:
    """What breaks the model's own rules: field validation, `clean()`, check constraints, and a
    cited record's rules about the citations it rests on."""
    errors = {}
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        errors = exc.update_error_dict(errors)
    errors = constraint_errors(instance, exclude, errors, unique=False)
    for name, messages in citation_rule_errors(instance).items():
        errors.setdefault(name, []).extend(messages)
    return errors


def citation_rule_errors(instance) -> dict:
    """What a record, or the record a citation supports, would break of its rules about its
    citations (CitedRecord.citation_errors): a record against the citations it has, a
    citation's record against its other citations and this one, under `record`."""
    if isinstance(instance, CitedRecord):
        if instance.pk is None:
            return {}  # a new record has no citations yet: they are written after it
        return instance.citation_errors(list(instance.citations.all()))
    if isinstance(instance, Citation) and isinstance(instance.record, CitedRecord):
        record = instance.record
        others = [citation for citation in record.citations.all() if citation.pk != instance.pk]
        found = record.citation_errors([*others, instance])
        name = f"{record_type(type(record))} {record.slug}"
        messages = [f"{name}: {message}" for field_messages in found.values() for message in field_messages]
        return {"record": messages} if messages else {}
    return {}


def collision_errors(instance, exclude) -> dict:
    """Where the record would take a value another record holds."""
    errors = {}
    try:
        instance.validate_unique(exclude=exclude)
    except DjangoValidationError as exc:
        errors = exc.update_error_dict(errors)
    return constraint_errors(instance, exclude, errors, unique=True)


def constraint_errors(instance, exclude, errors: dict, *, unique: bool) -> dict:
    """Model.validate_constraints, for the unique constraints or for the others."""
    using = router.db_for_write(type(instance), instance=instance)
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, UniqueConstraint) is not unique:
                continue
            try:
                constraint.validate(model_class, instance, exclude=exclude, using=using)
            except DjangoValidationError as exc:
                if unique and exc.code == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(exc)
                else:
                    errors = exc.update_error_dict(errors)
    return errors


def row_errors(serializer) -> dict:
    """The rules each written through-row breaks, by field and row index; the rules that
    involve its owner when it does not exist yet (a create) are left to the database."""
    errors = {}
    for name, field in serializer.row_fields().items():
        rows = serializer.validated_data.get(field.source)
        if rows is None:
            continue
        relation = serializer.Meta.model._meta.get_field(field.source)
        through, owner_field = relation.related_model, relation.field.name
        owner = {} if serializer.instance is None else {owner_field: serializer.instance}
        found = [drf_errors(rule_errors(through(**values, **owner), [owner_field])) for values in rows]
        if any(found):
            errors[name] = found
    return errors


def error_codes(detail):
    """Every code in DRF's nested errors (a dict per serializer, a list per field or row)."""
    if isinstance(detail, dict):
        for value in detail.values():
            yield from error_codes(value)
    elif isinstance(detail, list):
        for value in detail:
            yield from error_codes(value)
    else:
        yield detail.code


def drf_errors(errors: dict) -> dict:
    """Django's errors by field, as DRF shows them (each message with its code)."""
    return as_serializer_error(DjangoValidationError(errors)) if errors else {}
