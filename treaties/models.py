from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from api.dates import DatedRecord, date_field
from api.deletion import PART, Links
from api.readings import ReadLink, basis_field, labelled_constraints, rationale_field
from events.models import (
    Counterproposal,
    HasStatements,
    Judgeable,
    OwnsFigures,
    Party,
    Place,
    PlaceLink,
    Proposal,
    places_field,
)
from sources.models import SMALL_INT_MAX, CitedRecord, record_history

# The treaty's own articles: fifteen, and two additional articles numbered apart.
ARTICLES, ADDITIONAL_ARTICLES = 15, 2
ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
# The tables of the articles and their parties are not the default treaties_treatyarticle and
# treaties_articleparty: those were the names of the terms' tables before treaties.0005, whose
# renamed tables still hold indexes and constraints named after them.
ARTICLE_TABLE = "article"


def roman(number: int) -> str:
    """The treaty's numeral for an article number up to 39 (XV is 15)."""
    numeral = ""
    for value, letters in ROMAN:
        count, number = divmod(number, value)
        numeral += letters * count
    return numeral


class PartyRole(models.TextChoices):
    """How a term or an article concerns a party: binding it, benefiting it, needing its
    consent, or deciding about it without its word (Korea in term (1))."""

    BOUND = "bound", "bound by it"
    BENEFICIARY = "beneficiary", "benefits from it"
    CONSENTING = "consenting", "gives its consent"
    AFFECTED = "affected", "is affected by it, not a party to it"


class Treaty(CitedRecord, DatedRecord, OwnsFigures, HasStatements, Judgeable):
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
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treaties_arranged",
        help_text="Who brought the parties to the talks that made it.",
    )
    arranged_by_basis = basis_field("who arranged it", null=True)
    arranged_by_rationale = rationale_field("who arranged it")
    parties = Links(Party, related_name="treaties")
    parties_basis = basis_field("its parties")
    parties_rationale = rationale_field("its parties")

    history = record_history(m2m_fields=[parties])

    class Meta(DatedRecord.Meta):
        verbose_name_plural = "treaties"
        constraints = [
            *DatedRecord.Meta.constraints,
            *labelled_constraints("arranged_by", optional=True),
            *labelled_constraints("parties"),
        ]

    def __str__(self):
        return self.name


class TreatyArticle(CitedRecord, Judgeable):
    """One of the treaty's own articles: fifteen, and two additional articles numbered apart
    (I and II). The treaty's text is not held: an article is described by a one-line subject in
    the dataset's own words and cited by locator in the references that print it."""

    treaty = models.ForeignKey(Treaty, on_delete=models.PROTECT, related_name="articles")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(ARTICLES)],
        help_text="Its number in the treaty (Article II is 2; Additional Article I is 1).",
    )
    additional = models.BooleanField(
        default=False, help_text="One of the additional articles, numbered apart from the others (I and II)."
    )
    # Null, not "", so that "no reference gives one" reads the same as every other unknown.
    subject = models.CharField(  # noqa: DJ001
        max_length=300,
        null=True,
        blank=True,
        help_text="What the article provides, in one line of the dataset's own words (never the "
        "treaty's text); null where the references read so far give no subject for it.",
    )
    note = models.TextField(blank=True)
    parties = models.ManyToManyField(
        Party, through="ArticleParty", related_name="treaty_articles", blank=True
    )
    places = places_field("ArticlePlace", "treaty_articles")

    history = record_history(table_name=f"treaties_historical{ARTICLE_TABLE}")

    class Meta:
        verbose_name = "treaty article"
        db_table = f"treaties_{ARTICLE_TABLE}"
        ordering = ["treaty", "additional", "number"]
        # For the list's ?ordering=number and ?additional= (tests/test_indexes.py).
        indexes = [
            models.Index(fields=["number", "additional"], name="treaty_article_number"),
            models.Index(fields=["additional", "number"], name="treaty_article_additional"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["treaty", "additional", "number"], name="treaty_article_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=ARTICLES),
                name="treaty_article_number_in_range",
                violation_error_message=f"An article is numbered 1 to {ARTICLES}.",
            ),
            models.CheckConstraint(
                condition=Q(additional=False) | Q(number__lte=ADDITIONAL_ARTICLES),
                name="treaty_additional_article_number_in_range",
                violation_error_message=f"An additional article is numbered 1 to {ADDITIONAL_ARTICLES}.",
            ),
        ]

    @property
    def name(self):
        return f"{'Additional Article' if self.additional else 'Article'} {roman(self.number)}"

    def __str__(self):
        return f"{self.treaty} — {self.name}"


class ArticleParty(ReadLink):
    """How an article concerns a party (PartyRole)."""

    record = models.ForeignKey(TreatyArticle, on_delete=PART, related_name="party_roles")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="article_roles")
    role = models.CharField(max_length=12, choices=PartyRole.choices)

    history = HistoricalRecords(table_name=f"treaties_historical{ARTICLE_TABLE}_party")

    class Meta:
        verbose_name_plural = "article parties"
        db_table = f"treaties_{ARTICLE_TABLE}_party"
        ordering = ["record", "id"]
        constraints = [
            *ReadLink.Meta.constraints,
            models.UniqueConstraint(fields=["record", "party", "role"], name="article_party_unique_role"),
        ]

    def __str__(self):
        return f"{self.party} ({self.role})"


class ArticlePlace(PlaceLink):
    record = models.ForeignKey(TreatyArticle, on_delete=PART, related_name="place_links")


