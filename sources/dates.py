"""Dates with a precision, as Wikidata keeps them.

A date is stored as its first day ("August 1903" is 1903-08-01) beside a precision
(day, month or year), so "August 1903" never becomes an invented day.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Precision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


_PARTIAL_ISO = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """Turn "1903", "1903-08" or "1903-08-12" into (first day, precision)."""
    match = _PARTIAL_ISO.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match["year"], match["month"], match["day"]
    precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date: {exc}") from None
    return value, precision


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
        next_month = datetime.date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return next_month - datetime.timedelta(days=1)
    return value


def precision_constraints(date_field: str) -> list[models.CheckConstraint]:
    """A date and its precision are set together, and the precision is a known one."""
    precision_field = f"{date_field}_precision"
    both_null = Q(**{f"{date_field}__isnull": True, f"{precision_field}__isnull": True})
    # A CHECK whose expression is NULL passes, so `IN` alone would let a NULL precision by.
    both_set = Q(
        **{
            f"{date_field}__isnull": False,
            f"{precision_field}__isnull": False,
            f"{precision_field}__in": Precision.values,
        }
    )
    return [
        models.CheckConstraint(
            condition=both_null | both_set,
            name=f"%(app_label)s_%(class)s_{date_field}_has_precision",
            violation_error_message=(
                f"{date_field} and {precision_field} must both be set (precision one of "
                f"{', '.join(Precision.values)}) or both be empty."
            ),
        )
    ]


def validate_first_day(value: datetime.date | None, precision: str | None, field: str) -> None:
    """A month- or year-precision date is stored as the first day of its period."""
    if value is None or precision is None:
        return
    if precision in (Precision.MONTH, Precision.YEAR) and value.day != 1:
        raise ValidationError({field: f"a {precision}-precision date is stored on day 1."})
    if precision == Precision.YEAR and value.month != 1:
        raise ValidationError({field: "a year-precision date is stored on January 1."})


def overlapping(date_field: str, start: datetime.date | None, end: datetime.date | None) -> Q:
    """Q for dates whose whole period touches [start, end]; either bound may be open.

    Because a period is stored as its first day, a month-precision date overlaps the range
    when it is on or before `end` and not before the first day of `start`'s month.
    """
    precision_field = f"{date_field}_precision"
    condition = Q(**{f"{date_field}__isnull": False})
    if end is not None:
        condition &= Q(**{f"{date_field}__lte": end})
    if start is not None:
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
