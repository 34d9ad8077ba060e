"""Per-host request spacing shared by threads, and the HTTP Retry-After header."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class HostLimiter:
    """Spaces requests to one host by its delay; different hosts never wait on each other."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}  # host -> monotonic time of its next free slot

    def wait(self, host: str, delay: float) -> None:
        """Block until `host` may get a request, and book the next slot `delay` seconds later."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + delay
        if slot > now:
            time.sleep(slot - now)

    def hold(self, host: str, seconds: float) -> None:
        """Let no request reach `host` for the next `seconds` (a server asked us to back off)."""
        with self._lock:
            until = time.monotonic() + seconds
            self._next[host] = max(self._next.get(host, until), until)


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After value (seconds or an HTTP date) asks for, or None."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" in the date: UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
