"""Search speed: newsarchive (Whoosh) against SQLite FTS5 on the same synthetic news corpus.

    python benchmarks/search_speed.py [--docs 20000] [--queries 50] [--seed 1]
        [--out DIR | --reuse DIR]

A seeded generator writes `--docs` articles: made-up words drawn from a Zipf distribution
(50,000 words, exponent 1.1), titles of 6-12 words, bodies of 400-800 words with fixed
two-word phrases planted in about half of them, 20 sources, 10 sections, 500 authors and
publication dates over 20 years. Both engines index the same articles in one bulk load
(docs/s and size on disk), then answer the same queries of six types, `--queries` of each
after a warm-up: one term, two terms OR-ed, two terms AND-ed, a phrase, a term within a
date range, and a term with section and source counts over all its matches. Each prints
median and p95 latency; the ratios (newsarchive / FTS5) survive a noisy machine.
`--out` keeps both indexes in DIR instead of a temporary folder; `--reuse DIR` times the
queries again on them (same `--seed`) without generating or indexing anything.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import itertools
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

VOCABULARY = 50_000
ZIPF_EXPONENT = 1.1
SOURCES = 20
SECTION_NAMES = (
    "politics", "business", "world", "sport", "culture",
    "science", "technology", "opinion", "health", "local",
)  # fmt: skip
AUTHORS = 500
PHRASES = 50
FIRST_DAY = datetime(2005, 1, 1, tzinfo=UTC)
YEARS = 20
WARMUP = 5
# Query words by frequency rank (1 = most frequent): the document frequencies they give.
TERM_RANKS = (200, 2000)  # one term: in about 2%-25% of the articles
OR_RANKS = (200, 5000)
AND_RANKS = (50, 1000)  # each in 4%-60%, so both together still match hundreds
PHRASE_RANKS = (100, 2000)  # phrase words common on their own: the position check works
SEARCH_KEYWORDS = ("facets", "collapse", "date_from", "date_to")
KINDS = ("term", "or", "and", "phrase", "term+date", "term+facets")
FILTERED_KINDS = ("term+date", "term+facets")

_ONSETS = "b c d f g h j k l m n p r s t v w z br dr gr kr pl st tr ch sh th".split()
_VOWELS = "a e i o u a e i o ai ea ou".split()
_CODAS = ["", "", "", "", "n", "r", "l", "s", "m", "k", "t", "nd"]
_UNWANTED = ("shit", "fuk", "fuc", "cum", "dik", "tit", "nig", "fag", "rape", "sex", "cok", "kok")


@dataclass(frozen=True)
class Corpus:
    """The generated articles and the vocabulary (most frequent word first) behind them."""

    articles: list[Any]
    words: list[str]
    phrases: list[tuple[str, str]]


@dataclass(frozen=True)
class Query:
    """One query: its text (the same syntax for both engines) and optional date range."""

    kind: str
    text: str
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Timings:
    """Per-query latencies (seconds) and match totals of one engine on one query type."""

    seconds: list[float] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)


# Corpus


def make_words(rng: random.Random, count: int) -> list[str]:
    """Return `count` distinct made-up words, shorter ones first (they get the high ranks).

    Every word is its own Porter stem and no stop word, so both engines index it as written.
    """
    from whoosh.analysis import STOP_WORDS
    from whoosh.lang.porter import stem

    seen: set[str] = set()
    words: list[tuple[float, str]] = []
    while len(words) < count:
        syllables = rng.choices((1, 2, 3, 4), weights=(2, 5, 4, 2))[0]
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if len(word) < 3 or word in seen or word in STOP_WORDS or stem(word) != word:
            continue
        if any(part in word for part in _UNWANTED):
            continue
        seen.add(word)
        words.append((len(word) + rng.uniform(-2.0, 2.0), word))
    return [word for _key, word in sorted(words)]


def zipf_weights(count: int, exponent: float) -> list[float]:
    """Return cumulative Zipf weights for ranks 1..count."""
    return list(itertools.accumulate(1.0 / rank**exponent for rank in range(1, count + 1)))


def rank_word(rng: random.Random, words: list[str], ranks: tuple[int, int]) -> str:
    """Return a word whose rank is drawn log-uniformly from `ranks` (both inclusive)."""
    low, high = math.log(ranks[0]), math.log(ranks[1] + 1)
    return words[int(math.exp(rng.uniform(low, high))) - 1]


def sentences(rng: random.Random, tokens: list[str]) -> list[str]:
    """Return `tokens` cut into capitalised sentences of 8-25 words."""
    out, start = [], 0
    while start < len(tokens):
        end = min(len(tokens), start + rng.randint(8, 25))
        part = tokens[start:end]
        out.append(" ".join([part[0].capitalize(), *part[1:]]) + ".")
        start = end
    return out


def body_text(rng: random.Random, tokens: list[str]) -> str:
    """Return `tokens` as paragraphs of 2-6 sentences separated by blank lines."""
    parts = sentences(rng, tokens)
    paragraphs, start = [], 0
    while start < len(parts):
        end = start + rng.randint(2, 6)
        paragraphs.append(" ".join(parts[start:end]))
        start = end
    return "\n\n".join(paragraphs)


def vocabulary(rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    """Return the corpus words (most frequent first) and the phrases planted in bodies."""
    words = make_words(rng, VOCABULARY)
    phrases: list[tuple[str, str]] = []
    while len(phrases) < PHRASES:
        pair = (rank_word(rng, words, PHRASE_RANKS), rank_word(rng, words, PHRASE_RANKS))
        if pair[0] != pair[1] and pair not in phrases:
            phrases.append(pair)
    return words, phrases


def generate(docs: int, seed: int) -> Corpus:
    """Return `docs` deterministic synthetic articles (same `seed`, same corpus)."""
    words, phrases = vocabulary(random.Random(seed))
    return Corpus(list(iter_articles(docs, seed)), words, phrases)


def iter_articles(docs: int, seed: int, report_every: int = 2000) -> Iterator[Any]:
    """Yield the articles of `generate(docs, seed)` one at a time (none held in memory)."""
    from crawler import Article

    rng = random.Random(seed)
    words, phrases = vocabulary(rng)
    cumulative = zipf_weights(VOCABULARY, ZIPF_EXPONENT)
    sources = [f"{words[300 + n]}{words[900 + n]}.example" for n in range(SOURCES)]
    source_weights = [1.0 / (n + 1) ** 0.7 for n in range(SOURCES)]
    section_weights = [1.0 / (n + 1) ** 0.5 for n in range(len(SECTION_NAMES))]
    names = list(itertools.product(words[2000:2040], words[5000:5040]))
    authors = [f"{first.capitalize()} {last.capitalize()}" for first, last in names[:AUTHORS]]
    span = (FIRST_DAY.replace(year=FIRST_DAY.year + YEARS) - FIRST_DAY).total_seconds()

    started = time.perf_counter()
    for n in range(docs):
        title = rng.choices(words, cum_weights=cumulative, k=rng.randint(6, 12))
        tokens = rng.choices(words, cum_weights=cumulative, k=rng.randint(400, 800))
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(tokens) - 1)
                tokens[at : at + 2] = rng.choice(phrases)
        text = body_text(rng, tokens)
        source = rng.choices(sources, weights=source_weights)[0]
        section = rng.choices(SECTION_NAMES, weights=section_weights)[0]
        published = FIRST_DAY + timedelta(seconds=rng.uniform(0, span))
        slug = "-".join(title[:5])
        yield Article(
            url=f"https://{source}/{section}/{published:%Y/%m/%d}/{slug}-{n}",
            title=" ".join([title[0].capitalize(), *title[1:]]),
            text=text,
            authors=rng.sample(authors, rng.randint(1, 2)),
            published=published,
            section=section,
            source=source,
            language="en",
            description=text.split(". ", 1)[0] + ".",
        )
        if report_every and ((n + 1) % report_every == 0 or n + 1 == docs):
            rate = (n + 1) / (time.perf_counter() - started)
            progress(f"generated {n + 1:,}/{docs:,} articles ({rate:,.0f}/s)")


def synthetic_archive(folder: Path | None, docs: int, seed: int) -> Path:
    """Index `docs` generated articles (one bulk load) into a new archive in `folder`, or in a
    temporary folder when None; return the folder."""
    from indexer import NewsIndex

    folder = folder or Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    progress(f"indexing {docs:,} synthetic articles into {folder}")
    articles = generate(docs, seed).articles
    started = time.perf_counter()
    with NewsIndex.open(folder, create=True) as index:
        index.add(articles, batch_size=len(articles))
    progress(f"indexed {docs:,} articles in {time.perf_counter() - started:.0f} s")
    return folder


def make_queries(corpus: Corpus, count: int, seed: int) -> dict[str, list[Query]]:
    """Return `count` queries of each type, drawn from frequency ranks with their own seed."""
    rng = random.Random(seed)
    words = corpus.words
    queries: dict[str, list[Query]] = {kind: [] for kind in KINDS}
    for n in range(count):
        term = rank_word(rng, words, TERM_RANKS)
        queries["term"].append(Query("term", term))
        a, b = rank_word(rng, words, OR_RANKS), rank_word(rng, words, OR_RANKS)
        queries["or"].append(Query("or", f"{a} OR {b}"))
        a, b = rank_word(rng, words, AND_RANKS), rank_word(rng, words, AND_RANKS)
        queries["and"].append(Query("and", f"{a} AND {b}"))
        first, second = corpus.phrases[n % len(corpus.phrases)]
        queries["phrase"].append(Query("phrase", f'"{first} {second}"'))
        start = FIRST_DAY.year + rng.randrange(YEARS)
        end = min(FIRST_DAY.year + YEARS - 1, start + rng.randint(0, 4))
        term = rank_word(rng, words, TERM_RANKS)
        queries["term+date"].append(Query("term+date", term, date(start, 1, 1), date(end, 12, 31)))
        queries["term+facets"].append(Query("term+facets", rank_word(rng, words, TERM_RANKS)))
    return queries


# Engines


class Newsarchive:
    """newsarchive's `NewsIndex` in a folder, searched through its Python API."""

    def __init__(self, folder: Path) -> None:
        from indexer import NewsIndex

        self.folder = folder
        self.index = NewsIndex.open(folder, create=True)
        params = inspect.signature(NewsIndex.search).parameters
        self.missing = [name for name in SEARCH_KEYWORDS if name not in params]

    def load(self, articles: list[Any]) -> str:
        """Add every article in one bulk load; return how."""
        add = self.index.add
        if "bulk" in inspect.signature(add).parameters:
            add(articles, bulk=True)
            return "add(articles, bulk=True)"
        bulk = getattr(self.index, "bulk", None)
        if callable(bulk):
            with bulk() as loader:
                loader.add(articles)
            return "with index.bulk() as b: b.add(articles)"
        add(articles, batch_size=len(articles))
        return "add(articles, batch_size=len(articles))"

    def supports(self, kind: str) -> bool:
        """Return whether this API can run query type `kind`."""
        return not self.missing or kind not in FILTERED_KINDS

    def search(self, query: Query) -> int:
        """Run `query` for the first page of 10 hits; return the total of matches."""
        if self.missing:
            return self.index.search(query.text, highlight=False).total
        if query.kind == "term+facets":
            return self.index.search(
                query.text, facets=("section", "source"), highlight=False, collapse=False
            ).total
        extra = {}
        if query.date_from is not None:
            extra = {"date_from": query.date_from, "date_to": query.date_to}
        return self.index.search(
            query.text, facets=(), highlight=False, collapse=False, **extra
        ).total

    def size(self) -> int:
        """Return the bytes the archive folder takes on disk."""
        return folder_size(self.folder)

    def close(self) -> None:
        """Close the index."""
        self.index.close()


