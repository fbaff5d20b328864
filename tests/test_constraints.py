"""The database itself rejects rows that break the dataset's invariants."""

import datetime
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Counterproposal, Event, Negotiation, Party, Place, Proposal, Response
from sources.models import Citation
from treaties.models import Treaty

pytestmark = pytest.mark.django_db


def integrity_error(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def raw_citation(source, **values):
    """Bypass Citation.save's check to reach the database's own constraints."""
    japan = Party.objects.get(slug="japan")
    fields = {
        "source": source,
        "start": 0,
        "end": 2,
        "quote": "In",
        "content_type": ContentType.objects.get_for_model(Party),
        "object_id": japan.pk,
    } | values
    Citation.objects.bulk_create([Citation(uuid=uuid.uuid4(), **fields)])


def test_citation_end_must_follow_start(source):
    integrity_error(lambda: raw_citation(source, start=5, end=5, quote=""))


def test_citation_span_must_match_quote_length(source):
    integrity_error(lambda: raw_citation(source, start=0, end=9, quote="In"))


def test_saving_a_citation_whose_quote_is_not_at_its_offsets_names_the_quote(source):
    citation = Citation(
        source=source, start=4, end=10, quote="August", record=Party.objects.get(slug="japan")
    )
    with pytest.raises(ValidationError) as excinfo:
        citation.save()
    message = excinfo.value.message_dict["quote"][0]
    assert message == ("The source text at 4–10 reads 'ugust ', not 'August'. The quote appears at 3–9.")
    assert not Citation.objects.filter(start=4, end=10).exists()


def test_a_citation_past_the_end_of_the_source_is_refused(source):
    citation = Citation(source=source, start=10, end=99999, quote="x", record=Party.objects.get(slug="japan"))
    with pytest.raises(ValidationError, match="past the end"):
        citation.save()


def test_slugs_are_unique_per_type():
    integrity_error(
        lambda: Party.objects.create(slug="japan", name="Japan again", kind="state", role="belligerent")
    )


def test_a_date_needs_a_valid_precision():
    event = Event.objects.get(slug="final-proposal")
    integrity_error(lambda: Event.objects.filter(pk=event.pk).update(date_precision=None))
    integrity_error(lambda: Event.objects.filter(pk=event.pk).update(date_precision="week"))
    integrity_error(
        lambda: Event.objects.filter(slug="outbreak-of-hostilities").update(date=datetime.date(1904, 2, 8))
    )


def test_month_precision_dates_are_stored_on_day_one():
    event = Event.objects.get(slug="negotiations-opened")
    event.date = datetime.date(1903, 8, 12)
    with pytest.raises(ValidationError, match="day 1"):
        event.full_clean()
    # The database holds the rule too, for every dated kind and every date of a record.
    integrity_error(lambda: Event.objects.filter(pk=event.pk).update(date=datetime.date(1903, 8, 12)))
    integrity_error(
        lambda: Event.objects.filter(pk=event.pk).update(
            date=datetime.date(1903, 8, 1), date_precision="year"
        )
    )
    integrity_error(lambda: Negotiation.objects.update(ended=datetime.date(1904, 1, 2)))
    integrity_error(lambda: Treaty.objects.update(date=datetime.date(1905, 9, 5), date_precision="month"))
    Event.objects.filter(pk=event.pk).update(date=datetime.date(1903, 1, 1), date_precision="year")


def test_coordinates_come_in_range_and_in_pairs():
    integrity_error(lambda: Place.objects.filter(slug="mukden").update(latitude=41.8))
    integrity_error(lambda: Place.objects.filter(slug="mukden").update(latitude=95, longitude=123))


def test_numbers_are_unique_within_a_negotiation():
    first = Proposal.objects.get(number=1)
    integrity_error(
        lambda: Proposal.objects.create(
            slug="request-1-again", negotiation=first.negotiation, number=1, party=first.party, terms="x"
        )
    )


def test_a_link_that_is_our_reading_must_say_why():
    counter = Counterproposal.objects.get(number=1)
    proposal = Proposal.objects.get(number=2)
    integrity_error(
        lambda: Response.objects.create(counterproposal=counter, proposal=proposal, basis="reading")
    )


def test_a_party_in_use_cannot_be_deleted():
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        Party.objects.get(slug="russia").delete()


def test_a_figure_about_a_record_without_figures_is_refused_by_the_model():
    from events.models import Figure

    figure = Figure(
        slug="place-figure",
        subject=Place.objects.get(slug="mukden"),
        measure="m",
        value=1,
        unit="u",
        description="x",
    )
    with pytest.raises(ValidationError) as refused:
        figure.full_clean()
    assert "A place has no figures" in refused.value.message_dict["subject"][0]


@pytest.mark.parametrize("field", ["kind", "modern_name"])
def test_a_places_unknowns_are_null_not_empty(field):
    integrity_error(lambda: Place.objects.bulk_create([Place(slug="nowhere", name="Nowhere", **{field: ""})]))


@pytest.mark.migrations
def test_the_migration_makes_an_empty_kind_or_modern_name_null_in_records_and_versions(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("events", "0003_dates_on_first_day")], [("events", "0004_place_unknowns_are_null")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    for name in ("Place", "HistoricalPlace"):
        old.get_model("events", name).objects.filter(slug="mukden").update(kind="", modern_name="")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(after)
        assert Place.objects.filter(slug="mukden").values_list("kind", "modern_name").get() == (None, None)
        assert set(Place.history.filter(slug="mukden").values_list("kind", "modern_name")) == {(None, None)}
    finally:
        # The migrations after it too, so that the tests after this one find today's tables.
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
