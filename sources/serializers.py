from rest_framework import serializers

from api.fields import LinkField, RecordSummaryField
from api.serializers import RecordSerializer
from sources.models import Citation, Source


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
