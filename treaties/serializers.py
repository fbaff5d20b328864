from rest_framework import serializers

from events.models import Party, Place
from events.serializers import NestedFigureSerializer, NestedRowsMixin, party_link, place_link, url_field
from sources.serializers import CitedSerializer, LinkField, PartialDateField, RowSerializer
from treaties.models import ArticleParty, Treaty, TreatyArticle


class ArticlePartySerializer(RowSerializer):
    party = party_link()

    class Meta:
        model = ArticleParty
        fields = ["party", "role"]


class TreatyArticleSerializer(NestedRowsMixin, CitedSerializer):
    url = url_field("treaty-article")
    name = serializers.CharField(read_only=True)
    treaty = LinkField(queryset=Treaty.objects.all())
    parties = ArticlePartySerializer(
        source="party_roles",
        many=True,
        required=False,
        help_text="The parties the article binds, benefits, or needs the consent of.",
    )
    places = place_link(many=True, required=False)
    figures = NestedFigureSerializer(many=True, read_only=True)
    nested_rows = {"parties": "article"}

    class Meta:
        model = TreatyArticle
        fields = [
            "slug",
            "url",
            "name",
            "number",
            "treaty",
            "terms",
            "parties",
            "places",
            "figures",
            "citations",
        ]


class TreatySerializer(CitedSerializer):
    url = url_field("treaty")
    signed = PartialDateField(help_text="When it was signed, to its precision.")
    signed_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    signed_at = LinkField(queryset=Place.objects.all(), allow_null=True, required=False)
    arranged_by = LinkField(queryset=Party.objects.all(), allow_null=True, required=False)
    parties = party_link(many=True, allow_empty=False)
    articles = LinkField(many=True, read_only=True)

    class Meta:
        model = Treaty
        fields = [
            "slug",
            "url",
            "name",
            "signed",
            "signed_precision",
            "signed_at",
            "arranged_by",
            "parties",
            "articles",
            "citations",
        ]


class ArticleInTreatySerializer(TreatyArticleSerializer):
    class Meta(TreatyArticleSerializer.Meta):
        fields = [f for f in TreatyArticleSerializer.Meta.fields if f != "treaty"]
        read_only_fields = fields


class TreatyDetailSerializer(TreatySerializer):
    articles = ArticleInTreatySerializer(
        many=True, read_only=True, help_text="The articles, in order, in full."
    )
