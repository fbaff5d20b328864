"""Generated records for load testing (`manage.py synthesize`), kept apart from the dataset.

Every generated row is marked: one Source with `synthetic=True` (its own made-up text), slugs
beginning SYNTHETIC_PREFIX, and citations into that source alone. A generated record links
only to generated records (its parties, places, negotiation, the records its figures and
claims are about), so no real record's rendering, list of links or count of figures shows
one, and deleting them all (`delete`) leaves the dataset exactly as it was.

It lives beside the loader, which it mirrors: the loader writes the transcribed fixtures
record by record through the models (history, signals, validation); this writes made-up
records in batches below them, with `bulk_create`, in one transaction a batch, raising the
data version and rendering each batch itself (api.renderings) as the signals would have.
The kinds of record are named by label, as the fixtures name them, so that provenance keeps
importing no domain app. No history version is written: a generated record was never edited.
"""

import datetime
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from uuid import uuid5

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, reset_queries, transaction

from api import data_version, renderings
from api.deletion import PART
from api.registry import figure_subject_models
from sources.models import CITATION_NAMESPACE, SYNTHETIC_PREFIX, Citation, Source

SOURCE_SLUG = f"{SYNTHETIC_PREFIX}source"
# Sentences in the generated text; records cite them in turn (many records share one).
SENTENCES = 4096
# How many records of a kind later kinds link to: the first ones made, so memory stays flat.
POOL = 256
# What a generated value or link says of itself: our reading, made up.
GENERATED = "Generated: made up, not read from any source."
READ = {"basis": "reading", "rationale": GENERATED}
# The share of the records each kind gets, in the order they are made (a kind links to
# kinds made before it). Engagements are numbered uniquely in a small integer, from
# ENGAGEMENT_NUMBERS' start, which bounds how many there can be.
SHARES = {
    "events.party": 4,
    "events.place": 8,
    "events.negotiation": 3,
    "events.proposal": 7,
    "events.counterproposal": 7,
    "events.event": 30,
    "events.engagement": 3,
    "treaties.treaty": 2,
    "treaties.treatyterm": 4,
    "events.figure": 20,
    "events.claim": 12,
}
ENGAGEMENT_NUMBERS = range(10_001, 32_768)
FIRST_DAY, LAST_DAY = datetime.date(1850, 1, 1), datetime.date(1949, 12, 31)

# Words for the text and the records' names: the common ones appear in a large share of
# the records, and each record's name carries a made-up word of its own (a rare one).
COMMON = (  # noqa: SIM905 (a line of words reads better than a column of them)
    "army fleet harbour railway treaty delegation telegram winter river fortress envoy "
    "cabinet garrison frontier convoy squadron ministry ultimatum armistice province"
).split()
SYLLABLES = "ba ko mi nu re sa ti vo ze lu da fe gi ho ja ke li mo ne pu".split()  # noqa: SIM905


def rare_word(number: int) -> str:
    """A made-up word of five syllables, different for each number below 20**5."""
    scrambled = (number * 1_000_003) % len(SYLLABLES) ** 5
    syllables = []
    for _ in range(5):
        scrambled, digit = divmod(scrambled, len(SYLLABLES))
        syllables.append(SYLLABLES[digit])
    return "".join(syllables)


def sentence(number: int) -> str:
    words = [COMMON[(number * 7 + k * 3) % len(COMMON)] for k in range(6)]
    return f"The {words[0]} and the {words[1]} of {rare_word(number).title()} met the {words[2]} ({number})."


def source_text() -> str:
    return "\n".join(sentence(number) for number in range(SENTENCES)) + "\n"


