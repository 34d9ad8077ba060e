"""Load: `newsarchive serve` under 50 concurrent clients while another process keeps writing.

    python benchmarks/load.py [--docs 20000] [--clients 50] [--seconds 60] [--out DIR]
    python benchmarks/load.py --archive DIR      # an archive built before (it gets written to)

Builds a synthetic archive (the corpus of `search_speed.py`), starts `newsarchive serve` on
127.0.0.1 and, beside it, a writer process that adds and commits a small batch of new articles
every second, each batch holding a word no other article has. Clients mix searches, facet
clicks, paging, date filters, article pages, JSON and CSV exports for the given time, while a
watcher asks for each new batch's word until the server finds it. Reports throughput, latency
percentiles, errors, how soon commits became visible, and the server's memory: at the start,
half way and at the end, and how fast it still grew over the second half of the run (a least
squares slope; the first half holds the warm-up, as caches and the touched index pages fill).
Passes when nothing answered 5xx, no connection failed, every batch became visible and the
server's private memory grew by at most MEMORY_SLOPE_LIMIT over the second half.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import search_speed  # noqa: E402  (the corpus generator beside this script)

NEWSARCHIVE = str(Path(sys.executable).with_name("newsarchive"))
REQUEST_TIMEOUT = 30.0
START_WITHIN = 120.0  # seconds the server may take to start answering
VISIBLE_WITHIN = 10.0  # seconds a committed batch may take to show up in searches
# MiB per minute the server's private memory may still grow over the second half of the run:
# room for allocator noise; a leak of a few KB per request or MB per commit exceeds it.
MEMORY_SLOPE_LIMIT = 10.0

WRITER = """
import json, sys, time
from crawler import Article
from indexer import NewsIndex
archive, seconds = sys.argv[1], float(sys.argv[2])
started = time.monotonic()
batch = 0
with NewsIndex.open(archive) as index:
    while time.monotonic() - started < seconds:
        word = f"loadmarker{batch}x"
        index.add([
            Article(url=f"https://load.example/{batch}/{n}", title=f"Late news {word} {n}",
                    text=f"A story written under load, {word}, number {n}. " * 20,
                    source="Load Wire", section="Load", language="en")
            for n in range(5)
        ])
        print(json.dumps({"word": word, "committed": time.time()}), flush=True)
        batch += 1
        time.sleep(1.0)
"""


@dataclass
class Tally:
    """What the clients saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def record(self, kind: str, status: int, took: float) -> None:
        """Count one answered request."""
        self.latencies.setdefault(kind, []).append(took)
        self.statuses[status] = self.statuses.get(status, 0) + 1


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Memory:
    """One sample of the server's memory, in MiB, `at` seconds into the run.

    `mapped` is the resident part of mapped files (the index segments): pages the kernel can
    drop, shared with every process reading the archive, growing as searches touch more of
    the index. Each server thread maps a segment on its own and `mapped` counts a page once per
    mapping; `mapped_once` (proportional set size) counts it once. `deleted` is how many
    mappings are of files already deleted (segments merged away, still held by a searcher)."""

    at: float
    private: float
    mapped: float
    mapped_once: float
    deleted: int


KINDS = {"private": "private (anonymous)", "mapped": "file-mapped", "mapped_once": "  counted once"}


def memory_mb(pid: int, at: float) -> Memory:
    """Return the memory of process `pid` now, `at` seconds into the run."""
    found = {"RssAnon:": 0.0, "RssFile:": 0.0, "Pss_File:": 0.0}
    deleted = 0
    try:
        proc = Path(f"/proc/{pid}")
        for line in [*(proc / "status").read_text().splitlines(), *_rollup(proc)]:
            name, *rest = line.split()
            if name in found:
                found[name] = int(rest[0]) / 1024
        deleted = (proc / "maps").read_text().count("(deleted)")
    except OSError:
        pass
    return Memory(at, found["RssAnon:"], found["RssFile:"], found["Pss_File:"], deleted)


def _rollup(proc: Path) -> list[str]:
    """Return the lines of `proc`'s smaps_rollup (none on kernels without it)."""
    try:
        return (proc / "smaps_rollup").read_text().splitlines()[1:]
    except OSError:
        return []


