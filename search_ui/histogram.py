"""The search page's date histogram: matches by year or month, drawn as server-side SVG.

Each bar with matches is a link that narrows the search to its year or month; the chart needs no
JavaScript and no inline styles (the page's CSP forbids them), so the stylesheet colours it through
the classes `histogram`, `bar`, `bar-empty`, `axis` and `axis-label`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from markupsafe import Markup

MAX_BARS = 60  # a year chart over a longer range keeps only its latest 60 years
MAX_MONTH_SPAN = 24  # matches spanning at most this many months are drawn by month
WIDTH = 240  # viewBox units; the SVG itself is width="100%" and scales to its container
PLOT_HEIGHT = 80  # the tallest bar's height
LABEL_HEIGHT = 14  # room under the axis for the first and last bar's labels
BAR_FILL = 0.8  # share of its slot a bar covers; the rest is the gap between bars
TITLE_ID = "histogram-title"

_YEAR = re.compile(r"(\d{4})")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def date_histogram(
    years: list[tuple[str, int]],
    months: list[tuple[str, int]],
    link: Callable[[str, str], str],
) -> Markup:
    """Return an SVG bar chart of matches by month (spans up to 24 months) or year, or ""."""
    by_month = _counts(months, _MONTH)
    if by_month and max(by_month) - min(by_month) < MAX_MONTH_SPAN:
        return _render(_month_bars(by_month), "month", link)
    by_year = _counts(years, _YEAR)
    if by_year:
        return _render(_year_bars(by_year), "year", link)
    return Markup("")


def _counts(values: Iterable[tuple[str, int]], pattern: re.Pattern[str]) -> dict[int, int]:
    """Map each matching value with a positive count to its position (year, or months since 0)."""
    counts: dict[int, int] = {}
    for value, count in values:
        match = pattern.fullmatch(value)
        if match and count > 0:  # facet values that are not dates are skipped
            year, *month = (int(part) for part in match.groups())
            counts[year * 12 + month[0] - 1 if month else year] = count
    return counts


def _month_bars(counts: dict[int, int]) -> list[tuple[str, int]]:
    return [
        (f"{index // 12:04d}-{index % 12 + 1:02d}", counts.get(index, 0))
        for index in range(min(counts), max(counts) + 1)
    ]


def _year_bars(counts: dict[int, int]) -> list[tuple[str, int]]:
    first = max(min(counts), max(counts) - MAX_BARS + 1)  # a longer range keeps its latest years
    return [(f"{year:04d}", counts.get(year, 0)) for year in range(first, max(counts) + 1)]


def _render(bars: list[tuple[str, int]], unit: str, link: Callable[[str, str], str]) -> Markup:
    top = max(count for _, count in bars)
    slot = WIDTH / len(bars)
    height = PLOT_HEIGHT + LABEL_HEIGHT
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="100%"'
            ' viewBox="0 0 {} {}" aria-labelledby="{}"><title id="{}">Matches by {}</title>'
        ).format(WIDTH, height, TITLE_ID, TITLE_ID, unit)
    ]
    for position, (label, count) in enumerate(bars):
        x = _num(position * slot + slot * (1 - BAR_FILL) / 2)
        parts.append(_bar(x, _num(slot * BAR_FILL), label, count, top, link))
    parts.append(
        Markup('<line class="axis" x1="0" y1="{}" x2="{}" y2="{}"/>').format(
            PLOT_HEIGHT, WIDTH, PLOT_HEIGHT
        )
    )
    parts.append(_axis_label(0, "start", bars[0][0]))
    if len(bars) > 1:
        parts.append(_axis_label(WIDTH, "end", bars[-1][0]))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _bar(
    x: str, width: str, label: str, count: int, top: int, link: Callable[[str, str], str]
) -> Markup:
    if not count:  # nothing to narrow to: a zero-height placeholder, not a link
        return Markup('<rect class="bar bar-empty" x="{}" y="{}" width="{}" height="0"/>').format(
            x, PLOT_HEIGHT, width
        )
    bar_height = max(count / top * PLOT_HEIGHT, 1)  # a bar with matches stays visible
    text = f"{label}: {count:,} article{'' if count == 1 else 's'}"
    return Markup(
        '<a href="{}" aria-label="{}"><title>{}</title>'
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}"/></a>'
    ).format(
        link(label, label),
        text,
        text,
        x,
        _num(PLOT_HEIGHT - bar_height),
        width,
        _num(bar_height),
    )


def _axis_label(x: float, anchor: str, label: str) -> Markup:
    return Markup(
        '<text class="axis-label" x="{}" y="{}" text-anchor="{}" font-size="10"'
        ' aria-hidden="true">{}</text>'
    ).format(_num(x), PLOT_HEIGHT + LABEL_HEIGHT - 3, anchor, label)


def _num(value: float) -> str:
    """Format a coordinate with at most two decimals and no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
