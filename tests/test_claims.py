"""Claims: the words of the source that judge, quoted exactly, kept apart from what it reports."""

from http import HTTPStatus
from itertools import combinations

import pytest

from events.models import Claim
from sources.models import Citation

pytestmark = pytest.mark.django_db

# A claim the rules below are tried on, the words it quotes, and fewer of them.
CLAIM = "russia-had-no-good-reason-to-object"
QUOTED = "Russia had no good reason to object to those requests."
SHORTER, SHORTER_END = "Russia had no good reason to object", 798


@pytest.fixture
def editor(make_user, api_as):
    return api_as(make_user("claims-editor", superuser=True))


# ---- the statement is exactly what the claim quotes, one citation


def refused(response, status=HTTPStatus.UNPROCESSABLE_ENTITY) -> dict:
    assert response.status_code == status, response.content
    return response.json()["errors"]


def cite(client, slug, start, end, text):
    body = {
        "source": "japan-russia-1903-1905",
        "start": start,
        "end": end,
        "quote": text[start:end],
        "record": {"type": "claim", "slug": slug},
    }
    return client.post("/api/v1/citations/", body, format="json")


def test_a_statement_that_is_not_what_the_claim_quotes_is_refused(editor, client):
    url = f"/api/v1/claims/{CLAIM}/"
    before = client.get(url).json()
    errors = refused(editor.patch(url, {"statement": SHORTER}, format="json"))
    assert errors == {
        "statement": [
            f"The statement is {SHORTER!r} but the claim's citation quotes {QUOTED!r}: "
            "a claim's statement is exactly the words it quotes."
        ]
    }
    assert client.get(url).json() == before
    renamed = editor.patch(url, {"statement": QUOTED, "name": "No good reason"}, format="json")
    assert renamed.status_code == HTTPStatus.OK


def test_a_claim_is_written_and_then_cited_with_exactly_its_words(editor, text):
    made = editor.post(
        "/api/v1/claims/",
        {
            "slug": "even-after",
            "name": "Russia's silence was long",
            "statement": "Even after three weeks",
            "is_interpretation": True,
        },
        format="json",
    )
    assert made.status_code == HTTPStatus.CREATED, made.content
    wrong = refused(cite(editor, "even-after", 1810, 1828, text))
    assert wrong == {
        "record": [
            "claim even-after: The statement is 'Even after three weeks' but the claim's citation quotes "
            "'Even after three w': a claim's statement is exactly the words it quotes."
        ]
    }
    right = cite(editor, "even-after", 1810, 1832, text)
    assert right.status_code == HTTPStatus.CREATED, right.content
    second = refused(cite(editor, "even-after", 1834, 1871, text))
    assert second == {
        "record": ["claim even-after: A claim quotes one passage of its source: it rests on one citation."]
    }
    moved = editor.patch(
        right.json()["url"], {"start": 1815, "end": 1832, "quote": text[1815:1832]}, format="json"
    )
    assert "record" in refused(moved)
    claim = Claim.objects.get(slug="even-after")
    assert [c.quote for c in claim.citations.all()] == ["Even after three weeks"]


def test_a_citation_moved_onto_a_claim_must_quote_its_statement(editor):
    citation = Citation.objects.filter(content_type__model="event").first()
    errors = refused(
        editor.patch(
            f"/api/v1/citations/{citation.uuid}/",
            {"record": {"type": "claim", "slug": CLAIM}},
            format="json",
        )
    )
    assert errors == {
        "record": [f"claim {CLAIM}: A claim quotes one passage of its source: it rests on one citation."]
    }


def test_restoring_a_statement_the_citation_no_longer_quotes_is_refused(editor, client):
    claim = Claim.objects.get(slug=CLAIM)
    version = claim.history.latest("history_id").history_id
    # Both changed together, as an editor in the admin may (the API writes them one at a time).
    claim.statement = SHORTER
    claim.save()
    citation = claim.citations.get()
    citation.end, citation.quote = SHORTER_END, SHORTER
    citation.save()
    url = f"/api/v1/claims/{CLAIM}/"
    errors = refused(editor.post(f"{url}restorations/", {"version": version}, format="json"))
    assert list(errors) == ["statement"]
    assert client.get(url).json()["statement"] == SHORTER


CITATIONS = "sources-citation-content_type-object_id"


