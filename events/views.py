import json

from django.db.models import Prefetch

from api import geo, renderings
from api.docs import document
from api.viewsets import RecordViewSet, citations_prefetch
from events import filters, serializers
from events.models import (
    Belligerent,
    Claim,
    Counterproposal,
    Engagement,
    Event,
    EventParty,
    Figure,
    JudgedRecord,
    Negotiation,
    Party,
    Place,
    Proposal,
    Response,
    Statement,
)


def figures_prefetch() -> Prefetch:
    return Prefetch("figures", queryset=Figure.objects.for_display())


def statements_prefetch() -> Prefetch:
    """A record's statements with their sources, parties and citations: two queries."""
    return Prefetch("statements", queryset=Statement.objects.for_display())


def place_links_prefetch(owner) -> Prefetch:
    """A record's place links with their places: one query."""
    return Prefetch("place_links", queryset=owner.places.through.objects.select_related("place"))


def settled_by_prefetch(owner) -> Prefetch:
    """The treaty terms settling a request or counterproposal: one query."""
    return Prefetch("settlements", queryset=owner.settled_by.through.objects.select_related("term"))


@document("party", "parties", "Parties and places", "States and actors the source names as taking part.")
class PartyViewSet(RecordViewSet):
    linked_data_type = {"state": "Country", "person": "Person", "armed-force": "Organization"}
    queryset = Party.objects.select_related("part_of", "territory").prefetch_related(
        citations_prefetch(), statements_prefetch()
    )
    serializer_class = serializers.PartySerializer
    filterset_class = filters.PartyFilter
    search_fields = ["name", "slug", "other_names"]
    ordering_fields = ["name", "slug", "kind", "role", "sequence"]
    ordering = ["name"]


@document(
    "place",
    "places",
    "Parties and places",
    "Every place the source names, under the name it uses. Other sources' coordinates, names "
    "(in Japanese and Russian, of 1905 and of today) and GeoNames ids are its `statements`, each "
    "cited; `?search=` finds a place by any of those names (Shenyang finds Mukden). `modern_name`, "
    "`latitude` and `longitude` stay null: the textbook gives none.",
)
class PlaceViewSet(RecordViewSet):
    linked_data_type = "Place"
    geojson = True
    queryset = Place.objects.select_related("part_of").prefetch_related(
        citations_prefetch(), statements_prefetch()
    )
    serializer_class = serializers.PlaceSerializer
    filterset_class = filters.PlaceFilter
    search_fields = ["name", "slug", "modern_name", "other_names"]
    ordering_fields = ["name", "slug", "kind", "sequence"]
    ordering = ["name"]


