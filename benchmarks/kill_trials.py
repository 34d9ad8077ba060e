"""Kill trials: SIGKILL the indexer at random points of a load or a `reindex`, check the archive.

    python benchmarks/kill_trials.py [--trials 50] [--articles 3000] [--seed 1]

Each trial makes a fresh archive and starts a child process that adds `--articles` short,
deterministic articles in batches of alternating sizes, some at most BULK_BATCH (one process,
FastSegmentWriter) and some over it (the multiprocess BulkWriter), printing the ids of each batch
once `NewsIndex.add` has committed it. Odd trials then run `NewsIndex.rebuild()`, as
`newsarchive reindex` does. After a seeded random delay (from a few ms to the time an
uninterrupted run takes, measured first) the child's whole process group gets SIGKILL, bulk
workers included. The parent then checks that the write lock is free at once and a new writer
commits without waiting; that, after that write, every id reported committed is stored and
indexed, and found by a search on a word only its article holds, and the index and the store
hold the same ids, none twice; and that rerunning the same job completes with exactly the
expected ids. Prints each trial's outcome and a summary; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler import Article  # noqa: E402
from indexer import NewsIndex  # noqa: E402
from indexer.index import BULK_BATCH, INDEX_DIR  # noqa: E402

# Batch sizes taken in turn: one under BULK_BATCH (single process), one over it (bulk writer).
BATCH_SIZES = (BULK_BATCH // 4, BULK_BATCH + BULK_BATCH // 4)
MIN_KILL_DELAY = 0.005
LOCK_FREE_WITHIN = 2.0  # seconds the OS may take to drop the dead processes' lock
WRITER_WATCHDOG = 10.0  # a one-article commit takes well under a second unless a lock blocks it
RUN_TIMEOUT = 300.0
SEARCH_SAMPLE = 25
PAGE = 100
PROBE_URL = "https://kill.example/probe"
MARKER_LETTERS = "bcdfghjkmnpqrtvwxz"
MARKER_WIDTH = 4  # 18**4 distinct words

CHILD = """
import sys
sys.path.insert(0, {bench!r})
from kill_trials import run_child
run_child({archive!r}, {articles}, {rebuild})
"""


@dataclass
class Trial:
    """One trial's kill and what the checks after it found wrong."""

    number: int
    rebuild: bool
    delay: float = 0.0
    phase: str = "startup"  # the last phase the child reported starting before the kill
    committed: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def marker(n: int) -> str:
    """Return a made-up word only article `n` holds: consonants with no suffix a stemmer cuts."""
    letters = ""
    for _ in range(MARKER_WIDTH):
        n, digit = divmod(n, len(MARKER_LETTERS))
        letters += MARKER_LETTERS[digit]
    return f"zork{letters}"


def article(n: int) -> Article:
    """Return synthetic article `n`: short, deterministic, with its own marker word."""
    return Article(
        url=f"https://kill.example/{n}",
        title=f"Wire report {n}",
        text=f"The council met about {marker(n)} today. Story {n} ends here.",
        source="Kill Wire",
        section="Trials",
        language="en",
    )


def article_ids(count: int) -> list[str]:
    """Return the ids of the first `count` synthetic articles."""
    return [article(n).id for n in range(count)]


def probe() -> Article:
    """Return the one article a new writer adds after a kill."""
    return Article(url=PROBE_URL, title="Probe", text="A writer after the kill added this.")


def batches(count: int) -> list[range]:
    """Return article numbers 0..count-1 cut into batches of the sizes in BATCH_SIZES, in turn."""
    cuts, start = [], 0
    while start < count:
        size = BATCH_SIZES[len(cuts) % len(BATCH_SIZES)]
        cuts.append(range(start, min(start + size, count)))
        start += size
    return cuts


def emit(**line: object) -> None:
    """Print one JSON line for the parent, flushed at once."""
    print(json.dumps(line), flush=True)