def admin_form(claim, **changes) -> dict:
    citation = claim.citations.get()
    form = {
        "name": claim.name,
        "statement": claim.statement,
        "is_interpretation": "on" if claim.is_interpretation else "",
        "parties": [p.pk for p in claim.parties.all()],
        "places": [p.pk for p in claim.places.all()],
        f"{CITATIONS}-TOTAL_FORMS": 1,
        f"{CITATIONS}-INITIAL_FORMS": 1,
        f"{CITATIONS}-0-id": citation.pk,
        f"{CITATIONS}-0-source": citation.source_id,
        f"{CITATIONS}-0-start": citation.start,
        f"{CITATIONS}-0-end": citation.end,
        f"{CITATIONS}-0-quote": citation.quote,
    }
    return form | changes


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("claims-curator", superuser=True))
    return client


def test_the_admin_changes_a_statement_with_its_citation_and_not_without(admin_client):
    claim = Claim.objects.get(slug=CLAIM)
    url = f"/admin/events/claim/{claim.pk}/change/"
    page = admin_client.post(url, admin_form(claim, statement=SHORTER))
    assert page.status_code == HTTPStatus.OK
    assert "a claim&#x27;s statement is exactly the words it quotes" in page.content.decode()
    assert Claim.objects.get(pk=claim.pk).statement == QUOTED

    both = admin_form(claim, statement=SHORTER)
    both |= {f"{CITATIONS}-0-end": SHORTER_END, f"{CITATIONS}-0-quote": SHORTER}
    saved = admin_client.post(url, both)
    assert saved.status_code == HTTPStatus.FOUND, saved.content.decode()[:3000]
    claim.refresh_from_db()
    assert (claim.statement, claim.citations.get().quote) == (SHORTER, SHORTER)


def test_the_admins_citation_page_keeps_the_claims_rule(admin_client):
    citation = Claim.objects.get(slug=CLAIM).citations.get()
    form = {
        "source": citation.source_id,
        "start": citation.start,
        "end": SHORTER_END,
        "quote": SHORTER,
        "content_type": citation.content_type_id,
        "object_id": citation.object_id,
    }
    page = admin_client.post(f"/admin/sources/citation/{citation.pk}/change/", form)
    assert page.status_code == HTTPStatus.OK
    assert "a claim&#x27;s statement is exactly the words it quotes" in page.content.decode()
    citation.refresh_from_db()
    assert citation.quote == QUOTED


# ---- the dataset's judgements

# The source's judgements: each claim's words, by their offsets.
JUDGEMENTS = {
    "russia-had-designs-on-manchuria-and-korea": (0, 85),
    "negotiations-followed-from-russias-designs": (86, 96),
    "russia-had-no-good-reason-to-object": (763, 817),
    "russia-countered-nevertheless": (818, 831),
    "russians-assumed-free-rein-in-manchuria": (1284, 1550),
    "russians-frantically-preparing-for-war": (1604, 1633),
    "japan-won-consecutive-victories": (2012, 2033),
    "victories-contrary-to-expectations": (2056, 2080),
    "japan-achieved-maritime-control": (2178, 2209),
    "mukden-was-decisive": (2403, 2411),
    "tsushima-obliterated-the-baltic-fleet": (2578, 2589),
    "japan-lost-only-three-torpedo-boats": (2751, 2775),
}
WORDS = {
    "negotiations-followed-from-russias-designs": "Therefore,",
    "russia-countered-nevertheless": "Nevertheless,",
    "russians-frantically-preparing-for-war": "frantically preparing for war",
    "japan-won-consecutive-victories": "consecutive victories",
    "victories-contrary-to-expectations": "contrary to expectations",
    "japan-achieved-maritime-control": "Japan achieves maritime control",
    "mukden-was-decisive": "decisive",
    "tsushima-obliterated-the-baltic-fleet": "obliterated",
    "japan-lost-only-three-torpedo-boats": "only three torpedo boats",
}


def test_each_judgement_is_a_claim_of_the_judging_words_alone(text):
    assert set(Claim.objects.values_list("slug", flat=True)) == set(JUDGEMENTS)
    for slug, (start, end) in JUDGEMENTS.items():
        claim = Claim.objects.get(slug=slug)
        assert [(c.start, c.end) for c in claim.citations.all()] == [(start, end)], slug
        assert claim.statement == text[start:end], slug
        assert claim.is_interpretation, slug
    for slug, words in WORDS.items():
        assert Claim.objects.get(slug=slug).statement == words


def test_no_claim_repeats_another_claims_words():
    spans = {
        claim.slug: (citation.start, citation.end)
        for claim in Claim.objects.all()
        for citation in claim.citations.all()
    }
    overlapping = [
        (a, b)
        for (a, (a0, a1)), (b, (b0, b1)) in combinations(sorted(spans.items()), 2)
        if a0 < b1 and b0 < a1
    ]
    assert overlapping == []