def growth(samples: list[Memory], kind: str) -> float:
    """Return how fast memory `kind` grew over the second half of `samples`, in MiB/minute."""
    half = [sample for sample in samples if sample.at >= samples[-1].at / 2]
    if len(half) < 2:
        return 0.0
    fit = statistics.linear_regression(
        [sample.at for sample in half], [getattr(sample, kind) for sample in half]
    )
    return fit.slope * 60


def wait_until_serving(base: str) -> None:
    """Wait until the server answers a search (which also opens its index).

    Only refused connections are retried: the home page's counts take seconds on a big
    archive, and probes given up on by timeout would pile up in the server's queue."""
    deadline = time.monotonic() + START_WITHIN
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/search.json?q=", timeout=REQUEST_TIMEOUT)
            return
        except httpx.ConnectError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {base} did not start within {START_WITHIN:.0f} s")


def request_mix(rng: random.Random, words: list[str], ids: list[str]) -> tuple[str, str]:
    """Return one (kind, path) a visitor might ask for."""
    term = search_speed.rank_word(rng, words, search_speed.TERM_RANKS)
    kind = rng.choices(
        ["search", "facet", "page", "dates", "article", "json", "csv"],
        weights=[30, 20, 15, 15, 10, 8, 2],
    )[0]
    if kind == "facet":
        return kind, "/search?" + urlencode({"q": term, "section": rng.choice(["world", "sport"])})
    if kind == "page":
        return kind, "/search?" + urlencode({"q": term, "page": rng.randint(2, 5)})
    if kind == "dates":
        year = rng.randint(2001, 2020)
        return kind, "/search?" + urlencode({"q": term, "from": year, "to": year + 2})
    if kind == "article" and ids:
        return kind, f"/article/{rng.choice(ids)}"
    if kind == "json":
        return kind, "/search.json?" + urlencode({"q": term})
    if kind == "csv":
        return kind, "/search.csv?" + urlencode({"q": term, "year": rng.randint(2001, 2020)})
    return "search", "/search?" + urlencode({"q": term})


async def client(
    http: httpx.AsyncClient,
    tally: Tally,
    deadline: float,
    seed: int,
    words: list[str],
    ids: list[str],
) -> None:
    """Send requests one after another until `deadline`."""
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        kind, path = request_mix(rng, words, ids)
        started = time.perf_counter()
        try:
            response = await http.get(path)
            await response.aread()
        except httpx.HTTPError as error:
            tally.failures.append(f"{path}: {type(error).__name__}: {error}")
            continue
        tally.record(kind, response.status_code, (time.perf_counter() - started) * 1000)


async def watch(http: httpx.AsyncClient, writer: subprocess.Popen, delays: list[float]) -> None:
    """Follow each batch the writer commits until a search finds it; note how long it took
    (infinity when not within VISIBLE_WITHIN seconds)."""
    loop = asyncio.get_running_loop()
    pollers = []
    while line := await loop.run_in_executor(None, writer.stdout.readline):
        pollers.append(asyncio.create_task(poll(http, json.loads(line), delays)))
    await asyncio.gather(*pollers)


async def poll(http: httpx.AsyncClient, batch: dict, delays: list[float]) -> None:
    """Search for one batch's word until all its articles are found or time is up.

    The delay noted is from the commit to the sending of the first search that found the
    batch: how stale the server's index was, not how long its queue of requests was."""
    while (sent := time.time()) - batch["committed"] <= VISIBLE_WITHIN:
        try:
            response = await http.get("/search.json?" + urlencode({"q": batch["word"]}))
        except httpx.HTTPError:
            continue  # the clients count connection failures; this only watches freshness
        if response.status_code == 200 and response.json()["total"] == 5:
            delays.append(max(0.0, sent - batch["committed"]))
            return
        await asyncio.sleep(0.2)
    delays.append(float("inf"))


async def drive(base: str, clients: int, seconds: float, writer: subprocess.Popen, ids: list[str]):
    """Run the clients and the watcher; return what they saw."""
    words, _ = search_speed.vocabulary(random.Random(1))
    tally, delays = Tally(), []
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as http:
        deadline = time.monotonic() + seconds
        watcher = asyncio.create_task(watch(http, writer, delays))
        await asyncio.gather(
            *(client(http, tally, deadline, n, words, ids) for n in range(clients))
        )
        await asyncio.wait_for(watcher, timeout=VISIBLE_WITHIN + REQUEST_TIMEOUT)
    return tally, delays


