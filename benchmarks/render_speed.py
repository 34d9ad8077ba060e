"""Server time of the web pages: the results page with facets, as the app renders it.

    python benchmarks/render_speed.py [--docs 100000] [--out DIR]   # build a synthetic archive
    python benchmarks/render_speed.py --archive DIR                 # time an existing archive

Times each request inside the WSGI app (Flask's test client: routing, search, facets,
histogram, templates; no network), after a warm-up, for several page types over the same
synthetic news corpus `search_speed.py` generates. Prints median and p95 milliseconds per type.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_speed  # noqa: E402  (the corpus generator beside this script)

from indexer import NewsIndex  # noqa: E402
from search_ui import close_archive, create_app  # noqa: E402

WARMUP = 5
TARGET_MS = 50.0  # the bound for a results page with facets, median


def page_urls(index: NewsIndex, count: int, seed: int) -> dict[str, list[str]]:
    """Return `count` URLs of each page type, with words and facet values from the archive."""
    rng = random.Random(seed)
    words, _phrases = search_speed.vocabulary(random.Random(seed))
    stats = index.stats()
    sources = list(stats["sources"])
    years = [year for year in stats["years"] if year.isdigit()]
    urls: dict[str, list[str]] = {kind: [] for kind in ("results", "filtered", "sorted", "paged")}
    for _ in range(count):
        term = search_speed.rank_word(rng, words, search_speed.TERM_RANKS)
        urls["results"].append("/search?" + urlencode({"q": term}))
        source, year = rng.choice(sources), rng.choice(years)
        urls["filtered"].append("/search?" + urlencode({"q": term, "source": source, "year": year}))
        urls["sorted"].append("/search?" + urlencode({"q": term, "sort": "newest"}))
        urls["paged"].append("/search?" + urlencode({"q": term, "page": rng.randint(2, 5)}))
    return urls


def time_pages(archive: Path, count: int, seed: int) -> dict[str, list[float]]:
    """Return the milliseconds each page request took, by page type."""
    app = create_app({"ARCHIVE": str(archive)})
    client = app.test_client()
    try:
        with NewsIndex.open(archive) as index:
            urls = page_urls(index, count, seed)
        for url in [*urls["results"][:WARMUP], "/", "/about"]:
            client.get(url)
        took: dict[str, list[float]] = {}
        for kind, kind_urls in urls.items():
            for url in kind_urls:
                started = time.perf_counter()
                response = client.get(url)
                took.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
        return took
    finally:
        close_archive(app)


def main(argv: list[str] | None = None) -> int:
    """Build or open an archive, time its pages and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000, help="articles to generate")
    parser.add_argument("--archive", type=Path, help="time this existing archive instead")
    parser.add_argument("--out", type=Path, help="build the archive here (kept)")
    parser.add_argument("--pages", type=int, default=50, help="timed requests per page type")
    parser.add_argument("--seed", type=int, default=1, help="corpus and query seed")
    args = parser.parse_args(argv)
    archive = args.archive or search_speed.synthetic_archive(args.out, args.docs, args.seed)
    with NewsIndex.open(archive) as index:
        size = len(index)
    took = time_pages(archive, args.pages, args.seed)
    print(f"{size:,} articles, {args.pages} requests per page type (server time, ms)")
    print(f"{'page':10} {'median':>8} {'p95':>8}")
    for kind, values in took.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(f"{kind:10} {statistics.median(values):8.1f} {p95:8.1f}")
    median = statistics.median(took["results"])
    verdict = "within" if median <= TARGET_MS else "OVER"
    print(f"results page with facets: median {median:.1f} ms, {verdict} {TARGET_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
