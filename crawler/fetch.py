"""A polite, safe HTTP client: robots.txt first, per-host spacing, retries, size caps."""

from __future__ import annotations

import dataclasses
import http
import ipaddress
import logging
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from crawler.errors import (
    BlockedAddress,
    FetchError,
    HTTPStatusError,
    RedirectError,
    RobotsDisallowed,
    RobotsUnavailable,
    TooLarge,
)
from crawler.page import Page
from crawler.ratelimit import HostLimiter, parse_retry_after
from crawler.robots import MAX_ROBOTS_BYTES, Robots, allow_all, parse_robots, robots_url, unreadable

logger = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/newsarchive/newsarchive"
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_CRAWL_DELAY = 60.0  # a robots.txt asking for more still gets one request a minute
HTML_TYPES = ("text/html", "application/xhtml+xml")
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# When the answer being read on this thread must be complete (time.monotonic()), if any.
_DEADLINE: ContextVar[float | None] = ContextVar("deadline", default=None)


def user_agent(contact: str | None = None) -> str:
    """Return our User-Agent naming `contact` (a URL or mailto:) where site owners reach you."""
    try:
        release = version("newsarchive")
    except PackageNotFoundError:  # running from a source tree that was never installed
        release = "dev"
    return f"newsarchive/{release} (+{contact or PROJECT_URL})"


USER_AGENT = user_agent()


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how defensively a `Fetcher` fetches."""

    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # longest silence while waiting for bytes
    max_time: float = 120.0  # longest wait for one answer, so a trickling server cannot stall us
    max_bytes: int = MAX_BYTES  # cap on the decoded body, enforced while streaming
    max_redirects: int = MAX_REDIRECTS
    max_retries: int = 3  # on timeouts, connection errors, 429 and 5xx
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    max_retry_after: float = 120.0  # cap on any wait before a retry, Retry-After included
    delay: float = 1.0  # least seconds between two requests to one host (Crawl-delay raises it)
    allow_private: bool = False  # True to fetch from loopback and private networks


@dataclass(frozen=True)
class Response:
    """One fetched URL: final address, status, lower-cased headers and decoded body."""

    url: str  # final URL after redirects
    requested_url: str
    status: int
    headers: dict[str, str]
    content: bytes  # decoded (gzip, deflate removed); empty unless the status is 2xx
    fetched_at: datetime
    redirects: tuple[str, ...] = ()  # the URLs that redirected, in order

    @property
    def content_type(self) -> str:
        """Return the media type without parameters, like "text/html"."""
        value = self.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return value or "application/octet-stream"

    @property
    def charset(self) -> str | None:
        """Return the charset the server declared, lower-cased, if any."""
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        return message.get_content_charset()

    @property
    def etag(self) -> str | None:
        """Return the ETag to send back as `etag=` for a conditional request."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """Return the Last-Modified date to send back as `last_modified=`."""
        return self.headers.get("last-modified")

    @property
    def is_html(self) -> bool:
        """Return whether the body is an HTML page."""
        return self.content_type in HTML_TYPES

    def page(self) -> Page:
        """Return the body as a `Page` for the extractor."""
        return Page(
            location=self.url,
            content=self.content,
            url=self.url,
            charset=self.charset,
            fetched_at=self.fetched_at,
        )


def check_url(url: str) -> str:
    """Return `url` if it is an absolute http(s) URL, else raise `FetchError`."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # a bracketed host that is not an IPv6 address, say
        raise FetchError(f"Not a valid URL: {url!r} ({exc}); check the address.") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"Not an http(s) URL: {url!r}; give a full address like https://...")
    return url


