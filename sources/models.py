import hashlib
from uuid import UUID, uuid5

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models, router
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Length
from django.db.models.signals import post_delete, post_save, pre_save
from simple_history.models import HistoricalRecords

from api.deletion import Parts

# The limits PostgreSQL puts on these columns, stated on the fields so that validation and
# the API schema are the same whichever database runs (SQLite's integers are wider).
SMALL_INT_MAX = 32767
INT_MAX = 2147483647

# What the slug of every generated source and record begins with (sources.synthetic).
SYNTHETIC_PREFIX = "synthetic-"

CITATION_NAMESPACE = UUID("6f1c3a52-93c0-4c53-8d0e-6a1a2b7d1905")

# What a citation's start and end count. A text with any character outside ASCII has more
# UTF-8 bytes than code points (the shipped one: 3,572 bytes, 3,568 code points), so byte
# or UTF-16 offsets would drift from the first such character on.
OFFSET_UNIT = "unicode-code-point"

# The shape of a BCP 47 tag (a language subtag, then subtags of up to 8 letters or digits);
# whether the subtags are registered is not checked.
LANGUAGE_TAG = RegexValidator(
    r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*\Z", "Give a BCP 47 language tag, e.g. en or en-GB."
)


# A reference citation's quote pins a fact in a text the dataset does not hold, so it is short.
REFERENCE_QUOTE_WORDS = 25


class SourceKind(models.TextChoices):
    HELD_TEXT = "held-text", "held text: the full text is here, and quotes are checked against it"
    REFERENCE = "reference", "reference: a bibliographic record; citations give a locator"


class DocumentKind(models.TextChoices):
    BOOK = "book", "book"
    OFFICIAL_PAPERS = "official-papers", "official papers (a government's published documents)"
    TREATY_TEXT = "treaty-text", "a treaty's text as printed"
    PERIODICAL = "periodical", "newspaper or periodical"
    REFERENCE_WORK = "reference-work", "encyclopedia or dictionary"
    ARCHIVE = "archive", "archive or library presentation"
    WEB_PAGE = "web-page", "web page"
    DATASET = "dataset", "data file"


class SourceQuerySet(models.QuerySet):
    def in_precedence(self):
        """Sources in the order a value is chosen from them: the held texts, then references
        by their stated precedence (1 first), then by slug."""
        return self.order_by(
            models.Case(models.When(kind=SourceKind.HELD_TEXT, then=0), default=1),
            F("precedence").asc(nulls_last=True),
            "slug",
        )


