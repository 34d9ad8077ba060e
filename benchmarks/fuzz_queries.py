"""Fuzzing the query language: random queries and search options against an existing archive.

    python benchmarks/fuzz_queries.py --archive DIR [--seconds 300] [--seed 1]

Builds queries from the grammar's pieces (words in several scripts, balanced and stray quotes,
"phrases"~N, groups, AND/OR/NOT/TO, -word, +word, field:value on known and unknown fields,
published:[A TO B] with good and bad dates, wildcards, fuzzy words, ^boosts, punctuation, very
long words) and from random text, each with random filters, dates, sort and page, and runs them
through `NewsIndex.search` for `--seconds`. Prints queries/s, the slowest queries and every
exception other than `QueryError`; exits 1 if a query raised one or took over MAX_SECONDS
twice (a query over it is run once more: on a shared machine, a busy moment is not a slow
query).
Searches run in a worker process, killed and restarted when a query outlives HANG_SECONDS.
tests/indexer/test_query_fuzz.py drives the same generators with hypothesis.
"""

from __future__ import annotations

import argparse
import heapq
import multiprocessing
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import NewsIndex  # noqa: E402
from indexer.errors import QueryError  # noqa: E402

MAX_SECONDS = 1.0  # the bound on any one query
HANG_SECONDS = 5.0  # a query still running after this is killed with its worker
SLOWEST = 10
EXAMPLES = 3  # queries shown for each kind of problem

ASCII_WORDS = (
    "river council election vaccine harbour market drought budget report story minister "
    "ants peroxide flood farmland the and of a is ba bra tra chou"
).split()
ACCENTED_WORDS = ["café", "Díaz", "naïve", "Zürich", "résumé", "São", "Ærø", "İstanbul", "straße"]
CJK_WORDS = ["北京", "新闻", "東京都", "中华人民共和国", "뉴스", "ニュース", "经济"]
DIGIT_WORDS = ["2015", "42", "0", "2015-09-01", "3.14", "1e9", "٢٠١٥", "007", "99999999999"]
KNOWN_FIELDS = [
    "title", "description", "body", "author", "authors", "source", "section", "language",
    "tag", "tags", "published", "year", "month", "TITLE", "Published",
]  # fmt: skip
# Unknown to the query language; some are index fields it does not advertise.
UNKNOWN_FIELDS = [
    "foo", "x", "url", "id", "dupkey", "headline", "simhash", "simband", "undated",
    "spell_title", "body_fr", "title_cjk", "body_other", "author_", "_",
]  # fmt: skip
DATE_FIELDS = ["published", "year", "month"]
GOOD_DATES = ["2015", "2015-09", "2015-09-01", "2010", "1999-12-31", "2024-02-29", "20150901"]
BAD_DATES = [
    "2015-13", "2015-02-30", "0000", "0001", "9999", "99999", "x", "-1", "now", "2015-09-01T10:00",
    "2015/09/01", "", "*", "2015-", "1e3", "١٩٩٩", "yesterday",
]  # fmt: skip
OPERATORS = ["AND", "OR", "NOT", "TO", "and", "or", "not", "to", "And", "ANDNOT", "&&", "||", "!"]
PUNCTUATION = list("\"()[]{}:^~*?+-!&|\\/,.;'`@#$%=<>") + ["\x00", "\u200b", "\ufeff", "…"]
SEPARATORS = [" ", " ", " ", "  ", "", "\t", "\n", "\u3000", "\xa0"]
SORTS = ["relevance", "newest", "oldest", "", "Relevance", "random"]
FILTER_NAMES = [
    "source", "section", "authors", "author", "language", "tags", "tag", "year", "month",
    "published", "title", "",
]  # fmt: skip
# Code point ranges random text is drawn from (no surrogates: a Python str may hold them, but
# no query arrives with one).
TEXT_RANGES = [(0x20, 0x7E), (0x0, 0x1F), (0xA0, 0x24F), (0x370, 0x6FF), (0x3000, 0x9FFF)]


