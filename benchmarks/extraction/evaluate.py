"""Score article extractors on the benchmark pages: body F1, metadata accuracy, refusals.

Body text is scored as trafilatura's and the ScrapingHub benchmarks do: precision, recall and
F1 over the multiset of word 4-gram shingles of the extracted text against the ground truth.
Run from the repository root:

    python benchmarks/extraction/evaluate.py [--pages DIR] [--json] [--peers] [--worst N]

`--peers` also scores trafilatura, readability-lxml and BeautifulSoup's get_text() when
installed (`pip install -e '.[bench]'`), on the same pages in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHINGLE = 4
META_FIELDS = (
    "canonical",
    "title",
    "authors",
    "published",
    "published_day",
    "section",
    "source",
    "language",
    "access",
)
# Text that must never reach an extracted body: skip links and other page chrome.
CHROME = re.compile(
    r"accessibility links|skip to (main )?content|skip to (main )?navigation|breaking news"
    r"|we use cookies|accept all cookies|subscribe to our newsletter|sign up for",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@dataclass
class Case:
    """One benchmark page and its ground truth."""

    slug: str
    html: bytes
    expected: dict


@dataclass
class Output:
    """What an extractor returned for one page (None text when it refused the page)."""

    text: str | None
    meta: dict = field(default_factory=dict)
    error: str = ""


@dataclass
class Score:
    """Precision, recall and F1 of one page's body text."""

    precision: float
    recall: float
    f1: float


def load_cases(pages: Path) -> list[Case]:
    """Return every page under `pages/` that has ground truth in `expected/`."""
    cases = []
    for page in sorted((pages / "pages").glob("*.html")):
        truth = pages / "expected" / f"{page.stem}.json"
        if truth.exists():
            cases.append(Case(page.stem, page.read_bytes(), json.loads(truth.read_text("utf-8"))))
    return cases


def tokens(text: str) -> list[str]:
    """Return the words of `text`, lowercased; CJK characters count as one word each."""
    spaced = _CJK.sub(lambda m: f" {m.group(0)} ", text)
    return [word.casefold() for word in _WORD.findall(spaced)]


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Return the multiset of word 4-grams of `text` (the words themselves if fewer)."""
    words = tokens(text)
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def score_text(got: str, want: str) -> Score:
    """Return precision, recall and F1 of `got` against `want` over 4-gram shingles."""
    got_s, want_s = shingles(got), shingles(want)
    overlap = sum((got_s & want_s).values())
    precision = overlap / sum(got_s.values()) if got_s else 0.0
    recall = overlap / sum(want_s.values()) if want_s else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def meta_matches(name: str, got: object, want: object) -> bool:
    """Return whether metadata field `name` was extracted right."""
    if name in ("published", "published_day"):
        if not want or not got:
            return not want and not got
        got_at, want_at = _utc(str(got)), _utc(str(want))
        return got_at == want_at if name == "published" else got_at.date() == want_at.date()
    if name == "access":  # pages without a paywall say nothing: they are read in full
        return (got or "full") == (want or "full")
    if name == "authors":
        return sorted(map(str.casefold, got or [])) == sorted(map(str.casefold, want or []))
    # Names are compared as people read them: "the Guardian" is "The Guardian".
    return (
        " ".join(str(got or "").split()).casefold() == " ".join(str(want or "").split()).casefold()
    )


def _utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Extractors: each takes (html bytes, url) and returns an Output.


def newsarchive_extract(html: bytes, url: str) -> Output:
    """newsarchive's own extract_article."""
    from crawler import ExtractionError, extract_article

    try:
        article = extract_article(html, url=url)
    except ExtractionError as exc:
        return Output(None, error=str(exc))
    return Output(
        article.text,
        {
            "canonical": article.url,
            "title": article.title,
            "authors": article.authors,
            "published": article.published.isoformat() if article.published else None,
            "section": article.section,
            "source": article.source,
            "language": article.language,
            "access": article.access,
        },
    )


def trafilatura_extract(html: bytes, url: str) -> Output:
    """trafilatura with comments off, its recommended setting for news bodies."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url, include_comments=False, with_metadata=True
    )
    result = document.as_dict() if document else {}
    if not result.get("text"):
        return Output(None, error="no result")
    text = "\n\n".join(line for line in result["text"].split("\n") if line.strip())
    author = result.get("author") or ""
    return Output(
        text,
        {
            "canonical": result.get("url"),
            "title": result.get("title"),
            "authors": [a.strip() for a in author.split(";") if a.strip()],
            "published": result.get("date"),
            "section": (result.get("categories") or [""])[0],
            "source": result.get("sitename"),
            "language": result.get("language"),
        },
    )


def readability_extract(html: bytes, url: str) -> Output:
    """readability-lxml's summary, flattened to text."""
    from bs4 import BeautifulSoup
    from readability import Document

    document = Document(html, url=url)
    summary = BeautifulSoup(document.summary(html_partial=True), "lxml")
    blocks = [
        " ".join(el.get_text(" ").split()) for el in summary.find_all(["p", "li", "h2", "h3"])
    ]
    return Output("\n\n".join(b for b in blocks if b), {"title": document.short_title()})


