from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from api.dates import (
    DatedRecord,
    Precision,
    basis_of_date,
    calendar_field,
    date_field,
    format_partial_date,
    partial_date_constraints,
    precision_field,
    rationale_of_date,
)
from api.deletion import PART, Dependents, Links
from api.readings import (
    Basis,
    ReadLink,
    basis_field,
    labelled_constraints,
    rationale_field,
    reading_has_rationale,
)
from api.registry import figure_subject_models, judgeable_models, record_type, statement_subject_models
from sources.models import SMALL_INT_MAX, Citation, CitedRecord, Source, SourceKind, record_history


def coordinate_field(bound: int, places: int) -> models.DecimalField:
    """Degrees of latitude (`bound` 90) or longitude (180), to `places` decimal places."""
    return models.DecimalField(
        max_digits=places + 3,
        decimal_places=places,
        null=True,
        blank=True,
        validators=[MinValueValidator(-bound), MaxValueValidator(bound)],
    )


def coordinates_constraint(name: str) -> models.CheckConstraint:
    """Latitude and longitude are set together, within their bounds."""
    return models.CheckConstraint(
        condition=Q(latitude__isnull=True, longitude__isnull=True)
        | Q(
            latitude__isnull=False,
            longitude__isnull=False,
            latitude__gte=-90,
            latitude__lte=90,
            longitude__gte=-180,
            longitude__lte=180,
        ),
        name=name,
        violation_error_message="Latitude and longitude are set together, within ±90 and ±180.",
    )


class Judgeable(models.Model):
    """A record claims may judge (every record that carries citations): while any does, it
    cannot be deleted."""

    judged_by = Dependents("events.JudgedRecord", "object_id", "content_type")

    class Meta:
        abstract = True


class HasStatements(models.Model):
    """A record that other sources' statements may be about (its dates, coordinates, names):
    while any are, it cannot be deleted. A dated record's `chosen_date` is its own date, or,
    where the source it rests on gives none, the first statement of its date (events.choosing)."""

    statements = Dependents("events.Statement", "subject_id", "subject_type")

    class Meta:
        abstract = True

    def dated_statement(self):
        """The statement a dated record's `chosen_date` comes from while it has no date of its
        own, as the database finds it."""
        from events.choosing import first_dated_statement

        return first_dated_statement(self)

    def chosen_date_statement(self):
        """The same, among the statements loaded with the record (as a serializer shows them)."""
        from events.choosing import chosen_date_statement

        return chosen_date_statement(self, list(self.statements.all()))


class Party(CitedRecord, HasStatements, Judgeable):
    """A state or actor the source names as taking part."""

    class Kind(models.TextChoices):
        STATE = "state", "state"
        PERSON = "person", "person"
        ARMED_FORCE = "armed-force", "armed force"

    class Role(models.TextChoices):
        BELLIGERENT = "belligerent", "belligerent"
        TERRITORY_AT_STAKE = "territory-at-stake", "state whose territory is at stake"
        MEDIATOR = "mediator", "mediator"

    name = models.CharField(max_length=100, help_text="The name the source uses.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    role = models.CharField(max_length=20, choices=Role.choices)
    role_basis = basis_field("its role")
    role_rationale = rationale_field("its role")
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text="The state an armed force or an office-holder belongs to.",
    )
    territory = models.ForeignKey(
        "Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="states",
        help_text="The place that is this state's country, where the source names both (Korea the "
        "state and Korea the place).",
    )
    territory_basis = basis_field("the link to its territory", null=True)
    territory_rationale = rationale_field("the link to its territory")

    other_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Its names in other sources (its statements of kind name), one a line: derived from "
        "them, never written, so that search finds it by any of them (Shenyang finds Mukden).",
    )

    history = record_history()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [*labelled_constraints("role"), *labelled_constraints("territory", optional=True)]

    def __str__(self):
        return self.name


