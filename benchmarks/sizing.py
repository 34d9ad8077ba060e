"""Sizing: what the embedded (Whoosh) archive needs at 100,000 and 1,000,000 articles.

    python benchmarks/sizing.py [--backend whoosh|typesense] [--docs 100000 [1000000 ...]]
        [--seed 1] [--queries 50] [--batch 0] [--max-gib 16] [--out DIR] [--json FILE]

For each `--docs` size, a child process indexes the synthetic news corpus of `search_speed.py`
(the same articles for the same `--seed`, generated as a stream by `iter_articles`) into a new
archive with `NewsIndex.add`: by default in one bulk load (one commit; `add` holds that batch's
articles in memory, about 5 KB each), or one commit per `--batch` articles. Beware: a batch added
to a non-empty archive looks up near-duplicates of every article in the index, at a cost that
grows with the archive (measured: 187 docs/s into an empty archive, 16 docs/s into one of
50,000), so small batches make big sizes take days. Measured: wall time (generation included,
and how much of it generation took), docs/s, size on disk (index and article store, segments)
and the peak memory of the indexer: the proportional set size (PSS) of the child and its bulk
workers summed from /proc once a second (the child is stopped past `--max-gib`), and each
process's own peak (ru_maxrss). Then `newsarchive serve` serves the archive on 127.0.0.1 and
`--queries` searches of each type of `search_speed.make_queries` (term, OR, AND, phrase,
term+date, term+facets), after a warm-up, go one at a time to /search.json: median and p95
latency per type, and the server's peak memory (private and file-mapped, as `load.py` reads
them). Progress lines (rate, ETA) go to stderr; a table to stdout; the figures to `--json`
after each size. `--out` keeps the archives in DIR/<docs> (the folder must be new); without it
they go to a temporary folder, removed afterwards.

`--backend typesense` measures a local three-node Typesense cluster instead (the test suite's
`tests/indexer/typesense_cluster.Cluster`, on 127.0.0.1, in DIR/<docs>/cluster): the same
articles go in with `TypesenseIndex.add` (the article store in DIR/<docs>/archive, as a crawl
writes it), `--batch` articles (default 5,000) per import, in this process. Measured: wall
time, docs/s, each node's data folder on disk and its resident memory (VmRSS after indexing
and after the queries, and its peak, VmHWM; the cluster is stopped once the nodes' resident
memory passes `--max-gib` together). Then the same searches over HTTP, through `newsarchive
--backend typesense ... serve`; queries the Typesense translation refuses (400, a QueryError)
are counted per type, not timed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402  (the server-memory readings beside this script)
import search_speed  # noqa: E402  (the corpus generator and queries beside this script)
from search_speed import KINDS, WARMUP, Query, progress  # noqa: E402

SAMPLE_SECONDS = 1.0  # how often the indexer's and the server's memory is read
HEARTBEAT_SECONDS = 30.0  # how often a progress line is printed while a batch is indexed
SERVER_THREADS = 8
START_WITHIN = 600.0  # seconds the server may take to answer its first search
FIRST_TIMEOUT = 300.0  # seconds the first (cold) search may take
QUERY_TIMEOUT = 120.0
TYPESENSE_BATCH = 5000  # articles per TypesenseIndex.add when --batch is 0
_EMITTING = threading.Lock()  # the child's main thread and its progress thread both print


# Memory of a process tree


@dataclass
class TreePeak:
    """The peaks of a process tree's memory (MiB) over the samples taken so far."""

    pss: float = 0.0  # the tree's proportional set size: shared pages counted once
    rss: float = 0.0  # the tree's resident set sizes summed: shared pages counted per process
    private: float = 0.0  # the tree's anonymous resident memory summed
    processes: int = 0  # most processes seen in the tree at once
    samples: int = 0

    def update(self, pss: float, rss: float, private: float, processes: int) -> None:
        """Take one sample of the whole tree into the peaks."""
        self.pss = max(self.pss, pss)
        self.rss = max(self.rss, rss)
        self.private = max(self.private, private)
        self.processes = max(self.processes, processes)
        self.samples += 1


