"""The search page in real headless Chromium, served by waitress: what a visitor sees."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect


def assert_quiet(tab: Page) -> None:
    """Fail if the tab logged a console error or a script opened a dialog."""
    assert tab.console_errors == []  # type: ignore[attr-defined]
    assert tab.dialogs == []  # type: ignore[attr-defined]


def summary_says(count: int) -> re.Pattern[str]:
    """Match the results summary line when it reports exactly `count` results."""
    return re.compile(rf"^\s*{count} results?\b")


def first_article_path(tab: Page, base_url: str) -> str:
    """Return the path of the first budget hit's archived copy."""
    tab.goto(base_url + "/search?q=budget")
    href = tab.get_by_role("link", name="Archived copy").first.get_attribute("href")
    assert href and href.startswith("/article/")
    return href


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


def tab_to(tab: Page, selector: str, limit: int = 120) -> int:
    """Press Tab until the focused element matches `selector`; return how many presses it took."""
    for presses in range(1, limit + 1):
        tab.keyboard.press("Tab")
        if tab.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} Tab presses")


def luminance(css_colour: str) -> float:
    """Return the WCAG relative luminance of a computed `rgb(...)`/`rgba(...)` colour."""
    channels = [int(part) / 255 for part in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_facet_value_narrows_and_its_chip_removes_it(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=")
    summary = page.locator("p.summary")
    expect(summary).to_have_text(summary_says(17))
    expect(page.locator("ul.chips")).to_have_count(0)
    page.locator("aside.refine a", has_text="Example News").click()
    page.wait_for_url("**/search?*source=Example*")
    expect(summary).to_have_text(summary_says(2))
    assert all(
        source == "Example News"
        for source in page.locator("ol.hits .meta .source").all_inner_texts()
    )
    chosen = page.locator("aside.refine a.chosen")
    expect(chosen).to_have_attribute("aria-current", "true")
    expect(chosen).to_contain_text("Example News")
    chip = page.locator("ul.chips a.chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("Source: Example News")
    chip.click()
    page.wait_for_url(lambda url: "source=" not in url)
    expect(summary).to_have_text(summary_says(17))
    expect(page.locator("ul.chips")).to_have_count(0)
    assert_quiet(page)


def test_next_page_link_works_from_the_keyboard(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=budget")
    expect(page.locator("p.summary")).to_contain_text("page 1 of 2")
    tab_to(page, 'nav.pagination a[rel="next"]')
    assert page.evaluate("document.activeElement.textContent").strip() == "Next →"
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?*page=2*")
    assert "q=budget" in page.url
    expect(page.locator("#header-q")).to_have_value("budget")
    expect(page.locator("p.summary")).to_have_text(re.compile(r"^\s*12 results.*page 2 of 2", re.S))
    expect(page.locator("ol.hits")).to_have_attribute("start", "11")
    expect(page.locator("ol.hits > li")).to_have_count(2)
    expect(page.locator('nav.pagination a[aria-current="page"]')).to_have_text("2")
    assert_quiet(page)


def test_sort_newest_puts_the_latest_first(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=budget")
    page.locator("nav.sorts a", has_text="Newest").click()
    page.wait_for_url("**/search?*sort=newest*")
    expect(page.locator('nav.sorts a[aria-current="true"]')).to_have_text("Newest")
    dates = page.locator("ol.hits time").evaluate_all("els => els.map(e => e.dateTime)")
    assert len(dates) == 10
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == len(dates)
    expect(page.locator("ol.hits .hit-title").first).to_have_text("Budget debate, day 12")
    assert_quiet(page)


def test_advanced_form_builds_the_query(page: Page, base_url: str) -> None:
    page.goto(base_url + "/advanced")
    page.get_by_label("All of these words").fill("budget")
    page.get_by_label("Source").select_option("Daily Planet")
    page.get_by_label("All of these words").press("Enter")
    page.wait_for_url("**/search?*")
    expect(page.locator("#header-q")).to_have_value("+budget")
    expect(page.locator("p.summary")).to_have_text(summary_says(12))
    expect(page.locator("ul.chips a.chip")).to_have_text(re.compile("Source: Daily Planet"))
    assert set(page.locator("ol.hits .meta .source").all_inner_texts()) == {"Daily Planet"}
    assert_quiet(page)


@pytest.mark.parametrize(("typed", "valid"), [("2015-09-01", True), ("2015-13", False)])
def test_advanced_form_checks_dates_as_the_server_does(
    page: Page, base_url: str, typed: str, valid: bool
) -> None:
    page.goto(base_url + "/advanced")
    field = page.get_by_label("From")
    field.fill(typed)
    assert field.evaluate("input => input.checkValidity()") is valid


def test_histogram_bar_narrows_the_dates(page: Page, base_url: str) -> None:
    page.goto(base_url + "/search?q=")
    bar = page.locator('svg.histogram a[aria-label^="2021:"]')
    expect(bar).to_have_attribute("aria-label", "2021: 12 articles")
    bar.click()
    page.wait_for_url("**/search?*from=2021*")
    expect(page.locator("p.summary")).to_have_text(summary_says(12))
    expect(page.locator("ul.chips a.chip")).to_have_text(
        [re.compile("From 2021"), re.compile("To 2021")]
    )
    # Within one year the chart switches to months.
    expect(page.locator('svg.histogram a[aria-label^="2021-03:"]')).to_have_count(1)
    assert_quiet(page)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_colour_scheme_follows_the_system(
    new_page: Callable[..., Page], base_url: str, scheme: str
) -> None:
    tab = new_page(color_scheme=scheme)
    tab.goto(base_url + "/search?q=budget")
    background, text = tab.evaluate(
        "() => { const s = getComputedStyle(document.body); return [s.backgroundColor, s.color]; }"
    )
    if scheme == "dark":
        assert luminance(background) < 0.05, background
        assert luminance(text) > 0.6, text
    else:
        assert luminance(background) > 0.9, background
        assert luminance(text) < 0.05, text
    assert_quiet(tab)


PHONE_PAGES = ["/", "/search?q=budget", "/search?q=&source=Example+News", "article", "/advanced"]


@pytest.mark.parametrize(
    ("width", "scale"),
    [(360, 1), (320, 1), (640, 2)],
    ids=["phone-360", "reflow-320", "zoom-200"],
)
def test_no_horizontal_scroll_on_narrow_screens(
    new_page: Callable[..., Page], base_url: str, width: int, scale: int
) -> None:
    # 320 CSS px is WCAG 1.4.10's reflow width (1280 px at 400%); 640 px is 1280 px at 200%.
    tab = new_page(viewport={"width": width, "height": 740}, device_scale_factor=scale)
    article = first_article_path(tab, base_url)
    for path in PHONE_PAGES:
        tab.goto(base_url + (article if path == "article" else path))
        scroll_width = tab.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} scrolls sideways at {width} px: {scroll_width}"
    assert_quiet(tab)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_results(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/search?q=budget")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to results")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link should be on screen"
    page.keyboard.press("Enter")
    page.wait_for_url("**#results")
    expect(page.locator("#results")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the results, not the header
    assert page.evaluate("document.getElementById('results').contains(document.activeElement)")
    assert_quiet(page)