def word(rng: random.Random) -> str:
    """Return one word: ASCII, accented, CJK, digits, random letters or a very long one."""
    kind = rng.randrange(11)
    if kind < 4:
        return rng.choice(ASCII_WORDS)
    if kind == 4:
        return rng.choice(ACCENTED_WORDS)
    if kind == 5:
        return rng.choice(CJK_WORDS)
    if kind == 6:
        return rng.choice(DIGIT_WORDS)
    if kind == 7:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 8)))
    if kind == 8:
        return rng.choice(ASCII_WORDS).upper()
    if kind == 9:  # a long unknown word: spelling suggestions must not chew on it
        return "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(20, 1000))
        )
    return rng.choice("abcxyzé北") * rng.randint(50, 400)


def random_text(rng: random.Random, longest: int = 40) -> str:
    """Return up to `longest` random characters from several scripts and control codes."""
    ranges = rng.choices(TEXT_RANGES, k=rng.randint(0, longest))
    return "".join(chr(rng.randint(low, high)) for low, high in ranges)


def _date(rng: random.Random) -> str:
    return rng.choice(GOOD_DATES if rng.random() < 0.6 else BAD_DATES)


def _value(rng: random.Random) -> str:
    """Return a field value: a word, a quoted name, a date, a wildcard or nothing."""
    return rng.choice(
        [
            word(rng),
            f'"{word(rng)} {word(rng)}"',
            _date(rng),
            f"{word(rng)}*",
            "*",
            "",
            f"({word(rng)} OR {word(rng)})",
        ]
    )


def _range(rng: random.Random) -> str:
    """Return a range such as [2010 TO 2015], {2010 TO 2015], [2010 TO] or a broken one."""
    start, end = rng.choice("[{"), rng.choice("]}")
    low = _date(rng) if rng.random() < 0.9 else ""
    high = _date(rng) if rng.random() < 0.9 else ""
    text = f"{start}{low} {rng.choice(['TO', 'to', 'To', '-', ''])} {high}{end}"
    return text[: rng.randint(1, len(text))] if rng.random() < 0.1 else text


def _term(rng: random.Random, depth: int) -> str:
    """Return one piece of a query, a group of pieces while `depth` allows."""
    pieces: list[Callable[[], str]] = [
        lambda: f'"{" ".join(word(rng) for _ in range(rng.randint(0, 4)))}"',
        lambda: f'"{word(rng)} {word(rng)}"~{rng.choice(["", "0", "2", "9", "99999999999"])}',
        lambda: f'"{word(rng)} {word(rng)}',  # an unbalanced quote
        lambda: rng.choice(OPERATORS),
        lambda: f"-{word(rng)}",
        lambda: f"+{word(rng)}",
        lambda: f"{rng.choice(KNOWN_FIELDS)}:{_value(rng)}",
        lambda: f"{rng.choice(UNKNOWN_FIELDS)}:{_value(rng)}",
        lambda: f"{rng.choice(DATE_FIELDS)}:{rng.choice([_date(rng), _range(rng)])}",
        lambda: f"{word(rng)[: rng.randint(0, 4)]}*",
        lambda: rng.choice(["*", "?", "*?", "?*", "**", "*:*", "* *"]),
        lambda: "".join(rng.choice([word(rng)[:2], "*", "?"]) for _ in range(rng.randint(1, 4))),
        lambda: f"{word(rng)}~{rng.choice(['', '1', '2', '9', '0', '~', 'x', '99'])}",
        lambda: f"{word(rng)}^{rng.choice(['', '2', '0', '-1', '2.5', '1e308', 'x', '^'])}",
        lambda: rng.choice(PUNCTUATION) * rng.randint(1, 3),
        lambda: rng.choice("()") + word(rng),  # an unbalanced parenthesis
        lambda: random_text(rng, 8),
    ]
    if depth:
        pieces.append(lambda: _group(rng, depth))
    kind = rng.randrange(len(pieces) + 5)  # plain words five times as often as the others
    return word(rng) if kind >= len(pieces) else pieces[kind]()


def _group(rng: random.Random, depth: int) -> str:
    inner = " ".join(_term(rng, depth - 1) for _ in range(rng.randint(0, 3)))
    prefix = rng.choice(["", "", "-", "+", "NOT ", f"{rng.choice(KNOWN_FIELDS)}:"])
    return f"{prefix}({inner}){rng.choice(['', '', '^2', '~2'])}"


