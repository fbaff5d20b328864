from rest_framework import serializers

from api.dates import Calendar, Precision
from api.fields import JulianDateField, PartialDateField, RecordSummarySerializer
from api.readings import Basis
from sources.models import CitedRecord


class TimelineEntrySerializer(RecordSummarySerializer):
    """A record of a dated kind, with its date to its precision and its place in the source."""

    date = PartialDateField(
        read_only=True,
        help_text="Written to its precision: YYYY-MM-DD, YYYY-MM or YYYY; null where the source gives none.",
    )
    date_julian = JulianDateField(
        help_text=(
            "The date in the Julian calendar: YYYY-MM-DD for a day; for a month or year the ISO 8601 "
            "interval of the Julian days it covers (first/last). Null where the source gives none."
        ),
    )
    date_calendar = serializers.ChoiceField(
        choices=Calendar.choices,
        read_only=True,
        allow_null=True,
        help_text="The calendar the source gives the date in; `date` is Gregorian either way.",
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
    chosen_date = PartialDateField(
        read_only=True,
        help_text=(
            "The date the timeline orders and filters the record by, to its precision: its own `date`, or, "
            "where the source gives none, the chosen statement of another source (the record's "
            "`chosen_date` says which). Null where no source dates it."
        ),
    )
    sequence = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=CitedRecord._meta.get_field("sequence").help_text
    )

    class Meta:
        ref_name = "TimelineEntry"


class SearchHitSerializer(RecordSummarySerializer):
    """A record of any kind that matched, with the text that matched."""

    summary = serializers.CharField(
        help_text=(
            "The first of the record's searched texts that holds the query as typed (else its first), "
            "shortened."
        )
    )
    rank = serializers.FloatField(
        help_text=(
            "How well the record matches; higher first. On PostgreSQL, full-text search's rank (the "
            "record's text and its citations' quotes together); on SQLite, how often the query occurs. "
            "Comparable within one answer only."
        )
    )
    snippet = serializers.CharField(
        help_text=(
            "A fragment of the text that matched (the record's own, or a citation's quote), as HTML: "
            "the text escaped, each match in `<mark>`…`</mark>`."
        )
    )

    class Meta:
        ref_name = "SearchHit"


class ReleaseSerializer(serializers.Serializer):
    """A named release of the data (`manage.py release NAME`)."""

    name = serializers.SlugField(help_text="The release's name, to cite beside its id.")
    id = serializers.CharField(help_text="The data release it names (see `release.id`).")
    data_changed_at = serializers.DateTimeField(help_text="When the data it names had last changed.")
    cut_at = serializers.DateTimeField(help_text="When it was cut.")

    class Meta:
        ref_name = "Release"


class CurrentReleaseSerializer(serializers.Serializer):
    id = serializers.CharField(
        help_text=(
            "The data release: when the data last changed, in UTC to the microsecond "
            "(YYYYMMDDTHHMMSSffffffZ). It changes whenever any record, citation or source does, and "
            "only then: cite it with the data you used."
        )
    )
    name = serializers.SlugField(
        allow_null=True, help_text="The name of the release cut of this very data; null when none was."
    )
    data_changed_at = serializers.DateTimeField(
        help_text="When the data last changed (the answers' Last-Modified)."
    )

    class Meta:
        ref_name = "CurrentRelease"


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()
    scope = serializers.CharField(help_text="What the licence covers, and what it does not.")

    class Meta:
        ref_name = "Licence"


class MetaSerializer(serializers.Serializer):
    """What the data is and where it comes from: its release, its size, the code serving it."""

    title = serializers.CharField()
    release = CurrentReleaseSerializer()
    releases = ReleaseSerializer(many=True, help_text="Every named release, the latest first.")
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="How many records each list holds, by its name in the API root.",
    )
    api_version = serializers.CharField(help_text="The version of the API in its URLs (`/api/v1/`).")
    schema_version = serializers.CharField(help_text="The OpenAPI document's `info.version`.")
    commit = serializers.CharField(
        allow_null=True, help_text="The git commit of the code serving this; null where it is not known."
    )
    licence = LicenceSerializer()
    dump = serializers.URLField(help_text="The whole dataset in one download.")

    class Meta:
        ref_name = "Meta"
