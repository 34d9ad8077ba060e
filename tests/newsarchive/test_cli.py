"""The `newsarchive` command, run as a user runs it: crawl -> index -> search, and bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_ARCHIVE, Site

JUNK = ("Accessibility links", "Skip to main content", "Breaking News", "We use cookies")


def command(*args: str) -> list[str]:
    """Return the command line running the installed `newsarchive` with `args`."""
    return [str(Path(sys.executable).with_name("newsarchive")), *args]


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the installed `newsarchive` command and return what it printed."""
    result = subprocess.run(command(*args), capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample archive crawled by the CLI into a fresh archive folder."""
    archive = tmp_path_factory.mktemp("cli") / "archive"
    result = run("crawl", str(SAMPLE_ARCHIVE), "--archive", str(archive))
    assert "323 pages: 323 new articles, 0 updated, 0 unchanged, 0 skipped, 0 failed" in (
        result.stdout
    )
    assert "323/323 pages (323 articles" in result.stderr  # the progress line
    return archive


def test_crawl_indexes_every_sample_article(sample_archive: Path) -> None:
    stats = json.loads(run("stats", "--archive", str(sample_archive), "--json").stdout)
    assert stats["articles"] == 323
    assert stats["sources"] == {"VOA Lingala": 140, "VOA Shona": 140, "Wikinews": 43}
    assert stats["languages"] == {"ln": 140, "sn": 140, "en": 43}
    assert sum(stats["years"].values()) == 323 and stats["years"]["(undated)"] == 280
    assert set(stats["sections"]) >= {"News", "Interview", "Politics", "Health"}


def test_search_returns_the_article_first(sample_archive: Path) -> None:
    out = run("search", "Formica fusca", "--archive", str(sample_archive), "--json").stdout
    results = json.loads(out)
    top = results["hits"][0]
    assert results["total"] >= 1
    assert top["title"] == "Biologist Nick Bos tells Wikinews about 'self-medicating' ants"
    assert top["source"] == "Wikinews" and top["published"].startswith("2015-09-01")
    assert set(top) >= {"id", "url", "title", "source", "published", "snippet", "score"}


def test_boilerplate_never_reaches_the_index(sample_archive: Path) -> None:
    for phrase in JUNK:
        out = run("search", f'"{phrase}"', "--archive", str(sample_archive), "--json").stdout
        assert json.loads(out)["total"] == 0, phrase


def test_search_prints_readable_results(sample_archive: Path) -> None:
    out = run("search", "Chomsky", "--archive", str(sample_archive), "--limit", "2").stdout
    assert "results (" in out
    assert "1. Interview with US political activist and philosopher Noam Chomsky" in out
    assert "Wikinews · Interview · 2009-04-04" in out


def test_search_filters_sorts_and_counts_facets(sample_archive: Path) -> None:
    archive = ["--archive", str(sample_archive)]
    shona = json.loads(run("search", "", "--source", "VOA Shona", "--json", *archive).stdout)
    assert shona["total"] == 140
    sources = shona["facets"]["source"]
    assert {"value": "VOA Shona", "count": 140} in sources
    assert {"value": "VOA Lingala", "count": 140} in sources  # the alternatives, counted
    newest = json.loads(
        run("search", "", "--source", "Wikinews", "--sort", "newest", "--json", *archive).stdout
    )
    dates = [hit["published"] for hit in newest["hits"]]
    assert dates == sorted(dates, reverse=True)
    ranged = run("search", "", "--from", "2009", "--to", "2009", "--facets", *archive).stdout
    years = [line for line in ranged.splitlines() if line.startswith("  year: ")]
    assert len(years) == 1 and re.fullmatch(r"  year: 2009 \(\d+\)", years[0])


def warc_bytes(archive: Path) -> dict[str, int]:
    """Return the size of each file in the archive's WARC folder, by name."""
    return {path.name: path.stat().st_size for path in (archive / "warc").iterdir()}


def test_recrawl_of_an_unchanged_folder_is_unchanged_and_kept_once(
    sample_archive: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "copy"
    shutil.copytree(sample_archive, archive)
    kept = warc_bytes(archive)
    out = run("crawl", str(SAMPLE_ARCHIVE / "wikinews"), "--archive", str(archive)).stdout
    assert "43 pages: 0 new articles, 0 updated, 43 unchanged, 0 skipped, 0 failed; 323" in out
    assert warc_bytes(archive) == kept  # no second copy of the pages


def test_reindex_rebuilds_from_the_store(sample_archive: Path, tmp_path: Path) -> None:
    archive = tmp_path / "copy"
    shutil.copytree(sample_archive, archive)
    shutil.rmtree(archive / "index")
    failed = run("search", "Chomsky", "--archive", str(archive), check=False)
    assert failed.returncode == 1
    assert f"run `newsarchive reindex --archive {archive}`" in failed.stderr
    assert "Reindexed 323 articles" in run("reindex", "--archive", str(archive)).stdout
    out = run("search", "Chomsky", "--archive", str(archive), "--json").stdout
    assert json.loads(out)["hits"][0]["title"].startswith("Interview with US political")


def test_crawl_of_a_single_url(site: Site, tmp_path: Path) -> None:
    page = next((SAMPLE_ARCHIVE / "voa-shona").glob("*.html")).read_bytes()
    site.routes["/story.html"] = (200, {"Content-Type": "text/html"}, page)
    archive = tmp_path / "archive"
    out = run(
        "crawl", site.url("/story.html"), "--single", "--allow-private", "--archive", str(archive)
    ).stdout
    assert "1 pages: 1 new articles" in out
    stats = json.loads(run("stats", "--archive", str(archive), "--json").stdout)
    assert stats["sources"] == {"VOA Shona": 1}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "x", "--archive", "{tmp}/none"], "No archive at"),
        (["stats", "--archive", "{tmp}/none"], "No archive at"),
        (["serve", "--archive", "{tmp}/none"], "No archive at"),
        (["reindex", "--archive", "{tmp}/none"], "No archive at"),
        (["crawl", "{tmp}/no-such-folder", "--archive", "{tmp}/a"], "does not exist"),
        (["crawl", "ftp://example.org/x", "--archive", "{tmp}/a"], "Not an http(s) URL"),
        (
            ["crawl", "http://127.0.0.1:9/x", "--allow-private", "--archive", "{tmp}/a"],
            "every page failed",
        ),
        (["crawl", "http://127.0.0.1:9/x", "--single", "--archive", "{tmp}/a"], "private"),
        (["search", "x", "--sort", "random", "--archive", "{tmp}/a"], "'random' is not one of"),
        (["search", "x", "--limit", "0"], "0 is not in the range"),
        (["demo", "--port", "70000"], "70000 is not in the range"),
        (["serve", "--archive", "{tmp}/a", "--port", "x"], "'x' is not a valid integer"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_bad_input_gets_one_clear_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = run(*(arg.format(tmp=tmp_path) for arg in args), check=False)
    output = result.stdout + result.stderr
    assert message in output
    assert "Traceback" not in output
