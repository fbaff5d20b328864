"""Serializer fields every resource uses: links to records, dates to their precision,
coordinates, and field types that take only the JSON type the schema documents."""

import datetime
import decimal
import re
from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from api.calendars import JULIAN_FORM_PATTERN, format_julian
from api.dates import PARTIAL_DATE_SCHEMA, Calendar, format_partial_date, parse_partial_date
from api.readings import Basis
from api.registry import citable_models, detail_url, owned_record_serializer, record_type, record_url
from api.rows import generic_key

# What Django's slug validator accepts, as the schema states it.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def link_to(record, request) -> dict:
    """A related record as every response shows it: `{slug, name, url}`."""
    return {"slug": record.slug, "name": str(record.name), "url": detail_url(request, record)}


def summary_of(record, request) -> dict:
    """A record of any kind: its link with its type first, `{type, slug, name, url}`."""
    return summary(request, type(record), record.slug, str(record.name))


def summary(request, model, slug: str, name: str) -> dict:
    """`{type, slug, name, url}` of `model`'s record `slug`, from its columns alone."""
    return {"type": record_type(model), "slug": slug, "name": name, "url": record_url(request, model, slug)}


class LinkSerializer(serializers.Serializer):
    """A link to a related record."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()

    class Meta:
        ref_name = "Link"

    def to_representation(self, instance):
        return link_to(instance, self.context.get("request"))


class RecordSummarySerializer(LinkSerializer):
    """A link to a record of any kind."""

    # The timeline's entries and search's hits are this shape with fields of their own after.

    type = serializers.CharField(help_text="The kind of record, e.g. engagement.")

    class Meta:
        ref_name = "RecordSummary"

    def to_representation(self, instance):
        summary = summary_of(instance, self.context.get("request"))
        for name, field in self.fields.items():
            if name not in summary:
                summary[name] = field.to_representation(field.get_attribute(instance))
        return summary


def record_url_field(kind: str) -> serializers.HyperlinkedIdentityField:
    """A record's own URL, for the kind of record named `kind` (its record_type)."""
    return serializers.HyperlinkedIdentityField(view_name=f"{kind}-detail", lookup_field="slug")


