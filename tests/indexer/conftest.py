"""A varied, deterministic corpus for checking filters, facets and sorts against brute force."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler import Article
from indexer import NewsIndex

SOURCES = ["Daily Planet", "RFE/RL", "The Gazette", "VOA Lingala"]
SECTIONS = ["World", "Politics", "Health", "Sports", "Business"]
AUTHORS = ["Ann Lee", "Bob Stone", "Carla Díaz", "Dmitri Ivanov", "Eve Okafor", "Fu Wen"]
TAGS = ["elections", "floods", "vaccines", "trade"]
WIRE = (
    "The central bank raised its main interest rate by half a point on Tuesday, the third "
    "increase this year, saying inflation in food and energy prices had not eased as hoped. "
    "Economists had expected the move after figures last week showed consumer prices rising "
    "faster than wages for the ninth month in a row, and the governor said more increases "
    "could follow if the currency kept weakening against the dollar."
)
WORDS = (
    "river council election vaccine harbour market drought parliament stadium tariff "
    "budget protest hospital minister court bridge festival strike mayor refinery"
).split()


def _corpus() -> list[Article]:
    rng = random.Random(20261126)
    articles = []
    for n in range(240):
        dated = n % 7 != 0  # one in seven undated
        published = datetime(2005, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(7300))
        body = " ".join(rng.choice(WORDS) for _ in range(60))
        articles.append(
            Article(
                url=f"https://corpus.example/{n}",
                title=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} report {n}",
                text=f"{body}.\n\nStory number {n} ends here.",
                authors=rng.sample(AUTHORS, rng.choice([0, 1, 1, 2])),
                published=published if dated else None,
                section=rng.choice(SECTIONS),
                source=rng.choice(SOURCES),
                language="ln" if n % 11 == 0 else "en",
                tags=rng.sample(TAGS, rng.choice([0, 1, 2])),
            )
        )
    return articles


@pytest.fixture(scope="session")
def corpus() -> list[Article]:
    """240 articles with every facet varied: sources, sections, 0-2 authors, tags, dates."""
    return _corpus()


@pytest.fixture(scope="session")
def corpus_path(tmp_path_factory: pytest.TempPathFactory, corpus: list[Article]) -> Path:
    """An archive of `corpus` (shared: do not write to it)."""
    path = tmp_path_factory.mktemp("corpus")
    with NewsIndex.open(path, create=True) as index:
        index.add(corpus)
    return path


@pytest.fixture
def corpus_index(corpus_path: Path) -> Iterator[NewsIndex]:
    with NewsIndex.open(corpus_path) as index:
        yield index


def wire_copy(slug: str, intro: str, day: int) -> Article:
    """Return one site's copy of the same wire story: near-identical to the others."""
    return Article(
        url=f"https://wire.example.org/{slug}",
        title=f"Central bank raises rates ({slug})",
        text=f"{intro} {WIRE}",
        published=datetime(2022, 5, day, tzinfo=UTC),
        source=f"Wire {slug}",
        section="Business",
        language="en",
    )


def related_story(slug: str) -> Article:
    """Return a story about the wire story's subject that is no copy of it."""
    return Article(
        url=f"https://news.example.org/{slug}",
        title="Mortgage holders brace for higher interest rate",
        text="Families with a mortgage face higher payments after the central bank raised its "
        "interest rate again, brokers said, as lenders withdrew their cheapest deals.",
        published=datetime(2022, 5, 6, tzinfo=UTC),
        source="Daily Planet",
        section="Business",
        language="en",
    )
