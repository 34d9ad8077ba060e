"""Coverage-guided fuzzing of `extract_article` with atheris, seeded from real pages.

    python benchmarks/fuzz_extract.py [--seconds 600] [--max-len 65536] [--seed 1] [--out DIR]
                                      [--page-seconds 10] [--rss-mb 2048] [--max-seeds N]

Copies the crawler's HTML fixtures, the sample archive and the extraction benchmark pages into
a temporary corpus, then runs libFuzzer (through atheris, with only the crawler package
instrumented) on `extract_article(page, URL, charset=...)` for `--seconds`, mutating with a
dictionary of article markup (JSON-LD, <time>, bylines, <meta>, charsets). A finding is:
an exception other than the documented `ExtractionError` (and its subclass `NotAnArticle`),
a call still running after `--page-seconds` (libFuzzer's -timeout), or the process growing
past `--rss-mb` (-rss_limit_mb). Each finding's input is saved in `--out` (a new temporary
folder by default) beside a note of what went wrong. Fuzzing runs in a child process that is
restarted on the same corpus after a hang or a memory blow-up until the time is up. Prints
executions, exec/s, coverage and corpus growth and the findings; exits 1 if there were any.
tests/crawler/test_extract_fuzz.py runs it for a few seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_FOLDERS = (
    ROOT / "tests" / "crawler" / "fixtures",
    ROOT / "sample_archive",
    ROOT / "benchmarks" / "extraction" / "pages",
)
URL = "https://fuzz.example/news/2024/03/14/harbour-budget"
# The server-declared charset is picked from the input itself, so a finding replays alike.
CHARSETS = (None, None, None, "utf-8", "windows-1251", "shift_jis", "utf-16", "x-bogus", "")
# Markup the mutator splices in: what article pages are made of and extraction reads.
TOKENS = (
    "<html>", "</html>", "<head>", "<body>", "<article>", "</article>", "<main>", "<p>", "</p>",
    "<div>", "</div>", "<br>", "<h1>", "</h1>", "<h2>Sources</h2>", "<time datetime=\"",
    "</time>", "<title>", "</title>", "<figure>", "<figcaption>", "<table><tr><td>", "<li>",
    "<a href=\"", "<a rel=\"author\">", "<nav>", "<aside>", "<footer>", "<header>", "<!--",
    "-->", "<![CDATA[", "]]>", "<?xml version=\"1.0\"?>", "<svg>", "<template>", "<noscript>",
    "<script type=\"application/ld+json\">", "</script>", "\"@type\":\"NewsArticle\"",
    "\"@graph\":[", "\"@id\":", "\"author\":{\"@type\":\"Person\",\"name\":",
    "\"datePublished\":", "\"headline\":", "\"publisher\":", "\"isAccessibleForFree\":false",
    "\"keywords\":", "\"image\":", "\"inLanguage\":", "\"itemListElement\":", "\"position\":",
    "<meta charset=\"", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=",
    "<meta property=\"og:url\" content=\"", "<meta property=\"article:published_time\" content=\"",
    "<meta name=\"author\" content=\"", "<meta name=\"keywords\" content=\"",
    "<meta property=\"og:type\" content=\"article\">", "<link rel=\"canonical\" href=\"",
    "itemprop=\"articleBody\"", "itemprop=\"datePublished\"", "itemprop=\"author\"",
    "class=\"byline\"", "class=\"article-body\"", "class=\"related\"", "class=\"date\"",
    "class=\"breadcrumb\"", "class=\"kicker\"", "role=\"main\"", "role=\"navigation\"",
    "hidden", "style=\"display:none\"", "lang=\"", "By Jane Doe", "2024-03-14T10:00:00+01:00",
    "March 14, 2019 10:00 am BST", "14.03.2019", "2012年5月3日 18:12", "http://[::1",
    "https://", "file:///", "&#x110000;", "&nbsp;", "\u00a0", "\ufeff", "\x00",
    "Subscribe to continue reading", "404 Page not found", "utf-16", "windows-1252", "gb2312",
)  # fmt: skip
_STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)")
_EXECUTED = re.compile(r"stat::number_of_executed_units: (\d+)")
_ERROR = re.compile(r"ERROR: libFuzzer: (.*)")
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


@dataclass
class Harness:
    """Calls `extract` on each input; saves every new kind of unexpected exception in `out`."""

    extract: Callable[..., object]
    allowed: type[BaseException]
    out: Path
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.seen |= {note.read_text().split("\n", 1)[0] for note in self.out.glob("*.txt")}

    def __call__(self, data: bytes) -> None:
        """Extract one input; anything but the allowed error is a finding."""
        try:
            self.extract(data, URL, charset=CHARSETS[zlib.crc32(data[:64]) % len(CHARSETS)])
        except self.allowed:
            return
        except Exception as error:  # noqa: BLE001 - every other exception is what we look for
            self.record(data, error)

    def record(self, data: bytes, error: Exception) -> None:
        """Save `data` and its traceback unless a finding with the same signature exists."""
        found = signature(error)
        if found in self.seen:
            return
        self.seen.add(found)
        name = f"exception-{hashlib.sha1(data).hexdigest()[:16]}"
        (self.out / f"{name}.html").write_bytes(data)
        (self.out / f"{name}.txt").write_text(f"{found}\n\n{traceback.format_exc()}")
        print(f"\nFINDING {found}: saved {self.out / name}.html", file=sys.stderr, flush=True)


def signature(error: BaseException) -> str:
    """Return "Type at file:line" of the innermost frame in our code (else the innermost)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(ROOT))] or frames
    where = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    return f"{type(error).__name__}{where}"