class LinkField(serializers.SlugRelatedField):
    """A related record: written as its slug, read as `{slug, name, url}`."""

    default_error_messages = {
        "blank": "Give the slug of a record (or null, where it may be empty).",
        "not_a_slug": "Expected a slug: a JSON string.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # DRF would take "" for null; the schema says a slug or null.
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    def to_internal_value(self, data):
        # DRF would look up 0 as the slug "0"; the schema says a string.
        if not isinstance(data, str):
            self.fail("not_a_slug")
        return super().to_internal_value(data)

    def to_representation(self, value):
        return link_to(value, self.context.get("request"))

    def use_pk_only_optimization(self):
        return False

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return LinkListField(child_relation=cls(*args, **kwargs), **list_kwargs)


class LinkListField(serializers.ManyRelatedField):
    """A list of links. DRF's own would take a JSON object as the list of its keys."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class RecordSummaryField(serializers.Field):
    """A link to a record of any kind among `kinds` (a callable giving the models by type
    name), for generic relations: a citation's record, a figure's subject. Written as
    `{"type": "engagement", "slug": "battle-of-tsushima"}`, read as `{type, slug, name, url}`."""

    default_error_messages = {
        "shape": 'Expected {{"type": ..., "slug": ...}} and nothing else.',
        "type": "Unknown record type {value!r}; choose from {choices}.",
        # DRF's own code for a link to a missing record (see api.writes).
        "does_not_exist": "No {type} with slug {slug!r}.",
    }

    def __init__(self, *, kinds=citable_models, **kwargs):
        self.kinds = kinds
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if (
            not isinstance(data, Mapping)
            or set(data) != {"type", "slug"}
            or not isinstance(data["type"], str)
            or not isinstance(data["slug"], str)
        ):
            self.fail("shape")
        models = self.kinds()
        model = models.get(data["type"])
        if model is None:
            self.fail("type", value=data["type"], choices=", ".join(sorted(models)))
        found = model.objects.filter(slug=data["slug"]).first()
        if found is None:
            self.fail("does_not_exist", type=data["type"], slug=data["slug"])
        return found

    def to_representation(self, value):
        return summary_of(value, self.context.get("request"))


class RecordLinksField(serializers.ListField):
    """Links to records of any kind among `kinds`, held as rows that point at each by a
    generic key (a claim's `judges`; `source` names the rows' reverse relation). Written as a
    list of `{"type": ..., "slug": ...}`, which replaces the rows as a whole
    (api.serializers.RecordSerializer), read as `{type, slug, name, url}` ordered by type and
    slug."""

    def __init__(self, *, kinds=citable_models, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(child=RecordSummaryField(kinds=kinds), **kwargs)

    def generic_key(self):
        return generic_key(self.parent.Meta.model._meta.get_field(self.source).related_model)

    def to_internal_value(self, data):
        key = self.generic_key()
        return [
            {key.ct_field: ContentType.objects.get_for_model(record), key.fk_field: record.pk}
            for record in super().to_internal_value(data)
        ]

    def get_attribute(self, instance):
        return getattr(instance, self.source).all()

    def to_representation(self, data):
        key = self.generic_key()
        links = [self.child.to_representation(getattr(row, key.name)) for row in data]
        return sorted(links, key=lambda link: (link["type"], link["slug"]))


class OwnedRecordsField(serializers.Field):
    """The records of a generic relation that belong to this one (its figures), read-only, each
    shown by the serializer registered for their model (api.registry.shown_inside_owners), so
    an app shows another app's records without importing its serializers."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def owned_model(self):
        return self.parent.Meta.model._meta.get_field(self.source).related_model

    def get_attribute(self, instance):
        return instance, getattr(instance, self.source).all()

    def to_representation(self, value):
        owner, records = value
        serializer_class = owned_record_serializer(self.owned_model())
        records = list(records)
        # A serializer that shows how its records stand to each other (several sources' values
        # of one thing: which is chosen, whether they differ) sees them all, and their owner.
        if hasattr(serializer_class, "judge"):
            serializer_class.judge(owner, records)
        serializer = serializer_class(context=self.context)
        return [serializer.to_representation(record) for record in records]


@extend_schema_field({**PARTIAL_DATE_SCHEMA, "nullable": True})
class PartialDateField(serializers.Field):
    """A date written to its precision: "1905-09-05", "1903-08" or "1904"; null where unknown.
    It is written in the Gregorian calendar whichever calendar the source gives it in (its
    `_calendar` says which; JulianDateField gives it in the Julian one).

    Writing one sets both the date and its precision, which follows from the form given;
    writing null clears what was said of the date too (its calendar, basis and rationale).
    """

    def __init__(self, date_field: str = "date", **kwargs):
        self.date_field = date_field
        kwargs.setdefault("source", "*")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None:
            name = self.date_field
            return True, {
                name: None,
                f"{name}_precision": None,
                f"{name}_calendar": None,
                f"{name}_basis": None,
                f"{name}_rationale": "",
            }
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Expected a string: YYYY, YYYY-MM or YYYY-MM-DD.")
        try:
            value, precision = parse_partial_date(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return {self.date_field: value, f"{self.date_field}_precision": precision}

    def to_representation(self, instance):
        return format_partial_date(
            getattr(instance, self.date_field), getattr(instance, f"{self.date_field}_precision")
        )


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": JULIAN_FORM_PATTERN,
        "readOnly": True,
        "example": "1905-08-23",
    }
)
class JulianDateField(serializers.Field):
    """A stored date in the Julian calendar, read-only: a day as YYYY-MM-DD, a month or year as
    the ISO 8601 interval of the Julian days it covers ("1903-07-19/1903-08-18"), never one
    invented day (api.calendars)."""

    def __init__(self, date_field: str = "date", **kwargs):
        self.date_field = date_field
        kwargs.setdefault("source", "*")
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, instance):
        return format_julian(
            getattr(instance, self.date_field), getattr(instance, f"{self.date_field}_precision")
        )


