from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from api.dates import (
    DatedRecord,
    basis_of_date,
    date_field,
    partial_date_constraints,
    precision_field,
    rationale_of_date,
)
from api.deletion import PART, Dependents, Links
from api.readings import Basis, reading_has_rationale
from api.registry import figure_subject_models, judgeable_models, record_type
from sources.models import SMALL_INT_MAX, Citation, CitedRecord, record_history


class Judgeable(models.Model):
    """A record claims may judge (every record that carries citations): while any does, it
    cannot be deleted."""

    judged_by = Dependents("events.JudgedRecord", "object_id", "content_type")

    class Meta:
        abstract = True


class Party(CitedRecord, Judgeable):
    """A state or actor the source names as taking part."""

    class Kind(models.TextChoices):
        STATE = "state", "state"
        PERSON = "person", "person"
        ARMED_FORCE = "armed-force", "armed force"

    class Role(models.TextChoices):
        BELLIGERENT = "belligerent", "belligerent"
        TERRITORY_AT_STAKE = "territory-at-stake", "state whose territory is at stake"
        MEDIATOR = "mediator", "mediator"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    role = models.CharField(max_length=20, choices=Role.choices)
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The state an armed force or an office-holder belongs to.",
    )

    history = record_history()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self):
        return self.name


class Place(CitedRecord, Judgeable):
    """A place the source names, under the name the source uses."""

    class Kind(models.TextChoices):
        REGION = "region", "region"
        CITY = "city", "city"
        PORT = "port", "port"
        PENINSULA = "peninsula", "peninsula"
        ISLAND = "island", "island"
        RAILWAY = "railway", "railway"
        ZONE = "zone", "zone"

    name = models.CharField(max_length=100, help_text="The name the source uses.")
    # Null, not "", so that "the source does not say" reads the same as every other unknown.
    kind = models.CharField(  # noqa: DJ001
        max_length=20,
        choices=Kind.choices,
        null=True,
        blank=True,
        help_text="Null where the source does not say what kind of place it is.",
    )
    modern_name = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    history = record_history()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="place_coordinates_paired_and_in_range",
                violation_error_message=("Latitude and longitude are set together, within ±90 and ±180."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="") & ~Q(modern_name=""),
                name="place_unknowns_are_null",
                violation_error_message="An unknown kind or modern name is null, not empty.",
            ),
        ]

    def __str__(self):
        return self.name


class OwnsFigures(models.Model):
    """A record that figures may be about: while any are, it cannot be deleted."""

    figures = Dependents("events.Figure", "subject_id", "subject_type")

    class Meta:
        abstract = True


class Negotiation(CitedRecord, DatedRecord, OwnsFigures, Judgeable):
    """The talks between the parties, from opening to their end."""

    name = models.CharField(max_length=200)
    initiated_by = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    counterparty = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    date = date_field("opened")
    ended = date_field("ended")
    ended_precision = precision_field()
    ended_basis = basis_of_date()
    ended_rationale = rationale_of_date()
    outcome = models.TextField(help_text="How the talks ended, in the source's words.")

    history = record_history()

    class Meta(DatedRecord.Meta):
        constraints = [*DatedRecord.Meta.constraints, *partial_date_constraints("ended")]

    def __str__(self):
        return self.name


class NumberedTerms(CitedRecord, OwnsFigures, Judgeable):
    """A numbered item of a list in the source, with its terms verbatim."""

    negotiation = models.ForeignKey(Negotiation, on_delete=models.PROTECT, related_name="%(class)ss")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(SMALL_INT_MAX)],
        help_text="Its number in the source's list.",
    )
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="%(class)ss")
    terms = models.TextField(help_text="The terms, verbatim from the source.")

    class Meta:
        abstract = True
        ordering = ["negotiation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["negotiation", "number"], name="%(class)s_unique_number_per_negotiation"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="%(class)s_number_positive"),
        ]

    label = ""

    def __str__(self):
        return f"{self.name}: {self.terms[:60]}"

    @property
    def name(self):
        return f"{self.label} {self.number}"


