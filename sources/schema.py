"""How drf-spectacular documents this project's own serializer fields."""

from drf_spectacular.contrib import django_filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

# What Django's slug validator accepts, as the schema states it.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"

# The longest value any query parameter may have (config.filtering refuses longer ones).
QUERY_VALUE_MAX_LENGTH = 200


class LinkSummarySerializer(serializers.Serializer):
    """A link to a related record."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()

    class Meta:
        ref_name = "Link"


class RecordSummarySerializer(serializers.Serializer):
    """A link to a record of any kind."""

    type = serializers.CharField(help_text="The kind of record, e.g. engagement.")
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()

    class Meta:
        ref_name = "RecordSummary"


class LinkFieldExtension(OpenApiSerializerFieldExtension):
    """A LinkField is written as a slug and read as `{slug, name, url}`."""

    target_class = "sources.serializers.LinkField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {
                "type": "string",
                "pattern": SLUG_PATTERN,
                "description": "The slug of the related record.",
            }
        return auto_schema.resolve_serializer(LinkSummarySerializer, direction).ref


class RecordSummaryFieldExtension(OpenApiSerializerFieldExtension):
    """A record of any kind: written as `{type, slug}`, read as `{type, slug, name, url}`."""

    target_class = "sources.serializers.RecordSummaryField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            from sources.serializers import citable_models

            return {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": sorted(citable_models())},
                    "slug": {"type": "string", "pattern": SLUG_PATTERN},
                },
                "required": ["type", "slug"],
                "additionalProperties": False,
            }
        return auto_schema.resolve_serializer(RecordSummarySerializer, direction).ref


class DjangoFilterExtension(django_filters.DjangoFilterExtension):
    """drf-spectacular's, documenting a filter as exactly as the API checks it.

    It keeps a filter's help_text where the filter class fixes the schema (the stock extension
    drops it there), lists choices that come from a callable, and says that an empty value is
    not a value and that no value is longer than QUERY_VALUE_MAX_LENGTH (the API answers
    both with a 400).
    """

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        help_text = filter_field.extra.get("help_text")
        choices = filter_field.extra.get("choices")
        for parameter in parameters:
            schema = parameter["schema"]
            if help_text and not parameter.get("description"):
                parameter["description"] = str(help_text)
            if callable(choices):
                schema["enum"] = [value for value, _label in choices()]
            if schema.get("type") == "string" and "enum" not in schema:
                schema.setdefault("maxLength", QUERY_VALUE_MAX_LENGTH)
                if "pattern" not in schema:
                    schema["minLength"] = 1
        return parameters
