"""Serializer pieces every app uses: links to related records, citations, dates, and the
base serializer that turns the database's own rules into clean 400s."""

from collections.abc import Mapping

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail
from rest_framework.relations import MANY_RELATION_KWARGS

from sources.dates import PARTIAL_DATE_PATTERN, format_partial_date, parse_partial_date
from sources.models import Citation, Source


def record_type(model) -> str:
    """The public name of a kind of record: "party", "treaty-article", ..."""
    return model._meta.verbose_name.replace(" ", "-")


def detail_url(request, instance) -> str:
    path = reverse(f"{record_type(type(instance))}-detail", kwargs={"slug": instance.slug})
    return request.build_absolute_uri(path) if request is not None else path


class LinkField(serializers.SlugRelatedField):
    """A related record: written as its slug, read as `{slug, name, url}`."""

    default_error_messages = {"blank": "Give the slug of a record (or null, where it may be empty)."}

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # DRF would take "" for null; the schema says a slug or null.
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    def to_representation(self, value):
        request = self.context.get("request")
        return {"slug": value.slug, "name": str(value.name), "url": detail_url(request, value)}

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


def citable_models() -> dict:
    """Every kind of record that carries citations, by its public type name."""
    return {
        record_type(model): model
        for model in apps.get_models()
        if any(field.name == "citations" for field in model._meta.private_fields)
    }


class RecordSummaryField(serializers.Field):
    """A link to a record of any kind, for generic relations (a citation's record, a figure's
    subject). Written as `{"type": "engagement", "slug": "battle-of-tsushima"}`."""

    default_error_messages = {
        "shape": 'Expected {{"type": ..., "slug": ...}} and nothing else.',
        "type": "Unknown record type {value!r}; choose from {choices}.",
        "does_not_exist": "No {type} with slug {slug!r}.",
    }

    def to_internal_value(self, data):
        if (
            not isinstance(data, Mapping)
            or set(data) != {"type", "slug"}
            or not isinstance(data["type"], str)
            or not isinstance(data["slug"], str)
        ):
            self.fail("shape")
        models = citable_models()
        model = models.get(data["type"])
        if model is None:
            self.fail("type", value=data["type"], choices=", ".join(sorted(models)))
        found = model.objects.filter(slug=data["slug"]).first()
        if found is None:
            self.fail("does_not_exist", type=data["type"], slug=data["slug"])
        return found

    def to_representation(self, value):
        return {
            "type": record_type(type(value)),
            "slug": value.slug,
            "name": str(value.name),
            "url": detail_url(self.context.get("request"), value),
        }


@extend_schema_field({"type": "string", "nullable": True, "pattern": PARTIAL_DATE_PATTERN})
class PartialDateField(serializers.Field):
    """A date written to its precision: "1905-09-05", "1903-08" or "1904"; null where unknown.

    Writing one sets both the date and its precision, which follows from the form given.
    """

    def __init__(self, date_field: str = "date", **kwargs):
        self.date_field = date_field
        kwargs.setdefault("source", "*")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, {self.date_field: None, f"{self.date_field}_precision": None}
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


class CitationSerializer(serializers.ModelSerializer):
    """Where a record's words are in the source: the quote and its character offsets."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="citation-detail", lookup_field="uuid")
    source = LinkField(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "url", "quote", "start", "end", "source"]


def citations_prefetch(path: str = "citations") -> Prefetch:
    """Citations with their source's name, not its whole text."""
    return Prefetch(path, queryset=Citation.objects.select_related("source").defer("source__text"))


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


STRICT_FIELDS = {
    serializers.CharField: strict(serializers.CharField, str),
    serializers.SlugField: strict(serializers.SlugField, str),
    serializers.ChoiceField: strict(serializers.ChoiceField, str),
    serializers.IntegerField: strict(serializers.IntegerField, int),
    serializers.BooleanField: strict(serializers.BooleanField, bool),
    # Documented as a string, as it is read: "41.80000".
    serializers.DecimalField: strict(serializers.DecimalField, str),
}


class StrictTypesMixin:
    """Model fields become serializer fields that take only the JSON type documented."""

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        return STRICT_FIELDS.get(field_class, field_class), field_kwargs


def model_rule_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """The model's own validation, past the serializer's fields: a rule about the data (a
    constraint, clean()) the schema cannot state, or a duplicate. See config.errors."""

    def recode(detail):
        if isinstance(detail, dict):
            return {key: recode(value) for key, value in detail.items()}
        if isinstance(detail, list):
            return [recode(value) for value in detail]
        code = detail.code if detail.code in ("unique", "unique_together") else "data_rule"
        return ErrorDetail(str(detail), code=code)

    return serializers.ValidationError(recode(get_error_detail(exc)))


class KnownFieldsMixin:
    """An unknown or read-only field is a 400, not silently dropped; the schema says so
    (additionalProperties: false, see config.schema.AutoSchema)."""

    rejects_unknown_fields = True

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[key] = ["Unknown field."]
                elif field.read_only:
                    errors[key] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class RecordSerializer(KnownFieldsMixin, StrictTypesMixin, serializers.ModelSerializer):
    """Writes that are strict: only known fields of the documented JSON types; a slug is set
    once, at creation; and the model's own validation (choices, constraints, uniqueness)
    answers with a 422 or 409 that names the field instead of a database error."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if self.instance is not None and "slug" in value and value["slug"] != self.instance.slug:
            message = ErrorDetail("The slug of an existing record cannot be changed.", code="data_rule")
            raise serializers.ValidationError({"slug": [message]})
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many = {f.name for f in model._meta.many_to_many}
        candidate = model() if self.instance is None else model.objects.get(pk=self.instance.pk)
        for name, value in attrs.items():
            if name not in many and not isinstance(value, list):
                setattr(candidate, name, value)
        computed = [f.name for f in model._meta.concrete_fields if not f.editable]
        try:
            candidate.full_clean(exclude=[*many, *computed, *self.nested_writes()])
        except DjangoValidationError as exc:
            raise model_rule_error(exc) from None
        return attrs

    def nested_writes(self) -> list[str]:
        """Fields written by the serializer itself rather than set on the model."""
        return []


class RowSerializer(KnownFieldsMixin, StrictTypesMixin, serializers.ModelSerializer):
    """A row of a through model written inside its owner; the model's rules that do not
    involve the owner (check constraints) answer with a 422."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        row = self.Meta.model(**attrs)
        owner_fields = [f.name for f in self.Meta.model._meta.concrete_fields if f.name not in attrs]
        try:
            row.full_clean(exclude=owner_fields, validate_unique=False)
        except DjangoValidationError as exc:
            raise model_rule_error(exc) from None
        return attrs


class CitedSerializer(RecordSerializer):
    """Every record shows the citations it rests on (written through /citations/)."""

    citations = CitationSerializer(many=True, read_only=True)


class CitationDetailSerializer(RecordSerializer):
    """A citation on its own: written with the record it supports and the source it quotes;
    the quote must be the source text at its offsets."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="citation-detail", lookup_field="uuid")
    source = LinkField(queryset=Source.objects.all())
    record = RecordSummaryField(help_text="The record this citation supports.")

    class Meta:
        model = Citation
        fields = ["id", "url", "quote", "start", "end", "source", "record"]


class SourceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="source-detail", lookup_field="slug")
    length = serializers.IntegerField(
        read_only=True, help_text="Characters in the text; citation offsets index into it."
    )

    class Meta:
        model = Source
        fields = ["slug", "url", "name", "filename", "sha256", "length"]


class SourceDetailSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]