class Proposal(NumberedTerms):
    """One of Japan's numbered requests."""

    label = "Request"

    history = record_history()

    class Meta(NumberedTerms.Meta):
        pass


class Counterproposal(NumberedTerms):
    """One of Russia's numbered counterproposals."""

    label = "Counterproposal"

    responds_to = models.ManyToManyField(Proposal, through="Response", related_name="counterproposals")

    history = record_history()

    class Meta(NumberedTerms.Meta):
        pass


class Response(models.Model):
    """A counterproposal answering a request, and whether the source says so."""

    Basis = Basis

    counterproposal = models.ForeignKey(Counterproposal, on_delete=PART, related_name="responses")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="responses")
    basis = models.CharField(max_length=10, choices=Basis.choices)
    rationale = models.TextField(blank=True, help_text="Why the link is read this way.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["counterproposal", "proposal"]
        constraints = [
            models.UniqueConstraint(fields=["counterproposal", "proposal"], name="response_unique_pair"),
            reading_has_rationale(
                "basis", "rationale", "response_reading_has_rationale", "A link that is our reading says why."
            ),
        ]

    def __str__(self):
        return f"{self.counterproposal.name} → {self.proposal.name}"


class Event(CitedRecord, DatedRecord, OwnsFigures, Judgeable):
    """A dated step of the diplomacy or the war."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", "assessment"
        NEGOTIATIONS_OPENED = "negotiations-opened", "negotiations opened"
        NEGOTIATIONS_ENDED = "negotiations-ended", "negotiations ended"
        MOBILIZATION = "mobilization", "mobilization"
        MARTIAL_LAW = "martial-law", "martial law"
        FINAL_PROPOSAL = "final-proposal", "final proposal"
        NO_REPLY = "no-reply", "no reply"
        RUPTURE = "rupture", "breaking off of diplomatic relations"
        HOSTILITIES = "hostilities", "outbreak of hostilities"
        PEACE_TALKS = "peace-talks", "peace talks"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    parties = Links(Party, blank=True, related_name="events")
    places = Links(Place, blank=True, related_name="events")
    description = models.TextField(help_text="What happened, in the source's words.")
    note = models.TextField(blank=True, help_text="How the record reads the source, where it must.")

    history = record_history(m2m_fields=[parties, places])

    class Meta(DatedRecord.Meta):
        pass

    def __str__(self):
        return self.name


class Engagement(CitedRecord, DatedRecord, OwnsFigures, Judgeable):
    """A battle or campaign in the source's numbered list, in its order."""

    class Kind(models.TextChoices):
        LAND_BATTLE = "land-battle", "land battle"
        NAVAL_BATTLE = "naval-battle", "naval battle"
        NAVAL_CAMPAIGN = "naval-campaign", "naval campaign"
        SIEGE = "siege", "siege"

    number = models.PositiveSmallIntegerField(
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(SMALL_INT_MAX)],
        help_text=(
            "Its place in the source's list of engagements, not a chronology: the list is not in "
            "date order (maritime control, (2), ran February–August 1904). For the source's "
            "narrative order see `sequence` (`?ordering=sequence`) and the timeline "
            "(`?order=narrative`)."
        ),
    )
    name = models.CharField(max_length=200, help_text="The heading the source gives it.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = date_field("date", "Null: the source dates no engagement.")
    places = Links(Place, blank=True, related_name="engagements")
    belligerents = Links(Party, related_name="engagements")
    victor = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="victories"
    )
    outcome = models.TextField(help_text="The outcome as the source states it.")

    history = record_history(m2m_fields=[places, belligerents])

    class Meta(DatedRecord.Meta):
        ordering = ["number"]
        constraints = [
            *DatedRecord.Meta.constraints,
            models.CheckConstraint(condition=Q(number__gte=1), name="engagement_number_positive"),
        ]

    def __str__(self):
        return f"({self.number}) {self.name}"


