from rest_framework import serializers

from api.fields import (
    LatitudeField,
    LinkField,
    LongitudeField,
    OwnedRecordsField,
    PartialDateField,
    RecordLinksField,
    RecordSummaryField,
    date_basis_fields,
    record_url_field,
)
from api.registry import figure_subject_models, judgeable_models, shown_inside_owners
from api.serializers import CitedSerializer, RowSerializer
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


def party_link(**kwargs):
    return LinkField(queryset=Party.objects.all(), **kwargs)


def place_link(**kwargs):
    return LinkField(queryset=Place.objects.all(), **kwargs)


class FigureSerializer(CitedSerializer):
    """A number the source gives, with what it measures and whom it concerns."""

    url = record_url_field("figure")
    party = party_link(allow_null=True, required=False)
    subject = RecordSummaryField(kinds=figure_subject_models, help_text="The record the number is about.")

    class Meta:
        model = Figure
        fields = [
            "slug",
            "url",
            "measure",
            "value",
            "unit",
            "party",
            "subject",
            "description",
            "note",
            "sequence",
            "citations",
        ]


@shown_inside_owners
class NestedFigureSerializer(FigureSerializer):
    """A figure shown inside its subject, which needs no link back to itself."""

    class Meta(FigureSerializer.Meta):
        fields = [f for f in FigureSerializer.Meta.fields if f != "subject"]
        read_only_fields = fields


class PartySerializer(CitedSerializer):
    url = record_url_field("party")
    part_of = party_link(allow_null=True, required=False)

    class Meta:
        model = Party
        fields = ["slug", "url", "name", "kind", "role", "part_of", "sequence", "citations"]


class PlaceSerializer(CitedSerializer):
    url = record_url_field("place")
    latitude = LatitudeField()
    longitude = LongitudeField()

    class Meta:
        model = Place
        fields = [
            "slug",
            "url",
            "name",
            "kind",
            "modern_name",
            "latitude",
            "longitude",
            "sequence",
            "citations",
        ]


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
    url = record_url_field("proposal")
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
            "sequence",
            "citations",
        ]


class CounterproposalSerializer(CitedSerializer):
    url = record_url_field("counterproposal")
    name = serializers.CharField(read_only=True)
    negotiation = LinkField(queryset=Negotiation.objects.all())
    party = party_link()
    responds_to = ResponseToSerializer(source="responses", many=True, required=False)
    figures = OwnedRecordsField()

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
            "sequence",
            "citations",
        ]


class NegotiationSerializer(CitedSerializer):
    url = record_url_field("negotiation")
    initiated_by = party_link()
    counterparty = party_link()
    opened = PartialDateField("date", help_text="When the talks opened, to its precision.")
    opened_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    opened_basis, opened_rationale = date_basis_fields("date")
    ended = PartialDateField("ended", help_text="When the talks ended, to its precision.")
    figures = OwnedRecordsField()

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
            "opened_basis",
            "opened_rationale",
            "ended",
            "ended_precision",
            "ended_basis",
            "ended_rationale",
            "outcome",
            "figures",
            "sequence",
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
    url = record_url_field("event")
    date = PartialDateField(help_text="To its precision; null where the source gives none.")
    negotiation = LinkField(queryset=Negotiation.objects.all(), allow_null=True, required=False)
    parties = party_link(many=True, required=False)
    places = place_link(many=True, required=False)
    figures = OwnedRecordsField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "url",
            "name",
            "kind",
            "date",
            "date_precision",
            "date_basis",
            "date_rationale",
            "negotiation",
            "parties",
            "places",
            "description",
            "note",
            "figures",
            "sequence",
            "citations",
        ]
        read_only_fields = ["date_precision"]


class EngagementSerializer(CitedSerializer):
    url = record_url_field("engagement")
    date = PartialDateField(help_text="Null: the source dates no engagement.")
    places = place_link(many=True, required=False)
    belligerents = party_link(many=True, allow_empty=False)
    victor = party_link(allow_null=True, required=False)
    figures = OwnedRecordsField()

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
            "date_basis",
            "date_rationale",
            "places",
            "belligerents",
            "victor",
            "outcome",
            "figures",
            "sequence",
            "citations",
        ]
        read_only_fields = ["date_precision"]


class ClaimSerializer(CitedSerializer):
    url = record_url_field("claim")
    parties = party_link(many=True, required=False)
    places = place_link(many=True, required=False)
    judges = RecordLinksField(
        kinds=judgeable_models,
        help_text="The records the claim judges: an engagement it calls decisive, the requests it "
        "says Russia had no good reason to object to. A record a claim judges cannot be deleted.",
    )

    class Meta:
        model = Claim
        fields = [
            "slug",
            "url",
            "name",
            "statement",
            "is_interpretation",
            "parties",
            "places",
            "sequence",
            "judges",
            "citations",
        ]