class Place(CitedRecord, HasStatements, Judgeable):
    """A place the source names, under the name the source uses."""

    class Kind(models.TextChoices):
        REGION = "region", "region"
        CITY = "city", "city"
        PORT = "port", "port"
        PENINSULA = "peninsula", "peninsula"
        ISLAND = "island", "island"
        RAILWAY = "railway", "railway"
        ZONE = "zone", "zone"
        FORTRESS = "fortress", "fortress"

    name = models.CharField(max_length=100, help_text="The name the source uses.")
    # Null, not "", so that "the source does not say" reads the same as every other unknown.
    kind = models.CharField(  # noqa: DJ001
        max_length=20,
        choices=Kind.choices,
        null=True,
        blank=True,
        help_text="Null where the source does not say what kind of place it is.",
    )
    kind_basis = basis_field("its kind", null=True)
    kind_rationale = rationale_field("its kind")
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        help_text="The larger place it lies in (Liaoyang in Manchuria).",
    )
    part_of_basis = basis_field("the larger place it lies in", null=True)
    part_of_rationale = rationale_field("the larger place it lies in")
    note = models.TextField(
        blank=True,
        help_text="What the source leaves open about the place, in the dataset's words; empty where "
        "nothing is left open.",
    )
    modern_name = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    latitude = coordinate_field(90, places=5)
    longitude = coordinate_field(180, places=5)

    other_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Its names in other sources (its statements of kind name), one a line: derived from "
        "them, never written, so that search finds it by any of them (Shenyang finds Mukden).",
    )

    history = record_history()

    class Meta:
        ordering = ["name"]
        constraints = [
            coordinates_constraint("place_coordinates_paired_and_in_range"),
            models.CheckConstraint(
                condition=~Q(kind="") & ~Q(modern_name=""),
                name="place_unknowns_are_null",
                violation_error_message="An unknown kind or modern name is null, not empty.",
            ),
            *labelled_constraints("kind", optional=True),
            *labelled_constraints("part_of", optional=True),
        ]

    def __str__(self):
        return self.name


class PlaceLink(ReadLink):
    """A place a record names, with the part it plays there: where it happened (site), where
    something went (destination), a limit it names (boundary), or what it is about (subject)."""

    class Role(models.TextChoices):
        SITE = "site", "where it happened"
        DESTINATION = "destination", "where something went"
        BOUNDARY = "boundary", "a limit it names"
        SUBJECT = "subject", "what it is about"

    #: Where a record is "at": what `?place=` matches unless `place_role` says otherwise.
    AT = (Role.SITE, Role.SUBJECT)

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        # In the order given: the source's, in the fixtures.
        ordering = ["record", "id"]
        constraints = [
            *ReadLink.Meta.constraints,
            models.UniqueConstraint(
                fields=["record", "place", "role"],
                name="%(app_label)s_%(class)s_unique_role",
                violation_error_message="The record names this place in this role already.",
            ),
        ]

    def __str__(self):
        return f"{self.record} → {self.place} ({self.role})"


def places_field(through: str, related_name: str) -> models.ManyToManyField:
    return models.ManyToManyField(
        Place,
        through=through,
        related_name=related_name,
        blank=True,
        help_text="The places it names, each with its role.",
    )


class OwnsFigures(models.Model):
    """A record that figures may be about: while any are, it cannot be deleted."""

    figures = Dependents("events.Figure", "subject_id", "subject_type")

    class Meta:
        abstract = True


class Negotiation(CitedRecord, DatedRecord, OwnsFigures, HasStatements, Judgeable):
    """The talks between the parties, from opening to their end."""

    name = models.CharField(max_length=200)
    initiated_by = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    counterparty = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    date = date_field("opened")
    ended = date_field("ended")
    ended_precision = precision_field()
    ended_calendar = calendar_field()
    ended_basis = basis_of_date()
    ended_rationale = rationale_of_date()
    outcome = models.TextField(help_text="How the talks ended, in the source's words.")

    history = record_history()

    class Meta(DatedRecord.Meta):
        constraints = [*DatedRecord.Meta.constraints, *partial_date_constraints("ended")]

    def __str__(self):
        return self.name


class NumberedTerms(CitedRecord, OwnsFigures, HasStatements, Judgeable):
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

    places = places_field("ProposalPlace", "proposals")

    history = record_history()

    class Meta(NumberedTerms.Meta):
        pass


class ProposalPlace(PlaceLink):
    record = models.ForeignKey(Proposal, on_delete=PART, related_name="place_links")


