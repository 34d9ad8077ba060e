"""The `newsarchive` command on a Typesense cluster: crawl, search, stats and reindex with
--backend typesense hold what the embedded archive holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import SAMPLE_ARCHIVE
from tests.indexer.typesense_cluster import API_KEY, Cluster
from tests.newsarchive.test_cli import run


def test_crawl_search_stats_and_reindex_on_a_cluster(
    typesense_cluster: Cluster, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(SAMPLE_ARCHIVE / "wikinews", pages)
    cluster = ["--backend", "typesense", "--nodes", ",".join(typesense_cluster.addresses)]
    cluster += ["--api-key", API_KEY, "--collection", "cli"]
    embedded, clustered = tmp_path / "embedded", tmp_path / "clustered"
    run("crawl", str(pages), "--archive", str(embedded), "--quiet")
    crawled = run(*cluster, "crawl", str(pages), "--archive", str(clustered), "--quiet")
    assert "43 new articles" in crawled.stdout

    def stats(*backend: str, archive: Path) -> dict:
        return json.loads(run(*backend, "stats", "--archive", str(archive), "--json").stdout)

    def found(*backend: str, archive: Path) -> set[str]:
        out = run(*backend, "search", "Mecca", "--archive", str(archive), "--json").stdout
        return {hit["id"] for hit in json.loads(out)["hits"]}

    assert stats(*cluster, archive=clustered)["articles"] == 43
    assert stats(*cluster, archive=clustered)["sources"] == stats(archive=embedded)["sources"]
    assert found(*cluster, archive=clustered) == found(archive=embedded) != set()
    reindexed = run(*cluster, "reindex", "--archive", str(clustered))
    assert "Reindexed 43 articles" in reindexed.stdout
    assert found(*cluster, archive=clustered) == found(archive=embedded)