def naive_extract(html: bytes, url: str) -> Output:
    """BeautifulSoup(...).get_text(): what a careless scraper keeps."""
    from bs4 import BeautifulSoup

    return Output(BeautifulSoup(html, "lxml").get_text("\n"))


EXTRACTORS: dict[str, Callable[[bytes, str], Output]] = {
    "newsarchive": newsarchive_extract,
    "trafilatura": trafilatura_extract,
    "readability": readability_extract,
    "bs4-get_text": naive_extract,
}


def evaluate(name: str, cases: list[Case]) -> dict:
    """Run extractor `name` over `cases`; return its summary and per-page results."""
    extract = EXTRACTORS[name]
    rows = []
    for case in cases:
        want = case.expected
        out = extract(case.html, want["url"])
        row: dict = {"slug": case.slug, "is_article": want["is_article"], "error": out.error}
        if want["is_article"]:
            score = score_text(out.text or "", want["text"])
            row.update(precision=score.precision, recall=score.recall, f1=score.f1)
            row["chrome"] = bool(out.text and CHROME.search(out.text))
            row["meta"] = {
                f: meta_matches(f, out.meta.get(_truth_field(f)), want.get(_truth_field(f)))
                for f in META_FIELDS
                if _truth_field(f) in out.meta
            }
        else:
            row["refused"] = out.text is None
        rows.append(row)
    articles = [r for r in rows if r["is_article"]]
    others = [r for r in rows if not r["is_article"]]
    micro = {k: statistics.fmean(r[k] for r in articles) for k in ("precision", "recall", "f1")}
    meta_acc = {
        f: statistics.fmean(r["meta"][f] for r in articles if f in r["meta"])
        for f in META_FIELDS
        if any(f in r["meta"] for r in articles)
    }
    return {
        "extractor": name,
        "articles": len(articles),
        **micro,
        "chrome_pages": sum(r["chrome"] for r in articles),
        "refused_articles": sum(bool(r["error"]) for r in articles),
        "non_articles": len(others),
        "non_articles_refused": sum(r["refused"] for r in others),
        "metadata": meta_acc,
        "pages": rows,
    }


def _truth_field(name: str) -> str:
    return "published" if name == "published_day" else name


def _available(name: str) -> bool:
    module = {"trafilatura": "trafilatura", "readability": "readability"}.get(name)
    if module is None:
        return True
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    """Print the scores of newsarchive (and with --peers, of the other extractors)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=Path, default=HERE, help="folder with pages/, expected/")
    parser.add_argument("--json", action="store_true", help="print the full results as JSON")
    parser.add_argument("--peers", action="store_true", help="also score the peer extractors")
    parser.add_argument("--worst", type=int, default=5, help="list the N lowest-F1 pages")
    args = parser.parse_args(argv)

    cases = load_cases(args.pages)
    if not cases:
        print(f"no benchmark pages under {args.pages}", file=sys.stderr)
        return 1
    names = [n for n in EXTRACTORS if n == "newsarchive" or (args.peers and _available(n))]
    results = [evaluate(name, cases) for name in names]
    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return 0
    print(
        f"{len(cases)} pages ({results[0]['articles']} articles, "
        f"{results[0]['non_articles']} non-articles)\n"
    )
    print(f"{'extractor':<14} {'P':>6} {'R':>6} {'F1':>6}  chrome  refused  non-art refused")
    for r in results:
        print(
            f"{r['extractor']:<14} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f}  "
            f"{r['chrome_pages']:6d}  {r['refused_articles']:7d}  "
            f"{r['non_articles_refused']:3d}/{r['non_articles']}"
        )
    print("\nmetadata accuracy (share of article pages exactly right):")
    for r in results:
        if r["metadata"]:
            fields = "  ".join(f"{k} {v:.2f}" for k, v in r["metadata"].items())
            print(f"  {r['extractor']:<14} {fields}")
    ours = results[0]["pages"]
    worst = sorted((p for p in ours if p["is_article"]), key=lambda p: p["f1"])[: args.worst]
    print(f"\nnewsarchive's {len(worst)} lowest-F1 pages:")
    for p in worst:
        wrong = [k for k, ok in p["meta"].items() if not ok]
        print(
            f"  {p['slug']:<40} P {p['precision']:.3f} R {p['recall']:.3f} F1 {p['f1']:.3f}"
            + (f"  meta wrong: {', '.join(wrong)}" if wrong else "")
            + (f"  refused: {p['error']}" if p["error"] else "")
        )
    missed = [p["slug"] for p in ours if not p["is_article"] and not p["refused"]]
    if missed:
        print(f"\nnon-articles newsarchive accepted: {', '.join(missed)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    sys.exit(main())