class Fetcher:
    """Fetches URLs politely and safely; one instance may be shared by many threads."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._client = httpx.Client(
            transport=_transport(self.policy),
            trust_env=False,  # no proxies or .netrc from the environment: we check addresses
            timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self._limiter = HostLimiter()
        self._lock = threading.Lock()
        self._robots: dict[str, Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """Fetch `url` (any content type); a 304 answer to `etag`/`last_modified` has no body."""
        headers = {"Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self._follow(check_url(url), headers, self.policy.max_bytes, obey_robots=True)
        if response.status >= 300 and response.status != 304:
            raise HTTPStatusError(_status_message(response, self.policy), response.status)
        return response

    def robots_sitemaps(self, url: str) -> list[str]:
        """Return the Sitemap: addresses listed in the robots.txt of `url`'s host."""
        return list(self._robots_for(check_url(url)).sitemaps)

    @property
    def host_waits(self) -> float:
        """Seconds requests have spent waiting for their host's turn (politeness), in all."""
        return self._limiter.waited

    def crawl_delay(self, url: str) -> float:
        """Return the seconds kept between requests to `url`'s host (policy or Crawl-delay)."""
        self._robots_for(check_url(url))
        return self._delay(url)

    def close(self) -> None:
        """Close the open connections."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _follow(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        *,
        obey_robots: bool,
        truncate: bool = False,
    ) -> Response:
        """Request `url`, following redirects; each hop is checked like the first request."""
        current, visited = url, [url]
        while True:
            if obey_robots:
                self._obey_robots(current)
            response = self._request(current, headers, max_bytes, truncate)
            location = response.headers.get("location")
            if response.status not in _REDIRECTS or not location:
                return dataclasses.replace(
                    response, requested_url=url, redirects=tuple(visited[:-1])
                )
            target = _redirect_target(current, location)
            if target in visited:
                raise RedirectError(
                    f"{url} redirects in a loop ({current} -> {target}); "
                    "the site is misconfigured, try again later."
                )
            if len(visited) > self.policy.max_redirects:
                raise RedirectError(
                    f"{url} redirected more than {self.policy.max_redirects} times; giving up "
                    "(raise FetchPolicy.max_redirects if the site really needs more)."
                )
            logger.debug("%s redirected to %s", current, target)
            visited.append(target)
            current = target

    def _request(
        self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool
    ) -> Response:
        """Make one request to `url`, retrying timeouts, network errors, 429 and 5xx."""
        host = urlsplit(url).hostname or ""
        attempts = self.policy.max_retries + 1
        attempt = 1
        while True:
            self._limiter.wait(host)
            try:
                response = self._exchange(url, headers, max_bytes, truncate)
            except httpx.TransportError as exc:
                if attempt == attempts:
                    raise FetchError(
                        f"Could not fetch {url} ({attempts} attempts): "
                        f"{_describe(exc, self.policy)}; "
                        "check the address and your network, or try again later."
                    ) from exc
                wait = self._backoff(attempt, None)
                reason = _describe(exc, self.policy)
            else:
                if attempt == attempts or not (response.status == 429 or response.status >= 500):
                    return response
                wait = self._backoff(attempt, response.headers.get("retry-after"))
                reason = f"HTTP {response.status}"
            logger.info("%s: %s; retry %d of %d in %.1fs", url, reason, attempt, attempts - 1, wait)
            self._limiter.hold(host, wait)
            attempt += 1

    def _exchange(
        self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool
    ) -> Response:
        """Send one GET and read the body of a 2xx answer within the caps, holding the host."""
        host = urlsplit(url).hostname or ""
        try:
            return self._send(url, headers, max_bytes, truncate)
        finally:
            self._limiter.finished(host, self._delay(url))

    def _send(self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool) -> Response:
        """Send one GET and read the body of a 2xx answer within the caps and max_time."""
        logger.debug("GET %s", url)
        token = _DEADLINE.set(time.monotonic() + self.policy.max_time)
        try:
            with self._client.stream("GET", url, headers=headers) as reply:
                fetched_at = datetime.now(UTC)
                names = {name.lower(): value for name, value in reply.headers.items()}
                content = b""
                if 200 <= reply.status_code < 300:
                    content = self._read_body(url, reply, names, max_bytes, truncate)
        except httpx.InvalidURL as exc:
            raise FetchError(f"Not a valid URL: {url!r} ({exc}); check the address.") from exc
        except _Overdue:
            raise FetchError(
                f"{url} took over {self.policy.max_time:g} s to download; "
                "the server is too slow, try again later or raise FetchPolicy.max_time."
            ) from None
        finally:
            _DEADLINE.reset(token)
        return Response(url, url, reply.status_code, names, content, fetched_at)

    def _read_body(
        self,
        url: str,
        reply: httpx.Response,
        headers: dict[str, str],
        max_bytes: int,
        truncate: bool,
    ) -> bytes:
        """Stream and decode the body, stopping as soon as it passes `max_bytes`."""
        decoder = _decoder(url, headers.get("content-encoding", ""))
        declared = headers.get("content-length", "")
        if not truncate and decoder is None and declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(
                f"{url} is {int(declared):,} bytes, over the {max_bytes:,}-byte cap; "
                "raise FetchPolicy.max_bytes to fetch it."
            )
        body = bytearray()
        for chunk in reply.iter_raw():
            try:
                body += decoder.feed(chunk, max_bytes + 1 - len(body)) if decoder else chunk
            except zlib.error as exc:
                raise FetchError(f"{url} sent a corrupt compressed body ({exc}).") from exc
            if len(body) > max_bytes:
                if truncate:
                    return bytes(body[:max_bytes])
                raise TooLarge(
                    f"{url} is over the {max_bytes:,}-byte cap"
                    f"{' once decompressed' if decoder else ''}; "
                    "raise FetchPolicy.max_bytes to fetch it."
                )
        return bytes(body)

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        """Return the seconds to wait before retry number `attempt` (Retry-After honoured)."""
        wait = self.policy.backoff * 2 ** (attempt - 1)
        asked = parse_retry_after(retry_after) if retry_after else None
        return min(max(wait, asked or 0.0), self.policy.max_retry_after)

    def _delay(self, url: str) -> float:
        """Return the spacing for `url`'s host: the policy's, or its Crawl-delay if longer."""
        robots = self._robots.get(robots_url(url))
        crawl_delay = robots.crawl_delay if robots and robots.crawl_delay else 0.0
        return max(self.policy.delay, min(crawl_delay, MAX_CRAWL_DELAY))

    def _obey_robots(self, url: str) -> None:
        """Raise `RobotsDisallowed` unless the robots.txt of `url`'s host lets us fetch it."""
        robots = self._robots_for(url)
        if robots.unreadable:
            raise RobotsUnavailable(
                f"{robots_url(url)} could not be read ({robots.unreadable}), so its host is "
                f"off limits for this run, as for search engines; try {url} again later."
            )
        if not robots.allows(url):
            raise RobotsDisallowed(
                f"{robots_url(url)} forbids {self.policy.user_agent.split('/')[0]} to fetch "
                f"{url}; leave it out of the crawl (or ask the site's owner)."
            )

    def _robots_for(self, url: str) -> Robots:
        """Return the robots.txt rules of `url`'s host, fetching them on first use."""
        address = robots_url(url)
        with self._lock:
            lock = self._robots_locks.setdefault(address, threading.Lock())
        with lock:
            if address not in self._robots:
                self._robots[address] = self._read_robots(address)
            return self._robots[address]

    def _read_robots(self, address: str) -> Robots:
        """Fetch and parse one robots.txt: 4xx allows all, 5xx or no answer allows nothing."""
        agent = self.policy.user_agent
        try:
            response = self._follow(
                address,
                {"Accept": "text/plain,*/*;q=0.5"},
                MAX_ROBOTS_BYTES,
                obey_robots=False,
                truncate=True,
            )
        except BlockedAddress:
            raise
        except RedirectError:
            return allow_all(agent)  # as Google does: too many redirects means no robots.txt
        except FetchError as exc:
            logger.warning("%s", exc)
            return unreadable(agent, str(exc))
        if 200 <= response.status < 300:
            return parse_robots(response.content.decode("utf-8-sig", errors="replace"), agent)
        if 400 <= response.status < 500 and response.status != 429:
            return allow_all(agent)
        logger.warning("%s answered HTTP %d", address, response.status)
        return unreadable(agent, f"HTTP {response.status}")