class TreatyTerm(CitedRecord, OwnsFigures, Judgeable):
    """One of the treaty's terms as the source summarises them ("Terms were as follows:"),
    numbered (1), (2), ... as the source numbers them: not the treaty's own articles, which it
    links to (`articles`) as our reading, since the source names none."""

    treaty = models.ForeignKey(Treaty, on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(SMALL_INT_MAX)],
        help_text='The number the source gives it in its list ("(3)" is 3).',
    )
    wording = models.TextField(help_text="The source's words for this term, verbatim.")
    parties = models.ManyToManyField(Party, through="TermParty", related_name="treaty_terms")
    places = places_field("TermPlace", "treaty_terms")
    settles_requests = models.ManyToManyField(
        Proposal,
        through="SettledRequest",
        related_name="settled_by",
        blank=True,
        help_text="The requests the term settles.",
    )
    settles_counterproposals = models.ManyToManyField(
        Counterproposal,
        through="SettledCounterproposal",
        related_name="settled_by",
        blank=True,
        help_text="The counterproposals the term settles.",
    )
    articles = models.ManyToManyField(
        TreatyArticle,
        through="TermArticle",
        related_name="summarised_by",
        blank=True,
        help_text="The treaty's articles the term summarises (and those it points to).",
    )

    history = record_history()

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


class TermParty(ReadLink):
    """How a term concerns a party (PartyRole)."""

    Role = PartyRole

    term = models.ForeignKey(TreatyTerm, on_delete=PART, related_name="party_roles")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="term_roles")
    role = models.CharField(max_length=12, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["term", "role", "party"]
        constraints = [
            *ReadLink.Meta.constraints,
            models.UniqueConstraint(fields=["term", "party", "role"], name="term_party_unique_role"),
        ]

    def __str__(self):
        return f"{self.party} ({self.role})"


class TermPlace(PlaceLink):
    record = models.ForeignKey(TreatyTerm, on_delete=PART, related_name="place_links")


class Transfer(ReadLink):
    """What a term passes from one party to another, in the term's own words (the lease of the
    Liaodong peninsula, from Russia to Japan), and the place it is, where it is one."""

    term = models.ForeignKey(TreatyTerm, on_delete=PART, related_name="transfers")
    what = models.CharField(max_length=200, help_text="What passes, in the term's words.")
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The place that passes, where it is one; null for a right or a thing.",
    )
    from_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    to_party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["term", "id"]
        constraints = [
            *ReadLink.Meta.constraints,
            models.UniqueConstraint(fields=["term", "what"], name="transfer_unique_per_term"),
            models.CheckConstraint(
                condition=~models.Q(from_party=models.F("to_party")),
                name="transfer_between_two_parties",
                violation_error_message="A transfer passes from one party to another.",
            ),
        ]

    def __str__(self):
        return f"{self.what}: {self.from_party} → {self.to_party}"

    def clean(self):
        if self.term_id and self.what and self.what not in self.term.wording:
            raise ValidationError({"what": f"{self.what!r} is not in the words of {self.term.name}."})


class Settlement(ReadLink):
    """A term settling what the talks left open: always our reading, since the source does not
    pair its terms with the requests."""

    term = models.ForeignKey(TreatyTerm, on_delete=PART, related_name="%(class)s_links")

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        constraints = ReadLink.Meta.constraints


class SettledRequest(Settlement):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="settlements")

    class Meta(Settlement.Meta):
        ordering = ["term", "proposal"]
        constraints = [
            *Settlement.Meta.constraints,
            models.UniqueConstraint(fields=["term", "proposal"], name="settled_request_unique"),
        ]

    def __str__(self):
        return f"{self.term.name} settles {self.proposal.name}"


class SettledCounterproposal(Settlement):
    counterproposal = models.ForeignKey(Counterproposal, on_delete=models.PROTECT, related_name="settlements")

    class Meta(Settlement.Meta):
        ordering = ["term", "counterproposal"]
        constraints = [
            *Settlement.Meta.constraints,
            models.UniqueConstraint(
                fields=["term", "counterproposal"], name="settled_counterproposal_unique"
            ),
        ]

    def __str__(self):
        return f"{self.term.name} settles {self.counterproposal.name}"


class TermArticle(ReadLink):
    """A treaty article a term summarises, or one a term points to (see also): always our
    reading, since the source names no articles; the rationale says which reference pairs them."""

    class Role(models.TextChoices):
        SUMMARISED = "summarised", "the term summarises it"
        SEE_ALSO = "see-also", "see also: it continues the term's matter, which does not summarise it"

    record = models.ForeignKey(TreatyTerm, on_delete=PART, related_name="article_links")
    article = models.ForeignKey(TreatyArticle, on_delete=models.PROTECT, related_name="term_links")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.SUMMARISED)

    history = HistoricalRecords()

    class Meta:
        # In the order given: the treaty's, in the fixtures.
        ordering = ["record", "id"]
        constraints = [
            *ReadLink.Meta.constraints,
            models.UniqueConstraint(fields=["record", "article"], name="term_article_unique"),
        ]

    def __str__(self):
        return f"{self.record.name} → {self.article.name} ({self.role})"

    def clean(self):
        if self.record_id and self.article_id and self.record.treaty_id != self.article.treaty_id:
            raise ValidationError(
                {"article": f"{self.article.name} is of another treaty than {self.record.name}."}
            )
