from rest_framework import serializers

from api.fields import LinkField, OwnedRecordsField, PartialDateField, date_basis_fields, record_url_field
from api.serializers import CitedSerializer, RowSerializer
from events.models import Party, Place
from treaties.models import TermParty, Treaty, TreatyTerm


class TermPartySerializer(RowSerializer):
    party = LinkField(queryset=Party.objects.all())

    class Meta:
        model = TermParty
        fields = ["party", "role"]


class TreatyTermSerializer(CitedSerializer):
    url = record_url_field("treaty-term")
    name = serializers.CharField(read_only=True)
    treaty = LinkField(queryset=Treaty.objects.all())
    parties = TermPartySerializer(
        source="party_roles",
        many=True,
        required=False,
        help_text="The parties the term binds, benefits, or needs the consent of.",
    )
    places = LinkField(queryset=Place.objects.all(), many=True, required=False)
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
            "figures",
            "sequence",
            "citations",
        ]


class TreatySerializer(CitedSerializer):
    url = record_url_field("treaty")
    signed = PartialDateField(help_text="When it was signed, to its precision.")
    signed_precision = serializers.CharField(source="date_precision", read_only=True, allow_null=True)
    signed_basis, signed_rationale = date_basis_fields("date")
    signed_at = LinkField(queryset=Place.objects.all(), allow_null=True, required=False)
    arranged_by = LinkField(queryset=Party.objects.all(), allow_null=True, required=False)
    parties = LinkField(queryset=Party.objects.all(), many=True, allow_empty=False)
    terms = LinkField(many=True, read_only=True)

    class Meta:
        model = Treaty
        fields = [
            "slug",
            "url",
            "name",
            "signed",
            "signed_precision",
            "signed_basis",
            "signed_rationale",
            "signed_at",
            "arranged_by",
            "parties",
            "terms",
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
