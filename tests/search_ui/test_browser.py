"""The search page in real headless Chromium, served by waitress: what a visitor sees."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("NEWSARCHIVE_CHROMIUM", "/usr/bin/chromium")
# The machine's network is closed: keep Chromium from calling home at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (install it with `apt-get install chromium`)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: run `apt-get install chromium` (.ci/run does).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh tab that records console errors and any dialog an injected script opens.

    It asks for `base_url` so that the tab closes before the server stops.
    """
    context = browser.new_context()
    tab = context.new_page()
    tab.console_errors = []  # type: ignore[attr-defined]
    tab.dialogs = []  # type: ignore[attr-defined]
    tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def test_search_from_the_home_page(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("searchbox").first.fill("peroxide")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=peroxide*")
    first = page.locator("ol.hits > li").first
    assert "Biologist says ants self-medicate" in first.inner_text()
    assert page.locator("main mark").first.inner_text().lower() == "peroxide"
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_hostile_article_text_does_not_run(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=Zorbatown")
    page.get_by_role("link", name="Archived copy").first.click()
    page.wait_for_load_state()
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()
    page.goto(base_url + "/search?q=%3Cscript%3Ealert(2)%3C/script%3E")
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_pages_fit_a_phone_screen(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base_url + "/search?q=budget")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    page.screenshot(path=str(Path(os.environ.get("TMPDIR", "/tmp")) / "newsarchive-phone.png"))