def run_child(archive: str, count: int, rebuild: bool) -> None:
    """Load `count` articles into `archive`, reporting each committed batch; then `rebuild`."""
    with NewsIndex.open(archive) as index:
        emit(phase="ready")
        for numbers in batches(count):
            emit(phase="bulk" if len(numbers) > BULK_BATCH else "single")
            index.add([article(n) for n in numbers], batch_size=len(numbers))
            emit(committed=[article(n).id for n in numbers])
        if rebuild:
            emit(phase="rebuild")
            emit(rebuilt=index.rebuild())
    emit(phase="done")


class Child:
    """The child process of one run, in a session of its own, its output read as it comes."""

    def __init__(self, archive: Path, count: int, rebuild: bool) -> None:
        code = CHILD.format(
            bench=str(ROOT / "benchmarks"), archive=str(archive), articles=count, rebuild=rebuild
        )
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            start_new_session=True,
        )
        self.lines: list[dict] = []
        self.stamps: list[float] = []  # when each line arrived
        self.ended = False  # the child's output closed
        self.news = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        """Collect the child's JSON lines (a line cut short by the kill is dropped)."""
        for text in self.proc.stdout:
            try:
                line = json.loads(text)
            except ValueError:
                continue
            with self.news:
                self.lines.append(line)
                self.stamps.append(time.monotonic())
                self.news.notify_all()
        with self.news:
            self.ended = True
            self.news.notify_all()

    def wait_for(self, phase: str, timeout: float = RUN_TIMEOUT) -> bool:
        """Wait until the child reports starting `phase`; return False if it never does."""
        with self.news:
            return (
                self.news.wait_for(lambda: phase in self.phases() or self.ended, timeout)
                and phase in self.phases()
            )

    def kill_group(self) -> None:
        """SIGKILL the child and every process of its session (the bulk writer's workers)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def finish(self, timeout: float = RUN_TIMEOUT) -> tuple[int, bool]:
        """Wait for the child (killing its group if it outlives `timeout`) and its output;
        return its exit code and whether its output stayed open: a process of it outlived it."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_group()
            code = self.proc.wait()
        self.reader.join(LOCK_FREE_WITHIN)
        outlived = self.reader.is_alive()
        if outlived:
            self.kill_group()
            self.reader.join()
        self.proc.stdout.close()
        return code, outlived

    def error(self) -> str:
        """Return the end of the child's stderr."""
        self.stderr.seek(0)
        text = self.stderr.read().decode(errors="replace").strip()
        self.stderr.close()
        return text[-1500:]

    def committed(self) -> list[str]:
        """Return the ids the child reported committed."""
        return [i for line in self.lines for i in line.get("committed", [])]

    def durations(self) -> dict[str, float]:
        """Return how long the first occurrence of each phase lasted, till the next line."""
        took: dict[str, float] = {}
        for line, start, end in zip(self.lines, self.stamps, self.stamps[1:], strict=False):
            if "phase" in line:
                took.setdefault(line["phase"], end - start)
        if self.phases()[-1:] == ["done"]:
            took["total"] = self.stamps[-1] - self.stamps[0]
        return took

    def phases(self) -> list[str]:
        """Return the phases the child reported starting, in order."""
        return [line["phase"] for line in self.lines if "phase" in line]


def new_archive(parent: Path) -> Path:
    """Create an empty archive in a fresh folder under `parent`."""
    archive = Path(tempfile.mkdtemp(dir=parent))
    NewsIndex.open(archive, create=True).close()
    return archive


def run_whole(archive: Path, count: int, rebuild: bool) -> tuple[dict[str, float], list[str]]:
    """Run the child to the end on `archive`; return its `Child.durations` and errors."""
    child = Child(archive, count, rebuild)
    code, outlived = child.finish()
    if code != 0 or child.phases()[-1:] != ["done"] or outlived:
        return {}, [f"an uninterrupted run exited {code}: {child.error()}"]
    child.error()
    return child.durations(), []


