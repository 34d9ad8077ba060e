"""Paywalled articles kept as teasers: `Article.access` stored, indexed, filtered and counted,
and archives built before the field existed still open, their articles reading as full."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from crawler import Article
from crawler.article import Access
from indexer import NewsIndex
from indexer.dupes import Sketches
from indexer.index import INDEX_DIR, _Copies
from indexer.schema import build_schema
from indexer.store import STORE_FILE, ArticleStore
from indexer.typesense_backend import TypesenseIndex, _collection
from indexer.typesense_schema import to_document
from tests.indexer.typesense_cluster import API_KEY, Cluster


def _story(n: int, **meta: object) -> Article:
    return Article(
        url=f"https://old.example.org/{n}",
        title=f"Harbour story {n}",
        text=f"The harbour council met for the {n}th time.",
        source="Old Gazette",
        **meta,
    )


OLD = [_story(n) for n in range(4)]
TEASER = _story(9, access=Access.TEASER)


def test_access_defaults_to_full_round_trips_and_is_checked() -> None:
    assert _story(1).access == "full" and type(_story(1).access) is str
    assert Article.from_dict(TEASER.to_dict()) == TEASER
    assert TEASER.to_dict()["access"] == "teaser"
    older = {key: value for key, value in _story(1).to_dict().items() if key != "access"}
    assert Article.from_dict(older).access == "full"
    with pytest.raises(ValueError, match="full, teaser"):
        _story(1, access="paywalled")


def test_the_store_keeps_access(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / STORE_FILE)
    store.put([TEASER, OLD[0]])
    assert store.get(TEASER.id).access == "teaser"  # type: ignore[union-attr]
    assert store.get(OLD[0].id).access == "full"  # type: ignore[union-attr]


@pytest.fixture
def old_archive(tmp_path: Path) -> Path:
    """An archive as newsarchive wrote it before `access`: no such index field or stored key."""
    schema = build_schema()
    schema.remove("access")
    (tmp_path / INDEX_DIR).mkdir()
    ix = whoosh_index.create_in(tmp_path / INDEX_DIR, schema)
    copies = _Copies(Sketches())
    with ix.writer() as writer:
        for article in OLD:
            fields = copies.fields(article)
            del fields["access"]
            writer.add_document(**fields)
    ArticleStore(tmp_path / STORE_FILE).put(OLD)
    with sqlite3.connect(tmp_path / STORE_FILE) as conn:
        conn.execute("UPDATE articles SET data = json_remove(data, '$.access')")
    return tmp_path


def test_an_archive_built_before_access_reads_as_full(old_archive: Path) -> None:
    with NewsIndex.open(old_archive, readonly=True) as index:
        assert not index.outdated
        results = index.search("harbour", filters={"access": "full"}, facets=("access",))
        assert results.total == len(OLD)
        assert results.facets["access"] == [("full", len(OLD))]
        assert {hit.access for hit in results.hits} == {"full"}
        assert index.count(access="teaser") == 0 and index.count("access:full") == len(OLD)
        assert index.get(OLD[0].id).access == "full"


def test_writing_to_an_archive_built_before_access_adds_the_field(old_archive: Path) -> None:
    with NewsIndex.open(old_archive) as index:
        index.add([TEASER])
        results = index.search("", facets=("access",))
        assert results.facets["access"] == [("full", len(OLD)), ("teaser", 1)]
        assert index.count(access="teaser") == 1 and index.count(access="full") == len(OLD)
        assert index.count(access=["full", "teaser"]) == len(OLD) + 1
        assert index.count("-access:full") == 1
    assert "access" in whoosh_index.open_dir(old_archive / INDEX_DIR).schema


@pytest.fixture
def old_collection(typesense_cluster: Cluster) -> Iterator[TypesenseIndex]:
    """A Typesense collection as newsarchive made it before `access`, holding OLD."""
    index = TypesenseIndex.open(
        None,
        create=True,
        nodes=typesense_cluster.addresses,
        api_key=API_KEY,
        collection="before-access",
    )
    name = index._target()
    assert name is not None
    collection = _collection(index._client, name)
    collection.update({"fields": [{"name": "access", "drop": True}]})
    documents = [to_document(article, article.id, None, [], 0) for article in OLD]
    for document in documents:
        del document["access"]
    collection.documents.import_(documents, {"action": "upsert"})
    index._settle([article.id for article in OLD], present=True)
    yield index
    index.close()


def test_a_collection_made_before_access_gains_the_field(
    old_collection: TypesenseIndex, typesense_cluster: Cluster
) -> None:
    with TypesenseIndex.open(
        None,
        nodes=typesense_cluster.addresses,
        api_key=API_KEY,
        collection="before-access",
        readonly=True,
    ) as index:
        results = index.search("", filters={"access": "full"}, facets=("access",))
        assert results.total == len(OLD)
        assert results.facets["access"] == [("full", len(OLD))]
        assert {hit.access for hit in results.hits} == {"full"}
        assert index.get(OLD[0].id).access == "full"
    old_collection.add([TEASER])
    results = old_collection.search("", facets=("access",))
    assert results.facets["access"] == [("full", len(OLD)), ("teaser", 1)]
    assert old_collection.count(access="teaser") == 1
    assert old_collection.count(access="full") == len(OLD)
    assert old_collection.count(access=["full", "teaser"]) == len(OLD) + 1
    assert old_collection.count("-access:full") == 1
    assert old_collection.count("access:full") == len(OLD)
