"""Serializer pieces every app uses: summaries of related records, citations, dates."""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from sources.dates import format_partial_date
from sources.models import Citation, Source


def record_type(model) -> str:
    """The public name of a kind of record: "party", "treaty-article", ..."""
    return model._meta.verbose_name.replace(" ", "-")


def detail_url(request, instance) -> str:
    path = reverse(f"{record_type(type(instance))}-detail", kwargs={"slug": instance.slug})
    return request.build_absolute_uri(path) if request is not None else path


def summary_serializer(model):
    """A `{slug, name, url}` serializer for links to records of `model`."""

    class Meta:
        fields = ["slug", "name", "url"]

    Meta.model = model
    attrs = {
        "Meta": Meta,
        "name": serializers.CharField(read_only=True),
        "url": serializers.HyperlinkedIdentityField(
            view_name=f"{record_type(model)}-detail", lookup_field="slug"
        ),
        "__doc__": f"A link to a {model._meta.verbose_name}.",
    }
    return type(f"{model.__name__}Summary", (serializers.ModelSerializer,), attrs)


SourceSummary = summary_serializer(Source)


@extend_schema_field(
    inline_serializer(
        "RecordSummary",
        {
            "type": serializers.CharField(help_text="The kind of record, e.g. engagement."),
            "slug": serializers.SlugField(),
            "name": serializers.CharField(),
            "url": serializers.URLField(),
        },
    )
)
class RecordSummaryField(serializers.Field):
    """A link to a record of any kind, for generic relations (a citation's record, a figure's subject)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return {
            "type": record_type(type(value)),
            "slug": value.slug,
            "name": str(value.name),
            "url": detail_url(self.context.get("request"), value),
        }


@extend_schema_field(OpenApiTypes.STR)
class PartialDateField(serializers.Field):
    """A date written to its precision: "1905-09-05", "1903-08" or "1904"; null where unknown."""

    def __init__(self, precision_source: str, **kwargs):
        self.precision_source = precision_source
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, instance):
        date_name = self.precision_source.removesuffix("_precision")
        return format_partial_date(getattr(instance, date_name), getattr(instance, self.precision_source))


class CitationSerializer(serializers.ModelSerializer):
    """Where a record's words are in the source: the quote and its character offsets."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="citation-detail", lookup_field="uuid")
    source = SourceSummary(read_only=True)

    class Meta:
        model = Citation
        fields = ["id", "url", "quote", "start", "end", "source"]


def citations_prefetch(path: str = "citations") -> Prefetch:
    """Citations with their source's name, not its whole text."""
    return Prefetch(path, queryset=Citation.objects.select_related("source").defer("source__text"))


class CitedSerializer(serializers.ModelSerializer):
    """Every record shows the citations it rests on."""

    citations = CitationSerializer(many=True, read_only=True)


class CitationDetailSerializer(CitationSerializer):
    record = RecordSummaryField(help_text="The record this citation supports.")

    class Meta(CitationSerializer.Meta):
        fields = [*CitationSerializer.Meta.fields, "record"]


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
