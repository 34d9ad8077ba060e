"""Per-host request spacing shared by threads, and the HTTP Retry-After header."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class HostLimiter:
    """One request at a time per host, each starting `delay` seconds after the last one ended.

    Spacing from the end of a request (not its start) is what the server sees: a slow first
    connection cannot squeeze the next request closer. Different hosts never wait on each other.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._next: dict[str, float] = {}  # host -> monotonic time it may get a request again
        self._busy: set[str] = set()  # hosts with a request in flight
        self.waited = 0.0  # seconds requests have spent waiting for their host, all threads

    def wait(self, host: str) -> None:
        """Block until `host` may get a request, then hold it until `finished`."""
        started = time.monotonic()
        with self._changed:
            while True:
                now = time.monotonic()
                if host not in self._busy and self._next.get(host, now) <= now:
                    self._busy.add(host)
                    self.waited += now - started
                    return
                timeout = None if host in self._busy else self._next[host] - now
                self._changed.wait(timeout)

    def finished(self, host: str, delay: float) -> None:
        """Release `host`: its next request may start `delay` seconds from now."""
        with self._changed:
            self._busy.discard(host)
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + delay)
            self._changed.notify_all()

    def hold(self, host: str, seconds: float) -> None:
        """Let no request reach `host` for the next `seconds` (a server asked us to back off)."""
        with self._changed:
            until = time.monotonic() + seconds
            self._next[host] = max(self._next.get(host, until), until)
            self._changed.notify_all()


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