class Counterproposal(NumberedTerms):
    """One of Russia's numbered counterproposals."""

    label = "Counterproposal"

    responds_to = models.ManyToManyField(Proposal, through="Response", related_name="counterproposals")
    places = places_field("CounterproposalPlace", "counterproposals")

    history = record_history()

    class Meta(NumberedTerms.Meta):
        pass


class CounterproposalPlace(PlaceLink):
    record = models.ForeignKey(Counterproposal, on_delete=PART, related_name="place_links")


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


class Event(CitedRecord, DatedRecord, OwnsFigures, HasStatements, Judgeable):
    """A dated step of the diplomacy or the war."""

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", "assessment"
        NEGOTIATIONS_OPENED = "negotiations-opened", "negotiations opened"
        NEGOTIATIONS_ENDED = "negotiations-ended", "negotiations ended"
        MOBILIZATION = "mobilization", "mobilization"
        MARTIAL_LAW = "martial-law", "martial law"
        FINAL_PROPOSAL = "final-proposal", "final proposal"
        NO_REPLY = "no-reply", "no reply"
        REPLY = "reply", "reply with counterproposals"
        RUPTURE = "rupture", "breaking off of diplomatic relations"
        HOSTILITIES = "hostilities", "outbreak of hostilities"
        PEACE_TALKS = "peace-talks", "peace talks"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    parties = models.ManyToManyField(
        Party,
        through="EventParty",
        related_name="events",
        blank=True,
        help_text="The parties taking part, each with its role.",
    )
    places = places_field("EventPlace", "events")
    description = models.TextField(help_text="What happened, in the source's words.")
    note = models.TextField(blank=True, help_text="How the record reads the source, where it must.")

    history = record_history()

    class Meta(DatedRecord.Meta):
        pass

    def __str__(self):
        return self.name


class EventParty(ReadLink):
    """A party taking part in an event, and its part in it."""

    class Role(models.TextChoices):
        ACTOR = "actor", "does what the event tells"
        ADDRESSEE = "addressee", "is addressed or acted upon"
        PARTICIPANT = "participant", "takes part"
        MEDIATOR = "mediator", "mediates"
        SUBJECT = "subject", "is what it is about"

    record = models.ForeignKey(Event, on_delete=PART, related_name="party_links")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["record", "id"]
        constraints = [
            *ReadLink.Meta.constraints,
            models.UniqueConstraint(
                fields=["record", "party"],
                name="event_party_unique",
                violation_error_message="The event names this party already.",
            ),
        ]

    def __str__(self):
        return f"{self.record} → {self.party} ({self.role})"


class EventPlace(PlaceLink):
    record = models.ForeignKey(Event, on_delete=PART, related_name="place_links")


class Engagement(CitedRecord, DatedRecord, OwnsFigures, HasStatements, Judgeable):
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
    kind_basis = basis_field("its kind")
    kind_rationale = rationale_field("its kind")
    date = date_field("date", "Null: the source dates no engagement.")
    places = places_field("EngagementPlace", "engagements")
    belligerents = models.ManyToManyField(
        Party,
        through="Belligerent",
        through_fields=("record", "party"),
        related_name="engagements",
        help_text="The parties that fought, each on its side.",
    )
    victor = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="victories"
    )
    victor_basis = basis_field("the victor", null=True)
    victor_rationale = rationale_field("the victor")
    outcome = models.TextField(help_text="The outcome as the source states it.")

    history = record_history()

    class Meta(DatedRecord.Meta):
        ordering = ["number"]
        constraints = [
            *DatedRecord.Meta.constraints,
            models.CheckConstraint(condition=Q(number__gte=1), name="engagement_number_positive"),
            *labelled_constraints("kind"),
            *labelled_constraints("victor", optional=True),
        ]

    def __str__(self):
        return f"({self.number}) {self.name}"


