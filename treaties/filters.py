import django_filters

from api.filters import (
    DateBasisFilter,
    IntegerFilter,
    SlugChoiceFilter,
    StrictBooleanFilter,
    date_range_filters,
    place_filters,
)
from events.models import Counterproposal, Party, Place, PlaceLink, Proposal
from treaties.models import TermArticle, TermParty, Treaty, TreatyArticle, TreatyTerm


class TreatyFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(Party, help_text="Slug of a party to the treaty.", field_name="parties")
    start, end, calendar = date_range_filters()
    signed_basis = DateBasisFilter()

    class Meta:
        model = Treaty
        fields = ["party", "start", "end", "calendar", "signed_basis"]


class TreatyTermFilter(django_filters.FilterSet):
    treaty = SlugChoiceFilter(Treaty, help_text="Slug of the treaty.")
    party = SlugChoiceFilter(
        Party, help_text="Slug of a party the term concerns.", field_name="parties", distinct=True
    )
    role = django_filters.ChoiceFilter(
        field_name="party_roles__role",
        choices=TermParty.Role.choices,
        distinct=True,
        help_text="Only terms concerning some party in this role (with `party`: that party).",
        method="filter_role",
    )
    place, place_role = place_filters(Place, PlaceLink)
    number = IntegerFilter(help_text='The number the source gives it in its list ("(3)" is 3).')
    settles = SlugChoiceFilter(
        Proposal, field_name="settles_requests", help_text="Slug of a request the term settles."
    )
    settles_counterproposal = SlugChoiceFilter(
        Counterproposal,
        field_name="settles_counterproposals",
        help_text="Slug of a counterproposal the term settles.",
    )
    article = SlugChoiceFilter(
        TreatyArticle,
        field_name="article_links__article",
        distinct=True,
        help_text="Slug of a treaty article: the terms that summarise it or point to it.",
    )

    class Meta:
        model = TreatyTerm
        fields = [
            "treaty",
            "party",
            "role",
            "place",
            "place_role",
            "number",
            "settles",
            "settles_counterproposal",
            "article",
        ]

    def filter_role(self, qs, name, value):
        party = self.form.cleaned_data.get("party")
        condition = {"party_roles__role": value}
        if party is not None:
            condition["party_roles__party"] = party
        return qs.filter(**condition).distinct()


class TreatyArticleFilter(django_filters.FilterSet):
    treaty = SlugChoiceFilter(Treaty, help_text="Slug of the treaty.")
    term = SlugChoiceFilter(
        TreatyTerm,
        field_name="term_links__record",
        distinct=True,
        help_text="Slug of a treaty term: the articles it summarises or points to (see also).",
    )
    term_role = django_filters.ChoiceFilter(
        field_name="term_links__role",
        choices=TermArticle.Role.choices,
        distinct=True,
        help_text="Only articles some term links in this role (with `term`: that term).",
        method="filter_term_role",
    )
    additional = StrictBooleanFilter(help_text="true: the additional articles; false: the others.")
    number = IntegerFilter(help_text="Its number in the treaty (Article II is 2).")
    party = SlugChoiceFilter(
        Party, help_text="Slug of a party the article concerns.", field_name="parties", distinct=True
    )
    place, place_role = place_filters(Place, PlaceLink)

    class Meta:
        model = TreatyArticle
        fields = ["treaty", "term", "term_role", "additional", "number", "party", "place", "place_role"]

    def filter_term_role(self, qs, name, value):
        term = self.form.cleaned_data.get("term")
        condition = {"term_links__role": value}
        if term is not None:
            condition["term_links__record"] = term
        return qs.filter(**condition).distinct()
