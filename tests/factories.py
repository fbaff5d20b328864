"""Small factories for edge cases and for filling lists to a given length.

Each record gets the relations its endpoint shows (a citation, a party, a place, a figure),
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
)
from sources.models import Citation, Source
from treaties.models import TermParty, Treaty, TreatyTerm

_serial = itertools.count(1)


def cite(record, start=0, end=14):
    source = Source.objects.get()
    Citation.objects.create(source=source, start=start, end=end, quote=source.text[start:end], record=record)
    return record


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


def party():
    n = next(_serial)
    return cite(
        Party.objects.create(
            slug=f"party-{n}",
            name=f"Party {n}",
            kind="state",
            role="belligerent",
            part_of=Party.objects.get(slug="japan"),
        )
    )


def place():
    n = next(_serial)
    return cite(Place.objects.create(slug=f"place-{n}", name=f"Place {n}"))


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
    figure(made)
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
    made.parties.set(Party.objects.filter(slug__in=["japan", "russia"]))
    made.places.set(Place.objects.filter(slug="mukden"))
    figure(made)
    return cite(made)


def engagement():
    n = next(_serial)
    made = Engagement.objects.create(
        slug=f"engagement-{n}",
        number=100 + n,
        name=f"Engagement {n}",
        kind="land-battle",
        outcome="x",
        victor=Party.objects.get(slug="japan"),
    )
    made.belligerents.set(Party.objects.filter(slug__in=["japan", "russia"]))
    made.places.set(Place.objects.filter(slug="mukden"))
    figure(made)
    return cite(made)


def claim(judges=None):
    n = next(_serial)
    made = Claim.objects.create(
        slug=f"claim-{n}", name=f"Claim {n}", statement="In August 1903", is_interpretation=True
    )
    made.parties.set(Party.objects.filter(slug="russia"))
    made.places.set(Place.objects.filter(slug="korea"))
    made.judges.create(record=judges or Engagement.objects.get(slug="battle-of-tsushima"))
    return cite(made)


def unjudged(*slugs_by_model):
    """Take records out of every claim's judges, so that nothing else refers to them, as an
    editor would before deleting them: unjudged((Engagement, "fall-of-port-arthur"), ...)."""
    for model, slug in slugs_by_model:
        record = model.objects.get(slug=slug)
        JudgedRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        ).delete()


def treaty():
    n = next(_serial)
    made = Treaty.objects.create(
        slug=f"treaty-{n}", name=f"Treaty {n}", arranged_by=Party.objects.get(slug="roosevelt")
    )
    made.parties.set(Party.objects.filter(slug__in=["japan", "russia"]))
    term(made)
    return cite(made)


def term(treaty=None):
    n = next(_serial)
    made = TreatyTerm.objects.create(
        slug=f"term-{n}",
        treaty=treaty or Treaty.objects.get(slug="portsmouth-treaty"),
        number=100 + n,
        wording="x",
    )
    TermParty.objects.create(term=made, party=Party.objects.get(slug="russia"), role="bound")
    made.places.set(Place.objects.filter(slug="sakhalin"))
    figure(made)
    return cite(made)


def fill(factory, model, count):
    """Make records until `model` has at least `count` rows."""
    while model.objects.count() < count:
        factory()