def plan(records: int) -> dict[str, int]:
    """How many records of each kind make `records` in all (each kind at least one)."""
    total = sum(SHARES.values())
    counts = {label: max(1, records * share // total) for label, share in SHARES.items()}
    counts["events.engagement"] = min(counts["events.engagement"], len(ENGAGEMENT_NUMBERS))
    counts["events.event"] += max(0, records - sum(counts.values()))
    return counts


def synthetic_source() -> Source | None:
    return Source.objects.filter(slug=SOURCE_SLUG).first()


@dataclass
class Batch:
    """One batch written: of which kind, how many records."""

    label: str
    records: int


class Synthesizer:
    """Writes `records` generated records of every kind, `batch_size` at a time (`run` yields
    after each batch), with citations into one generated source."""

    def __init__(self, records: int, *, batch_size: int = 2000, render: bool = False, seed: int = 1905):
        self.counts = plan(records)
        self.batch_size = batch_size
        self.render = render
        self.random = random.Random(seed)
        self.pools: dict[str, list[int]] = {}
        self.owner_pools: list[tuple[int, int]] = []

    # The source and its sentences

    def create_source(self) -> Source:
        text = source_text()
        self.source = Source.objects.create(
            slug=SOURCE_SLUG,
            name="Synthetic source (generated, not historical)",
            title_supplied=True,
            description="Generated text for load testing: no word of it is historical.",
            language="en",
            note="Made by manage.py synthesize; manage.py synthesize --delete removes it with every "
            "record citing it.",
            rights="Generated; no rights are claimed.",
            filename="",
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            text=text,
            synthetic=True,
        )
        self.spans = []
        start = 0
        for line in text.splitlines(keepends=True):
            self.spans.append((start, line.rstrip("\n")))
            start += len(line)
        return self.source

    def run(self) -> Iterator[Batch]:
        if synthetic_source() is not None:
            raise SyntheticDataExists()
        with transaction.atomic():
            self.create_source()
        for label, count in self.counts.items():
            model = apps.get_model(label)
            build = getattr(self, f"build_{model._meta.model_name}")
            for first in range(0, count, self.batch_size):
                numbers = range(first, min(first + self.batch_size, count))
                with transaction.atomic():
                    self.write_batch(model, numbers, build)
                    # What every save would have done; a cache keyed by the version refreshes.
                    data_version.bump()
                # With debug on, Django keeps the last 9,000 statements: here, megabytes each.
                reset_queries()
                yield Batch(label, len(numbers))
        analyze()

    def write_batch(self, model, numbers: range, build: Callable):
        kind = model._meta.model_name
        records, quotes, links = [], [], []
        for number in numbers:
            start, quote = self.spans[(number * 31 + len(kind)) % SENTENCES]
            record, record_links = build(number, quote)
            record.slug = f"{SYNTHETIC_PREFIX}{kind}-{number}"
            record.sequence = start  # where its one citation starts
            records.append(record)
            quotes.append(quote)
            links.append(record_links)
        model.objects.bulk_create(records)
        content_type = ContentType.objects.get_for_model(model)
        Citation.objects.bulk_create(
            self.citation(content_type, record, quote) for record, quote in zip(records, quotes, strict=True)
        )
        rows = {}
        for record, record_links in zip(records, links, strict=True):
            for row_model, values in record_links:
                rows.setdefault(row_model, []).append(
                    row_model(**self.owner(row_model, model, record), **values)
                )
        for row_model, batch in rows.items():
            row_model.objects.bulk_create(batch)
        pool = self.pools.setdefault(model._meta.label_lower, [])
        pool.extend(record.pk for record in records[: max(0, POOL - len(pool))])
        if model in figure_subject_models().values() and len(self.owner_pools) < POOL:
            self.owner_pools.extend((content_type.pk, record.pk) for record in records[:16])
        if self.render:
            citations = Citation.objects.filter(
                content_type=content_type, object_id__in=[r.pk for r in records]
            )
            renderings.store(
                [(model, record.pk) for record in records]
                + [(Citation, pk) for pk in citations.values_list("pk", flat=True)]
            )

    def citation(self, content_type, record, quote: str) -> Citation:
        start, end = record.sequence, record.sequence + len(quote)
        name = f"{SOURCE_SLUG}:{start}:{end}:{content_type.model}:{record.slug}"
        return Citation(
            uuid=uuid5(CITATION_NAMESPACE, name),
            source=self.source,
            start=start,
            end=end,
            quote=quote,
            content_type=content_type,
            object_id=record.pk,
        )

    @staticmethod
    def owner(row_model, model, record) -> dict:
        field = next(f for f in row_model._meta.concrete_fields if f.is_relation and f.related_model is model)
        return {field.name: record}

    # Picking what a record links to, and its date

    def pick(self, label: str) -> int:
        return self.random.choice(self.pools[label])

    def picks(self, label: str, most: int) -> list[int]:
        pool = self.pools[label]
        return self.random.sample(pool, min(len(pool), self.random.randint(1, most)))

    def dated(self, prefix: str = "date", *, undated: float = 0.05) -> dict:
        if self.random.random() < undated:
            return {}
        day = FIRST_DAY + datetime.timedelta(days=self.random.randrange((LAST_DAY - FIRST_DAY).days))
        roll = self.random.random()
        if roll < 0.1:
            day, precision = day.replace(month=1, day=1), "year"
        elif roll < 0.3:
            day, precision = day.replace(day=1), "month"
        else:
            precision = "day"
        values = {
            prefix: day,
            f"{prefix}_precision": precision,
            f"{prefix}_calendar": "gregorian",
            f"{prefix}_basis": "document",
        }
        if self.random.random() < 0.2:
            values |= {f"{prefix}_basis": "reading", f"{prefix}_rationale": "Generated: a made-up reading."}
        if prefix == "date":
            # Written below save(), which would set it: with no statements, the record's own.
            values |= {"chosen_date": day, "chosen_date_precision": precision}
        return values

    def words(self, number: int, count: int = 4) -> str:
        return " ".join(COMMON[(number + k * 5) % len(COMMON)] for k in range(count))

    def name(self, kind: str, number: int) -> str:
        return f"Synthetic {kind} {rare_word(number).title()} ({number})"

    def links(self, model, field: str, label: str, most: int) -> list:
        through = model._meta.get_field(field).remote_field.through
        target = model._meta.get_field(field).m2m_reverse_field_name()
        return [
            (through, {f"{target}_id": pk, **self.link_values(through, k)})
            for k, pk in enumerate(self.picks(label, most))
        ]

    @staticmethod
    def link_values(through, number: int) -> dict:
        """What a link row says besides its two ends: its role, and that it is our reading."""
        names = {field.name for field in through._meta.concrete_fields}
        values = {}
        if "basis" in names:
            values |= {"basis": "reading", "rationale": "Generated: a made-up link."}
        if "role" in names:
            choices = through._meta.get_field("role").choices
            values["role"] = choices[number % len(choices)][0]
        return values

    # One builder for each kind: (the record, [(row model, values), ...] of its rows)

    def build_party(self, number, quote):
        Party = apps.get_model("events.party")
        return Party(
            name=self.name("party", number),
            kind=Party.Kind.values[number % len(Party.Kind.values)],
            role=Party.Role.values[number % len(Party.Role.values)],
            role_basis="reading",
            role_rationale=GENERATED,
        ), []

    def build_place(self, number, quote):
        Place = apps.get_model("events.place")
        kinds = [*Place.Kind.values, None]
        coordinates = {}
        if number % 3 == 0:
            coordinates = {
                "latitude": self.random.randint(-8999, 8999) / 100,
                "longitude": self.random.randint(-17999, 17999) / 100,
            }
        kind = kinds[number % len(kinds)]
        basis = {} if kind is None else {"kind_basis": "reading", "kind_rationale": GENERATED}
        return Place(name=self.name("place", number), kind=kind, **basis, **coordinates), []

    def build_negotiation(self, number, quote):
        Negotiation = apps.get_model("events.negotiation")
        return Negotiation(
            name=self.name("negotiation", number),
            initiated_by_id=self.pick("events.party"),
            counterparty_id=self.pick("events.party"),
            outcome=f"The talks ended: {self.words(number)}.",
            **self.dated(),
            **self.dated("ended", undated=0.3),
        ), []

    def numbered_terms(self, model, number, label):
        negotiations = self.pools["events.negotiation"]
        return model(
            negotiation_id=negotiations[number % len(negotiations)],
            number=number // len(negotiations) + 1,
            party_id=self.pick("events.party"),
            terms=f"{label} {number}: the {self.words(number, 6)} ({rare_word(number)}).",
        )

    def build_proposal(self, number, quote):
        return self.numbered_terms(apps.get_model("events.proposal"), number, "Request"), []

    def build_counterproposal(self, number, quote):
        Counterproposal = apps.get_model("events.counterproposal")
        Response = Counterproposal.responds_to.through
        rows = [
            (Response, {"proposal_id": pk, "basis": "reading", "rationale": "Generated: a made-up pairing."})
            for pk in self.picks("events.proposal", 2)
        ]
        return self.numbered_terms(Counterproposal, number, "Counterproposal"), rows

    def build_event(self, number, quote):
        Event = apps.get_model("events.event")
        negotiations = self.pools["events.negotiation"]
        event = Event(
            name=self.name("event", number),
            kind=Event.Kind.values[number % len(Event.Kind.values)],
            negotiation_id=negotiations[number % len(negotiations)] if number % 4 == 0 else None,
            description=f"The {self.words(number, 5)} ({rare_word(number)}).",
            note="",
            **self.dated(),
        )
        rows = self.links(Event, "parties", "events.party", 3) + self.links(
            Event, "places", "events.place", 2
        )
        return event, rows

    def build_engagement(self, number, quote):
        Engagement = apps.get_model("events.engagement")
        belligerents = self.picks("events.party", 2)
        engagement = Engagement(
            number=ENGAGEMENT_NUMBERS[number],
            name=self.name("engagement", number),
            kind=Engagement.Kind.values[number % len(Engagement.Kind.values)],
            kind_basis="reading",
            kind_rationale=GENERATED,
            **(
                {"victor_id": belligerents[0], "victor_basis": "reading", "victor_rationale": GENERATED}
                if number % 2
                else {}
            ),
            outcome=f"The {self.words(number, 3)} held.",
            **self.dated(undated=0.3),
        )
        through = Engagement.belligerents.through
        # Each fights for itself: a generated party's state is no other generated party.
        rows = [
            (through, {"party_id": pk, "side_id": pk, "basis": "reading", "rationale": GENERATED})
            for pk in belligerents
        ]
        return engagement, rows + self.links(Engagement, "places", "events.place", 2)

    def build_treaty(self, number, quote):
        Treaty = apps.get_model("treaties.treaty")
        treaty = Treaty(
            name=self.name("treaty", number),
            signed_at_id=self.pick("events.place") if number % 2 else None,
            **(
                {
                    "arranged_by_id": self.pick("events.party"),
                    "arranged_by_basis": "reading",
                    "arranged_by_rationale": GENERATED,
                }
                if number % 3
                else {}
            ),
            parties_basis="reading",
            parties_rationale=GENERATED,
            **self.dated(),
        )
        return treaty, self.links(Treaty, "parties", "events.party", 3)

    def build_treatyterm(self, number, quote):
        TreatyTerm = apps.get_model("treaties.treatyterm")
        TermParty = apps.get_model("treaties.termparty")
        treaties = self.pools["treaties.treaty"]
        term = TreatyTerm(
            treaty_id=treaties[number % len(treaties)],
            number=number // len(treaties) + 1,
            wording=f"Term {number}: the {self.words(number, 6)} ({rare_word(number)}).",
        )
        roles = TermParty.Role.values
        rows = [
            (TermParty, {"party_id": pk, "role": roles[(number + k) % len(roles)], **READ})
            for k, pk in enumerate(self.picks("events.party", 2))
        ]
        return term, rows + self.links(TreatyTerm, "places", "events.place", 2)

    def build_figure(self, number, quote):
        Figure = apps.get_model("events.figure")
        subject_type, subject_id = self.random.choice(self.owner_pools)
        return Figure(
            subject_type_id=subject_type,
            subject_id=subject_id,
            measure=("casualties", "vessels", "prisoners", "months")[number % 4],
            value=self.random.randint(1, 200_000),
            unit="persons",
            party_id=self.pick("events.party") if number % 2 else None,
            description=f"A made-up number of the {self.words(number, 2)} ({rare_word(number)}).",
            note="",
        ), []

    def build_claim(self, number, quote):
        Claim = apps.get_model("events.claim")
        JudgedRecord = apps.get_model("events.judgedrecord")
        claim = Claim(
            name=self.name("claim", number),
            # A claim's statement is exactly what its citation quotes.
            statement=quote,
            is_interpretation=bool(number % 2),
        )
        subject_type, subject_id = self.random.choice(self.owner_pools)
        rows = [(JudgedRecord, {"content_type_id": subject_type, "object_id": subject_id})]
        return claim, rows + self.links(Claim, "parties", "events.party", 2) + self.links(
            Claim, "places", "events.place", 2
        )


class SyntheticDataExists(Exception):
    """Generated records are there already: delete them first."""


def delete() -> dict[str, int]:
    """Delete every generated record, its rows, citations, renderings and history, and the
    generated source, in one transaction; how many records of each kind went.

    Set-based deletes below the models (a million records would not fit in memory as the
    ORM's deletion collects them); the data version is raised once, as one write. A real
    record linking to a generated one keeps it: the database refuses the delete, and nothing
    is deleted.
    """
    source = synthetic_source()
    deleted = {}
    with transaction.atomic():
        # Generated records cite the generated source; a real record is never taken for one.
        cited = Citation.objects.filter(source__synthetic=True)
        for label in reversed(SHARES):
            model = apps.get_model(label)
            content_type = ContentType.objects.get_for_model(model)
            mine = model._base_manager.filter(
                slug__startswith=SYNTHETIC_PREFIX,
                pk__in=cited.filter(content_type=content_type).values("object_id"),
            )
            forget_renderings(model, mine)
            for rows, key in owned_rows(model):
                rows._base_manager.filter(**{f"{key}__in": mine.values("pk")})._raw_delete("default")
            history = model.history.filter(slug__startswith=SYNTHETIC_PREFIX)
            if history.exists():  # only what editors changed since: few rows, through the ORM
                history.delete()
            deleted[label] = mine._raw_delete("default")
        if source is not None:
            Citation.history.filter(source_id=source.pk).delete()
            forget_renderings(Citation, Citation.objects.filter(source=source))
            Citation.objects.filter(source=source)._raw_delete("default")
            forget_renderings(Source, Source.objects.filter(pk=source.pk))
            Source._base_manager.filter(pk=source.pk)._raw_delete("default")
            Source.history.filter(slug=source.slug).delete()
        data_version.bump()
    analyze(vacuum=True)
    return deleted


def analyze(vacuum: bool = False) -> None:
    """Give PostgreSQL's planner the tables' new statistics (it plans, and estimates counts,
    from them; autovacuum would take its time to notice a million rows), and after a delete
    reclaim the dead rows, which every scan would otherwise step over."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def forget_renderings(model, records) -> None:
    """Delete the stored renderings of `records` (a queryset of `model`) and their keys."""
    from api.models import Rendering, RenderingDependency

    content_type = ContentType.objects.get_for_model(model)
    rendered = Rendering.objects.filter(content_type=content_type, object_id__in=records.values("pk"))
    RenderingDependency.objects.filter(rendering__in=rendered.values("pk"))._raw_delete("default")
    rendered._raw_delete("default")


def owned_rows(model) -> list[tuple[type, str]]:
    """(row model, its key to `model`) for the rows that are parts of `model`'s records and not
    records themselves: many-to-many rows, through rows (a counterproposal's responses, a
    term's party roles), a claim's judged records."""
    rows = [(field.remote_field.through, field.m2m_field_name()) for field in model._meta.local_many_to_many]
    # A through model of its own is also a part (api.deletion.PART): once each.
    for relation in model._meta.related_objects:
        if (
            relation.one_to_many
            and relation.on_delete is PART
            and not relation.related_model._meta.auto_created
        ):
            rows.append((relation.related_model, relation.field.name))
    return list(dict.fromkeys(rows))
