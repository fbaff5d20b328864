"""Swagger UI in a real browser: every tag shown, one operation run with "Try it out"."""

import pytest

from config.settings import SPECTACULAR_SETTINGS
from tests.browser import foreign_requests, local_page

pytestmark = pytest.mark.browser


def test_swagger_ui_shows_every_tag_and_runs_an_operation(browser_env, live_db, live_server):
    with local_page(live_server.url) as page:
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".opblock-tag", timeout=30_000)
        shown = {tag.get_attribute("data-tag") for tag in page.locator(".opblock-tag").all()}
        assert shown == {tag["name"] for tag in SPECTACULAR_SETTINGS["TAGS"]}

        operation = page.locator('[id$="-engagements_list"]')
        operation.locator(".opblock-summary").click()
        operation.locator(".try-out__btn").click()
        operation.locator(".execute").click()
        status = operation.locator(".live-responses-table .response .response-col_status")
        status.first.wait_for(timeout=30_000)
        assert status.first.inner_text().strip() == "200"
        body = operation.locator(".live-responses-table .response-col_description pre").first.inner_text()
        assert "Battle of Tsushima" in body
        assert foreign_requests(page, live_server.url) == []


def test_redoc_renders_offline(browser_env, live_db, live_server):
    with local_page(live_server.url) as page:
        page.goto(f"{live_server.url}/api/redoc/")
        page.wait_for_selector("text=Japan–Russia 1903–1905 API", timeout=30_000)
        assert page.locator("text=List engagements").count() > 0
        assert foreign_requests(page, live_server.url) == []