def random_query(rng: random.Random) -> str:
    """Return a random query string built from the query language's pieces (or plain noise)."""
    kind = rng.randrange(20)
    if kind == 0:
        return rng.choice(["", " ", "\t\n", "\u3000", '""', "()", "*", "-", "+"])
    if kind == 1:
        return random_text(rng)
    if kind == 2:
        return word(rng) * rng.randint(100, 1100)  # over the length limit, or close to it
    if kind == 3:  # pasted text: many words, most unknown
        return " ".join(word(rng) for _ in range(rng.randint(20, 200)))[:1000]
    pieces = [_term(rng, depth=2) for _ in range(rng.randint(1, 8))]
    text = "".join(piece + rng.choice(SEPARATORS) for piece in pieces).strip()
    return text.upper() if kind == 4 else text


def _date_option(rng: random.Random) -> date | str | None:
    """Return a date_from or date_to value: none, a date, a datetime or a string, good or bad."""
    kind = rng.randrange(6)
    if kind < 2:
        return None
    if kind == 2:
        return date(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28))
    if kind == 3:
        zone = rng.choice([None, UTC, timezone(timedelta(hours=rng.randint(-23, 23)))])
        return datetime(rng.choice([1, 1970, 2015, 9999]), 1, 1, tzinfo=zone)
    return _date(rng) if rng.random() < 0.8 else rng.choice(["0001-01-01T00:00+01:00", "15"])


def search_options(rng: random.Random) -> dict[str, Any]:
    """Return random keyword arguments for `NewsIndex.search`: filters, dates, sort, page."""
    filters = {
        rng.choice(FILTER_NAMES): rng.choice(
            [_value(rng), [_value(rng) for _ in range(rng.randint(0, 3))], _date(rng)]
        )
        for _ in range(rng.choice([0, 0, 1, 2]))
    }
    return {
        "filters": filters or None,
        "date_from": _date_option(rng),
        "date_to": _date_option(rng),
        "sort": rng.choice(SORTS) if rng.random() < 0.3 else "relevance",
        "page": rng.choice([1, 1, 1, 2, 3, 0, -1, 10**6]),
        "per_page": rng.choice([10, 10, 1, 100, 0, 101]),
        "collapse": rng.random() < 0.8,
        "highlight": rng.random() < 0.8,
    }


def outcome(index: NewsIndex, query: str, options: dict[str, Any]) -> tuple[bool, str | None]:
    """Search; return whether QueryError was raised and what went wrong, if anything (another
    exception, a QueryError without a message, insane results)."""
    try:
        results = index.search(query, **options)
    except QueryError as error:
        return True, None if str(error) else "QueryError with an empty message"
    except Exception:
        return False, traceback.format_exc()
    if results.total < 0 or len(results.hits) > options.get("per_page", 10):
        return False, f"insane results: total {results.total}, {len(results.hits)} hits"
    return False, None


@dataclass
class Report:
    """What a fuzzing run found: queries run and rejected, the slowest, and the problems."""

    queries: int = 0
    rejected: int = 0  # raised QueryError
    over: int = 0  # took over MAX_SECONDS, and again when run once more
    passing_slowness: int = 0  # took over MAX_SECONDS once, not when run again
    slowest: list[tuple[float, str, str]] = field(default_factory=list)  # (s, query, options)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (query, options, what)

    def add(self, seconds: float, query: str, options: dict[str, Any], rejected: bool) -> None:
        """Count one query that took `seconds`, keeping the SLOWEST slowest."""
        self.queries += 1
        self.rejected += rejected
        self.over += seconds > MAX_SECONDS
        entry = (seconds, query, _shown(options))
        if len(self.slowest) < SLOWEST:
            heapq.heappush(self.slowest, entry)
        else:
            heapq.heappushpop(self.slowest, entry)


def _shown(options: dict[str, Any]) -> str:
    """Return the search options that differ from the defaults, as keyword arguments."""
    defaults = {"filters": None, "date_from": None, "date_to": None, "sort": "relevance"}
    defaults |= {"page": 1, "per_page": 10, "collapse": True, "highlight": True}
    return ", ".join(f"{k}={v!r}" for k, v in options.items() if defaults[k] != v)


