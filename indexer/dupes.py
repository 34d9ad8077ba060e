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

import numpy as np

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
# UTF-8 bytes with every ASCII byte that is no letter or digit made a space: splitting the result
# cuts text into chunks that hold whole words, an ASCII chunk exactly one.
_CHUNK_TABLE = bytes(b if chr(b).isalnum() or b >= 0x80 else 0x20 for b in range(256))
_HASHER = blake2b(digest_size=16, person=_PERSON)
_MASK = (1 << BITS) - 1
_EMPTY = 1 << BITS


def _band_widths(count: int) -> list[int]:
    width, extra = divmod(BITS, count)
    return [width + 1] * extra + [width] * (count - extra)


def _bit_fields(widths: list[int]) -> list[tuple[int, int]]:
    """Return the (shift, mask) of consecutive bit fields `widths` wide, lowest bits first."""
    fields, shift = [], 0
    for width in widths:
        fields.append((shift, (1 << width) - 1))
        shift += width
    return fields


# Pigeonhole: sketches at most MAX_DISTANCE bits apart are equal in at least one of
# MAX_DISTANCE + 1 bands.
_BANDS = _band_widths(MAX_DISTANCE + 1)
_BAND_FIELDS = _bit_fields(_BANDS)
# And they differ in at most one bit of one of MAX_DISTANCE // 2 + 1 parts, which are wider than
# bands: looking up each part and its one-bit variants finds them among far fewer candidates.
_PARTS = [
    (shift, mask, (0, *(1 << bit for bit in range(mask.bit_length()))))
    for shift, mask in _bit_fields(_band_widths(MAX_DISTANCE // 2 + 1))
]


def words(text: str) -> list[str]:
    """Return the normalised words of `text` that fingerprints are built from."""
    if not text.isascii():
        # Composed or decomposed accents, full-width forms and ASCII-only copies all agree.
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # Numbers become one word: corrected figures and 1,400 / 1400 / 4:12 spellings agree.
    text = _NUMBER.sub(" 0 ", text.casefold())
    spaced = text.encode("utf-8", "surrogatepass").translate(_CHUNK_TABLE)
    chunks = spaced.decode("utf-8", "surrogatepass").split()
    if text.isascii():
        return chunks
    found: list[str] = []
    for chunk in chunks:
        if chunk.isascii():
            found.append(chunk)
        else:
            found.extend(_WORD.findall(chunk))
    return found


def fingerprint(text: str) -> int | None:
    """Return the 64-bit near-duplicate sketch of `text`, or None when it is too short."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    copy = _HASHER.copy
    digests = []
    for shingle in map(" ".join, zip(*(tokens[i:] for i in range(SHINGLE_WORDS)), strict=False)):
        hasher = copy()
        hasher.update(shingle.encode())
        digests.append(hasher.digest())
    lows, highs = _bin_minima(b"".join(digests))
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


def _bin_minima(digests: bytes) -> tuple[list[int], list[int]]:
    """Return each bin's smallest low half of the 16-byte `digests` (_EMPTY for an empty bin)
    and the high half of the first digest holding it."""
    halves = np.frombuffer(digests, dtype="<u8").reshape(-1, 2)
    lows, highs = halves[:, 0], halves[:, 1]
    slots = lows & np.uint64(BITS - 1)
    order = np.lexsort((lows, slots))  # by bin, then low half, then position: stable
    ordered = slots[order]
    firsts = order[np.flatnonzero(np.diff(ordered, prepend=np.uint64(BITS)))]
    bin_lows, bin_highs = [_EMPTY] * BITS, [0] * BITS
    for slot, low, high in zip(
        slots[firsts].tolist(), lows[firsts].tolist(), highs[firsts].tolist(), strict=True
    ):
        bin_lows[slot], bin_highs[slot] = low, high
    return bin_lows, bin_highs


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


class Sketches:
    """Fingerprints, each with a value (its near-duplicate key), searchable for near-duplicates."""

    def __init__(self) -> None:
        self._sketches: list[int] = []
        self._values: list[str] = []
        self._parts: list[dict[int, list[int]]] = [{} for _ in _PARTS]  # part -> sketch numbers

    def add(self, fp: int, value: str) -> None:
        """Add fingerprint `fp` with `value`."""
        number = len(self._sketches)
        self._sketches.append(fp)
        self._values.append(value)
        for table, (shift, mask, _) in zip(self._parts, _PARTS, strict=True):
            table.setdefault(fp >> shift & mask, []).append(number)

    def first(self, fp: int) -> str | None:
        """Return the value of the near-duplicate of `fp` met first when looking through its
        `bands` in order, each band's fingerprints in the order added (None if there is none)."""
        near = self._near(fp)
        for shift, mask in _BAND_FIELDS if near else ():
            band = fp >> shift & mask
            same = [number for number in near if self._sketches[number] >> shift & mask == band]
            if same:
                return self._values[min(same)]
        return None

    def _near(self, fp: int) -> set[int]:
        """Return the numbers of the fingerprints at most MAX_DISTANCE bits from `fp`."""
        sketches = self._sketches
        near = set()
        for table, (shift, mask, flips) in zip(self._parts, _PARTS, strict=True):
            part = fp >> shift & mask
            for flip in flips:
                for number in table.get(part ^ flip, ()):
                    if (sketches[number] ^ fp).bit_count() <= MAX_DISTANCE:
                        near.add(number)
        return near
