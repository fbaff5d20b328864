"""How drf-spectacular documents this project: its AutoSchema, and extensions for the
fields and filters of api.fields and api.filters, stating what the API accepts exactly."""

from django.core.validators import RegexValidator
from drf_spectacular import openapi
from drf_spectacular.contrib import django_filters
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly

from api.fields import SLUG_PATTERN, LinkSerializer, RecordSummarySerializer
from api.query import QUERY_VALUE_MAX_LENGTH
from api.registry import owned_record_serializer

# A character Python's str.strip() keeps, in a pattern OpenAPI's (ECMA) regex reads the same
# way: its \s lacks \x1c-\x1f and \x85, which Python strips, and has \ufeff, which it keeps.
NON_BLANK_PATTERN = r"[^\s\x1c-\x1f\x85]|\ufeff"


OTHER_FORMS = {
    "text/csv": {
        "type": "string",
        "description": (
            "The whole selection (filters, search and ordering apply), streamed, or the page its page "
            "parameters name (a Link header to the next and previous), as CSV (RFC 4180, UTF-8, a "
            "header row): a row a record, a column a field of the "
            "JSON list. Null is an empty cell, booleans are true/false, a link is its slug (a "
            "citation its id), a list of links their keys separated by spaces, anything else nested "
            "its JSON text."
        ),
    },
    "application/geo+json": {
        "type": "object",
        "description": (
            "GeoJSON (RFC 7946): a list is a FeatureCollection of its whole selection, streamed (or of "
            "the page its page parameters name); a record, a Feature. Each Feature's `id` is the "
            "record's URL, its `properties` the record as the JSON shows it, its geometry a place's "
            "chosen coordinates "
            "(a Point, [longitude, latitude]) or an engagement's places' points (a Point or a "
            "MultiPoint); null where there are none."
        ),
    },
    "application/ld+json": {
        "type": "object",
        "description": (
            "The record as JSON-LD in schema.org's vocabulary (`@context` https://schema.org): its "
            "type (Event, Place, Country, Person, Organization, Legislation, CreativeWork, Claim, "
            "Quotation), `@id` its URL, its name, dates, places, parties, coordinates (`geo`), the "
            "Wikidata and GeoNames ids its statements give (`sameAs`), and its citations."
        ),
    },
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, knowing that anyone may read a resource editors write (and call a
    view that asks no permission, such as the token's), that a record's write rejects fields
    it does not know (so its request body says so), that every field of an answer is present,
    and that only a serializer's own docstring describes it."""

    def _map_basic_serializer(self, serializer, direction):
        result = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "rejects_unknown_fields", False):
            result["additionalProperties"] = False
        # Every field of an answer is there, null where the value is unknown: generated clients
        # should not make each one optional.
        if direction == "response" and result.get("properties"):
            result["required"] = sorted(result["properties"])
        # A serializer's own docstring describes its records; one inherited from a base class
        # says how the machinery works, which is no description of them.
        if "__doc__" not in vars(type(serializer)) or type(serializer).__doc__ is None:
            result.pop("description", None)
        return result

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        result = super()._map_serializer_field(field, direction, bypass_extensions)
        if result is None:
            return result  # a nested serializer with nothing to write (settled_by) in a request
        # A to-many link that may not be empty (an engagement's belligerents) needs one item
        # when written; a read shows what is stored.
        if (
            direction == "request"
            and result.get("type") == "array"
            and getattr(field, "allow_empty", True) is False
        ):
            result["minItems"] = 1
        # DRF trims text (Python's str.strip) before it checks for blank, so "\n" is blank:
        # say that some character must be one strip() keeps (NON_BLANK_PATTERN).
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and field.trim_whitespace
            and not field.allow_blank
            and not {"pattern", "enum", "format"} & set(result)
            and not any(isinstance(v, RegexValidator) for v in field.validators)
        ):
            result["pattern"] = NON_BLANK_PATTERN
        return result

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        # The other forms of a record or list are made from its JSON, not shaped like it.
        content = response.get("content", {})
        # A view may say how its own forms differ (`other_forms`: media type -> schema).
        for media_type, schema in (OTHER_FORMS | getattr(self.view, "other_forms", {})).items():
            if media_type in content:
                content[media_type] = {"schema": schema}
        return response

    def get_auth(self):
        # {} beside the token and the session: no credentials will do too, so a generated
        # client may call the operation anonymously.
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        anonymous_reads = any(isinstance(p, DjangoModelPermissionsOrAnonReadOnly) for p in permissions)
        anyone = not permissions or (anonymous_reads and self.method in SAFE_METHODS)
        if anyone and {} not in auths:
            auths.append({})
        return auths


class LinkFieldExtension(OpenApiSerializerFieldExtension):
    """A LinkField is written as a slug and read as `{slug, name, url}`."""

    target_class = "api.fields.LinkField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {
                "type": "string",
                "pattern": SLUG_PATTERN,
                "description": "The slug of the related record.",
            }
        return auto_schema.resolve_serializer(LinkSerializer, direction).ref


class RecordSummaryFieldExtension(OpenApiSerializerFieldExtension):
    """A record of any kind: written as `{type, slug}`, read as `{type, slug, name, url}`."""

    target_class = "api.fields.RecordSummaryField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "enum": sorted(self.target.kinds())},
                    "slug": {"type": "string", "pattern": SLUG_PATTERN},
                },
                "required": ["type", "slug"],
                "additionalProperties": False,
            }
        return auto_schema.resolve_serializer(RecordSummarySerializer, direction).ref


class OwnedRecordsFieldExtension(OpenApiSerializerFieldExtension):
    """The owned records, as their registered serializer documents them."""

    target_class = "api.fields.OwnedRecordsField"

    def map_serializer_field(self, auto_schema, direction):
        serializer = owned_record_serializer(self.target.owned_model())
        return {"type": "array", "items": auto_schema.resolve_serializer(serializer, direction).ref}


class DjangoFilterExtension(django_filters.DjangoFilterExtension):
    """drf-spectacular's, documenting a filter as exactly as the API checks it.

    It keeps a filter's help_text where the filter class fixes the schema (the stock extension
    drops it there), lists choices that come from a callable (and the kinds of record a
    `type:slug` filter takes, in its pattern), and says that an empty value is
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
            if hasattr(filter_field, "schema_pattern"):
                schema["pattern"] = filter_field.schema_pattern()
            if schema.get("type") == "string" and "enum" not in schema:
                schema.setdefault("maxLength", filter_field.extra.get("max_length") or QUERY_VALUE_MAX_LENGTH)
                if "pattern" not in schema:
                    schema["minLength"] = 1
        return parameters
