"""The treaty's own articles: all of them, each cited where the references print it, and the
source's summary terms linked to the articles they summarise, so that a reader can follow a
request of the talks to the article of the treaty that settled it."""

from http import HTTPStatus

import pytest

from api.readings import Basis
from treaties.models import TermArticle, Treaty, TreatyArticle, TreatyTerm, roman

pytestmark = pytest.mark.django_db

ARTICLE_PERMISSIONS = ("add_treatyarticle", "change_treatyarticle", "delete_treatyarticle")


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def test_the_treaty_has_fifteen_articles_and_two_additional_articles():
    treaty = Treaty.objects.get(slug="portsmouth-treaty")
    articles = list(treaty.articles.all())
    assert [(a.additional, a.number) for a in articles] == [
        *((False, n) for n in range(1, 16)),
        (True, 1),
        (True, 2),
    ]
    assert [a.name for a in articles[:3]] == ["Article I", "Article II", "Article III"]
    assert [a.name for a in articles[-3:]] == ["Article XV", "Additional Article I", "Additional Article II"]


def test_roman_numerals():
    assert [roman(n) for n in (1, 4, 9, 14, 15, 39)] == ["I", "IV", "IX", "XIV", "XV", "XXXIX"]


def test_every_term_links_to_at_least_one_article_it_summarises():
    for term in TreatyTerm.objects.all():
        summarised = term.article_links.filter(role=TermArticle.Role.SUMMARISED)
        assert summarised.exists(), term
    # The source names no articles: every pairing is our reading, and says why.
    assert set(TermArticle.objects.values_list("basis", flat=True)) == {Basis.READING}
    assert all(link.rationale.strip() for link in TermArticle.objects.all())


def summarised(term_number):
    term = TreatyTerm.objects.get(number=term_number)
    return [
        (link.article.name, link.role) for link in term.article_links.select_related("article").order_by("id")
    ]


def test_each_term_summarises_the_articles_the_references_pair_it_with():
    assert summarised(1) == [("Article II", "summarised")]
    # The 18 months are in the additional article, not in Article III.
    assert summarised(2) == [("Article III", "summarised"), ("Additional Article I", "summarised")]
    assert summarised(3) == [("Article V", "summarised")]
    assert summarised(4) == [
        ("Article VI", "summarised"),
        ("Article VII", "see-also"),
        ("Article VIII", "see-also"),
    ]
    assert summarised(5) == [("Article IX", "summarised"), ("Additional Article II", "summarised")]


def test_every_article_cites_a_reference_with_a_locator():
    for article in TreatyArticle.objects.prefetch_related("citations__source"):
        citations = list(article.citations.all())
        assert citations, article
        for citation in citations:
            assert citation.source.kind == "reference", (article, citation)
            assert citation.locator.strip(), (article, citation)


def test_an_article_the_references_give_no_subject_for_has_none():
    silent = TreatyArticle.objects.filter(additional=False, number__in=[1, 4, 10, 11, 12, 13])
    assert silent.count() == 6
    for article in silent.prefetch_related("citations__source", "party_roles", "place_links"):
        assert article.subject is None, article
        assert "No subject is given" in article.note
        assert not article.party_roles.all()
        assert not article.place_links.all()
        # The treaty appendix, which prints every article.
        assert [(c.source.slug, c.locator) for c in article.citations.all()] == [
            ("brinkley-kikuchi-1915", f"Art. {roman(article.number)}")
        ]
    assert not TreatyArticle.objects.exclude(pk__in=silent).filter(subject__isnull=True).exists()


