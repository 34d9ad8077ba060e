"""Crawl faults: a local site whose answers fail at random, crawled end to end.

    python benchmarks/crawl_faults.py [--pages 300] [--fault-rate 0.2] [--seed 1]

A raw-socket server on 127.0.0.1 (tests/crawler/faultserver.py) serves a front page, a
sitemap of `--pages` article pages (the sample archive's, over and over) and robots.txt.
Before each article page's good answer come a seeded random number of faults, each one
more with probability `--fault-rate`: the server vanishes mid-body, resets the connection,
stalls, or answers garbage. A page with at most `--max-retries` faults must be crawled after
exactly that many retries; one with more must fail after `--max-retries` retries, with the
reason logged. Prints pages crawled, faults injected, retries, failures logged and the time;
exits 1 if a good page was lost, a retry limit was passed, a failure went unlogged or the
crawl hung (ran past `--timeout`).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.crawl import Crawler, CrawlOptions, Outcome  # noqa: E402
from crawler.fetch import FetchPolicy  # noqa: E402
from crawler.workers import PROCESSES  # noqa: E402
from tests.crawler.faultserver import Answer, Fault, FaultServer  # noqa: E402

FAULTS = (Fault.VANISH, Fault.RESET, Fault.STALL, Fault.GARBAGE)
ROBOTS = Answer(b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})


@dataclass
class Plan:
    """The faults each article path answers before its page, and the limit they are judged by."""

    max_retries: int
    faults: dict[str, list[Fault]] = field(default_factory=dict)

    def doomed(self, path: str) -> bool:
        """Return whether `path` fails more often than the crawler may retry."""
        return len(self.faults[path]) > self.max_retries

    def expected_requests(self, path: str) -> int:
        """Return how many requests the crawler should make for `path`."""
        return min(len(self.faults[path]), self.max_retries) + 1


class LogCount(logging.Handler):
    """Counts the crawler's retry and failure log lines, by URL."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.retries: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count `record` if it is a retry or a failure line."""
        message = record.getMessage()
        url = message.split(" ", 1)[0].rstrip(":")
        if "; retry " in message:
            self.retries[url] += 1
        elif message.startswith("Could not fetch "):
            self.failures[message.split(" ")[3]] += 1


def plan_faults(pages: int, fault_rate: float, max_retries: int, seed: int) -> Plan:
    """Draw each article page's faults: each one more with probability `fault_rate`."""
    rng = random.Random(seed)
    plan = Plan(max_retries)
    for n in range(pages):
        faults: list[Fault] = []
        while len(faults) <= max_retries and rng.random() < fault_rate:
            faults.append(rng.choice(FAULTS))
        plan.faults[f"/news/2024/05/story-{n}.html"] = faults
    return plan


def serve(server: FaultServer, plan: Plan) -> None:
    """Give `server` the site's routes: robots.txt, front page, sitemap, faulty articles."""
    bodies = [path.read_bytes() for path in sorted((ROOT / "sample_archive").rglob("*.html"))]
    server.route("/robots.txt", ROBOTS)
    server.route("/", Answer(b"<html><body><h1>Front page</h1></body></html>"))
    items = "".join(f"<url><loc>{server.url(path)}</loc></url>" for path in plan.faults)
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'
    server.route("/sitemap.xml", Answer(sitemap.encode(), headers={"Content-Type": "text/xml"}))
    for n, (path, faults) in enumerate(plan.faults.items()):
        server.route(path, *faults, Answer(bodies[n % len(bodies)]))


def run_crawl(seed: str, options: CrawlOptions, outcomes: list[Outcome]) -> None:
    """Crawl `seed` into a scratch archive, appending each page's outcome to `outcomes`."""
    with TemporaryDirectory() as folder, Crawler(Path(folder), options) as crawler:
        outcomes.extend(crawler.run([seed], lambda articles: None))


def check(plan: Plan, server: FaultServer, outcomes: list[Outcome], logs: LogCount) -> list[str]:
    """Return what went wrong: lost good pages, retries past the limit, unlogged failures."""
    problems = []
    by_url = {outcome.location: outcome for outcome in outcomes}
    for path in plan.faults:
        url = server.url(path)
        outcome = by_url.get(url)
        asked, expected = server.requests[path], plan.expected_requests(path)
        if asked != expected:
            problems.append(f"{path}: {asked} requests, expected {expected}")
        if outcome is None:
            problems.append(f"{path}: never crawled")
        elif plan.doomed(path) and not outcome.error:
            problems.append(f"{path}: failed {asked} times but was not reported as failed")
        elif plan.doomed(path) and logs.failures[url] != 1:
            problems.append(f"{path}: failure logged {logs.failures[url]} times, not once")
        elif not plan.doomed(path) and outcome.error:
            problems.append(f"{path}: a good page lost: {outcome.error}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Crawl the faulty site, print the figures; return 1 if any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=300, help="article pages on the site")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="chance of each fault")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-retries", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="fetch threads")
    parser.add_argument("--processes", type=int, default=PROCESSES, help="extraction processes")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a hang")
    args = parser.parse_args(argv)

    plan = plan_faults(args.pages, args.fault_rate, args.max_retries, args.seed)
    policy = FetchPolicy(
        delay=0.0,
        backoff=0.01,
        max_retries=args.max_retries,
        connect_timeout=1.0,
        read_timeout=0.2,
        max_time=2.0,
        allow_private=True,
    )
    options = CrawlOptions(workers=args.workers, processes=args.processes, policy=policy)
    logs = LogCount()
    logging.getLogger("crawler").addHandler(logs)
    logging.getLogger("crawler").setLevel(logging.INFO)
    outcomes: list[Outcome] = []
    with FaultServer() as server:
        serve(server, plan)
        crawl = threading.Thread(
            target=run_crawl, args=(server.url("/"), options, outcomes), daemon=True
        )
        started = time.monotonic()
        crawl.start()
        crawl.join(args.timeout)
        took = time.monotonic() - started
        if crawl.is_alive():
            print(f"FAIL: the crawl hung: still running after {args.timeout:g} s")
            sys.stdout.flush()
            os._exit(1)  # the stuck crawl thread would keep a normal exit waiting
        problems = check(plan, server, outcomes, logs)
        served = server.served

    doomed = sum(plan.doomed(path) for path in plan.faults)
    errors = [o for o in outcomes if o.error and "/news/" in o.location]
    articles = sum(o.article is not None for o in outcomes)
    injected = sum(served[fault] for fault in FAULTS)
    kinds = ", ".join(f"{fault} {served[fault]}" for fault in FAULTS)
    print(
        f"pages: {args.pages} ({args.pages - doomed} good, {doomed} failing more than "
        f"{args.max_retries} times by design); fault rate {args.fault_rate:g}, seed {args.seed}"
    )
    print(f"crawled: {args.pages - len(errors)} pages ({articles} articles), {len(errors)} failed")
    print(f"faults injected: {injected} ({kinds})")
    print(
        f"retries: {sum(logs.retries.values())} logged, at most "
        f"{max(logs.retries.values(), default=0)} for one page (limit {args.max_retries})"
    )
    print(f"failures logged: {sum(logs.failures.values())} (pages that failed: {len(errors)})")
    print(f"elapsed: {took:.1f} s (hang limit {args.timeout:g} s)")
    for problem in problems[:20]:
        print(f"  {problem}")
    print(f"{'FAIL' if problems else 'PASS'}: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
