import django_filters
from django.db.models import Q

from api.filters import (
    DateBasisFilter,
    DateRangeBound,
    IntegerFilter,
    RecordLinkFilter,
    RecordTypeFilter,
    SlugChoiceFilter,
    StrictBooleanFilter,
)
from api.registry import figure_subject_models, judgeable_models
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


class PartyFilter(django_filters.FilterSet):
    part_of = SlugChoiceFilter(Party, help_text="Slug of the state this party belongs to.")

    class Meta:
        model = Party
        fields = ["kind", "role", "part_of"]


class PlaceFilter(django_filters.FilterSet):
    class Meta:
        model = Place
        fields = ["kind"]


class NegotiationFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(
        Party, help_text="Slug of a party that opened or answered the talks.", method="filter_party"
    )
    start = DateRangeBound(bound="start")
    end = DateRangeBound(bound="end")
    opened_basis = DateBasisFilter()

    class Meta:
        model = Negotiation
        fields = ["party", "start", "end", "opened_basis"]

    def filter_party(self, qs, name, value):
        return qs.filter(Q(initiated_by=value) | Q(counterparty=value))


class ProposalFilter(django_filters.FilterSet):
    negotiation = SlugChoiceFilter(Negotiation, help_text="Slug of the negotiation.")
    party = SlugChoiceFilter(Party, help_text="Slug of the party that made it.")
    number = IntegerFilter(help_text="Its number in the negotiation.")

    class Meta:
        model = Proposal
        fields = ["negotiation", "party", "number"]


class CounterproposalFilter(ProposalFilter):
    responds_to = SlugChoiceFilter(
        Proposal,
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
    party = SlugChoiceFilter(Party, help_text="Slug of a party taking part.", field_name="parties")
    place = SlugChoiceFilter(Place, help_text="Slug of a place it happened in.", field_name="places")
    negotiation = SlugChoiceFilter(Negotiation, help_text="Slug of the negotiation.")
    dated = StrictBooleanFilter(
        field_name="date", lookup_expr="isnull", exclude=True, help_text="true: only events the source dates."
    )
    start = DateRangeBound(bound="start")
    end = DateRangeBound(bound="end")
    date_basis = DateBasisFilter()

    class Meta:
        model = Event
        fields = ["kind", "party", "place", "negotiation", "dated", "start", "end", "date_basis"]


class EngagementFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(Party, help_text="Slug of a belligerent.", field_name="belligerents")
    place = SlugChoiceFilter(Place, help_text="Slug of a place it was fought at.", field_name="places")
    victor = SlugChoiceFilter(Party, help_text="Slug of the victor.")
    start = DateRangeBound(bound="start")
    end = DateRangeBound(bound="end")
    date_basis = DateBasisFilter()

    class Meta:
        model = Engagement
        fields = ["kind", "party", "place", "victor", "start", "end", "date_basis"]


class FigureFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(Party, help_text="Slug of the party the number concerns.")
    subject_type = RecordTypeFilter(
        kinds=figure_subject_models,
        content_type_field="subject_type",
        help_text="Only figures about records of this kind.",
    )

    class Meta:
        model = Figure
        fields = ["measure", "unit", "party", "subject_type"]


class ClaimFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(Party, help_text="Slug of a party the claim is about.", field_name="parties")
    place = SlugChoiceFilter(Place, help_text="Slug of a place the claim is about.", field_name="places")
    is_interpretation = StrictBooleanFilter(
        help_text="true: the source's judgements; false: what it reports as fact."
    )
    judges = RecordLinkFilter(
        kinds=judgeable_models,
        help_text="The claims about one record, named type:slug (engagement:occupation-of-mukden, "
        "proposal:request-1): those whose `judges` include it.",
    )

    class Meta:
        model = Claim
        fields = ["is_interpretation", "party", "place", "judges"]
