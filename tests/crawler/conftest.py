"""Shared helpers for the crawler tests: load the hand-written HTML fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def page_bytes() -> Callable[[str], bytes]:
    """Return a loader of a fixture page's raw bytes by file name."""

    def load(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return load