class Belligerent(ReadLink):
    """A party that fought in an engagement, and the side it fought on: the state whose war it
    is (the Japanese Navy on Japan's side)."""

    record = models.ForeignKey(Engagement, on_delete=PART, related_name="belligerent_links")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    side = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The state it fought for: the party itself, or the state its armed force is part of.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["record", "id"]
        constraints = [
            *ReadLink.Meta.constraints,
            models.UniqueConstraint(
                fields=["record", "party"],
                name="belligerent_unique",
                violation_error_message="The engagement names this belligerent already.",
            ),
        ]

    def __str__(self):
        return f"{self.record} → {self.party} (side of {self.side})"

    def clean(self):
        # A side is a state at war: the party itself or the state it is part of.
        if self.party_id and self.side_id and self.side_id not in (self.party_id, self.party.part_of_id):
            raise ValidationError(
                {"side": f"{self.party} fights for itself or for the state it is part of, not {self.side}."}
            )


class EngagementPlace(PlaceLink):
    record = models.ForeignKey(Engagement, on_delete=PART, related_name="place_links")


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


class StatementKind(models.TextChoices):
    """What a statement gives: the value it holds follows (events.Statement's constraints)."""

    DATE = "date", "date"
    COORDINATES = "coordinates", "coordinates"
    NAME = "name", "name in a language"
    GEONAMES_ID = "geonames-id", "GeoNames id"
    WIKIDATA_ID = "wikidata-id", "Wikidata id"
    TEXT = "text", "a value in our words"
    VICTOR = "victor", "an engagement's victor (the party)"


# The kinds whose value is `text`.
TEXT_KINDS = [StatementKind.NAME, StatementKind.GEONAMES_ID, StatementKind.WIKIDATA_ID, StatementKind.TEXT]


class StatementQuerySet(models.QuerySet):
    def in_precedence(self):
        """Statements in the order a value is chosen from them: by their sources as
        Source.objects.in_precedence() orders those (held texts first, then references by
        precedence, then slug), then by their own slug."""
        return self.order_by(
            models.Case(models.When(source__kind=SourceKind.HELD_TEXT, then=0), default=1),
            models.F("source__precedence").asc(nulls_last=True),
            "source__slug",
            "slug",
        )

    def for_display(self):
        """Statements with their source, party and citations, as a record shows its statements."""
        return self.select_related("source", "party").prefetch_related(
            models.Prefetch("citations", queryset=Citation.objects.for_display())
        )


