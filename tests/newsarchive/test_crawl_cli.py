"""`newsarchive crawl` against the loopback news site and WARC files, as a user runs it."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.warc import WarcWriter
from indexer import NewsIndex
from tests.conftest import SAMPLE_ARCHIVE, Site
from tests.crawler.newssite import NewsSite, build
from tests.newsarchive.test_cli import command, run

POLITE_TEST = ["--allow-private", "--workers", "1"]
FIXTURES = Path(__file__).resolve().parent.parent / "crawler" / "fixtures"
# Saved pages that are articles (some name their URL, some do not).
SAVED_PAGES = [
    "rferl_skip_links_ticker_share_related_cookie.html",
    "jsonld_graph_byline_two_authors_tweet.html",
    "windows1251_cyrillic_meta_charset.html",
]


@pytest.fixture
def news(site: Site) -> NewsSite:
    return build(site)


def stored_urls(archive: Path) -> set[str]:
    with NewsIndex.open(archive) as index:
        return {article.url for article in index.articles()}


def test_crawl_a_site_from_the_command_line(news: NewsSite, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    result = run("crawl", news.url("/"), "--archive", str(archive), "--delay", "0", *POLITE_TEST)
    assert f"{len(news.articles) + 1} new articles" in result.stdout
    assert "queued" in result.stderr and "pages/s" in result.stderr  # progress lines
    assert "s waiting on hosts" in result.stderr
    assert "failed http://127.0.0.1" in result.stderr  # the 404 and the loop, with reasons
    stats = json.loads(run("stats", "--archive", str(archive), "--json").stdout)
    assert stats["articles"] == len(news.articles) + 1


def test_json_log_reports_every_page(news: NewsSite, tmp_path: Path) -> None:
    result = run(
        "crawl",
        news.url("/"),
        "--archive",
        str(tmp_path / "a"),
        "--delay",
        "0",
        "--json-log",
        "--quiet",
        *POLITE_TEST,
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    results = {record["result"] for record in records}
    assert results == {"article", "skipped", "failed"}
    assert result.stderr.count("pages/s") == 0  # --quiet: no progress lines


def test_a_killed_crawl_resumes_without_refetching_what_is_done(
    news: NewsSite, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    site_args = ["crawl", news.url("/"), "--archive", str(archive), *POLITE_TEST]
    process = subprocess.Popen(
        command(*site_args, "--delay", "0.4"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not done_pages(archive):
            time.sleep(0.2)  # until a first batch of articles is committed
        workers = descendants(process.pid)
        assert workers, "extraction runs in worker processes"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)  # no orphan outlives the crawl
    done = done_pages(archive)
    assert 0 < len(stored_urls(archive)) < len(news.articles) + 1, "the kill came too late"
    before = len(news.site.log)
    run(*site_args, "--delay", "0")
    refetched = {news.url(visit.path) for visit in news.site.log[before:]}
    assert not done & refetched  # what was done before the kill is not fetched again
    assert len(stored_urls(archive)) == len(news.articles) + 1  # and nothing is lost


def test_a_second_crawl_on_the_same_archive_is_refused_while_the_first_runs(
    news: NewsSite, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    site_args = ["crawl", news.url("/"), "--archive", str(archive), *POLITE_TEST]
    first = subprocess.Popen(
        command(*site_args, "--delay", "0.2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    with first:  # waited for, even if an assertion fails while it runs
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not news.site.log:
            time.sleep(0.05)  # until the first crawl is fetching

        second = run(*site_args, "--delay", "0", check=False)

        assert second.returncode == 1
        assert f"Another crawl is writing to {archive} (process {first.pid}" in second.stderr
        assert "Traceback" not in second.stderr
        out, _ = first.communicate(timeout=120)
    assert first.returncode == 0
    assert f"{len(news.articles) + 1} new articles" in out
    assert len(stored_urls(archive)) == len(news.articles) + 1
    again = run(*site_args, "--delay", "0")  # the lock went with the first crawl
    assert "0 new articles" in again.stdout


def test_a_crawl_that_fills_the_disk_stops_clearly_and_the_rerun_finishes(
    tmp_path: Path,
) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(SAMPLE_ARCHIVE / "wikinews", pages)
    archive = tmp_path / "archive"
    crawl = command("crawl", str(pages), "--archive", str(archive), "--quiet")

    full = subprocess.run(
        crawl, capture_output=True, text=True, timeout=300, preexec_fn=_file_size_limit(400_000)
    )

    assert full.returncode == 1
    assert "Error: Could not write to the archive" in full.stderr
    assert "run the same command again" in full.stderr
    assert "Traceback" not in full.stderr
    kept = stored_urls(archive)
    rerun = run("crawl", str(pages), "--archive", str(archive), "--quiet")
    assert "0 failed" in rerun.stdout
    assert kept < stored_urls(archive)
    assert len(stored_urls(archive)) == len(list(pages.glob("*.html")))


def _file_size_limit(size: int) -> Callable[[], None]:
    """Return a pre-exec hook limiting the files a child writes to `size` bytes (past it, a
    write fails with EFBIG instead of killing the child)."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def descendants(pid: int) -> set[int]:
    """Return the ids of the processes below `pid` (children, theirs, and so on)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Return whether process `pid` is running (a zombie is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def done_pages(archive: Path) -> set[str]:
    """Return the article pages the archive's frontier has marked done."""
    if not (archive / "crawl.sqlite").exists():
        return set()
    with sqlite3.connect(archive / "crawl.sqlite") as conn:
        try:
            rows = conn.execute("SELECT url FROM urls WHERE kind = 'page' AND state = 'done'")
        except sqlite3.OperationalError:  # the crawl has made the file, not yet its tables
            return set()
        return {url for (url,) in rows}


