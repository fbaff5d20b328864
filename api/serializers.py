"""The base serializers of every record: strict about what they take, showing the citations a
record rests on, and writing a record's through-rows from one field.

What a write may be refused for, and with which status, is decided in api.writes.
"""

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from api.fields import STRICT_FIELDS, LinkField, RecordLinksField
from api.rows import replace_rows
from sources.models import REFERENCE_QUOTE_WORDS, Citation, SourceKind


class KnownFieldsMixin:
    """An unknown or read-only field is a 400, not silently dropped; the schema says so
    (additionalProperties: false, see api.schema.AutoSchema)."""

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


class StrictModelSerializer(KnownFieldsMixin, serializers.ModelSerializer):
    """Model fields become fields that take only the JSON type documented, and a nullable text
    takes null for unknown, not "". Checking the body against the schema is all they do:
    uniqueness is checked after it (api.writes), so DRF's own unique validators, which would
    query the database here, are left out."""

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if model_field.null and field_kwargs.get("allow_blank"):
            # An unknown is null; "" would be a second way of saying it (the database refuses it).
            field_kwargs["allow_blank"] = False
        validators = field_kwargs.get("validators")
        if validators:
            field_kwargs["validators"] = [v for v in validators if not isinstance(v, UniqueValidator)]
        return STRICT_FIELDS.get(field_class, field_class), field_kwargs

    def get_validators(self):
        return []


class RowSerializer(StrictModelSerializer):
    """A row of a through model, written inside its owner (see RecordSerializer)."""


class RecordSerializer(StrictModelSerializer):
    """A record. A writable field that is a list of RowSerializer rows, or a RecordLinksField
    (`source` naming the reverse relation), replaces the record's rows of that model as a whole."""

    def row_fields(self) -> dict:
        """The writable fields holding rows of another model, by field name."""
        return {
            name: field
            for name, field in self.fields.items()
            if (
                (isinstance(field, serializers.ListSerializer) and isinstance(field.child, RowSerializer))
                or isinstance(field, RecordLinksField)
            )
            and not field.read_only
        }

    def create(self, validated_data):
        rows = self._pop_rows(validated_data)
        instance = super().create(validated_data)
        self._replace_rows(instance, rows)
        return instance

    def update(self, instance, validated_data):
        rows = self._pop_rows(validated_data)
        instance = super().update(instance, validated_data)
        self._replace_rows(instance, rows)
        return instance

    def _pop_rows(self, validated_data) -> dict:
        sources = [field.source for field in self.row_fields().values()]
        return {source: validated_data.pop(source) for source in sources if source in validated_data}

    @staticmethod
    def _replace_rows(instance, rows_by_source):
        for source, rows in rows_by_source.items():
            replace_rows(instance, source, [dict(row) for row in rows])


def citation_kind_field() -> serializers.ChoiceField:
    """Which kind of source a citation cites, so a reader knows which of its fields hold."""
    return serializers.ChoiceField(
        source="source.kind",
        choices=SourceKind.choices,
        read_only=True,
        help_text="held-text: `quote` is the source's text at `start`–`end`, checked; reference: "
        "`locator` says where in the work, and `quote` (if any, at most "
        f"{REFERENCE_QUOTE_WORDS} words) is not checked against a text.",
    )


class CitationSerializer(serializers.ModelSerializer):
    """Where a record's words are in a source: the quote at its character offsets in a held
    text, or the locator (and a short quote) in a reference."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="citation-detail", lookup_field="uuid")
    kind = citation_kind_field()
    source = LinkField(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "url", "kind", "quote", "start", "end", "locator", "source"]


class CitedSerializer(RecordSerializer):
    """Every record shows the citations it rests on (written through /citations/)."""

    citations = CitationSerializer(many=True, read_only=True)
