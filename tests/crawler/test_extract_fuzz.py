"""Fuzzing `extract_article`: a short atheris run, structured hypothesis pages, hostile pages.

Whatever a page holds, extraction returns an Article or raises ExtractionError (NotAnArticle
included), within a few seconds. benchmarks/fuzz_extract.py runs the atheris fuzzer longer.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler import Article, ExtractionError, NotAnArticle, extract_article
from crawler.extract import MAX_NODES

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "fuzz_extract.py"
FUZZ_FIXTURES = Path(__file__).parent / "fixtures" / "fuzz"
URL = "https://news.example/2024/03/14/harbour-budget"
# Several times what any page below takes on a loaded machine; each hostile one took longer.
PAGE_SECONDS = 5.0
PROSE = [
    f"The harbour council met on Tuesday to argue about the new budget, part {i}. Councillors "
    "disagreed about the cost of dredging the channel before the winter storms arrive."
    for i in range(1, 13)
]
# Decoded ASCII-compatibly by every one of these, so the prose survives any declared label.
ENCODINGS = ["utf-8", "windows-1251", "cp932", "latin-1", "gb18030", "utf-16"]
LABELS = ["utf-8", "windows-1251", "shift_jis", "iso-8859-1", "gb2312", "utf-16", "x-bogus", ""]
ODD_DATES = [
    "2024-03-14T10:00:00+01:00", "2024-02-30", "0000-00-00", "9999-12-31T23:59:59+14:00",
    "March 14, 2019 10:00 am BST", "14.03.2019", "2012年5月3日 18:12", "Tue, 31 Feb 2023 25:61:00",
    "1e9", "-1", "", "yesterday", "2024-03-14T10:00:00+9999", "31/12/1899", "2019/13/45 99:99",
    "14 juillet 2024 à 06h00", "1710410400", "2024-03-14T10:00:00.123456789Z",
]  # fmt: skip
META_NAMES = [
    "author", "article:published_time", "og:title", "og:url", "og:type", "og:site_name",
    "description", "keywords", "og:image", "dc.date", "content-language", "article:section",
]  # fmt: skip
LD_KEYS = [
    "headline", "author", "datePublished", "dateModified", "publisher", "image", "keywords",
    "inLanguage", "articleSection", "description", "@id", "@graph", "mainEntity", "name",
]  # fmt: skip
BROKEN = ["<p>", "</p>", "<br>", "<div>", "</div>", "<time>", "</time>", "<h2>", "<h1>", "<td>"]
WRAPPERS = ["div", "span", "section", "font", "b", "blockquote", "table", "td", "li", "center"]
_ERROR_WORDS = re.compile(r"404|410|not found|error|unavailable|subscri", re.I)


def run(html: str | bytes, charset: str | None = None) -> Article | None:
    """Extract `html` under the time cap; None when refused with ExtractionError."""
    started = time.perf_counter()
    try:
        article = extract_article(html, URL, charset=charset)
    except ExtractionError:
        article = None
    took = time.perf_counter() - started
    assert took < PAGE_SECONDS, f"one page took {took:.1f} s"
    return article


def load_script() -> ModuleType:
    """Import benchmarks/fuzz_extract.py (not a package) as a module."""
    spec = importlib.util.spec_from_file_location("fuzz_extract", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --- the atheris fuzzer -------------------------------------------------------------------


@pytest.mark.timeout(90)
def test_a_short_atheris_run_finds_nothing(tmp_path: Path) -> None:
    command = [sys.executable, str(SCRIPT), "--seconds", "15", "--seed", "7", "--max-seeds", "12"]
    command += ["--max-len", "8192", "--out", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=80, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    executions = re.search(r"^([\d,]+) executions", done.stdout, re.M)
    assert executions and int(executions[1].replace(",", "")) > 12, done.stdout
    assert "0 finding(s)" in done.stdout
    assert not list(tmp_path.glob("exception-*")) and not list(tmp_path.glob("timeout-*"))


def test_the_harness_saves_each_new_kind_of_unexpected_exception(tmp_path: Path) -> None:
    fuzz = load_script()

    def extract(data: bytes, url: str, charset: str | None = None) -> None:
        if data.startswith(b"refuse"):
            raise NotAnArticle("documented")
        raise KeyError(data.decode())

    harness = fuzz.Harness(extract, ExtractionError, tmp_path)
    for page in (b"refuse me", b"<p>one", b"<p>two"):
        harness(page)
    notes = list(tmp_path.glob("exception-*.txt"))
    assert len(notes) == 1 and notes[0].read_text().startswith("KeyError at ")
    assert notes[0].with_suffix(".html").read_bytes() == b"<p>one"
    # A restarted fuzzer knows the finding already.
    fuzz.Harness(extract, ExtractionError, tmp_path)(b"<p>three")
    assert len(list(tmp_path.glob("exception-*.txt"))) == 1


# --- structured pages ---------------------------------------------------------------------


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value, a few levels deep: what a JSON-LD field should hold and what it does."""
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
        max_leaves=8,
    )