class Fts5:
    """SQLite FTS5 (title, body; Porter stemming, bm25) beside a plain metadata table."""

    TOP = "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 1.0) LIMIT 10"
    TOP_DATED = (
        "SELECT docs.rowid FROM docs JOIN meta ON meta.rowid = docs.rowid "
        "WHERE docs MATCH ? AND meta.published BETWEEN ? AND ? "
        "ORDER BY bm25(docs, 3.0, 1.0) LIMIT 10"
    )
    COUNT = "SELECT count(*) FROM docs WHERE docs MATCH ?"
    COUNT_DATED = (
        "SELECT count(*) FROM docs JOIN meta ON meta.rowid = docs.rowid "
        "WHERE docs MATCH ? AND meta.published BETWEEN ? AND ?"
    )
    FACETS = (
        "SELECT meta.section, meta.source, count(*) FROM docs "
        "JOIN meta ON meta.rowid = docs.rowid WHERE docs MATCH ? "
        "GROUP BY meta.section, meta.source"
    )
    HITS = (
        "SELECT meta.url, docs.title, meta.source, meta.section, meta.authors, "
        "meta.published, substr(docs.body, 1, 240) FROM docs "
        "JOIN meta ON meta.rowid = docs.rowid WHERE docs.rowid IN ({})"
    )

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = path
        self.facets: dict[str, list[tuple[str, int]]] = {}
        self.conn = sqlite3.connect(path)
        if not create:
            return
        self.conn.executescript(
            """
            CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'porter unicode61');
            CREATE TABLE meta (
                rowid INTEGER PRIMARY KEY, url TEXT, source TEXT, section TEXT,
                authors TEXT, language TEXT, published INTEGER
            );
            """
        )

    def load(self, articles: list[Any], chunk: int = 2000) -> str:
        """Insert every article in one transaction, then merge the index; return how."""
        started = time.perf_counter()
        with self.conn:
            for start in range(0, len(articles), chunk):
                part = list(enumerate(articles[start : start + chunk], start + 1))
                self.conn.executemany(
                    "INSERT INTO docs (rowid, title, body) VALUES (?, ?, ?)",
                    [(n, a.title, a.text) for n, a in part],
                )
                self.conn.executemany(
                    "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (n, a.url, a.source, a.section, ",".join(a.authors), a.language,
                         int(a.published.timestamp()))
                        for n, a in part
                    ],
                )  # fmt: skip
                done = start + len(part)
                rate = done / (time.perf_counter() - started)
                progress(f"FTS5: inserted {done:,}/{len(articles):,} ({rate:,.0f} docs/s)")
            self.conn.execute("CREATE INDEX meta_published ON meta (published)")
            self.conn.execute("INSERT INTO docs (docs) VALUES ('optimize')")
        return "one transaction, then 'optimize'"

    def supports(self, kind: str) -> bool:
        """Return True: FTS5 runs every query type."""
        return True

    def search(self, query: Query) -> int:
        """Run `query` for the first page of 10 hits; return the total of matches."""
        conn = self.conn
        if query.date_from is not None:
            low = int(datetime.combine(query.date_from, datetime.min.time(), UTC).timestamp())
            high = int(datetime.combine(query.date_to, datetime.max.time(), UTC).timestamp())
            args: tuple[Any, ...] = (query.text, low, high)
            top = conn.execute(self.TOP_DATED, args).fetchall()
            total = conn.execute(self.COUNT_DATED, args).fetchone()[0]
        else:
            top = conn.execute(self.TOP, (query.text,)).fetchall()
            if query.kind == "term+facets":
                sections: Counter[str] = Counter()
                sources: Counter[str] = Counter()
                for section, source, count in conn.execute(self.FACETS, (query.text,)):
                    sections[section] += count
                    sources[source] += count
                self.facets = {
                    "section": sections.most_common(),
                    "source": sources.most_common(),
                }
                total = sum(sections.values())
            else:
                total = conn.execute(self.COUNT, (query.text,)).fetchone()[0]
        ids = [row[0] for row in top]
        if ids:
            conn.execute(self.HITS.format(",".join("?" * len(ids))), ids).fetchall()
        return total

    def size(self) -> int:
        """Return the bytes the database file takes on disk."""
        return self.path.stat().st_size

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


