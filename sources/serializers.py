from rest_framework import serializers

from api.fields import LinkField, RecordSummaryField
from api.serializers import RecordSerializer
from sources.models import OFFSET_UNIT, Citation, Source


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
        read_only=True,
        help_text="Unicode code points in the text (not bytes): citation offsets index into it.",
    )
    offset_unit = serializers.ChoiceField(
        choices=[(OFFSET_UNIT, "Unicode code points (Python string indices)")],
        read_only=True,
        help_text="What citations' `start` and `end` count: Unicode code points, as Python string "
        "indices do, not UTF-8 bytes or UTF-16 code units. `text[start:end]` in Python is the quote; "
        "elsewhere, index the text by code points.",
    )

    class Meta:
        model = Source
        fields = [
            "slug",
            "url",
            "name",
            *Source.DESCRIPTION_FIELDS,
            "filename",
            "sha256",
            "length",
            "offset_unit",
        ]


class SourceDetailSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]
