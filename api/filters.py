"""Filters every resource's FilterSet is made of: a related record by slug, a kind of record,
whole numbers, booleans and date ranges, each as strict as the schema says."""

import re

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import validate_slug
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import NotFound, ValidationError

from api.calendars import JULIAN_PARTIAL_DATE_PATTERN, gregorian_range
from api.dates import Calendar, overlapping
from api.fields import SLUG_PATTERN
from api.readings import Basis
from api.rows import generic_key


def invalid(message: str) -> forms.ValidationError:
    """A form error whose message may quote the client's value: django-filter formats every
    message with its params, so a "%" in the value, left in the message, would be a 500."""
    return forms.ValidationError("%(message)s", params={"message": message})


# The query parameter naming the calendar a list's date bounds are written in.
CALENDAR_PARAMETER = "calendar"
# A date bound in either calendar: a real Julian date, which every Gregorian date is too. The
# Gregorian calendar's own leap years are checked once the calendar is known (DateRangeBound).
DATE_BOUND_SCHEMA = {"type": "string", "pattern": JULIAN_PARTIAL_DATE_PATTERN, "maxLength": len("YYYY-MM-DD")}
_DATE_BOUND = re.compile(JULIAN_PARTIAL_DATE_PATTERN)


class PartialDateFormField(forms.CharField):
    """Accepts YYYY, YYYY-MM or YYYY-MM-DD, a real date of either calendar, as written: which
    calendar it is in is another parameter's (DateRangeBound)."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        if not _DATE_BOUND.fullmatch(value):
            raise invalid(f"{value!r} is not a real date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        return value


class SlugRecordField(django_filters.fields.ModelChoiceField):
    """A record named by its slug. A malformed slug is invalid input (400); a well-formed one
    that names no record is a 404 naming the parameter, as a detail URL with it would be."""

    def __init__(self, *args, parameter: str, **kwargs):
        self.parameter = parameter
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        validate_slug(value)
        try:
            return super().to_python(value)
        except forms.ValidationError:
            kind = self.queryset.model._meta.verbose_name
            raise NotFound(f"{self.parameter}: no {kind} has the slug {value!r}.") from None


@extend_schema_field({"type": "string", "pattern": SLUG_PATTERN})
class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A related record of `model`, named by its slug."""

    field_class = SlugRecordField

    def __init__(self, model, **kwargs):
        super().__init__(queryset=model.objects.all(), to_field_name="slug", **kwargs)

    @property
    def field(self):
        # The query parameter's name, for the 404: `party=` may filter on the field `parties`.
        self.extra["parameter"] = next(name for name, f in self.parent.filters.items() if f is self)
        return super().field


