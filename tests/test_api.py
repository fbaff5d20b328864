"""The read API: every resource listed, linked, cited, and shaped as clients rely on."""

from http import HTTPStatus

import pytest

from tests.factories import TEXTBOOK

pytestmark = pytest.mark.django_db

RECORD_LISTS = [
    "parties",
    "places",
    "negotiations",
    "proposals",
    "counterproposals",
    "events",
    "engagements",
    "figures",
    "statements",
    "claims",
    "treaties",
    "terms",
    "treaty-articles",
    "sources",
    "citations",
]
RESOURCES = [*RECORD_LISTS, "timeline", "search", "meta", "dump", "schema", "token"]


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def test_root_lists_every_resource(client):
    body = get(client, "/api/v1/")
    assert list(body) == RESOURCES
    for name, url in body.items():
        response = client.get(url, {"q": "x"} if name == "search" else {})
        if name == "token":  # exchanged for a username and password: POST only
            assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
            assert response["Allow"] == "POST, OPTIONS"
        else:
            assert response.status_code == HTTPStatus.OK, name


def test_json_is_the_default_and_the_browsable_api_remains(client):
    assert client.get("/api/v1/parties/")["Content-Type"] == "application/json"
    html = client.get("/api/v1/parties/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    assert b"Japan" in html.content


@pytest.mark.parametrize("resource", RECORD_LISTS)
def test_every_record_links_to_its_detail_and_shows_its_citations(client, resource):
    body = get(client, f"/api/v1/{resource}/", page_size=100)
    records, following = list(body["results"]), body["next"]
    while following:
        page = client.get(following).json()
        records, following = records + page["results"], page["next"]
    assert body["count"] == len(records) > 0
    for record in records:
        detail = get(client, record["url"])
        assert detail["url"] == record["url"]
        if resource == "citations":
            # A quote of the held text, or a reference's locator (its quote is optional).
            assert detail["quote"] if detail["kind"] == "held-text" else detail["locator"]
        elif resource != "sources":
            assert detail["citations"], record["url"]
            for citation in detail["citations"]:
                assert set(citation) == {"id", "url", "kind", "quote", "start", "end", "locator", "source"}
                if citation["kind"] == "held-text":
                    assert citation["source"]["url"].endswith(f"/api/v1/sources/{TEXTBOOK}/")
                else:
                    assert citation["locator"], record["url"]


def from_textbook(figure) -> bool:
    """A figure the textbook gives (not another source's beside it)."""
    return all(citation["source"]["slug"] == TEXTBOOK for citation in figure["citations"])


def test_related_records_are_slug_name_url_summaries(client):
    term = get(client, "/api/v1/terms/portsmouth-treaty-term-3/")
    assert term["treaty"] == {
        "slug": "portsmouth-treaty",
        "name": "Portsmouth Treaty",
        "url": "http://testserver/api/v1/treaties/portsmouth-treaty/",
    }
    roles = {(p["party"]["slug"], p["role"]) for p in term["parties"]}
    assert roles == {("russia", "bound"), ("japan", "beneficiary"), ("china", "consenting")}
    assert [p["place"]["slug"] for p in term["places"]] == ["liaodong-peninsula"]
    assert term["places"][0]["place"] == {
        "slug": "liaodong-peninsula",
        "name": "Liaodong peninsula",
        "url": "http://testserver/api/v1/places/liaodong-peninsula/",
    }


def test_the_treaty_shows_the_sources_terms_apart_from_its_articles(client):
    body = get(client, "/api/v1/treaties/portsmouth-treaty/")
    assert [a["slug"] for a in body["articles"][:2]] == [
        "portsmouth-treaty-article-i",
        "portsmouth-treaty-article-ii",
    ]
    assert [(t["slug"], t["name"]) for t in body["terms"]] == [
        (f"portsmouth-treaty-term-{n}", f"Term ({n})") for n in range(1, 6)
    ]
    assert (
        body["terms"][1]["wording"]
        == "Both nations shall remove their troops from Manchuria within 18 months."
    )
    # The URLs the terms had when they were stored as articles lead nowhere: the treaty's own
    # articles are at /treaty-articles/, under slugs of their own.
    for url in ("/api/v1/articles/", "/api/v1/articles/portsmouth-treaty-article-1/"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.NOT_FOUND, url
        assert response["Content-Type"] == "application/problem+json"


def test_the_negotiation_shows_each_request_beside_its_answers(client):
    body = get(client, "/api/v1/negotiations/japan-russia-negotiations-1903-1904/")
    assert (body["opened"], body["opened_precision"]) == ("1903-08", "month")
    assert (body["ended"], body["ended_precision"]) == ("1904-01", "month")
    assert [f["value"] for f in body["figures"]] == [5]
    exchanges = {e["slug"]: e for e in body["exchanges"]}
    assert exchanges["request-3"]["terms"].startswith(
        "Russia must recognize the fact that Japan has the exclusive"
    )
    answers = exchanges["request-3"]["answered_by"]
    assert [a["counterproposal"]["slug"] for a in answers] == ["counterproposal-2", "counterproposal-3"]
    assert answers[0]["basis"] == "reading"
    assert answers[0]["rationale"]


def test_engagements_keep_the_source_order_and_its_numbers(client):
    body = get(client, "/api/v1/engagements/")
    assert [e["name"] for e in body["results"]] == [
        "Battles of Liaoyang and Shahe",
        "Japan achieves maritime control",
        "Fall of Port Arthur",
        "Occupation of Mukden",
        "Battle of Tsushima",
    ]
    tsushima = body["results"][4]
    assert tsushima["date"] is None
    assert sorted((f["measure"], f["value"]) for f in tsushima["figures"] if from_textbook(f)) == [
        ("vessels", 38),
        ("vessels-damaged-later-sunk", 5),
        ("vessels-detained", 6),
        ("vessels-lost", 3),
        ("vessels-sunk", 21),
    ]


def test_a_date_the_source_does_not_give_is_null(client):
    body = get(client, "/api/v1/events/outbreak-of-hostilities/")
    assert body["date"] is None
    assert body["date_precision"] is None
    treaty = get(client, "/api/v1/treaties/portsmouth-treaty/")
    assert treaty["signed_at"] is None
    assert (treaty["signed"], treaty["signed_precision"]) == ("1905-09-05", "day")


def test_the_source_detail_has_the_text_citations_index(client):
    source = get(client, "/api/v1/sources/japan-russia-1903-1905/")
    citation = get(client, "/api/v1/citations/", search="Baltic Fleet")["results"][0]
    assert source["text"][citation["start"] : citation["end"]] == citation["quote"]
    assert source["length"] == len(source["text"])
    assert "text" not in get(client, "/api/v1/sources/")["results"][0]


def test_cors_lets_any_origin_read(client):
    response = client.get("/api/v1/parties/", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/parties/", HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"


def test_browsers_may_send_preconditions_and_read_every_documented_header(client):
    preflight = client.options(
        "/api/v1/places/mukden/",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-match, if-none-match, authorization, content-type",
    )
    allowed = {h.strip() for h in preflight["Access-Control-Allow-Headers"].split(",")}
    assert {"if-match", "if-none-match", "authorization", "content-type"} <= allowed
    exposed = client.get("/api/v1/places/mukden/", HTTP_ORIGIN="https://example.org")[
        "Access-Control-Expose-Headers"
    ]
    assert {h.strip() for h in exposed.split(",")} >= {
        "ETag",
        "RateLimit-Remaining",
        "Retry-After",
        "X-Request-ID",
    }


def test_figures_say_where_the_source_leaves_their_numbers_open(client):
    figures = get(client, "/api/v1/figures/", page_size=100)["results"]
    notes = {f["slug"]: f["note"] for f in figures if f["note"] and from_textbook(f)}
    tsushima = {
        "tsushima-russian-vessels",
        "tsushima-russian-vessels-sunk",
        "tsushima-russian-vessels-damaged-then-sank",
        "tsushima-russian-vessels-detained",
    }
    mukden = {"mukden-russian-casualties", "mukden-russian-prisoners"}
    # Japan's losses say why they count torpedo boats, the source's noun, not vessels.
    units = {"tsushima-japanese-losses"}
    # No other figure has a note: the source leaves nothing else about its numbers open.
    assert set(notes) == tsushima | mukden | units
    assert notes["tsushima-japanese-losses"].startswith("The unit is the source's own noun")
    for slug in tsushima:
        # 21 + 5 + 6 of 38: what became of the rest the source does not say, nor does the note.
        assert "32 of the 38" in notes[slug]
        assert "says nothing of what became of the other six" in notes[slug]
    for slug in mukden:
        assert notes[slug].startswith("The source does not say whether the 40,000 taken prisoner")
        assert "100,000 casualties" in notes[slug]
    # Shown wherever figures appear: inside their subject too.
    engagement = get(client, "/api/v1/engagements/occupation-of-mukden/")
    shown = {f["slug"]: f["note"] for f in engagement["figures"] if from_textbook(f)}
    assert shown == {slug: notes[slug] for slug in mukden}
    negotiation = get(client, "/api/v1/negotiations/japan-russia-negotiations-1903-1904/")
    assert [f["note"] for f in negotiation["figures"]] == [""]
