"""Which of several sources' values is chosen, and whether they differ.

A record keeps the value the source it rests on gives (the held text); other sources'
values stand beside it as statements (events.Statement) and, for numbers, as further figures
with the same subject, measure and party. None replaces another. Values about the same thing
form a group: statements with the same kind, scope, party and language (a victor statement's
party is its value, so victor statements group by kind and scope), together with the record's
own date or victor where the group is its date or victor as a whole; figures with the same
measure and party.

The rule, one for every group:
- **chosen**: the value from the held text, if the group has one; else the first by its
  source's precedence (Source.objects.in_precedence(): held texts, then references by their
  stated precedence, then by slug), then by the statement's or figure's own slug; a record's
  own date or victor (the held text's) is chosen over any statement of it. A dated
  record's `chosen_date`, which lists filter and order by, is its own date, or else the date
  of the chosen statement of its date as a whole.
- **disputed**: two values of the group differ. Dates differ when neither period holds the
  other (at its precision, in the Gregorian calendar, so the same day given in the Julian
  calendar agrees), comparing ends only where both give one and times of day only where both
  give one: "August 1903" and "12 August 1903" agree, 24 and 25 August 1904 do not. Other
  values differ when they are not equal, except names: a record has many names (in several
  languages, of 1905 and of today), none in place of another, so names are never disputed.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_save

from api.dates import period_end
from events.models import Statement, StatementKind
from sources.models import SourceKind


def source_rank(source) -> tuple:
    """Where a source stands in the order a value is chosen from (Source.in_precedence)."""
    held = source.kind == SourceKind.HELD_TEXT
    return (0 if held else 1, source.precedence is None, source.precedence or 0, source.slug)


def statement_rank(statement) -> tuple:
    return (*source_rank(statement.source), statement.slug)


def figure_rank(figure) -> tuple:
    ranks = [source_rank(citation.source) for citation in figure.citations.all()]
    return (*min(ranks, default=(2, True, 0, "")), figure.slug)


def group_of(statement) -> tuple:
    # A victor statement's party is its value, not what it is about.
    party = None if statement.kind == StatementKind.VICTOR else statement.party_id
    return (statement.kind, statement.scope, party, statement.language)


WHOLE_DATE = (StatementKind.DATE, "", None, "")
WHOLE_VICTOR = (StatementKind.VICTOR, "", None, "")


def own_values(record) -> dict:
    """The record's own values, by the group each belongs to: a dated record's date, an
    engagement's victor, where it has one."""
    own = {}
    if getattr(record, "date", None) is not None and hasattr(record, "chosen_date"):
        own[WHOLE_DATE] = own_date_value(record)
    if getattr(record, "victor_id", None) is not None:
        own[WHOLE_VICTOR] = (None, None, "", record.victor_id)
    return own


def _period(value: datetime.date, precision: str) -> tuple[datetime.date, datetime.date]:
    return value, period_end(value, precision)


def _nested(a: tuple, b: tuple) -> bool:
    """Whether one period holds the other."""
    return (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1])


def _dates_agree(a: dict, b: dict) -> bool:
    if not _nested(_period(a["date"], a["precision"]), _period(b["date"], b["precision"])):
        return False
    ends = [_period(v["ended"], v["ended_precision"]) for v in (a, b) if v["ended"]]
    if len(ends) == 2 and not _nested(*ends):
        return False
    return not (a["time"] and b["time"] and a["time"] != b["time"])


def date_value(statement) -> dict:
    return {
        "date": statement.date,
        "precision": statement.date_precision,
        "ended": statement.ended,
        "ended_precision": statement.ended_precision,
        "time": statement.time,
    }


def own_date_value(record) -> dict:
    return {
        "date": record.date,
        "precision": record.date_precision,
        "ended": None,
        "ended_precision": None,
        "time": None,
    }


def _value(statement):
    victor = statement.party_id if statement.kind == StatementKind.VICTOR else None
    return (statement.latitude, statement.longitude, statement.text, victor)


def _differ(values: list, dates: bool) -> bool:
    if dates:
        return any(not _dates_agree(a, b) for i, a in enumerate(values) for b in values[i + 1 :])
    return len(set(values)) > 1


def judge_statements(record, statements) -> None:
    """Set `disputed` and `chosen` on each of `record`'s statements (all of them, loaded with
    their sources), by the module's rule."""
    groups = {}
    for statement in statements:
        groups.setdefault(group_of(statement), []).append(statement)
    own = own_values(record)
    for key, members in groups.items():
        dates = key[0] == StatementKind.DATE
        values = [date_value(s) if dates else _value(s) for s in members]
        if key in own:
            values.append(own[key])
        # A record has many names, none in place of another: names are never disputed.
        disputed = key[0] != StatementKind.NAME and _differ(values, dates)
        # The record's own value (the held text's) is chosen over any statement.
        chosen = None if key in own else min(members, key=statement_rank)
        for statement in members:
            statement.disputed = disputed
            statement.chosen = statement is chosen


