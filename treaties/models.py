from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from api.dates import DatedRecord, date_field
from api.deletion import PART, Links
from events.models import Judgeable, OwnsFigures, Party, Place
from sources.models import SMALL_INT_MAX, CitedRecord, record_history


class Treaty(CitedRecord, DatedRecord, OwnsFigures, Judgeable):
    name = models.CharField(max_length=200)
    date = date_field("signed")
    signed_at = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treaties_signed",
        help_text="Null: the source does not say where it was signed.",
    )
    arranged_by = models.ForeignKey(
        Party, on_delete=models.PROTECT, null=True, blank=True, related_name="treaties_arranged"
    )
    parties = Links(Party, related_name="treaties")

    history = record_history(m2m_fields=[parties])

    class Meta(DatedRecord.Meta):
        verbose_name_plural = "treaties"

    def __str__(self):
        return self.name


class TreatyTerm(CitedRecord, OwnsFigures, Judgeable):
    """One of the treaty's terms as the source summarises them ("Terms were as follows:"),
    numbered (1), (2), ... as the source numbers them: not the treaty's own articles, which
    the dataset does not hold yet."""

    treaty = models.ForeignKey(Treaty, on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(SMALL_INT_MAX)],
        help_text='The number the source gives it in its list ("(3)" is 3).',
    )
    wording = models.TextField(help_text="The source's words for this term, verbatim.")
    parties = models.ManyToManyField(Party, through="TermParty", related_name="treaty_terms")
    places = Links(Place, blank=True, related_name="treaty_terms")

    history = record_history(m2m_fields=[places])

    class Meta:
        verbose_name = "treaty term"
        ordering = ["treaty", "number"]
        constraints = [
            models.UniqueConstraint(fields=["treaty", "number"], name="term_unique_number_per_treaty"),
            models.CheckConstraint(condition=Q(number__gte=1), name="term_number_positive"),
        ]

    @property
    def name(self):
        return f"Term ({self.number})"

    def __str__(self):
        return f"{self.treaty} — {self.name}"


class TermParty(models.Model):
    """How a term concerns a party: binding it, benefiting it, or needing its consent."""

    class Role(models.TextChoices):
        BOUND = "bound", "bound by the term"
        BENEFICIARY = "beneficiary", "benefits from the term"
        CONSENTING = "consenting", "gives its consent"

    term = models.ForeignKey(TreatyTerm, on_delete=PART, related_name="party_roles")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="term_roles")
    role = models.CharField(max_length=12, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["term", "role", "party"]
        constraints = [
            models.UniqueConstraint(fields=["term", "party", "role"], name="term_party_unique_role")
        ]

    def __str__(self):
        return f"{self.party} ({self.role})"
