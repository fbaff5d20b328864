from rest_framework import serializers

from api.dates import Precision
from api.fields import PartialDateField, RecordSummarySerializer
from api.readings import Basis
from sources.models import CitedRecord


class TimelineEntrySerializer(RecordSummarySerializer):
    """A record of a dated kind, with its date to its precision and its place in the source."""

    date = PartialDateField(
        read_only=True,
        help_text="Written to its precision: YYYY-MM-DD, YYYY-MM or YYYY; null where the source gives none.",
    )
    date_precision = serializers.ChoiceField(choices=Precision.choices, read_only=True, allow_null=True)
    date_basis = serializers.ChoiceField(
        choices=Basis.choices,
        read_only=True,
        allow_null=True,
        help_text=(
            "Whether the source states the date (document) or it is our reading (reading); null when undated."
        ),
    )
    sequence = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=CitedRecord._meta.get_field("sequence").help_text
    )

    class Meta:
        ref_name = "TimelineEntry"


class SearchHitSerializer(RecordSummarySerializer):
    """A record of any kind that matched, with the text that matched."""

    summary = serializers.CharField(source="matched_text", help_text="The text that matched, shortened.")

    class Meta:
        ref_name = "SearchHit"
