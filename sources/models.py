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


class Source(models.Model):
    """A document the dataset is transcribed from, described as far as anyone has confirmed;
    its text is what citations point into."""

    # What is known of the document beside its name: shown, edited and loaded together.
    DESCRIPTION_FIELDS = ("title_supplied", "description", "language", "publication", "note", "rights")

    slug = models.SlugField(max_length=100, unique=True)
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
        help_text="Who holds the rights in the text, and how they differ from the dataset's own licence."
    )
    filename = models.CharField(max_length=200, help_text="The file under fixtures/ it was read from.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the UTF-8 text.")
    text = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(publication=""),
                name="source_unknown_publication_is_null",
                violation_error_message="An unknown publication is null, not empty.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def offset_unit(self) -> str:
        return OFFSET_UNIT


class CitationQuerySet(models.QuerySet):
    def for_record(self, record):
        """Citations that point at one record."""
        return self.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)

    def for_display(self):
        """Citations with their source's name, not its whole text."""
        return self.select_related("source").defer("source__text")


class Citation(models.Model):
    """The exact words of a source that a record or a figure rests on.

    `start` and `end` are Python string indices into `source.text` (they count Unicode code
    points, OFFSET_UNIT, not bytes), so
    `source.text[start:end] == quote` always holds; saving a citation that breaks this
    raises a ValidationError naming what is wrong.
    """

    uuid = models.UUIDField(unique=True, editable=False, help_text="Public id; stable across deployments.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    start = models.PositiveIntegerField(
        validators=[MaxValueValidator(INT_MAX)],
        help_text="Offset of the quote's first character in the source text, in Unicode code points "
        "(a Python string index), not bytes.",
    )
    end = models.PositiveIntegerField(
        validators=[MaxValueValidator(INT_MAX)],
        help_text="Offset one past the quote's last character, in Unicode code points (a Python "
        "string index), not bytes.",
    )
    quote = models.TextField()
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")

    objects = CitationQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "start", "end"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="citation_end_after_start",
                violation_error_message="A citation's end must come after its start.",
            ),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")),
                name="citation_span_matches_quote_length",
                violation_error_message="end - start must equal the quote's length.",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "source", "start", "end"],
                name="citation_unique_span_per_record",
                violation_error_message="This record already cites that span.",
            ),
        ]

    def __str__(self):
        return f"{self.start}–{self.end}: {self.quote[:60]}"

    def save(self, *args, **kwargs):
        self.validate_quote()
        if self.uuid is None:
            self.uuid = self.stable_uuid()
        super().save(*args, **kwargs)

    def stable_uuid(self) -> UUID:
        """The same citation gets the same id on every machine that loads the dataset."""
        name = f"{self.source.slug}:{self.start}:{self.end}:{self.content_type.model}:{self.record.slug}"
        return uuid5(CITATION_NAMESPACE, name)

    def clean(self):
        super().clean()
        self.validate_quote()

    def validate_quote(self):
        """Raise a ValidationError unless the quote is the source text at its offsets."""
        if self.source_id is None or self.start is None or self.end is None or self.quote is None:
            return
        text = self.source.text
        errors = {}
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


# Derived from the citations, so a version of a record does not hold it: restoring an old
# version must not bring back where its citations were then.
DERIVED_FIELDS = ["sequence"]


def record_history(**kwargs) -> HistoricalRecords:
    """The history of a cited record: every field an editor writes, none derived."""
    return HistoricalRecords(excluded_fields=DERIVED_FIELDS, **kwargs)


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
        first = (
            citations.filter(content_type=content_type, object_id=OuterRef("pk"))
            .order_by()
            .values("object_id")
            .annotate(first=Min("start"))
            .values("first")
        )
        model.objects.using(using).update(sequence=Subquery(first))


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
