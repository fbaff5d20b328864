"""The two calendars of 1903–1905: Japan had counted in the Gregorian calendar since 1873 and
Russia in the Julian one until February 1918 (13 days behind from 1 March 1900 Julian, 12 in the
19th century). A date is stored in the Gregorian calendar, whichever calendar its source used
(the record says which: `<date>_calendar`), and given in both.

Conversion goes through convertdate's Julian calendar (its Julian day arithmetic), not a hand
offset. A date at month or year precision stands for a period; in the other calendar that period
is a range of days, given as an ISO 8601 interval ("1903-07-19/1903-08-18"), never one invented
day.

A date whose source gives it in the Julian calendar is kept to the day: a Julian month or year
is no Gregorian month or year (Julian August 1903 runs from 14 August to 13 September 1903
Gregorian), so it cannot be stored as the first day of a Gregorian period, and is refused
(api.dates.partial_date_constraints) rather than moved to a period it is not (the dataset's
one source gives every date in the Gregorian calendar).
"""

import datetime
import re

from convertdate import julian

from api.dates import (
    YEAR_PATTERN,
    Calendar,
    Precision,
    day_pattern,
    parse_partial_date,
    partial_date_pattern,
    period_end,
)

# Every fourth year is a leap year in the Julian calendar, 1900 among them (years 0001 to 9999).
_JULIAN_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[0-9][1-9]|[1-9][0-9])00)"
# A date as a date filter takes it with calendar=julian: YYYY, YYYY-MM or a real Julian day.
# Every Gregorian date is one, so it is also what a filter takes in either calendar.
JULIAN_PARTIAL_DATE_PATTERN = partial_date_pattern(YEAR_PATTERN, _JULIAN_LEAP_YEAR)
_JULIAN_PARTIAL_ISO = re.compile(JULIAN_PARTIAL_DATE_PATTERN)
# A stored date in the Julian calendar (format_julian): a day, or the interval of the days of
# a month or year (Gregorian 0001-01-01 is Julian 0001-01-03: every stored date has one).
_JULIAN_DAY = day_pattern(YEAR_PATTERN, _JULIAN_LEAP_YEAR)
JULIAN_FORM_PATTERN = rf"^(?:{_JULIAN_DAY})(?:/(?:{_JULIAN_DAY}))?$"


def to_julian(value: datetime.date) -> tuple[int, int, int]:
    """The Julian (year, month, day) of a Gregorian date; a tuple, because Julian 1900-02-29 is
    a day `datetime.date` cannot hold."""
    return julian.from_gregorian(value.year, value.month, value.day)


def from_julian(year: int, month: int, day: int) -> datetime.date:
    """The Gregorian date of a Julian one; ValueError for a day the Julian calendar does not have,
    or one outside the Gregorian years 1 to 9999 a date holds."""
    try:
        julian.legal_date(year, month, day)  # raises for a day the calendar does not have
    except ValueError:
        raise ValueError(f"{year:04d}-{month:02d}-{day:02d} is not a day of the Julian calendar") from None
    gregorian = julian.to_gregorian(year, month, day)
    if not datetime.MINYEAR <= gregorian[0] <= datetime.MAXYEAR:
        raise ValueError(
            f"Julian {year:04d}-{month:02d}-{day:02d} is Gregorian {gregorian[0]:04d}-{gregorian[1]:02d}-"
            f"{gregorian[2]:02d}, outside the days a date holds (Gregorian 0001-01-01 to 9999-12-31)."
        )
    return datetime.date(*gregorian)


def julian_period(
    year: int, month: int | None = None, day: int | None = None
) -> tuple[datetime.date, datetime.date]:
    """The Gregorian first and last days of a Julian year, month or day."""
    if month is None:
        return from_julian(year, 1, 1), from_julian(year, 12, 31)
    if day is None:
        return from_julian(year, month, 1), from_julian(year, month, julian.month_length(year, month))
    first = from_julian(year, month, day)
    return first, first


def format_julian(value: datetime.date | None, precision: str | None) -> str | None:
    """A stored (Gregorian) date to its precision, written in the Julian calendar: a day as
    YYYY-MM-DD, a month or year as the ISO 8601 interval of the Julian days it covers."""
    if value is None:
        return None
    first = "{:04d}-{:02d}-{:02d}".format(*to_julian(value))
    if precision == Precision.DAY:
        return first
    last = "{:04d}-{:02d}-{:02d}".format(*to_julian(period_end(value, precision)))
    return f"{first}/{last}"


def gregorian_range(text: str, calendar: str) -> tuple[datetime.date, datetime.date]:
    """The Gregorian first and last days of the period a date written YYYY, YYYY-MM or
    YYYY-MM-DD in `calendar` stands for (Julian 1900-02 is Gregorian 1900-02-13 to 1900-03-13);
    ValueError for anything else, a day the calendar does not have among them."""
    if calendar == Calendar.GREGORIAN:
        try:
            first, precision = parse_partial_date(text)
        except ValueError:
            raise ValueError(
                f"{text!r} is not a real date of the Gregorian calendar, written YYYY, YYYY-MM or "
                "YYYY-MM-DD (calendar=julian reads it as a Julian date)."
            ) from None
        return first, period_end(first, precision)
    if not isinstance(text, str) or not _JULIAN_PARTIAL_ISO.fullmatch(text):
        raise ValueError(
            f"{text!r} is not a real date of the Julian calendar, written YYYY, YYYY-MM or YYYY-MM-DD."
        )
    year, month, day = (*(int(part) for part in text.split("-")), None, None)[:3]
    if year in (1, 9999):
        # The edges of the Julian years 1 and 9999 fall outside the Gregorian years a date
        # holds; no record is dated there, so the range stops at the first or last date.
        first = _clamped(year, month or 1, day or 1)
        if day is not None:
            return first, first
        last_month = month or 12
        return first, _clamped(year, last_month, julian.month_length(year, last_month))
    return julian_period(year, month, day)


def _clamped(year: int, month: int, day: int) -> datetime.date:
    """The Gregorian date of a Julian day, or the first or last a date holds if it is past them."""
    gregorian_year, *rest = julian.to_gregorian(year, month, day)
    if gregorian_year < datetime.MINYEAR:
        return datetime.date.min
    if gregorian_year > datetime.MAXYEAR:
        return datetime.date.max
    return datetime.date(gregorian_year, *rest)
