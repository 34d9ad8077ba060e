"""The crawler's errors. Catch `CrawlerError` for all of them."""


class CrawlerError(Exception):
    """Base class of every error the crawler raises on purpose."""


class ExtractionError(CrawlerError):
    """A page could not be turned into an article (no body text, not HTML, not an article)."""


class NotAnArticle(ExtractionError):
    """The page is readable but is not an article: an index, gallery, error page, consent wall
    or a dump too big for any article (see `crawler.extract.MAX_NODES` and `MAX_TEXT_CHARS`)."""


class FetchError(CrawlerError):
    """A URL could not be fetched (bad scheme, network failure, HTTP error, too large)."""


class CrawlInProgressError(CrawlerError):
    """Another crawl is writing to the same archive (wait for it, or use another archive)."""


class SourceError(CrawlerError):
    """A crawl source cannot be read (missing or unreadable folder, unknown kind)."""


class SitemapError(SourceError):
    """A sitemap cannot be read (corrupt gzip, over the size cap, not a sitemap)."""


class FeedError(SourceError):
    """A feed cannot be read (neither RSS, Atom nor JSON Feed)."""


class HTTPStatusError(FetchError):
    """The server answered an HTTP error status (after any retries); `.status` holds it."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[type, tuple[str, int]]:
        return type(self), (str(self), self.status)


class RobotsDisallowed(FetchError):
    """The host's robots.txt forbids our user agent to fetch the URL."""


class RobotsUnavailable(RobotsDisallowed):
    """The host's robots.txt could not be read (5xx, network error), so the host is off limits."""


class BlockedAddress(FetchError):
    """The URL's host resolves to a loopback, private, link-local or other non-public address."""


class TooLarge(FetchError):
    """The response body is over the size cap (counted after decompression)."""


class RedirectError(FetchError):
    """The URL redirects too many times, or in a loop."""


class WarcError(SourceError):
    """A WARC/ARC file cannot be opened, is not a WARC/ARC file, or cannot be written."""