def fetch_page(url: str, policy: FetchPolicy | None = None) -> Page:
    """Fetch the HTML page at `url` with a fresh `Fetcher` (robots.txt, caps and retries)."""
    with Fetcher(policy) as fetcher:
        response = fetcher.get(url)
    if not response.is_html:
        raise FetchError(f"{response.url} is {response.content_type}, not an HTML page.")
    return response.page()


class _Decoder:
    """Undoes gzip or deflate content coding, never producing more than asked for per call."""

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._wbits = 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Return up to `limit` decoded bytes of `data` (exactly `limit` if there are more)."""
        out = bytearray()
        while data and len(out) < limit:
            try:
                out += self._zlib.decompress(data, limit - len(out))
            except zlib.error:
                if self._started or self._coding != "deflate" or self._wbits < 0:
                    raise
                self._wbits = -zlib.MAX_WBITS  # "deflate" sent raw, without the zlib header
                self._zlib = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            if self._zlib.unconsumed_tail:
                data = self._zlib.unconsumed_tail
            elif self._zlib.eof and self._zlib.unused_data:  # another gzip member follows
                data = self._zlib.unused_data
                self._zlib = zlib.decompressobj(self._wbits)
            else:
                data = b""
        return bytes(out)


def _decoder(url: str, header: str) -> _Decoder | None:
    """Return the decoder for a Content-Encoding header, None for an unencoded body."""
    codings = [
        c.strip().lower() for c in header.split(",") if c.strip().lower() not in ("", "identity")
    ]
    if not codings:
        return None
    if codings in (["gzip"], ["x-gzip"]):
        return _Decoder("gzip")
    if codings == ["deflate"]:
        return _Decoder("deflate")
    raise FetchError(f"{url} is sent as {header!r}, which we do not decode (only gzip, deflate).")


class _Overdue(Exception):
    """The answer being read passed its deadline (`FetchPolicy.max_time`)."""


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads never wait past the deadline of the answer being read, so a
    server trickling its headers is cut off like one trickling its body."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read up to `max_bytes`, waiting at most `timeout` and never past the deadline."""
        deadline = _DEADLINE.get()
        if deadline is None:
            return self._stream.read(max_bytes, timeout)
        left = deadline - time.monotonic()
        if left <= 0:
            raise _Overdue
        try:
            return self._stream.read(max_bytes, left if timeout is None else min(timeout, left))
        except httpcore.ReadTimeout:
            if timeout is not None and timeout < left:
                raise
            raise _Overdue from None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send `buffer`."""
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        """Close the connection."""
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        """Return the connection wrapped in TLS, its reads still bound by the deadline."""
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        """Return what the connection knows about itself (socket, TLS, readability)."""
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    """Opens connections whose reads end by the deadline of the answer being read."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to `host`:`port`."""
        stream = super().connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream)


