"""`TypesenseIndex`: the archive searched in a Typesense (0.24) cluster, with NewsIndex's API.

Searches go to any node of the cluster the client is given; writes are forwarded to its
leader. An `ArticleStore` beside it (an archive folder's `articles.sqlite`) stays the source
of truth when given: `add` writes it first and `rebuild` reloads the cluster from it.
"""

from __future__ import annotations

import html
import json
import logging
import math
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import httpx
import typesense
from typesense import exceptions as ts
from whoosh.analysis import STOP_WORDS

from crawler import Article
from indexer.backends import DEFAULT_COLLECTION
from indexer.dupes import Sketches, bands, fingerprint, is_near_duplicate, words
from indexer.errors import (
    ArchiveNotFoundError,
    ArchiveOutdatedError,
    ArchiveReadOnlyError,
    ArticleNotFoundError,
    BackendUnavailableError,
    IndexingFailedError,
    QueryError,
)
from indexer.facets import ordered as ordered_counts
from indexer.filters import SORTS, Filters
from indexer.index import DEFAULT_FACETS, MAX_PER_PAGE, AddCounts
from indexer.query import normalise
from indexer.results import Hit, SearchResults
from indexer.schema import DEFAULTS
from indexer.snippets import shorten
from indexer.store import STORE_FILE, ArticleStore
from indexer.typesense_query import Translation, facet_field, filter_parts, translate
from indexer.typesense_schema import (
    MARK_END,
    MARK_START,
    TEXT_FIELDS,
    TEXT_WEIGHTS,
    collection_schema,
    from_document,
    to_document,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
MORE_LIKE_TERMS = 12
# Near-duplicate candidates read per article: more share a band only in a flood of copies.
DUPLICATE_CANDIDATES = 20
MORE_LIKE_CANDIDATES = 40
MORE_LIKE_HITS = 100  # read per key word
MAX_FACET_VALUES = 1000
# Writes retried this many times on 503s and timeouts (a leader election takes seconds).
WRITE_ATTEMPTS = 7
FIRST_BACKOFF = 0.25
# How long a write waits for every reachable node to have applied it.
REPLICATION_WAIT = 10.0
# Typesense runs at most this many searches in one multi_search request.
MULTI_SEARCH_LIMIT = 50
_UNAVAILABLE = (
    ts.ServiceUnavailable,
    ts.Timeout,
    ts.HTTPStatus0Error,
    ts.ServerError,
    httpx.HTTPError,
)
_SORT_BY = {
    "relevance": "_text_match:desc,sort_date:desc",
    "newest": "undated:asc,sort_date:desc",
    "oldest": "undated:asc,sort_date:asc",
}
_NO_HIT_FIELDS = "simband,simhash"


class TypesenseIndex:
    """The archive in a Typesense cluster: NewsIndex's methods over a collection alias.

    `nodes` are "host:port" strings; every node is tried in turn when one fails.
    """

    def __init__(
        self,
        nodes: Sequence[str],
        api_key: str,
        *,
        collection: str = DEFAULT_COLLECTION,
        store: ArticleStore | None = None,
        readonly: bool = False,
        protocol: str = "http",
        timeout: float = 5.0,
    ) -> None:
        if not nodes:
            raise BackendUnavailableError("No Typesense node given: pass nodes as host:port.")
        self.nodes = list(nodes)
        self.collection = collection
        self.readonly = readonly
        self.path = store.path.parent if store is not None else None
        self._store = store
        self._client = _client(self.nodes, api_key, protocol, timeout, len(self.nodes))
        # One client per node, to see what each has applied of a write.
        self._node_clients = [_client([node], api_key, protocol, timeout, 0) for node in nodes]

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        create: bool = False,
        *,
        nodes: Sequence[str],
        api_key: str,
        collection: str = DEFAULT_COLLECTION,
        readonly: bool = False,
        protocol: str = "http",
        timeout: float = 5.0,
    ) -> TypesenseIndex:
        """Connect to the cluster at `nodes`, with the article store of archive folder `path`
        if given; with `create`, make the collection (and store) if missing."""
        store = None
        if path is not None and (create or (Path(path) / STORE_FILE).is_file()):
            Path(path).mkdir(parents=True, exist_ok=True)
            store = ArticleStore(Path(path) / STORE_FILE, readonly=readonly and not create)
        index = cls(
            nodes,
            api_key,
            collection=collection,
            store=store,
            readonly=readonly,
            protocol=protocol,
            timeout=timeout,
        )
        if not index._exists():
            if not create:
                index.close()
                hint = (
                    f"run `newsarchive reindex --archive {path}` to load it from the store"
                    if store is not None
                    else "open it with create=True first"
                )
                raise ArchiveNotFoundError(
                    f"No collection {collection!r} in the Typesense cluster at "
                    f"{', '.join(index.nodes)}: {hint}."
                )
            created = index._new_collection()
            index._swap_in(created)
            index._settle_alias(created)
            index._settle([], present=True)
        else:
            index._add_fields()
        return index

    def _add_fields(self) -> None:
        """Add the fields with a default the collection was created without (its articles
        read as holding the default, so no reload is needed). Read-only openers add them too:
        Typesense refuses to filter or count on a field its schema lacks."""
        name = self._target() or self.collection
        wanted = [f for f in collection_schema(name)["fields"] if f["name"] in DEFAULTS]

        def missing(client: typesense.Client) -> list[dict[str, Any]]:
            held = {field["name"] for field in _collection(client, name).retrieve()["fields"]}
            return [field for field in wanted if field["name"] not in held]

        fields = self._read(lambda: missing(self._client))
        if not fields:
            return
        try:
            self._write(lambda: _collection(self._client, name).update({"fields": fields}))
        except (ts.RequestUnauthorized, ts.RequestForbidden) as error:
            raise ArchiveOutdatedError(
                f"The Typesense collection {self.collection!r} lacks the fields "
                f"{', '.join(field['name'] for field in fields)}, and this API key may not add "
                "them: open it once with the admin key (any `newsarchive` write does)."
            ) from error
        except ts.RequestMalformed:
            if self._read(lambda: missing(self._client)):  # else another process added them
                raise
        self._until_every_node(lambda client: not missing(client))

    # Writing

    def add(self, articles: Iterable[Article], batch_size: int = 5000) -> AddCounts:
        """Add or replace (by id) `articles`, importing them in batches of `batch_size`.

        Raises IndexingFailedError naming the articles Typesense refused (the others of the
        batch are in).
        """
        self._check_writable()
        total = AddCounts()
        iterator = iter(articles)
        while batch := list(islice(iterator, batch_size)):
            documents = self._documents(batch, self.collection)
            if self._store is not None:
                new, replaced = self._store.put(batch)
            else:
                existing = self._existing([article.id for article in batch])
                new, replaced = len(batch) - len(existing), len(existing)
            self._import(self.collection, documents)
            self._settle([article.id for article in batch[-100:]], present=True)
            total += AddCounts(new, replaced)
        return total

    def delete(self, article_id: str) -> None:
        """Remove the article with `article_id` from the cluster and the store."""
        self._check_writable()
        stored = self._store.delete(article_id) if self._store is not None else False
        try:
            self._write(lambda: self._documents_api().__getitem__(article_id).delete())
        except ts.ObjectNotFound:
            if not stored:
                raise ArticleNotFoundError(f"No article with id {article_id!r}.") from None
        self._settle([article_id], present=False)

    def rebuild(self, progress_every: int = 2000) -> int:
        """Reload the whole cluster from the article store; return the number indexed.

        The articles go into a new collection and the alias moves to it once it is whole, so
        searches see the old one until then.
        """
        self._check_writable()
        if self._store is None:
            raise ArchiveNotFoundError(
                "Rebuilding needs the article store: open the index with the archive's path."
            )
        name = self._new_collection()
        count = 0
        batch: list[Article] = []
        for article in self._store:
            batch.append(article)
            if len(batch) == 1000:
                self._import(name, self._documents(batch, name))
                count += len(batch)
                batch = []
                if count % progress_every < 1000:
                    logger.info("reindexed %d articles", count)
        if batch:
            self._import(name, self._documents(batch, name))
            count += len(batch)
        old = self._target()
        self._swap_in(name)
        self._settle_alias(name)
        if old and old != name:
            self._write(lambda: _collection(self._client, old).delete())
        return count

    def _documents(self, batch: list[Article], collection: str) -> list[dict[str, Any]]:
        """Return the Typesense documents of `batch`, near-duplicate keys included: the key of
        an earlier near-identical article (in `collection` or this batch), else its own id."""
        sketches = Sketches()
        prints = [fingerprint(article.text) for article in batch]
        found = self._indexed_keys(collection, batch, prints)
        now = int(time.time())
        documents = []
        for article, simhash in zip(batch, prints, strict=True):
            keys = bands(simhash) if simhash is not None else []
            dupkey = article.id
            if simhash is not None:
                dupkey = sketches.first(simhash) or found.get(article.id) or article.id
                sketches.add(simhash, dupkey)
            documents.append(to_document(article, dupkey, simhash, keys, now))
        return documents

    def _indexed_keys(
        self, collection: str, batch: list[Article], prints: list[int | None]
    ) -> dict[str, str]:
        """Return the dupkey of an indexed near-duplicate of each article of `batch` having one."""
        searches = [
            {
                "collection": collection,
                "q": "*",
                "filter_by": f"simband:=[{','.join(f'`{band}`' for band in bands(simhash))}]",
                "include_fields": "id,dupkey,simhash",
                "per_page": DUPLICATE_CANDIDATES + 1,
            }
            for simhash in prints
            if simhash is not None
        ]
        answers = self._multi_search(searches)
        keys = {}
        dated = [(a, p) for a, p in zip(batch, prints, strict=True) if p is not None]
        for (article, simhash), answer in zip(dated, answers, strict=True):
            for hit in answer.get("hits", []):
                document = hit["document"]
                other = int(document.get("simhash", "0"), 16)
                if document["id"] != article.id and is_near_duplicate(simhash, other):
                    keys[article.id] = document["dupkey"]
                    break
        return keys

    def _import(self, collection: str, documents: list[dict[str, Any]]) -> None:
        """Upsert `documents` into `collection`; IndexingFailedError for refused ones."""
        api = _collection(self._client, collection).documents
        answers = self._write(lambda: api.import_(documents, {"action": "upsert"}))
        refused = [
            f"{document['id']}: {answer.get('error', 'refused')}"
            for document, answer in zip(documents, answers, strict=True)
            if not answer.get("success")
        ]
        if refused:
            raise IndexingFailedError(
                f"Typesense refused {len(refused)} of {len(documents)} articles (the others "
                f"are indexed): {'; '.join(refused[:5])}"
            )

    def _write(self, call: Callable[[], T]) -> T:
        """Return `call()`, retried with backoff while the cluster is unavailable."""
        delay = FIRST_BACKOFF
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return call()
            except _UNAVAILABLE as error:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise self._unavailable(error) from error
                logger.warning("Typesense write failed (%s); retrying in %.2f s", error, delay)
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _settle(self, ids: list[str], present: bool) -> None:
        """Wait until every reachable node has applied the write of `ids` (or their deletion),
        so that the next search sees it wherever it lands."""
        search: dict[str, Any] = {"q": "*", "per_page": 0}
        if ids:  # else: wait for the collection (or alias) itself
            search["filter_by"] = f"id:[{','.join(f'`{i}`' for i in ids)}]"
        expected = len(ids) if present else 0

        def applied(client: typesense.Client) -> bool:
            found = _collection(client, self.collection).documents.search(search)["found"]
            return not ids or found == expected

        self._until_every_node(applied)

    def _settle_alias(self, name: str) -> None:
        """Wait until every reachable node points the alias at collection `name`, so that no
        search lands on the collection about to be dropped."""
        self._until_every_node(
            lambda client: client.aliases[self.collection].retrieve()["collection_name"] == name
        )

    def _until_every_node(self, done: Callable[[typesense.Client], bool]) -> None:
        """Wait until `done(node_client)` holds on every node that answers (a schema change
        reaches the followers a moment after the leader)."""
        deadline = time.monotonic() + REPLICATION_WAIT
        pending = list(self._node_clients)
        while pending and time.monotonic() < deadline:
            pending = [client for client in pending if not _holds(done, client)]
            if pending:
                time.sleep(0.05)
        if pending:
            logger.warning("%d Typesense nodes have not applied a change yet", len(pending))

    def _check_writable(self) -> None:
        if self.readonly:
            raise ArchiveReadOnlyError(
                f"The Typesense collection {self.collection!r} was opened read-only."
            )

    # Reading

    def search(
        self,
        q: str,
        *,
        filters: Filters | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        facets: Sequence[str] = DEFAULT_FACETS,
        collapse: bool = True,
        highlight: bool = True,
    ) -> SearchResults:
        """Return page `page` of the articles matching `q` under `filters` and the date range,
        as NewsIndex.search does (see indexer.typesense_query for how the query differs).

        `suggestion` is always None: Typesense 0.24 offers no did-you-mean.
        """
        if page < 1:
            raise QueryError("page must be >= 1")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if sort not in SORTS:
            raise QueryError(f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}.")
        started = time.perf_counter()
        text = normalise(q)
        query = translate(text)
        parts = filter_parts(filters, date_from, date_to)
        fields = [facet_field(name) for name in facets]
        own = [name for name in fields if name in parts]  # counted without their own filter
        shared = [name for name in fields if name not in parts]
        searches = [
            self._params(query, parts.values(), per_page=0, facets=shared),
            self._page_params(query, parts.values(), sort, page, per_page, collapse, highlight),
            *(self._params(query, _others(parts, name), per_page=0, facets=[name]) for name in own),
        ]
        counted, paged, *alone = self._multi_search(searches)
        facet_counts = _facet_counts([counted, *alone])
        documents = _page_documents(paged, collapse)
        copies = self._copies(query, parts.values(), documents) if collapse else {}
        return SearchResults(
            query=text,
            total=counted["found"],
            page=page,
            per_page=per_page,
            hits=[_hit(hit, copies.get(hit["document"]["dupkey"], 1) - 1) for hit in documents],
            facets={name: facet_counts.get(facet_field(name), []) for name in facets},
            suggestion=None,
            took_ms=(time.perf_counter() - started) * 1000,
        )

    def _params(
        self, query: Translation, filters: Iterable[str], per_page: int, facets: Sequence[str] = ()
    ) -> dict[str, Any]:
        """Return the search parameters of `query` under `filters`."""
        params: dict[str, Any] = {
            "collection": self.collection,
            "q": query.q,
            "query_by": ",".join(TEXT_FIELDS),
            "query_by_weights": ",".join(map(str, TEXT_WEIGHTS)),
            "num_typos": 0,
            "prefix": "false",
            "drop_tokens_threshold": query.drop_tokens_threshold,
            "typo_tokens_threshold": 0,
            "per_page": per_page,
            "exclude_fields": _NO_HIT_FIELDS,
        }
        filter_by = query.filter_by([part for part in filters if part])
        if filter_by:
            params["filter_by"] = filter_by
        if facets:
            params["facet_by"] = ",".join(facets)
            params["max_facet_values"] = MAX_FACET_VALUES
        return params

    def _page_params(
        self,
        query: Translation,
        filters: Iterable[str],
        sort: str,
        page: int,
        per_page: int,
        collapse: bool,
        highlight: bool,
    ) -> dict[str, Any]:
        """Return the search parameters of one page of hits."""
        params = self._params(query, filters, per_page)
        params.update(page=page, sort_by=_SORT_BY[sort])
        if collapse:
            params.update(group_by="dupkey", group_limit=1)
        if highlight:
            params.update(
                highlight_fields="text",
                highlight_start_tag=MARK_START,
                highlight_end_tag=MARK_END,
                highlight_affix_num_tokens=16,
                snippet_threshold=40,
            )
        else:
            params["highlight_fields"] = "none"
        return params

    def _copies(
        self, query: Translation, filters: Iterable[str], hits: list[dict[str, Any]]
    ) -> dict[str, int]:
        """Return how many matches share each near-duplicate key of `hits`."""
        keys = sorted({hit["document"]["dupkey"] for hit in hits})
        if not keys:
            return {}
        only = f"dupkey:=[{','.join(f'`{key}`' for key in keys)}]"
        params = self._params(query, [*filters, only], per_page=0, facets=["dupkey"])
        (answer,) = self._multi_search([params])
        return {pair["value"]: pair["count"] for pair in answer["facet_counts"][0]["counts"]}

    def count(self, q: str = "", **filters: str | Iterable[str]) -> int:
        """Return how many articles match `q` and `filters` (e.g. `source="VOA"`)."""
        query = translate(normalise(q))
        parts = filter_parts(filters, None, None)
        (answer,) = self._multi_search([self._params(query, parts.values(), per_page=0)])
        return int(answer["found"])

    def more_like_this(self, article_id: str, n: int = 10) -> list[Hit]:
        """Return up to `n` articles most like the one with `article_id` (its copies left out).

        Typesense 0.24 has no more-like-this, and its token dropping is no OR of many words:
        this searches each of the article's most distinctive words (frequent in it, rare in
        the collection: tf-idf over document frequencies asked of the cluster) on its own,
        scores every article by the weights of the words it holds and keeps the best of each
        near-duplicate key.
        """
        document = self._document(article_id)
        weights = self._key_words(from_document(document))
        own = f"dupkey:!=`{document['dupkey']}`"
        searches = []
        for word in weights:
            params = self._params(Translation(required=[word]), [own], per_page=MORE_LIKE_HITS)
            params["highlight_fields"] = "none"
            searches.append(params)
        scores: Counter[str] = Counter()
        found: dict[str, dict[str, Any]] = {}
        for word, answer in zip(weights, self._multi_search(searches), strict=True):
            for hit in answer["hits"]:
                scores[hit["document"]["id"]] += weights[word]
                found[hit["document"]["id"]] = hit
        best: dict[str, dict[str, Any]] = {}
        for article, score in sorted(scores.items(), key=lambda pair: (-pair[1], pair[0])):
            hit = {**found[article], "text_match": score}
            best.setdefault(hit["document"]["dupkey"], hit)
        return [_hit(hit, 0) for hit in list(best.values())[:n]]

    def _key_words(self, article: Article) -> dict[str, float]:
        """Return the MORE_LIKE_TERMS words of `article` with the highest tf-idf, and each
        one's weight."""
        text = f"{article.title}\n{article.description}\n{article.text}"
        counts = Counter(
            word for word in words(text) if len(word) > 2 and word not in STOP_WORDS and word != "0"
        )
        candidates = [word for word, _ in counts.most_common(MORE_LIKE_CANDIDATES)]
        searches = [self._params(Translation(required=[word]), [], 0) for word in candidates]
        answers = self._multi_search(searches)
        size = max(len(self), 1)
        weights = {
            word: counts[word] * math.log(1 + size / max(answer["found"], 1))
            for word, answer in zip(candidates, answers, strict=True)
            if answer["found"]
        }
        best = sorted(weights, key=lambda word: -weights[word])[:MORE_LIKE_TERMS]
        return {word: weights[word] for word in best}

    def duplicates(self, article_id: str, n: int = MAX_PER_PAGE) -> list[Hit]:
        """Return up to `n` near-duplicates of the article with `article_id` (not itself)."""
        key = self._document(article_id)["dupkey"]
        params = self._params(Translation(filters=[f"dupkey:=`{key}`"]), [], per_page=n + 1)
        params.update(sort_by=_SORT_BY["oldest"], highlight_fields="none")
        (answer,) = self._multi_search([params])
        hits = [hit for hit in answer["hits"] if hit["document"]["id"] != article_id]
        return [_hit(hit, 0) for hit in hits[:n]]

    def get(self, article_id: str) -> Article:
        """Return the stored article with `article_id` (from the store when there is one)."""
        if self._store is not None:
            article = self._store.get(article_id)
            if article is None:
                raise ArticleNotFoundError(f"No article with id {article_id!r}.")
            return article
        return from_document(self._document(article_id))

    def _document(self, article_id: str) -> dict[str, Any]:
        """Return the Typesense document with `article_id`."""
        try:
            return self._read(lambda: self._documents_api()[article_id].retrieve())
        except ts.ObjectNotFound:
            raise ArticleNotFoundError(f"No article with id {article_id!r}.") from None

    def articles(self) -> Iterator[Article]:
        """Yield every article (from the store when there is one, else the cluster's export)."""
        if self._store is not None:
            yield from self._store
            return
        exported = self._read(lambda: self._documents_api().export())
        for line in exported.splitlines():
            if line.strip():
                yield from_document(json.loads(line))

    def stats(self) -> dict[str, Any]:
        """Return article counts in total and by source, section, language and year, and when
        an article was last stored (`updated`), as the cluster holds them."""
        params = self._params(Translation(), [], 1, ["source", "section", "language", "year"])
        params.update(sort_by="stored_at:desc", include_fields="stored_at")
        (answer,) = self._multi_search([params])
        total = answer["found"]
        counts = _facet_counts([answer], ordered=False)
        latest = answer["hits"][0]["document"]["stored_at"] if answer["hits"] else None
        return {
            "articles": total,
            "updated": datetime.fromtimestamp(latest, UTC) if latest is not None else None,
            "sources": _with_missing(counts.get("source", []), total, "(none)"),
            "sections": _with_missing(counts.get("section", []), total, "(none)"),
            "languages": _with_missing(counts.get("language", []), total, "(none)"),
            "years": dict(
                sorted(_with_missing(counts.get("year", []), total, "(undated)").items())
            ),
        }

    def __len__(self) -> int:
        (answer,) = self._multi_search([self._params(Translation(), [], 0)])
        return int(answer["found"])

    def close(self) -> None:
        """Close the connections to the cluster and the store."""
        for client in (self._client, *self._node_clients):
            client.api_call.close()
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> TypesenseIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The cluster

    def _multi_search(self, searches: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Return the answers to `searches`, asked in as few requests as Typesense allows."""
        answers: list[dict[str, Any]] = []
        for start in range(0, len(searches), MULTI_SEARCH_LIMIT):
            chunk = searches[start : start + MULTI_SEARCH_LIMIT]
            answer = self._read(lambda c=chunk: self._client.multi_search.perform({"searches": c}))
            for result in answer["results"]:
                if "error" in result:
                    raise _search_error(result)
                answers.append(result)
        return answers

    def _existing(self, ids: list[str]) -> set[str]:
        """Return which of `ids` the collection holds."""
        searches = [
            {
                "collection": self.collection,
                "q": "*",
                "filter_by": f"id:[{','.join(f'`{i}`' for i in ids[s : s + 250])}]",
                "include_fields": "id",
                "per_page": 250,
            }
            for s in range(0, len(ids), 250)
        ]
        return {
            hit["document"]["id"]
            for answer in self._multi_search(searches)
            for hit in answer["hits"]
        }

    def _read(self, call: Callable[[], T]) -> T:
        """Return `call()`; BackendUnavailableError when no node answers."""
        try:
            return call()
        except _UNAVAILABLE as error:
            raise self._unavailable(error) from error
        except ts.RequestUnauthorized as error:
            raise BackendUnavailableError(
                f"The Typesense cluster at {', '.join(self.nodes)} refused the API key: give "
                "the key its servers were started with."
            ) from error

    def _unavailable(self, error: Exception) -> BackendUnavailableError:
        """Return the error for a cluster that did not answer."""
        return BackendUnavailableError(
            f"The Typesense cluster at {', '.join(self.nodes)} did not answer ({error}): check "
            "that its servers run and that most of them are up (a write needs a majority)."
        )

    def _documents_api(self) -> Any:
        return _collection(self._client, self.collection).documents

    def _exists(self) -> bool:
        """Return whether the collection alias exists in the cluster."""
        return self._target() is not None

    def _target(self) -> str | None:
        """Return the collection the alias points to (None if there is no alias)."""
        try:
            return self._read(lambda: self._client.aliases[self.collection].retrieve())[
                "collection_name"
            ]
        except ts.ObjectNotFound:
            return None

    def _new_collection(self) -> str:
        """Create and return a new, empty collection for the alias to point to."""
        name = f"{self.collection}_{time.time_ns()}"
        self._write(lambda: self._client.collections.create(collection_schema(name)))
        self._until_every_node(lambda client: _collection(client, name).retrieve() is not None)
        return name

    def _swap_in(self, name: str) -> None:
        """Point the alias at collection `name`."""
        self._write(lambda: self._client.aliases.upsert(self.collection, {"collection_name": name}))


def _client(
    nodes: Sequence[str], api_key: str, protocol: str, timeout: float, retries: int
) -> typesense.Client:
    """Return a Typesense client of `nodes` ("host:port")."""
    config: list[dict[str, Any]] = []
    for node in nodes:
        host, _, port = node.rpartition(":")
        if not host or not port.isdigit():
            raise BackendUnavailableError(
                f"Could not read the Typesense node {node!r}: write host:port."
            )
        config.append({"host": host, "port": int(port), "protocol": protocol})
    with warnings.catch_warnings():
        # The client builds its deprecated analytics v1 API on creation, warning each time.
        warnings.simplefilter("ignore", DeprecationWarning)
        return typesense.Client(
            {
                "nodes": config,
                "api_key": api_key,
                "connection_timeout_seconds": timeout,
                "num_retries": retries,
                "retry_interval_seconds": 0.1,
                "healthcheck_interval_seconds": 2,
            }
        )


def _collection(client: typesense.Client, name: str) -> Any:
    """Return the client's API of collection `name`."""
    with warnings.catch_warnings():
        # The client builds a collection's deprecated overrides API on creation, warning.
        warnings.simplefilter("ignore", DeprecationWarning)
        return client.collections[name]


def _holds(done: Callable[[typesense.Client], bool], client: typesense.Client) -> bool:
    """Return `done(client)`: False while the node lacks the object, True if it does not
    answer (it catches up when it comes back)."""
    try:
        return done(client)
    except ts.ObjectNotFound:
        return False
    except (ts.TypesenseClientError, httpx.HTTPError):
        return True


def _search_error(result: dict[str, Any]) -> Exception:
    """Return the error for one failed search of a multi_search."""
    if result.get("code") == 404:
        return ArchiveNotFoundError(f"The Typesense collection is missing: {result['error']}")
    if result.get("code", 500) >= 500:
        return BackendUnavailableError(f"The Typesense cluster failed a search: {result['error']}")
    return QueryError(f"Typesense could not run the query: {result['error']}")


def _others(parts: dict[str, str], name: str) -> list[str]:
    """Return the filters of every field but `name`."""
    return [condition for field, condition in parts.items() if field != name]


def _facet_counts(answers: list[dict[str, Any]], ordered: bool = True) -> dict[str, list[Any]]:
    """Return each facet's (value, count) pairs from `answers` (in display order)."""
    counts = {}
    for answer in answers:
        for facet in answer.get("facet_counts", []):
            groups = {pair["value"]: pair["count"] for pair in facet["counts"]}
            name = facet["field_name"]
            if name in DEFAULTS:  # articles indexed before the field was added hold no value
                unvalued = answer["found"] - sum(groups.values())
                if unvalued:
                    groups[DEFAULTS[name]] = groups.get(DEFAULTS[name], 0) + unvalued
            counts[name] = ordered_counts(name, groups) if ordered else list(groups.items())
    return counts


def _with_missing(pairs: list[tuple[str, int]], total: int, label: str) -> dict[str, int]:
    """Return `pairs` as a dict, with the articles having no value counted under `label`."""
    counts = dict(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))
    missing = total - sum(counts.values())
    if missing > 0:
        counts[label] = missing
    return counts


