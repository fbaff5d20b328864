"""A date with its precision, as Wikidata keeps it: the value, and the dated record.

A date is stored as its first day ("August 1903" is 1903-08-01) beside a precision
(day, month or year), so "August 1903" never becomes an invented day, and beside the calendar
its source gives it in: it is stored in the Gregorian calendar whichever that is
(api.calendars gives it in the Julian one too). Every dated model inherits DatedRecord; a
second date on one model (a negotiation's end) uses the same field helpers and
partial_date_constraints.
"""

import datetime
import re
from calendar import monthrange

from django.db import models
from django.db.models import F, Q

from api.readings import Basis, basis_field, rationale_field, reading_has_rationale


class Precision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


class Calendar(models.TextChoices):
    """The calendar a source gives a date in (api.calendars converts between them)."""

    GREGORIAN = "gregorian", "Gregorian (new style)"
    JULIAN = "julian", "Julian (old style)"


# Exactly the real dates, written YYYY, YYYY-MM or YYYY-MM-DD (years 0001 to 9999), so the
# OpenAPI schema can state what the API accepts: no month 13, no 31 June, 29 February only
# in leap years.
YEAR_PATTERN = r"(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"


def day_pattern(year: str, leap_year: str) -> str:
    """The real days YYYY-MM-DD of a calendar whose years are `year` and whose leap years (the
    ones with 29 February) are `leap_year`, as an unanchored pattern."""
    return (
        rf"{year}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
        r"|(?:0[13-9]|1[0-2])-(?:29|30)"
        r"|(?:0[13578]|1[02])-31)"
        rf"|{leap_year}-02-29"
    )


def partial_date_pattern(year: str, leap_year: str) -> str:
    """YYYY, YYYY-MM or a real day YYYY-MM-DD of that calendar, anchored."""
    return rf"^(?:{year}(?:-(?:0[1-9]|1[0-2]))?|{day_pattern(year, leap_year)})$"


