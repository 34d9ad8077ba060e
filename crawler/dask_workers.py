"""Extraction on a Dask cluster: pages of folders, WARC files and re-extraction read by its workers.

`DaskExtractors` is an `Extractors` whose `extract_all` sends chunks of pages to the workers
of a `distributed.Client` and yields each page's Outcome back in input order, so whoever
consumes them (the crawl's commit batches, re-extraction's `index.add`) stays the single
writer and ends with the same index as a serial run. A bounded number of chunks is in flight,
so memory stays bounded on huge WARC files. Pages of live sites (`read`) stay in the local
process pool: fetching stays in one place, polite to the hosts it crawls.

Workers of an existing cluster need newsarchive installed (the same version as the crawl).
"""

from __future__ import annotations

import logging
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager

from distributed import Client, Future, LocalCluster
from distributed.scheduler import KilledWorker

from crawler.errors import CrawlerError
from crawler.page import Page
from crawler.workers import PROCESSES, Extractors, Outcome, extract_page

logger = logging.getLogger(__name__)

CONNECT_SECONDS = 10  # to reach a scheduler, and for it to have a worker
CHUNK_PAGES = 16  # pages per task: amortises the scheduler's per-task cost
CHUNK_BYTES = 4 * 2**20  # ... without sending huge tasks
CHUNKS_PER_THREAD = 2  # in flight: keeps every worker busy, memory bounded


class ClusterError(CrawlerError):
    """The Dask cluster cannot be reached, has no workers, or was lost mid-job."""


class DaskExtractors(Extractors):
    """Reads pages of local sources on the Dask cluster of `client`; web pages (`read`) in
    `processes` local worker processes (0: in the calling thread)."""

    def __init__(
        self, client: Client, processes: int = PROCESSES, keep_refused: bool = False
    ) -> None:
        super().__init__(processes, keep_refused)
        self.client = client
        threads = sum(client.nthreads().values())
        self.in_flight = CHUNKS_PER_THREAD * max(threads, 1)

    def extract_all(self, pages: Iterable[Page | Outcome]) -> Iterator[Outcome]:
        """Yield each page's Outcome in input order (an Outcome given in place of a page passes)."""
        window: deque[tuple[list[Page | Outcome], Future]] = deque()
        for chunk in _chunks(pages):
            task = self.client.submit(extract_chunk, chunk, self.keep_refused, pure=False)
            window.append((chunk, task))
            if len(window) >= self.in_flight:
                yield from _results(*window.popleft())
        while window:
            yield from _results(*window.popleft())


def extract_chunk(chunk: list[Page | Outcome], keep_refused: bool = False) -> list[Outcome]:
    """Extract each page of `chunk` (runs on a Dask worker); no page fails the others."""
    return [item if isinstance(item, Outcome) else _extract(item, keep_refused) for item in chunk]


def _extract(page: Page, keep_refused: bool) -> Outcome:
    """Return `extract_page(page)`, an unexpected exception becoming the page's error."""
    try:
        return extract_page(page, keep_refused)
    except Exception as exc:  # one page's data tripping a bug must not end the whole job
        logger.exception("%s", page.location)
        return Outcome(
            page.location,
            url=page.url,
            error=f"unexpected {type(exc).__name__} ({exc}); this is a crawler bug, please "
            "report it with the Dask worker's log; the job went on without this page",
        )


def _chunks(pages: Iterable[Page | Outcome]) -> Iterator[list[Page | Outcome]]:
    """Group `pages` in order into chunks of at most CHUNK_PAGES pages or about CHUNK_BYTES."""
    chunk: list[Page | Outcome] = []
    size = 0
    for page in pages:
        chunk.append(page)
        size += len(page.content) if isinstance(page, Page) else 0
        if len(chunk) >= CHUNK_PAGES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _results(chunk: list[Page | Outcome], future: Future) -> list[Outcome]:
    """Return the Outcomes of `chunk` computed by `future`; a dead worker fails its pages."""
    try:
        return future.result()
    except KilledWorker as exc:  # the chunk took down every worker it was tried on
        reason = f"a Dask worker died reading the batch of pages this one was in ({exc})"
        return [
            item
            if isinstance(item, Outcome)
            else Outcome(item.location, url=item.url, error=reason)
            for item in chunk
        ]
    except (CancelledError, OSError) as exc:  # the scheduler went away
        raise ClusterError(
            f"Lost the Dask cluster mid-job ({exc}); articles committed so far are kept. "
            "Check the scheduler and its workers, then run the job again."
        ) from exc


@contextmanager
def dask_client(workers: int = 0, scheduler: str | None = None) -> Iterator[Client]:
    """Yield a Client of the scheduler at `scheduler`, or of a new local cluster of `workers`
    single-threaded worker processes on 127.0.0.1 (no dashboard), closed on exit."""
    if scheduler:
        with _connect(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # Its HTTP routes (health, metrics) on a free port, not 8787 which may be taken.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(_leave_interrupts_to_the_job)
        yield client


def _leave_interrupts_to_the_job() -> None:
    """Ignore Ctrl-C in a local worker (it reaches the whole process group): the job that
    started the cluster handles it and stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _connect(scheduler: str) -> Client:
    """Return a Client of the scheduler at `scheduler` once it has a worker; else ClusterError."""
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"Cannot reach the Dask scheduler at {scheduler} ({exc}). Check the address, and "
            f"that a scheduler runs there (`dask scheduler`) with workers (`dask worker "
            f"{scheduler}` on each machine, with newsarchive installed); or start a local "
            "cluster instead (--dask-workers N)."
        ) from exc
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except TimeoutError as exc:
        client.close()
        raise ClusterError(
            f"The Dask scheduler at {scheduler} has no workers; start some with "
            f"`dask worker {scheduler}` (newsarchive installed on each machine)."
        ) from exc
    return client
