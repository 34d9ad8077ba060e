"""Near-duplicate fingerprints: syndicated wire copies collapse, different stories never do.

Fixtures under fixtures/dupes/<story>/: `original.txt` is a wire story, `dup-*.txt` are copies of
it as other sites republish them, `distinct-*.txt` are different stories on the same event.
"""

from __future__ import annotations

import functools
import itertools
import os
import random
import re
import subprocess
import sys
import unicodedata
from hashlib import blake2b
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import dupes
from indexer.dupes import (
    BITS,
    MAX_DISTANCE,
    MIN_WORDS,
    Sketches,
    bands,
    fingerprint,
    hamming,
    is_near_duplicate,
    words,
)

FIXTURES = Path(__file__).parent / "fixtures" / "dupes"
REPO = Path(__file__).resolve().parents[2]
STORIES = ("quake", "strike", "rates", "court")
# How other sites republish a wire story; every story has one copy of each kind.
COPIES = ("headline", "local-intro", "trimmed", "correction", "typos", "formatting", "boilerplate")
LOOKALIKES = [
    ("quake", "independent"),  # Another agency's report of the same earthquake.
    ("quake", "followup"),  # The next day's story, quoting the first one.
    ("strike", "independent"),
    ("strike", "followup"),
    ("rates", "shared-quote"),  # A feature repeating the governor's 80-word statement.
]
# Computed once: a changed value means every stored fingerprint must be recomputed.
QUAKE_FINGERPRINT = 0x4185CC9625D0B812


def read(story: str, name: str) -> str:
    return (FIXTURES / story / f"{name}.txt").read_text(encoding="utf-8")


@functools.cache
def fp(story: str, name: str) -> int:
    value = fingerprint(read(story, name))
    assert value is not None
    return value


@pytest.mark.parametrize("copy", COPIES)
@pytest.mark.parametrize("story", STORIES)
def test_syndicated_copy_is_a_near_duplicate_of_the_wire_story(story: str, copy: str) -> None:
    original, republished = fp(story, "original"), fp(story, f"dup-{copy}")
    assert is_near_duplicate(original, republished), hamming(original, republished)
    assert set(bands(original)) & set(bands(republished))


@pytest.mark.parametrize(("story", "lookalike"), LOOKALIKES)
def test_different_story_on_the_same_event_is_never_a_duplicate(story: str, lookalike: str) -> None:
    other = fp(story, f"distinct-{lookalike}")
    for name in ("original", *(f"dup-{copy}" for copy in COPIES)):
        copy = fp(story, name)
        assert not is_near_duplicate(copy, other), (name, hamming(copy, other))


def test_unrelated_stories_are_not_duplicates() -> None:
    texts = [(story, "original") for story in STORIES] + [
        (story, f"distinct-{name}") for story, name in LOOKALIKES
    ]
    for a, b in itertools.combinations(texts, 2):
        assert not is_near_duplicate(fp(*a), fp(*b)), (a, b)


@pytest.mark.parametrize("story", STORIES)
def test_whitespace_quotes_dashes_and_accent_encoding_do_not_change_the_fingerprint(
    story: str,
) -> None:
    assert fp(story, "dup-formatting") == fp(story, "original")


def test_words_are_normalised() -> None:
    text = "Peru\u2019s  \u201cRing of\u00a0Fire\u201d: 1,400 tents -- Hua\u0301man\u2014HUAMÁN_2"
    assert words(text) == ["peru", "s", "ring", "of", "fire", "0", "tents", "huaman", "huaman", "0"]
    # Corrected figures and other spellings of a number leave the words unchanged.
    assert words("$500 a day at 4:12 a.m.") == words("$250 a day at 4.21 a.m.")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "Strong earthquake kills at least 14 in Peru's southern Andes",
        "-- 2024 -- (AP) -- 14:05 --",
        " ".join(["word"] * (MIN_WORDS - 1)),
    ],
)
def test_text_too_short_to_fingerprint_has_none(text: str) -> None:
    assert fingerprint(text) is None


def test_fingerprint_is_a_64_bit_int() -> None:
    value = fingerprint(" ".join(f"word{i}" for i in range(MIN_WORDS)))
    assert isinstance(value, int) and 0 <= value < 1 << BITS
    assert 0 <= fp("quake", "original") < 1 << BITS


def test_chinese_text_is_fingerprinted_by_character() -> None:
    text = (
        "周二凌晨，秘鲁南部安第斯山区发生六点八级地震，造成至少十四人死亡，数百人无家可归。"
        "地方民防官员表示，大部分遇难者居住在科尔卡山谷的土坯房中，救援人员仍在倒塌的学校宿舍废墟中搜寻。"
    )
    value = fingerprint(text)
    assert value is not None
    assert fingerprint(" ".join(text)) == value


def test_fingerprint_is_the_same_in_every_process() -> None:
    assert fp("quake", "original") == QUAKE_FINGERPRINT
    script = (
        "import sys; from pathlib import Path; from indexer.dupes import fingerprint; "
        "print(fingerprint(Path(sys.argv[1]).read_text(encoding='utf-8')))"
    )
    path = FIXTURES / "quake" / "original.txt"
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert int(out.stdout) == QUAKE_FINGERPRINT