class _PublicOnlyBackend(_DeadlineBackend):
    """Connects only to public addresses, checked on the very lookup it connects with."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        blocked = [address for address in addresses if not _is_public(address)]
        if blocked:
            raise BlockedAddress(
                f"{host} resolves to the non-public address {blocked[0]}; refusing to fetch it "
                "(use FetchPolicy(allow_private=True) to crawl your own network)."
            )
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error


def _is_public(address: str) -> bool:
    """Return whether an IP address is public (not loopback, private, reserved, multicast...)."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        else:
            ip = ip.ipv4_mapped or ip.sixtofour or ip
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def _transport(policy: FetchPolicy) -> httpx.HTTPTransport:
    """Return the transport: reads bound by max_time; non-public addresses refused unless
    allowed, at connect time."""
    transport = httpx.HTTPTransport(trust_env=False, limits=_LIMITS)
    # httpx has no public hook for the network backend: swap in a pool that uses ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=_LIMITS.max_connections,
        max_keepalive_connections=_LIMITS.max_keepalive_connections,
        keepalive_expiry=_LIMITS.keepalive_expiry,
        network_backend=_DeadlineBackend() if policy.allow_private else _PublicOnlyBackend(),
    )
    return transport


def _redirect_target(current: str, location: str) -> str:
    """Return the absolute http(s) URL a Location header points to (`FetchError` if none)."""
    try:
        target = urljoin(current, location)
    except ValueError as exc:  # "http://a]/": urllib refuses it, httpx lets it through
        raise RedirectError(
            f"{current} redirects to {location!r}, which is not a valid address; "
            "the site is misconfigured, try again later."
        ) from exc
    return check_url(target)


def _describe(exc: httpx.TransportError, policy: FetchPolicy) -> str:
    """Return what went wrong on the network, in plain words."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting (no answer within {policy.connect_timeout:g} s)"
    if isinstance(exc, httpx.ReadTimeout):
        return (
            f"timed out: the server sent nothing for {policy.read_timeout:g} s "
            "(FetchPolicy.read_timeout)"
        )
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    detail = _clip(str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server's answer broke off or was not HTTP ({detail})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"the connection broke ({detail})"
    return detail


def _clip(text: str, limit: int = 160) -> str:
    """Return `text` cut to `limit` characters: servers' garbage can be long."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _status_message(response: Response, policy: FetchPolicy) -> str:
    """Return the error message for an HTTP error status, saying what to do."""
    try:
        text = f"HTTP {response.status} {http.HTTPStatus(response.status).phrase}"
    except ValueError:
        text = f"HTTP {response.status}"
    if response.status == 429 or response.status >= 500:
        advice = f"still failing after {policy.max_retries} retries; try again later"
    elif response.status in (401, 403):
        advice = "the site refuses us; leave it out of the crawl"
    elif response.status in (404, 410):
        advice = "the page is gone; check the address"
    else:
        advice = "check the address"
    return f"{response.url} answered {text}: {advice}."
