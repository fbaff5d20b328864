"""Small factories for edge cases and for filling lists to a given length.

Each record gets the relations its endpoint shows (a citation, a party, a place, a figure, a
statement),
so a query-count test over many of them would catch a query made per row.
"""

import itertools

from django.contrib.contenttypes.models import ContentType

from events.models import (
    Claim,
    Counterproposal,
    Engagement,
    Event,
    Figure,
    JudgedRecord,
    Negotiation,
    Party,
    Place,
    Proposal,
    Response,
    Statement,
)
from sources.models import Citation, Source
from treaties.models import ArticleParty, TermArticle, TermParty, Treaty, TreatyArticle, TreatyTerm

_serial = itertools.count(1)
# The held text every fixture citation quotes (the references have no text).
TEXTBOOK = "japan-russia-1903-1905"


def cite(record, start=0, end=14):
    source = Source.objects.get(slug=TEXTBOOK)
    Citation.objects.create(source=source, start=start, end=end, quote=source.text[start:end], record=record)
    return record


SITE = {"role": "site", "basis": "document"}
SUBJECT = {"role": "subject", "basis": "document"}
PARTICIPANT = {"role": "participant", "basis": "document"}


def figure(subject, value=1):
    n = next(_serial)
    made = Figure.objects.create(
        slug=f"figure-{n}",
        subject=subject,
        measure="count",
        value=value,
        unit="things",
        party=Party.objects.get(slug="japan"),
        description=f"Figure {n}",
    )
    return cite(made, 141, 145)


# A reference a factory statement cites (references have no text: a locator, no offsets).
REFERENCE = "geonames-2012"


def statement(subject):
    """Another source's value about `subject` (a name), cited by locator."""
    n = next(_serial)
    source = Source.objects.get(slug=REFERENCE)
    made = Statement.objects.create(
        slug=f"statement-{n}", subject=subject, kind="name", text=f"Name {n}", language="ja", source=source
    )
    Citation.objects.create(source=source, locator=f"geonameid {n}", record=made)
    return made


# An admin change form's statements inline, posted as no change (the formset needs its
# management form whatever the record's statements are).
STATEMENTS_UNCHANGED = {
    f"events-statement-subject_type-subject_id-{n}_FORMS": 0 for n in ("TOTAL", "INITIAL")
}


def with_statement(record):
    statement(record)
    return record


def party():
    n = next(_serial)
    return cite(
        with_statement(
            Party.objects.create(
                slug=f"party-{n}",
                name=f"Party {n}",
                kind="state",
                role="belligerent",
                role_basis="document",
                part_of=Party.objects.get(slug="japan"),
            )
        )
    )


def place():
    n = next(_serial)
    return cite(
        with_statement(
            Place.objects.create(
                slug=f"place-{n}",
                name=f"Place {n}",
                part_of=Place.objects.get(slug="manchuria"),
                part_of_basis="document",
            )
        )
    )


def negotiation():
    n = next(_serial)
    made = Negotiation.objects.create(
        slug=f"negotiation-{n}",
        name=f"Negotiation {n}",
        initiated_by=Party.objects.get(slug="japan"),
        counterparty=Party.objects.get(slug="russia"),
        outcome="x",
    )
    figure(made)
    statement(made)
    return cite(made)


def proposal():
    n = next(_serial)
    made = Proposal.objects.create(
        slug=f"proposal-{n}",
        negotiation=Negotiation.objects.first(),
        number=100 + n,
        party=Party.objects.get(slug="japan"),
        terms="x",
    )
    Response.objects.create(
        counterproposal=Counterproposal.objects.first(), proposal=made, basis="reading", rationale="test"
    )
    made.places.set(Place.objects.filter(slug="korea"), through_defaults=SUBJECT)
    made.settlements.create(term=TreatyTerm.objects.first(), basis="reading", rationale="t")
    statement(made)
    return cite(made)


def counterproposal():
    n = next(_serial)
    made = Counterproposal.objects.create(
        slug=f"counterproposal-{n}",
        negotiation=Negotiation.objects.first(),
        number=100 + n,
        party=Party.objects.get(slug="russia"),
        terms="x",
    )
    Response.objects.create(
        counterproposal=made, proposal=Proposal.objects.first(), basis="reading", rationale="t"
    )
    made.places.set(Place.objects.filter(slug="korea"), through_defaults=SUBJECT)
    made.settlements.create(term=TreatyTerm.objects.first(), basis="reading", rationale="t")
    figure(made)
    statement(made)
    return cite(made)