def _page_documents(answer: dict[str, Any], grouped: bool) -> list[dict[str, Any]]:
    """Return the hits of a page, the first of each group when `grouped`."""
    if grouped:
        return [group["hits"][0] for group in answer.get("grouped_hits", []) if group["hits"]]
    return answer.get("hits", [])


def _hit(hit: dict[str, Any], duplicates: int) -> Hit:
    """Return the `Hit` of one Typesense search hit."""
    document = hit["document"]
    published = document.get("published")
    return Hit(
        id=document["id"],
        url=document.get("url", ""),
        title=document.get("title", ""),
        source=document.get("source", ""),
        section=document.get("section", ""),
        authors=list(document.get("authors", [])),
        published=datetime.fromtimestamp(published, UTC) if published is not None else None,
        language=document.get("language", ""),
        access=document.get("access", DEFAULTS["access"]),
        snippet=marked_snippet(hit),
        score=float(hit.get("text_match", 0)),
        duplicates=duplicates,
    )


def marked_snippet(hit: dict[str, Any]) -> str:
    """Return the hit's body snippet as HTML: escaped, its highlights in `<mark>`; the start
    of the body when the body holds no match."""
    for highlight in hit.get("highlights", []):
        if highlight.get("field") == "text" and MARK_START in highlight.get("snippet", ""):
            escaped = html.escape(highlight["snippet"], quote=False)
            return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return html.escape(shorten(hit["document"].get("text", "")), quote=False)