def judge_figures(figures) -> None:
    """Set `disputed` and `chosen` on each of one record's figures (all of them, loaded with
    their citations' sources), by the module's rule."""
    groups = {}
    for figure in figures:
        groups.setdefault((figure.measure, figure.party_id), []).append(figure)
    for members in groups.values():
        disputed = len({figure.value for figure in members}) > 1
        chosen = min(members, key=figure_rank)
        for figure in members:
            figure.disputed = disputed
            figure.chosen = figure is chosen


def chosen_date_statement(record, statements):
    """Which of `record`'s statements its chosen date comes from: None where it has a date of
    its own (the held text's) or no statement of its date as a whole."""
    if getattr(record, "date", None) is not None:
        return None
    whole = [s for s in statements if group_of(s) == WHOLE_DATE]
    return min(whole, key=statement_rank, default=None)


def first_dated_statement(record):
    """The statement a dated record without a date of its own takes its chosen date from, as
    the database orders them (Statement.objects.in_precedence())."""
    return (
        Statement.objects.filter(
            subject_type=ContentType.objects.get_for_model(type(record)),
            subject_id=record.pk,
            kind=StatementKind.DATE,
            scope="",
            party=None,
            language="",
        )
        .in_precedence()
        .first()
    )


def refresh_chosen_date(content_type_id: int, object_id: int, using: str = "default", quietly=False) -> None:
    """Set the chosen date of the record a statement is (or was) about, if it is a dated record
    and it changed: below its save, as CitedRecord's sequence is (sources.models.renumber).
    `quietly`, the data version and the read model are not told (a snapshot: api.as_of)."""
    from api import data_version

    model = ContentType.objects.db_manager(using).get_for_id(content_type_id).model_class()
    if model is None or not hasattr(model, "chosen_date"):
        return
    record = model._base_manager.using(using).filter(pk=object_id).first()
    if record is None:
        return
    chosen, precision = record.choose_date()
    if (chosen, precision) == (record.chosen_date, record.chosen_date_precision):
        return
    model._base_manager.using(using).filter(pk=object_id).update(
        chosen_date=chosen, chosen_date_precision=precision
    )
    if not quietly:
        data_version.updated(model, [object_id], using)


def refresh_other_names(content_type_id: int, object_id: int, using: str = "default", quietly=False) -> None:
    """Set the other names of the record a statement is (or was) about, if it keeps them (a
    place, a party) and they changed: its name statements' texts, one a line, in order
    (`quietly` as refresh_chosen_date's)."""
    from api import data_version

    model = ContentType.objects.db_manager(using).get_for_id(content_type_id).model_class()
    if model is None or "other_names" not in [field.name for field in model._meta.concrete_fields]:
        return
    texts = (
        Statement.objects.using(using)
        .filter(subject_type_id=content_type_id, subject_id=object_id, kind=StatementKind.NAME)
        .order_by("text")
        .values_list("text", flat=True)
    )
    names = "\n".join(dict.fromkeys(texts))
    rows = model._base_manager.using(using).filter(pk=object_id)
    if rows.exclude(other_names=names).update(other_names=names) and not quietly:
        data_version.updated(model, [object_id], using)


def _statement_saving(sender, instance, using, **kwargs):
    # Where the statement is stored now: a save that moves it leaves that record's chosen date.
    instance._stored_subject = None
    if instance.pk is not None:
        instance._stored_subject = (
            sender._base_manager.using(using)
            .filter(pk=instance.pk)
            .values_list("subject_type_id", "subject_id")
            .first()
        )


def _statement_changed(sender, instance, using, **kwargs):
    subjects = {(instance.subject_type_id, instance.subject_id), getattr(instance, "_stored_subject", None)}
    instance._stored_subject = None
    for subject in sorted(subjects - {None}):
        refresh_chosen_date(*subject, using)
        refresh_other_names(*subject, using)


def _source_changed(sender, instance, using, created=False, **kwargs):
    # A source's precedence orders the statements citing it.
    if created:
        return
    for subject in sorted(set(instance.statements.using(using).values_list("subject_type_id", "subject_id"))):
        refresh_chosen_date(*subject, using)


def connect() -> None:
    """Keep every dated record's chosen date from its statements (called once, by
    EventsConfig.ready): every path that writes a statement saves or deletes it through the
    model, as sources.models.connect says of citations."""
    from sources.models import Source

    pre_save.connect(_statement_saving, sender=Statement, dispatch_uid="events.chosen.saving")
    post_save.connect(_statement_changed, sender=Statement, dispatch_uid="events.chosen.saved")
    post_delete.connect(_statement_changed, sender=Statement, dispatch_uid="events.chosen.deleted")
    post_save.connect(_source_changed, sender=Source, dispatch_uid="events.chosen.source")
