"""Score extractors on trafilatura's evaluation set: real pages nobody here wrote.

The pages and their snippets live in `../shared/realdata/extraction-trafilatura-eval/` (never
copied into the repository). Scored as trafilatura's own comparison does: over all pages, a
`with` snippet found in the output is a true positive and one missed a false negative; a
`without` snippet found is a false positive. The output is the title plus the body text; a page
refused as "not an article" scores as empty output. Run from the repository root:

    python benchmarks/extraction/realdata.py [--set DIR] [--peers] [--worst N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_SET = ROOT.parent / "shared" / "realdata" / "extraction-trafilatura-eval"


@dataclass
class Entry:
    """One evaluation page: its file, URL and the snippets its main text must (not) hold."""

    url: str
    path: Path
    with_: list[str]
    without: list[str]


@dataclass
class Counts:
    """True positives, false negatives and false positives over snippets."""

    tp: int = 0
    fn: int = 0
    fp: int = 0

    def add(self, other: Counts) -> None:
        """Add `other`'s counts to these."""
        self.tp, self.fn, self.fp = self.tp + other.tp, self.fn + other.fn, self.fp + other.fp

    def scores(self) -> tuple[float, float, float]:
        """Return precision, recall and F1."""
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def load_entries(folder: Path) -> list[Entry]:
    """Return the entries of `evaldata.json` whose page is present under `pages/`."""
    data = json.loads((folder / "evaldata.json").read_text("utf-8"))
    entries = []
    for url, item in data.items():
        path = folder / "pages" / item["file"]
        if path.exists():
            entries.append(Entry(url, path, item.get("with") or [], item.get("without") or []))
    return entries


def count(output: str, entry: Entry) -> Counts:
    """Return the snippet counts of `output` for `entry`."""
    found = [snippet in output for snippet in entry.with_]
    return Counts(
        tp=sum(found),
        fn=len(found) - sum(found),
        fp=sum(snippet in output for snippet in entry.without),
    )


def _address(entry: Entry) -> str:
    # A few keys are labels, not URLs ("hard::name.html"): such a page is read as a saved
    # file, as the crawler reads a folder.
    return entry.url if entry.url.startswith(("http://", "https://")) else entry.path.as_uri()


def newsarchive_output(html: bytes, url: str) -> tuple[str, str]:
    """Return (title + body, refusal reason) from newsarchive's extractor."""
    from crawler import ExtractionError, extract_article

    try:
        article = extract_article(html, url=url)
    except ExtractionError as exc:
        return "", str(exc)
    return f"{article.title}\n{article.text}", ""


def trafilatura_output(html: bytes, url: str) -> tuple[str, str]:
    """Return (title + body, "") from trafilatura, comments off as in its own benchmark."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url, include_comments=False, with_metadata=True
    )
    if not document or not document.text:
        return "", "no result"
    return f"{document.title or ''}\n{document.text}", ""


EXTRACTORS: dict[str, Callable[[bytes, str], tuple[str, str]]] = {
    "newsarchive": newsarchive_output,
    "trafilatura": trafilatura_output,
}


def evaluate(name: str, entries: list[Entry]) -> dict:
    """Run extractor `name` over `entries`; return totals and per-page rows."""
    extract = EXTRACTORS[name]
    total = Counts()
    rows = []
    started = time.perf_counter()
    for entry in entries:
        try:
            output, reason = extract(entry.path.read_bytes(), _address(entry))
        except Exception as exc:  # a crash is scored as empty output and reported
            output, reason = "", f"crash: {type(exc).__name__}: {exc}"
        counts = count(output, entry)
        total.add(counts)
        rows.append(
            {
                "file": entry.path.name,
                "url": entry.url,
                "empty": not output.strip(),
                "reason": reason,
                "tp": counts.tp,
                "fn": counts.fn,
                "fp": counts.fp,
            }
        )
    precision, recall, f1 = total.scores()
    return {
        "extractor": name,
        "pages": len(entries),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "empty": sum(r["empty"] for r in rows),
        "crashes": sum(r["reason"].startswith("crash:") for r in rows),
        "seconds": time.perf_counter() - started,
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    """Print precision, recall, F1 and empty outputs of newsarchive (and peers)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the evaluation folder")
    parser.add_argument("--peers", action="store_true", help="also score trafilatura")
    parser.add_argument("--worst", type=int, default=10, help="list N pages with most misses")
    parser.add_argument("--json", type=Path, help="write every page's result to this file")
    args = parser.parse_args(argv)
    if not (args.set / "evaldata.json").exists():
        print(
            f"no evaluation set at {args.set} (see ../shared/realdata/README.md)", file=sys.stderr
        )
        return 1
    entries = load_entries(args.set)
    names = ["newsarchive", "trafilatura"] if args.peers else ["newsarchive"]
    results = [evaluate(name, entries) for name in names]
    print(f"{len(entries)} pages of {args.set.name}\n")
    print(f"{'extractor':<12} {'P':>6} {'R':>6} {'F1':>6} {'empty':>6} {'crash':>6} {'s':>6}")
    for r in results:
        print(
            f"{r['extractor']:<12} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} "
            f"{r['empty']:6d} {r['crashes']:6d} {r['seconds']:6.0f}"
        )
    ours = results[0]["rows"]
    worst = sorted(ours, key=lambda r: r["fn"] + r["fp"], reverse=True)[: args.worst]
    print(f"\nnewsarchive's {len(worst)} pages with most misses (fn + fp):")
    for r in worst:
        print(f"  {r['file']:<40} fn {r['fn']} fp {r['fp']}  {r['reason'][:90]}")
    empty = [r for r in ours if r["empty"]]
    if empty:
        print(f"\nnewsarchive's {len(empty)} empty outputs:")
        for r in empty:
            print(f"  {r['file']:<40} {r['reason'][:110]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