def calibrate(parent: Path, count: int, rebuild: bool) -> dict[str, float]:
    """Return how long an uninterrupted run and its phases take (raising if it fails): the
    total counts from "ready", when the child has opened the archive, to "done"."""
    archive = new_archive(parent)
    took, errors = run_whole(archive, count, rebuild)
    errors += check_archive(archive, set(article_ids(count)), exact=True)
    if errors:
        raise RuntimeError("the uninterrupted run failed: " + "; ".join(errors))
    return took


def indexed_ids(index: NewsIndex) -> list[str]:
    """Return the id of every article the index returns for the empty query, page by page."""
    ids: list[str] = []
    for page in range(1, len(index) // PAGE + 2):
        hits = index.search(
            "", page=page, per_page=PAGE, collapse=False, facets=(), highlight=False
        )
        ids += [hit.id for hit in hits.hits]
    return ids


def searchable(index: NewsIndex, ids: list[str], count: int) -> list[str]:
    """Return errors for a sample of `ids` whose marker word does not find exactly them."""
    errors = []
    numbers = {article(n).id: n for n in range(count)}
    for article_id in random.Random(len(ids)).sample(ids, min(SEARCH_SAMPLE, len(ids))):
        found = index.search(marker(numbers[article_id]), facets=(), highlight=False)
        if [hit.id for hit in found.hits] != [article_id]:
            errors.append(f"searching the word of {article_id} found {found.total} articles")
    return errors


def check_archive(archive: Path, want: set[str], exact: bool) -> list[str]:
    """Check that `archive` opens and its index and store agree, without duplicates, and hold
    every id of `want` (with `exact`, nothing else); return what is wrong."""
    try:
        index = NewsIndex.open(archive)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        return [f"the archive does not open: {exc!r}"]
    with index:
        ids = indexed_ids(index)
        stored = [a.id for a in index.articles()]
        errors = []
        twice = [i for i, n in Counter(ids).items() if n > 1]
        if twice:
            errors.append(f"{len(twice)} ids indexed more than once, e.g. {twice[0]}")
        if len(ids) != len(index):
            errors.append(f"the index counts {len(index)} articles but lists {len(ids)}")
        if set(ids) != set(stored) or len(stored) != len(index):
            errors.append(
                f"the index ({len(index)}) and the store ({len(stored)}) disagree: "
                f"{len(set(stored) - set(ids))} stored only, {len(set(ids) - set(stored))} "
                "indexed only"
            )
        missing = want - set(ids)
        if missing:
            errors.append(f"{len(missing)} committed ids are not in the index")
        unstored = want - set(stored)
        if unstored:
            errors.append(f"{len(unstored)} committed ids are not in the store")
        if exact and set(ids) != want:
            errors.append(f"{len(set(ids) - want)} unexpected ids in the index")
        count = len(want - {probe().id})
        errors += searchable(index, sorted(want & set(ids) - {probe().id}), count)
    return errors


def lock_free(archive: Path) -> list[str]:
    """Return an error unless the index's write lock can be taken within LOCK_FREE_WITHIN."""
    lock = whoosh_index.open_dir(archive / INDEX_DIR).lock("WRITELOCK")
    until = time.monotonic() + LOCK_FREE_WITHIN
    while not lock.acquire(blocking=False):
        if time.monotonic() > until:
            return [f"the write lock is still held {LOCK_FREE_WITHIN:.0f} s after the kill"]
        time.sleep(0.05)
    lock.release()
    return []


def writer_commits(archive: Path) -> list[str]:
    """Return an error unless adding one article commits within WRITER_WATCHDOG seconds."""
    outcome: list[str] = []

    def add() -> None:
        try:
            with NewsIndex.open(archive) as index:
                index.add([probe()])
            outcome.append("ok")
        except Exception as exc:  # noqa: BLE001 - reported as the finding
            outcome.append(f"adding one article after the kill failed: {exc!r}")

    thread = threading.Thread(target=add, daemon=True)
    thread.start()
    thread.join(WRITER_WATCHDOG)
    if not outcome:
        return [f"a new writer still waits {WRITER_WATCHDOG:.0f} s after the kill"]
    return [] if outcome == ["ok"] else outcome


def run_trial(
    number: int, rebuild: bool, count: int, delay: float, parent: Path, after: str = "ready"
) -> Trial:
    """Kill a load (and with `rebuild`, a rebuild) `delay` s after the child reports starting
    phase `after`, then check the archive, write to it and rerun the job."""
    trial = Trial(number, rebuild, delay)
    started = time.monotonic()
    archive = new_archive(parent)
    child = Child(archive, count, rebuild)
    if not child.wait_for(after):
        trial.failures.append(f"the child never reached {after}")
    time.sleep(delay)
    child.kill_group()
    code, outlived = child.finish()
    trial.phase, committed = (child.phases() or ["startup"])[-1], child.committed()
    trial.committed = len(committed)
    if code not in (-signal.SIGKILL, 0):
        trial.failures.append(f"the child exited {code} before the kill: {child.error()}")
    else:
        child.error()
    if outlived:
        trial.failures.append("a process of the killed job outlived the kill")
    trial.failures += lock_free(archive)
    # The next write mends what the kill interrupted (articles stored but not yet indexed).
    trial.failures += writer_commits(archive)
    trial.failures += check_archive(archive, set(committed), exact=False)
    _, errors = run_whole(archive, count, rebuild)
    trial.failures += [f"rerun: {e}" for e in errors]
    want = {*article_ids(count), probe().id}
    trial.failures += [f"after rerun: {e}" for e in check_archive(archive, want, exact=True)]
    trial.seconds = time.monotonic() - started
    return trial


def describe(trial: Trial) -> str:
    """Return one line about `trial`."""
    job = "load+rebuild" if trial.rebuild else "load"
    outcome = "ok" if not trial.failures else "FAILED: " + "; ".join(trial.failures)
    return (
        f"trial {trial.number:3d} {job:12s} killed after {trial.delay * 1000:6.0f} ms "
        f"in {trial.phase:8s} ({trial.committed:5d} committed) {trial.seconds:5.1f} s  {outcome}"
    )


def run_trials(trials: int, count: int, seed: int) -> list[Trial]:
    """Run `trials` kill trials of `count` articles, every other one with a rebuild."""
    rng = random.Random(seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="kill-trials-") as tmp:
        parent = Path(tmp)
        expected = {mode: calibrate(parent, count, mode)["total"] for mode in (False, True)}
        print(f"uninterrupted: load {expected[False]:.2f} s, load+rebuild {expected[True]:.2f} s")
        for number in range(trials):
            rebuild = number % 2 == 1
            delay = rng.uniform(MIN_KILL_DELAY, expected[rebuild])
            results.append(run_trial(number, rebuild, count, delay, parent))
            print(describe(results[-1]), flush=True)
    return results


def summary(results: list[Trial]) -> str:
    """Return the totals: trials, kills by phase, failures with their details."""
    phases = Counter(trial.phase for trial in results)
    failed = [trial for trial in results if trial.failures]
    lines = [
        f"trials: {len(results)}, failed: {len(failed)}",
        "kills by phase: " + ", ".join(f"{p} {n}" for p, n in sorted(phases.items())),
        f"kills during bulk batches: {phases['bulk']}, during rebuild: {phases['rebuild']}",
    ]
    lines += [describe(trial) for trial in failed]
    return "\n".join(lines)


def main() -> int:
    """Parse the arguments, run the trials, print the summary; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = run_trials(args.trials, args.articles, args.seed)
    print(summary(results))
    return 1 if any(trial.failures for trial in results) else 0


if __name__ == "__main__":
    sys.exit(main())
