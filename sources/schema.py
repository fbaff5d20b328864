"""How drf-spectacular documents this project's own serializer fields."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class LinkSummarySerializer(serializers.Serializer):
    """A link to a related record."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()

    class Meta:
        ref_name = "Link"


class LinkFieldExtension(OpenApiSerializerFieldExtension):
    """A LinkField is written as a slug and read as `{slug, name, url}`."""

    target_class = "sources.serializers.LinkField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "string", "description": "The slug of the related record."}
        return auto_schema.resolve_serializer(LinkSummarySerializer, direction).ref
