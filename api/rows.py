"""Replacing a record's rows of a through model (a counterproposal's links to the requests it
answers, a treaty term's party roles, a claim's judged records): one routine for the loader and
for writes through the API."""

from django.contrib.contenttypes.fields import GenericForeignKey


def generic_key(row_model) -> GenericForeignKey | None:
    """The generic key by which rows of `row_model` link to records of any kind, if any (a
    claim's judged records: `record`)."""
    return next((f for f in row_model._meta.private_fields if isinstance(f, GenericForeignKey)), None)


def replace_rows(owner, related_name: str, rows: list[dict], reason: str | None = None) -> bool:
    """Make `owner.<related_name>` exactly `rows`, keeping the rows that did not change.

    Each row is a dict of the through model's fields by name (related records as instances);
    a field left out takes its default. Identical rows count once. New rows are validated
    (`full_clean`) before they are saved, and each change is recorded in history with `reason`.
    Returns whether anything changed.
    """
    manager = getattr(owner, related_name)
    through = manager.model
    owner_field = manager.field.name
    fields = [f for f in through._meta.concrete_fields if not f.primary_key and f.name != owner_field]

    def wanted_key(values: dict) -> tuple:
        key = []
        for field in fields:
            value = values.get(field.name, field.get_default())
            key.append(value.pk if field.is_relation and value is not None else value)
        return tuple(key)

    wanted = {wanted_key(values): None for values in rows}
    current = {tuple(getattr(row, f.attname) for f in fields): row for row in manager.all()}
    if wanted.keys() == current.keys():
        return False
    for key, row in current.items():
        if key not in wanted:
            row._change_reason = reason
            row.delete()
    for key in wanted:
        if key in current:
            continue
        row = through(
            **{owner_field: owner}, **{f.attname: value for f, value in zip(fields, key, strict=True)}
        )
        row._change_reason = reason
        row.full_clean()
        row.save()
    return True
