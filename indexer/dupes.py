"""Near-duplicate detection for syndicated wire copy: a 64-bit sketch per article.

A wire story republished with a new headline, a local intro, a trimmed ending or a correction
keeps most of its 3-word shingles; another reporter's story on the same event, or a follow-up
quoting it, shares few. The Hamming distance between two sketches estimates the share of
shingles the texts do not have in common, and `bands` gives the index keys under which sketches
of near-duplicates meet.

The sketch is a one-permutation MinHash keeping one bit per bin (b-bit minwise hashing) rather
than a SimHash: a SimHash bit flips with a probability growing like the square root of the
share of text changed, a MinHash bit with (1 - Jaccard) / 2. Averaged over hash keys on the test
fixtures, a local intro costs SimHash 5 bits and MinHash 2, a trimmed ending 9 bits against 5.
"""

from __future__ import annotations

import re
import unicodedata
from hashlib import blake2b

BITS = 64
SHINGLE_WORDS = 3
# Fewer words are captions, briefs and templated items (scores, stock moves, weather) whose
# shingles are mostly shared boilerplate, and where one edited word changes a large share of
# them: their sketches would merge different items and split copies of the same one.
MIN_WORDS = 40
# Sketches differ in about 32 * (1 - Jaccard) bits. Within 8: copies with a new headline,
# intro, correction or typos (2 bits on average) and most copies with a trimmed ending (5-6).
# Two unrelated texts (32 apart) fall within it with a chance of 3e-10, stories sharing a tenth
# of their shingles 3e-8. A higher limit keeps more trimmed copies, but merges unrelated
# articles of a large archive and makes each band select a larger part of it.
MAX_DISTANCE = 8

_PERSON = b"newsarchive.dup1"  # Changing it changes every fingerprint: re-index after.
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
# Chinese and Japanese are written without spaces: each ideograph or kana counts as a word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")
_MASK = (1 << BITS) - 1
_EMPTY = 1 << BITS


def _band_widths(count: int) -> list[int]:
    width, extra = divmod(BITS, count)
    return [width + 1] * extra + [width] * (count - extra)


# Pigeonhole: sketches at most MAX_DISTANCE bits apart are equal in at least one of
# MAX_DISTANCE + 1 bands.
_BANDS = _band_widths(MAX_DISTANCE + 1)


def words(text: str) -> list[str]:
    """Return the normalised words of `text` that fingerprints are built from."""
    if not text.isascii():
        # Composed or decomposed accents, full-width forms and ASCII-only copies all agree.
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # Numbers become one word: corrected figures and 1,400 / 1400 / 4:12 spellings agree.
    return _WORD.findall(_NUMBER.sub(" 0 ", text.casefold()))


def fingerprint(text: str) -> int | None:
    """Return the 64-bit near-duplicate sketch of `text`, or None when it is too short."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    lows = [_EMPTY] * BITS
    highs = [0] * BITS
    for shingle in zip(*(tokens[i:] for i in range(SHINGLE_WORDS)), strict=False):
        digest = blake2b(" ".join(shingle).encode(), digest_size=16, person=_PERSON).digest()
        low = int.from_bytes(digest[:8], "little")
        slot = low & (BITS - 1)
        if low < lows[slot]:
            lows[slot] = low
            highs[slot] = int.from_bytes(digest[8:], "little")
    sketch = 0
    for slot in range(BITS):
        source = slot
        # An empty bin borrows the minimum of another bin, probed in an order of its own, so
        # that two texts borrow alike (densified one-permutation hashing).
        step = 2 * slot + 1
        while lows[source] == _EMPTY:
            source = (source + step) % BITS
        # A different bit of the winning shingle per bin keeps borrowed bits independent.
        sketch |= (highs[source] >> slot & 1) << slot
    return sketch


def hamming(a: int, b: int) -> int:
    """Return the number of bits in which fingerprints `a` and `b` differ."""
    return (a ^ b).bit_count()


def is_near_duplicate(a: int, b: int) -> bool:
    """Return whether fingerprints `a` and `b` are copies of the same story."""
    return hamming(a, b) <= MAX_DISTANCE


def bands(fp: int) -> list[str]:
    """Return the lookup keys of `fp`: near-duplicates of it share at least one."""
    if not 0 <= fp <= _MASK:
        raise ValueError(f"not a {BITS}-bit fingerprint: {fp!r}")
    keys = []
    for index, width in enumerate(_BANDS):
        keys.append(f"{index}:{fp & ((1 << width) - 1):x}")
        fp >>= width
    return keys