class CoordinateField(serializers.DecimalField):
    """Degrees, read and written as a JSON number within ±`bound`, kept to 5 decimal places
    (about a metre): more are rounded, half to even. DRF alone would read a string, and take
    "" for null and numbers past the bound the schema states."""

    bound: int
    places = 5
    default_error_messages = {"coordinate": "Give degrees as a JSON number from -{bound} to {bound}."}

    def __init__(self, **kwargs):
        super().__init__(
            max_digits=self.places + 3,
            decimal_places=self.places,
            coerce_to_string=False,
            rounding=decimal.ROUND_HALF_EVEN,
            allow_null=True,
            required=False,
            **kwargs,
        )

    def validate_empty_values(self, data):
        # Not DecimalField's, which takes "" for null: the schema says a number, or null.
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data):
        if (
            isinstance(data, bool)
            or not isinstance(data, int | float)
            or not -self.bound <= data <= self.bound
        ):
            self.fail("coordinate", bound=self.bound)
        return self.quantize(decimal.Decimal(str(data)))


def coordinate_schema(bound: int, example: float, places: int = 5) -> dict:
    return {
        "type": "number",
        "nullable": True,
        "minimum": -bound,
        "maximum": bound,
        "example": example,
        "description": f"Degrees, from -{bound} to {bound}; kept to {places} decimal places (more are "
        "rounded).",
    }


@extend_schema_field(coordinate_schema(90, 41.8))
class LatitudeField(CoordinateField):
    bound = 90


@extend_schema_field(coordinate_schema(180, 123.4))
class LongitudeField(CoordinateField):
    bound = 180


# A statement's coordinates keep what its source gives: six places (a tenth of a metre).
@extend_schema_field(coordinate_schema(90, 34.566283, places=6))
class FineLatitudeField(LatitudeField):
    places = 6


@extend_schema_field(coordinate_schema(180, 130.150933, places=6))
class FineLongitudeField(LongitudeField):
    places = 6


class JsonTypeMixin:
    """Takes only the JSON type the schema documents: DRF would also take 0 for false, "5"
    or 5.0 for 5, and 5 for "5"."""

    json_types: tuple[type, ...] = ()
    default_error_messages = {"wrong_type": "Expected a JSON {expected}."}

    def to_internal_value(self, data):
        if not isinstance(data, self.json_types) or (isinstance(data, bool) and bool not in self.json_types):
            names = {str: "string", int: "integer", bool: "boolean"}
            self.fail("wrong_type", expected=" or ".join(names[t] for t in self.json_types))
        return super().to_internal_value(data)


def strict(field_class, *json_types):
    return type(field_class.__name__, (JsonTypeMixin, field_class), {"json_types": json_types})


# What each model field becomes in a record's serializer (api.serializers.StrictTypesMixin).
STRICT_FIELDS = {
    serializers.CharField: strict(serializers.CharField, str),
    serializers.SlugField: strict(serializers.SlugField, str),
    serializers.ChoiceField: strict(serializers.ChoiceField, str),
    serializers.IntegerField: strict(serializers.IntegerField, int),
    serializers.BooleanField: strict(serializers.BooleanField, bool),
    # Documented as a string, as it is read: "41.80000" (coordinates are numbers: CoordinateField).
    serializers.DecimalField: strict(serializers.DecimalField, str),
}