@st.composite
def jsonld(draw: st.DrawFn) -> str:
    """A JSON-LD block: an article node whose fields have the wrong types, or broken JSON."""
    node: dict[str, Any] = {
        "@type": draw(st.sampled_from(["NewsArticle", "Article", ["NewsArticle", 5], 7, None]))
    }
    for key in draw(st.lists(st.sampled_from(LD_KEYS), max_size=6)):
        node[key] = draw(json_values() | st.sampled_from(ODD_DATES))
    text = json.dumps(draw(st.sampled_from([node, [node], {"@graph": [node, node]}])))
    kind = draw(st.integers(0, 4))
    if kind == 0:
        text = text[: draw(st.integers(0, len(text)))]  # cut short
    elif kind == 1:
        text = "<!--" + text + "-->;"
    text = text.replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


@st.composite
def metas(draw: st.DrawFn) -> str:
    """<meta> tags with known names and junk content."""
    tags = []
    for name in draw(st.lists(st.sampled_from(META_NAMES), max_size=6)):
        content = draw(st.sampled_from(ODD_DATES) | st.text(max_size=60))
        content = content.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        tags.append(f'<meta name="{name}" property="{name}" content="{content}">')
    return "".join(tags)


@st.composite
def article_page(draw: st.DrawFn) -> tuple[str, str]:
    """An article page with odd metadata around real prose; returns (html, first sentence)."""
    title = draw(st.text(max_size=80).filter(lambda t: not _ERROR_WORDS.search(t)))
    title = title.replace("&", "&amp;").replace("<", "&lt;")
    byline = draw(
        st.sampled_from(["By Jane Doe and John Roe", "By <a rel=author>Ana Díaz</a>", ""])
        | st.text(max_size=40).map(lambda t: "By " + t.replace("<", "&lt;"))
    )
    when = draw(st.sampled_from(ODD_DATES)).replace('"', "")
    huge = "x" * draw(st.sampled_from([0, 10, 100_000]))
    first = draw(st.integers(0, len(PROSE) - 8))
    body = "".join(f"<p>{text}</p>" for text in PROSE[first : first + 8])
    depth = draw(st.integers(0, 300))
    tags = draw(st.lists(st.sampled_from(WRAPPERS), min_size=1, max_size=3))
    opened = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    html = (
        f"<html><head><title>{title}</title>{draw(metas())}{draw(jsonld())}</head><body>"
        f'<nav><a href="/">Home</a></nav><article data-x="{huge}"><h1>{title}</h1>'
        f'<div class="byline">{byline}</div><time datetime="{when}">{when}</time>'
        f'{opened}<div class="article-body {huge}">{body}</div></article></body></html>'
    )
    return html, PROSE[first].split(",")[0]


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(article_page())
def test_junk_metadata_never_costs_the_article(page: tuple[str, str]) -> None:
    html, sentence = page
    article = run(html)
    assert article is not None, "a page of eight paragraphs was refused"
    assert sentence in article.text
    assert "@type" not in article.text and "<script" not in article.text
    now = datetime.now(UTC)
    for value in (article.published, article.modified):
        assert value is None or (value.tzinfo is not None and 1900 <= value.year)
        assert value is None or value <= now + timedelta(days=1, minutes=1)
    assert all(isinstance(name, str) and name.strip() for name in article.authors)
    assert article.url.startswith("https://news.example/")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(article_page(), st.sampled_from(ENCODINGS), st.sampled_from([*LABELS, None]))