class Source(models.Model):
    """A document the dataset rests on, described as far as anyone has confirmed: a held text
    (its text is here and citations point into it at offsets) or a reference (a bibliographic
    record; its citations give a locator, and a quote of theirs is not checked)."""

    # What is known of the document beside its name: shown, edited and loaded together.
    DESCRIPTION_FIELDS = ("title_supplied", "description", "language", "publication", "note", "rights")
    # A reference's bibliographic record.
    REFERENCE_FIELDS = ("author", "publisher", "year", "url", "document_kind", "precedence")
    # What identifies a held text: fixed once a citation points into it.
    TEXT_FIELDS = ("filename", "sha256", "text")

    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(
        max_length=10,
        choices=SourceKind.choices,
        default=SourceKind.HELD_TEXT,
        help_text="held-text: the text is here and every citation's quote is checked against it at "
        "its offsets; reference: a bibliographic record without its text, cited by locator.",
    )
    name = models.CharField(
        max_length=200, help_text="The document's title, or one the dataset gave it (see title_supplied)."
    )
    title_supplied = models.BooleanField(
        help_text="True where `name` is a title the dataset gave the document, not the document's own.",
    )
    description = models.TextField(help_text="What the document is, as far as its own text shows.")
    language = models.CharField(
        max_length=35, validators=[LANGUAGE_TAG], help_text="The language of the text, as a BCP 47 tag."
    )
    # Null, not "", as every unknown is: until a reference confirms where the text is published.
    publication = models.CharField(  # noqa: DJ001
        max_length=500,
        null=True,
        blank=True,
        help_text="Where the text is published (publisher, title, address), once a reference "
        "confirms it; null while none does.",
    )
    note = models.TextField(
        blank=True,
        help_text="What is reported of the document beyond its text, and what of it is unconfirmed.",
    )
    rights = models.TextField(
        blank=True,
        help_text="Who holds the rights in the text, and how they differ from the dataset's own "
        "licence; empty for a reference, whose text is not here.",
    )
    author = models.CharField(
        max_length=300, blank=True, help_text="A reference's author or issuing body, as the work names it."
    )
    publisher = models.CharField(max_length=300, blank=True, help_text="A reference's publisher.")
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(9999)],
        help_text="The year a reference was published; null where it is not known.",
    )
    url = models.URLField(max_length=500, blank=True, help_text="Where a reference can be read.")
    document_kind = models.CharField(  # noqa: DJ001
        max_length=20,
        choices=DocumentKind.choices,
        null=True,
        blank=True,
        help_text="What kind of document a reference is; null for a held text (see description).",
    )
    precedence = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(SMALL_INT_MAX)],
        help_text="Where a reference stands when a value is chosen among statements: after every "
        "held text, 1 first (documents of the time before later accounts); ties by slug.",
    )
    filename = models.CharField(
        max_length=200, blank=True, help_text="The file under fixtures/ a held text was read from."
    )
    sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of a held text's UTF-8 text.")
    text = models.TextField(blank=True, help_text="A held text's text; empty for a reference.")
    synthetic = models.BooleanField(
        default=False,
        editable=False,
        help_text="True for a generated source (`manage.py synthesize`): its text and every record "
        f"citing it are made up, for load testing, and their slugs begin {SYNTHETIC_PREFIX!r}.",
    )

    history = HistoricalRecords()

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        # The list's orderings and filters (tests/test_indexes.py).
        indexes = [
            models.Index(fields=["name"], name="source_name"),
            models.Index(fields=["kind", "slug"], name="source_kind"),
            models.Index(fields=["document_kind", "slug"], name="source_document_kind"),
            models.Index(fields=["year", "slug"], name="source_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values),
                name="source_kind_known",
                violation_error_message=f"A source's kind is {' or '.join(SourceKind.values)}.",
            ),
            # The two kinds kept apart: a held text has its text and its digest (a file only
            # if it was loaded from one), and no place among references; a reference has no
            # text, file or digest.
            models.CheckConstraint(
                condition=(
                    Q(kind=SourceKind.HELD_TEXT, precedence__isnull=True, document_kind__isnull=True)
                    & ~Q(text="")
                    & ~Q(sha256="")
                )
                | Q(kind=SourceKind.REFERENCE, text="", filename="", sha256=""),
                name="source_kinds_kept_apart",
                violation_error_message=(
                    "A held text has its text and SHA-256 and no document kind or precedence; a "
                    "reference has no text, filename or SHA-256."
                ),
            ),
            # The mark and the prefix go together: a generated record is told apart by either,
            # and nothing real can be taken for generated (or deleted with it).
            models.CheckConstraint(
                condition=Q(synthetic=True, slug__startswith=SYNTHETIC_PREFIX)
                | (Q(synthetic=False) & ~Q(slug__startswith=SYNTHETIC_PREFIX)),
                name="source_synthetic_iff_prefixed",
                violation_error_message=(
                    f"A source is synthetic exactly when its slug begins {SYNTHETIC_PREFIX!r}."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(publication=""),
                name="source_unknown_publication_is_null",
                violation_error_message="An unknown publication is null, not empty.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.identify_text()
        super().save(*args, **kwargs)

    @property
    def is_held_text(self) -> bool:
        return self.kind == SourceKind.HELD_TEXT

    @property
    def offset_unit(self) -> str | None:
        return OFFSET_UNIT if self.is_held_text else None

    def identify_text(self):
        """A held text's SHA-256 is its text's: derived, never written apart from it."""
        if self.is_held_text and self.text:
            self.sha256 = hashlib.sha256(self.text.encode()).hexdigest()

    def clean(self):
        super().clean()
        self.identify_text()
        stored = None
        if self.pk is not None:
            stored = Source.objects.filter(pk=self.pk).values("kind", *self.TEXT_FIELDS).first()
        if stored is None or not self.citations.exists():
            return
        # A cited source keeps its kind, and a cited held text its text: every citation was
        # made against them.
        fixed = ("kind", *self.TEXT_FIELDS) if stored["kind"] == SourceKind.HELD_TEXT else ("kind",)
        changed = [name for name in fixed if getattr(self, name) != stored[name]]
        if changed:
            raise ValidationError(
                {
                    name: "A cited source cannot change its kind, nor a cited held text its text: "
                    "every citation was made against them. Add a new source instead."
                    for name in changed
                }
            )


class CitationQuerySet(models.QuerySet):
    def for_record(self, record):
        """Citations that point at one record."""
        return self.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)

    def for_display(self):
        """Citations with their source's name, not its whole text."""
        return self.select_related("source").defer("source__text")


class Citation(models.Model):
    """What a record or a figure rests on, in a source of either kind.

    In a held text: the exact words, at `start` and `end`, Python string indices into
    `source.text` (they count Unicode code points, OFFSET_UNIT, not bytes), so
    `source.text[start:end] == quote` always holds. In a reference: a `locator` (page,
    article, document number) and, where it pins the fact, a quote of at most
    REFERENCE_QUOTE_WORDS words that nothing here can check. Saving a citation that breaks
    its kind's rule raises a ValidationError naming what is wrong.
    """

    uuid = models.UUIDField(unique=True, editable=False, help_text="Public id; stable across deployments.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    start = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(INT_MAX)],
        help_text="In a held text: the offset of the quote's first character, in Unicode code points "
        "(a Python string index), not bytes. Null in a reference.",
    )
    end = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(INT_MAX)],
        help_text="In a held text: the offset one past the quote's last character, in Unicode code "
        "points (a Python string index), not bytes. Null in a reference.",
    )
    locator = models.CharField(
        max_length=200,
        blank=True,
        help_text="In a reference: where in it (page, article, document number); empty in a held "
        "text, whose offsets say where.",
    )
    quote = models.TextField(
        blank=True,
        help_text="In a held text: the exact words at the offsets, checked. In a reference: the "
        f"words that pin the fact (at most {REFERENCE_QUOTE_WORDS}), not checked; may be empty.",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")

    objects = CitationQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        # A record's citations of one reference differ in their locator (unique there).
        ordering = ["source", "start", "end", "locator"]
        # The list's orderings (api's tests/test_indexes.py): by start, by end.
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["start", "end"], name="citation_start_end"),
            models.Index(fields=["end", "start"], name="citation_end_start"),
        ]
        constraints = [
            # A span (into a held text) or a locator (in a reference), never both or neither.
            models.CheckConstraint(
                condition=Q(start__isnull=False, end__isnull=False, locator="")
                | (Q(start__isnull=True, end__isnull=True) & ~Q(locator="")),
                name="citation_span_or_locator",
                violation_error_message=(
                    "A citation of a held text gives start and end and no locator; a citation of a "
                    "reference gives a locator and no offsets."
                ),
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__gt=F("start")),
                name="citation_end_after_start",
                violation_error_message="A citation's end must come after its start.",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end=F("start") + Length("quote")),
                name="citation_span_matches_quote_length",
                violation_error_message="end - start must equal the quote's length.",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "source", "start", "end"],
                name="citation_unique_span_per_record",
                violation_error_message="This record already cites that span.",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "source", "locator"],
                condition=Q(start__isnull=True),
                name="citation_unique_locator_per_record",
                violation_error_message="This record already cites that place in the reference.",
            ),
        ]

    def __str__(self):
        where = self.locator if self.start is None else f"{self.start}–{self.end}"
        return f"{where}: {self.quote[:60]}"

    def save(self, *args, **kwargs):
        self.validate_quote()
        if self.uuid is None:
            self.uuid = self.stable_uuid()
        super().save(*args, **kwargs)

    def stable_uuid(self) -> UUID:
        """The same citation gets the same id on every machine that loads the dataset."""
        where = f"{self.start}:{self.end}" if self.start is not None else f"locator:{self.locator}"
        name = f"{self.source.slug}:{where}:{self.content_type.model}:{self.record.slug}"
        return uuid5(CITATION_NAMESPACE, name)

    def clean(self):
        super().clean()
        self.validate_quote()

    def validate_quote(self):
        """Raise a ValidationError unless the citation keeps its source kind's rule: in a held
        text, the quote is the text at its offsets; in a reference, a locator and a short quote."""
        if self.source_id is None or self.quote is None:
            return
        if not self.source.is_held_text:
            self.validate_reference()
            return
        errors = {}
        if self.locator:
            errors["locator"] = "A held text is cited by offsets, not a locator."
        for name in ("start", "end"):
            if getattr(self, name) is None:
                errors[name] = f"A citation of a held text gives its {name} offset."
        if errors:
            raise ValidationError(errors)
        text = self.source.text
        if self.end > len(text):
            errors["end"] = f"end {self.end} is past the end of the source ({len(text)} characters)."
        elif self.end <= self.start:
            errors["end"] = "end must come after start."
        else:
            found = text[self.start : self.end]
            if found != self.quote:
                elsewhere = text.find(self.quote) if self.quote else -1
                hint = (
                    f" The quote appears at {elsewhere}–{elsewhere + len(self.quote)}."
                    if elsewhere >= 0
                    else " The quote does not appear anywhere in the source."
                )
                errors["quote"] = (
                    f"The source text at {self.start}–{self.end} reads {found!r}, not {self.quote!r}.{hint}"
                )
        if errors:
            raise ValidationError(errors)

    def validate_reference(self):
        errors = {}
        if not self.locator.strip():
            errors["locator"] = "A citation of a reference says where in it: a page, article or document."
        for name in ("start", "end"):
            if getattr(self, name) is not None:
                errors[name] = "A reference's text is not here: its citations have no offsets."
        words = len(self.quote.split())
        if words > REFERENCE_QUOTE_WORDS:
            errors["quote"] = (
                f"A quote from a reference is at most {REFERENCE_QUOTE_WORDS} words (this has {words}): "
                "enough to pin the fact, not the text copied in."
            )
        if errors:
            raise ValidationError(errors)


