"""Every main page checked by axe-core (WCAG 2.x A/AA) in real Chromium, light and dark.

Each page's full-page screenshot goes to tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.search_ui.test_browser import assert_quiet, first_article_path

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
SCHEMES = ["light", "dark"]
# Page name -> path; "article" is the first budget hit's archived copy.
PAGES = {
    "home": "/",
    "results": "/search?q=budget",
    "refined-results": "/search?q=&source=Example+News&from=2015",
    "empty-results": "/search?q=xylophonic",
    "article": "article",
    "advanced": "/advanced",
    "about": "/about",
}


def screenshot(tab: Page, name: str) -> None:
    """Save a full-page screenshot of `tab` as tests/artifacts/`name`.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def visit(tab: Page, base_url: str, name: str) -> None:
    """Open the page called `name` in PAGES."""
    path = PAGES[name]
    if path == "article":
        path = first_article_path(tab, base_url)
    tab.goto(base_url + path)
    tab.wait_for_load_state()


def axe_report(violations: list[dict]) -> str:
    """Describe axe's violations so that a person can find and fix each."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(tab: Page, where: str) -> None:
    violations = AXE.run(tab, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"axe found {len(violations)} violation(s) on {where}:\n" + axe_report(
        violations
    )


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(
    new_page: Callable[..., Page], base_url: str, name: str, scheme: str
) -> None:
    tab = new_page(color_scheme=scheme)
    visit(tab, base_url, name)
    screenshot(tab, f"{name}-{scheme}")
    assert_no_axe_violations(tab, f"{name} ({tab.url}, {scheme})")
    assert_quiet(tab)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_results_on_a_phone_have_no_axe_violations(
    new_page: Callable[..., Page], base_url: str, scheme: str
) -> None:
    tab = new_page(color_scheme=scheme, viewport={"width": 360, "height": 740})
    visit(tab, base_url, "results")
    screenshot(tab, f"results-phone-{scheme}")
    assert_no_axe_violations(tab, f"results at 360 px ({scheme})")
    assert_quiet(tab)


def contrast(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two computed `rgb(...)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(part) / 255 for part in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(first), luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


# The computed outline and border of an element and the background colour around it.
LOOKS = """el => {
  const style = getComputedStyle(el);
  let node = el.parentElement, around = "rgb(255, 255, 255)";
  for (; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== "transparent" && !/^rgba\\(.*,\\s*0\\)$/.test(colour)) {
      around = colour;
      break;
    }
  }
  const kind = el.getAttribute("class") ? "." + el.getAttribute("class") : "";
  const name = el.id ? "#" + el.id : el.tagName.toLowerCase() + kind;
  return {
    name: name + " " + (el.textContent || "").trim().slice(0, 30),
    outline: style.outlineColor,
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    border: style.borderTopColor,
    own: style.backgroundColor,
    around: around,
  };
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_focus_rings_stand_out(new_page: Callable[..., Page], base_url: str, scheme: str) -> None:
    """WCAG 1.4.11 and 2.4.7: each keyboard focus ring is visible, 3:1 against what is around it
    (axe cannot check focus styles)."""
    tab = new_page(color_scheme=scheme)
    tab.goto(base_url + "/search?q=budget")
    weak = []
    for _ in range(14):  # skip link, header, histogram bar, facets, sorts
        tab.keyboard.press("Tab")
        looks = tab.evaluate(f"({LOOKS})(document.activeElement)")
        ratio = contrast(looks["outline"], looks["around"])
        if looks["outlineStyle"] == "none" or looks["outlineWidth"] < 2 or ratio < 3:
            weak.append(
                f"{looks['name']}: {looks['outlineStyle']} {looks['outline']}"
                f" on {looks['around']} ({ratio:.2f}:1)"
            )
    assert not weak, "weak focus rings:\n" + "\n".join(weak)


@pytest.mark.parametrize(("scheme", "path"), [(s, p) for s in SCHEMES for p in ["/", "/advanced"]])
def test_form_field_borders_stand_out(
    new_page: Callable[..., Page], base_url: str, scheme: str, path: str
) -> None:
    """WCAG 1.4.11: a text field's border, which shows where to type, is 3:1 against both the
    field and what is around it."""
    tab = new_page(color_scheme=scheme)
    tab.goto(base_url + path)
    fields = tab.locator("input[type=search], input[type=text], select").evaluate_all(
        f"els => els.map({LOOKS})"
    )
    assert fields, f"no fields on {path}"
    faint = [
        f"{field['name']}: border {field['border']} in {field['own']} on {field['around']}"
        for field in fields
        if min(contrast(field["border"], field["around"]), contrast(field["border"], field["own"]))
        < 3
    ]
    assert not faint, "faint field borders:\n" + "\n".join(faint)
