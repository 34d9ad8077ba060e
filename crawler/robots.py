"""robots.txt rules for our user agent (RFC 9309): allowed paths, Crawl-delay and Sitemap lines.

urllib.robotparser is not used: it takes the first matching rule rather than the longest, knows
no `*` or `$` wildcards, and drops a rule's trailing `?`, so it would fetch pages sites forbid.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MAX_ROBOTS_BYTES = 500 * 1024  # Google's limit; anything after it is ignored
_SAFE = "/?:@!$&'()*+,;=~"  # characters left as they are when comparing paths

Rule = tuple[re.Pattern[str], int, bool]  # pattern, length (longest wins), allow


@dataclass(frozen=True)
class Robots:
    """What one host's robots.txt says to `user_agent`."""

    user_agent: str
    rules: tuple[Rule, ...] = ()
    crawl_delay: float | None = None  # seconds, from the group that applies to us
    sitemaps: tuple[str, ...] = ()
    unreadable: str | None = None  # why robots.txt could not be read (then nothing is allowed)

    def allows(self, url: str) -> bool:
        """Return whether our user agent may fetch `url` (the longest matching rule decides)."""
        if self.unreadable:
            return False
        parts = urlsplit(url)
        target = _normalize(parts.path or "/") + (
            f"?{_normalize(parts.query)}" if parts.query else ""
        )
        best = (-1, True)  # no rule matches: allowed
        for pattern, length, allow in self.rules:
            if (length, allow) > best and pattern.match(target):
                best = (length, allow)  # equally long: allow wins, as RFC 9309 says
        return best[1]


def robots_url(url: str) -> str:
    """Return the address of the robots.txt governing `url`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.lower(), "/robots.txt", "", ""))


def allow_all(user_agent: str) -> Robots:
    """Return the rules of a host without a robots.txt (any 4xx): everything allowed."""
    return Robots(user_agent)


def unreadable(user_agent: str, reason: str) -> Robots:
    """Return the rules of a host whose robots.txt could not be read (5xx, network): none."""
    return Robots(user_agent, unreadable=reason)


def parse_robots(text: str, user_agent: str) -> Robots:
    """Parse robots.txt `text` for `user_agent`: its own groups, else the `*` groups."""
    groups: list[tuple[set[str], list[tuple[str, str]]]] = []
    sitemaps: list[str] = []
    reading_agents = False
    for raw in text.splitlines():
        key, colon, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon:
            continue
        if key == "sitemap":
            sitemaps.append(value)
        elif key == "user-agent":
            if not reading_agents:
                groups.append((set(), []))
                reading_agents = True
            groups[-1][0].add(_product(value))
        elif groups:  # lines before the first User-agent belong to no group
            reading_agents = False
            groups[-1][1].append((key, value))
    token = _product(user_agent)
    mine = [lines for agents, lines in groups if token in agents]
    lines = [line for group in mine or [g for a, g in groups if "*" in a] for line in group]
    delays = [_seconds(value) for key, value in lines if key == "crawl-delay"]
    return Robots(
        user_agent,
        rules=tuple(_rule(v, k == "allow") for k, v in lines if k in ("allow", "disallow") and v),
        crawl_delay=next((delay for delay in delays if delay), None),
        sitemaps=tuple(sitemaps),
    )


def _product(agent: str) -> str:
    """Return the product token of a user agent, lower-cased: "newsarchive" for ours."""
    return agent.split("/", 1)[0].strip().lower()


def _normalize(path: str) -> str:
    """Return `path` percent-encoded one way, so equal paths compare equal."""
    return quote(unquote(path), safe=_SAFE)


def _rule(path: str, allow: bool) -> Rule:
    """Compile one Allow/Disallow path: `*` matches anything, a final `$` ends the URL."""
    anchored = path.endswith("$")
    pieces = (path[:-1] if anchored else path).split("*")
    regex = ".*".join(re.escape(_normalize(piece)) for piece in pieces)
    return re.compile(regex + ("$" if anchored else "")), len(path), allow


def _seconds(value: str) -> float | None:
    """Return a Crawl-delay value in seconds (fractions allowed), None if it is not one."""
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None
