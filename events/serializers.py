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
from sources.serializers import CitedSerializer, PartialDateField, RecordSummaryField, summary_serializer

PartySummary = summary_serializer(Party)
PlaceSummary = summary_serializer(Place)
NegotiationSummary = summary_serializer(Negotiation)
ProposalSummary = summary_serializer(Proposal)
CounterproposalSummary = summary_serializer(Counterproposal)
EventSummary = summary_serializer(Event)


def url_field(model_name: str):
    return serializers.HyperlinkedIdentityField(view_name=f"{model_name}-detail", lookup_field="slug")


class FigureSerializer(CitedSerializer):
    """A number the source gives, with what it measures and whom it concerns."""

    url = url_field("figure")
    party = PartySummary(read_only=True, allow_null=True)
    subject = RecordSummaryField(help_text="The record the number is about.")

    class Meta:
        model = Figure
        fields = ["slug", "url", "measure", "value", "unit", "party", "subject", "description", "citations"]


class NestedFigureSerializer(FigureSerializer):
    """A figure shown inside its subject, which needs no link back to itself."""

    class Meta(FigureSerializer.Meta):
        fields = [f for f in FigureSerializer.Meta.fields if f != "subject"]


class PartySerializer(CitedSerializer):
    url = url_field("party")
    part_of = PartySummary(read_only=True, allow_null=True)

    class Meta:
        model = Party
        fields = ["slug", "url", "name", "kind", "role", "part_of", "citations"]


class PlaceSerializer(CitedSerializer):
    url = url_field("place")

    class Meta:
        model = Place
        fields = ["slug", "url", "name", "kind", "modern_name", "latitude", "longitude", "citations"]


class ResponseToSerializer(serializers.ModelSerializer):
    """A request a counterproposal answers, and on whose word the link rests."""

    proposal = ProposalSummary(read_only=True)

    class Meta:
        model = Response
        fields = ["proposal", "basis", "rationale"]


class AnsweredBySerializer(serializers.ModelSerializer):
    """A counterproposal answering a request, and on whose word the link rests."""

    counterproposal = CounterproposalSummary(read_only=True)

    class Meta:
        model = Response
        fields = ["counterproposal", "basis", "rationale"]


class ProposalSerializer(CitedSerializer):
    url = url_field("proposal")
    name = serializers.CharField(read_only=True)
    negotiation = NegotiationSummary(read_only=True)
    party = PartySummary(read_only=True)
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


class CounterproposalSerializer(CitedSerializer):
    url = url_field("counterproposal")
    name = serializers.CharField(read_only=True)
    negotiation = NegotiationSummary(read_only=True)
    party = PartySummary(read_only=True)
    responds_to = ResponseToSerializer(source="responses", many=True, read_only=True)
    figures = NestedFigureSerializer(many=True, read_only=True)

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
    initiated_by = PartySummary(read_only=True)
    counterparty = PartySummary(read_only=True)
    opened = PartialDateField("date_precision", help_text="When the talks opened, to its precision.")
    opened_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    ended = PartialDateField("ended_precision", help_text="When the talks ended, to its precision.")
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


class ExchangeSerializer(ProposalSerializer):
    """A request with its full terms beside the counterproposal(s) answering it."""

    class Meta(ProposalSerializer.Meta):
        fields = ["slug", "url", "name", "number", "party", "terms", "answered_by"]


class NegotiationDetailSerializer(NegotiationSerializer):
    exchanges = ExchangeSerializer(
        source="proposals",
        many=True,
        read_only=True,
        help_text="Each request beside the counterproposal(s) answering it.",
    )
    counterproposals = CounterproposalSummary(many=True, read_only=True)
    events = EventSummary(many=True, read_only=True)

    class Meta(NegotiationSerializer.Meta):
        fields = [*NegotiationSerializer.Meta.fields, "exchanges", "counterproposals", "events"]


class EventSerializer(CitedSerializer):
    url = url_field("event")
    date = PartialDateField("date_precision", help_text="To its precision; null where the source gives none.")
    negotiation = NegotiationSummary(read_only=True, allow_null=True)
    parties = PartySummary(many=True, read_only=True)
    places = PlaceSummary(many=True, read_only=True)
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


class EngagementSerializer(CitedSerializer):
    url = url_field("engagement")
    date = PartialDateField("date_precision", help_text="Null: the source dates no engagement.")
    places = PlaceSummary(many=True, read_only=True)
    belligerents = PartySummary(many=True, read_only=True)
    victor = PartySummary(read_only=True, allow_null=True)
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


class ClaimSerializer(CitedSerializer):
    url = url_field("claim")
    parties = PartySummary(many=True, read_only=True)
    places = PlaceSummary(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = ["slug", "url", "name", "statement", "is_interpretation", "parties", "places", "citations"]