def event():
    n = next(_serial)
    made = Event.objects.create(
        slug=f"event-{n}",
        name=f"Event {n}",
        kind="hostilities",
        negotiation=Negotiation.objects.first(),
        description="x",
    )
    made.parties.set(Party.objects.filter(slug__in=["japan", "russia"]), through_defaults=PARTICIPANT)
    made.places.set(Place.objects.filter(slug="mukden"), through_defaults=SITE)
    figure(made)
    statement(made)
    return cite(made)


def engagement():
    n = next(_serial)
    made = Engagement.objects.create(
        slug=f"engagement-{n}",
        number=100 + n,
        name=f"Engagement {n}",
        kind="land-battle",
        kind_basis="document",
        outcome="x",
        victor=Party.objects.get(slug="japan"),
        victor_basis="reading",
        victor_rationale="t",
    )
    for party in Party.objects.filter(slug__in=["japanese-armies", "russia"]):
        made.belligerent_links.create(party=party, side_id=party.part_of_id or party.pk, basis="document")
    made.places.set(Place.objects.filter(slug="mukden"), through_defaults=SITE)
    figure(made)
    statement(made)
    return cite(made)


def claim(judges=None):
    n = next(_serial)
    made = Claim.objects.create(
        slug=f"claim-{n}", name=f"Claim {n}", statement="In August 1903", is_interpretation=True
    )
    made.parties.set(Party.objects.filter(slug="russia"))
    made.places.set(Place.objects.filter(slug="korea"), through_defaults=SUBJECT)
    made.judges.create(record=judges or Engagement.objects.get(slug="battle-of-tsushima"))
    return cite(made)


def unjudged(*slugs_by_model):
    """Take records out of every claim's judges (and a request or counterproposal out of the
    terms that settle it), so that nothing else refers to them, as an editor would before
    deleting them: unjudged((Engagement, "fall-of-port-arthur"), ...)."""
    for model, slug in slugs_by_model:
        record = model.objects.get(slug=slug)
        JudgedRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        ).delete()
        if hasattr(record, "settlements"):
            record.settlements.all().delete()


def treaty():
    n = next(_serial)
    made = Treaty.objects.create(
        slug=f"treaty-{n}",
        name=f"Treaty {n}",
        arranged_by=Party.objects.get(slug="roosevelt"),
        arranged_by_basis="reading",
        arranged_by_rationale="t",
        parties_basis="document",
    )
    made.parties.set(Party.objects.filter(slug__in=["japan", "russia"]))
    term(made)
    statement(made)
    return cite(made)


def term(treaty=None):
    n = next(_serial)
    made = TreatyTerm.objects.create(
        slug=f"term-{n}",
        treaty=treaty or Treaty.objects.get(slug="portsmouth-treaty"),
        number=100 + n,
        wording="x",
    )
    TermParty.objects.create(
        term=made, party=Party.objects.get(slug="russia"), role="bound", basis="document"
    )
    made.places.set(Place.objects.filter(slug="sakhalin"), through_defaults=SUBJECT)
    made.transfers.create(
        what="x",
        from_party=Party.objects.get(slug="russia"),
        to_party=Party.objects.get(slug="japan"),
        basis="document",
    )
    made.settledrequest_links.create(proposal=Proposal.objects.first(), basis="reading", rationale="t")
    made.settledcounterproposal_links.create(
        counterproposal=Counterproposal.objects.first(), basis="reading", rationale="t"
    )
    figure(made)
    return cite(made)


def article():
    """An article of a treaty of its own (a treaty numbers its articles 1 to 15), with a party,
    a place, the term summarising it and a citation of a reference."""
    n = next(_serial)
    treaty = Treaty.objects.create(slug=f"treaty-{n}", name=f"Treaty {n}", parties_basis="document")
    made = TreatyArticle.objects.create(slug=f"article-{n}", treaty=treaty, number=15, subject="x")
    ArticleParty.objects.create(
        record=made, party=Party.objects.get(slug="russia"), role="bound", basis="document"
    )
    made.places.set(Place.objects.filter(slug="sakhalin"), through_defaults=SUBJECT)
    TermArticle.objects.create(record=term(treaty), article=made, basis="reading", rationale="t")
    Citation.objects.create(source=Source.objects.get(slug="macmurray-1921"), locator="p. 1", record=made)
    return made


def fill(factory, model, count):
    """Make records until `model` has at least `count` rows."""
    while model.objects.count() < count:
        factory()
