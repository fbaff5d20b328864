"""Every citation points at the exact words it quotes, and together they cover the source."""

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation

from events.models import Claim
from sources.models import Citation

pytestmark = pytest.mark.django_db


def sentence_spans(text: str):
    """(start, end) of each sentence: list items and prose split after . : or ;"""
    for line in re.finditer(r"[^\n]+", text):
        for sentence in re.finditer(r"\S.*?(?:[.:;](?=\s|$)|$)", line.group()):
            if sentence.group().strip():
                yield line.start() + sentence.start(), line.start() + sentence.end()


def covered_positions():
    covered = set()
    for start, end in Citation.objects.values_list("start", "end"):
        covered.update(range(start, end))
    return covered


def test_source_is_the_shipped_document(source, text):
    assert source.text == text


def test_every_quote_is_the_text_at_its_offsets(source):
    citations = list(Citation.objects.select_related("source"))
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
