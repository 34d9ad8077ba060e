"""Extraction speed on one core: pages per second (median of runs) and the slowest page.

    python benchmarks/extraction/speed.py [--runs 5] [--peers]

Pages: the bundled sample archive plus the extraction benchmark pages. `--peers` times
trafilatura on the same pages in the same run, for a ratio that survives a noisy machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def load_pages() -> list[tuple[str, bytes]]:
    """Return (name, bytes) of every sample-archive and benchmark page."""
    paths = sorted((ROOT / "sample_archive").rglob("*.html"))
    paths += sorted((HERE / "pages").glob("*.html"))
    return [(str(path.relative_to(ROOT)), path.read_bytes()) for path in paths]


def ours(html: bytes) -> None:
    """Extract with newsarchive, ignoring pages it refuses."""
    from crawler import ExtractionError, extract_article

    try:
        extract_article(html, "https://bench.example/page")
    except ExtractionError:
        pass


def trafilatura_extract(html: bytes) -> None:
    """Extract with trafilatura (comments off, metadata on, as newsarchive does)."""
    import trafilatura

    trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)


def time_run(extract: Callable[[bytes], None], pages: list[tuple[str, bytes]]) -> list[float]:
    """Return the seconds each page took, in page order."""
    took = []
    for _name, html in pages:
        started = time.perf_counter()
        extract(html)
        took.append(time.perf_counter() - started)
    return took


def main(argv: list[str] | None = None) -> int:
    """Print pages/s (median over runs) and per-page latency for each extractor."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peers", action="store_true", help="also time trafilatura")
    args = parser.parse_args(argv)

    pages = load_pages()
    extractors = {"newsarchive": ours}
    if args.peers:
        extractors["trafilatura"] = trafilatura_extract
    print(f"{len(pages)} pages, {sum(len(h) for _, h in pages) / 1e6:.1f} MB, {args.runs} runs")
    rates: dict[str, float] = {}
    for name, extract in extractors.items():
        extract(pages[0][1])  # warm-up: imports, language model
        runs = [time_run(extract, pages) for _ in range(args.runs)]
        rate = statistics.median(len(pages) / sum(run) for run in runs)
        per_page = [statistics.median(times) for times in zip(*runs, strict=True)]
        slowest = max(range(len(pages)), key=per_page.__getitem__)
        ordered = [t * 1e3 for t in sorted(per_page)]
        rates[name] = rate
        print(
            f"{name:<12} {rate:7.1f} pages/s   per page: median {ordered[len(ordered) // 2]:.1f}"
            f" ms, p95 {ordered[int(len(ordered) * 0.95)]:.1f} ms,"
            f" max {per_page[slowest] * 1e3:.1f} ms ({pages[slowest][0]})"
        )
    if len(rates) > 1:
        ratio = rates["newsarchive"] / rates["trafilatura"]
        print(f"newsarchive / trafilatura speed ratio: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
