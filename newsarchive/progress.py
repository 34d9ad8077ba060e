"""Progress lines for long jobs: items done, rate and time left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Reports `done/total` with a rate and an ETA, at most once per `interval` seconds."""

    def __init__(
        self, total: int, unit: str, stream: TextIO | None = None, interval: float = 1.0
    ) -> None:
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.interval = interval
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, done: int) -> None:
        """Record that `done` items are finished; print a line if one is due."""
        now = time.monotonic()
        if now - self._last >= self.interval or done == self.total:
            self._last = now
            print(self.line(done, now - self.started), file=self.stream, flush=True)

    def line(self, done: int, elapsed: float) -> str:
        """Return the progress line for `done` items after `elapsed` seconds."""
        rate = done / elapsed if elapsed > 0 else 0.0
        text = f"{done:,}/{self.total:,} {self.unit} ({rate:,.1f}/s"
        if 0 < done < self.total and rate > 0:
            text += f", ETA {_clock((self.total - done) / rate)}"
        return text + ")"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