class PlacedFilter(SlugChoiceFilter):
    """Records that name a place in a role: by default where they are at (`at`: where it
    happened, or what it is about), so that `?place=mukden` finds where fighting was at Mukden
    and not a retreat's destination; the sibling `role_parameter` names one role instead."""

    def __init__(self, model, *, role_parameter: str, at, **kwargs):
        self.role_parameter, self.at = role_parameter, list(at)
        super().__init__(model, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        role = self.parent.form.cleaned_data.get(self.role_parameter)
        # One filter() call, so that the place and its role are of the same link row.
        return qs.filter(
            **{
                f"{self.field_name}__place": value,
                f"{self.field_name}__role__in": [role] if role else self.at,
            }
        ).distinct()


class PlaceRoleFilter(django_filters.ChoiceFilter):
    """With `place_parameter`, the role its PlacedFilter matches; alone, records that name any
    place in this role (`?place_role=destination`)."""

    def __init__(self, *, place_parameter: str, **kwargs):
        self.place_parameter = place_parameter
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES or self.parent.form.cleaned_data.get(self.place_parameter):
            return qs
        return qs.filter(**{self.field_name: value}).distinct()


# Bounds that every database compares safely (SQLite overflows past 64 bits).
INTEGER_FILTER_MAX = 2**31 - 1


class WholeNumberField(forms.IntegerField):
    """Plain digits only: Django's own field would also take "1.0", " 1", "+1" and "1_0"."""

    digits = re.compile(r"[0-9]+")

    def to_python(self, value):
        if value not in self.empty_values and not self.digits.fullmatch(str(value)):
            raise forms.ValidationError("Expected a whole number, written in digits.", code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": INTEGER_FILTER_MAX})
class IntegerFilter(django_filters.Filter):
    """A whole number from 0 to 2**31 - 1; a fraction or anything larger is a 400."""

    field_class = WholeNumberField

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", INTEGER_FILTER_MAX)
        super().__init__(**kwargs)


class StrictBooleanFormField(forms.Field):
    """true or false; anything else is an error rather than "no filter"."""

    values = {"true": True, "false": False}

    def clean(self, value):
        if value in (None, ""):
            return None
        try:
            return self.values[value]
        except KeyError:
            raise invalid(f"{value!r} is not a boolean; use true or false.") from None


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanFormField


@extend_schema_field(DATE_BOUND_SCHEMA)
class DateRangeBound(django_filters.Filter):
    """One end of a date range, written in the calendar the FilterSet's CalendarFilter names
    (Gregorian by default); a record's date counts with its whole period (month, year), and so
    does the bound: a Julian month is the Gregorian days it covers."""

    field_class = PartialDateFormField

    def __init__(self, *, bound: str, date_field: str = "date", **kwargs):
        self.bound = bound
        self.date_field = date_field
        relation = "on or after" if bound == "start" else "on or before"
        kwargs.setdefault(
            "help_text",
            f"Only records whose chosen date (`chosen_date`: their own, or the chosen statement's) is, at "
            f"its precision, {relation} this date: YYYY, YYYY-MM or YYYY-MM-DD, in the Gregorian "
            f"calendar, or in the Julian one with `{CALENDAR_PARAMETER}=julian`. A month-precision date "
            "matches any range that touches its month.",
        )
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        calendar = self.parent.form.cleaned_data.get(CALENDAR_PARAMETER) or Calendar.GREGORIAN
        try:
            first, last = gregorian_range(value, calendar)
        except ValueError as exc:
            # A 400 as the form's own errors are: 1900-02-29 is a real date, but no Gregorian one.
            name = next(name for name, f in self.parent.filters.items() if f is self)
            raise ValidationError({name: [str(exc)]}) from None
        if self.bound == "start":
            return qs.filter(overlapping(self.date_field, first, None))
        return qs.filter(overlapping(self.date_field, None, last))


class CalendarFilter(django_filters.ChoiceFilter):
    """The calendar the FilterSet's date bounds are written in; it selects nothing itself."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "The calendar `start` and `end` are written in: gregorian (the default) or julian (Russia's "
            "until 1918). A Julian date is read as the Gregorian days it covers: Julian 1905-08-23 is "
            "1905-09-05, Julian 1900-02-29 (a day the Gregorian calendar lacks) is 1900-03-13, and "
            "Julian 1903-08 runs from 1903-08-14 to 1903-09-13.",
        )
        super().__init__(choices=Calendar.choices, **kwargs)

    def filter(self, qs, value):
        return qs


def date_range_filters() -> tuple[DateRangeBound, DateRangeBound, CalendarFilter]:
    """`start`, `end` and the `calendar` they are written in, for a FilterSet of dated records:
    on their chosen date (api.dates.DatedRecord.chosen_date)."""
    return (
        DateRangeBound(bound="start", date_field="chosen_date"),
        DateRangeBound(bound="end", date_field="chosen_date"),
        CalendarFilter(),
    )


@extend_schema_field(OpenApiTypes.STR)
class RecordTypeFilter(django_filters.ChoiceFilter):
    """Records whose generic relation (`content_type_field`) points at a kind of record among
    `kinds` (a callable giving the models by type name)."""

    def __init__(self, *, kinds, content_type_field: str, **kwargs):
        self.kinds = kinds
        self.content_type_field = content_type_field
        super().__init__(choices=lambda: [(name, name) for name in sorted(kinds())], **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        content_type = ContentType.objects.get_for_model(self.kinds()[value])
        return qs.filter(**{self.content_type_field: content_type})


class DateBasisFilter(django_filters.ChoiceFilter):
    """Records whose date the source states (`document`) or we read from it (`reading`); an
    undated record matches neither."""

    def __init__(self, date_field: str = "date", **kwargs):
        kwargs.setdefault(
            "help_text",
            "document: only records whose date the source states; reading: only those whose date "
            "is our reading of the source (its rationale says why). Undated records match neither.",
        )
        super().__init__(choices=Basis.choices, field_name=f"{date_field}_basis", **kwargs)


# A record of any kind by its public id, `type:slug`: "engagement:occupation-of-mukden".
RECORD_PATTERN = r"^[a-z]+(?:-[a-z]+)*:[-a-zA-Z0-9_]+$"


class RecordFormField(forms.CharField):
    """A record of any kind among `kinds`, named `type:slug`. A malformed value or an unknown
    type is invalid input (400); a well-formed one naming no record is a 404 naming the
    parameter, as SlugRecordField's."""

    def __init__(self, *args, kinds, parameter: str, **kwargs):
        self.kinds = kinds
        self.parameter = parameter
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        kind, _, slug = value.partition(":")
        if not re.fullmatch(RECORD_PATTERN, value):
            raise invalid(
                f"{value!r} is not a record: write type:slug, e.g. engagement:occupation-of-mukden."
            )
        models = self.kinds()
        if kind not in models:
            raise invalid(f"{kind!r} is not a kind of record here; choose from {', '.join(sorted(models))}.")
        found = models[kind]._default_manager.filter(slug=slug).first()
        if found is None:
            raise NotFound(f"{self.parameter}: no {kind} has the slug {slug!r}.")
        return found


@extend_schema_field({"type": "string", "pattern": RECORD_PATTERN})
class RecordLinkFilter(django_filters.Filter):
    """Records whose rows at `field_name` (a claim's `judges`) link by a generic key to one
    record of any kind among `kinds` (a callable giving the models by type name), named
    `type:slug`."""

    field_class = RecordFormField

    def __init__(self, *, kinds, **kwargs):
        self.kinds = kinds
        super().__init__(kinds=kinds, **kwargs)

    def schema_pattern(self) -> str:
        """RECORD_PATTERN with the kinds it takes, for the schema (api.schema)."""
        return rf"^(?:{'|'.join(sorted(self.kinds()))}):[-a-zA-Z0-9_]+$"

    @property
    def field(self):
        self.extra["parameter"] = next(name for name, f in self.parent.filters.items() if f is self)
        return super().field

    def filter(self, qs, value):
        if value is None:
            return qs
        key = generic_key(qs.model._meta.get_field(self.field_name).related_model)
        return qs.filter(
            **{
                f"{self.field_name}__{key.ct_field}": ContentType.objects.get_for_model(value),
                f"{self.field_name}__{key.fk_field}": value.pk,
            }
        )


def selects_everything(filterset_class, query_params) -> bool:
    """Whether a FilterSet would select everything for this query: it names none of the
    filters and none is required (whose absence is an error). Then it need not be built:
    building one and its form is most of the work of a stored read (api.renderings)."""
    filters = filterset_class.base_filters
    required = any(filter.extra.get("required") for filter in filters.values())
    return not required and not set(query_params) & set(filters)


def place_filters(place_model, link_model) -> tuple[PlacedFilter, PlaceRoleFilter]:
    """`place` and `place_role` for a list whose records name places through rows of the shape
    of `link_model` (events.PlaceLink) under `place_links`."""
    at = " or ".join(link_model.AT)
    return (
        PlacedFilter(
            place_model,
            field_name="place_links",
            role_parameter="place_role",
            at=link_model.AT,
            help_text=f"Slug of a place it names as {at} (with `place_role`, in that role instead).",
        ),
        PlaceRoleFilter(
            field_name="place_links__role",
            place_parameter="place",
            choices=link_model.Role.choices,
            help_text="With `place`, the role the place has; alone, records naming any place in this role.",
        ),
    )
