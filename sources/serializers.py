from rest_framework import serializers

from api.fields import LinkField, RecordSummaryField
from api.serializers import RecordSerializer, citation_kind_field
from sources.models import OFFSET_UNIT, Citation, Source


class CitationDetailSerializer(RecordSerializer):
    """A citation on its own: written with the record it supports and the source it cites. In
    a held text the quote must be the text at its offsets; in a reference it gives a locator."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="citation-detail", lookup_field="uuid")
    source = LinkField(queryset=Source.objects.all())
    kind = citation_kind_field()
    record = RecordSummaryField(help_text="The record this citation supports.")

    class Meta:
        model = Citation
        fields = ["id", "url", "kind", "quote", "start", "end", "locator", "source", "record"]


class SourceSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="source-detail", lookup_field="slug")
    length = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Unicode code points in a held text (not bytes): citation offsets index into it. "
        "Null for a reference.",
    )
    offset_unit = serializers.ChoiceField(
        choices=[(OFFSET_UNIT, "Unicode code points (Python string indices)")],
        read_only=True,
        allow_null=True,
        help_text="What citations' `start` and `end` count in a held text: Unicode code points, as "
        "Python string indices do, not UTF-8 bytes or UTF-16 code units. `text[start:end]` in Python "
        "is the quote; elsewhere, index the text by code points. Null for a reference.",
    )

    class Meta:
        model = Source
        fields = [
            "slug",
            "url",
            "kind",
            "name",
            *Source.DESCRIPTION_FIELDS,
            *Source.REFERENCE_FIELDS,
            "filename",
            "sha256",
            "length",
            "offset_unit",
        ]
        read_only_fields = ["filename", "sha256"]
        extra_kwargs = {"slug": {"required": True}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not instance.is_held_text:
            data["length"] = None
        return data


class SourceDetailSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]