def test_warc_files_with_capture_date_filters(news: NewsSite, tmp_path: Path) -> None:
    with WarcWriter(tmp_path / "capture") as writer:  # a crawl of four days, one page a day
        for day, path in enumerate(news.linked, start=1):
            when = datetime(2024, 5, day, 12, tzinfo=UTC)
            writer.write_response(
                news.url(path), 200, {"Content-Type": "text/html"}, news.bodies[path], when
            )
    warc = next((tmp_path / "capture").glob("*.warc.gz"))
    archive = tmp_path / "archive"
    out = run(
        "crawl", str(warc), "--from", "2024-05-02", "--to", "2024-05-03", "--archive", str(archive)
    ).stdout
    assert "2 new articles" in out


def test_reindex_reextract_rebuilds_from_the_kept_originals(news: NewsSite, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    run("crawl", news.url("/"), "--archive", str(archive), "--delay", "0", *POLITE_TEST)
    (archive / "articles.sqlite").unlink()
    for leftover in archive.glob("articles.sqlite-*"):
        leftover.unlink()
    before = len(news.site.log)
    out = run("reindex", "--reextract", "--archive", str(archive)).stdout
    assert f"Re-extracted {len(news.articles) + 1} articles" in out
    assert len(news.site.log) == before  # no network
    assert len(stored_urls(archive)) == len(news.articles) + 1


def test_reindex_reextract_rebuilds_saved_pages_too(tmp_path: Path) -> None:
    pages = tmp_path / "saved"
    pages.mkdir()
    for name in SAVED_PAGES:
        (pages / name).write_bytes((FIXTURES / name).read_bytes())
    archive = tmp_path / "archive"
    run("crawl", str(pages), "--archive", str(archive))
    crawled = stored_urls(archive)
    assert len(crawled) == len(SAVED_PAGES)
    (archive / "articles.sqlite").unlink()
    for leftover in archive.glob("articles.sqlite-*"):
        leftover.unlink()
    out = run("reindex", "--reextract", "--archive", str(archive)).stdout
    assert f"Re-extracted {len(SAVED_PAGES)} articles" in out
    assert stored_urls(archive) == crawled


REFUSED = FIXTURES / "refused" / "short_stub_with_text.html"  # some text, too little
FAST = ["--processes", "0"]


def save_pages(folder: Path, pages: dict[str, bytes]) -> Path:
    """Write `pages` (file name: bytes) into `folder`; return the folder."""
    folder.mkdir(exist_ok=True)
    for name, content in pages.items():
        (folder / name).write_bytes(content)
    return folder


def warc_of_pages(folder: Path, pages: dict[str, bytes]) -> Path:
    """Write `pages` as captures of https://news.example/NAME into a new WARC file in `folder`."""
    with WarcWriter(folder) as writer:
        for name, content in pages.items():
            when = datetime(2024, 5, 1, 12, tzinfo=UTC)
            writer.write_response(
                f"https://news.example/{name}", 200, {"Content-Type": "text/html"}, content, when
            )
    return next(folder.glob("*.warc.gz"))


def warc_bytes(archive: Path) -> dict[str, int]:
    """Return the size of each file in the archive's WARC folder, by name."""
    return {path.name: path.stat().st_size for path in (archive / "warc").iterdir()}


@pytest.mark.parametrize("kind", ["folder", "warc"])
def test_a_recrawl_reports_unchanged_pages_and_keeps_only_changed_ones(
    kind: str, tmp_path: Path
) -> None:
    pages = {name: (FIXTURES / name).read_bytes() for name in SAVED_PAGES}

    def source(step: int) -> str:
        if kind == "folder":  # the same folder, rewritten
            return str(save_pages(tmp_path / "saved", pages))
        return str(warc_of_pages(tmp_path / f"warc{step}", pages))  # a new file, same captures

    archive = tmp_path / "archive"
    crawl = ["--archive", str(archive), *FAST]
    assert "3 new articles" in run("crawl", source(1), *crawl).stdout
    kept = warc_bytes(archive)

    again = run("crawl", source(2), *crawl).stdout

    assert "3 pages: 0 new articles, 0 updated, 3 unchanged, 0 skipped, 0 failed" in again
    assert warc_bytes(archive) == kept
    name = SAVED_PAGES[0]
    pages[name] = pages[name].replace(b"</body>", b"<!-- corrected --></body>")
    changed = run("crawl", source(3), *crawl).stdout
    assert "3 pages: 0 new articles, 1 updated, 2 unchanged" in changed
    assert sum(warc_bytes(archive).values()) > sum(kept.values())  # the changed page only


def test_skipped_pages_are_listed_with_reasons_and_keep_refused_indexes_them(
    tmp_path: Path,
) -> None:
    stubs = {f"stub-{n:02d}.html": REFUSED.read_bytes() for n in range(22)}
    folder = save_pages(
        tmp_path / "saved", {SAVED_PAGES[0]: (FIXTURES / SAVED_PAGES[0]).read_bytes(), **stubs}
    )
    archive = tmp_path / "archive"
    crawl = ["crawl", str(folder), "--archive", str(archive), *FAST]

    first = run(*crawl)

    assert "23 pages: 1 new articles, 0 updated, 0 unchanged, 22 skipped, 0 failed" in first.stdout
    listed = [line for line in first.stderr.splitlines() if line.startswith("  skipped ")]
    assert len(listed) == 20
    assert f"  skipped {folder / 'stub-00.html'}: the page at file://" in listed[0]
    assert "only 50 characters of body text" in listed[0]
    assert "  ... and 2 more" in first.stderr
    assert f"all pages left out of the archive: newsarchive skipped --archive {archive}" in (
        first.stderr
    )
    assert "run the crawl again with --keep-refused" in first.stderr
    full = run("skipped", "--archive", str(archive))
    assert sorted(line.split(": ")[0] for line in full.stdout.splitlines()) == sorted(
        str(folder / name) for name in stubs
    )
    kept = warc_bytes(archive)

    kept_anyway = run(*crawl, "--keep-refused").stdout

    assert "23 pages: 22 new articles, 0 updated, 1 unchanged, 0 skipped, 0 failed" in kept_anyway
    assert warc_bytes(archive) == kept  # read again from the folder, not kept twice
    assert run("skipped", "--archive", str(archive)).stdout == ""


def test_a_crawl_that_stores_nothing_fails_and_says_why_even_when_quiet(tmp_path: Path) -> None:
    folder = save_pages(
        tmp_path / "saved", {"stub.html": REFUSED.read_bytes(), "broken.html": b"\x00\x01" * 500}
    )
    archive = tmp_path / "archive"
    crawl = ["crawl", str(folder), "--archive", str(archive), "--quiet", *FAST]

    nothing = run(*crawl, check=False)

    assert nothing.returncode == 1
    assert f"  skipped {folder / 'stub.html'}: the page at" in nothing.stderr
    assert f"  failed {folder / 'broken.html'}: the page is binary data" in nothing.stderr
    assert "every page was skipped or failed (reasons above)" in nothing.stderr
    assert "run the crawl again with --keep-refused" in nothing.stderr
    kept = run(*crawl, "--keep-refused", check=False)
    assert kept.returncode == 0  # stored the stub; the broken page failed again
    assert "1 new articles" in kept.stdout and "  skipped" not in kept.stderr
    empty = save_pages(tmp_path / "empty", {})
    none = run("crawl", str(empty), "--archive", str(archive), "--quiet", check=False)
    assert none.returncode == 1
    assert "the sources hold no page to read" in none.stderr


def test_reindex_reextract_keep_refused_indexes_the_pages_left_out(tmp_path: Path) -> None:
    folder = save_pages(
        tmp_path / "saved",
        {
            SAVED_PAGES[0]: (FIXTURES / SAVED_PAGES[0]).read_bytes(),
            "stub.html": REFUSED.read_bytes(),
        },
    )
    archive = tmp_path / "archive"
    run("crawl", str(folder), "--archive", str(archive), *FAST)
    reextract = ["reindex", "--reextract", "--archive", str(archive), *FAST]

    plain = run(*reextract)

    assert "(0 new, 1 pages skipped, 0 failed)" in plain.stdout
    assert "only 50 characters" in plain.stderr and "add --keep-refused" in plain.stderr
    kept = run(*reextract, "--keep-refused")
    assert "Re-extracted 2 articles (1 new, 0 pages skipped, 0 failed)" in kept.stdout
    assert run("skipped", "--archive", str(archive)).stdout == ""
    assert len(stored_urls(archive)) == 2
