"""The loader: idempotent, all-or-nothing, and precise about what is wrong."""

import json
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection

from events.models import Claim, Figure, Party
from sources.models import Citation, Source
from tests.factories import TEXTBOOK
from treaties.models import TreatyArticle, TreatyTerm

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(
        Citation.objects.values_list("content_type_id", "object_id", "start", "end", "quote", "uuid")
    )


def test_loading_twice_changes_nothing():
    before = snapshot()
    out = StringIO()
    call_command("load_dataset", stdout=out)
    manifest = json.loads((settings.DATASET_DIR / "dataset.json").read_text())
    records = sum(
        len(json.loads((settings.DATASET_DIR / name).read_text())["records"]) for name in manifest["files"]
    )
    references = len(json.loads((settings.DATASET_DIR / manifest["references"]).read_text())["references"])
    # Every record, the held text and every reference.
    assert f"0 created, 0 updated, {records + 1 + references} unchanged" in out.getvalue()
    assert snapshot() == before


DESCRIPTION = ["title_supplied", "description", "language", "publication", "note", "rights"]


def test_loading_twice_leaves_the_source_description_and_figure_notes_alone():
    described = list(Source.objects.filter(slug=TEXTBOOK).values("slug", *DESCRIPTION))
    notes = dict(Figure.objects.values_list("slug", "note"))
    versions = (Source.history.count(), Figure.history.count())
    out = StringIO()
    call_command("load_dataset", stdout=out)
    sources = Source.objects.count()
    assert f"sources.source: 0 created, 0 updated, {sources} unchanged" in out.getvalue()
    assert "events.figure: 0 created, 0 updated, 64 unchanged" in out.getvalue()
    assert list(Source.objects.filter(slug=TEXTBOOK).values("slug", *DESCRIPTION)) == described
    assert described[0]["publication"] is None  # null, not "" (which would differ on each load)
    assert dict(Figure.objects.values_list("slug", "note")) == notes
    assert (Source.history.count(), Figure.history.count()) == versions


def test_the_source_description_is_kept_or_restored_as_any_record_is():
    Source.objects.filter(slug="japan-russia-1903-1905").update(note="Edited.", language="en-GB")
    call_command("load_dataset", "--skip-if-loaded", stdout=StringIO())
    assert Source.objects.values_list("note", "language").get(slug=TEXTBOOK) == ("Edited.", "en-GB")
    out = StringIO()
    call_command("load_dataset", stdout=out)
    references = Source.objects.filter(kind="reference").count()
    assert f"sources.source: 0 created, 1 updated, {references} unchanged" in out.getvalue()
    source = Source.objects.get(slug=TEXTBOOK)
    assert source.note.startswith("A publication of this English text online has been reported")
    assert source.language == "en"


def test_skip_if_loaded_keeps_an_editors_change():
    Party.objects.filter(slug="japan").update(name="Japan (edited)")
    out = StringIO()
    call_command("load_dataset", "--skip-if-loaded", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Party.objects.get(slug="japan").name == "Japan (edited)"


def test_a_plain_reload_restores_the_fixture_value():
    Party.objects.filter(slug="japan").update(name="Japan (edited)")
    out = StringIO()
    call_command("load_dataset", stdout=out)
    assert "1 updated" in out.getvalue()
    assert Party.objects.get(slug="japan").name == "Japan"


def test_skip_if_loaded_keeps_what_an_editor_made_a_claim_judge_and_a_reload_puts_it_back():
    claim = Claim.objects.get(slug="mukden-was-decisive")
    claim.judges.all().delete()
    call_command("load_dataset", "--skip-if-loaded", stdout=StringIO())
    assert not claim.judges.exists()
    out = StringIO()
    call_command("load_dataset", stdout=out)
    assert "events.claim: 0 created, 1 updated, 11 unchanged" in out.getvalue()
    assert [row.record.slug for row in claim.judges.all()] == ["occupation-of-mukden"]


def test_a_database_loaded_before_the_claims_were_narrowed_reloads_onto_the_same_rows(text):
    # As the loader left mukden-was-decisive before: the whole clause, and no judged record. The
    # statement and its citation change together, and the rule holds between them afterwards.
    claim = Claim.objects.get(slug="mukden-was-decisive")
    claim.judges.all().delete()
    claim.statement = text[2401:2434]
    claim.save()
    citation = claim.citations.get()
    citation.delete()
    Citation.objects.create(source=citation.source, start=2401, end=2434, quote=text[2401:2434], record=claim)
    out = StringIO()
    call_command("load_dataset", stdout=out)
    assert "events.claim: 0 created, 1 updated, 11 unchanged" in out.getvalue()
    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.statement, [c.quote for c in claim.citations.all()]) == ("decisive", ["decisive"])
    assert [row.record.slug for row in claim.judges.all()] == ["occupation-of-mukden"]