class DatasetLoad(models.Model):
    """One run of `load_dataset` that changed or confirmed the database."""

    loaded_at = models.DateTimeField(auto_now_add=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 over the fixture files.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-loaded_at"]
        get_latest_by = "loaded_at"

    def __str__(self):
        return f"{self.loaded_at:%Y-%m-%d %H:%M} ({self.digest[:12]})"


class CitedRecord(models.Model):
    """A public record: a slug for its URL and the citations it rests on, which are its parts
    (deleted and restored with it, see api.deletion), and its place in the source they give.

    `sequence` is derived, never written by an editor: a save writes what the record's
    citations give at that moment (so an instance read before a citation changed does not
    write back a stale one), and every save or delete of a citation sets it on the records it
    leaves and joins (`renumber`). It is kept out of the record's history (`record_history`).
    """

    slug = models.SlugField(max_length=100, unique=True)
    sequence = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=(
            "The offset of the record's first citation in the source: the source's narrative "
            "order. Set from its citations (the smallest start), never written; null while it has "
            "none. Records whose first citations start at the same offset share it."
        ),
    )
    citations = Parts(Citation)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "sequence" in update_fields:
            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            self.sequence = first_cited_at(type(self), self.pk, using)
        super().save(*args, **kwargs)

    def citation_errors(self, citations) -> dict[str, list[str]]:
        """What would break this kind of record's rules about the citations it rests on, were
        they `citations` (saved or not), by field; most kinds have none. Checked wherever a
        record or a citation is written (api.writes, the admin, the loader), never by save():
        a record and its citations are written one after the other."""
        return {}


