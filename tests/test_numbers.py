"""Every number and date in the source is a typed value somewhere in the data."""

import calendar
import re

import pytest
from django.db import models

from events.models import Figure
from sources.models import Citation

pytestmark = pytest.mark.django_db

WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "thousand": 1000,
}
MONTHS = "|".join(calendar.month_name[1:])
DATE = re.compile(rf"\b(?P<month>{MONTHS})(?: (?P<day>\d{{1,2}})\b)?(?:,? (?:of )?(?P<year>\d{{4}}))?")
LIST_MARKER = re.compile(r"^\((?P<n>\d+)\) ", re.MULTILINE)
NUMBER = re.compile(rf"\b(?:\d[\d,]*\d|\d)(?:st|nd|rd|th)?\b|\b(?:{'|'.join(WORDS)})\b", re.IGNORECASE)


def parse_number(token: str) -> int:
    token = token.lower()
    if token in WORDS:
        return WORDS[token]
    return int(re.sub(r"(st|nd|rd|th)$", "", token).replace(",", ""))


def records_citing(start: int, end: int):
    citations = Citation.objects.filter(start__lte=start, end__gte=end).prefetch_related("record")
    return [c.record for c in citations]


def date_values(record):
    for field in record._meta.concrete_fields:
        if isinstance(field, models.DateField) and hasattr(record, f"{field.name}_precision"):
            value = getattr(record, field.name)
            if value is not None:
                yield value, getattr(record, f"{field.name}_precision")


def test_the_source_has_the_numbers_we_expect(text):
    # Guards the scanners below: if they found nothing, the tests after them would pass vacuously.
    assert len(list(DATE.finditer(text))) == 5
    assert len(list(LIST_MARKER.finditer(text))) == 16
    assert len(list(NUMBER.finditer(text))) == 35  # 16 list markers, 7 in dates, 12 figures


def test_every_list_marker_is_a_numbered_record(text):
    missing = []
    for match in LIST_MARKER.finditer(text):
        n = int(match["n"])
        records = [
            r
            for r in records_citing(match.start(), match.end())
            if getattr(r, "number", None) == n and any(c.start == match.start() for c in r.citations.all())
        ]
        if not records:
            missing.append((match.start(), match.group()))
    assert missing == []


def test_every_date_is_a_typed_date_with_its_precision(text):
    missing = []
    for match in DATE.finditer(text):
        month = list(calendar.month_name).index(match["month"])
        day = int(match["day"]) if match["day"] else None
        year = int(match["year"]) if match["year"] else None
        expected_precision = "day" if day else "month"
        found = any(
            value.month == month
            and (day is None or value.day == day)
            and (year is None or value.year == year)
            and precision == expected_precision
            for record in records_citing(match.start(), match.end())
            for value, precision in date_values(record)
        )
        if not found:
            missing.append(match.group())
    assert missing == []


def test_every_other_number_is_a_typed_figure(text):
    taken = set()
    for match in [*DATE.finditer(text), *LIST_MARKER.finditer(text)]:
        taken.update(range(match.start(), match.end()))
    figures = list(Figure.objects.prefetch_related("citations"))
    missing = []
    checked = 0
    for match in NUMBER.finditer(text):
        if match.start() in taken:
            continue
        checked += 1
        value = parse_number(match.group())
        if not any(
            figure.value == value
            for figure in figures
            for c in figure.citations.all()
            if c.start is not None and c.start <= match.start() and match.end() <= c.end
        ):
            missing.append((match.start(), match.group()))
    assert checked == 12
    assert missing == []
