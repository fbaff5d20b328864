"""An editor in a real browser: log in to the admin, change a record, read it back through the API."""

import json
import urllib.request

import pytest

from tests.browser import foreign_requests, local_page

pytestmark = pytest.mark.browser


def test_an_editor_changes_a_record_in_the_admin(browser_env, live_db, live_server, django_user_model):
    django_user_model.objects.create_superuser("curator", "curator@example.org", "a-long-test-password")
    with local_page(live_server.url) as page:
        page.goto(f"{live_server.url}/admin/")
        page.fill("#id_username", "curator")
        page.fill("#id_password", "a-long-test-password")
        page.click("input[type=submit]")
        page.wait_for_selector("#site-name")

        page.goto(f"{live_server.url}/admin/events/place/?q=Mukden")
        page.click("#result_list a:text-is('Mukden')")
        page.wait_for_selector("#id_modern_name")
        # The citation inline shows what the source says at the offsets.
        shown = [quote.inner_text() for quote in page.locator(".field-source_text q").all()]
        assert shown == ["northward to Mukden", "Occupation of Mukden"]
        page.fill("#id_modern_name", "Shenyang")
        page.click("input[name=_save]")
        page.wait_for_selector(".messagelist .success")
        assert foreign_requests(page, live_server.url) == []

    with urllib.request.urlopen(f"{live_server.url}/api/v1/places/mukden/") as response:
        assert json.load(response)["modern_name"] == "Shenyang"
    with urllib.request.urlopen(f"{live_server.url}/api/v1/places/mukden/history/") as response:
        latest = json.load(response)["results"][0]
    # Read anonymously: the change is an editor's, unnamed (tests/test_history.py).
    assert (latest["user"], latest["snapshot"]["modern_name"]) == ("editor", "Shenyang")