def test_declared_and_actual_encodings_that_disagree(
    page: tuple[str, str], encoding: str, label: str | None
) -> None:
    html, sentence = page
    head = f'<meta charset="{label}">' if label is not None else ""
    data = html.replace("<head>", f"<head>{head}", 1).encode(encoding, "xmlcharrefreplace")
    article = run(data, charset=label)  # the server may declare yet another one
    assert article is not None and sentence in article.text


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(BROKEN), max_size=400), st.integers(0, 12))
def test_broken_structure_around_prose(pieces: list[str], paragraphs: int) -> None:
    body = "".join(pieces) + "".join(f"<p>{text}</p>" for text in PROSE[:paragraphs])
    article = run(f"<html><body>{body}</body></html>")
    if article is not None:
        assert "<" not in article.text.replace("&lt;", "")


# --- hostile pages: each once took many seconds or crashed --------------------------------

PARAGRAPHS = "".join(f"<p>{text}</p>" for text in PROSE[:4])
HOSTILE = {
    "100k nested tags": "<html><body>" + "<div>" * 100_000 + PARAGRAPHS,
    "1M <br>": "<html><body><div>" + "<br>" * 1_000_000 + PARAGRAPHS + "</div>",
    "200k attributes": "<html><body><article><p "
    + " ".join(f"a{i}=x" for i in range(200_000))
    + ">"
    + PARAGRAPHS,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_page_over_the_node_cap_is_refused_fast(name: str) -> None:
    assert run(HOSTILE[name]) is None  # from seconds to minutes before the cap
    with pytest.raises(NotAnArticle, match=f"more than {MAX_NODES:,} HTML elements"):
        extract_article(HOSTILE[name], URL)


def test_an_element_with_500k_class_names_is_read_fast() -> None:
    classes = "a " * 500_000  # read on every pass before only the first few were
    article = run(f"<html><body><article><p class='{classes}'>{PARAGRAPHS}</p></article>")
    assert article is not None and PROSE[0] in article.text


def test_a_900k_character_text_node_is_read() -> None:
    words = "council " * 112_000
    article = run(f"<html><body><article><p>{words}</p>{PARAGRAPHS}</article></body></html>")
    assert article is not None and len(article.text) > 890_000


def test_lone_surrogates_in_a_str_page_are_replaced() -> None:
    article = run(
        f"<html><body><article><p>Caf\udce9 owners.</p>{PARAGRAPHS}</article></body></html>"
    )
    assert article is not None and article.text.startswith("Caf\ufffd owners.")


@pytest.mark.parametrize(
    "block",
    [
        "<time datetime='2020-01-01'>1 Jan</time> ",  # each <time> once read its parent's text
        "<h2>Sources</h2><p>a</p>",  # each heading once listed every sibling after it
    ],
)
def test_many_repeated_blocks_take_linear_time(block: str) -> None:
    html = f"<html><body><article><p>{block * 4000}</p>{PARAGRAPHS}</article></body></html>"
    run(html)  # quadratic before the fix: 16 s and 5 s; about a second now


def test_json_ld_nested_past_the_recursion_limit_is_skipped() -> None:
    article = run((FUZZ_FIXTURES / "jsonld_nested_5000_deep.html").read_bytes())
    assert article is not None
    assert article.title == "Harbour budget row"  # the next, sane JSON-LD block is read
    assert article.published == datetime(2024, 3, 14, 9, tzinfo=UTC)
    assert article.text.startswith("The harbour council met on Tuesday")
