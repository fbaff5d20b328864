import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import (
    Claim,
    Counterproposal,
    Engagement,
    Event,
    Figure,
    Negotiation,
    Party,
    Place,
    Proposal,
    Response,
)
from sources.serializers import (
    CitedSerializer,
    LinkField,
    PartialDateField,
    RecordSummaryField,
    RowSerializer,
)


class CoordinateField(serializers.DecimalField):
    """Degrees as the API reads them: a string with up to 5 decimals, within the bound.

    The pattern is the whole rule, so the schema can state it: DRF alone would also take
    "1e1", " 5" or "05", and a bound the schema could not express.
    """

    pattern: str
    default_error_messages = {"coordinate": "Give degrees as a string matching {pattern}."}

    def __init__(self, **kwargs):
        super().__init__(max_digits=8, decimal_places=5, allow_null=True, required=False, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            self.fail("coordinate", pattern=self.pattern)
        return super().to_internal_value(data)


LATITUDE_PATTERN = r"^-?(?:90(?:\.0{1,5})?|[1-8]?[0-9](?:\.[0-9]{1,5})?)$"
LONGITUDE_PATTERN = r"^-?(?:180(?:\.0{1,5})?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]{1,5})?)$"


@extend_schema_field({"type": "string", "nullable": True, "pattern": LATITUDE_PATTERN, "example": "41.80000"})
class LatitudeField(CoordinateField):
    pattern = LATITUDE_PATTERN


@extend_schema_field(
    {"type": "string", "nullable": True, "pattern": LONGITUDE_PATTERN, "example": "123.40000"}
)
class LongitudeField(CoordinateField):
    pattern = LONGITUDE_PATTERN


def url_field(model_name: str):
    return serializers.HyperlinkedIdentityField(view_name=f"{model_name}-detail", lookup_field="slug")


def party_link(**kwargs):
    return LinkField(queryset=Party.objects.all(), **kwargs)


def place_link(**kwargs):
    return LinkField(queryset=Place.objects.all(), **kwargs)


class NestedRowsMixin:
    """Writes a list of rows of a through model (e.g. a counterproposal's links to requests)
    from one field, keeping the rows that did not change."""

    nested_rows: dict[str, str] = {}  # serializer field -> the rows' foreign key to this record

    def nested_writes(self):
        return [self.fields[name].source for name in self.nested_rows]

    def create(self, validated_data):
        rows = self._pop_rows(validated_data)
        instance = super().create(validated_data)
        self._write_rows(instance, rows)
        return instance

    def update(self, instance, validated_data):
        rows = self._pop_rows(validated_data)
        instance = super().update(instance, validated_data)
        self._write_rows(instance, rows)
        return instance

    def _pop_rows(self, validated_data):
        return {
            self.fields[name].source: validated_data.pop(self.fields[name].source)
            for name in self.nested_rows
            if self.fields[name].source in validated_data
        }

    def _write_rows(self, instance, rows_by_source):
        for name, owner in self.nested_rows.items():
            source = self.fields[name].source
            if source not in rows_by_source:
                continue
            manager = getattr(instance, source)
            wanted = [dict(row) for row in rows_by_source[source]]
            keys = list(self.fields[name].child.fields)
            for existing in manager.all():
                current = {key: getattr(existing, key) for key in keys}
                if current in wanted:
                    wanted.remove(current)
                else:
                    existing.delete()
            for row in wanted:
                manager.model.objects.create(**{owner: instance}, **row)


class FigureSerializer(CitedSerializer):
    """A number the source gives, with what it measures and whom it concerns."""

    url = url_field("figure")
    party = party_link(allow_null=True, required=False)
    subject = RecordSummaryField(help_text="The record the number is about.")

    class Meta:
        model = Figure
        fields = ["slug", "url", "measure", "value", "unit", "party", "subject", "description", "citations"]


class NestedFigureSerializer(FigureSerializer):
    """A figure shown inside its subject, which needs no link back to itself."""

    class Meta(FigureSerializer.Meta):
        fields = [f for f in FigureSerializer.Meta.fields if f != "subject"]
        read_only_fields = fields


class PartySerializer(CitedSerializer):
    url = url_field("party")
    part_of = party_link(allow_null=True, required=False)

    class Meta:
        model = Party
        fields = ["slug", "url", "name", "kind", "role", "part_of", "citations"]


class PlaceSerializer(CitedSerializer):
    url = url_field("place")
    latitude = LatitudeField()
    longitude = LongitudeField()

    class Meta:
        model = Place
        fields = ["slug", "url", "name", "kind", "modern_name", "latitude", "longitude", "citations"]


class ResponseToSerializer(RowSerializer):
    """A request a counterproposal answers, and on whose word the link rests."""

    proposal = LinkField(queryset=Proposal.objects.all())

    class Meta:
        model = Response
        fields = ["proposal", "basis", "rationale"]


class AnsweredBySerializer(serializers.ModelSerializer):
    """A counterproposal answering a request, and on whose word the link rests."""

    counterproposal = LinkField(read_only=True)

    class Meta:
        model = Response
        fields = ["counterproposal", "basis", "rationale"]


class ProposalSerializer(CitedSerializer):
    url = url_field("proposal")
    name = serializers.CharField(read_only=True)
    negotiation = LinkField(queryset=Negotiation.objects.all())
    party = party_link()
    answered_by = AnsweredBySerializer(source="responses", many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "slug",
            "url",
            "name",
            "number",
            "negotiation",
            "party",
            "terms",
            "answered_by",
            "citations",
        ]


class CounterproposalSerializer(NestedRowsMixin, CitedSerializer):
    url = url_field("counterproposal")
    name = serializers.CharField(read_only=True)
    negotiation = LinkField(queryset=Negotiation.objects.all())
    party = party_link()
    responds_to = ResponseToSerializer(source="responses", many=True, required=False)
    figures = NestedFigureSerializer(many=True, read_only=True)
    nested_rows = {"responds_to": "counterproposal"}

    class Meta:
        model = Counterproposal
        fields = [
            "slug",
            "url",
            "name",
            "number",
            "negotiation",
            "party",
            "terms",
            "responds_to",
            "figures",
            "citations",
        ]


class NegotiationSerializer(CitedSerializer):
    url = url_field("negotiation")
    initiated_by = party_link()
    counterparty = party_link()
    opened = PartialDateField("date", help_text="When the talks opened, to its precision.")
    opened_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    ended = PartialDateField("ended", help_text="When the talks ended, to its precision.")
    figures = NestedFigureSerializer(many=True, read_only=True)

    class Meta:
        model = Negotiation
        fields = [
            "slug",
            "url",
            "name",
            "initiated_by",
            "counterparty",
            "opened",
            "opened_precision",
            "ended",
            "ended_precision",
            "outcome",
            "figures",
            "citations",
        ]
        read_only_fields = ["ended_precision"]


class ExchangeSerializer(ProposalSerializer):
    """A request with its full terms beside the counterproposal(s) answering it."""

    class Meta(ProposalSerializer.Meta):
        fields = ["slug", "url", "name", "number", "party", "terms", "answered_by"]
        read_only_fields = fields


class NegotiationDetailSerializer(NegotiationSerializer):
    exchanges = ExchangeSerializer(
        source="proposals",
        many=True,
        read_only=True,
        help_text="Each request beside the counterproposal(s) answering it.",
    )
    counterproposals = LinkField(many=True, read_only=True)
    events = LinkField(many=True, read_only=True)

    class Meta(NegotiationSerializer.Meta):
        fields = [*NegotiationSerializer.Meta.fields, "exchanges", "counterproposals", "events"]


class EventSerializer(CitedSerializer):
    url = url_field("event")
    date = PartialDateField(help_text="To its precision; null where the source gives none.")
    negotiation = LinkField(queryset=Negotiation.objects.all(), allow_null=True, required=False)
    parties = party_link(many=True, required=False)
    places = place_link(many=True, required=False)
    figures = NestedFigureSerializer(many=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "slug",
            "url",
            "name",
            "kind",
            "date",
            "date_precision",
            "negotiation",
            "parties",
            "places",
            "description",
            "note",
            "figures",
            "citations",
        ]
        read_only_fields = ["date_precision"]


class EngagementSerializer(CitedSerializer):
    url = url_field("engagement")
    date = PartialDateField(help_text="Null: the source dates no engagement.")
    places = place_link(many=True, required=False)
    belligerents = party_link(many=True, allow_empty=False)
    victor = party_link(allow_null=True, required=False)
    figures = NestedFigureSerializer(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = [
            "slug",
            "url",
            "number",
            "name",
            "kind",
            "date",
            "date_precision",
            "places",
            "belligerents",
            "victor",
            "outcome",
            "figures",
            "citations",
        ]
        read_only_fields = ["date_precision"]


class ClaimSerializer(CitedSerializer):
    url = url_field("claim")
    parties = party_link(many=True, required=False)
    places = place_link(many=True, required=False)

    class Meta:
        model = Claim
        fields = ["slug", "url", "name", "statement", "is_interpretation", "parties", "places", "citations"]
