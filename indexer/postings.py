"""Reading a term's postings (article numbers, weights, word positions) into arrays.

Whoosh's whoosh3 codec pickles each block of postings with protocol 2, which stores every
posting's positions as a call to `codecs.encode`; unpickling a block took ten times longer
than with protocol 4, where they are plain bytes. New blocks are written with protocol 4,
uncompressed. Older archives stay readable: the whoosh3 reader takes any protocol and
honours each block's compression flag. whoosh3 is pinned exactly.
"""

from __future__ import annotations

import pickle
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import numpy as np
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.matching import NullMatcher

BLOCK_PROTOCOL = 4


# Blocks are not compressed: decompressing them took a fifth to a third of search time
# (benchmarks/search_speed.py), for an index about a third larger.
CODEC = W3Codec(compression=0)
# A posting's value: 4 bytes of frequency, then its pickled position deltas up to a STOP (".").
_DELTAS = itemgetter(slice(4, -1))


def _dumps(value: Any, _protocol: int = BLOCK_PROTOCOL) -> bytes:
    return pickle.dumps(value, BLOCK_PROTOCOL)


whoosh3.dumps = _dumps


def read(matcher: Any, positions: bool = False) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """Return the ids, weights and (with `positions`) encoded values of every posting of one
    segment's term matcher."""
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        return _read_one_by_one(matcher, positions)
    # Gathered as Python sequences and turned into arrays once: most blocks are short.
    deltas, weights, values, counts = [], [], [], []
    while True:
        if matcher._data is None:
            matcher._read_data()
        data, count = matcher._data, matcher._blocklength
        deltas.append(data[0])
        weights.append(data[1] if isinstance(data[1], tuple) else repeat(data[1] or 1.0, count))
        counts.append(count)
        if positions:
            values.extend(data[2])
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    total = sum(counts)
    # Each block's ids are deltas from 0: a running sum restarted at every block.
    sums = np.cumsum(np.fromiter(chain.from_iterable(deltas), np.int64, total))
    ends = np.cumsum(counts)
    restart = np.repeat(np.concatenate(([0], sums[ends[:-1] - 1])), counts)
    return sums - restart, np.fromiter(chain.from_iterable(weights), np.float64, total), values


def _read_one_by_one(matcher: Any, positions: bool) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    ids, weights, values = [], [], []
    while matcher.is_active() and not isinstance(matcher, NullMatcher):
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if positions:
            values.append(matcher.value())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64), values


def positions(ids: np.ndarray, values: list[bytes], docs: np.ndarray) -> tuple[np.ndarray, ...]:
    """Return (owner, position) arrays: each position of a term in each of `docs` (all of
    which hold it, given its postings' `ids` and encoded `values`), owner indexing `docs`."""
    chosen = [values[n] for n in np.searchsorted(ids, docs).tolist()]
    # Each value is a 4-byte count and a pickled list of position deltas: unpickle them all
    # as one list of lists instead of one call each.
    lists = pickle.loads(b"\x80\x02](" + b"".join(map(_DELTAS, chosen)) + b"e.")
    lengths = np.fromiter(map(len, lists), np.int64, len(lists))
    running = np.cumsum(np.fromiter(chain.from_iterable(lists), np.int64, int(lengths.sum())))
    ends = np.cumsum(lengths)
    before = np.concatenate(([0], running[ends[:-1] - 1])) if len(ends) else ends
    return np.repeat(np.arange(len(lists)), lengths), running - np.repeat(before, lengths)


def phrase_found(words: list[tuple[np.ndarray, np.ndarray]], count: int, slop: int) -> np.ndarray:
    """Return which of `count` articles hold the words (their `positions`) in order, each at
    most `slop` after the one before (1: adjacent), as Whoosh's phrase search matched them."""
    found = np.zeros(count, dtype=bool)
    if slop == 1:
        owner, at = words[0]
        keys = (owner << 32) | at
        for owner, at in words[1:]:
            keys = np.intersect1d(keys + 1, (owner << 32) | at, assume_unique=True)
        found[keys >> 32] = True
        return found
    per_doc = [_by_owner(owner, at, count) for owner, at in words]
    for doc in range(count):
        found[doc] = in_order([lists[doc] for lists in per_doc], slop)
    return found


def _by_owner(owner: np.ndarray, at: np.ndarray, count: int) -> list[list[int]]:
    bounds = np.searchsorted(owner, np.arange(1, count))
    return [part.tolist() for part in np.split(at, bounds)]


def in_order(positions: list[list[int]], slop: int) -> bool:
    """Return whether one position can be picked from each list, in order, each at most
    `slop` after the one before (1: adjacent words), as Whoosh's phrase search matches."""
    for start in positions[0]:
        at = start
        for later in positions[1:]:
            at = next((p for p in later if at < p <= at + slop), -1)
            if at < 0:
                break
        else:
            return True
    return False