# Derived (from the citations; a dated record's chosen date and a place's or party's other
# names from its statements), so a
# version of a record does not hold them: restoring an old version must not bring back where
# its citations were then, or which statement was chosen.
DERIVED_FIELDS = ["sequence", "chosen_date", "chosen_date_precision", "other_names"]


class RecordHistory(HistoricalRecords):
    """HistoricalRecords leaving out the derived fields the model has (only a dated record has
    a chosen date): simple-history refuses to exclude a field a model lacks."""

    def finalize(self, sender, **kwargs):
        if sender is self.cls:
            names = {field.name for field in sender._meta.local_fields + sender._meta.local_many_to_many}
            self.excluded_fields = [name for name in DERIVED_FIELDS if name in names]
        super().finalize(sender, **kwargs)


def record_history(**kwargs) -> HistoricalRecords:
    """The history of a cited record: every field an editor writes, none derived."""
    return RecordHistory(excluded_fields=DERIVED_FIELDS, **kwargs)


def first_cited_at(model, pk, using: str = "default") -> int | None:
    """Where the first citation of `model`'s record `pk` starts (None with no citation)."""
    if pk is None:
        return None
    content_type = ContentType.objects.db_manager(using).get_for_model(model)
    citations = Citation.objects.using(using).filter(content_type=content_type, object_id=pk)
    return citations.aggregate(first=Min("start"))["first"]