def test_an_article_shows_what_it_concerns_and_the_terms_that_summarise_it(client):
    body = get(client, "/api/v1/treaty-articles/portsmouth-treaty-article-vi/")
    assert (body["name"], body["number"], body["additional"]) == ("Article VI", 6, False)
    assert body["treaty"]["slug"] == "portsmouth-treaty"
    assert body["subject"].startswith("Russia gives up, without compensation and with China's consent")
    assert {(p["party"]["slug"], p["role"]) for p in body["parties"]} == {
        ("russia", "bound"),
        ("japan", "beneficiary"),
        ("china", "consenting"),
    }
    assert [(p["place"]["slug"], p["role"]) for p in body["places"]] == [
        ("south-manchuria-branch-line", "subject"),
        ("changchun", "boundary"),
        ("port-arthur", "boundary"),
    ]
    assert [(t["term"]["slug"], t["role"], t["basis"]) for t in body["summarised_by"]] == [
        ("portsmouth-treaty-term-4", "summarised", "reading")
    ]
    assert {(c["source"]["slug"], c["locator"]) for c in body["citations"]} == {
        ("bulgakov-letopis-20", "Ст. VI"),
        ("ee-arts-jh441", "第六条"),
        ("macmurray-1921", "p. 528"),
    }


def test_the_treaty_lists_its_articles_as_links(client):
    body = get(client, "/api/v1/treaties/portsmouth-treaty/")
    assert len(body["articles"]) == 17
    assert body["articles"][1] == {
        "slug": "portsmouth-treaty-article-ii",
        "name": "Article II",
        "url": "http://testserver/api/v1/treaty-articles/portsmouth-treaty-article-ii/",
    }
    assert body["articles"][-1]["name"] == "Additional Article II"
    listed = get(client, "/api/v1/treaties/")["results"][0]
    assert [a["slug"] for a in listed["articles"]] == [a["slug"] for a in body["articles"]]


def test_from_a_request_through_its_counterproposal_and_term_to_an_article(client):
    # Request (1) was answered by counterproposal (1), which term (2) settles; term (2)
    # summarises Article III and Additional Article I. Followed by the links alone.
    request = get(client, "/api/v1/proposals/request-1/")
    (answer,) = [a["counterproposal"] for a in request["answered_by"]]
    counterproposal = get(client, answer["url"])
    assert counterproposal["slug"] == "counterproposal-1"
    (settlement,) = counterproposal["settled_by"]
    term = get(client, settlement["term"]["url"])
    assert term["slug"] == "portsmouth-treaty-term-2"
    articles = [get(client, link["article"]["url"]) for link in term["articles"]]
    assert [a["name"] for a in articles] == ["Article III", "Additional Article I"]
    assert [p["place"]["slug"] for p in articles[0]["places"]] == ["manchuria", "liaodong-peninsula"]
    assert "18 months" in articles[1]["subject"]
    # And back: each article names the term.
    assert all(a["summarised_by"][0]["term"]["slug"] == term["slug"] for a in articles)


def slugs(client, url, **params):
    return [r["slug"] for r in get(client, url, **params)["results"]]


def test_articles_filtered_by_term_treaty_and_kind(client):
    assert slugs(client, "/api/v1/treaty-articles/", term="portsmouth-treaty-term-2") == [
        "portsmouth-treaty-article-iii",
        "portsmouth-treaty-additional-article-i",
    ]
    assert slugs(
        client, "/api/v1/treaty-articles/", term="portsmouth-treaty-term-4", term_role="see-also"
    ) == [
        "portsmouth-treaty-article-vii",
        "portsmouth-treaty-article-viii",
    ]
    assert len(slugs(client, "/api/v1/treaty-articles/", treaty="portsmouth-treaty")) == 17
    assert slugs(client, "/api/v1/treaty-articles/", additional="true") == [
        "portsmouth-treaty-additional-article-i",
        "portsmouth-treaty-additional-article-ii",
    ]
    assert slugs(client, "/api/v1/treaty-articles/", party="korea") == ["portsmouth-treaty-article-ii"]
    assert slugs(client, "/api/v1/treaty-articles/", place="southern-sakhalin") == [
        "portsmouth-treaty-article-ix"
    ]
    assert slugs(client, "/api/v1/terms/", article="portsmouth-treaty-additional-article-ii") == [
        "portsmouth-treaty-term-5"
    ]
    missing = client.get("/api/v1/treaty-articles/", {"term": "no-such-term"})
    assert missing.status_code == HTTPStatus.NOT_FOUND


def test_articles_are_searched_by_subject(client):
    assert slugs(client, "/api/v1/treaty-articles/", search="French") == ["portsmouth-treaty-article-xv"]


