"""Generated records (`manage.py synthesize`): of every kind, valid, marked, kept apart from the
dataset, and removed without a trace of them or of the dataset lost."""

from http import HTTPStatus
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from api import renderings
from api.models import DataVersion, Rendering
from api.registry import citable_models
from sources.models import SYNTHETIC_PREFIX, Citation, DatasetLoad, Source
from sources.synthetic import SHARES, SOURCE_SLUG
from tests.factories import TEXTBOOK

pytestmark = pytest.mark.django_db


def synthesize(*args):
    out = StringIO()
    call_command("synthesize", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def every_row() -> dict:
    """Every row of every table but the data version (which a write raises), in order."""
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names()) - {"django_migrations"}):
            if table == DataVersion._meta.db_table:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def generated(model):
    return model.objects.filter(slug__startswith=SYNTHETIC_PREFIX)


def test_records_of_every_kind_are_generated_valid_and_cited_into_their_own_source(client):
    real_citations = set(Citation.objects.values_list("pk", "start", "end", "quote"))
    output = synthesize("--records", "1000")
    assert "Generated 1,000 records" in output
    source = Source.objects.get(synthetic=True)
    assert source.slug == SOURCE_SLUG
    for label in SHARES:
        model = apps.get_model(label)
        records = list(generated(model).prefetch_related("citations__source"))
        assert records, label
        for record in records[:5]:
            record.full_clean()  # every field rule and constraint the models state
        for record in records:
            citations = list(record.citations.all())
            assert [c.source for c in citations] == [source], record.slug
            assert [source.text[c.start : c.end] for c in citations] == [c.quote for c in citations]
            assert record.sequence == min(c.start for c in citations)
            assert record.citation_errors(citations) == {}  # a claim states what it quotes
    # No real record gained a citation, and the real ones are as they were.
    real = Citation.objects.exclude(source=source)
    assert set(real.values_list("pk", "start", "end", "quote")) == real_citations
    event = generated(apps.get_model("events.event")).first()
    answer = client.get(f"/api/v1/events/{event.slug}/")
    assert answer.status_code == HTTPStatus.OK
    assert answer.json()["citations"][0]["source"]["slug"] == SOURCE_SLUG


def test_generated_records_link_only_to_generated_records():
    synthesize("--records", "1000")
    for model in citable_models().values():
        for record in generated(model):
            for field in model._meta.concrete_fields:
                if field.many_to_one and hasattr(field.related_model, "slug"):
                    target = getattr(record, field.name)
                    assert target is None or target.slug.startswith(SYNTHETIC_PREFIX), (
                        record.slug,
                        field.name,
                    )
            for field in model._meta.many_to_many:
                slugs = getattr(record, field.name).values_list("slug", flat=True)
                assert all(slug.startswith(SYNTHETIC_PREFIX) for slug in slugs), (record.slug, field.name)
    figures = generated(apps.get_model("events.figure"))
    assert all(figure.subject.slug.startswith(SYNTHETIC_PREFIX) for figure in figures)


def test_rendered_batches_are_what_a_fresh_rendering_shows():
    synthesize("--records", "1000", "--render")
    event_model = apps.get_model("events.event")
    for record in generated(event_model)[:5]:
        stored = Rendering.objects.get(content_type__model="event", object_id=record.pk)
        fresh = renderings.render(event_model, [record.pk])[record.pk]
        assert (stored.listed, stored.detail or stored.listed) == (fresh.listed, fresh.detail)


def test_delete_removes_every_generated_row_and_nothing_else(client):
    client.get("/api/v1/events/")  # rendered and cached before
    before = every_row()
    version = DataVersion.objects.get().generation
    synthesize("--records", "1000", "--render")
    assert every_row() != before
    assert "Deleted 1,000 generated records" in synthesize("--delete")
    assert every_row() == before
    # A write that readers must see: the version moved on.
    assert DataVersion.objects.get().generation > version
    assert "Deleted 0 generated records" in synthesize("--delete")


def test_the_dataset_loads_and_skips_as_before_beside_generated_records():
    loads = DatasetLoad.objects.count()
    synthesize("--records", "1000")
    assert DatasetLoad.objects.count() == loads
    out = StringIO()
    call_command("load_dataset", "--skip-if-loaded", stdout=out)
    assert "is already loaded; nothing to do" in out.getvalue()
    out = StringIO()
    call_command("load_dataset", stdout=out)
    assert "Loaded dataset" in out.getvalue()
    assert " 0 created, 0 updated, " in out.getvalue().splitlines()[-1]


def test_a_second_run_is_refused_until_the_first_is_deleted():
    synthesize("--records", "1000")
    with pytest.raises(CommandError, match="synthesize --delete"):
        synthesize("--records", "1000")
    with pytest.raises(CommandError, match="--records N"):
        synthesize()


def test_only_a_generated_source_may_carry_the_prefix():
    from django.db import IntegrityError, transaction

    real = Source.objects.get(slug=TEXTBOOK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=real.pk).update(synthetic=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.filter(pk=real.pk).update(slug=f"{SYNTHETIC_PREFIX}japan")
