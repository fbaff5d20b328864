"""The two calendars: every date is stored in the Gregorian calendar, says which calendar its
source gave it in, is shown in the Julian one too, and date filters read either.

The conversions are checked against convertdate, the library they are built on, across
1800–2000: the century whose turn (1900, a leap year only in the Julian calendar) moved
Russia's calendar from 12 to 13 days behind.
"""

import datetime
import re
from http import HTTPStatus

import pytest
from convertdate import gregorian, julian
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from api.calendars import (
    JULIAN_FORM_PATTERN,
    JULIAN_PARTIAL_DATE_PATTERN,
    format_julian,
    from_julian,
    gregorian_range,
    julian_period,
    to_julian,
)
from api.dates import Calendar, Precision, period_end
from events.models import Event, Negotiation
from treaties.models import Treaty

FIRST, LAST = datetime.date(1800, 1, 1), datetime.date(2000, 12, 31)
# No timing assertions (deadline), and no example database left in the work tree.
properties = settings(deadline=None, database=None, max_examples=300)

gregorian_days = st.dates(min_value=FIRST, max_value=LAST)


@st.composite
def julian_days(draw) -> tuple[int, int, int]:
    """A real day of the Julian calendar, 1800–2000: 29 February 1900 among them."""
    year = draw(st.integers(1800, 2000))
    month = draw(st.integers(1, 12))
    return year, month, draw(st.integers(1, julian.month_length(year, month)))


def iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def days(first: datetime.date, last: datetime.date) -> int:
    return (last - first).days + 1


# The conversions, against convertdate


@properties
@given(gregorian_days)
def test_a_gregorian_day_is_the_julian_day_convertdate_gives(day):
    expected = julian.from_gregorian(day.year, day.month, day.day)
    assert to_julian(day) == expected
    assert format_julian(day, Precision.DAY) == iso(*expected)
    assert from_julian(*expected) == day


@properties
@given(julian_days())
def test_a_julian_day_is_the_gregorian_day_convertdate_gives(day):
    expected = datetime.date(*julian.to_gregorian(*day))
    assert from_julian(*day) == expected
    assert julian_period(*day) == (expected, expected)
    assert gregorian_range(iso(*day), Calendar.JULIAN) == (expected, expected)
    assert to_julian(expected) == day


@properties
@given(gregorian_days, st.sampled_from([Precision.MONTH, Precision.YEAR]))
def test_a_gregorian_month_or_year_is_the_julian_interval_of_exactly_its_days(day, precision):
    first = day.replace(day=1) if precision == Precision.MONTH else day.replace(month=1, day=1)
    if precision == Precision.MONTH:
        last = (first.year, first.month, gregorian.month_length(first.year, first.month))
    else:
        last = (first.year, 12, 31)
    text = format_julian(first, precision)
    assert re.fullmatch(JULIAN_FORM_PATTERN, text), text
    first_julian = julian.from_gregorian(first.year, first.month, 1)
    assert text == f"{iso(*first_julian)}/{iso(*julian.from_gregorian(*last))}"
    # Read back as Julian days, the interval is the Gregorian period: no day more, none less.
    start, end = (tuple(int(part) for part in half.split("-")) for half in text.split("/"))
    assert datetime.date(*julian.to_gregorian(*start)) == first
    assert datetime.date(*julian.to_gregorian(*end)) == period_end(first, precision) == datetime.date(*last)
    assert julian.to_jd(*end) - julian.to_jd(*start) + 1 == days(first, datetime.date(*last))


