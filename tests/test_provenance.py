"""Every citation points at the exact words it quotes, and together they cover the source."""

import re
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation

from events.models import Claim
from sources.models import Citation, Source, SourceKind
from tests.factories import TEXTBOOK

pytestmark = pytest.mark.django_db


def sentence_spans(text: str):
    """(start, end) of each sentence: list items and prose split after . : or ;"""
    for line in re.finditer(r"[^\n]+", text):
        for sentence in re.finditer(r"\S.*?(?:[.:;](?=\s|$)|$)", line.group()):
            if sentence.group().strip():
                yield line.start() + sentence.start(), line.start() + sentence.end()


def covered_positions():
    covered = set()
    for start, end in Citation.objects.filter(source__kind=SourceKind.HELD_TEXT).values_list("start", "end"):
        covered.update(range(start, end))
    return covered


def test_source_is_the_shipped_document(source, text):
    assert source.text == text


def test_every_quote_is_the_text_at_its_offsets(source):
    # A held text's, checked against it; a reference has no text (its citations, a locator).
    citations = list(Citation.objects.filter(source__kind=SourceKind.HELD_TEXT).select_related("source"))
    assert len(citations) > 50
    mismatched = [c for c in citations if c.source.text[c.start : c.end] != c.quote]
    assert mismatched == []


def test_every_sentence_is_covered(text):
    covered = covered_positions()
    spans = list(sentence_spans(text))
    assert len(spans) > 30
    uncovered = [
        text[start:end]
        for start, end in spans
        if any(i not in covered for i in range(start, end) if not text[i].isspace())
    ]
    assert uncovered == []


def test_every_record_has_a_citation():
    uncited = []
    for model in apps.get_models():
        if not any(
            isinstance(f, GenericRelation) and f.name == "citations" for f in model._meta.private_fields
        ):
            continue
        missing = model.objects.filter(citations__isnull=True).values_list("slug", flat=True)
        uncited += [f"{model._meta.label}:{slug}" for slug in missing]
    assert uncited == []


def test_the_source_record_says_what_the_document_is_and_who_holds_its_rights(client):
    detail = client.get("/api/v1/sources/japan-russia-1903-1905/").json()
    assert detail["description"].startswith("An English passage")
    assert "does not say whether it is a translation" in detail["description"]
    assert detail["language"] == "en"
    # The name is the dataset's: the document bears no title.
    assert detail["title_supplied"] is True
    # A reported online publication is unconfirmed: it is no value, and the note says why.
    assert detail["publication"] is None
    assert "no reference confirms it" in detail["note"]
    assert "http" not in detail["note"]
    assert detail["rights"].startswith("The rights in the source text stay with its publisher")
    assert "CC BY 4.0" in detail["rights"]
    assert detail["offset_unit"] == "unicode-code-point"
    listed = client.get("/api/v1/sources/?kind=held-text").json()["results"][0]
    assert {key: listed[key] for key in listed} == {key: detail[key] for key in listed}
    assert "text" not in listed


def test_citation_offsets_count_code_points_not_bytes(client):
    text = client.get("/api/v1/sources/japan-russia-1903-1905/").json()["text"]
    # Two ’ (at 213 and 2001) are three UTF-8 bytes each: every byte offset after 213 is off.
    assert [i for i, c in enumerate(text) if not c.isascii()] == [213, 2001]
    assert len(text.encode("utf-8")) == len(text) + 4
    found = client.get("/api/v1/citations/", {"search": "Russia must respect the independence"}).json()
    citation = found["results"][0]
    start, end = citation["start"], citation["end"]
    assert start > 213
    assert text[start:end] == citation["quote"]
    assert text.encode("utf-8")[start:end].decode("utf-8", errors="replace") != citation["quote"]


def test_editors_describe_the_source_in_the_admin_but_cannot_change_its_text(make_user, client, text):
    client.force_login(make_user("bibliographer", superuser=True))
    source = Source.objects.get(slug=TEXTBOOK)
    url = f"/admin/sources/source/{source.pk}/change/"
    assert client.get(url).status_code == HTTPStatus.OK
    form = {
        "name": source.name,
        "title_supplied": "on",
        "description": source.description,
        "language": "en-GB",
        "publication": "",
        "note": "Checked against nothing yet.",
        "rights": source.rights,
        "text": "Rewritten.",
    }
    response = client.post(url, form)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    source.refresh_from_db()
    assert (source.language, source.note) == ("en-GB", "Checked against nothing yet.")
    assert source.publication is None  # an empty box is no publication, not ""
    assert source.text == text
    refused = client.post(url, form | {"language": "en_GB"})
    assert refused.status_code == HTTPStatus.OK
    assert "BCP 47" in refused.content.decode()


def test_every_claim_states_exactly_what_it_quotes():
    # A claim rests on one citation, and its statement is that citation's quote: not a word
    # more (finding 4 of the audit: a statement that began before its citation), not a word less.
    claims = list(Claim.objects.prefetch_related("citations"))
    assert len(claims) > 5
    differing = [
        (claim.slug, claim.statement, [c.quote for c in claim.citations.all()])
        for claim in claims
        if [c.quote for c in claim.citations.all()] != [claim.statement]
    ]
    assert differing == []