PARTIAL_DATE_PATTERN = partial_date_pattern(YEAR_PATTERN, _LEAP_YEAR)
_PARTIAL_ISO = re.compile(PARTIAL_DATE_PATTERN)
# A partial date as the schema states it, in a query or a body.
PARTIAL_DATE_SCHEMA = {"type": "string", "pattern": PARTIAL_DATE_PATTERN, "maxLength": len("YYYY-MM-DD")}


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """Turn "1903", "1903-08" or "1903-08-12" into (first day, precision)."""
    if not isinstance(text, str) or not _PARTIAL_ISO.fullmatch(text):
        raise ValueError(f"{text!r} is not a real date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    parts = [int(part) for part in text.split("-")]
    precision = (Precision.YEAR, Precision.MONTH, Precision.DAY)[len(parts) - 1]
    return datetime.date(*parts, *[1] * (3 - len(parts))), precision


def format_partial_date(value: datetime.date | None, precision: str | None) -> str | None:
    """The inverse of parse_partial_date: only the digits the precision vouches for."""
    if value is None:
        return None
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def period_end(value: datetime.date, precision: str) -> datetime.date:
    """The last day a date of this precision may stand for."""
    if precision == Precision.YEAR:
        return datetime.date(value.year, 12, 31)
    if precision == Precision.MONTH:
        # Not the day before the next month's first: after December 9999 there is none.
        return value.replace(day=monthrange(value.year, value.month)[1])
    return value


def partial_date_constraints(date_field: str) -> list[models.CheckConstraint]:
    """A date and its precision are set together, the precision is a known one, and a month-
    or year-precision date is stored on the first day of its period; a date has a basis and a
    calendar (and only a date has them), a date the source gives in the Julian calendar is
    kept to the day, and a date that is our reading says why."""
    precision_field = f"{date_field}_precision"
    basis, rationale = f"{date_field}_basis", f"{date_field}_rationale"
    calendar = f"{date_field}_calendar"
    both_null = Q(**{f"{date_field}__isnull": True, f"{precision_field}__isnull": True})
    # A CHECK whose expression is NULL passes, so `IN` alone would let a NULL precision by.
    both_set = Q(
        **{
            f"{date_field}__isnull": False,
            f"{precision_field}__isnull": False,
            f"{precision_field}__in": Precision.values,
        }
    )
    first_day = (
        Q(**{f"{date_field}__isnull": True})
        | Q(**{precision_field: Precision.DAY})
        | Q(**{precision_field: Precision.MONTH, f"{date_field}__day": 1})
        | Q(**{precision_field: Precision.YEAR, f"{date_field}__month": 1, f"{date_field}__day": 1})
    )
    return [
        models.CheckConstraint(
            condition=both_null | both_set,
            name=f"%(app_label)s_%(class)s_{date_field}_has_precision",
            violation_error_message=(
                f"{date_field} and {precision_field} must both be set (precision one of "
                f"{', '.join(Precision.values)}) or both be empty."
            ),
        ),
        models.CheckConstraint(
            condition=first_day,
            name=f"%(app_label)s_%(class)s_{date_field}_on_first_day",
            violation_error_message=(
                f"{date_field}: a month-precision date is stored on day 1, a year-precision date "
                "on January 1."
            ),
        ),
        models.CheckConstraint(
            condition=Q(**{f"{date_field}__isnull": True, f"{basis}__isnull": True})
            | Q(**{f"{date_field}__isnull": False, f"{basis}__isnull": False, f"{basis}__in": Basis.values}),
            name=f"%(app_label)s_%(class)s_{date_field}_has_basis",
            violation_error_message=(
                f"A date has a basis ({basis}: {' or '.join(Basis.values)}); an empty date has none."
            ),
        ),
        models.CheckConstraint(
            condition=Q(**{f"{date_field}__isnull": True, f"{calendar}__isnull": True})
            | Q(
                **{
                    f"{date_field}__isnull": False,
                    f"{calendar}__isnull": False,
                    f"{calendar}__in": Calendar.values,
                }
            ),
            name=f"%(app_label)s_%(class)s_{date_field}_has_calendar",
            violation_error_message=(
                f"A date says which calendar its source gives it in ({calendar}: "
                f"{' or '.join(Calendar.values)}); an empty date has none."
            ),
        ),
        # A Julian month or year is no Gregorian one (Julian August 1903 is Gregorian 14 August
        # to 13 September), so it has no first day to be stored on (api.calendars).
        models.CheckConstraint(
            condition=~Q(**{calendar: Calendar.JULIAN}) | Q(**{precision_field: Precision.DAY}),
            name=f"%(app_label)s_%(class)s_{date_field}_julian_to_the_day",
            violation_error_message=(
                f"{date_field}: a date the source gives in the Julian calendar is kept to the day; a "
                "Julian month or year is no Gregorian month or year, and cannot be stored as one."
            ),
        ),
        reading_has_rationale(
            basis,
            rationale,
            f"%(app_label)s_%(class)s_{date_field}_reading_has_rationale",
            f"A date that is our reading says why ({rationale}).",
        ),
    ]


def overlapping(date_field: str, start: datetime.date | None, end: datetime.date | None) -> Q:
    """Q for dates whose whole period touches [start, end]; either bound may be open.

    Because a period is stored as its first day, a month-precision date overlaps the range
    when it is on or before `end` and not before the first day of `start`'s month. The
    earliest of those first days (`start`'s year's) is also a bound of its own, outside the
    alternatives, so that an index on the date is read from there, not from its beginning.
    """
    precision_field = f"{date_field}_precision"
    condition = Q(**{f"{date_field}__isnull": False})
    if end is not None:
        condition &= Q(**{f"{date_field}__lte": end})
    if start is not None:
        condition &= Q(**{f"{date_field}__gte": start.replace(month=1, day=1)})
        condition &= (
            Q(**{precision_field: Precision.DAY, f"{date_field}__gte": start})
            | Q(**{precision_field: Precision.MONTH, f"{date_field}__gte": start.replace(day=1)})
            | Q(
                **{
                    precision_field: Precision.YEAR,
                    f"{date_field}__gte": start.replace(month=1, day=1),
                }
            )
        )
    return condition


def date_field(verbose_name: str, help_text: str = "") -> models.DateField:
    return models.DateField(
        verbose_name, null=True, blank=True, help_text=help_text or "First day of the period."
    )


def precision_field() -> models.CharField:
    return models.CharField(max_length=5, choices=Precision.choices, null=True, blank=True, default=None)


def calendar_field() -> models.CharField:
    return models.CharField(
        max_length=9,
        choices=Calendar.choices,
        null=True,
        blank=True,
        default=None,
        help_text=(
            "The calendar the source gives the date in; the date is stored in the Gregorian calendar "
            "either way."
        ),
    )


class DatedQuerySet(models.QuerySet):
    def between(self, start=None, end=None):
        """Records whose chosen date, at its precision, touches [start, end]."""
        return self.filter(overlapping("chosen_date", start, end))


def basis_of_date() -> models.CharField:
    return basis_field("the date", null=True)


def rationale_of_date() -> models.TextField:
    return rationale_field("the date")


class DatedRecord(models.Model):
    """A record with one date to its precision, and whether the source states the date or we
    read it (api.readings): what the timeline and date filters read."""

    date = date_field("date")
    date_precision = precision_field()
    date_calendar = calendar_field()
    date_basis = basis_of_date()
    date_rationale = rationale_of_date()

    # Derived, never written by an editor: what lists filter and order by.
    chosen_date = models.DateField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=(
            "The date lists filter and order by: the record's own date, or, where the source it rests "
            "on gives none, the first of the other sources' statements of it (events.choosing)."
        ),
    )
    chosen_date_precision = models.CharField(  # noqa: DJ001
        max_length=5, choices=Precision.choices, null=True, blank=True, default=None, editable=False
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = [F("chosen_date").asc(nulls_last=True), "slug"]
        constraints = [
            *partial_date_constraints("date"),
            models.CheckConstraint(
                condition=Q(chosen_date__isnull=True, chosen_date_precision__isnull=True)
                | Q(chosen_date__isnull=False, chosen_date_precision__in=Precision.values),
                name="%(app_label)s_%(class)s_chosen_date_has_precision",
                violation_error_message="chosen_date and chosen_date_precision are set together.",
            ),
        ]

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"date", "date_precision"} & set(update_fields):
            self.chosen_date, self.chosen_date_precision = self.choose_date()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "chosen_date", "chosen_date_precision"}
        super().save(*args, **kwargs)

    def choose_date(self) -> tuple[datetime.date | None, str | None]:
        """The record's own date, else the date of the statement it has for one (a record that
        statements may be about says which, `dated_statement`)."""
        if self.date is not None:
            return self.date, self.date_precision
        has_statements = self.pk is not None and hasattr(self, "dated_statement")
        statement = self.dated_statement() if has_statements else None
        if statement is None:
            return None, None
        return statement.date, statement.date_precision
