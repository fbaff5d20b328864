from uuid import UUID, uuid5

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from simple_history.models import HistoricalRecords

from api.deletion import Parts

# The limits PostgreSQL puts on these columns, stated on the fields so that validation and
# the API schema are the same whichever database runs (SQLite's integers are wider).
SMALL_INT_MAX = 32767
INT_MAX = 2147483647

CITATION_NAMESPACE = UUID("6f1c3a52-93c0-4c53-8d0e-6a1a2b7d1905")


class Source(models.Model):
    """A document the dataset is transcribed from; its text is what citations point into."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    filename = models.CharField(max_length=200, help_text="The file under fixtures/ it was read from.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the UTF-8 text.")
    text = models.TextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.name


class CitationQuerySet(models.QuerySet):
    def for_record(self, record):
        """Citations that point at one record."""
        return self.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)

    def for_display(self):
        """Citations with their source's name, not its whole text."""
        return self.select_related("source").defer("source__text")


class Citation(models.Model):
    """The exact words of a source that a record or a figure rests on.

    `start` and `end` are Python string indices into `source.text`, so
    `source.text[start:end] == quote` always holds; saving a citation that breaks this
    raises a ValidationError naming what is wrong.
    """

    uuid = models.UUIDField(unique=True, editable=False, help_text="Public id; stable across deployments.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    start = models.PositiveIntegerField(
        validators=[MaxValueValidator(INT_MAX)], help_text="Index of the quote's first character."
    )
    end = models.PositiveIntegerField(
        validators=[MaxValueValidator(INT_MAX)], help_text="Index one past the quote's last character."
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
    (deleted and restored with it, see api.deletion)."""

    slug = models.SlugField(max_length=100, unique=True)
    citations = Parts(Citation)

    class Meta:
        abstract = True

    def citation_errors(self, citations) -> dict[str, list[str]]:
        """What would break this kind of record's rules about the citations it rests on, were
        they `citations` (saved or not), by field; most kinds have none. Checked wherever a
        record or a citation is written (api.writes, the admin, the loader), never by save():
        a record and its citations are written one after the other."""
        return {}
