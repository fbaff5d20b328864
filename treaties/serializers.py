from rest_framework import serializers

from events.serializers import NestedFigureSerializer, PartySummary, PlaceSummary, url_field
from sources.serializers import CitedSerializer, PartialDateField, summary_serializer
from treaties.models import ArticleParty, Treaty, TreatyArticle

TreatySummary = summary_serializer(Treaty)
ArticleSummary = summary_serializer(TreatyArticle)


class ArticlePartySerializer(serializers.ModelSerializer):
    party = PartySummary(read_only=True)

    class Meta:
        model = ArticleParty
        fields = ["party", "role"]


class TreatyArticleSerializer(CitedSerializer):
    url = url_field("treaty-article")
    name = serializers.CharField(read_only=True)
    treaty = TreatySummary(read_only=True)
    parties = ArticlePartySerializer(
        source="party_roles",
        many=True,
        read_only=True,
        help_text="The parties the article binds, benefits, or needs the consent of.",
    )
    places = PlaceSummary(many=True, read_only=True)
    figures = NestedFigureSerializer(many=True, read_only=True)

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
    signed = PartialDateField("date_precision", help_text="When it was signed, to its precision.")
    signed_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    signed_at = PlaceSummary(read_only=True, allow_null=True)
    arranged_by = PartySummary(read_only=True, allow_null=True)
    parties = PartySummary(many=True, read_only=True)
    articles = ArticleSummary(many=True, read_only=True)

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


class TreatyDetailSerializer(TreatySerializer):
    articles = ArticleInTreatySerializer(
        many=True, read_only=True, help_text="The articles, in order, in full."
    )