def percentile(values: list[float], share: float) -> float:
    """Return the `share` percentile of `values` (NaN for none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(tally: Tally, delays: list[float], memory: list[Memory], seconds: float) -> bool:
    """Print the figures; return whether the run passed."""
    every = [took for values in tally.latencies.values() for took in values]
    print(f"{len(every):,} requests in {seconds:.0f} s: {len(every) / seconds:.1f} requests/s")
    print(f"{'kind':8} {'count':>7} {'p50':>8} {'p95':>8} {'p99':>8}  (ms)")
    for kind, values in sorted(tally.latencies.items()):
        p50, p95, p99 = (percentile(values, share) for share in (0.5, 0.95, 0.99))
        print(f"{kind:8} {len(values):7,} {p50:8.1f} {p95:8.1f} {p99:8.1f}")
    p50, p95, p99 = (percentile(every, share) for share in (0.5, 0.95, 0.99))
    print(f"{'all':8} {len(every):7,} {p50:8.1f} {p95:8.1f} {p99:8.1f}")
    print(f"statuses: {dict(sorted(tally.statuses.items()))}")
    errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    print(f"5xx: {errors}; connection errors: {len(tally.failures)}")
    for failure in tally.failures[:5]:
        print(f"  {failure}")
    seen = [delay for delay in delays if delay != float("inf")]
    print(
        f"commits: {len(delays)} batches, {len(seen)} visible within {VISIBLE_WITHIN:.0f} s"
        + (f" (median {statistics.median(seen):.2f} s, worst {max(seen):.2f} s)" if seen else "")
    )
    slope = report_memory(memory)
    flat = slope <= MEMORY_SLOPE_LIMIT
    print(
        f"private memory {'flat' if flat else 'GROWING'}: {slope:+.1f} MiB/min over the second "
        f"half (limit {MEMORY_SLOPE_LIMIT:.0f})"
    )
    passed = not errors and not tally.failures and delays and len(seen) == len(delays) and flat
    print("PASS" if passed else "FAIL")
    return bool(passed)


def report_memory(memory: list[Memory]) -> float:
    """Print the server's memory over the run; return the private memory's late growth."""
    if not memory:
        print("server memory: no samples")
        return float("inf")
    middle = min(memory, key=lambda sample: abs(sample.at - memory[-1].at / 2))
    print(f"server memory (MiB) {'start':>7} {'half':>7} {'end':>7}  2nd half (MiB/min)")
    for kind, name in KINDS.items():
        start, half, end = (getattr(sample, kind) for sample in (memory[0], middle, memory[-1]))
        slope = growth(memory, kind)
        print(f"{name:19} {start:7.0f} {half:7.0f} {end:7.0f}  {slope:+7.1f}")
    print(
        f"mappings of deleted (merged away) files: at most {max(s.deleted for s in memory)}, "
        f"{memory[-1].deleted} at the end"
    )
    return growth(memory, "private")


def main(argv: list[str] | None = None) -> int:
    """Build or reuse an archive, serve it, load it while writing to it, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="articles in a new archive")
    parser.add_argument("--archive", type=Path, help="use this archive (it gets written to)")
    parser.add_argument("--out", type=Path, help="build the new archive here (kept)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to load")
    parser.add_argument("--threads", type=int, default=8, help="server threads")
    args = parser.parse_args(argv)
    archive = args.archive or search_speed.synthetic_archive(args.out, args.docs, seed=1)
    from indexer import NewsIndex

    with NewsIndex.open(archive) as index:
        ids = [hit.id for hit in index.search("", per_page=100, collapse=False).hits]
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            NEWSARCHIVE,
            "serve",
            "--archive",
            str(archive),
            "--port",
            str(port),
            "--threads",
            str(args.threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    writer = None
    memory: list[Memory] = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base)
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(archive), str(args.seconds)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )

        async def run() -> tuple[Tally, list[float]]:
            async def sample() -> None:
                started = time.monotonic()
                while True:
                    memory.append(memory_mb(server.pid, time.monotonic() - started))
                    await asyncio.sleep(1.0)

            sampler = asyncio.create_task(sample())
            try:
                return await drive(base, args.clients, args.seconds, writer, ids)
            finally:
                sampler.cancel()

        tally, delays = asyncio.run(run())
    finally:
        if writer is not None:
            writer.kill()
        server.terminate()
        server.wait(timeout=10)
    return 0 if report(tally, delays, memory, args.seconds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