def _worker(archive: str, conn: Connection) -> None:
    """Answer each (query, options) received on `conn` with (seconds, rejected, problem)."""
    with NewsIndex.open(archive, readonly=True) as index:
        index.search("warm up")  # the columns and caches are read before the first timed query
        conn.send(None)
        while (request := conn.recv()) is not None:
            started = time.perf_counter()
            rejected, found = outcome(index, *request)
            conn.send((time.perf_counter() - started, rejected, found))


class Worker:
    """A process searching the archive, which a hung query can be killed with."""

    def __init__(self, archive: Path) -> None:
        self.conn, theirs = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_worker, args=(str(archive), theirs), daemon=True
        )
        self.process.start()
        self.conn.recv()  # ready

    def search(self, query: str, options: dict[str, Any]) -> tuple[float, bool, str | None]:
        """Return the search's seconds, whether it raised QueryError and any problem; a search
        still running after HANG_SECONDS is reported as a problem and its process killed."""
        self.conn.send((query, options))
        if self.conn.poll(HANG_SECONDS):
            return self.conn.recv()
        self.stop()
        return HANG_SECONDS, False, f"still running after {HANG_SECONDS:.0f} s: killed"

    def stop(self) -> None:
        """End the process (killing it if it is busy)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def fuzz(archive: Path, seconds: float, seed: int) -> Report:
    """Run random queries with random options on `archive` for `seconds`."""
    rng = random.Random(seed)
    report = Report()
    worker = Worker(archive)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        query, options = random_query(rng), search_options(rng)
        took, rejected, found = worker.search(query, options)
        if not worker.process.is_alive():
            worker = Worker(archive)
        if took > MAX_SECONDS:
            # Once more, to tell a slow query from a busy machine: only slow twice counts.
            again, rejected, found = worker.search(query, options)
            report.passing_slowness += again <= MAX_SECONDS
            took = min(took, again)
            if not worker.process.is_alive():
                worker = Worker(archive)
        report.add(took, query, options, rejected)
        if found is not None:
            report.problems.append((query, _shown(options), found))
    worker.conn.send(None)
    worker.stop()
    return report


def _short(text: str, width: int = 120) -> str:
    shown = repr(text)
    return shown if len(shown) <= width else f"{shown[:width]}... ({len(text)} characters)"


def main(argv: list[str] | None = None) -> int:
    """Fuzz the archive for the given time, print the figures; 1 if any query misbehaved."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--archive", type=Path, required=True, help="an existing archive folder")
    parser.add_argument("--seconds", type=float, default=300, help="how long to fuzz")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random queries")
    args = parser.parse_args(argv)
    if not NewsIndex.has_store(args.archive):
        parser.error(f"no archive at {args.archive}")
    started = time.monotonic()
    report = fuzz(args.archive, args.seconds, args.seed)
    elapsed = time.monotonic() - started
    print(
        f"{report.queries:,} queries in {elapsed:.0f} s: {report.queries / elapsed:.1f} queries/s "
        f"({report.rejected:,} raised QueryError), seed {args.seed}"
    )
    print(f"slowest {len(report.slowest)}:")
    for took, query, options in sorted(report.slowest, reverse=True):
        print(f"  {took:8.3f} s  {_short(query)}" + (f"  [{options}]" if options else ""))
    print(
        f"{report.over:,} queries over {MAX_SECONDS:.0f} s (twice), "
        f"{report.passing_slowness:,} over it once only, {len(report.problems):,} problems"
    )
    kinds: dict[str, list[tuple[str, str, str]]] = {}
    for query, options, found in report.problems:  # grouped by their last traceback line
        kinds.setdefault(found.rstrip().splitlines()[-1], []).append((query, options, found))
    for kind, cases in kinds.items():
        print(f"\n{len(cases)} x {kind}")
        for query, options, _found in cases[:EXAMPLES]:
            print(f"  query {_short(query, 200)}" + (f"  [{options}]" if options else ""))
        print(cases[0][2].rstrip())
    return 1 if report.problems or report.over else 0


if __name__ == "__main__":
    sys.exit(main())