@document(
    "negotiation",
    "negotiations",
    "Diplomacy",
    "The talks: who opened them, when they opened and ended (to the precision the source gives), "
    "and how they ended. The detail shows each request beside the counterproposal(s) answering it.",
)
class NegotiationViewSet(RecordViewSet):
    linked_data_type = "Event"
    queryset = Negotiation.objects.select_related("initiated_by", "counterparty").prefetch_related(
        citations_prefetch(), figures_prefetch(), statements_prefetch()
    )
    serializer_class = serializers.NegotiationSerializer
    detail_serializer_class = serializers.NegotiationDetailSerializer
    filterset_class = filters.NegotiationFilter
    search_fields = ["name", "outcome"]
    ordering_fields = ["date", "name", "slug", "sequence"]
    ordering = ["date", "slug"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset
        responses = Response.objects.select_related("counterproposal")
        return queryset.prefetch_related(
            Prefetch(
                "proposals",
                queryset=Proposal.objects.select_related("party").prefetch_related(
                    Prefetch("responses", queryset=responses), settled_by_prefetch(Proposal)
                ),
            ),
            "counterproposals",
            "events",
        )


@document(
    "request",
    "Japan's requests",
    "Diplomacy",
    "Japan's numbered requests of Russia, verbatim, each with the counterproposal(s) answering it.",
)
class ProposalViewSet(RecordViewSet):
    linked_data_type = "CreativeWork"
    queryset = Proposal.objects.select_related("negotiation", "party").prefetch_related(
        citations_prefetch(),
        Prefetch("responses", queryset=Response.objects.select_related("counterproposal")),
        place_links_prefetch(Proposal),
        settled_by_prefetch(Proposal),
        statements_prefetch(),
    )
    serializer_class = serializers.ProposalSerializer
    filterset_class = filters.ProposalFilter
    search_fields = ["terms"]
    ordering_fields = ["number", "slug", "sequence"]
    ordering = ["negotiation", "number"]


@document(
    "counterproposal",
    "Russia's counterproposals",
    "Diplomacy",
    "Russia's numbered counterproposals, verbatim. `responds_to` links each to the request(s) it "
    "answers; `basis` says whether the source states the link or it is our reading of it.",
)
class CounterproposalViewSet(RecordViewSet):
    linked_data_type = "CreativeWork"
    queryset = Counterproposal.objects.select_related("negotiation", "party").prefetch_related(
        citations_prefetch(),
        figures_prefetch(),
        Prefetch("responses", queryset=Response.objects.select_related("proposal")),
        place_links_prefetch(Counterproposal),
        settled_by_prefetch(Counterproposal),
        statements_prefetch(),
    )
    serializer_class = serializers.CounterproposalSerializer
    filterset_class = filters.CounterproposalFilter
    search_fields = ["terms"]
    ordering_fields = ["number", "slug", "sequence"]
    ordering = ["negotiation", "number"]


@document(
    "event",
    "events",
    "Diplomacy",
    "The dated steps of the diplomacy and the war. `date` is written to its precision; it is null "
    "where the source gives no date.",
)
class EventViewSet(RecordViewSet):
    linked_data_type = "Event"
    queryset = Event.objects.select_related("negotiation").prefetch_related(
        Prefetch("party_links", queryset=EventParty.objects.select_related("party")),
        place_links_prefetch(Event),
        citations_prefetch(),
        figures_prefetch(),
        statements_prefetch(),
    )
    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter
    search_fields = ["name", "description", "note"]
    ordering_fields = ["date", "name", "slug", "kind", "sequence"]
    ordering = ["date", "slug"]


@document(
    "engagement",
    "engagements",
    "War",
    "The battles and campaigns the source lists, in its order, with the outcome as it states it "
    "and every number it gives about them. `number` is an engagement's place in the source's list, "
    "not a chronology: the list is not in date order (maritime control, its (2), ran "
    "February–August 1904), and the source dates no engagement. `?ordering=sequence` orders them "
    "by where the source first cites each; the timeline (`/api/v1/timeline/?order=narrative`) "
    "places them among the steps of the diplomacy, in the source's narrative order.",
)
class EngagementViewSet(RecordViewSet):
    linked_data_type = "Event"
    geojson = True
    queryset = Engagement.objects.select_related("victor").prefetch_related(
        place_links_prefetch(Engagement),
        Prefetch("belligerent_links", queryset=Belligerent.objects.select_related("party", "side")),
        citations_prefetch(),
        figures_prefetch(),
        statements_prefetch(),
    )
    serializer_class = serializers.EngagementSerializer
    filterset_class = filters.EngagementFilter
    search_fields = ["name", "outcome"]
    ordering_fields = ["number", "name", "slug", "date", "sequence"]
    ordering = ["number"]

    def geometries(self, records):
        """Each engagement's places' points (api.geo), read from the places' stored renderings:
        two queries for all of these records."""
        slugs = {link["place"]["slug"] for record in records for link in record["places"]}
        keys = Place.objects.filter(slug__in=slugs).values_list("pk", flat=True)
        places = [json.loads(text) for text in renderings.read(Place, keys, "listed")]
        points = {place["slug"]: geo.point(place) for place in places}
        return [
            geo.geometry([points.get(link["place"]["slug"]) for link in record["places"]])
            for record in records
        ]


@document(
    "figure",
    "figures",
    "War",
    "Every number the source gives, as a typed value: what it measures, its unit, the party it "
    "concerns, the record it is about, and its citation.",
)
class FigureViewSet(RecordViewSet):
    linked_data_type = "Claim"
    queryset = Figure.objects.select_related("party", "subject_type").prefetch_related(
        "subject", citations_prefetch()
    )
    serializer_class = serializers.FigureSerializer
    filterset_class = filters.FigureFilter
    search_fields = ["description", "measure", "unit"]
    ordering_fields = ["value", "measure", "slug", "sequence"]
    ordering = ["slug"]


@document(
    "statement",
    "statements",
    "Provenance",
    "Other sources' values beside the source each record rests on: a date (with its end and time "
    "of day, in the calendar the source gives it), coordinates, a name in a language, an identifier "
    "or a short value in our words, each from one source with its citations. None replaces the "
    "record's own value or another statement; inside its record each says whether the values of "
    "the same thing differ (`disputed`) and which is chosen (`chosen`).",
)
class StatementViewSet(RecordViewSet):
    linked_data_type = "Claim"
    queryset = Statement.objects.select_related("party", "source", "subject_type").prefetch_related(
        "subject", citations_prefetch()
    )
    serializer_class = serializers.StatementSerializer
    filterset_class = filters.StatementFilter
    search_fields = ["text", "scope", "note"]
    ordering_fields = ["slug", "kind", "date", "sequence"]
    ordering = ["slug"]


@document(
    "claim",
    "claims",
    "Diplomacy",
    "Judgements the source makes, kept as the source's claims: the words that judge, quoted "
    "(`statement` is exactly what its one citation quotes), and the records they judge "
    "(`judges`). `is_interpretation` is true where the source interprets rather than reports. "
    "`?judges=engagement:occupation-of-mukden` finds the claims about a record.",
)
class ClaimViewSet(RecordViewSet):
    linked_data_type = "Claim"
    queryset = Claim.objects.prefetch_related(
        "parties",
        place_links_prefetch(Claim),
        citations_prefetch(),
        # The judged records, one query per kind of record among them (a generic key).
        Prefetch("judges", queryset=JudgedRecord.objects.prefetch_related("record")),
    )
    serializer_class = serializers.ClaimSerializer
    filterset_class = filters.ClaimFilter
    search_fields = ["name", "statement"]
    ordering_fields = ["slug", "name", "is_interpretation", "sequence"]
    ordering = ["slug"]
