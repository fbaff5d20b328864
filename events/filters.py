import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

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
)
from sources.filters import DateRangeBound, IntegerFilter, SlugChoiceFilter, StrictBooleanFilter
from sources.serializers import citable_models


def party_filter(help_text: str, **kwargs):
    return SlugChoiceFilter(queryset=Party.objects.all(), help_text=help_text, **kwargs)


def place_filter(help_text: str, **kwargs):
    return SlugChoiceFilter(queryset=Place.objects.all(), help_text=help_text, **kwargs)


class PartyFilter(django_filters.FilterSet):
    part_of = party_filter("Slug of the state this party belongs to.")

    class Meta:
        model = Party
        fields = ["kind", "role", "part_of"]


class PlaceFilter(django_filters.FilterSet):
    class Meta:
        model = Place
        fields = ["kind"]


class NegotiationFilter(django_filters.FilterSet):
    party = party_filter("Slug of a party that opened or answered the talks.", method="filter_party")
    start = DateRangeBound(bound="start")
    end = DateRangeBound(bound="end")

    class Meta:
        model = Negotiation
        fields = ["party", "start", "end"]

    def filter_party(self, qs, name, value):
        return qs.filter(Q(initiated_by=value) | Q(counterparty=value))


class ProposalFilter(django_filters.FilterSet):
    negotiation = SlugChoiceFilter(queryset=Negotiation.objects.all(), help_text="Slug of the negotiation.")
    party = party_filter("Slug of the party that made it.")
    number = IntegerFilter(help_text="Its number in the negotiation.")

    class Meta:
        model = Proposal
        fields = ["negotiation", "party", "number"]


class CounterproposalFilter(ProposalFilter):
    responds_to = SlugChoiceFilter(
        queryset=Proposal.objects.all(),
        field_name="responses__proposal",
        help_text="Slug of a request it answers.",
    )
    basis = django_filters.ChoiceFilter(
        field_name="responses__basis",
        choices=Counterproposal.responds_to.through.Basis.choices,
        distinct=True,
        help_text="Only counterproposals whose link to a request rests on this basis.",
    )

    class Meta(ProposalFilter.Meta):
        model = Counterproposal
        fields = [*ProposalFilter.Meta.fields, "responds_to", "basis"]


class EventFilter(django_filters.FilterSet):
    party = party_filter("Slug of a party taking part.", field_name="parties")
    place = place_filter("Slug of a place it happened in.", field_name="places")
    negotiation = SlugChoiceFilter(queryset=Negotiation.objects.all(), help_text="Slug of the negotiation.")
    dated = StrictBooleanFilter(
        field_name="date", lookup_expr="isnull", exclude=True, help_text="true: only events the source dates."
    )
    start = DateRangeBound(bound="start")
    end = DateRangeBound(bound="end")

    class Meta:
        model = Event
        fields = ["kind", "party", "place", "negotiation", "dated", "start", "end"]


class EngagementFilter(django_filters.FilterSet):
    party = party_filter("Slug of a belligerent.", field_name="belligerents")
    place = place_filter("Slug of a place it was fought at.", field_name="places")
    victor = party_filter("Slug of the victor.")
    start = DateRangeBound(bound="start")
    end = DateRangeBound(bound="end")

    class Meta:
        model = Engagement
        fields = ["kind", "party", "place", "victor", "start", "end"]


class FigureFilter(django_filters.FilterSet):
    party = party_filter("Slug of the party the number concerns.")
    subject_type = django_filters.ChoiceFilter(
        choices=lambda: [(name, name) for name in sorted(citable_models())],
        method="filter_subject_type",
        help_text="Only figures about records of this kind.",
    )

    class Meta:
        model = Figure
        fields = ["measure", "unit", "party", "subject_type"]

    def filter_subject_type(self, qs, name, value: str):
        return qs.filter(subject_type=ContentType.objects.get_for_model(citable_models()[value]))


class ClaimFilter(django_filters.FilterSet):
    party = party_filter("Slug of a party the claim is about.", field_name="parties")
    place = place_filter("Slug of a place the claim is about.", field_name="places")
    is_interpretation = StrictBooleanFilter(
        help_text="true: the source's judgements; false: what it reports as fact."
    )

    class Meta:
        model = Claim
        fields = ["is_interpretation", "party", "place"]
