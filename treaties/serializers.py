from rest_framework import serializers

from api.fields import LinkField, OwnedRecordsField, PartialDateField, record_url_field
from api.serializers import CitedSerializer, RowSerializer
from events.models import Party, Place
from treaties.models import ArticleParty, Treaty, TreatyArticle


class ArticlePartySerializer(RowSerializer):
    party = LinkField(queryset=Party.objects.all())

    class Meta:
        model = ArticleParty
        fields = ["party", "role"]


class TreatyArticleSerializer(CitedSerializer):
    url = record_url_field("treaty-article")
    name = serializers.CharField(read_only=True)
    treaty = LinkField(queryset=Treaty.objects.all())
    parties = ArticlePartySerializer(
        source="party_roles",
        many=True,
        required=False,
        help_text="The parties the article binds, benefits, or needs the consent of.",
    )
    places = LinkField(queryset=Place.objects.all(), many=True, required=False)
    figures = OwnedRecordsField()

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
    url = record_url_field("treaty")
    signed = PartialDateField(help_text="When it was signed, to its precision.")
    signed_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    signed_at = LinkField(queryset=Place.objects.all(), allow_null=True, required=False)
    arranged_by = LinkField(queryset=Party.objects.all(), allow_null=True, required=False)
    parties = LinkField(queryset=Party.objects.all(), many=True, allow_empty=False)
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