@pytest.mark.migrations
def test_a_database_loaded_when_the_terms_were_articles_reloads_onto_the_same_rows(transactional_db):
    # Going back before the rename (treaties.0004) gives the database as the loader left it
    # when the source's terms were stored as the treaty's articles: slugs
    # portsmouth-treaty-article-N, content type treatyarticle, citation ids derived from those.
    ids = dict(TreatyTerm.objects.values_list("slug", "pk"))
    versions = sorted(TreatyTerm.history.values_list("history_id", "slug"))
    before = snapshot()
    try:
        call_command("migrate", "treaties", "0004_deletes_protect_what_others_refer_to", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT slug FROM treaties_treatyarticle ORDER BY number")
            old = [slug for (slug,) in cursor.fetchall()]
        assert old == [f"portsmouth-treaty-article-{n}" for n in range(1, 6)]
        assert snapshot() != before
    finally:
        call_command("migrate", verbosity=0)
    out = StringIO()
    call_command("load_dataset", stdout=out)
    # Only the treaty and its terms change: going back past treaties.0007 and 0009 dropped the
    # basis of the treaty's date and parties and of the terms' links, which coming forward
    # labels "not yet reviewed" until a load gives the source's records theirs.
    assert "treaties.treaty: 0 created, 1 updated, 0 unchanged" in out.getvalue()
    assert "treaties.treatyterm: 0 created, 5 updated, 0 unchanged" in out.getvalue()
    assert "events.event: 0 created, 0 updated," in out.getvalue()
    assert dict(TreatyTerm.objects.values_list("slug", "pk")) == ids
    assert sorted(TreatyTerm.history.values_list("history_id", "slug")) == versions
    # The treaty's own articles came after 0004: their table went and came back, with new row
    # ids, so their citations are the same ones (by id) on other rows.
    articles = ContentType.objects.get_for_model(TreatyArticle).pk
    assert [row for row in snapshot() if row[0] != articles] == [row for row in before if row[0] != articles]
    assert {row[-1] for row in snapshot()} == {row[-1] for row in before}
    assert all(citation.uuid == citation.stable_uuid() for citation in Citation.objects.all())


@pytest.mark.migrations
def test_dates_recorded_before_they_had_a_basis_are_labelled_unreviewed_readings(transactional_db):
    from events.models import Event

    try:
        call_command("migrate", "events", "0006_figure_note", verbosity=0)
    finally:
        call_command("migrate", verbosity=0)
    dated = Event.objects.filter(date__isnull=False)
    assert dated.exists()
    for event in [*dated, *Event.history.filter(date__isnull=False)]:
        assert event.date_basis == "reading"
        assert event.date_rationale.startswith("Not yet reviewed")
    assert not Event.objects.filter(date__isnull=True, date_basis__isnull=False).exists()
    call_command("load_dataset", stdout=StringIO())
    assert Event.objects.get(slug="final-proposal").date_basis == "document"


@pytest.fixture
def fixture_dir(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(settings.DATASET_DIR, target)
    return target


def edit(directory, name, change):
    path = directory / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def set_field(index, key, value):
    def change(data):
        data["records"][index][key] = value

    return change


def drop_field(index, key):
    def change(data):
        del data["records"][index][key]

    return change


def shift_citation(data):
    data["records"][0]["citations"][0]["start"] += 1
    data["records"][0]["citations"][0]["end"] += 1


BROKEN = {
    "bad reference": (
        "events.json",
        set_field(2, "negotiation", "no-such-talks"),
        "events.json: record 2 (negotiations-opened): field 'negotiation': "
        "no negotiation with slug 'no-such-talks'",
    ),
    "quote not at its offsets": (
        "parties.json",
        shift_citation,
        "parties.json: record 0 (japan): field 'citations[0].quote'",
    ),
    "missing field": (
        "engagements.json",
        drop_field(2, "outcome"),
        "engagements.json: record 2 (fall-of-port-arthur): field 'outcome': missing",
    ),
    "bad date": (
        "events.json",
        set_field(6, "date", "1904-13-01"),
        "events.json: record 6 (final-proposal): field 'date'",
    ),
    "unknown field": (
        "places.json",
        set_field(1, "population", 1),
        "places.json: record 1 (korea): field 'population'",
    ),
    "derived field": (
        "places.json",
        set_field(1, "sequence", 0),
        "places.json: record 1 (korea): field 'sequence': is derived, not given",
    ),
    "bad choice": (
        "parties.json",
        set_field(0, "kind", "empire"),
        "parties.json: record 0 (japan): field 'kind'",
    ),
    "bad generic subject": (
        "figures.json",
        set_field(0, "subject", "events.engagement:nowhere"),
        "figures.json: record 0 (negotiations-duration): field 'subject'",
    ),
    "subject that owns no figures": (
        "figures.json",
        set_field(0, "subject", "events.place:mukden"),
        "figures.json: record 0 (negotiations-duration): field 'subject': A place has no figures",
    ),
    "date without a basis": (
        "events.json",
        set_field(6, "date_basis", None),
        "events.json: record 6 (final-proposal): field '__all__': "
        "A date has a basis (date_basis: document or reading)",
    ),
    "date read without a rationale": (
        "events.json",
        set_field(6, "date_basis", "reading"),
        "events.json: record 6 (final-proposal): field '__all__': "
        "A date that is our reading says why (date_rationale).",
    ),
    "claim stating more than it quotes": (
        "claims.json",
        set_field(9, "statement", "A decisive land battle"),
        "claims.json: record 9 (mukden-was-decisive): field 'statement': The statement is "
        "'A decisive land battle' but the claim's citation quotes 'decisive'",
    ),
    "claim resting on two citations": (
        "claims.json",
        lambda data: data["records"][9]["citations"].append({"quote": "land", "start": 2412, "end": 2416}),
        "claims.json: record 9 (mukden-was-decisive): field 'citations': A claim quotes one passage",
    ),
    "claim judging a record that does not exist": (
        "claims.json",
        set_field(9, "judges", ["events.engagement:nowhere"]),
        "claims.json: record 9 (mukden-was-decisive): field 'judges': no engagement with slug 'nowhere'",
    ),
    "claim judging what no claim may judge": (
        "claims.json",
        set_field(9, "judges", ["sources.source:japan-russia-1903-1905"]),
        "claims.json: record 9 (mukden-was-decisive): field 'judges': A source cannot be judged by a claim.",
    ),
    "row that breaks a rule": (
        "counterproposals.json",
        set_field(0, "responds_to", [{"proposal": "request-1", "basis": "reading"}]),
        "counterproposals.json: record 0 (counterproposal-1): field 'responds_to': "
        "A link that is our reading says why.",
    ),
}


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_fixture_loads_nothing_and_names_its_fault(fixture_dir, case):
    name, change, message = case
    # A valid change in an earlier file must be rolled back with the rest.
    edit(fixture_dir, "parties.json", lambda data: data["records"][1].update(name="Russia (renamed)"))
    edit(fixture_dir, name, change)
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_dataset", "--dir", str(fixture_dir))
    assert message in str(excinfo.value)
    assert "nothing was changed" in str(excinfo.value)
    assert Party.objects.get(slug="russia").name == "Russia"
    assert snapshot() == before


def test_a_missing_source_document_is_named(fixture_dir):
    (fixture_dir / "000_e55e7a650dbafbc1.txt").unlink()
    with pytest.raises(CommandError, match=r"000_e55e7a650dbafbc1\.txt: file not found"):
        call_command("load_dataset", "--dir", str(fixture_dir))


def test_a_changed_source_document_is_refused(fixture_dir):
    path = fixture_dir / "000_e55e7a650dbafbc1.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("August", "July"), encoding="utf-8")
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("load_dataset", "--dir", str(fixture_dir))


def test_invalid_json_is_named(fixture_dir):
    (fixture_dir / "claims.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"claims\.json: not valid UTF-8 JSON"):
        call_command("load_dataset", "--dir", str(fixture_dir))


def set_source_field(key, value):
    def change(data):
        data["source"][key] = value

    return change


def drop_source_field(key):
    def change(data):
        del data["source"][key]

    return change


BROKEN_SOURCE = {
    "bad language tag": (set_source_field("language", "en_GB"), "source: field 'language'"),
    "missing rights": (drop_source_field("rights"), "source: missing field(s) rights"),
    "missing flag": (drop_source_field("title_supplied"), "source: missing field(s) title_supplied"),
    "unknown field": (set_source_field("author", "?"), "source: unknown field(s) author"),
}


@pytest.mark.parametrize("case", BROKEN_SOURCE.values(), ids=BROKEN_SOURCE.keys())
def test_a_broken_source_description_loads_nothing_and_is_named(fixture_dir, case):
    change, message = case
    edit(fixture_dir, "dataset.json", change)
    described = list(Source.objects.values(*DESCRIPTION))
    with pytest.raises(CommandError) as excinfo:
        call_command("load_dataset", "--dir", str(fixture_dir))
    assert message in str(excinfo.value)
    assert list(Source.objects.values(*DESCRIPTION)) == described