def test_hamming_counts_differing_bits() -> None:
    assert hamming(0b1011, 0b0001) == 2
    assert hamming(0, (1 << BITS) - 1) == BITS
    assert is_near_duplicate(0, (1 << MAX_DISTANCE) - 1)
    assert not is_near_duplicate(0, (1 << (MAX_DISTANCE + 1)) - 1)


def test_bands_are_distinct_index_keys() -> None:
    keys = bands(fp("quake", "original"))
    assert len(keys) == len(set(keys)) == MAX_DISTANCE + 1
    # Keys go into a comma-separated Whoosh KEYWORD field.
    assert all(re.fullmatch(r"\d+:[0-9a-f]+", key) for key in keys)
    # Equal bits in different bands are different keys.
    assert bands(0) == [f"{band}:0" for band in range(MAX_DISTANCE + 1)]


def test_fingerprints_within_max_distance_share_a_band() -> None:
    rng = random.Random(20240213)
    for _ in range(3000):
        a = rng.getrandbits(BITS)
        flips = rng.sample(range(BITS), rng.randint(0, MAX_DISTANCE))
        b = a
        for bit in flips:
            b ^= 1 << bit
        assert is_near_duplicate(a, b)
        assert set(bands(a)) & set(bands(b)), (hex(a), flips)


def test_fingerprint_differing_in_every_band_shares_none() -> None:
    a = fp("quake", "original")
    assert not set(bands(a)) & set(bands(a ^ ((1 << BITS) - 1)))


@pytest.mark.parametrize("value", [-1, 1 << BITS])
def test_bands_reject_values_that_are_no_fingerprint(value: int) -> None:
    with pytest.raises(ValueError):
        bands(value)


def _first_by_bands(batch: dict[str, list[tuple[int, str]]], fp: int) -> str | None:
    """The lookup Sketches.first replaces: each band of `fp` in order, its sketches in order."""
    for band in bands(fp):
        for other, value in batch.get(band, ()):
            if is_near_duplicate(fp, other):
                return value
    return None


@pytest.mark.parametrize("seed", range(4))
def test_sketches_find_the_near_duplicate_a_scan_of_the_bands_finds(seed: int) -> None:
    rng = random.Random(seed)
    sketches, batch = Sketches(), {}
    stories = [rng.getrandbits(BITS) for _ in range(40)]
    found = 0
    for number in range(3000):
        # Copies of a few stories, some edited past MAX_DISTANCE, among unrelated sketches.
        fp = rng.choice(stories) if rng.random() < 0.6 else rng.getrandbits(BITS)
        for bit in rng.sample(range(BITS), rng.choice([0, 1, 3, 6, 8, 8, 9, 12])):
            fp ^= 1 << bit
        expected = _first_by_bands(batch, fp)
        assert sketches.first(fp) == expected, (number, hex(fp))
        found += expected is not None
        value = expected or f"article-{number}"
        sketches.add(fp, value)
        for band in bands(fp):
            batch.setdefault(band, []).append((fp, value))
    assert found > 1000


def test_sketches_without_a_near_duplicate_find_none() -> None:
    sketches = Sketches()
    assert sketches.first(0) is None
    sketches.add(0, "a")
    assert sketches.first((1 << (MAX_DISTANCE + 1)) - 1) is None
    assert sketches.first((1 << MAX_DISTANCE) - 1) == "a"


def _reference_words(text: str) -> list[str]:
    """words() as first written: one regex over the whole text."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return dupes._WORD.findall(dupes._NUMBER.sub(" 0 ", text.casefold()))


def _reference_fingerprint(text: str) -> int | None:
    """fingerprint() as first written: a blake2b per shingle, bins kept in plain ints."""
    tokens = _reference_words(text)
    if len(tokens) < MIN_WORDS:
        return None
    lows, highs = [1 << BITS] * BITS, [0] * BITS
    for shingle in zip(tokens, tokens[1:], tokens[2:], strict=False):
        digest = blake2b(" ".join(shingle).encode(), digest_size=16, person=dupes._PERSON).digest()
        low = int.from_bytes(digest[:8], "little")
        if low < lows[low & (BITS - 1)]:
            lows[low & (BITS - 1)] = low
            highs[low & (BITS - 1)] = int.from_bytes(digest[8:], "little")
    sketch = 0
    for slot in range(BITS):
        source = slot
        while lows[source] == 1 << BITS:
            source = (source + 2 * slot + 1) % BITS
        sketch |= (highs[source] >> slot & 1) << slot
    return sketch


MIXED_TEXT = st.text(
    alphabet="aZ_09.,:-'’“ \n\u00a0éÉ\u0301ßİıﬁＡ٣北京の选举Ωω\ud800", max_size=300
)


@given(MIXED_TEXT)
def test_words_match_one_regex_over_the_text(text: str) -> None:
    assert words(text) == _reference_words(text)


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(["wire", "Copy", "café", "4:12", "北京", "x_y", "naïve", "a"]),
        min_size=35,
        max_size=90,
    )
)
def test_fingerprint_matches_the_plain_computation(tokens: list[str]) -> None:
    text = " ".join(tokens)
    assert fingerprint(text) == _reference_fingerprint(text)


def test_fixture_fingerprints_match_the_plain_computation() -> None:
    for path in sorted(FIXTURES.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert fingerprint(text) == _reference_fingerprint(text), path.name
