from rest_framework import serializers

from api.fields import (
    ChosenDateField,
    LinkField,
    OwnedRecordsField,
    PartialDateField,
    date_basis_fields,
    date_calendar_fields,
    record_url_field,
    statements_field,
)
from api.serializers import CitedSerializer, RowSerializer
from events.models import Counterproposal, Party, Place, Proposal
from treaties.models import (
    ArticleParty,
    ArticlePlace,
    SettledCounterproposal,
    SettledRequest,
    TermArticle,
    TermParty,
    TermPlace,
    Transfer,
    Treaty,
    TreatyArticle,
    TreatyTerm,
)


def party_link(**kwargs):
    return LinkField(queryset=Party.objects.all(), **kwargs)


class TermPartySerializer(RowSerializer):
    party = party_link()

    class Meta:
        model = TermParty
        fields = ["party", "role", "basis", "rationale"]


class TermPlaceSerializer(RowSerializer):
    """A place the term names, in a role, and on whose word the link rests."""

    place = LinkField(queryset=Place.objects.all())

    class Meta:
        model = TermPlace
        fields = ["place", "role", "basis", "rationale"]


class TransferSerializer(RowSerializer):
    """What the term passes from one party to another, in the term's words."""

    place = LinkField(queryset=Place.objects.all(), allow_null=True, required=False)
    from_party = party_link()
    to_party = party_link()

    class Meta:
        model = Transfer
        fields = ["what", "place", "from_party", "to_party", "basis", "rationale"]


class SettledRequestSerializer(RowSerializer):
    proposal = LinkField(queryset=Proposal.objects.all())

    class Meta:
        model = SettledRequest
        fields = ["proposal", "basis", "rationale"]


class SettledCounterproposalSerializer(RowSerializer):
    counterproposal = LinkField(queryset=Counterproposal.objects.all())

    class Meta:
        model = SettledCounterproposal
        fields = ["counterproposal", "basis", "rationale"]


class TermArticleSerializer(RowSerializer):
    """A treaty article the term summarises (or points to), and why we read it so."""

    article = LinkField(queryset=TreatyArticle.objects.all())

    class Meta:
        model = TermArticle
        fields = ["article", "role", "basis", "rationale"]


class TreatyTermSerializer(CitedSerializer):
    url = record_url_field("treaty-term")
    name = serializers.CharField(read_only=True)
    treaty = LinkField(queryset=Treaty.objects.all())
    parties = TermPartySerializer(
        source="party_roles",
        many=True,
        required=False,
        help_text="The parties the term binds, benefits, needs the consent of, or affects.",
    )
    places = TermPlaceSerializer(
        source="place_links", many=True, required=False, help_text="The places it names, each in its role."
    )
    transfers = TransferSerializer(
        many=True, required=False, help_text="What passes from whom to whom, in the term's words."
    )
    settles_requests = SettledRequestSerializer(
        source="settledrequest_links",
        many=True,
        required=False,
        help_text="The requests of the talks the term settles: our reading, with why.",
    )
    settles_counterproposals = SettledCounterproposalSerializer(
        source="settledcounterproposal_links",
        many=True,
        required=False,
        help_text="The counterproposals the term settles: our reading, with why.",
    )
    articles = TermArticleSerializer(
        source="article_links",
        many=True,
        required=False,
        help_text="The treaty's articles the term summarises (summarised), or that continue its "
        "matter (see-also): our reading, with why, since the source names no articles.",
    )
    figures = OwnedRecordsField()

    class Meta:
        model = TreatyTerm
        fields = [
            "slug",
            "url",
            "name",
            "number",
            "treaty",
            "wording",
            "parties",
            "places",
            "transfers",
            "settles_requests",
            "settles_counterproposals",
            "articles",
            "figures",
            "sequence",
            "citations",
        ]


class ArticlePartySerializer(RowSerializer):
    party = party_link()

    class Meta:
        model = ArticleParty
        fields = ["party", "role", "basis", "rationale"]


class ArticlePlaceSerializer(RowSerializer):
    """A place the article names, in a role, and on whose word the link rests."""

    place = LinkField(queryset=Place.objects.all())

    class Meta:
        model = ArticlePlace
        fields = ["place", "role", "basis", "rationale"]


class SummarisedBySerializer(serializers.ModelSerializer):
    """A treaty term summarising this article (or pointing to it), and why we read it so."""

    term = LinkField(source="record", read_only=True)

    class Meta:
        model = TermArticle
        fields = ["term", "role", "basis", "rationale"]


class TreatyArticleSerializer(CitedSerializer):
    url = record_url_field("treaty-article")
    name = serializers.CharField(read_only=True, help_text='"Article II", "Additional Article I".')
    treaty = LinkField(queryset=Treaty.objects.all())
    parties = ArticlePartySerializer(
        source="party_roles",
        many=True,
        required=False,
        help_text="The parties the article binds, benefits, needs the consent of, or affects.",
    )
    places = ArticlePlaceSerializer(
        source="place_links", many=True, required=False, help_text="The places it names, each in its role."
    )
    summarised_by = SummarisedBySerializer(
        source="term_links",
        many=True,
        read_only=True,
        help_text="The source's terms that summarise it or point to it (written on the term: `articles`).",
    )

    class Meta:
        model = TreatyArticle
        fields = [
            "slug",
            "url",
            "name",
            "number",
            "additional",
            "treaty",
            "subject",
            "note",
            "parties",
            "places",
            "summarised_by",
            "sequence",
            "citations",
        ]


class TreatySerializer(CitedSerializer):
    url = record_url_field("treaty")
    statements = statements_field()
    chosen_date = ChosenDateField()
    signed = PartialDateField(help_text="When it was signed, to its precision.")
    signed_julian, signed_calendar = date_calendar_fields("date", "signed")
    signed_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    signed_basis, signed_rationale = date_basis_fields("date")
    signed_at = LinkField(queryset=Place.objects.all(), allow_null=True, required=False)
    arranged_by = party_link(allow_null=True, required=False)
    parties = party_link(many=True, allow_empty=False)
    terms = LinkField(many=True, read_only=True)
    articles = LinkField(
        many=True,
        read_only=True,
        help_text="The treaty's own articles, in its order: Articles I to XV, then the additional ones.",
    )

    class Meta:
        model = Treaty
        fields = [
            "slug",
            "url",
            "name",
            "signed",
            "signed_julian",
            "signed_calendar",
            "signed_precision",
            "signed_basis",
            "signed_rationale",
            "chosen_date",
            "signed_at",
            "arranged_by",
            "arranged_by_basis",
            "arranged_by_rationale",
            "parties",
            "parties_basis",
            "parties_rationale",
            "terms",
            "statements",
            "articles",
            "sequence",
            "citations",
        ]


class TermInTreatySerializer(TreatyTermSerializer):
    class Meta(TreatyTermSerializer.Meta):
        fields = [f for f in TreatyTermSerializer.Meta.fields if f != "treaty"]
        read_only_fields = fields


class TreatyDetailSerializer(TreatySerializer):
    terms = TermInTreatySerializer(
        many=True,
        read_only=True,
        help_text="The source's summary of the treaty's terms, in full, numbered and ordered as the "
        "source numbers them (not the treaty's articles).",
    )
