"""The crawler's errors. Catch `CrawlerError` for all of them."""


class CrawlerError(Exception):
    """Base class of every error the crawler raises on purpose."""


class ExtractionError(CrawlerError):
    """A page could not be turned into an article (no body text, not HTML, not an article)."""


class NotAnArticle(ExtractionError):
    """The page is readable but is not an article: an index, gallery, error page or paywall stub."""


class FetchError(CrawlerError):
    """A URL could not be fetched (bad scheme, network failure, HTTP error, too large)."""


class SourceError(CrawlerError):
    """A crawl source cannot be read (missing or unreadable folder, unknown kind)."""
