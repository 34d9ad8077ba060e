"""Crawl pipeline speed and memory: a local site answering instantly, crawled end to end.

    python benchmarks/crawl.py [--pages 2000] [--frontier 100000]

A server on 127.0.0.1 serves `--pages` article pages (the sample archive's, over and over)
listed in sitemaps together with `--frontier` URLs in all, so the frontier holds that many.
The crawl (fetch -> extract -> store and index) runs with no politeness delay; it prints
pages/s beside extraction alone on the same pages, and peak RSS before and after.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITEMAP_URLS = 50_000


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int) -> float:
    """Return the current resident memory of process `pid` in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(site: int) -> list[int]:
    """Return the ids of this process's descendants other than the site server's process."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError):
            continue
    found, level = set(), {os.getpid()}
    while level:
        level = {pid for pid, parent in parents.items() if parent in level and pid != site}
        found |= level
    return sorted(found)


def start_site(pages: list[bytes], total: int) -> tuple[multiprocessing.Process, int]:
    """Start the local site in its own process (it must not share the crawl's GIL)."""
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_serve, args=(pages, total, ports), daemon=True)
    process.start()
    return process, ports.get(timeout=30)


def _serve(pages: list[bytes], total: int, ports: multiprocessing.Queue[int]) -> None:
    server = serve(pages, total)
    ports.put(server.server_address[1])
    threading.Event().wait()


def serve(pages: list[bytes], total: int) -> ThreadingHTTPServer:
    """Start the local site: /robots.txt, sitemaps of `total` URLs, the article pages."""
    count = -(-total // SITEMAP_URLS)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real server would
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/robots.txt":
                body, kind = f"Sitemap: {base}/sitemap.xml\n".encode(), "text/plain"
            elif self.path == "/sitemap.xml":
                items = "".join(
                    f"<sitemap><loc>{base}/sitemap-{i}.xml</loc></sitemap>" for i in range(count)
                )
                body, kind = f"<sitemapindex>{items}</sitemapindex>".encode(), "application/xml"
            elif self.path == "/":
                body, kind = b"<html><body><h1>Front page</h1></body></html>", "text/html"
            elif self.path.startswith("/sitemap-"):
                part = int(self.path[9:-4])
                numbers = range(part * SITEMAP_URLS, min(total, (part + 1) * SITEMAP_URLS))
                items = "".join(f"<url><loc>{base}/news/{n}.html</loc></url>" for n in numbers)
                body, kind = f"<urlset>{items}</urlset>".encode(), "application/xml"
            else:
                body, kind = pages[int(self.path[6:-5]) % len(pages)], "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    """Crawl the local site and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=2000, help="article pages to crawl")
    parser.add_argument("--frontier", type=int, default=100_000, help="URLs in the sitemaps")
    parser.add_argument("--workers", type=int, default=4, help="fetch threads")
    parser.add_argument("--processes", type=int, default=None, help="extraction processes")
    args = parser.parse_args(argv)

    from crawler import ExtractionError, extract_article
    from crawler.crawl import Crawler, CrawlOptions
    from crawler.fetch import FetchPolicy
    from crawler.workers import PROCESSES
    from indexer import NewsIndex

    pages = [path.read_bytes() for path in sorted((ROOT / "sample_archive").rglob("*.html"))]
    started = time.perf_counter()
    for n in range(min(args.pages, 1000)):
        try:
            extract_article(pages[n % len(pages)], f"https://bench.example/{n}")
        except ExtractionError:
            pass
    extraction_rate = min(args.pages, 1000) / (time.perf_counter() - started)

    site, port = start_site(pages, args.frontier)
    seed = f"http://127.0.0.1:{port}/"
    rss_before = peak_rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder)
        options = CrawlOptions(
            max_pages=args.pages,
            workers=args.workers,
            processes=PROCESSES if args.processes is None else args.processes,
            policy=FetchPolicy(delay=0.0, allow_private=True),
        )
        with NewsIndex.open(archive, create=True) as index, Crawler(archive, options) as crawler:
            started = time.perf_counter()
            done, checkpoints, quarter = 0, [], max(args.pages // 4, 1)
            for outcome in crawler.run([seed], index.add):
                done += "/news/" in outcome.location
                if done >= quarter * (len(checkpoints) + 1):  # memory at each quarter
                    workers = sum(rss_mb(pid) for pid in worker_pids(site.pid))
                    checkpoints.append((done, rss_mb(os.getpid()), workers))
            took = time.perf_counter() - started
            queued = crawler.frontier.queue_size()
            warc_mb = sum(p.stat().st_size for p in (archive / "warc").iterdir()) / 1e6
    site.terminate()
    print(f"extraction alone:  {extraction_rate:7.1f} pages/s (sample archive pages, one core)")
    print(
        f"crawl end to end:  {done / took:7.1f} pages/s ({done} pages in {took:.1f} s, "
        f"{args.workers} fetch threads, {options.processes} extraction processes)"
    )
    print(f"crawl / extraction: {done / took / extraction_rate:.2f}")
    print(f"frontier: {args.frontier:,} URLs known, {queued:,} still queued; WARC {warc_mb:.1f} MB")
    print(f"peak RSS: {rss_before:.0f} MB before the crawl, {peak_rss_mb():.0f} MB after")
    for pages, crawl_mb, workers_mb in checkpoints:
        print(f"RSS after {pages:6} pages: crawl {crawl_mb:4.0f} MB, workers {workers_mb:4.0f} MB")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