def renumber(content_type_id: int, object_id: int, using: str = "default") -> None:
    """Set the sequence of the record a citation points (or pointed) at from its citations,
    if it is a cited record and it changed.

    Written with QuerySet.update(), below the record's save: no history version, and the data
    version and read model are told here (api.data_version.updated) as a save would tell them.
    """
    from api import data_version

    model = ContentType.objects.db_manager(using).get_for_id(content_type_id).model_class()
    if model is None or not issubclass(model, CitedRecord):
        return
    first = first_cited_at(model, object_id, using)
    rows = model._base_manager.using(using).filter(pk=object_id)
    stale = rows.filter(sequence__isnull=False) if first is None else rows.exclude(sequence=first)
    if stale.update(sequence=first):
        data_version.updated(model, [object_id], using)


def first_citation_starts(citations, content_type) -> Subquery:
    """Where the first of its `citations` starts, for each record of `content_type` (an
    update's value: `sequence`), with whichever Citation model `citations` is of."""
    first = (
        citations.filter(content_type=content_type, object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(first=Min("start"))
        .values("first")
    )
    return Subquery(first)


def set_sequences(apps, schema_editor, app_label: str) -> None:
    """For a data migration: set the sequence of every cited record of `app_label` from its
    citations, one statement per kind, with the models as that migration knows them."""
    using = schema_editor.connection.alias
    citations = apps.get_model("sources", "Citation").objects.using(using)
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(using)
    for model in apps.get_app_config(app_label).get_models():
        if "sequence" not in [field.name for field in model._meta.concrete_fields]:
            continue  # not a cited record, or its history
        content_type = content_types.filter(app_label=app_label, model=model._meta.model_name).first()
        if content_type is None:
            continue  # a database with no record of this kind yet, so no citation of one
        model.objects.using(using).update(sequence=first_citation_starts(citations, content_type))


def forget_citations(app_label: str, model_name: str):
    """For a migration that makes a kind of record: going back past it drops the kind's table,
    and its citations, which point at its rows by a generic key, go with them, so that a
    database brought forward again and reloaded gets the citations afresh instead of keeping
    ones that name rows no longer there (or other rows, under the same ids)."""

    def forget(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects
        kinds = list(content_types.filter(app_label=app_label, model=model_name).values_list("pk", flat=True))
        if not kinds:
            return
        quote = schema_editor.quote_name
        marks = ", ".join(["%s"] * len(kinds))
        # In SQL: deleting through the migration's models would collect what the models of
        # today relate to them, which these historical models are not.
        table = quote(apps.get_model("sources", "Citation")._meta.db_table)
        schema_editor.execute(f"DELETE FROM {table} WHERE {quote('content_type_id')} IN ({marks})", kinds)

    return forget


def _citation_saving(sender, instance, using, **kwargs):
    # Where the citation is stored now: a save that moves it leaves that record's sequence.
    instance._stored_owner = None
    if instance.pk is not None:
        instance._stored_owner = (
            Citation._base_manager.using(using)
            .filter(pk=instance.pk)
            .values_list("content_type_id", "object_id")
            .first()
        )


def _citation_changed(sender, instance, using, **kwargs):
    owners = {(instance.content_type_id, instance.object_id), getattr(instance, "_stored_owner", None)}
    instance._stored_owner = None
    for owner in sorted(owners - {None}):
        renumber(*owner, using)


def connect() -> None:
    """Keep every cited record's sequence from its citations (called once, by SourcesConfig.ready).

    Every path that writes a citation (the API, the admin, load_dataset, a restore of history,
    a deletion with its record, a shell) saves or deletes it through the model, so these
    signals see them all; restore_backup writes below them, copying sequences as they were.
    """
    pre_save.connect(_citation_saving, sender=Citation, dispatch_uid="sources.sequence.saving")
    post_save.connect(_citation_changed, sender=Citation, dispatch_uid="sources.sequence.saved")
    post_delete.connect(_citation_changed, sender=Citation, dispatch_uid="sources.sequence.deleted")