def seed_corpus(corpus: Path, most: int | None = None) -> int:
    """Copy the seed pages (`most` of them, spread over the folders) into `corpus`."""
    paths = [path for folder in SEED_FOLDERS for path in sorted(folder.rglob("*.htm*"))]
    step = max(1, len(paths) // most) if most else 1
    chosen = paths[::step][:most]
    for number, path in enumerate(chosen):
        shutil.copyfile(path, corpus / f"seed-{number:04d}-{path.name}")
    return len(chosen)


def write_dictionary(path: Path) -> None:
    """Write TOKENS as a libFuzzer dictionary (quotes, backslashes, non-ASCII escaped)."""
    lines = []
    for token in TOKENS:
        escaped = "".join(
            chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\x{b:02x}"
            for b in token.encode("utf-8")
        )
        lines.append(f'"{escaped}"')
    path.write_text("\n".join(lines) + "\n")


def run_worker(out: Path, libfuzzer_args: list[str]) -> None:
    """Fuzz in this process (the child): instrument the crawler, then hand over to libFuzzer."""
    import warnings

    import atheris

    with atheris.instrument_imports(include=["crawler"]):
        from crawler.errors import ExtractionError
        from crawler.extract import extract_article
    warnings.simplefilter("ignore")  # bs4's hints about odd markup are not findings
    harness = Harness(extract_article, ExtractionError, out)
    atheris.Setup([sys.argv[0], *libfuzzer_args], harness)
    atheris.Fuzz()


@dataclass
class Report:
    """Figures of a whole run, over every child process."""

    executions: int = 0
    restarts: int = 0
    start: tuple[int, int, int] | None = None  # (coverage, features, corpus) once loaded
    end: tuple[int, int, int] | None = None
    corpus_size: str = ""
    failures: list[str] = field(default_factory=list)  # libFuzzer's hangs, OOMs, crashes

    def read(self, lines: Iterator[str], log: Path) -> None:
        """Take the figures and failures out of one child's libFuzzer output."""
        executed = 0
        error = ""
        with log.open("a") as saved:
            for line in lines:
                saved.write(line)
                if status := _STATUS.match(line):
                    executed = max(executed, int(status[1]))
                    figures = (int(status[3]), int(status[4]), int(status[5]))
                    if status[2] == "INITED" and self.start is None:
                        self.start = figures
                    self.end, self.corpus_size = figures, status[6]
                elif done := _EXECUTED.search(line):
                    executed = int(done[1])
                elif failure := _ERROR.search(line):
                    error = failure[1].strip()
                elif (artifact := _ARTIFACT.search(line)) and error:
                    self.failures.append(f"{error}: input saved as {artifact[1]}")
        self.executions += executed


def fuzz(args: argparse.Namespace, out: Path) -> Report:
    """Run libFuzzer children on a seeded temporary corpus until `args.seconds` are spent."""
    report = Report()
    with tempfile.TemporaryDirectory(prefix="fuzz-extract-") as tmp:
        corpus, dictionary = Path(tmp) / "corpus", Path(tmp) / "html.dict"
        corpus.mkdir()
        seeds = seed_corpus(corpus, args.max_seeds)
        write_dictionary(dictionary)
        print(f"{seeds} seed pages, findings go to {out}", flush=True)
        deadline = time.monotonic() + args.seconds
        while (left := int(deadline - time.monotonic())) >= 1:
            flags = [
                str(corpus),
                f"-max_total_time={left}",
                f"-seed={args.seed + report.restarts}",
                f"-max_len={args.max_len}",
                f"-timeout={args.page_seconds}",
                f"-rss_limit_mb={args.rss_mb}",
                f"-dict={dictionary}",
                f"-artifact_prefix={out}/",
                "-print_final_stats=1",
            ]
            child = subprocess.Popen(
                [sys.executable, __file__, "--worker", str(out), "--", *flags],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
            )
            assert child.stderr is not None
            failures = len(report.failures)
            report.read(iter(child.stderr.readline, ""), out / "libfuzzer.log")
            status = child.wait()
            if status == 0:
                break
            if len(report.failures) == failures:  # died without a finding: restarting won't help
                report.failures.append(f"the fuzzer exited with status {status}; see libfuzzer.log")
                break
            report.restarts += 1
    return report


def findings(out: Path) -> list[str]:
    """Return the first line of each exception finding's note in `out`."""
    return [note.read_text().split("\n", 1)[0] for note in sorted(out.glob("exception-*.txt"))]


def main(argv: list[str] | None = None) -> int:
    """Fuzz for the given time and print the figures; 1 if anything was found."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=600, help="how long to fuzz")
    parser.add_argument("--max-len", type=int, default=65536, help="longest input, in bytes")
    parser.add_argument("--seed", type=int, default=1, help="libFuzzer's random seed")
    parser.add_argument("--out", type=Path, help="folder for findings (default: a new temp one)")
    parser.add_argument("--page-seconds", type=int, default=10, help="time cap of one call")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory cap of the process")
    parser.add_argument("--max-seeds", type=int, help="seed pages to start from (default: all)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.worker:
        run_worker(args.worker, [arg for arg in rest if arg != "--"])
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="fuzz-extract-findings-"))
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    report = fuzz(args, out)
    elapsed = time.monotonic() - started
    found = findings(out) + report.failures
    print(
        f"{report.executions:,} executions in {elapsed:.0f} s: "
        f"{report.executions / elapsed:.1f} exec/s, seed {args.seed}, "
        f"{report.restarts} restart(s)"
    )
    if report.start and report.end:
        (cov0, ft0, corp0), (cov1, ft1, corp1) = report.start, report.end
        print(
            f"coverage {cov0:,} -> {cov1:,} edges, features {ft0:,} -> {ft1:,}, "
            f"corpus {corp0:,} -> {corp1:,} inputs ({report.corpus_size})"
        )
    print(f"{len(found)} finding(s)" + (f" in {out}:" if found else ""))
    for finding in found:
        print(f"  {finding}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
