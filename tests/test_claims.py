"""Claims: the words of the source that judge, quoted exactly, kept apart from what it reports,
and linked to the records they judge."""

from http import HTTPStatus
from itertools import combinations

import pytest

from api.registry import citable_models, judgeable_models, record_type
from events.models import Claim, Engagement, JudgedRecord
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
        f"{CITATIONS}-TOTAL_FORMS": 1,
        f"{CITATIONS}-INITIAL_FORMS": 1,
        f"{CITATIONS}-0-id": citation.pk,
        f"{CITATIONS}-0-source": citation.source_id,
        f"{CITATIONS}-0-start": citation.start,
        f"{CITATIONS}-0-end": citation.end,
        f"{CITATIONS}-0-quote": citation.quote,
    }
    links = list(claim.place_links.all())
    form |= {"place_links-TOTAL_FORMS": len(links), "place_links-INITIAL_FORMS": len(links)}
    for index, link in enumerate(links):
        for field in ("id", "record", "place", "role", "basis", "rationale"):
            value = getattr(link, f"{field}_id" if field in ("record", "place") else field)
            form[f"place_links-{index}-{field}"] = value
    rows = list(claim.judges.all())
    form |= {"judges-TOTAL_FORMS": len(rows), "judges-INITIAL_FORMS": len(rows)}
    for index, row in enumerate(rows):
        form[f"judges-{index}-id"] = row.pk
        form[f"judges-{index}-claim"] = claim.pk
        form[f"judges-{index}-target"] = f"{record_type(type(row.record))}:{row.record.slug}"
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

ENGAGEMENTS = {
    ("engagement", slug)
    for slug in (
        "battles-of-liaoyang-and-shahe",
        "japan-achieves-maritime-control",
        "fall-of-port-arthur",
        "occupation-of-mukden",
        "battle-of-tsushima",
    )
}
COUNTERPROPOSALS = {("counterproposal", f"counterproposal-{n}") for n in (1, 2, 3)}

