"""Reading a term's postings (article numbers, weights, word positions) into arrays.

Whoosh's whoosh3 codec pickles each block of postings with protocol 2, which stores every
posting's positions as a call to `codecs.encode`; unpickling a block took ten times longer
than with protocol 4, where they are plain bytes. New blocks are written with protocol 4
(any protocol reads back, so older archives stay readable). whoosh3 is pinned exactly.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import NullMatcher

BLOCK_PROTOCOL = 4


def _dumps(value: Any, _protocol: int = BLOCK_PROTOCOL) -> bytes:
    return pickle.dumps(value, BLOCK_PROTOCOL)


whoosh3.dumps = _dumps


def read(matcher: Any, positions: bool = False) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """Return the ids, weights and (with `positions`) encoded values of every posting of one
    segment's term matcher."""
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        return _read_one_by_one(matcher, positions)
    id_blocks, weight_blocks, values = [], [], []
    while True:
        if matcher._data is None:
            matcher._read_data()
        deltas, weights = matcher._data[0], matcher._data[1]
        count = matcher._blocklength
        id_blocks.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if weights is None:
            weight_blocks.append(np.ones(count))
        elif isinstance(weights, float):
            weight_blocks.append(np.full(count, weights))
        else:
            weight_blocks.append(np.asarray(weights, dtype=np.float64))
        if positions:
            values.extend(matcher._data[2])
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks), values


def _read_one_by_one(matcher: Any, positions: bool) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    ids, weights, values = [], [], []
    while matcher.is_active() and not isinstance(matcher, NullMatcher):
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if positions:
            values.append(matcher.value())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64), values


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