class FigureQuerySet(models.QuerySet):
    def for_display(self):
        """Figures with their party and citations, as a record shows the figures it owns."""
        return self.select_related("party").prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.for_display())
        )


class Figure(CitedRecord, Judgeable):
    """A number the source gives, typed: what it measures, of whom, about which record.

    The same measure from another source sits beside this one as a second figure with its
    own citation, so nothing here is unique per subject and measure.
    """

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    measure = models.SlugField(max_length=60, help_text="What is counted, e.g. casualties.")
    value = models.BigIntegerField()
    unit = models.CharField(max_length=60, help_text="What one of `value` is, e.g. persons.")
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        help_text="The party the number concerns, where there is one.",
    )
    description = models.TextField(help_text="What the number says, in plain words.")
    note = models.TextField(
        blank=True,
        help_text="What the source leaves open about the number (what it does not say), in the "
        "dataset's words, not the source's; empty where nothing is left open.",
    )

    objects = FigureQuerySet.as_manager()

    history = record_history()

    class Meta:
        ordering = ["subject_type", "subject_id", "slug"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.measure}: {self.value} {self.unit}"

    @property
    def name(self):
        return self.description

    def clean(self):
        # Only a record that owns figures is kept by them (api.deletion.Dependents); a figure
        # on any other record would not stop its deletion, and would point at nothing.
        owners = figure_subject_models()
        if self.subject_type_id is not None and self.subject_type.model_class() not in owners.values():
            kind = record_type(self.subject_type.model_class())
            raise ValidationError(
                {"subject": f"A {kind} has no figures; the subject is one of {', '.join(sorted(owners))}."}
            )


class Claim(CitedRecord, Judgeable):
    """A judgement the source makes, kept as the source's claim rather than as fact: the words
    that judge, quoted, and the records they judge."""

    name = models.CharField(max_length=200)
    statement = models.TextField(help_text="The source's words: exactly what the claim's citation quotes.")
    is_interpretation = models.BooleanField(
        help_text="True where the source judges or interprets rather than reports an event."
    )
    parties = Links(Party, blank=True, related_name="claims")
    places = Links(Place, blank=True, related_name="claims")

    history = record_history(m2m_fields=[parties, places])

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.name

    def citation_errors(self, citations):
        """A claim's statement is exactly what it quotes: it rests on one citation, whose quote
        is the statement (or on none yet: a claim is written, then cited)."""
        if len(citations) > 1:
            return {"citations": ["A claim quotes one passage of its source: it rests on one citation."]}
        if citations and citations[0].quote != self.statement:
            return {
                "statement": [
                    f"The statement is {self.statement!r} but the claim's citation quotes "
                    f"{citations[0].quote!r}: a claim's statement is exactly the words it quotes."
                ]
            }
        return {}


class JudgedRecord(models.Model):
    """A record a claim judges: of any kind that carries citations (events.Judgeable)."""

    claim = models.ForeignKey(Claim, on_delete=PART, related_name="judges")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "content_type", "object_id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "content_type", "object_id"],
                name="judged_record_unique_per_claim",
                violation_error_message="The claim judges this record already.",
            )
        ]

    def __str__(self):
        return f"{self.claim} → {self.record}"

    def clean(self):
        # A generic key has no foreign key in the database to hold it: what it names must be
        # a record that exists and that keeps its judgements (Judgeable), or its deletion
        # would leave the link pointing at nothing.
        if self.content_type_id is None or self.object_id is None:
            return
        model = self.content_type.model_class()
        # (Not under `record`: a form may not have a field of that name, see api.admin.)
        if model not in judgeable_models().values():
            raise ValidationError(
                f"A {record_type(model) if model else 'record'} cannot be judged by a claim."
            )
        if not model._base_manager.filter(pk=self.object_id).exists():
            raise ValidationError(f"No {record_type(model)} has the id {self.object_id}.")
        if model is Claim and self.object_id == self.claim_id:
            raise ValidationError("A claim does not judge itself.")
