"""Detecting the language of article text when the page declares none."""

from __future__ import annotations

import functools
from typing import Any

# Too little text for a reliable guess below this; a wrong language is worse than none.
MIN_CHARS = 40
MIN_CONFIDENCE = 0.8
SAMPLE_CHARS = 3000


@functools.cache
def _identifier() -> Any:
    # Loaded on first use: the model takes most of a second to read.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Articles carry ISO 639-1 codes; the model's other labels are mostly dialects of those
    # (ary and arz of ar) or non-languages (zxx), which would split a clear answer's weight.
    identifier.set_languages([label for label in identifier.labels if len(label) == 2])
    return identifier


def detect_language(text: str) -> str:
    """Return the ISO 639-1 code of the language `text` is written in, or "" if unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return ""
    language, confidence = _identifier().classify(sample)
    return language if confidence >= MIN_CONFIDENCE else ""
