"""Reading sitemaps (XML, Google News, sitemap indexes, plain text, gzipped) into `Link`s."""

from __future__ import annotations

import codecs
import gzip
import io
import logging
import re
import zlib

from lxml import etree

from crawler.dates import parse_date
from crawler.errors import SitemapError
from crawler.links import Link
from crawler.urls import absolute_url

logger = logging.getLogger(__name__)

# The sitemaps.org protocol's limits for one file: 50,000 URLs and 50 MB uncompressed.
MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
TEXT_TYPES = ("", "text/plain")

_SNIFF_BYTES = 4096
_ROOT = re.compile(rb"<(?:[\w.-]+:)?(?:urlset|sitemapindex)\b")
# After its first error, libxml2's recovering parser drops named references, even "&amp;",
# but keeps numeric ones; so predefined and bare ampersands ("?id=1&page=2") become numeric.
# CDATA sections are kept as written.
_REFERENCE = re.compile(
    rb"<!\[CDATA\[.*?\]\]>|&(?:(amp|lt|gt|quot|apos);|(?![A-Za-z_][\w.-]*;|#\d+;|#x[0-9A-Fa-f]+;))",
    re.S,
)
_PREDEFINED = {
    b"amp": b"&#38;",
    b"lt": b"&#60;",
    b"gt": b"&#62;",
    b"quot": b"&#34;",
    b"apos": b"&#39;",
}
_URL_LINE = re.compile(rb"^https?://\S+$", re.I)
# Never expand entities nor fetch anything: a sitemap is untrusted input (XXE, billion laughs).
_PARSER_OPTIONS = dict(
    recover=True,
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    remove_comments=True,
    remove_pis=True,
)


def parse_sitemap(content: bytes, base_url: str) -> tuple[list[Link], list[str]]:
    """Return a sitemap's page links and the child sitemap URLs it lists."""
    content = _strip(_decompress(content) if content[:2] == GZIP_MAGIC else content)
    if len(content) > MAX_BYTES:
        raise SitemapError(f"{base_url} is over the {MAX_BYTES:,}-byte sitemap cap.")
    if not content.startswith(b"<"):
        return _text_links(content, base_url), []
    links: dict[str, Link] = {}
    children: dict[str, None] = {}
    # iter(), not the root's children: recovered XML may nest an unclosed <url> in the last.
    for entry in _parse_xml(content, base_url).iter(etree.Element):
        kind = _local(entry)
        if kind not in ("url", "sitemap"):
            continue
        if len(links) + len(children) >= MAX_URLS:
            logger.warning("%s lists over %d URLs; the rest are ignored", base_url, MAX_URLS)
            break
        fields = _fields(entry)
        url = absolute_url(fields.get("loc"), base_url)
        if url is None:
            continue
        if kind == "sitemap":
            children.setdefault(url, None)
        else:
            links.setdefault(url, _link(url, entry, fields))
    return list(links.values()), list(children)


def is_sitemap(content: bytes, content_type: str = "") -> bool:
    """Return whether `content` looks like a sitemap (XML, gzipped, or a plain list of URLs)."""
    head = content[:_SNIFF_BYTES]
    if head[:2] == GZIP_MAGIC:
        try:
            head = zlib.decompressobj(wbits=31).decompress(content, _SNIFF_BYTES)
        except zlib.error:
            return False
    head = _strip(head)
    if _ROOT.search(head):
        return True
    media_type = content_type.split(";")[0].strip().lower()
    first_line = head.split(b"\n", 1)[0].strip()
    return media_type in TEXT_TYPES and bool(_URL_LINE.match(first_line))


def _parse_xml(content: bytes, base_url: str) -> etree._Element:
    try:
        root = etree.fromstring(_numeric_references(content), etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"{base_url} is not readable XML: {exc}") from exc
    if root is None or _local(root) not in ("urlset", "sitemapindex"):
        found = "nothing readable" if root is None else f"<{_local(root)}>"
        raise SitemapError(f"{base_url} is not a sitemap: found {found}.")
    return root


def _decompress(content: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
            data = stream.read(MAX_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise SitemapError(f"Corrupt gzip sitemap: {exc}") from exc
    if len(data) > MAX_BYTES:
        raise SitemapError(f"Gzip sitemap expands past the {MAX_BYTES:,}-byte cap.")
    return data


def _numeric_references(content: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        if match[0].startswith(b"<"):
            return match[0]
        return _PREDEFINED[match[1]] if match[1] else b"&#38;"

    return _REFERENCE.sub(replace, content)


def _strip(content: bytes) -> bytes:
    return content.removeprefix(codecs.BOM_UTF8).lstrip()


def _text_links(content: bytes, base_url: str) -> list[Link]:
    urls: dict[str, None] = {}
    for line in content.splitlines():
        line = line.strip()
        if not _URL_LINE.match(line):
            continue
        if len(urls) >= MAX_URLS:
            logger.warning("%s lists over %d URLs; the rest are ignored", base_url, MAX_URLS)
            break
        urls.setdefault(line.decode("utf-8", "replace"), None)
    return [Link(url) for url in urls]


def _link(url: str, entry: etree._Element, fields: dict[str, str]) -> Link:
    news = _news_fields(entry)
    return Link(
        url,
        lastmod=parse_date(fields.get("lastmod")),
        published=parse_date(news.get("publication_date")),
        title=" ".join(news.get("title", "").split()),
    )


def _fields(entry: etree._Element) -> dict[str, str]:
    """Return the text of `entry`'s direct children by local name (first one wins).

    A child holding an unexpanded entity reads as empty: its text is only what precedes it.
    """
    fields: dict[str, str] = {}
    for child in entry.iterchildren(etree.Element):
        entity = any(isinstance(node, etree._Entity) for node in child)
        fields.setdefault(_local(child), "" if entity else (child.text or "").strip())
    return fields


def _news_fields(entry: etree._Element) -> dict[str, str]:
    for child in entry.iterchildren(etree.Element):
        if _local(child) == "news":
            return _fields(child)
    return {}


def _local(element: etree._Element) -> str:
    """Return the element's name without namespace or prefix (recovered XML may keep "news:")."""
    return etree.QName(element).localname.rpartition(":")[2].lower()
