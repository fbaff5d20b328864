"""The reader's pages in headless Chromium: the highlights are the citations' offsets, choosing a
span shows what cites it (with JavaScript, and without it), the pages hold to the service's
Content Security Policy and to what makes a page usable by everyone (landmarks, headings,
labels, keyboard, contrast). A screenshot of each page is written to
test-output/screenshots/<database>/ for review."""

import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from sources.models import Citation, Source
from tests.browser import foreign_requests, local_page
from tests.factories import TEXTBOOK

pytestmark = pytest.mark.browser

READER = f"/read/{TEXTBOOK}/"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"

# Each piece of the text as the browser has it: its offsets, its text, what cites it, and
# whether it is painted as highlighted.
PIECES = """() => Array.from(document.querySelectorAll('#text > [data-start]')).map(e => ({
    start: Number(e.dataset.start), end: Number(e.dataset.end), text: e.textContent,
    citations: (e.dataset.citations || '').split(' ').filter(Boolean),
    painted: getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)',
}))"""

# What a page offers everyone, read off the live document: its language, landmarks, headings in
# order, links and controls without a name, and the contrast of every text against what is
# painted behind it (WCAG 2's formula).
AUDIT = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b]
      .map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const ratio = e => { const a = lum(rgb(getComputedStyle(e).color)), b = lum(behind(e));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
  const texts = Array.from(document.querySelectorAll('body *')).filter(e => e.getClientRects().length
      && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()));
  return {
    lang: document.documentElement.lang,
    landmarks: ['header', 'nav', 'main', 'footer'].filter(t => document.querySelector(t)),
    headings: Array.from(document.querySelectorAll('h1, h2, h3, h4')).map(h => Number(h.tagName[1])),
    unnamed: Array.from(document.querySelectorAll('a, button, select')).filter(e => !(e.textContent.trim()
        || e.getAttribute('aria-label') || (e.id && document.querySelector(`label[for="${e.id}"]`)))).length,
    lowContrast: texts.filter(e => ratio(e) < 4.5)
        .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40)),
  };
}"""


def screenshot(page, name: str) -> None:
    """A full-page screenshot, in a folder for the database under the test (CI runs the suite on
    SQLite and on PostgreSQL at once, in one checkout)."""
    folder = SCREENSHOTS / connection.vendor
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def listed_records(page) -> set[str]:
    return set(
        page.locator("#cited-by ul.citing > li > a:first-of-type").evaluate_all(
            "es => es.map(e => e.pathname)"
        )
    )


def expected_records(at: int) -> set[str]:
    from api.registry import record_type

    return {
        f"/records/{record_type(type(c.record))}/{c.record.slug}/"
        for c in Citation.objects.filter(source__slug=TEXTBOOK)
        if c.start <= at < c.end
    }


def test_the_highlights_are_the_citations_and_choosing_one_shows_what_cites_it(
    browser_env, live_db, live_server
):
    text = Source.objects.get(slug=TEXTBOOK).text
    citations = list(Citation.objects.filter(source__slug=TEXTBOOK))
    with local_page(live_server.url) as page:
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}{READER}")
        shown = page.evaluate(PIECES)
        assert "".join(piece["text"] for piece in shown) == text
        for piece in shown:
            assert piece["text"] == text[piece["start"] : piece["end"]]
            expected = {str(c.uuid) for c in citations if c.start <= piece["start"] and piece["end"] <= c.end}
            assert set(piece["citations"]) == expected
            assert piece["painted"] == bool(expected)
        screenshot(page, "reader")

        # Clicking a span shows its records beside the text, without leaving the page.
        at = text.index("Port Arthur")
        page.evaluate("() => { window.stayed = true; }")
        page.locator(f"#text a.cited[data-start='{_piece_at(shown, at)}']").click()
        page.wait_for_selector("#cited-by ul.citing")
        assert listed_records(page) == expected_records(at)
        assert page.evaluate("() => window.stayed") is True
        assert f"at={_piece_at(shown, at)}" in page.url
        screenshot(page, "reader-chosen")

        # From the keyboard: a span is a link; Enter on it shows what cites it.
        other = text.index("Korea")
        page.focus(f"#text a.cited[data-start='{_piece_at(shown, other)}']")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "s => document.querySelector('#cited-by h2').textContent.includes('characters ' + s + '–')",
            arg=_piece_at(shown, other),
        )
        assert listed_records(page) == expected_records(other)

        # The control highlights what supports one kind of record, at once.
        page.select_option("#kind", "engagement")
        kinds = page.locator("#text .cited").evaluate_all(
            "es => es.map(e => [e.dataset.types.split(' ').includes('engagement'), "
            "e.classList.contains('other')])",
        )
        assert any(cites for cites, _ in kinds)
        assert all(cites != dimmed for cites, dimmed in kinds)
        screenshot(page, "reader-engagements")
        assert errors == []
        assert foreign_requests(page, live_server.url) == []


def _piece_at(pieces: list[dict], at: int) -> int:
    return next(piece["start"] for piece in pieces if piece["start"] <= at < piece["end"])


def test_without_javascript_the_reader_still_answers(browser_env, live_db, live_server):
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    text = Source.objects.get(slug=TEXTBOOK).text
    at = text.index("Portsmouth")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(java_script_enabled=False)
            page.goto(f"{live_server.url}{READER}")
            link = page.locator("#text a.cited").filter(has_text="Portsmouth").first
            with page.expect_navigation():
                link.click()
            assert "at=" in page.url
            chosen = int(page.locator("#text a.cited[aria-current='true']").get_attribute("data-start"))
            assert chosen <= at
            assert listed_records(page) == expected_records(chosen)
            page.select_option("#kind", "treaty-term")
            with page.expect_navigation():
                page.click(".control button")
            assert "kind=treaty-term" in page.url
            assert page.locator("#text a.cited:not(.other)").count() > 0
        finally:
            browser.close()


LANDMARKS = ["header", "nav", "main", "footer"]
PAGES = {
    "home": "/",
    "reader-page": READER,
    "timeline": "/timeline/",
    "timeline-narrative": "/timeline/?order=narrative",
    "record-engagement": "/records/engagement/battles-of-liaoyang-and-shahe/",
    "record-treaty": "/records/treaty/portsmouth-treaty/",
    "kind-events": "/records/event/",
    "not-found": "/records/event/no-such-event/",
}


def test_each_page_is_usable_by_everyone_and_keeps_to_the_policy(browser_env, live_db, live_server):
    """One browser for every page (a test of its own each would reload the dataset after it)."""
    found = {}
    with local_page(live_server.url) as page:
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.set_viewport_size({"width": 1280, "height": 900})
        for name, url in PAGES.items():
            page.goto(f"{live_server.url}{url}")
            audit = page.evaluate(AUDIT)
            headings = audit["headings"]
            # The first Tab reaches the link that skips to the content.
            page.keyboard.press("Tab")
            skip = page.evaluate("() => document.activeElement.getAttribute('href')")
            screenshot(page, name)
            problems = [
                *(["lang is not en"] if audit["lang"] != "en" else []),
                *(
                    ["a landmark is missing"]
                    if audit["landmarks"] != ["header", "nav", "main", "footer"]
                    else []
                ),
                *(["not one h1, first"] if headings.count(1) != 1 or headings[0] != 1 else []),
                *(
                    ["a heading level skipped"]
                    if any(later > earlier + 1 for earlier, later in itertools.pairwise(headings))
                    else []
                ),
                *([f"{audit['unnamed']} links or controls without a name"] if audit["unnamed"] else []),
                *[f"contrast under 4.5:1: {text}" for text in audit["lowContrast"]],
                *(["the first Tab does not reach the skip link"] if skip != "#main" else []),
                *[f"console: {error}" for error in errors if "404" not in error or name != "not-found"],
                *[f"request elsewhere: {url}" for url in foreign_requests(page, live_server.url)],
            ]
            errors.clear()
            if problems:
                found[name] = problems
    assert found == {}
