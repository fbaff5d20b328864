from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from api.dates import DatedRecord, date_field
from api.deletion import PART, Links
from events.models import OwnsFigures, Party, Place
from sources.models import SMALL_INT_MAX, CitedRecord


class Treaty(CitedRecord, DatedRecord, OwnsFigures):
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

    history = HistoricalRecords(m2m_fields=[parties])

    class Meta(DatedRecord.Meta):
        verbose_name_plural = "treaties"

    def __str__(self):
        return self.name


class TreatyArticle(CitedRecord, OwnsFigures):
    treaty = models.ForeignKey(Treaty, on_delete=models.PROTECT, related_name="articles")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(SMALL_INT_MAX)],
        help_text="Its number in the source's list.",
    )
    terms = models.TextField(help_text="The terms, verbatim from the source.")
    parties = models.ManyToManyField(Party, through="ArticleParty", related_name="treaty_articles")
    places = Links(Place, blank=True, related_name="treaty_articles")

    history = HistoricalRecords(m2m_fields=[places])

    class Meta:
        ordering = ["treaty", "number"]
        constraints = [
            models.UniqueConstraint(fields=["treaty", "number"], name="article_unique_number_per_treaty"),
            models.CheckConstraint(condition=Q(number__gte=1), name="article_number_positive"),
        ]

    @property
    def name(self):
        return f"Article {self.number}"

    def __str__(self):
        return f"{self.treaty} — {self.name}"


class ArticleParty(models.Model):
    """How an article concerns a party: binding it, benefiting it, or needing its consent."""

    class Role(models.TextChoices):
        BOUND = "bound", "bound by the article"
        BENEFICIARY = "beneficiary", "benefits from the article"
        CONSENTING = "consenting", "gives its consent"

    article = models.ForeignKey(TreatyArticle, on_delete=PART, related_name="party_roles")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="article_roles")
    role = models.CharField(max_length=12, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "role", "party"]
        constraints = [
            models.UniqueConstraint(fields=["article", "party", "role"], name="article_party_unique_role")
        ]

    def __str__(self):
        return f"{self.party} ({self.role})"
