from rest_framework import serializers

from api.fields import (
    ChosenDateField,
    FineLatitudeField,
    FineLongitudeField,
    LatitudeField,
    LinkField,
    LongitudeField,
    OwnedRecordsField,
    PartialDateField,
    RecordLinksField,
    RecordSummaryField,
    TimeOfDayField,
    date_basis_fields,
    date_calendar_fields,
    record_url_field,
    statements_field,
)
from api.registry import (
    figure_subject_models,
    judgeable_models,
    shown_inside_owners,
    statement_subject_models,
)
from api.serializers import CitedSerializer, RowSerializer
from events.choosing import judge_figures, judge_statements
from events.models import (
    Belligerent,
    Claim,
    Counterproposal,
    Engagement,
    Event,
    EventParty,
    EventPlace,
    Figure,
    Negotiation,
    Party,
    Place,
    Proposal,
    Response,
    Statement,
)
from sources.models import Source


def party_link(**kwargs):
    return LinkField(queryset=Party.objects.all(), **kwargs)


def place_link(**kwargs):
    return LinkField(queryset=Place.objects.all(), **kwargs)


class PlaceLinkSerializer(RowSerializer):
    """A place a record names, in a role, and on whose word the link rests. Every record's
    place links have these fields (events.PlaceLink): the model named here only shapes them,
    and a write replaces the rows of the record's own kind."""

    place = place_link()

    class Meta:
        model = EventPlace
        fields = ["place", "role", "basis", "rationale"]


def place_links(**kwargs) -> PlaceLinkSerializer:
    return PlaceLinkSerializer(
        source="place_links",
        many=True,
        required=False,
        help_text="The places it names, each in its role: where it happened (site), where something "
        "went (destination), a limit it names (boundary), what it is about (subject).",
        **kwargs,
    )


class SettledBySerializer(serializers.Serializer):
    """A treaty term settling this record, and why we read it so (the source pairs none)."""

    term = LinkField(read_only=True)
    basis = serializers.CharField(read_only=True)
    rationale = serializers.CharField(read_only=True)


def settled_by():
    return SettledBySerializer(
        source="settlements",
        many=True,
        read_only=True,
        help_text="The treaty terms that settle it (written on the term: `settles_requests`, "
        "`settles_counterproposals`).",
    )


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


def standing_fields(what: str) -> tuple[serializers.BooleanField, serializers.BooleanField]:
    """Whether a value is disputed and whether it is chosen, among the values of one thing
    (events.choosing), shown where a record shows them all."""
    disputed = serializers.BooleanField(
        read_only=True,
        help_text=f"True where the {what}s of this record about the same thing (same measure and party for "
        "a figure; same kind, scope, party and language for a statement, or kind and scope for a victor "
        "statement, and the record's own date or victor for its date or victor as a whole) do not agree.",
    )
    chosen = serializers.BooleanField(
        read_only=True,
        help_text=f"True for the one {what} of those the record's value is chosen from: the held text's, "
        "else the first by its source's precedence (held texts, references by precedence, then slug). "
        "A statement of a record's date or victor as a whole is not chosen while the record has one of "
        "its own.",
    )
    return disputed, chosen


@shown_inside_owners
class NestedFigureSerializer(FigureSerializer):
    """A figure shown inside its subject, which needs no link back to itself, beside the other
    figures of the same measure and party."""

    disputed, chosen = standing_fields("figure")

    class Meta(FigureSerializer.Meta):
        fields = [*(f for f in FigureSerializer.Meta.fields if f != "subject"), "disputed", "chosen"]
        read_only_fields = fields

    @staticmethod
    def judge(owner, figures):
        judge_figures(figures)


class StatementSerializer(CitedSerializer):
    """One source's value for something about a record: a date, coordinates, a name in a
    language, an identifier, a short value in our words, or an engagement's victor (`party`)."""

    url = record_url_field("statement")
    subject = RecordSummaryField(kinds=statement_subject_models, help_text="The record the value is about.")
    party = party_link(allow_null=True, required=False)
    source = LinkField(queryset=Source.objects.all(), help_text="The source the value is from.")
    date = PartialDateField(
        help_text="A date statement's date (its start, where it gives an end), to its precision; null "
        "for other kinds."
    )
    date_julian, date_calendar = date_calendar_fields()
    ended = PartialDateField("ended", help_text="The last day of what is dated, where the source gives one.")
    ended_julian, ended_calendar = date_calendar_fields("ended")
    time = TimeOfDayField(help_text="Local time of day on `date` (HH:MM), where the source gives one.")
    latitude = FineLatitudeField()
    longitude = FineLongitudeField()

    class Meta:
        model = Statement
        fields = [
            "slug",
            "url",
            "subject",
            "kind",
            "scope",
            "party",
            "source",
            "date",
            "date_julian",
            "date_calendar",
            "date_precision",
            "date_basis",
            "date_rationale",
            "ended",
            "ended_julian",
            "ended_calendar",
            "ended_precision",
            "ended_basis",
            "ended_rationale",
            "time",
            "latitude",
            "longitude",
            "text",
            "language",
            "note",
            "sequence",
            "citations",
        ]
        read_only_fields = ["date_precision", "ended_precision"]


@shown_inside_owners
class NestedStatementSerializer(StatementSerializer):
    """A statement shown inside its subject, beside the others about the same thing."""

    disputed, chosen = standing_fields("statement")

    class Meta(StatementSerializer.Meta):
        fields = [*(f for f in StatementSerializer.Meta.fields if f != "subject"), "disputed", "chosen"]
        read_only_fields = fields

    @staticmethod
    def judge(owner, statements):
        judge_statements(owner, statements)


