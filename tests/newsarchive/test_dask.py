"""Extraction on Dask: `crawl` and `reindex --reextract` on a real local cluster of two worker
processes on 127.0.0.1 end with the same articles and index as a serial run."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from distributed import LocalCluster

from crawler import Article
from crawler.warc import WarcWriter
from indexer import NewsIndex
from indexer.store import STORE_FILE
from tests.conftest import SAMPLE_ARCHIVE
from tests.newsarchive.test_cli import run

SAMPLE_PAGE_SETS = ("wikinews", "voa-lingala", "voa-shona")
QUERIES = ["ants", "football OR soccer", "bokonzi", "election"]
UPDATED = b" Updated later the same day."
NOT_AN_ARTICLE = b"<html><head><title>Index</title></head><body><a href='/a'>A</a></body></html>"


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A local Dask cluster of two single-threaded worker processes."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # not 8787, which may be taken
    ) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def scheduler(cluster: LocalCluster) -> str:
    """The address of `cluster`'s scheduler."""
    return cluster.scheduler_address


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A folder of saved pages (one unreadable, one not an article) and a WARC file whose last
    capture updates its first one (the same article id: the later one must win)."""
    root = tmp_path_factory.mktemp("sources")
    folder = root / "saved"
    pages = {name: sorted((SAMPLE_ARCHIVE / name).glob("*.html")) for name in SAMPLE_PAGE_SETS}
    for name, paths in pages.items():
        (folder / name).mkdir(parents=True)
        for path in paths[:12]:
            shutil.copy2(path, folder / name / path.name)
    (folder / "broken.html.gz").write_bytes(b"not gzip at all")
    (folder / "index.html").write_bytes(NOT_AN_ARTICLE)
    captured = [path for paths in pages.values() for path in paths[12:20]]
    with WarcWriter(root / "capture") as writer:
        for minute, path in enumerate([*captured, captured[0]]):
            body = path.read_bytes()
            if minute == len(captured):
                body = body.replace(b"</p>", UPDATED + b"</p>", 1)
            when = datetime(2024, 5, 1, 12, minute, tzinfo=UTC)
            url = f"https://news.example.org/{path.parent.name}/{path.name}"
            writer.write_response(url, 200, {"Content-Type": "text/html"}, body, when)
    return [str(folder), str(next((root / "capture").glob("*.warc.gz")))]


MODES = {
    "serial": lambda address: ["--processes", "0"],
    "scheduler": lambda address: ["--scheduler", address],
    "local cluster": lambda address: ["--dask-workers", "2"],
}


@pytest.fixture(scope="module")
def crawled(
    sources: list[str], scheduler: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, str, str]]:
    """Each mode's archive crawled from `sources`, with the command's stdout and stderr."""
    results = {}
    for mode, options in MODES.items():
        archive = tmp_path_factory.mktemp("crawled") / "archive"
        result = run("crawl", *sources, "--archive", str(archive), *options(scheduler))
        results[mode] = (archive, result.stdout.replace(str(archive), "ARCHIVE"), result.stderr)
    return results


def stored(archive: Path) -> list[Article]:
    """Return the archive's stored articles, in the order they were stored."""
    with NewsIndex.open(archive) as index:
        return list(index.articles())


def searched(archive: Path) -> list[list[tuple[str, float]]]:
    """Return the ids and scores of the hits of each of QUERIES."""
    with NewsIndex.open(archive, readonly=True) as index:
        return [
            [(hit.id, round(hit.score, 6)) for hit in index.search(query, per_page=20).hits]
            for query in QUERIES
        ]


def test_dask_crawl_stores_what_a_serial_crawl_stores(
    crawled: dict[str, tuple[Path, str, str]], cluster: LocalCluster
) -> None:
    assert "extract_chunk" in cluster.scheduler.task_prefixes  # the pages went to its workers
    serial, summary, _ = crawled["serial"]
    articles = stored(serial)
    # The later capture of the twice-captured page replaced the earlier in the same batch.
    assert "63 pages: 60 new articles, 0 updated, 0 unchanged, 1 skipped, 1 failed" in summary
    assert UPDATED.decode().strip() in "".join(article.text for article in articles)
    for mode in ("scheduler", "local cluster"):
        archive, out, err = crawled[mode]
        assert out == summary
        assert "63/63 pages (61 articles" in err and "pages/s" in err  # the progress line
        assert "Traceback" not in err
        assert stored(archive) == articles
        assert searched(archive) == searched(serial)
    assert all(searched(serial))


def test_dask_reextract_stores_what_a_serial_reextract_stores(
    crawled: dict[str, tuple[Path, str, str]], scheduler: str, tmp_path: Path
) -> None:
    archives = {}
    for mode, options in MODES.items():
        archive = shutil.copytree(crawled[mode][0], tmp_path / mode.replace(" ", "-"))
        for store in archive.glob(f"{STORE_FILE}*"):
            store.unlink()
        out = run("reindex", "--reextract", "--archive", str(archive), *options(scheduler)).stdout
        assert "Re-extracted 60 articles (60 new, 1 pages skipped, 0 failed)" in out
        archives[mode] = archive
    serial = stored(archives["serial"])
    assert len(serial) == 60
    for mode in ("scheduler", "local cluster"):
        assert stored(archives[mode]) == serial
        assert searched(archives[mode]) == searched(archives["serial"])


def test_an_unreachable_scheduler_is_a_clear_error(sources: list[str], tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    archive = tmp_path / "archive"
    result = run("crawl", *sources, "--archive", str(archive), "--scheduler", address, check=False)
    assert result.returncode == 1
    assert f"Cannot reach the Dask scheduler at {address}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not archive.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["crawl", "--dask-workers", "2", "--scheduler", "tcp://127.0.0.1:8786", "."],
        ["reindex", "--dask-workers", "2"],
    ],
)
def test_dask_options_that_do_not_go_together(args: list[str], tmp_path: Path) -> None:
    result = run(*args, "--archive", str(tmp_path / "archive"), check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--dask-workers" in result.stderr