def date_basis_fields(date_field: str) -> tuple[serializers.Field, serializers.Field]:
    """The basis and rationale of a date (api.readings), for a serializer that names the date
    otherwise than its model field ("signed" for a treaty's `date`)."""
    basis = STRICT_FIELDS[serializers.ChoiceField](
        choices=Basis.choices,
        source=f"{date_field}_basis",
        allow_null=True,
        required=False,
        help_text=(
            "Whether the source states the date (document) or it is our reading (reading); null when undated."
        ),
    )
    rationale = STRICT_FIELDS[serializers.CharField](
        source=f"{date_field}_rationale",
        allow_blank=True,
        required=False,
        help_text="Why the date is read this way: required for a reading.",
    )
    return basis, rationale


def date_calendar_fields(
    date_field: str = "date", shown_as: str = ""
) -> tuple[serializers.Field, serializers.Field]:
    """A date in the Julian calendar (read-only) and the calendar its source gives it in
    (written with the date), beside the date itself (PartialDateField), which the serializer
    may name otherwise (`shown_as`: "signed" for a treaty's `date`)."""
    # DRF refuses a source that repeats the field's name.
    source = {} if shown_as in ("", date_field) else {"source": f"{date_field}_calendar"}
    julian = JulianDateField(
        date_field,
        help_text=(
            "The date in the Julian calendar (Russia's until 1918), converted from the Gregorian "
            "date: YYYY-MM-DD for a day; for a month or year the ISO 8601 interval of the Julian days "
            "it covers (first/last), never one day. Null when undated."
        ),
    )
    calendar = STRICT_FIELDS[serializers.ChoiceField](
        choices=Calendar.choices,
        **source,
        allow_null=True,
        required=False,
        help_text=(
            "The calendar the source gives the date in (gregorian or julian); the date is written in "
            "the Gregorian calendar either way. Required with a date, null when undated; a julian date "
            "is given to the day (a Julian month or year is no Gregorian one)."
        ),
    )
    return julian, calendar


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "date": {**PARTIAL_DATE_SCHEMA, "description": "In the Gregorian calendar, to its precision."},
            "precision": {"type": "string", "enum": ["day", "month", "year"]},
            "statement": {
                "type": "string",
                "nullable": True,
                "description": "The slug of the statement (in `statements`) it is chosen from; null: the "
                "record's own date, from the source it rests on.",
            },
        },
        "required": ["date", "precision", "statement"],
    }
)
class ChosenDateField(serializers.Field):
    """The date a list filters and orders the record by (api.dates.DatedRecord.chosen_date),
    and where it comes from: the record's own date, or one of its statements."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "The date lists filter (`start`, `end`) and order (`ordering=date`) this record by: its own "
            "date, or, where the source it rests on gives none, the chosen statement of its date as a "
            "whole (held texts first, then references by precedence). Null: no source dates it.",
        )
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        if record.chosen_date is None:
            return None
        statement = record.chosen_date_statement()
        return {
            "date": format_partial_date(record.chosen_date, record.chosen_date_precision),
            "precision": record.chosen_date_precision,
            "statement": statement.slug if statement is not None else None,
        }


def statements_field() -> OwnedRecordsField:
    """A record's statements: the values other sources give for its dates, coordinates, names."""
    return OwnedRecordsField(
        help_text="Other sources' values for its dates, coordinates, names and identifiers, each cited, "
        "beside its own: each says whether it is disputed and whether it is chosen."
    )


TIME_OF_DAY_PATTERN = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"


@extend_schema_field({"type": "string", "pattern": TIME_OF_DAY_PATTERN, "nullable": True, "example": "15:50"})
class TimeOfDayField(serializers.Field):
    """A local time of day to the minute, read and written as HH:MM, as the sources give one
    ("about 3:50 p.m." is 15:50): no seconds and no offset, which no source of the time states."""

    default_error_messages = {"time": "Give a time of day as HH:MM (00:00 to 23:59), or null."}

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(TIME_OF_DAY_PATTERN, data):
            self.fail("time")
        hours, minutes = data.split(":")
        return datetime.time(int(hours), int(minutes))

    def to_representation(self, value):
        return value.strftime("%H:%M")
