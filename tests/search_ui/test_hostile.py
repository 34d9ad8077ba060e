"""Hostile articles and requests: script payloads, broken markup, bidi overrides and endless words
in stored articles and in queries, shown in real headless Chromium; path traversal over HTTP; and
odd `--archive` paths on the command line.

The archive is built the way users build one (a crawl of the saved pages in fixtures/hostile/),
plus articles indexed directly with the worst values extraction would never let through.
"""

from __future__ import annotations

import http.client
import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import waitress
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from crawler import Article, article_id
from crawler.crawl import CrawlOptions
from indexer import NewsIndex
from newsarchive import ingest
from newsarchive.cli import cli
from search_ui import close_archive, create_app
from search_ui.filters import paragraphs
from tests.search_ui.conftest import watched_tab

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
WORD = ("Quorvexlongword" * 400)[:5000]  # the unbroken word in fixtures/hostile/long-word.html
FLAG = "window.__pwned=1"  # every payload sets it: it must stay undefined
SCRIPT = f"<script>{FLAG};alert(1)</script>"
IMG = f"<img src=x onerror={FLAG}>"
SVG = f'"><svg onload={FLAG}>'
TEXTAREA = f"</textarea><script>{FLAG}</script>"
TEMPLATE = "{{7*7}} {% raw %} {{ config }}"
RLO = "\u202e"  # right-to-left override, left unterminated
BAD_URLS = [
    f"javascript:{FLAG};alert(1)",
    f" JaVaScRiPt:{FLAG}",
    f"java\tscript:{FLAG}",
    f"data:text/html,<script>{FLAG}</script>",
    "vbscript:msgbox(1)",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def own_words(slug: str) -> str:
    """Return 80 words only `slug`'s article has, so no two stored articles are near-duplicates
    (which search folds into one hit; the duplicate check ignores digits)."""
    stem = slug.translate(str.maketrans("0123456789", "abcdefghij"))
    return " ".join(f"{stem}{a}{b}" for a in "klmnopqr" for b in "stuvwxyzab")


def stored(slug: str, url: str, title: str, text: str = "", **fields: Any) -> Article:
    """Return a hostile article to index as is (`text` defaults to a body full of payloads)."""
    body = text or (
        f"The Quorvex desk stored {slug} verbatim: {SCRIPT} then {IMG} then {SVG}.\n\n"
        f"Broken markup <b><i>unclosed <table><tr><td> and {TEXTAREA} and </title> and <!-- "
        f"and {TEMPLATE} in the text.\n\nA link to javascript:{FLAG} that must stay text.\n\n"
        + own_words(slug)
    )
    return Article(url=url, title=title, text=body, language="en", **fields)


STORED = [
    stored(
        "payloads",
        BAD_URLS[0],
        f"Quorvex stored {SCRIPT} headline",
        authors=[IMG, SVG, f"Dana {TEMPLATE} Ruiz"],
        section=TEXTAREA,
        source=f"javascript:{FLAG}",
        description=f"{SVG}{SCRIPT}<!--",
        tags=["<b>unclosed", TEMPLATE],
        image_url=f"javascript:{FLAG}",
        published=datetime(2023, 1, 2, tzinfo=UTC),
    ),
    *[
        stored(
            f"scheme{n}",
            url,
            f"Quorvex scheme {n} {IMG}",
            source="Quorvex Wire",
            published=datetime(2023, 2, n, tzinfo=UTC),
        )
        for n, url in enumerate(BAD_URLS[1:], 1)
    ],
    stored(
        "rtl",
        "https://hostile.example/rtl",
        f"{RLO}Quorvex reversed headline",
        authors=[f"{RLO}Eve Adams"],
        section="Harbour",
        source=f"Quorvex {RLO}Times",
        published=datetime(2023, 3, 1, tzinfo=UTC),
    ),
    stored(
        "long",
        "https://hostile.example/stored-long",
        WORD,
        text=f"{WORD}\n\nThe Quorvex word above has no break: {WORD}",
        authors=[WORD],
        section=WORD[:3000],
        source=WORD[:4000],
        description=WORD,
        tags=[WORD],
        published=datetime(2023, 4, 1, tzinfo=UTC),
    ),
]


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive crawled from fixtures/hostile/ plus the STORED articles."""
    assert WORD in (FIXTURES / "long-word.html").read_text()
    path = tmp_path_factory.mktemp("hostile") / "archive"
    with NewsIndex.open(path, create=True) as index:
        report = ingest.crawl([str(FIXTURES)], index, CrawlOptions(processes=0))
        assert report.counts.new == 3, report.errors + report.skipped
        index.add(STORED)
    return path


@pytest.fixture(scope="module")
def articles(hostile_archive: Path) -> dict[str, Article]:
    """Every hostile article stored in the archive, by a short name."""
    crawled = {
        "crawled-script": (FIXTURES / "script-payloads.html").resolve().as_uri(),
        "crawled-broken": 'https://hostile.example/harbour?a="><script>window.__pwned=1</script>',
        "crawled-long": "https://hostile.example/long-word",
    }
    with NewsIndex.open(hostile_archive, readonly=True) as index:
        found = {name: index.get(article_id(url)) for name, url in crawled.items()}
        found |= {f"stored-{n}": index.get(article.id) for n, article in enumerate(STORED)}
    return found


@pytest.fixture(scope="module")
def server(hostile_archive: Path) -> Iterator[str]:
    """Serve the app over the hostile archive with waitress; yield its base URL."""
    app = create_app({"ARCHIVE": str(hostile_archive)})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        server.task_dispatcher.shutdown(timeout=5)
        server.asyncore.close_all(server._map)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    stopping.set()
    thread.join(timeout=10)
    close_archive(app)


@pytest.fixture(scope="module")
def tabs(browser: Browser, server: str) -> Iterator[dict[str, Page]]:
    """One watched tab at desktop width and one at phone width, shared by the module's tests."""
    contexts = {
        name: browser.new_context(viewport=size)
        for name, size in (("desktop", DESKTOP), ("phone", PHONE))
    }
    yield {name: watched_tab(context) for name, context in contexts.items()}
    for context in contexts.values():
        context.close()


def cleared(tab: Page) -> Page:
    """Return `tab` with the console errors and dialogs of earlier tests forgotten."""
    tab.console_errors.clear()  # type: ignore[attr-defined]
    tab.dialogs.clear()  # type: ignore[attr-defined]
    return tab


@pytest.fixture(params=["desktop", "phone"])
def tab(request: pytest.FixtureRequest, tabs: dict[str, Page]) -> Page:
    """The shared tab of one width, cleared."""
    return cleared(tabs[request.param])


@pytest.fixture
def desktop(tabs: dict[str, Page]) -> Page:
    """The shared desktop tab, cleared."""
    return cleared(tabs["desktop"])


def search(**args: str) -> str:
    """Return the search page's path for query-string `args`."""
    return "/search?" + urlencode(args)


# Pages named by what they show; "{name}" is filled with the id of article `name`.
PAGES = {
    "home": "/",
    "about": "/about",
    "advanced": "/advanced",
    "results": search(q="Quorvex"),
    "results-newest": search(q="Quorvex", sort="newest"),
    "everything": search(q=""),
    "script-source": search(q="Quorvex", source=f"</textarea><script>{FLAG}</script>"),
    "javascript-source": search(q="", source=f"javascript:{FLAG}"),
    "payload-author": search(q="", author=IMG),
    "payload-section": search(q="", section=TEXTAREA),
    "rtl-source": search(q="", source=f"Quorvex {RLO}Times"),
    "long-source": search(q="", source=WORD[:4000]),
    "q-script": search(q=SCRIPT),
    "q-img": search(q=IMG),
    "q-svg": search(q=SVG),
    "q-javascript": search(q=f"javascript:{FLAG}"),
    "q-textarea": search(q=TEXTAREA),
    "q-template": search(q=TEMPLATE),
    "q-rtl": search(q=f"{RLO}Quorvex"),
    # Not WORD: near a stored word, a 1000-character one makes spelling suggestions take seconds.
    "q-long": search(q="Zyxwvut" * 142),
    "q-too-long": search(q=WORD[:1001]),
    "filter-payloads": search(q=SVG, source=SCRIPT, section=IMG, author=TEMPLATE, year=SVG),
    "sort-payload": search(q="Quorvex", sort=SCRIPT),
    "page-payload": search(q="Quorvex", page=IMG),
    "date-payload": search(q="Quorvex", per_page=TEXTAREA, **{"from": SVG, "to": SCRIPT}),
    "missing-article": "/article/" + quote(IMG, safe=""),
    "long-article-id": "/article/" + WORD,
    **{
        f"article-{name}": f"/article/{{{name}}}"
        for name in (
            "crawled-script",
            "crawled-broken",
            "crawled-long",
            *(f"stored-{n}" for n in range(len(STORED))),
        )
    },
}
ERROR_STATUS = {
    "q-too-long": 400,
    "sort-payload": 400,
    "page-payload": 400,
    "date-payload": 400,
    "missing-article": 404,
    "long-article-id": 404,
}
# Every attribute that can hold a URL, checked for a scheme other than http(s).
BAD_LINKS_JS = """() => [...document.querySelectorAll('[href], [src], [action], [formaction]')]
  .flatMap(el => ['href', 'src', 'action', 'formaction']
    .filter(name => el.hasAttribute(name))
    .map(name => el.getAttribute(name)))
  .filter(url => !['http:', 'https:'].includes(new URL(url, document.baseURI).protocol))"""
HANDLERS_JS = """() => [...document.querySelectorAll('*')]
  .flatMap(el => [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName))"""
# Elements the app never renders: one on a page came from stored data or the query.
FOREIGN = "script, img, iframe, object, embed, textarea, base, svg:not(.histogram), [style]"


def page_path(name: str, articles: dict[str, Article]) -> str:
    """Return the path of page `name` with its article id filled in."""
    return PAGES[name].format(**{key: article.id for key, article in articles.items()})


def visit(tab: Page, url: str, expected_status: int = 200) -> None:
    """Open `url` in `tab` and check its status."""
    response = tab.goto(url)
    assert response is not None
    assert response.status == expected_status, url


def assert_inert(tab: Page, allowed_errors: re.Pattern[str] | None = None) -> None:
    """Fail if injected code ran, opened a dialog or logged an error not `allowed_errors`."""
    assert tab.evaluate("window.__pwned") is None
    assert tab.dialogs == []  # type: ignore[attr-defined]
    errors = tab.console_errors  # type: ignore[attr-defined]
    assert [e for e in errors if not (allowed_errors and allowed_errors.match(e))] == []


def assert_clean_markup(tab: Page) -> None:
    """Fail if the page holds a foreign element, an event handler or a non-web link."""
    assert tab.locator(FOREIGN).count() == 0
    assert tab.evaluate(HANDLERS_JS) == []
    assert tab.evaluate(BAD_LINKS_JS) == []


WIDE_JS = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(el => `${el.tagName}.${el.className}`)"""


def assert_fits(tab: Page) -> None:
    """Fail if anything makes the page scroll sideways."""
    scroll, client = tab.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{tab.url[:80]} scrolls sideways: {tab.evaluate(WIDE_JS)[:10]}"


STATUS_ERROR = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")


@pytest.mark.parametrize("name", PAGES)
def test_hostile_page_runs_nothing_and_fits(
    tab: Page, server: str, articles: dict[str, Article], name: str
) -> None:
    visit(tab, server + page_path(name, articles), ERROR_STATUS.get(name, 200))
    assert_inert(tab, STATUS_ERROR if name in ERROR_STATUS else None)
    assert_clean_markup(tab)
    assert_fits(tab)


def normalised(text: str) -> str:
    """Return `text` with runs of whitespace made single spaces, as rendered text has them."""
    return " ".join(text.split())


def tab_title(title: str) -> str:
    """Return how `title` should read in the tab's title: isolated if it holds an override."""
    text = normalised(title)
    return f"\u2068{text}\u2069" if RLO in text else text


@pytest.mark.parametrize("name", ["crawled-script", "crawled-broken", "stored-0", "stored-5"])
def test_article_payloads_show_as_text(
    desktop: Page, server: str, articles: dict[str, Article], name: str
) -> None:
    article = articles[name]
    visit(desktop, f"{server}/article/{article.id}")
    assert desktop.locator("h1").inner_text() == normalised(article.title)
    assert desktop.title() == f"{tab_title(article.title)} – newsarchive"
    meta = desktop.locator("article .meta")
    assert meta.locator(".source").inner_text() == normalised(article.source)
    if article.section:  # a payload that is no section name is cleaned away (facetvalues)
        assert meta.locator(".section").inner_text() == normalised(article.section)
    else:
        assert meta.locator(".section").count() == 0
    if article.authors:
        expected = "By " + ", ".join(normalised(author) for author in article.authors)
        assert meta.locator(".authors").inner_text() == expected
    if article.description:
        assert desktop.locator(".lede").inner_text() == normalised(article.description)
    shown = desktop.locator(".body p").all_inner_texts()
    assert shown == [normalised(part) for part in paragraphs(article.text)]
    assert_inert(desktop)


def left(tab: Page, selector: str) -> float:
    """Return the left edge of the first element matching `selector`."""
    box = tab.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["x"]


def test_a_bidi_override_stays_inside_its_field(
    desktop: Page, server: str, articles: dict[str, Article]
) -> None:
    visit(desktop, f"{server}/article/{articles['stored-5'].id}")
    meta = "article .meta"
    order = [
        left(desktop, f"{meta} {part}") for part in (".source", ".section", "time", ".authors")
    ]
    assert order == sorted(order), "the override in the source reversed the metadata line"
    visit(desktop, server + search(q=f"{RLO}Quorvex", source=f"Quorvex {RLO}Times"))
    assert desktop.locator("h1 bdi").inner_text() == f"{RLO}Quorvex"
    assert desktop.locator("a.chip bdi").inner_text() == f"Source: Quorvex {RLO}Times"
    assert desktop.title() == f"\u2068{RLO}Quorvex\u2069 – newsarchive"
    assert_inert(desktop)


QUERIES = [SCRIPT, IMG, SVG, TEXTAREA, TEMPLATE, f"javascript:{FLAG}", "</title><b>unclosed"]


@pytest.mark.parametrize("query", QUERIES)
def test_query_payloads_show_as_text(desktop: Page, server: str, query: str) -> None:
    visit(desktop, server + search(q=query, source=query, language=query))  # matches nothing
    assert desktop.locator("h1.results-title bdi").inner_text() == query
    assert desktop.locator("#header-q").input_value() == query
    assert desktop.locator(".empty strong").inner_text() == query
    chips = desktop.locator("a.chip bdi").all_inner_texts()
    assert chips == [f"Source: {query}", f"Language: {query}"]
    assert desktop.title() == f"{query} – newsarchive"
    assert "49" not in desktop.locator("main").inner_text()  # {{7*7}} is never evaluated
    assert_inert(desktop)


def test_hostile_results_are_listed_as_text(
    desktop: Page, server: str, articles: dict[str, Article]
) -> None:
    visit(desktop, server + search(q="Quorvex", per_page="20"))
    shown = desktop.locator("ol.hits .hit-title").all_inner_texts()
    assert sorted(shown) == sorted(normalised(article.title) for article in articles.values())
    snippets = " ".join(desktop.locator("ol.hits .snippet").all_inner_texts())
    assert SCRIPT in snippets and desktop.locator("ol.hits .snippet mark").count() > 0
    hrefs = desktop.locator("ol.hits .hit-title a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    web = [article.url for article in articles.values() if article.url.startswith("https://")]
    assert sorted(hrefs) == sorted(web)  # javascript:, data:, file: URLs get no link
    assert_inert(desktop)


# What Chromium logs when the sandbox and CSP stop a captured page's scripts and images.
BLOCKED = re.compile(
    r"Blocked script execution|Refused to|Loading the \w+ .* violates the following Content"
)


@pytest.mark.parametrize("name", ["crawled-script", "crawled-broken", "crawled-long"])
def test_capture_view_runs_nothing(
    desktop: Page, server: str, articles: dict[str, Article], name: str
) -> None:
    visit(desktop, f"{server}/article/{articles[name].id}/capture")
    assert "Quorvex" in desktop.locator("h1").inner_text()
    assert_inert(desktop, BLOCKED)


@pytest.mark.parametrize("query", ["Quorvex", SCRIPT])
def test_atom_feed_escapes_everything(
    desktop: Page, server: str, articles: dict[str, Article], query: str
) -> None:
    visit(desktop, server + "/search.atom?" + urlencode({"q": query}))
    assert_inert(desktop)
    status, body = get(server, "/search.atom?" + urlencode({"q": query}))
    assert status == 200
    feed = ET.fromstring(body)
    assert feed.findtext(f"{ATOM}title") == f"newsarchive: {query}"
    titles = {normalised(article.title) for article in articles.values()}
    for entry in feed.iter(f"{ATOM}entry"):
        assert normalised(entry.findtext(f"{ATOM}title") or "") in titles
    links = [link.get("href") or "" for link in feed.iter(f"{ATOM}link")]
    assert links and all(link.startswith(("http://", "https://")) for link in links)


def test_opensearch_templates_are_web_urls(server: str) -> None:
    root = ET.fromstring(get(server, "/opensearch.xml")[1])
    templates = [url.get("template") or "" for url in root.iter(f"{OPENSEARCH}Url")]
    assert len(templates) == 3
    assert all(t.startswith(server + "/") and t.endswith("?q={searchTerms}") for t in templates)


ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def get(server: str, path: str) -> tuple[int, bytes]:
    """GET `path` from `server` exactly as written (no normalising), following a redirect to
    the same server; return the status and body."""
    host, port = server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        target = (response.getheader("Location") or "").removeprefix(server)
        if response.status in (301, 302, 307, 308) and re.match("/[^/]", target):
            return get(server, target)
        return response.status, response.read()
    finally:
        connection.close()


TRAVERSALS = [
    "/article/../../etc/passwd",
    "/article/..%2f..%2f..%2fetc%2fpasswd",
    "/article/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/article/%2e%2e/%2e%2e/pyproject.toml",
    "/article/..%5c..%5cpyproject.toml",
    "/article/..%255c..%255cpyproject.toml",
    "/article/%00",
    "/article/x%00/capture",
    "/article/..%2f..%2fpyproject.toml/capture",
    "/article/" + "a" * 8000,
    "/article/" + "a" * 8000 + "/capture",
    "/static/../../pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/..%5c..%5cpyproject.toml",
    "/static/..\\..\\pyproject.toml",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/style.css%00.txt",
    "/static/style.css/..%2f..%2f..%2fpyproject.toml",
    "/static/" + "a" * 8000,
]
SECRETS = (b"root:x:0:0", b"[project]", b"[build-system]")


@pytest.mark.parametrize("path", TRAVERSALS, ids=lambda path: path[:48])
def test_traversal_gets_no_file(server: str, path: str) -> None:
    status, body = get(server, path)
    assert status in (400, 404), (status, body[:200])
    assert not any(secret in body for secret in SECRETS)


def test_static_files_and_the_favicon_still_serve(server: str) -> None:
    status, body = get(server, "/static/style.css")
    assert status == 200 and b"overflow-wrap: anywhere" in body
    assert get(server, "/favicon.ico") == get(server, "/static/favicon.svg")  # no 404 to log


def tree(folder: Path) -> dict[str, bytes | None]:
    """Return every path under `folder` with its bytes (None for folders and symlinks)."""
    return {
        str(path.relative_to(folder)): None
        if path.is_symlink() or path.is_dir()
        else path.read_bytes()
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A folder with a file, an empty folder, a non-archive folder and symlinks, as the cwd."""
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "empty").mkdir()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 not really")
    (tmp_path / "file-link").symlink_to(tmp_path / "notes.txt")
    (tmp_path / "folder-link").symlink_to(tmp_path / "photos")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(cwd)


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        ("notes.txt", "is a file"),
        ("file-link", "is a file"),
        ("empty", "No archive at empty"),
        ("photos", "No archive at photos"),
        ("folder-link", "No archive at folder-link"),
        ("missing", "No archive at missing"),
        ("notes.txt/sub", "No archive at notes.txt/sub"),
    ],
)
@pytest.mark.parametrize("command", [["stats"], ["search", "x"], ["reindex"], ["serve"]])
def test_archive_that_is_not_one_is_a_clear_error(
    workdir: Path, archive: str, message: str, command: list[str]
) -> None:
    before = tree(workdir)
    result = CliRunner().invoke(cli, [*command, "--archive", archive])
    assert result.exit_code in (1, 2) and message in result.output, result.output
    assert "Traceback" not in result.output
    assert tree(workdir) == before  # nothing created, nothing deleted


@pytest.mark.parametrize("name", ["my archive", "archivé ünïcode 新聞", "-dash"])
def test_archive_paths_with_spaces_and_unicode_work(workdir: Path, name: str) -> None:
    runner = CliRunner()
    archive = str(workdir / name)
    crawled = runner.invoke(cli, ["crawl", str(FIXTURES), "--archive", archive, "--quiet"])
    assert crawled.exit_code == 0, crawled.output
    assert f"3 articles in {archive}" in crawled.output
    found = runner.invoke(cli, ["search", "Quorvex", "--archive", archive, "--json"])
    assert found.exit_code == 0 and '"total": 3' in found.output
    assert (workdir / "notes.txt").read_text() == "keep me"


def test_archive_through_a_symlink_works(workdir: Path, hostile_archive: Path) -> None:
    (workdir / "archive-link").symlink_to(hostile_archive)
    result = CliRunner().invoke(cli, ["stats", "--archive", "archive-link", "--json"])
    assert result.exit_code == 0 and '"articles": 10' in result.output, result.output
    assert (workdir / "archive-link").is_symlink()


@pytest.mark.parametrize("archive", ["notes.txt/sub", "dangling-link"])
def test_crawl_into_an_impossible_archive_is_a_clear_error(workdir: Path, archive: str) -> None:
    (workdir / "dangling-link").symlink_to(workdir / "nowhere")
    before = tree(workdir)
    result = CliRunner().invoke(cli, ["crawl", str(FIXTURES), "--archive", archive, "--quiet"])
    assert result.exit_code == 1 and "Error:" in result.output, result.output
    assert tree(workdir) == before