# Measuring


def progress(message: str) -> None:
    """Print a progress line to stderr."""
    print(message, file=sys.stderr, flush=True)


def folder_size(folder: Path) -> int:
    """Return the total bytes of the files under `folder`."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def heartbeat(label: str, every: float = 15.0) -> Callable[[], None]:
    """Print `label` and the seconds elapsed every `every` s until the returned stop is called."""
    stop, started = threading.Event(), time.perf_counter()

    def beat() -> None:
        while not stop.wait(every):
            progress(f"{label}: {time.perf_counter() - started:.0f} s so far")

    threading.Thread(target=beat, daemon=True).start()
    return stop.set


def timed_load(name: str, engine: Newsarchive | Fts5, articles: list[Any]) -> float:
    """Load `articles` into `engine`; return the seconds it took."""
    progress(f"{name}: indexing {len(articles):,} articles")
    stop = heartbeat(f"{name}: indexing")
    started = time.perf_counter()
    try:
        how = engine.load(articles)
    finally:
        stop()
    took = time.perf_counter() - started
    progress(f"{name}: {len(articles):,} articles in {took:.1f} s via {how}")
    return took


def run_queries(
    engines: dict[str, Newsarchive | Fts5],
    queries: dict[str, list[Query]],
    warmups: dict[str, list[Query]],
) -> dict[str, dict[str, Timings]]:
    """Time every query on every engine that supports it, alternating which goes first."""
    results: dict[str, dict[str, Timings]] = {kind: {} for kind in KINDS}
    for kind in KINDS:
        names = [name for name, engine in engines.items() if engine.supports(kind)]
        for name in names:
            for query in warmups[kind]:
                engines[name].search(query)
            results[kind][name] = Timings()
        for n, query in enumerate(queries[kind]):
            for name in names if n % 2 == 0 else names[::-1]:
                started = time.perf_counter()
                total = engines[name].search(query)
                took = time.perf_counter() - started
                results[kind][name].seconds.append(took)
                results[kind][name].totals.append(total)
        progress(f"queried {kind}: {len(queries[kind])} queries x {len(names)} engines")
    return results


def p95(values: list[float]) -> float:
    """Return the 95th percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(
    results: dict[str, dict[str, Timings]],
    loads: dict[str, float],
    sizes: dict[str, int],
    docs: int,
    missing: list[str],
) -> None:
    """Print the latency table, the geometric mean of ratios and the indexing figures."""
    print(
        f"{'query type':<12} {'hits NA':>8} {'hits FTS':>8} {'NA med':>8} {'NA p95':>8} "
        f"{'FTS med':>8} {'FTS p95':>8} {'NA/FTS':>7}"
    )
    print("-" * 76)
    ratios = []
    for kind, by_engine in results.items():
        fts = by_engine["fts5"]
        ours = by_engine.get("newsarchive")
        fts_cols = (
            f"{statistics.mean(fts.totals):8.0f}",
            f"{statistics.median(fts.seconds) * 1000:8.2f}",
            f"{p95(fts.seconds) * 1000:8.2f}",
        )
        if ours is None:
            print(f"{kind:<12} {'-':>8} {fts_cols[0]} {'-':>8} {'-':>8} {fts_cols[1]} "
                  f"{fts_cols[2]} {'-':>7}")  # fmt: skip
            continue
        ratio = statistics.median(ours.seconds) / statistics.median(fts.seconds)
        ratios.append(ratio)
        print(
            f"{kind:<12} {statistics.mean(ours.totals):8.0f} {fts_cols[0]} "
            f"{statistics.median(ours.seconds) * 1000:8.2f} {p95(ours.seconds) * 1000:8.2f} "
            f"{fts_cols[1]} {fts_cols[2]} {ratio:7.2f}"
        )
    print("-" * 76)
    print("latencies in ms (median, p95); hits = mean total matches per query")
    if ratios:
        geomean = math.exp(statistics.mean(math.log(r) for r in ratios))
        print(f"geometric mean of NA/FTS median ratios ({len(ratios)} types): {geomean:.2f}")
    if missing:
        print(f"newsarchive ran without {', '.join(missing)}: its filtered types were skipped")
    if not loads:
        return
    rates = {name: docs / seconds for name, seconds in loads.items()}
    for name, label in (("newsarchive", "newsarchive"), ("fts5", "FTS5")):
        print(
            f"indexing {label:<11} {rates[name]:8.1f} docs/s ({loads[name]:6.1f} s), "
            f"{sizes[name] / 1e6:7.1f} MB on disk"
        )
    print(f"indexing rate NA/FTS: {rates['newsarchive'] / rates['fts5']:.2f}")


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus, index it in both engines, time the queries, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--docs", type=int, default=20_000, help="articles to generate")
    parser.add_argument("--queries", type=int, default=50, help="timed queries per type")
    parser.add_argument("--out", help="keep both indexes in this folder")
    parser.add_argument("--seed", type=int, default=1, help="corpus and query seed")
    parser.add_argument(
        "--reuse", help="time the queries again on the indexes an earlier --out kept in this folder"
    )
    args = parser.parse_args(argv)
    if args.reuse:
        return requery(Path(args.reuse), args.queries, args.seed)

    corpus = generate(args.docs, args.seed)
    queries = make_queries(corpus, args.queries, args.seed + 1)
    warmups = make_queries(corpus, WARMUP, args.seed + 2)
    if args.out is not None and Path(args.out).exists() and any(Path(args.out).iterdir()):
        parser.error(f"{args.out} is not empty: pick a new --out folder")
    keep = contextlib.nullcontext(args.out)
    with keep if args.out else tempfile.TemporaryDirectory(prefix="search-speed-") as name:
        folder = Path(name)
        folder.mkdir(parents=True, exist_ok=True)
        ours = Newsarchive(folder / "newsarchive")
        if ours.missing:
            progress(
                f"NOTE: NewsIndex.search has no {', '.join(ours.missing)} yet: newsarchive "
                "runs index.search(q, highlight=False) and skips the date and facet types"
            )
        fts = Fts5(folder / "fts5.sqlite")
        engines: dict[str, Newsarchive | Fts5] = {"newsarchive": ours, "fts5": fts}
        loads = {
            name: timed_load(name, engine, corpus.articles) for name, engine in engines.items()
        }
        sizes = {name: engine.size() for name, engine in engines.items()}
        del corpus
        results = run_queries(engines, queries, warmups)
        for engine in engines.values():
            engine.close()
    print(f"{args.docs:,} articles, {args.queries} queries per type, {os.cpu_count()} CPUs")
    report(results, loads, sizes, args.docs, ours.missing)
    return 0


def requery(folder: Path, count: int, seed: int) -> int:
    """Time the queries on the indexes kept in `folder` by an earlier run with the same seed."""
    words, phrases = vocabulary(random.Random(seed))
    corpus = Corpus([], words, phrases)
    ours = Newsarchive(folder / "newsarchive")
    engines: dict[str, Newsarchive | Fts5] = {
        "newsarchive": ours,
        "fts5": Fts5(folder / "fts5.sqlite", create=False),
    }
    docs = len(ours.index)
    results = run_queries(
        engines, make_queries(corpus, count, seed + 1), make_queries(corpus, WARMUP, seed + 2)
    )
    for engine in engines.values():
        engine.close()
    print(f"{docs:,} articles (reused from {folder}), {count} queries per type, "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    report(results, {}, {}, docs, ours.missing)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
