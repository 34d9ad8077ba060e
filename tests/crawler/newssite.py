"""A small news site built from the sample archive, served on 127.0.0.1 for crawl tests.

It has what real sites have: robots.txt (a disallowed path, a crawl delay, a sitemap), a
sitemap index over a Google News sitemap, RSS and Atom feeds, a front page of links, and
the awkward pages crawlers meet: redirects, a loop, 404, 500 then 200, a PDF, ETags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from tests.conftest import SAMPLE_ARCHIVE, Site, Visit

HTML = "text/html; charset=utf-8"
PAGES = sorted((SAMPLE_ARCHIVE / "voa-shona").glob("*.html"))[:12]
WIKINEWS_PAGE = sorted((SAMPLE_ARCHIVE / "wikinews").glob("*.html"))[0]
LAST_MODIFIED = format_datetime(datetime(2024, 5, 1, tzinfo=UTC), usegmt=True)


@dataclass
class NewsSite:
    """The routes of the test news site and the article paths each way of finding them leads to."""

    site: Site
    linked: list[str] = field(default_factory=list)  # on the front page
    in_sitemap: list[str] = field(default_factory=list)
    in_feeds: list[str] = field(default_factory=list)
    private: str = "/private/secret-story-2024.html"
    pdf: str = "/news/2024/05/annual-budget-report.html"  # an article-like URL serving a PDF
    bodies: dict[str, bytes] = field(default_factory=dict)

    @property
    def articles(self) -> list[str]:
        """Every article path a full crawl should store."""
        return self.linked + self.in_sitemap + self.in_feeds

    def url(self, path: str) -> str:
        """Return the absolute URL of `path`."""
        return self.site.url(path)


def build(site: Site, crawl_delay: float = 0.0) -> NewsSite:
    """Fill `site` with the news site's routes and return what it holds."""
    news = NewsSite(site)
    paths = [f"/news/2024/05/{page.stem}.html" for page in PAGES]
    news.linked, news.in_sitemap, news.in_feeds = paths[:4], paths[4:8], paths[8:12]
    for path, page in zip(paths, PAGES, strict=True):
        news.bodies[path] = page.read_bytes()
        site.routes[path] = _conditional(news.bodies[path])
    site.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        (
            "User-agent: *\nDisallow: /private/\n"
            f"Crawl-delay: {crawl_delay}\nSitemap: {news.url('/sitemap_index.xml')}\n"
        ).encode(),
    )
    links = "".join(
        f'<li><a href="{p}">Story {i} from the region</a></li>'
        for i, p in enumerate(
            news.linked
            + [
                news.private,
                news.pdf,
                "/report.pdf",
                "/gone-2024.html",
                "/flaky-story-2024.html",
                "/loop-2024.html",
            ]
        )
    )
    site.routes["/"] = (
        200,
        {"Content-Type": HTML},
        (
            '<html><head><title>Front page</title><link rel="alternate" '
            'type="application/rss+xml" href="/rss.xml"><link rel="alternate" '
            'type="application/atom+xml" href="/atom.xml"></head><body><nav><a href="/">Home'
            f"</a></nav><main><h1>Latest</h1><ul>{links}</ul></main></body></html>"
        ).encode(),
    )
    site.routes["/sitemap_index.xml"] = _xml(
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{news.url('/news_sitemap.xml')}</loc></sitemap></sitemapindex>"
    )
    site.routes["/news_sitemap.xml"] = _xml(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(
            f"<url><loc>{news.url(p)}</loc><news:news><news:publication_date>2024-05-01T10:00:00Z"
            "</news:publication_date></news:news></url>"
            for p in news.in_sitemap
        )
        + "</urlset>"
    )
    half = len(news.in_feeds) // 2
    site.routes["/rss.xml"] = _xml(
        '<rss version="2.0"><channel><title>News</title>'
        + "".join(f"<item><link>{news.url(p)}</link></item>" for p in news.in_feeds[:half])
        + "</channel></rss>"
    )
    site.routes["/atom.xml"] = _xml(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>'
        + "".join(
            f'<entry><link href="{news.url(p)}"/><id>{p}</id><title>x</title></entry>'
            for p in news.in_feeds[half:]
        )
        + "</feed>"
    )
    site.routes[news.private] = (200, {"Content-Type": HTML}, PAGES[0].read_bytes())
    site.routes[news.pdf] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    site.routes["/gone-2024.html"] = (404, {"Content-Type": HTML}, b"<p>Not found</p>")
    site.routes["/loop-2024.html"] = (302, {"Location": "/loop-2024.html"}, b"")
    site.routes["/flaky-story-2024.html"] = _fails_once(WIKINEWS_PAGE.read_bytes())
    return news


def _xml(text: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/xml"}, f'<?xml version="1.0"?>{text}'.encode()


def _conditional(body: bytes):
    etag = f'"{hash(body) & 0xFFFFFFFF:x}"'

    def serve(visit: Visit) -> tuple[int, dict[str, str], bytes]:
        if visit.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": HTML, "ETag": etag, "Last-Modified": LAST_MODIFIED}, body

    return serve


def _fails_once(body: bytes):
    calls: list[Visit] = []

    def serve(visit: Visit) -> tuple[int, dict[str, str], bytes]:
        calls.append(visit)
        if len(calls) == 1:
            return 500, {"Content-Type": "text/plain"}, b"busy, try again"
        return 200, {"Content-Type": HTML}, body

    return serve