class Statement(CitedRecord, Judgeable):
    """One source's value for something about a record: a date (with its end and time of day),
    coordinates, a name in a language, an identifier, a short value in our words, or an
    engagement's victor (its `party`).

    Statements about the same thing (the same subject, kind, scope, party and language) stand
    side by side, each from its own source; none replaces the record's own value or another
    statement. events.choosing says which is chosen and whether they differ.
    """

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(
        max_length=12, choices=StatementKind.choices, help_text="What the statement gives."
    )
    scope = models.CharField(
        max_length=200,
        blank=True,
        help_text='Which part of the record the value is about ("Battle of Liaoyang", "signing"); '
        "empty: the record as a whole.",
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The party the value concerns, where there is one (ratification by Japan); a victor "
        "statement's value, the party that won.",
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="statements", help_text="The source it is from."
    )
    date = date_field("date")
    date_precision = precision_field()
    date_calendar = calendar_field()
    date_basis = basis_of_date()
    date_rationale = rationale_of_date()
    ended = date_field("ended", "Null: a single date, or the source gives no end.")
    ended_precision = precision_field()
    ended_calendar = calendar_field()
    ended_basis = basis_field("the end date", null=True)
    ended_rationale = rationale_field("the end date")
    time = models.TimeField(null=True, blank=True, help_text="Local time of day on `date`, where given.")
    latitude = coordinate_field(90, places=6)
    longitude = coordinate_field(180, places=6)
    text = models.CharField(
        max_length=300, blank=True, help_text="A name, an identifier or a value in our words."
    )
    language = models.CharField(
        max_length=12, blank=True, help_text="A name's language (BCP 47: ja, ru); empty otherwise."
    )
    note = models.TextField(
        blank=True,
        help_text="What the source leaves open, or how the value stands to others, in the dataset's "
        "words; empty where there is nothing to say.",
    )

    objects = StatementQuerySet.as_manager()

    history = record_history()

    class Meta:
        ordering = ["subject_type", "subject_id", "kind", "scope", "slug"]
        # The record's statements; and what the list filters and orders by (tests/test_indexes.py).
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["kind", "slug"], name="events_statement_kind_slug"),
            models.Index(fields=["date", "slug"], name="events_statement_date_slug"),
            models.Index(fields=["language", "slug"], name="events_statement_language_slug"),
        ]
        constraints = [
            *partial_date_constraints("date"),
            *partial_date_constraints("ended"),
            models.CheckConstraint(
                condition=Q(ended__isnull=True) | Q(date__isnull=False, ended__gte=F("date")),
                name="statement_ends_after_it_starts",
                violation_error_message="An end date needs a date, and is not before it.",
            ),
            models.CheckConstraint(
                condition=Q(time__isnull=True) | Q(date_precision=Precision.DAY),
                name="statement_time_on_a_day",
                violation_error_message="A time of day is given on a date to the day.",
            ),
            coordinates_constraint("statement_coordinates_paired_and_in_range"),
            # Exactly the value its property takes, nothing else.
            models.CheckConstraint(
                condition=(
                    Q(kind=StatementKind.DATE, date__isnull=False, latitude__isnull=True, text="")
                    | Q(kind=StatementKind.COORDINATES, date__isnull=True, latitude__isnull=False, text="")
                    | (Q(kind__in=TEXT_KINDS) & Q(date__isnull=True, latitude__isnull=True) & ~Q(text=""))
                    | Q(
                        kind=StatementKind.VICTOR,
                        date__isnull=True,
                        latitude__isnull=True,
                        text="",
                        party__isnull=False,
                    )
                )
                & (
                    (Q(kind=StatementKind.NAME) & ~Q(language=""))
                    | (~Q(kind=StatementKind.NAME) & Q(language=""))
                ),
                name="statement_value_fits_its_kind",
                violation_error_message=(
                    "A date statement gives a date; a coordinates statement, latitude and longitude; a "
                    "name, its text and language; an identifier or a text statement, its text; a "
                    "victor statement, its party; and nothing else."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        """What it says, from its own fields (a list of them names each without a query):
        "date (Battle of Liaoyang): 1904-08-25/1904-09-03", "name (1905 form): 旅順口 (ja)"."""
        about = f" ({self.scope})" if self.scope else ""
        if self.kind == StatementKind.DATE:
            ended = f"/{format_partial_date(self.ended, self.ended_precision)}" if self.ended else ""
            value = f"{format_partial_date(self.date, self.date_precision)}{ended}"
        elif self.kind == StatementKind.COORDINATES:
            value = f"{self.latitude}, {self.longitude}"
        elif self.kind == StatementKind.VICTOR:
            value = self.party.name
        else:
            value = f"{self.text} ({self.language})" if self.language else self.text
        return f"{self.kind}{about}: {value}"

    def clean(self):
        owners = statement_subject_models()
        if self.subject_type_id is not None and self.subject_type.model_class() not in owners.values():
            kind = record_type(self.subject_type.model_class())
            raise ValidationError(
                {"subject": f"A {kind} has no statements; the subject is one of {', '.join(sorted(owners))}."}
            )
        if (
            self.kind == StatementKind.VICTOR
            and self.subject_type_id is not None
            and self.subject_type.model_class() is not Engagement
        ):
            raise ValidationError({"kind": "A victor statement is about an engagement."})

    def citation_errors(self, citations):
        """A statement is one source's: every citation it rests on cites that source."""
        others = sorted({c.source.slug for c in citations if c.source_id != self.source_id})
        if others:
            return {
                "citations": [
                    f"A statement is from one source ({self.source.slug}); these citations cite "
                    f"{', '.join(others)}."
                ]
            }
        return {}


class Claim(CitedRecord, Judgeable):
    """A judgement the source makes, kept as the source's claim rather than as fact: the words
    that judge, quoted, and the records they judge."""

    name = models.CharField(max_length=200)
    statement = models.TextField(help_text="The source's words: exactly what the claim's citation quotes.")
    is_interpretation = models.BooleanField(
        help_text="True where the source judges or interprets rather than reports an event."
    )
    parties = Links(Party, blank=True, related_name="claims")
    places = places_field("ClaimPlace", "claims")

    history = record_history(m2m_fields=[parties])

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


class ClaimPlace(PlaceLink):
    record = models.ForeignKey(Claim, on_delete=PART, related_name="place_links")


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
