"""Partial dates: the pattern the schema publishes takes exactly the dates the API takes."""

import datetime
import re

import pytest

from api.dates import PARTIAL_DATE_PATTERN, Precision, parse_partial_date

# Century and leap-year edges, the dataset's years, and the ends of the range.
YEARS = [1, 4, 99, 100, 400, 1000, 1900, 1903, 1904, 1905, 2000, 2100, 9996, 9999]


def real(year, month=1, day=1) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("year", YEARS)
def test_the_pattern_matches_exactly_the_real_dates(year):
    pattern = re.compile(PARTIAL_DATE_PATTERN)
    for month in range(0, 14):
        assert bool(pattern.fullmatch(f"{year:04d}-{month:02d}")) == real(year, month), (year, month)
        for day in range(0, 33):
            text = f"{year:04d}-{month:02d}-{day:02d}"
            assert bool(pattern.fullmatch(text)) == real(year, month, day), text
    assert pattern.fullmatch(f"{year:04d}")
    assert not pattern.fullmatch("0000")


def test_parsing_gives_the_first_day_and_the_precision_of_the_form():
    assert parse_partial_date("1903-08") == (datetime.date(1903, 8, 1), Precision.MONTH)
    assert parse_partial_date("1904") == (datetime.date(1904, 1, 1), Precision.YEAR)
    assert parse_partial_date("1904-02-29") == (datetime.date(1904, 2, 29), Precision.DAY)


@pytest.mark.parametrize("text", ["1903-02-29", "1900-02-29", "1903-8", "19030", "1903-08\n", "١٩٠٣", ""])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError, match="is not a real date"):
        parse_partial_date(text)
