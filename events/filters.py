import django_filters
from django.db.models import Q

from api.filters import (
    DateBasisFilter,
    IntegerFilter,
    RecordLinkFilter,
    RecordTypeFilter,
    SlugChoiceFilter,
    StrictBooleanFilter,
    date_range_filters,
    place_filters,
)
from api.readings import Basis
from api.registry import figure_subject_models, judgeable_models, statement_subject_models
from events.models import (
    Claim,
    Counterproposal,
    Engagement,
    Event,
    Figure,
    Negotiation,
    Party,
    Place,
    PlaceLink,
    Proposal,
    Statement,
)
from sources.models import Source


class PartyFilter(django_filters.FilterSet):
    part_of = SlugChoiceFilter(Party, help_text="Slug of the state this party belongs to.")
    role_basis = django_filters.ChoiceFilter(
        choices=Basis.choices, help_text="document: only parties whose role the source states."
    )

    class Meta:
        model = Party
        fields = ["kind", "role", "role_basis", "part_of"]


class PlaceFilter(django_filters.FilterSet):
    part_of = SlugChoiceFilter(Place, help_text="Slug of the larger place it lies in.")

    class Meta:
        model = Place
        fields = ["kind", "part_of"]


class NegotiationFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(
        Party, help_text="Slug of a party that opened or answered the talks.", method="filter_party"
    )
    start, end, calendar = date_range_filters()
    opened_basis = DateBasisFilter()

    class Meta:
        model = Negotiation
        fields = ["party", "start", "end", "calendar", "opened_basis"]

    def filter_party(self, qs, name, value):
        return qs.filter(Q(initiated_by=value) | Q(counterparty=value))


class ProposalFilter(django_filters.FilterSet):
    negotiation = SlugChoiceFilter(Negotiation, help_text="Slug of the negotiation.")
    party = SlugChoiceFilter(Party, help_text="Slug of the party that made it.")
    number = IntegerFilter(help_text="Its number in the negotiation.")
    place, place_role = place_filters(Place, PlaceLink)

    class Meta:
        model = Proposal
        fields = ["negotiation", "party", "number", "place", "place_role"]


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
    place, place_role = place_filters(Place, PlaceLink)
    negotiation = SlugChoiceFilter(Negotiation, help_text="Slug of the negotiation.")
    dated = StrictBooleanFilter(
        field_name="date", lookup_expr="isnull", exclude=True, help_text="true: only events the source dates."
    )
    start, end, calendar = date_range_filters()
    date_basis = DateBasisFilter()

    class Meta:
        model = Event
        fields = [
            "kind",
            "party",
            "place",
            "place_role",
            "negotiation",
            "dated",
            "start",
            "end",
            "calendar",
            "date_basis",
        ]


class EngagementFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(Party, help_text="Slug of a belligerent.", field_name="belligerents")
    side = SlugChoiceFilter(
        Party,
        field_name="belligerent_links__side",
        distinct=True,
        help_text="Slug of a state: engagements with a belligerent on its side.",
    )
    place, place_role = place_filters(Place, PlaceLink)
    victor = SlugChoiceFilter(Party, help_text="Slug of the victor.")
    victor_basis = django_filters.ChoiceFilter(
        choices=Basis.choices, help_text="document: only engagements whose victor the source states."
    )
    kind_basis = django_filters.ChoiceFilter(
        choices=Basis.choices, help_text="document: only engagements whose kind the source states."
    )
    start, end, calendar = date_range_filters()
    date_basis = DateBasisFilter()

    class Meta:
        model = Engagement
        fields = [
            "kind",
            "kind_basis",
            "party",
            "side",
            "place",
            "place_role",
            "victor",
            "victor_basis",
            "start",
            "end",
            "calendar",
            "date_basis",
        ]


def as_long_as(model, name: str, help_text: str) -> django_filters.CharFilter:
    """An exact filter on a text field, no longer than the field: a longer value could match
    nothing, and is a 400 (the schema says so, which keeps every URL within a request line)."""
    return django_filters.CharFilter(max_length=model._meta.get_field(name).max_length, help_text=help_text)


class FigureFilter(django_filters.FilterSet):
    measure = as_long_as(Figure, "measure", "Only figures of this measure (exactly), e.g. casualties.")
    unit = as_long_as(Figure, "unit", "Only figures in this unit (exactly), e.g. persons.")
    party = SlugChoiceFilter(Party, help_text="Slug of the party the number concerns.")
    subject_type = RecordTypeFilter(
        kinds=figure_subject_models,
        content_type_field="subject_type",
        help_text="Only figures about records of this kind.",
    )

    class Meta:
        model = Figure
        fields = ["measure", "unit", "party", "subject_type"]


class StatementFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(Party, help_text="Slug of the party the value concerns.")
    source = SlugChoiceFilter(Source, help_text="Slug of the source the value is from.")
    subject_type = RecordTypeFilter(
        kinds=statement_subject_models,
        content_type_field="subject_type",
        help_text="Only statements about records of this kind.",
    )

    class Meta:
        model = Statement
        fields = ["kind", "source", "party", "subject_type", "language"]


class ClaimFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(Party, help_text="Slug of a party the claim is about.", field_name="parties")
    place, place_role = place_filters(Place, PlaceLink)
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
        fields = ["is_interpretation", "party", "place", "place_role", "judges"]
