"""Ranking quality: nDCG@10 and MAP of newsarchive's search on a judged news collection.

    python benchmarks/relevance/evaluate.py [--per-query] [--fts5]

The collection is the sample archive's 323 articles (sample_archive/expected.jsonl) plus the
English articles in articles.jsonl beside this script; queries.jsonl holds the queries (each in
the dev or the test split) and qrels.jsonl the graded judgments (0-3). A fresh temporary archive
indexes every article, and each query runs through `NewsIndex.search(query, per_page=100)` with
default settings. nDCG@10 uses the grade as the gain and a log2(rank + 1) discount against the
ideal ordering of all judged grades; MAP counts grade >= 1 as relevant. Unjudged results count
as non-relevant. `--fts5` scores a plain SQLite FTS5 bm25 baseline (title and body columns,
porter tokenizer, the query's words OR-ed) on the same queries. See README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLE = ROOT / "sample_archive" / "expected.jsonl"
ARTICLES = HERE / "articles.jsonl"
QUERIES = HERE / "queries.jsonl"
QRELS = HERE / "qrels.jsonl"
DEPTH = 100  # results fetched per query (MAP is computed over these)
CUTOFF = 10  # nDCG@10
SPLITS = ("dev", "test", "all")
FTS5_SCHEMA = (
    "CREATE VIRTUAL TABLE docs USING fts5"
    "(url UNINDEXED, title, body, tokenize = 'porter unicode61')"
)
FTS5_TOP = "SELECT url FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 3.0, 1.0) LIMIT ?"

Run = dict[str, list[str]]  # query id -> ranked URLs
Qrels = dict[str, dict[str, int]]  # query id -> URL -> grade


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Return the JSON objects on the non-blank lines of `path`."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def load_records() -> list[dict[str, Any]]:
    """Return the collection's article records: the sample archive's, then ours."""
    return read_jsonl(SAMPLE) + read_jsonl(ARTICLES)


def to_articles(records: Iterable[dict[str, Any]]) -> list[Any]:
    """Build `crawler.Article`s from records, leaving out keys the dataclass does not have."""
    from crawler import Article

    known = {f.name for f in fields(Article)}
    return [Article.from_dict({k: v for k, v in r.items() if k in known}) for r in records]


def load_qrels() -> Qrels:
    """Return the judgments as {query id: {url: grade}}."""
    qrels: Qrels = {}
    for row in read_jsonl(QRELS):
        qrels.setdefault(row["query"], {})[row["url"]] = int(row["grade"])
    return qrels


def run_newsarchive(records: list[dict[str, Any]], queries: list[dict[str, str]]) -> Run:
    """Index `records` in a fresh temporary archive and return its ranking for every query."""
    from indexer import NewsIndex, QueryError

    run: Run = {}
    with tempfile.TemporaryDirectory(prefix="relevance-") as folder:
        index = NewsIndex.open(folder, create=True)
        try:
            index.add(to_articles(records))
            for query in queries:
                try:
                    hits = index.search(query["query"], per_page=DEPTH).hits
                except QueryError as exc:
                    print(f"{query['id']}: QueryError: {exc}", file=sys.stderr)
                    hits = []
                run[query["id"]] = [hit.url for hit in hits]
        finally:
            index.close()
    return run


def fts5_match(text: str) -> str:
    """Return an FTS5 query OR-ing the words of `text`, each quoted (empty if it has none)."""
    return " OR ".join(f'"{word}"' for word in re.findall(r"\w+", text.lower()))


def run_fts5(records: list[dict[str, Any]], queries: list[dict[str, str]]) -> Run:
    """Return a plain SQLite FTS5 bm25 ranking (title weighted 3, body 1) for every query."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute(FTS5_SCHEMA)
        db.executemany(
            "INSERT INTO docs (url, title, body) VALUES (?, ?, ?)",
            ((r["url"], r["title"], r["text"]) for r in records),
        )
        run: Run = {}
        for query in queries:
            match = fts5_match(query["query"])
            rows = db.execute(FTS5_TOP, (match, DEPTH)).fetchall() if match else []
            run[query["id"]] = [url for (url,) in rows]
        return run
    finally:
        db.close()


def unique(ranking: Iterable[str]) -> list[str]:
    """Return `ranking` with repeated URLs dropped (the first occurrence keeps its rank)."""
    return list(dict.fromkeys(ranking))


def ndcg(ranking: list[str], grades: dict[str, int], k: int = CUTOFF) -> float:
    """Return nDCG@k with gain = grade and a log2(rank + 1) discount."""
    dcg = sum(grades.get(url, 0) / math.log2(rank + 1) for rank, url in enumerate(ranking[:k], 1))
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    best = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return dcg / best if best else 0.0