# The source's judgements: each claim's words (its offsets) and the records it judges.
JUDGEMENTS = {
    "negotiations-followed-from-russias-designs": (86, 96, {("event", "negotiations-opened")}),
    "russia-had-no-good-reason-to-object": (763, 817, {("proposal", f"request-{n}") for n in (1, 2, 3)}),
    "russia-countered-nevertheless": (818, 831, COUNTERPROPOSALS),
    "russians-assumed-free-rein-in-manchuria": (1284, 1550, COUNTERPROPOSALS),
    "russians-frantically-preparing-for-war": (
        1604,
        1633,
        {("event", "russian-mobilization-orders"), ("event", "martial-law-in-manchuria")},
    ),
    "japan-won-consecutive-victories": (2012, 2033, ENGAGEMENTS),
    "victories-contrary-to-expectations": (2056, 2080, ENGAGEMENTS),
    "japan-achieved-maritime-control": (2178, 2209, {("engagement", "japan-achieves-maritime-control")}),
    "mukden-was-decisive": (2403, 2411, {("engagement", "occupation-of-mukden")}),
    "tsushima-obliterated-the-baltic-fleet": (2578, 2589, {("engagement", "battle-of-tsushima")}),
    "japan-lost-only-three-torpedo-boats": (2751, 2775, {("figure", "tsushima-japanese-losses")}),
    "russia-had-designs-on-manchuria-and-korea": (0, 85, set()),
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


def judged(claim) -> set:
    return {(record_type(type(row.record)), row.record.slug) for row in claim.judges.all()}


def test_each_judgement_is_a_claim_of_the_judging_words_alone(text):
    assert set(Claim.objects.values_list("slug", flat=True)) == set(JUDGEMENTS)
    for slug, (start, end, records) in JUDGEMENTS.items():
        claim = Claim.objects.get(slug=slug)
        assert [(c.start, c.end) for c in claim.citations.all()] == [(start, end)], slug
        assert claim.statement == text[start:end], slug
        assert claim.is_interpretation, slug
        assert judged(claim) == records, slug
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


def test_every_kind_of_record_that_carries_citations_may_be_judged():
    assert judgeable_models() == citable_models()


def test_claims_show_what_they_judge_in_the_list_and_the_detail(client):
    detail = client.get("/api/v1/claims/russia-had-no-good-reason-to-object/").json()
    assert detail["judges"] == [
        {
            "type": "proposal",
            "slug": f"request-{n}",
            "name": f"Request {n}",
            "url": f"http://testserver/api/v1/proposals/request-{n}/",
        }
        for n in (1, 2, 3)
    ]
    listed = client.get("/api/v1/claims/", {"page_size": 100}).json()["results"]
    assert {claim["slug"]: claim["judges"] for claim in listed}["russia-had-no-good-reason-to-object"] == (
        detail["judges"]
    )


# ---- what a claim judges


def test_the_admin_edits_what_a_claim_judges(admin_client):
    claim = Claim.objects.get(slug="mukden-was-decisive")
    url = f"/admin/events/claim/{claim.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'value="engagement:occupation-of-mukden" selected' in page
    form = admin_form(claim)
    form |= {"judges-TOTAL_FORMS": 2, "judges-1-claim": claim.pk, "judges-1-target": "event:no-reply"}
    saved = admin_client.post(url, form)
    assert saved.status_code == HTTPStatus.FOUND, saved.content.decode()[:3000]
    assert judged(claim) == {("engagement", "occupation-of-mukden"), ("event", "no-reply")}

    mistaken = admin_form(claim) | {"judges-0-target": "engagement:atlantis"}
    page = admin_client.post(url, mistaken)
    assert page.status_code == HTTPStatus.OK
    assert judged(claim) == {("engagement", "occupation-of-mukden"), ("event", "no-reply")}


def test_what_a_claim_judges_is_written_as_type_and_slug(editor, client):
    url = "/api/v1/claims/mukden-was-decisive/"
    body = {
        "judges": [
            {"type": "event", "slug": "no-reply"},
            {"type": "engagement", "slug": "occupation-of-mukden"},
        ]
    }
    response = editor.patch(url, body, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert [(j["type"], j["slug"]) for j in response.json()["judges"]] == [
        ("engagement", "occupation-of-mukden"),
        ("event", "no-reply"),
    ]
    assert client.get(url).json()["judges"] == response.json()["judges"]
    added = JudgedRecord.history.filter(history_type="+", claim__slug="mukden-was-decisive").latest(
        "history_id"
    )
    assert added.history_user.username == "claims-editor"
    cleared = editor.patch(url, {"judges": []}, format="json")
    assert cleared.json()["judges"] == []
    assert not JudgedRecord.objects.filter(claim__slug="mukden-was-decisive").exists()


def test_a_new_claim_is_written_with_what_it_judges(editor):
    response = editor.post(
        "/api/v1/claims/",
        {
            "slug": "silence",
            "name": "Silence",
            "statement": "x",
            "is_interpretation": True,
            "judges": [
                {"type": "event", "slug": "no-reply"},
                {"type": "claim", "slug": "mukden-was-decisive"},
            ],
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert [j["slug"] for j in response.json()["judges"]] == ["mukden-was-decisive", "no-reply"]


@pytest.mark.parametrize(
    ("judges", "status"),
    [
        ([{"type": "engagement", "slug": "atlantis"}], HTTPStatus.UNPROCESSABLE_ENTITY),
        ([{"type": "volcano", "slug": "etna"}], HTTPStatus.BAD_REQUEST),
        ([{"type": "engagement"}], HTTPStatus.BAD_REQUEST),
        ([{"type": "engagement", "slug": "battle-of-tsushima", "why": "x"}], HTTPStatus.BAD_REQUEST),
        ({"type": "engagement", "slug": "battle-of-tsushima"}, HTTPStatus.BAD_REQUEST),
        (["engagement:battle-of-tsushima"], HTTPStatus.BAD_REQUEST),
    ],
)
def test_a_bad_judged_record_is_refused_naming_the_field(editor, client, judges, status):
    url = "/api/v1/claims/mukden-was-decisive/"
    before = client.get(url).json()
    assert list(refused(editor.patch(url, {"judges": judges}, format="json"), status)) == ["judges"]
    assert client.get(url).json() == before


def test_a_claim_does_not_judge_itself(editor):
    url = "/api/v1/claims/mukden-was-decisive/"
    errors = refused(
        editor.patch(url, {"judges": [{"type": "claim", "slug": "mukden-was-decisive"}]}, format="json")
    )
    assert errors == {"judges": [{"__all__": ["A claim does not judge itself."]}]}
    assert judged(Claim.objects.get(slug="mukden-was-decisive")) == {("engagement", "occupation-of-mukden")}


def test_a_judged_record_renamed_shows_on_the_claims_next_read(editor, client):
    assert (
        client.get("/api/v1/claims/mukden-was-decisive/").json()["judges"][0]["name"]
        == "Occupation of Mukden"
    )
    engagement = Engagement.objects.get(slug="occupation-of-mukden")
    engagement.name = "Battle of Mukden"
    engagement.save()
    assert client.get("/api/v1/claims/mukden-was-decisive/").json()["judges"][0]["name"] == "Battle of Mukden"
    listed = client.get("/api/v1/claims/", {"judges": "engagement:occupation-of-mukden"}).json()["results"]
    assert {
        j["name"] for claim in listed for j in claim["judges"] if j["slug"] == "occupation-of-mukden"
    } == {"Battle of Mukden"}