def descendants(pid: int) -> list[int]:
    """Return `pid` and every process below it (read from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def process_memory(pid: int) -> tuple[float, float, float]:
    """Return process `pid`'s PSS, RSS and anonymous RSS in MiB (zeros once it is gone)."""
    found = {"Pss:": 0.0, "Rss:": 0.0, "Anonymous:": 0.0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, *rest = line.split()
            if name in found:
                found[name] = int(rest[0]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return found["Pss:"], found["Rss:"], found["Anonymous:"]


def sample_tree(pid: int, peak: TreePeak) -> float:
    """Read the memory of `pid`'s tree into `peak`; return the tree's PSS now (MiB)."""
    pids = descendants(pid)
    readings = [process_memory(each) for each in pids]
    pss, rss, private = (sum(values) for values in zip(*readings, strict=True))
    peak.update(pss, rss, private, len(pids))
    return pss


def watch_tree(pid: int, peak: TreePeak, stop: threading.Event) -> threading.Thread:
    """Start a thread sampling `pid`'s tree into `peak` every SAMPLE_SECONDS until `stop`."""

    def run() -> None:
        while not stop.is_set():
            sample_tree(pid, peak)
            stop.wait(SAMPLE_SECONDS)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# Indexing (in a child process)


class TimedStream:
    """An iterator of articles that adds up the time spent generating them."""

    def __init__(self, articles: Iterator[Any]) -> None:
        self.articles = articles
        self.seconds = 0.0
        self.count = 0

    def __iter__(self) -> TimedStream:
        return self

    def __next__(self) -> Any:
        started = time.perf_counter()
        try:
            article = next(self.articles)
        finally:
            self.seconds += time.perf_counter() - started
        self.count += 1
        return article


def index_child(folder: Path, docs: int, seed: int, batch: int) -> None:
    """Index `docs` generated articles into a new archive; print one JSON line per commit."""
    from indexer import NewsIndex

    stream = TimedStream(search_speed.iter_articles(docs, seed, report_every=0))
    started = time.perf_counter()
    done = [0]
    feed = (threading.get_ident(), started, done, stream)
    threading.Thread(target=report_feed, args=feed, daemon=True).start()
    with NewsIndex.open(folder, create=True) as index:
        while done[0] < docs:
            size = min(batch, docs - done[0])
            index.add(itertools.islice(stream, size), batch_size=size)
            done[0] += size
            emit({"done": done[0], "seconds": time.perf_counter() - started})
        count = len(index)
    emit(
        {
            "done": done[0],
            "indexed": count,
            "seconds": time.perf_counter() - started,
            "generate_seconds": stream.seconds,
            "maxrss_self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "maxrss_workers_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        }
    )


def stored_so_far(thread_id: int) -> int | None:
    """Return how many articles the running `ArticleStore.put` in thread `thread_id` has taken
    (read from its frame's locals: the index has no progress hook), or None outside one."""
    frame = sys._current_frames().get(thread_id)
    while frame is not None:
        if frame.f_code.co_name == "put" and "new" in frame.f_code.co_varnames:
            values = frame.f_locals
            return values.get("new", 0) + values.get("replaced", 0)
        frame = frame.f_back
    return None


def report_feed(thread_id: int, started: float, done: list[int], stream: TimedStream) -> None:
    """Every HEARTBEAT_SECONDS, emit how many articles are generated and how many of the batch
    being added the writer has taken."""
    while True:
        time.sleep(HEARTBEAT_SECONDS)
        stored = stored_so_far(thread_id)
        fed = done[0] + stored if stored is not None else done[0]
        seconds = time.perf_counter() - started
        emit({"generated": stream.count, "fed": fed, "seconds": seconds})


def emit(record: dict[str, Any]) -> None:
    """Print one JSON line to stdout for the parent."""
    with _EMITTING:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def index_archive(folder: Path, docs: int, seed: int, batch: int, max_gib: float) -> dict[str, Any]:
    """Index `docs` articles into `folder` in a child process (killed if its processes take
    over `max_gib` GiB together); return its figures."""
    batch = batch or docs
    progress(f"[{docs:,}] indexing into {folder}, commits of {batch:,} articles")
    command = [sys.executable, __file__, "--index-child", str(folder), str(docs), str(seed)]
    child = subprocess.Popen([*command, str(batch)], stdout=subprocess.PIPE, text=True)
    peak, stop, started = TreePeak(), threading.Event(), time.monotonic()
    watcher = watch_tree(child.pid, peak, stop)
    records: list[dict[str, Any]] = []
    reader = threading.Thread(target=read_records, args=(child, records, docs), daemon=True)
    reader.start()
    beat = started
    try:
        while child.poll() is None:
            time.sleep(SAMPLE_SECONDS)
            if peak.pss > max_gib * 1024:
                child.kill()
                raise RuntimeError(f"the indexer took over {max_gib} GiB: stopped")
            if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                beat = time.monotonic()
                heartbeat(docs, records, peak, beat - started)
    finally:
        if child.poll() is None:
            child.kill()
        stop.set()
        watcher.join()
        reader.join(timeout=10)
    if child.returncode != 0 or not records or "indexed" not in records[-1]:
        raise RuntimeError(f"the indexing process failed (exit code {child.returncode})")
    final = records[-1]
    return {
        "seconds": final["seconds"],
        "docs_per_second": docs / final["seconds"],
        "generate_seconds": final["generate_seconds"],
        "docs_per_second_without_generation": docs / (final["seconds"] - final["generate_seconds"]),
        "indexed": final["indexed"],
        "commits": len(records) - 1,
        "peak_tree_pss_mib": peak.pss,
        "peak_tree_rss_mib": peak.rss,
        "peak_tree_private_mib": peak.private,
        "processes": peak.processes,
        "maxrss_indexer_mib": final["maxrss_self_mib"],
        "maxrss_largest_worker_mib": final["maxrss_workers_mib"],
    }


def read_records(child: subprocess.Popen, records: list[dict[str, Any]], docs: int) -> None:
    """Collect the child's JSON lines; print a progress line per commit."""
    fed: dict[str, float] = {}
    for line in child.stdout:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            progress(f"[{docs:,}] the indexer said: {line.rstrip()}")
            continue
        if "generated" in record:
            feeding(docs, record, fed)
            continue
        records.append(record)
        if "indexed" not in record:
            rate = record["done"] / record["seconds"]
            eta = (docs - record["done"]) / rate
            progress(
                f"[{docs:,}] committed {record['done']:,}/{docs:,} in {record['seconds']:.0f} s "
                f"({rate:,.0f} docs/s), ETA {eta / 60:.0f} min"
            )


def feeding(docs: int, record: dict[str, Any], fed: dict[str, float]) -> None:
    """Print how far generation and the writer have got (the commit comes after); `fed`
    remembers when the writer took its first article, for its rate."""
    seconds, taken = record["seconds"], record["fed"]
    note = f"{record['generated']:,} generated, {taken:,} taken by the writer"
    if taken and "since" not in fed:
        fed.update(since=seconds, first=taken)
    elif taken > fed.get("first", 0):
        rate = (taken - fed["first"]) / (seconds - fed["since"])
        note += f" ({rate:,.0f} docs/s, ETA ~{(docs - taken) / rate / 60:.0f} min to the commit)"
    progress(f"[{docs:,}] {seconds / 60:.0f} min in: {note}")


def heartbeat(docs: int, records: list[dict[str, Any]], peak: TreePeak, elapsed: float) -> None:
    """Print where indexing stands between commits (`elapsed` seconds in)."""
    if records:
        last = records[-1]
        rate = last["done"] / last["seconds"]
        eta = max(0.0, docs / rate - elapsed)
        note = f"{last['done']:,} committed, ~{rate:,.0f} docs/s so far, ETA ~{eta / 60:.0f} min"
    else:
        note = "first batch in progress (no rate before the first commit)"
    progress(
        f"[{docs:,}] indexing, {elapsed / 60:.0f} min in: {note}; "
        f"peak indexer PSS {peak.pss / 1024:.2f} GiB"
    )


def disk_usage(folder: Path) -> dict[str, int]:
    """Return the bytes of the archive in `folder` (in all, index, store) and its segments."""
    from whoosh import index as whoosh_index

    from indexer.index import INDEX_DIR
    from indexer.store import STORE_FILE

    store = sum(path.stat().st_size for path in folder.glob(f"{STORE_FILE}*"))
    return {
        "total_bytes": search_speed.folder_size(folder),
        "index_bytes": search_speed.folder_size(folder / INDEX_DIR),
        "store_bytes": store,
        "segments": len(whoosh_index.open_dir(folder / INDEX_DIR)._segments()),
    }


# Serving and querying


@dataclass
class ServerPeak:
    """The peaks of the server's memory (MiB), as `load.memory_mb` reads it."""

    private: float = 0.0
    mapped: float = 0.0
    mapped_once: float = 0.0
    samples: list[dict[str, float]] = field(default_factory=list)

    def update(self, sample: load.Memory) -> None:
        """Take one sample into the peaks."""
        self.private = max(self.private, sample.private)
        self.mapped = max(self.mapped, sample.mapped)
        self.mapped_once = max(self.mapped_once, sample.mapped_once)
        self.samples.append(asdict(sample))


def start_server(folder: Path, backend: list[str]) -> tuple[subprocess.Popen, str]:
    """Start `newsarchive [backend options] serve` on `folder` at a free port; return it and
    its base URL."""
    port = load.free_port()
    command = [load.NEWSARCHIVE, *backend, "serve", "--archive", str(folder), "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--threads", str(SERVER_THREADS)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
    )
    return server, f"http://127.0.0.1:{port}"


def first_answer(http: httpx.Client, query: Query) -> float:
    """Wait until the server answers `query`; return the seconds of the answer (a cold search)."""
    deadline = time.monotonic() + START_WITHIN
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            http.get("/search.json?" + urlencode(params(query)), timeout=FIRST_TIMEOUT)
        except httpx.ConnectError:
            time.sleep(0.2)
            continue
        return time.perf_counter() - started
    raise RuntimeError(f"the server did not start within {START_WITHIN:.0f} s")


def params(query: Query) -> dict[str, str]:
    """Return the /search.json parameters of `query`."""
    found = {"q": query.text}
    if query.date_from is not None:
        found["from"] = query.date_from.isoformat()
        found["to"] = query.date_to.isoformat()
    return found


def timed_search(http: httpx.Client, query: Query) -> tuple[float, float, int] | None:
    """Run `query` over HTTP; return the round trip (ms), the server's took_ms and the total,
    or None if the server refused the query (400: the index could not read it)."""
    started = time.perf_counter()
    response = http.get("/search.json?" + urlencode(params(query)), timeout=QUERY_TIMEOUT)
    took = (time.perf_counter() - started) * 1000
    if response.status_code == 400:
        return None
    response.raise_for_status()
    data = response.json()
    return took, data["took_ms"], data["total"]


def query_archive(folder: Path, count: int, seed: int, backend: list[str]) -> dict[str, Any]:
    """Serve `folder` (with the `backend` options of `newsarchive`), time `count` searches of
    each type over HTTP; return the figures."""
    words, phrases = search_speed.vocabulary(random.Random(seed))
    corpus = search_speed.Corpus([], words, phrases)
    queries = search_speed.make_queries(corpus, count, seed + 1)
    warmups = search_speed.make_queries(corpus, WARMUP, seed + 2)
    server, base = start_server(folder, backend)
    peak, stop = ServerPeak(), threading.Event()
    started = time.monotonic()

    def sample() -> None:
        while not stop.is_set():
            peak.update(load.memory_mb(server.pid, time.monotonic() - started))
            stop.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        with httpx.Client(base_url=base) as http:
            cold = first_answer(http, warmups["term"][0])
            progress(f"serving {folder} at {base}: first search {cold:.2f} s")
            kinds = {kind: time_kind(http, kind, queries[kind], warmups[kind]) for kind in KINDS}
    finally:
        stop.set()
        sampler.join()
        server.terminate()
        server.wait(timeout=30)
    return {
        "first_search_seconds": cold,
        "queries_per_type": count,
        "server_threads": SERVER_THREADS,
        "kinds": kinds,
        "server_peak_private_mib": peak.private,
        "server_peak_mapped_mib": peak.mapped,
        "server_peak_mapped_once_mib": peak.mapped_once,
        "server_memory_samples": peak.samples,
    }


def time_kind(
    http: httpx.Client, kind: str, queries: list[Query], warmups: list[Query]
) -> dict[str, float]:
    """Warm up, then time `queries` of type `kind` one at a time; return its figures (the
    queries the server refused are counted, not timed)."""
    for query in warmups:
        timed_search(http, query)
    started = time.perf_counter()
    answers = [timed_search(http, query) for query in queries]
    timed = [answer for answer in answers if answer is not None]
    figures: dict[str, float | None] = {"refused": len(answers) - len(timed)}
    if not timed:
        figures |= dict.fromkeys(("median_ms", "p95_ms", "max_ms", "server_median_ms", "mean_hits"))
        progress(f"  {kind:<12} all {len(queries)} queries refused")
        return figures
    trips, took, totals = zip(*timed, strict=True)
    figures |= {
        "median_ms": statistics.median(trips),
        "p95_ms": search_speed.p95(list(trips)),
        "max_ms": max(trips),
        "server_median_ms": statistics.median(took),
        "mean_hits": statistics.mean(totals),
    }
    progress(
        f"  {kind:<12} {len(queries)} queries in {time.perf_counter() - started:.1f} s: "
        f"median {figures['median_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, "
        f"{figures['refused']} refused"
    )
    return figures


# A Typesense cluster


def node_figures(cluster: Any) -> list[dict[str, Any]]:
    """Return each running node's address, data folder bytes and VmRSS / VmHWM (MiB)."""
    figures = []
    for node in cluster.nodes:
        found = {"VmRSS": 0.0, "VmHWM": 0.0}
        for line in Path(f"/proc/{node.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in found:
                found[name] = int(value.split()[0]) / 1024
        data = search_speed.folder_size(node.folder / "data")
        figures.append({"address": node.address, "data_bytes": data,
                        "rss_mib": found["VmRSS"], "hwm_mib": found["VmHWM"]})  # fmt: skip
    return figures


def per_node(nodes: list[dict[str, Any]], key: str, scale: float = 1.0, digits: int = 0) -> str:
    """Return figure `key` of every node, divided by `scale`, comma separated."""
    return ", ".join(f"{node[key] / scale:.{digits}f}" for node in nodes)


def index_typesense(
    folder: Path, cluster: Any, docs: int, seed: int, batch: int, max_gib: float
) -> dict[str, Any]:
    """Add `docs` generated articles to `cluster` (article store in `folder`), `batch` per
    import; return the figures (RuntimeError once the nodes pass `max_gib` GiB resident)."""
    from indexer.typesense_backend import TypesenseIndex
    from tests.indexer.typesense_cluster import API_KEY

    progress(f"[{docs:,}] indexing into the cluster at {', '.join(cluster.addresses)}")
    stream = TimedStream(search_speed.iter_articles(docs, seed, report_every=0))
    started, done = time.perf_counter(), 0
    with TypesenseIndex.open(
        folder, create=True, nodes=cluster.addresses, api_key=API_KEY
    ) as index:
        while done < docs:
            size = min(batch, docs - done)
            index.add(itertools.islice(stream, size), batch_size=size)
            done += size
            seconds, resident = time.perf_counter() - started, node_figures(cluster)
            rss = sum(node["rss_mib"] for node in resident)
            progress(
                f"[{docs:,}] imported {done:,}/{docs:,} in {seconds:.0f} s ({done / seconds:,.0f} "
                f"docs/s), ETA {(docs - done) * seconds / done / 60:.0f} min; nodes' RSS "
                f"{per_node(resident, 'rss_mib')} MiB"
            )
            if rss > max_gib * 1024:
                raise RuntimeError(f"the Typesense nodes took over {max_gib} GiB: stopped")
        count = len(index)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "docs_per_second": docs / seconds,
        "generate_seconds": stream.seconds,
        "docs_per_second_without_generation": docs / (seconds - stream.seconds),
        "indexed": count,
        "batch": batch,
        "maxrss_client_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_typesense(folder: Path, docs: int, args: argparse.Namespace) -> dict[str, Any]:
    """Start a three-node cluster under `folder`, index, size and query `docs` articles."""
    from tests.indexer.typesense_cluster import API_KEY, Cluster

    cluster = Cluster.create(folder / "cluster")
    cluster.start()
    archive = folder / "archive"
    try:
        batch = args.batch or TYPESENSE_BATCH
        indexing = index_typesense(archive, cluster, docs, args.seed, batch, args.max_gib)
        indexed = node_figures(cluster)
        progress(
            f"[{docs:,}] indexed in {indexing['seconds']:.0f} s ({indexing['docs_per_second']:.0f}"
            f" docs/s), per node: {per_node(indexed, 'data_bytes', 1e9, 2)} GB"
            f" on disk, {per_node(indexed, 'rss_mib')} MiB RSS; querying"
        )
        nodes = ["--nodes", ",".join(cluster.addresses), "--api-key", API_KEY]
        queries = query_archive(
            archive, args.queries, args.seed, ["--backend", "typesense", *nodes]
        )
        queried = node_figures(cluster)
    finally:
        cluster.stop()
    store = sum(path.stat().st_size for path in archive.glob("articles.sqlite*"))
    return {"docs": docs, "folder": str(folder), "backend": "typesense", "indexing": indexing,
            "nodes_after_indexing": indexed, "nodes_after_queries": queried,
            "store_bytes": store, "queries": queries}  # fmt: skip


# Reporting


def machine() -> dict[str, Any]:
    """Return what the figures were measured on."""
    import whoosh

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "whoosh": whoosh.versionstring(),
        "platform": platform.platform(),
    }


def report(results: list[dict[str, Any]]) -> None:
    """Print the indexing table and the latency table of every size measured."""
    if results and results[0].get("backend") == "typesense":
        report_typesense(results)
        return
    print(
        f"{'articles':>10} {'index s':>8} {'docs/s':>7} {'disk GB':>8} {'index GB':>8} "
        f"{'idx PSS GiB':>11} {'srv priv MiB':>12} {'srv mapped MiB':>14} {'1st s':>6}"
    )
    for row in results:
        ix, q, disk = row["indexing"], row["queries"], row["disk"]
        print(
            f"{row['docs']:>10,} {ix['seconds']:>8.0f} {ix['docs_per_second']:>7.0f} "
            f"{disk['total_bytes'] / 1e9:>8.2f} {disk['index_bytes'] / 1e9:>8.2f} "
            f"{ix['peak_tree_pss_mib'] / 1024:>11.2f} {q['server_peak_private_mib']:>12.0f} "
            f"{q['server_peak_mapped_mib']:>14.0f} {q['first_search_seconds']:>6.1f}"
        )
    report_latency(results)


def report_typesense(results: list[dict[str, Any]]) -> None:
    """Print the Typesense indexing table (per node: disk, RSS after the queries, peak RSS)
    and the latency table."""
    print(f"{'articles':>10} {'index s':>8} {'docs/s':>7}  per node: disk GB, RSS MiB, peak MiB")
    for row in results:
        ix, nodes = row["indexing"], row["nodes_after_queries"]
        print(
            f"{row['docs']:>10,} {ix['seconds']:>8.0f} {ix['docs_per_second']:>7.0f}  "
            + "; ".join(
                f"{n['data_bytes'] / 1e9:.2f}, {n['rss_mib']:.0f}, {n['hwm_mib']:.0f}"
                for n in nodes
            )
        )
    report_latency(results)


def report_latency(results: list[dict[str, Any]]) -> None:
    """Print the latency table of every size measured ("-" where every query was refused)."""
    print()
    print(
        f"{'articles':>10} {'query type':<12} {'hits':>8} {'median ms':>10} {'p95 ms':>8} "
        f"{'refused':>7}"
    )
    for row in results:
        for kind, figures in row["queries"]["kinds"].items():
            hits, median, p95 = (
                "-" if figures[key] is None else f"{figures[key]:.0f}"
                for key in ("mean_hits", "median_ms", "p95_ms")
            )
            print(
                f"{row['docs']:>10,} {kind:<12} {hits:>8} {median:>10} {p95:>8} "
                f"{figures.get('refused', 0):>7}"
            )


def measure(folder: Path, docs: int, args: argparse.Namespace) -> dict[str, Any]:
    """Index, size and query one archive of `docs` articles in `folder`."""
    indexing = index_archive(folder, docs, args.seed, args.batch, args.max_gib)
    disk = disk_usage(folder)
    progress(
        f"[{docs:,}] indexed in {indexing['seconds']:.0f} s ({indexing['docs_per_second']:.0f} "
        f"docs/s), {disk['total_bytes'] / 1e9:.2f} GB on disk; querying"
    )
    queries = query_archive(folder, args.queries, args.seed, [])
    return {"docs": docs, "folder": str(folder), "indexing": indexing, "disk": disk,
            "queries": queries}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Measure every size asked for; print the tables and write the JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend", choices=("whoosh", "typesense"), default="whoosh", help="what to measure"
    )
    parser.add_argument(
        "--docs", type=int, nargs="+", action="extend", help="archive sizes (default 100000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus and query seed")
    parser.add_argument("--queries", type=int, default=50, help="timed searches per type")
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="articles per commit (0: all in one bulk load; typesense: per import, 0 is 5000)",
    )
    parser.add_argument(
        "--max-gib",
        type=float,
        default=16.0,
        help="stop the indexer (typesense: the cluster) past this much memory",
    )
    parser.add_argument("--out", type=Path, help="keep the archives in DIR/<docs>")
    parser.add_argument("--json", type=Path, default=Path("sizing.json"), help="figures file")
    parser.add_argument("--index-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.index_child:
        folder, docs, seed, batch = args.index_child
        index_child(Path(folder), int(docs), int(seed), int(batch))
        return 0
    sizes = args.docs or [100_000]
    if args.batch < 0:
        parser.error("--batch must be 0 (one commit) or more")
    folders = {docs: (args.out or Path()) / str(docs) for docs in sizes}
    for folder in folders.values():
        if args.out is not None and folder.exists() and any(folder.iterdir()):
            parser.error(f"{folder} is not empty: pick a new --out folder")
    settings = {key: str(value) if isinstance(value, Path) else value
                for key, value in vars(args).items() if key != "index_child"}  # fmt: skip
    figures: dict[str, Any] = {"machine": machine(), "args": settings | {"docs": sizes}}
    figures["results"] = []
    for docs in sizes:
        scratch = None if args.out else tempfile.mkdtemp(prefix="newsarchive-sizing-")
        folder = Path(scratch) if scratch else folders[docs]
        try:
            measured = measure_typesense if args.backend == "typesense" else measure
            figures["results"].append(measured(folder, docs, args))
        finally:
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
        progress(f"[{docs:,}] figures written to {args.json}")
    print(f"{os.cpu_count()} CPUs, {figures['machine']['memory_gib']} GiB, seed {args.seed}")
    report(figures["results"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