class PartySerializer(CitedSerializer):
    url = record_url_field("party")
    statements = statements_field()
    part_of = party_link(allow_null=True, required=False)
    territory = place_link(allow_null=True, required=False)

    class Meta:
        model = Party
        fields = [
            "slug",
            "url",
            "name",
            "kind",
            "role",
            "role_basis",
            "role_rationale",
            "part_of",
            "territory",
            "territory_basis",
            "territory_rationale",
            "statements",
            "sequence",
            "citations",
        ]


class PlaceSerializer(CitedSerializer):
    url = record_url_field("place")
    statements = statements_field()
    part_of = place_link(allow_null=True, required=False)
    latitude = LatitudeField()
    longitude = LongitudeField()

    class Meta:
        model = Place
        fields = [
            "slug",
            "url",
            "name",
            "kind",
            "kind_basis",
            "kind_rationale",
            "part_of",
            "part_of_basis",
            "part_of_rationale",
            "note",
            "modern_name",
            "latitude",
            "longitude",
            "statements",
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
    statements = statements_field()
    name = serializers.CharField(read_only=True)
    negotiation = LinkField(queryset=Negotiation.objects.all())
    party = party_link()
    answered_by = AnsweredBySerializer(source="responses", many=True, read_only=True)
    places = place_links()
    settled_by = settled_by()

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
            "places",
            "answered_by",
            "settled_by",
            "statements",
            "sequence",
            "citations",
        ]


class CounterproposalSerializer(CitedSerializer):
    url = record_url_field("counterproposal")
    statements = statements_field()
    name = serializers.CharField(read_only=True)
    negotiation = LinkField(queryset=Negotiation.objects.all())
    party = party_link()
    responds_to = ResponseToSerializer(source="responses", many=True, required=False)
    places = place_links()
    settled_by = settled_by()
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
            "places",
            "responds_to",
            "settled_by",
            "figures",
            "statements",
            "sequence",
            "citations",
        ]


class NegotiationSerializer(CitedSerializer):
    url = record_url_field("negotiation")
    statements = statements_field()
    chosen_date = ChosenDateField()
    initiated_by = party_link()
    counterparty = party_link()
    opened = PartialDateField("date", help_text="When the talks opened, to its precision.")
    opened_julian, opened_calendar = date_calendar_fields("date", "opened")
    opened_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    opened_basis, opened_rationale = date_basis_fields("date")
    ended = PartialDateField("ended", help_text="When the talks ended, to its precision.")
    ended_julian, ended_calendar = date_calendar_fields("ended")
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
            "opened_julian",
            "opened_calendar",
            "opened_precision",
            "opened_basis",
            "opened_rationale",
            "chosen_date",
            "ended",
            "ended_julian",
            "ended_calendar",
            "ended_precision",
            "ended_basis",
            "ended_rationale",
            "outcome",
            "figures",
            "statements",
            "sequence",
            "citations",
        ]
        read_only_fields = ["ended_precision"]


class ExchangeSerializer(ProposalSerializer):
    """A request with its full terms beside the counterproposal(s) answering it."""

    class Meta(ProposalSerializer.Meta):
        fields = ["slug", "url", "name", "number", "party", "terms", "answered_by", "settled_by"]
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


class EventPartySerializer(RowSerializer):
    """A party taking part in an event, its part in it, and on whose word the link rests."""

    party = party_link()

    class Meta:
        model = EventParty
        fields = ["party", "role", "basis", "rationale"]


class BelligerentSerializer(RowSerializer):
    """A party that fought, the side it fought on, and on whose word the link rests."""

    party = party_link()
    side = party_link(help_text="The state it fought for: itself, or the state it is part of.")

    class Meta:
        model = Belligerent
        fields = ["party", "side", "basis", "rationale"]


class EventSerializer(CitedSerializer):
    url = record_url_field("event")
    statements = statements_field()
    chosen_date = ChosenDateField()
    date = PartialDateField(help_text="To its precision; null where the source gives none.")
    date_julian, date_calendar = date_calendar_fields()
    negotiation = LinkField(queryset=Negotiation.objects.all(), allow_null=True, required=False)
    parties = EventPartySerializer(
        source="party_links",
        many=True,
        required=False,
        help_text="The parties taking part, each in its role.",
    )
    places = place_links()
    figures = OwnedRecordsField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "url",
            "name",
            "kind",
            "date",
            "date_julian",
            "date_calendar",
            "date_precision",
            "date_basis",
            "date_rationale",
            "chosen_date",
            "negotiation",
            "parties",
            "places",
            "description",
            "note",
            "figures",
            "statements",
            "sequence",
            "citations",
        ]
        read_only_fields = ["date_precision"]


class EngagementSerializer(CitedSerializer):
    url = record_url_field("engagement")
    statements = statements_field()
    chosen_date = ChosenDateField()
    date = PartialDateField(help_text="Null: the source dates no engagement.")
    date_julian, date_calendar = date_calendar_fields()
    places = place_links()
    belligerents = BelligerentSerializer(
        source="belligerent_links",
        many=True,
        allow_empty=False,
        help_text="The parties that fought, each with the side it fought on.",
    )
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
            "kind_basis",
            "kind_rationale",
            "date",
            "date_julian",
            "date_calendar",
            "date_precision",
            "date_basis",
            "date_rationale",
            "chosen_date",
            "places",
            "belligerents",
            "victor",
            "victor_basis",
            "victor_rationale",
            "outcome",
            "figures",
            "statements",
            "sequence",
            "citations",
        ]
        read_only_fields = ["date_precision"]


class ClaimSerializer(CitedSerializer):
    url = record_url_field("claim")
    parties = party_link(many=True, required=False)
    places = place_links()
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
