"""Headless Debian chromium, driven by Playwright, for the pages people use."""

import shutil
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium():
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")


@contextmanager
def local_page(base_url: str):
    """A page that records every request, so a test can assert none left this server."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.requested = []
            page.blocked = set()
            page.on("request", lambda request: page.requested.append(request.url))
            page.on(
                "requestfailed",
                lambda request: "csp" in (request.failure or "").lower() and page.blocked.add(request.url),
            )
            yield page
        finally:
            browser.close()


def foreign_requests(page, base_url: str) -> list[str]:
    """Requests for another host that the browser sent (its security policy stopped the rest)."""
    host = urlparse(base_url).netloc
    return [
        url
        for url in page.requested
        if urlparse(url).scheme in ("http", "https")
        and urlparse(url).netloc != host
        and url not in page.blocked
    ]