def average_precision(ranking: list[str], grades: dict[str, int]) -> float:
    """Return average precision, counting grade >= 1 as relevant, over all judged relevant."""
    relevant = {url for url, grade in grades.items() if grade >= 1}
    found, total = 0, 0.0
    for rank, url in enumerate(ranking, 1):
        if url in relevant:
            found += 1
            total += found / rank
    return total / len(relevant) if relevant else 0.0


def first_relevant(ranking: list[str], grades: dict[str, int]) -> int | None:
    """Return the rank of the first result graded >= 1, or None if none was returned."""
    return next((r for r, url in enumerate(ranking, 1) if grades.get(url, 0) >= 1), None)


def score(run: Run, qrels: Qrels) -> dict[str, tuple[float, float]]:
    """Return {query id: (nDCG@10, AP)} for every judged query in `run`."""
    out = {}
    for qid, grades in qrels.items():
        ranking = unique(run.get(qid, []))
        out[qid] = (ndcg(ranking, grades), average_precision(ranking, grades))
    return out


def split_means(
    scores: dict[str, tuple[float, float]], split_of: dict[str, str]
) -> dict[str, tuple[float, float, int]]:
    """Return {split: (mean nDCG@10, MAP, number of queries)} for dev, test and all."""
    means = {}
    for split in SPLITS:
        ids = [q for q in scores if split == "all" or split_of.get(q) == split]
        if ids:
            means[split] = (
                statistics.fmean(scores[q][0] for q in ids),
                statistics.fmean(scores[q][1] for q in ids),
                len(ids),
            )
    return means


def print_summary(name: str, run: Run, qrels: Qrels, split_of: dict[str, str]) -> None:
    """Print one engine's per-split means and how many queries found nothing relevant."""
    means = split_means(score(run, qrels), split_of)
    empty = sum(1 for q in qrels if not run.get(q))
    missed = sum(1 for q in qrels if first_relevant(unique(run.get(q, [])), qrels[q]) is None)
    for split, (ndcg10, map_, n) in means.items():
        print(f"{name:<12} {split:<5} {n:>3}  nDCG@10 {ndcg10:.3f}  MAP {map_:.3f}")
    print(f"{name:<12} queries with no results: {empty}; with no relevant result: {missed}")


def print_per_query(queries: list[dict[str, str]], runs: dict[str, Run], qrels: Qrels) -> None:
    """Print a row per query: nDCG@10, AP, first relevant rank and hit count per engine."""
    head = f"{'':<4} {'':<5} {'':<44}" + "".join(f" | {name[:20]:^20}" for name in runs)
    sub = f"{'id':<4} {'split':<5} {'query':<44}" + " | nDCG   AP  1st  hits" * len(runs)
    print(head.rstrip())
    print(sub)
    for query in queries:
        qid, grades = query["id"], qrels.get(query["id"], {})
        row = f"{qid:<4} {query['split']:<5} {query['query'][:44]:<44}"
        for run in runs.values():
            ranking = unique(run.get(qid, []))
            first = first_relevant(ranking, grades)
            row += (
                f" | {ndcg(ranking, grades):.2f} {average_precision(ranking, grades):.2f}"
                f" {first if first else '-':>4} {len(ranking):>5}"
            )
        print(row)


def main(argv: list[str] | None = None) -> int:
    """Index the collection, run the queries and print the metrics."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-query", action="store_true", help="print a row per query")
    parser.add_argument("--fts5", action="store_true", help="also score an SQLite FTS5 baseline")
    args = parser.parse_args(argv)

    records = load_records()
    queries = read_jsonl(QUERIES)
    qrels = load_qrels()
    split_of = {q["id"]: q["split"] for q in queries}
    unjudged = [q["id"] for q in queries if max(qrels.get(q["id"], {}).values(), default=0) < 1]
    if unjudged:
        print(f"queries without a relevant judgment (skipped): {', '.join(unjudged)}")
    qrels = {q: g for q, g in qrels.items() if q in split_of and q not in unjudged}

    engines: dict[str, Callable[[list[dict[str, Any]], list[dict[str, str]]], Run]] = {
        "newsarchive": run_newsarchive
    }
    if args.fts5:
        engines["fts5-bm25"] = run_fts5
    runs = {name: engine(records, queries) for name, engine in engines.items()}

    judged = sum(len(g) for g in qrels.values())
    relevant = sum(1 for g in qrels.values() for grade in g.values() if grade >= 1)
    print(
        f"{len(records)} articles, {len(qrels)} queries, "
        f"{judged} judgments ({relevant} graded >= 1)"
    )
    if args.per_query:
        print_per_query([q for q in queries if q["id"] in qrels], runs, qrels)
        print()
    for name, run in runs.items():
        print_summary(name, run, qrels, split_of)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