@pytest.fixture
def editor(make_user, api_as):
    return api_as(make_user("article-editor", *ARTICLE_PERMISSIONS))


NEW_ARTICLE = {
    "slug": "portsmouth-treaty-article-xvi",
    "treaty": "portsmouth-treaty",
    "number": 16,
    "additional": False,
    "subject": None,
}


def errors_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["errors"]


def test_an_article_past_the_treatys_numbers_is_refused(editor):
    # Past 15 the schema says no (400); an additional article past II breaks a rule (422).
    errors = errors_of(editor.post("/api/v1/treaty-articles/", NEW_ARTICLE, format="json"), 400)
    assert errors["number"] == ["Ensure this value is less than or equal to 15."]
    third = {
        **NEW_ARTICLE,
        "slug": "portsmouth-treaty-additional-article-iii",
        "number": 3,
        "additional": True,
    }
    errors = errors_of(editor.post("/api/v1/treaty-articles/", third, format="json"), 422)
    assert errors == {"__all__": ["An additional article is numbered 1 to 2."]}
    assert TreatyArticle.objects.count() == 17


def test_a_second_article_of_the_same_number_collides(editor):
    # A collision with another record is a 409 (api.writes), not a 422.
    second = {**NEW_ARTICLE, "slug": "portsmouth-treaty-article-ii-again", "number": 2}
    errors = errors_of(editor.post("/api/v1/treaty-articles/", second, format="json"), HTTPStatus.CONFLICT)
    assert errors == {"__all__": ["Treaty article with this Treaty, Additional and Number already exists."]}
    assert not TreatyArticle.objects.filter(slug=second["slug"]).exists()
    # Additional Article II is numbered apart, and taken too.
    additional = {**second, "slug": "portsmouth-treaty-additional-article-ii-again", "additional": True}
    assert editor.post("/api/v1/treaty-articles/", additional, format="json").status_code == 409


def test_a_term_linked_to_another_article_shows_on_the_article_at_once(make_user, api_as, client):
    admin = api_as(make_user("term-editor", superuser=True))
    term = get(client, "/api/v1/terms/portsmouth-treaty-term-1/")
    links = [{**link, "article": link["article"]["slug"]} for link in term["articles"]]
    links.append(
        {
            "article": "portsmouth-treaty-article-iv",
            "role": "see-also",
            "basis": "reading",
            "rationale": "A test's.",
        }
    )
    response = admin.patch("/api/v1/terms/portsmouth-treaty-term-1/", {"articles": links}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    article = get(client, "/api/v1/treaty-articles/portsmouth-treaty-article-iv/")
    assert [(t["term"]["slug"], t["role"]) for t in article["summarised_by"]] == [
        ("portsmouth-treaty-term-1", "see-also")
    ]
    # An article a term links to is not deleted.
    refused = admin.delete("/api/v1/treaty-articles/portsmouth-treaty-article-iv/")
    assert refused.status_code == HTTPStatus.CONFLICT


def test_a_terms_versions_keep_its_article_links_and_a_restore_brings_them_back(make_user, api_as):
    admin = api_as(make_user("history-editor", superuser=True))
    url = "/api/v1/terms/portsmouth-treaty-term-2/"
    response = admin.patch(url, {"articles": []}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["articles"] == []
    latest, before = admin.get(f"{url}history/").json()["results"][:2]
    assert latest["snapshot"]["articles"] == []
    assert [link["article"] for link in before["snapshot"]["articles"]] == [
        "portsmouth-treaty-additional-article-i",
        "portsmouth-treaty-article-iii",
    ]
    restored = admin.post(f"{url}restorations/", {"version": before["version"]}, format="json")
    assert restored.status_code == HTTPStatus.OK, restored.content
    assert [link["article"]["name"] for link in restored.json()["articles"]] == [
        "Article III",
        "Additional Article I",
    ]
    article = admin.get("/api/v1/treaty-articles/portsmouth-treaty-article-iii/").json()
    assert [t["term"]["slug"] for t in article["summarised_by"]] == ["portsmouth-treaty-term-2"]