@properties
@given(julian_days())
def test_a_julian_month_or_year_is_the_gregorian_range_of_exactly_its_days(day):
    year, month, _ = day
    length = julian.month_length(year, month)
    first, last = julian_period(year, month)
    assert (first, last) == gregorian_range(f"{year:04d}-{month:02d}", Calendar.JULIAN)
    assert first == datetime.date(*julian.to_gregorian(year, month, 1))
    assert last == datetime.date(*julian.to_gregorian(year, month, length))
    assert days(first, last) == length
    # Months follow one another with no day between them or shared.
    assert julian_period(year + month // 12, month % 12 + 1)[0] == last + datetime.timedelta(days=1)
    year_first, year_last = julian_period(year)
    assert (year_first, year_last) == gregorian_range(f"{year:04d}", Calendar.JULIAN)
    assert year_first == datetime.date(*julian.to_gregorian(year, 1, 1))
    assert year_last == datetime.date(*julian.to_gregorian(year, 12, 31))
    assert days(year_first, year_last) == (366 if year % 4 == 0 else 365)


@properties
@given(gregorian_days)
def test_a_gregorian_bound_is_its_own_period(day):
    assert gregorian_range(day.isoformat(), Calendar.GREGORIAN) == (day, day)
    assert gregorian_range(day.isoformat()[:7], Calendar.GREGORIAN) == (
        day.replace(day=1),
        period_end(day.replace(day=1), Precision.MONTH),
    )


@pytest.mark.parametrize("year", [4, 100, 1800, 1899, 1900, 1903, 1904, 2000, 2100, 9996])
def test_the_julian_pattern_matches_exactly_the_julian_days(year):
    pattern = re.compile(JULIAN_PARTIAL_DATE_PATTERN)
    for month in range(0, 14):
        for day in range(0, 33):
            text = iso(year, month, day)
            real = 1 <= month <= 12 and 1 <= day <= julian.month_length(year, month)
            assert bool(pattern.fullmatch(text)) == real, text
    assert not pattern.fullmatch("0000")


# The turn of 1900: 12 days behind until Julian 28 February, 13 from Julian 29 February


@pytest.mark.parametrize(
    ("julian_day", "gregorian_day"),
    [
        ((1900, 2, 16), datetime.date(1900, 2, 28)),
        ((1900, 2, 17), datetime.date(1900, 3, 1)),
        ((1900, 2, 28), datetime.date(1900, 3, 12)),
        ((1900, 2, 29), datetime.date(1900, 3, 13)),
        ((1900, 3, 1), datetime.date(1900, 3, 14)),
        ((1905, 8, 23), datetime.date(1905, 9, 5)),
    ],
)
def test_the_days_around_the_turn_of_1900(julian_day, gregorian_day):
    assert from_julian(*julian_day) == gregorian_day
    assert to_julian(gregorian_day) == julian_day
    assert format_julian(gregorian_day, Precision.DAY) == iso(*julian_day)


def test_the_gap_grows_from_12_to_13_days_at_julian_29_february_1900():
    assert from_julian(1900, 2, 28) - datetime.date(1900, 2, 28) == datetime.timedelta(days=12)
    assert from_julian(1900, 3, 1) - datetime.date(1900, 3, 1) == datetime.timedelta(days=13)
    # Gregorian February 1900 has 28 days; the Julian one 29, its last Gregorian 13 March.
    assert julian_period(1900, 2) == (datetime.date(1900, 2, 13), datetime.date(1900, 3, 13))
    assert format_julian(datetime.date(1900, 2, 1), Precision.MONTH) == "1900-01-20/1900-02-16"


def test_a_day_only_one_calendar_has_is_refused_in_the_other():
    assert gregorian_range("1900-02-29", Calendar.JULIAN) == (datetime.date(1900, 3, 13),) * 2
    with pytest.raises(ValueError, match="not a real date of the Gregorian calendar"):
        gregorian_range("1900-02-29", Calendar.GREGORIAN)
    with pytest.raises(ValueError, match="not a day of the Julian calendar"):
        from_julian(1903, 2, 29)
    with pytest.raises(ValueError, match="not a real date of the Julian calendar"):
        gregorian_range("1903-02-29", Calendar.JULIAN)
    # Julian 0001-01-01 is Gregorian 0000-12-30, which no date holds: a range stops at the first.
    assert gregorian_range("0001-01-01", Calendar.JULIAN) == (datetime.date.min,) * 2
    assert gregorian_range("9999", Calendar.JULIAN)[1] == datetime.date.max


# Through the API

needs_db = pytest.mark.django_db


@needs_db
def test_the_treaty_is_signed_on_5_september_gregorian_23_august_julian(client):
    treaty = client.get("/api/v1/treaties/portsmouth-treaty/").json()
    assert (treaty["signed"], treaty["signed_julian"], treaty["signed_calendar"]) == (
        "1905-09-05",
        "1905-08-23",
        "gregorian",
    )
    listed = client.get("/api/v1/treaties/").json()["results"][0]
    assert listed["signed_julian"] == "1905-08-23"


@needs_db
def test_a_month_is_given_in_the_julian_calendar_as_the_days_it_covers(client):
    talks = client.get("/api/v1/negotiations/japan-russia-negotiations-1903-1904/").json()
    # August 1903 began on Julian 19 July; January 1904 ended on Julian 18 January.
    assert (talks["opened"], talks["opened_julian"], talks["opened_calendar"]) == (
        "1903-08",
        "1903-07-19/1903-08-18",
        "gregorian",
    )
    assert (talks["ended"], talks["ended_julian"], talks["ended_calendar"]) == (
        "1904-01",
        "1903-12-19/1904-01-18",
        "gregorian",
    )
    undated = client.get("/api/v1/engagements/battle-of-tsushima/").json()
    assert (undated["date"], undated["date_julian"], undated["date_calendar"]) == (None, None, None)


@needs_db
def test_timeline_entries_give_both_calendars(client):
    entries = client.get("/api/v1/timeline/", {"page_size": 100}).json()["results"]
    by_slug = {entry["slug"]: entry for entry in entries}
    assert (by_slug["portsmouth-treaty"]["date_julian"], by_slug["portsmouth-treaty"]["date_calendar"]) == (
        "1905-08-23",
        "gregorian",
    )
    assert by_slug["negotiations-ended"]["date_julian"] == "1903-12-19/1904-01-18"
    assert by_slug["battle-of-tsushima"]["date_julian"] is None


def slugs(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == HTTPStatus.OK, response.content
    return sorted(r["slug"] for r in response.json()["results"])


def errors(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["errors"]


@needs_db
def test_date_filters_read_julian_dates_with_calendar_julian(client):
    treaty = {"start": "1905-08-23", "end": "1905-08-23"}
    assert slugs(client, "/api/v1/treaties/", **treaty) == []
    assert slugs(client, "/api/v1/treaties/", calendar="julian", **treaty) == ["portsmouth-treaty"]
    assert slugs(client, "/api/v1/treaties/", calendar="gregorian", **treaty) == []
    # Julian 22 January 1904 is 4 February: relations were broken off that day.
    assert slugs(client, "/api/v1/events/", calendar="julian", start="1904-01-22", end="1904-01-22") == [
        "breaking-off-of-relations"
    ]
    # Julian January 1904 is Gregorian 14 January to 13 February: it touches Gregorian January
    # (the talks' end), holds 3 and 4 February, and not the final proposal of 13 January.
    gregorian_january = slugs(client, "/api/v1/events/", start="1904-01", end="1904-01")
    assert gregorian_january == ["final-proposal", "negotiations-ended"]
    assert slugs(client, "/api/v1/events/", calendar="julian", start="1904-01", end="1904-01") == [
        "breaking-off-of-relations",
        "negotiations-ended",
        "no-reply",
    ]
    # Julian 19 August 1903 is 1 September: the talks opened in August, before it.
    talks = ["japan-russia-negotiations-1903-1904"]
    assert slugs(client, "/api/v1/negotiations/", start="1903-08-19") == talks
    assert slugs(client, "/api/v1/negotiations/", calendar="julian", start="1903-08-19") == []
    assert slugs(client, "/api/v1/timeline/", calendar="julian", start="1905-08-23", end="1905-08-23") == [
        "portsmouth-treaty"
    ]


@needs_db
def test_julian_29_february_1900_is_a_bound_and_the_gregorian_one_is_not(client):
    assert slugs(client, "/api/v1/treaties/", calendar="julian", start="1900-02-29") == ["portsmouth-treaty"]
    for url in ("/api/v1/treaties/", "/api/v1/events/", "/api/v1/timeline/"):
        refused = errors(client, url, start="1900-02-29")
        assert list(refused) == ["start"]
        assert "not a real date of the Gregorian calendar" in refused["start"][0]
    assert list(errors(client, "/api/v1/negotiations/", calendar="gregorian", end="1900-02-29")) == ["end"]


@needs_db
def test_a_bad_calendar_or_julian_date_is_a_400(client):
    for url in ("/api/v1/treaties/", "/api/v1/engagements/", "/api/v1/timeline/"):
        assert list(errors(client, url, calendar="coptic")) == ["calendar"]
        assert list(errors(client, url, calendar="Julian", start="1905")) == ["calendar"]
    assert list(errors(client, "/api/v1/events/", calendar="julian", start="1903-02-29")) == ["start"]
    assert list(errors(client, "/api/v1/events/", calendar="julian", end="1904-13")) == ["end"]
    # Julian year 1 begins before Gregorian 0001-01-01 and 9999 ends after 9999-12-31: a bound
    # there stops at the first or last date (no record is dated beyond), not a 400.
    dated = slugs(client, "/api/v1/events/", dated="true")
    assert slugs(client, "/api/v1/events/", calendar="julian", start="0001") == dated
    assert slugs(client, "/api/v1/events/", calendar="julian", end="9999-12") == dated
    # The last Gregorian month ends on the last day a date holds.
    assert slugs(client, "/api/v1/events/", end="9999-12") == slugs(client, "/api/v1/events/", dated="true")


# What is stored


def integrity_error(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


@needs_db
def test_a_calendar_stands_with_a_date_and_only_with_one():
    undated = Event.objects.filter(slug="outbreak-of-hostilities")
    integrity_error(lambda: undated.update(date_calendar=Calendar.GREGORIAN))
    integrity_error(lambda: Event.objects.filter(slug="final-proposal").update(date_calendar=None))
    integrity_error(lambda: Treaty.objects.update(date_calendar="coptic"))
    integrity_error(lambda: Negotiation.objects.update(ended_calendar=None))
    integrity_error(lambda: Negotiation.objects.update(ended=None, ended_precision=None, ended_basis=None))


@needs_db
def test_a_julian_date_is_kept_to_the_day():
    # The talks opened in (Gregorian) August 1903: a Julian August would be no Gregorian month.
    integrity_error(lambda: Negotiation.objects.update(date_calendar=Calendar.JULIAN))
    integrity_error(lambda: Negotiation.objects.update(ended_calendar=Calendar.JULIAN))
    talks = Negotiation.objects.get()
    talks.date_calendar = Calendar.JULIAN
    with pytest.raises(ValidationError, match="kept to the day"):
        talks.full_clean()
    Treaty.objects.update(date_calendar=Calendar.JULIAN)
    assert Treaty.objects.get().date == datetime.date(1905, 9, 5)


@needs_db
def test_the_calendar_is_written_with_the_date_and_the_date_stays_gregorian(admin_client_api):
    client = admin_client_api
    url = "/api/v1/treaties/portsmouth-treaty/"
    julian_source = client.patch(url, {"signed_calendar": "julian"}, format="json")
    assert julian_source.status_code == HTTPStatus.OK, julian_source.content
    body = julian_source.json()
    signed = (body["signed"], body["signed_julian"], body["signed_calendar"])
    assert signed == ("1905-09-05", "1905-08-23", "julian")
    assert Treaty.objects.get().date == datetime.date(1905, 9, 5)
    # A date given without its calendar is refused, as one without its basis is.
    event = "/api/v1/engagements/battle-of-tsushima/"
    unlabelled = client.patch(event, {"date": "1905-05-27", "date_basis": "document"}, format="json")
    assert unlabelled.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, unlabelled.content
    assert unlabelled.json()["errors"] == {
        "__all__": [
            "A date says which calendar its source gives it in (date_calendar: gregorian or julian); "
            "an empty date has none."
        ]
    }
    month = client.patch(
        event, {"date": "1905-05", "date_calendar": "julian", "date_basis": "document"}, format="json"
    )
    assert month.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, month.content
    assert "kept to the day" in month.json()["errors"]["__all__"][0]
    day = client.patch(
        event, {"date": "1905-05-27", "date_calendar": "julian", "date_basis": "document"}, format="json"
    ).json()
    assert (day["date"], day["date_julian"], day["date_calendar"]) == ("1905-05-27", "1905-05-14", "julian")
    cleared = client.patch(event, {"date": None}, format="json").json()
    assert (cleared["date"], cleared["date_julian"], cleared["date_calendar"], cleared["date_basis"]) == (
        None,
        None,
        None,
        None,
    )


@pytest.fixture
def admin_client_api(make_user, api_as):
    return api_as(make_user("admin", superuser=True))
