import django_filters

from api.filters import DateBasisFilter, DateRangeBound, IntegerFilter, SlugChoiceFilter
from events.models import Party, Place
from treaties.models import TermParty, Treaty, TreatyTerm


class TreatyFilter(django_filters.FilterSet):
    party = SlugChoiceFilter(Party, help_text="Slug of a party to the treaty.", field_name="parties")
    start = DateRangeBound(bound="start")
    end = DateRangeBound(bound="end")
    signed_basis = DateBasisFilter()

    class Meta:
        model = Treaty
        fields = ["party", "start", "end", "signed_basis"]


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
    place = SlugChoiceFilter(Place, help_text="Slug of a place the term concerns.", field_name="places")
    number = IntegerFilter(help_text='The number the source gives it in its list ("(3)" is 3).')

    class Meta:
        model = TreatyTerm
        fields = ["treaty", "party", "role", "place", "number"]

    def filter_role(self, qs, name, value):
        party = self.form.cleaned_data.get("party")
        condition = {"party_roles__role": value}
        if party is not None:
            condition["party_roles__party"] = party
        return qs.filter(**condition).distinct()
