"""The site for people at `/`, read as HTML: the source reader's pieces are the text cut at its
citations, a chosen character lists what cites it, the timeline is the API's, a record's page
shows each of its statements beside the others. (tests/test_reader_browser.py reads them in
Chromium.)"""

import re
from html.parser import HTMLParser
from http import HTTPStatus

import pytest

from api.registry import dated_models, record_type, record_url
from reader.spans import pieces
from sources.models import Citation
from tests.factories import TEXTBOOK

pytestmark = pytest.mark.django_db

READER = f"/read/{TEXTBOOK}/"


class Elements(HTMLParser):
    """Every element's tag, attributes and own text, in document order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found, self.open = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.found.append(element)
        if tag not in ("meta", "link", "input", "br", "img"):
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open and self.open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self.open:
            element["text"] += data

    def where(self, **attrs) -> list[dict]:
        return [e for e in self.found if all(e["attrs"].get(k) == v for k, v in attrs.items())]

    def inside(self, element_id: str) -> list[dict]:
        """The elements after the one with this id, up to its end (its descendants, near enough:
        by document order and its text)."""
        (container,) = self.where(id=element_id)
        start = self.found.index(container)
        return [e for e in self.found[start + 1 :] if e["text"] and e["text"] in container["text"]]


def page(client, url: str, status=HTTPStatus.OK) -> str:
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode()


def covering(citations, start: int, end: int) -> set[str]:
    return {str(c.uuid) for c in citations if c.start <= start and end <= c.end}


def test_pieces_cut_a_text_at_every_edge_of_overlapping_spans():
    cut = pieces("abcdefghij", [(2, 6), (4, 8), (4, 6), (9, 10)])
    assert [(p.start, p.end, p.text, p.cited_by) for p in cut] == [
        (0, 2, "ab", ()),
        (2, 4, "cd", (0,)),
        (4, 6, "ef", (0, 1, 2)),
        (6, 8, "gh", (1,)),
        (8, 9, "i", ()),
        (9, 10, "j", (3,)),
    ]
    assert pieces("", []) == []


def test_the_home_page_names_the_service_and_links_the_reader_and_the_docs(client):
    html = page(client, "/")
    assert "<h1>Japan–Russia 1903–1905</h1>" in html
    links = {e["attrs"]["href"] for e in Elements(html).where() if e["tag"] == "a" and "href" in e["attrs"]}
    assert {"/api/v1/", "/api/docs/", "/api/redoc/", READER, "/timeline/", "/records/engagement/"} <= links


def test_the_reader_shows_the_whole_text_cut_at_its_citations(client, source, text):
    elements = Elements(page(client, READER)).inside("text")
    shown = [e for e in elements if "data-start" in e["attrs"]]
    assert "".join(e["text"] for e in shown) == text
    citations = list(Citation.objects.filter(source=source))
    for element in shown:
        start, end = int(element["attrs"]["data-start"]), int(element["attrs"]["data-end"])
        assert element["text"] == text[start:end]
        cited = set(element["attrs"].get("data-citations", "").split())
        assert cited == covering(citations, start, end), (start, end)
        # A cited piece is a link, unless it is only the space between two cited words.
        assert (element["tag"] == "a") == (bool(cited) and bool(element["text"].strip()))
        assert ("cited" in element["attrs"].get("class", "").split()) == bool(cited)
    # Every citation's span is highlighted from its first character to its last.
    for citation in citations:
        inside = [e for e in shown if citation.start <= int(e["attrs"]["data-start"]) < citation.end]
        assert "".join(e["text"] for e in inside) == citation.quote
        assert all(str(citation.uuid) in e["attrs"]["data-citations"] for e in inside)


def test_a_chosen_character_lists_every_record_citing_it(client, source, text):
    at = text.index("Port Arthur")
    citing = [c for c in Citation.objects.filter(source=source) if c.start <= at < c.end]
    assert len(citing) >= 2
    elements = Elements(page(client, f"{READER}?at={at}"))
    listed = {e["attrs"]["href"] for e in elements.inside("cited-by") if e["tag"] == "a"}
    for citation in citing:
        kind, slug = record_type(type(citation.record)), citation.record.slug
        assert f"/records/{kind}/{slug}/" in listed
        assert record_url(None, type(citation.record), slug) in listed
    (selected,) = [e for e in elements.found if e["attrs"].get("aria-current") == "true" and e["tag"] == "a"]
    assert int(selected["attrs"]["data-start"]) <= at < int(selected["attrs"]["data-end"])


def test_a_kind_highlights_only_what_cites_that_kind(client):
    elements = Elements(page(client, f"{READER}?kind=engagement")).inside("text")
    cited = [e for e in elements if "cited" in e["attrs"].get("class", "").split()]
    shown = [e for e in cited if "other" not in e["attrs"]["class"].split()]
    assert shown
    assert len(shown) < len(cited)
    assert all("engagement" in e["attrs"]["data-types"].split() for e in shown)
    assert all("engagement" not in e["attrs"]["data-types"].split() for e in cited if e not in shown)


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("?at=99999", "is not a position in this text"),
        ("?at=x", "is not a position"),
        ("?kind=zeppelin", "Nothing here cites"),
    ],
)
def test_a_bad_choice_in_the_reader_is_a_400_saying_why(client, query, said):
    html = page(client, f"{READER}{query}", HTTPStatus.BAD_REQUEST)
    assert said in html
    assert 'role="alert"' in html


def test_the_timeline_page_is_the_apis_timeline_in_both_orders(client):
    for order in ("date", "narrative"):
        api = client.get(f"/api/v1/timeline/?order={order}&page_size=100").json()
        assert api["next"] is None
        elements = Elements(page(client, f"/timeline/?order={order}"))
        entries = [e for e in elements.found if "data-slug" in e["attrs"] and e["tag"] == "li"]
        assert [(e["attrs"]["data-type"], e["attrs"]["data-slug"]) for e in entries] == [
            (entry["type"], entry["slug"]) for entry in api["results"]
        ]
        for entry, element in zip(api["results"], entries, strict=True):
            if entry["date"]:
                assert entry["date"] in element["text"]
                assert entry["date_julian"] in element["text"]


def test_the_timeline_marks_every_disputed_date_and_no_other(client):
    elements = Elements(page(client, "/timeline/"))
    entries = [e for e in elements.found if "data-slug" in e["attrs"] and e["tag"] == "li"]
    for element in entries:
        model = dated_models()[element["attrs"]["data-type"]]
        record = client.get(record_url(None, model, element["attrs"]["data-slug"])).json()
        disputed = any(s["disputed"] for s in record.get("statements", []) if s["kind"] == "date")
        assert ("is-disputed" in element["attrs"]["class"].split()) == disputed, record["slug"]
        assert ("disputed" in element["text"]) == disputed, record["slug"]
    assert any("is-disputed" in e["attrs"]["class"] for e in entries)


def test_a_record_page_puts_its_statements_side_by_side_with_their_sources(client):
    slug = "battles-of-liaoyang-and-shahe"
    record = client.get(f"/api/v1/engagements/{slug}/").json()
    html = page(client, f"/records/engagement/{slug}/")
    elements = Elements(html)
    assert [e["text"] for e in elements.found if e["tag"] == "h1"] == [record["name"]]
    columns = [e for e in elements.found if e["tag"] == "th" and "data-slug" in e["attrs"]]
    assert {e["attrs"]["data-slug"] for e in columns} >= {s["slug"] for s in record["statements"]}
    for statement in record["statements"]:
        (column,) = [e for e in columns if e["attrs"]["data-slug"] == statement["slug"]]
        assert statement["source"]["name"] in column["text"]
    for citation in record["citations"]:
        assert citation["quote"] in html
    assert 'href="/records/place/liaoyang/"' in html
    assert f'href="{record["url"]}"' in html


def test_every_record_has_a_page_linked_from_its_kind(client):
    from reader.views import kinds

    for kind, model in kinds().items():
        links = {e["attrs"].get("href") for e in Elements(page(client, f"/records/{kind}/")).found}
        for record in model.objects.all()[:3]:
            assert f"/records/{kind}/{record.slug}/" in links
            page(client, f"/records/{kind}/{record.slug}/")


@pytest.mark.parametrize(
    "url",
    ["/records/zeppelin/", "/records/engagement/no-such-battle/", "/read/no-such-text/", "/nothing-here"],
)
def test_an_address_of_nothing_is_a_404_page_for_a_person(client, url):
    assert "<h1>Not found</h1>" in page(client, url, HTTPStatus.NOT_FOUND)
    assert client.get(url, HTTP_ACCEPT="application/json")["Content-Type"] == "application/problem+json"


def test_the_pages_keep_to_the_content_security_policy(client):
    for url in ("/", READER, "/timeline/", "/records/treaty/portsmouth-treaty/"):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        html = response.content.decode()
        # No inline script or style: every <script> has a src (or only carries data).
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert " style=" not in html
        assert "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)


def test_the_browsable_api_and_the_admin_carry_the_service_name_and_link_home(client, admin_client):
    api = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert '<a class="navbar-brand" href="/">Japan–Russia 1903–1905</a>' in api
    assert "<title>Api Root – Japan–Russia 1903–1905 API</title>" in api
    admin = admin_client.get("/admin/").content.decode()
    assert "Japan–Russia 1903–1905: editing" in admin
    assert '<a href="/">View site</a>' in admin


def test_the_pages_read_a_fixed_number_of_queries(client, django_assert_num_queries):
    kinds_cited = len({c.content_type_id for c in Citation.objects.filter(source__slug=TEXTBOOK)})
    pages = {
        # The source, its citations, and the cited records: one query per kind of them.
        f"{READER}?at=100": 2 + kinds_cited,
        # Each dated kind's rows in the timeline's order, and their stored renderings.
        "/timeline/": 2 * len(dated_models()),
        # The record's key, and its stored rendering.
        "/records/engagement/battles-of-liaoyang-and-shahe/": 2,
        # The count, and the page's records with what their names are made of (a treaty
        # article's is its treaty's and its own), joined.
        "/records/treaty-article/": 2,
    }
    for url, queries in pages.items():
        page(client, url)  # content types cached, as after a first request
        with django_assert_num_queries(queries):
            page(client, url)
