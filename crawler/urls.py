"""URL helpers: resolve a page's canonical URL and strip tracking parameters."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

# Query parameters that only identify a campaign or click, never the article.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ocid",
        "cmpid",
        "smid",
        "ncid",
        "sr_share",
        "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_")

_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>0?[1-9]|1[0-2])[/-](?P<d>0?[1-9]|[12]\d|3[01])(?:/|[-_.]|$)"
)


def absolute_url(href: str | None, base: str | None) -> str | None:
    """Return `href` resolved against `base` if the result is an http(s) URL, else None."""
    if not href or not href.strip():
        return None
    try:
        resolved = urljoin(base or "", href.strip())
        parts = urlsplit(resolved)
    except ValueError:  # a malformed address, such as a placeholder "http://[YOUR-DOMAIN]/"
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return resolved


def strip_tracking(url: str) -> str:
    """Return `url` without tracking query parameters (utm_*, fbclid, gclid...) or fragment."""
    parts = urlsplit(url)
    # Filter the raw pairs rather than re-encoding, so kept parameters stay byte-identical.
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not _is_tracking(unquote_plus(pair.split("=", 1)[0]).lower())
    )
    # A fragment names a part of the page, not another article.
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _is_tracking(key: str) -> bool:
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def host_name(url: str) -> str:
    """Return the host of `url` without a leading "www."."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def url_date_parts(url: str) -> tuple[int, int, int] | None:
    """Return (year, month, day) from a date path like /2019/03/14/ in `url`, if any."""
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    return int(match["y"]), int(match["m"]), int(match["d"])
