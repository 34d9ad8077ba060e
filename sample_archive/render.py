"""Render the bundled sample news records as saved news web pages.

Each record of `articles.jsonl.gz` (real, freely licensed article text; see NOTICE) is
wrapped in a synthetic page of one of three site layouts, with the boilerplate real
publishers serve around an article: skip links, a "Breaking News" ticker, menus, share
buttons, related and most-popular lists, a cookie banner, a newsletter form, a footer
and scripts. The pages test how well the crawler strips that chrome and reads metadata.

Writes `<site>/<slug>.html` for every record and `expected.jsonl`, the result a perfect
extractor returns for each page, next to this script.

Usage: python sample_archive/render.py [--source PATH]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "sample_news" / "articles.jsonl.gz"

SITE_NAMES = {"wikinews": "Wikinews", "voa-lingala": "VOA Lingala", "voa-shona": "VOA Shona"}
CC_BY_25 = "https://creativecommons.org/licenses/by/2.5/"
WIKINEWS_LOGO = "https://en.wikinews.org/static/images/project-logos/enwikinews.png"
COPYRIGHT_YEAR = 2024

WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATELINE_RE = re.compile(rf"^(?:{WEEKDAYS}), (?:{MONTHS}) \d{{1,2}}, \d{{4}}")
# A Wikinews image caption ends with a photo credit: "... Image: Mathias Krumbholz."
CAPTION_RE = re.compile(r"\b[Ii]mage[:;]\s*[^.]{1,60}\.?$")
CAPTION_MAX_CHARS = 300
# A sentence ends at . ! or ? followed by a space, but not after "Dr.", "Mr." or an initial.
SENTENCE_RE = re.compile(
    r"(.{40,}?(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!Mrs)(?<!Mgr)(?<!\bSt)(?<!\b[A-Z])[.!?])(?=\s|$)",
    re.DOTALL,
)
DESCRIPTION_MAX_CHARS = 200
# Every n-th Wikinews page is saved as windows-1252 when all its characters allow it.
LEGACY_ENCODING = "windows-1252"
LEGACY_EVERY = 10


@dataclass(frozen=True)
class Block:
    """One piece of article body: a paragraph (`kind == "p"`) or an image caption."""

    kind: str
    text: str


@dataclass(frozen=True)
class Link:
    """A headline of another record, as shown in tickers and related lists."""

    title: str
    url: str


@dataclass(frozen=True)
class Page:
    """Everything a layout needs to render one record."""

    record: dict[str, Any]
    path: str
    blocks: list[Block]
    dateline: str | None
    description: str
    ticker: list[Link]
    related: list[Link]
    popular: list[Link]

    @property
    def paragraphs(self) -> list[str]:
        """The body paragraphs, without captions."""
        return [b.text for b in self.blocks if b.kind == "p"]

    @property
    def captions(self) -> list[str]:
        """The image captions, in page order."""
        return [b.text for b in self.blocks if b.kind == "caption"]


def esc(text: str) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(text, quote=True)


def script_json(data: Any) -> str:
    """Serialise data as JSON that is safe inside a <script> element."""
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def iso_z(day: str) -> str:
    """Midnight UTC of a YYYY-MM-DD date, with a "Z" suffix."""
    return f"{day}T00:00:00Z"


def iso_offset(day: str) -> str:
    """Midnight UTC of a YYYY-MM-DD date, with a "+00:00" offset."""
    return f"{day}T00:00:00+00:00"


def long_date(day: date) -> str:
    """Format a date the Wikinews way: "Tuesday, September 1, 2015"."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def slugify(text: str, limit: int = 80) -> str:
    """Turn text into a lowercase ASCII slug of at most `limit` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def page_path(record: dict[str, Any]) -> str:
    """The page's path relative to the archive: `<site>/<slug>.html`.

    Wikinews slugs come from the wiki page name; VOA slugs from the URL slug plus the
    numeric content id, which keeps them unique (or the title when the URL has no slug).
    """
    parts = urlsplit(record["url"]).path.strip("/").split("/")
    if record["source"] == "wikinews":
        slug = slugify(unquote(parts[-1]))
    else:
        words = parts[-2] if len(parts) > 2 else record["title"]
        slug = f"{slugify(words, 60)}-{content_id(record['url'])}"
    return f"{record['source']}/{slug}.html"


def content_id(url: str) -> str:
    """The numeric content id at the end of a VOA URL (`.../5703816.html`)."""
    return urlsplit(url).path.rsplit("/", 1)[-1].removesuffix(".html")


def fold(text: str) -> str:
    """Text without whitespace, accents or case, for loose comparison."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (c for c in decomposed if not unicodedata.combining(c) and not c.isspace())
    return "".join(kept).casefold()


def strip_headline(paragraph: str, title: str) -> str:
    """Remove `title` from the start of `paragraph`, ignoring spacing, accents and case.

    Returns the paragraph unchanged when it does not start with the whole title
    followed by a word break.
    """
    wanted = fold(title)
    matched = 0
    for index, char in enumerate(paragraph):
        if char.isspace():
            continue
        if matched == len(wanted):
            return paragraph[index:] if paragraph[index - 1].isspace() else paragraph
        piece = fold(char)
        if not wanted.startswith(piece, matched):
            return paragraph
        matched += len(piece)
    return "" if matched == len(wanted) else paragraph


def split_body(record: dict[str, Any]) -> tuple[list[Block], str | None]:
    """Split a record's text into body blocks, dropping a leading headline and dateline.

    Returns the blocks and the dateline text found at the start ("Tuesday, September 1,
    2015"), if any. Only Wikinews paragraphs are ever captions.
    """
    paragraphs = [p.strip() for p in record["text"].split("\n\n") if p.strip()]
    first = strip_headline(paragraphs[0], record["title"]).strip()
    paragraphs = ([first] if first else []) + paragraphs[1:]
    dateline = None
    if match := DATELINE_RE.match(paragraphs[0]):
        dateline = match.group(0)
        rest = paragraphs[0][match.end() :].strip()
        paragraphs = ([rest] if rest else []) + paragraphs[1:]
    blocks = [
        Block("caption" if record["source"] == "wikinews" and is_caption(p) else "p", p)
        for p in paragraphs
    ]
    return blocks, dateline


def is_caption(paragraph: str) -> bool:
    """Whether a Wikinews paragraph is an image caption with a photo credit."""
    return len(paragraph) <= CAPTION_MAX_CHARS and CAPTION_RE.search(paragraph) is not None


def describe(paragraphs: list[str]) -> str:
    """The first sentence of the first substantial paragraph, at most ~200 characters."""
    first = next((p for p in paragraphs if len(p) >= 80), paragraphs[0])
    match = SENTENCE_RE.match(first)
    sentence = match.group(1) if match else first
    if len(sentence) > DESCRIPTION_MAX_CHARS:
        sentence = sentence[:DESCRIPTION_MAX_CHARS].rsplit(" ", 1)[0] + "…"
    return sentence


def pick_links(records: list[dict[str, Any]], index: int, offsets: tuple[int, ...]) -> list[Link]:
    """Headlines of the records `offsets` places after `index` (wrapping around)."""
    chosen = (records[(index + offset) % len(records)] for offset in offsets)
    return [Link(record["title"], record["url"]) for record in chosen]


def build_pages(records: list[dict[str, Any]]) -> list[Page]:
    """Prepare every record for rendering; other records of the same site fill its lists."""
    by_site: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_site.setdefault(record["source"], []).append(record)
    pages = []
    for site_records in by_site.values():
        for index, record in enumerate(site_records):
            blocks, dateline = split_body(record)
            pages.append(
                Page(
                    record=record,
                    path=page_path(record),
                    blocks=blocks,
                    dateline=dateline,
                    description=describe([b.text for b in blocks if b.kind == "p"]),
                    ticker=pick_links(site_records, index, (1, 2, 3)),
                    related=pick_links(site_records, index, (4, 5, 6)),
                    popular=pick_links(site_records, index, (11, 17, 23, 29)),
                )
            )
    return pages


def link_items(links: list[Link], li_class: str = "", a_class: str = "") -> str:
    """Render links as <li> elements."""
    li = f' class="{li_class}"' if li_class else ""
    a = f' class="{a_class}"' if a_class else ""
    return "\n".join(
        f'<li{li}><a{a} href="{esc(link.url)}">{esc(link.title)}</a></li>' for link in links
    )


def share_links(url: str, title: str, li_class: str, a_class: str) -> str:
    """Render the usual share buttons: Facebook, Twitter, Print, Email."""
    quoted_url, quoted_title = quote(url, safe=""), quote(title, safe="")
    targets = [
        ("Share on Facebook", f"https://www.facebook.com/sharer.php?u={quoted_url}"),
        ("Share on Twitter", f"https://twitter.com/intent/tweet?url={quoted_url}"),
        ("Print", "javascript:window.print()"),
        ("Email", f"mailto:?subject={quoted_title}&amp;body={quoted_url}"),
    ]
    return "\n".join(
        f'<li class="{li_class}"><a class="{a_class}" href="{href}">{label}</a></li>'
        for label, href in targets
    )


def skip_links(ul_class: str, li_class: str = "") -> str:
    """Render the three "Skip to ..." links."""
    li = f' class="{li_class}"' if li_class else ""
    return (
        f'<ul class="{ul_class}">\n'
        f'<li{li}><a href="#content">Skip to main content</a></li>\n'
        f'<li{li}><a href="#main-navigation">Skip to main Navigation</a></li>\n'
        f'<li{li}><a href="#search">Skip to Search</a></li>\n'
        "</ul>"
    )


def render_wikinews(page: Page, charset: str) -> str:
    """A MediaWiki (Vector skin) page: #mw-content-text > .mw-parser-output holds the body.

    Dateline <time> and byline sit in #contentSub under the <h1>; captions are <figure>s
    in the body; a CC BY 2.5 notice follows the article. Meta dates end in "Z", the
    NewsArticle JSON-LD dates in "+00:00".
    """
    r = page.record
    title, url = r["title"], r["url"]
    published, modified = r["published"], r["modified"]
    dateline = page.dateline or long_date(date.fromisoformat(published))
    dateline_iso = iso_z(datetime.strptime(dateline, "%A, %B %d, %Y").date().isoformat())
    wiki_path = urlsplit(url).path.rsplit("/", 1)[-1]
    wiki_name = unquote(wiki_path)
    json_ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": iso_offset(published),
        "dateModified": iso_offset(modified),
        "author": {"@type": "Organization", "name": r["byline"]},
        "publisher": {
            "@type": "Organization",
            "name": "Wikinews",
            "logo": {"@type": "ImageObject", "url": WIKINEWS_LOGO},
        },
        "articleSection": r["section"],
        "inLanguage": r["language"],
        "description": page.description,
        "license": CC_BY_25,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
    }
    body = "\n".join(
        f"<p>{esc(b.text)}</p>"
        if b.kind == "p"
        else (
            '<figure class="mw-default-size" typeof="mw:File/Thumb">'
            '<span class="mw-file-element"></span>'
            f"<figcaption>{esc(b.text)}</figcaption></figure>"
        )
        for b in page.blocks
    )
    last_edited = date.fromisoformat(modified)
    rl_config = {"wgPageName": wiki_name, "wgTitle": title, "wgCategories": [r["section"]]}
    return f"""<!DOCTYPE html>
<html class="client-nojs" lang="{r['language']}" dir="ltr">
<head>
<meta charset="{charset}">
<title>{esc(title)} - Wikinews, the free news source</title>
<script>document.documentElement.className = "client-js";
var RLCONF = {script_json(rl_config)};</script>
<meta name="description" content="{esc(page.description)}">
<meta name="generator" content="MediaWiki 1.42.0-wmf.5">
<meta property="og:title" content="{esc(title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{esc(url)}">
<meta property="og:site_name" content="Wikinews">
<meta property="og:description" content="{esc(page.description)}">
<meta property="article:published_time" content="{iso_z(published)}">
<meta property="article:modified_time" content="{iso_z(modified)}">
<meta property="article:section" content="{esc(r['section'])}">
<link rel="canonical" href="{esc(url)}">
<link rel="license" href="{CC_BY_25}">
<link rel="stylesheet"
 href="/w/load.php?lang=en&amp;modules=skins.vector.styles&amp;only=styles&amp;skin=vector">
<script type="application/ld+json">{script_json(json_ld)}</script>
</head>
<body class="mediawiki ltr sitedir-ltr ns-0 ns-subject skin-vector action-view">
<div id="accessibility" role="navigation" aria-label="Accessibility links">
<h2 class="mw-screen-reader-text">Accessibility links</h2>
{skip_links("skip-links mw-jump-links")}
</div>
<div id="mw-page-base" class="noprint"></div>
<div id="siteNotice" class="noprint">
<div id="breaking-news" class="sitenotice-ticker">
<strong class="ticker-label">Breaking News</strong>
<ul>
{link_items(page.ticker)}
</ul>
</div>
</div>
<div id="content" class="mw-body" role="main">
<a id="top"></a>
<h1 id="firstHeading" class="firstHeading mw-first-heading" lang="{r['language']}">{esc(title)}</h1>
<div id="bodyContent" class="vector-body">
<div id="siteSub" class="noprint">From Wikinews, the free news source you can write!</div>
<div id="contentSub">
<time class="published dtstart" datetime="{dateline_iso}">{esc(dateline)}</time>
<span class="byline">By <span class="author vcard">{esc(r['byline'])}</span></span>
<span class="section">· <a href="/wiki/Category:{esc(r['section'])}">{esc(r['section'])}</a></span>
</div>
<a class="mw-jump-link" href="#mw-head">Jump to navigation</a>
<a class="mw-jump-link" href="#searchInput">Jump to search</a>
<div id="mw-content-text" class="mw-body-content mw-content-ltr" lang="{r['language']}" dir="ltr">
<div class="mw-parser-output">
{body}
</div>
</div>
<div class="license noprint">
<p>This article was originally published on <a href="{esc(url)}">Wikinews</a>.
Credit: {esc(r['attribution'])}.
Licensed under the <a rel="license" href="{CC_BY_25}">Creative Commons Attribution 2.5 License</a>.
Text as distributed in the GUM corpus; page layout is synthetic.</p>
</div>
<div class="share-tools noprint">
<h3>Share this article</h3>
<ul class="share-list">
{share_links(url, title, "share-item", "share-link")}
</ul>
</div>
<div id="catlinks" class="catlinks" data-mw="interface">
<div id="mw-normal-catlinks" class="mw-normal-catlinks">
<a href="/wiki/Special:Categories" title="Special:Categories">Categories</a>:
<ul>
<li><a href="/wiki/Category:{esc(r['section'])}">{esc(r['section'])}</a></li>
<li><a href="/wiki/Category:Published">Published</a></li>
<li><a href="/wiki/Category:Archived">Archived</a></li>
</ul>
</div>
</div>
</div>
</div>
<div id="mw-navigation">
<h2>Navigation menu</h2>
<div id="mw-head">
<nav id="p-personal" class="vector-menu" aria-label="Personal tools">
<ul>
<li id="pt-anonuserpage">Not logged in</li>
<li id="pt-anontalk"><a href="/wiki/Special:MyTalk">Talk</a></li>
<li id="pt-anoncontribs"><a href="/wiki/Special:MyContributions">Contributions</a></li>
<li id="pt-createaccount"><a href="/wiki/Special:CreateAccount">Create account</a></li>
<li id="pt-login"><a href="/wiki/Special:UserLogin">Log in</a></li>
</ul>
</nav>
<nav id="p-namespaces" class="vector-menu vector-menu-tabs" aria-label="Namespaces">
<ul>
<li class="selected"><a href="/wiki/{esc(wiki_path)}">Article</a></li>
<li><a href="/wiki/Talk:{esc(wiki_path)}">Discussion</a></li>
</ul>
</nav>
<nav id="p-views" class="vector-menu vector-menu-tabs" aria-label="Views">
<ul>
<li class="selected"><a href="/wiki/{esc(wiki_path)}">Read</a></li>
<li><a href="/w/index.php?title={esc(wiki_path)}&amp;action=edit">Edit</a></li>
<li><a href="/w/index.php?title={esc(wiki_path)}&amp;action=history">View history</a></li>
</ul>
</nav>
<div id="search" role="search">
<form action="/w/index.php" id="searchform">
<input type="search" name="search" placeholder="Search Wikinews" id="searchInput">
<input type="submit" name="go" value="Go">
</form>
</div>
</div>
<div id="mw-panel">
<div id="p-logo" role="banner">
<a class="mw-wiki-logo" href="/wiki/Main_Page" title="Visit the main page"></a>
</div>
<nav id="main-navigation" class="vector-menu portal" aria-label="Navigation">
<ul>
<li><a href="/wiki/Main_Page">Main page</a></li>
<li><a href="/wiki/Wikinews:Newsroom">Newsroom</a></li>
<li><a href="/wiki/Special:Random">Random article</a></li>
<li><a href="/wiki/Category:Politics_and_conflicts">Politics and conflicts</a></li>
<li><a href="/wiki/Category:Science_and_technology">Science and technology</a></li>
<li><a href="/wiki/Wikinews:Interviews">Interviews</a></li>
</ul>
</nav>
<nav id="p-related" class="vector-menu portal" aria-label="Related">
<h3>Related</h3>
<ul>
{link_items(page.related)}
</ul>
</nav>
<nav id="p-popular" class="vector-menu portal" aria-label="Most popular">
<h3>Most popular</h3>
<ol>
{link_items(page.popular)}
</ol>
</nav>
<div id="p-newsletter" class="portal newsletter">
<h3>Subscribe to our newsletter</h3>
<form action="/wiki/Special:Newsletter/subscribe" method="post">
<label for="nl-email">Get the day's top stories by email.</label>
<input type="email" id="nl-email" name="email" placeholder="you@example.org">
<button type="submit">Subscribe</button>
</form>
</div>
</div>
</div>
<footer id="footer" class="mw-footer" role="contentinfo">
<ul id="footer-info">
<li id="footer-info-lastmod">This page was last edited on
{last_edited.day} {last_edited:%B} {last_edited.year}, at 00:00.</li>
<li id="footer-info-copyright">Copyright © Wikinews contributors. Content is available under
<a rel="license" href="{CC_BY_25}">Creative Commons Attribution 2.5</a>
unless otherwise noted.</li>
</ul>
<ul id="footer-places">
<li><a href="/wiki/Wikinews:Privacy_policy">Privacy policy</a></li>
<li><a href="/wiki/Wikinews:About">About Wikinews</a></li>
<li><a href="/wiki/Wikinews:General_disclaimer">Disclaimers</a></li>
<li><a href="/wiki/Wikinews:Contact_us">Contact Wikinews</a></li>
</ul>
</footer>
<div id="cookie-banner" class="cookie-banner noprint" role="dialog">
<p>We use cookies to remember your preferences and to count visits.
See our <a href="/wiki/Wikinews:Cookie_statement">cookie statement</a>.</p>
<button type="button" class="cookie-accept">Accept</button>
</div>
<noscript><img src="https://en.wikinews.org/wiki/Special:CentralAutoLogin/start?type=1x1"
 alt="" width="1" height="1"></noscript>
<script>(window.RLQ = window.RLQ || []).push(function () {{
  mw.config.set({{"wgBackendResponseTime": 142}});
}});</script>
</body>
</html>
"""


def render_voa_lingala(page: Page) -> str:
    """A VOA/RFE (Pangea CMS) page modelled on the seed: skip links, then the ticker.

    The body <p> sits six <div>s deep in div#article-content > div.wsw; the byline is
    in div.publishing-details between the headline and the body. No JSON-LD; the
    charset is declared with http-equiv; og:url carries utm tracking parameters.
    """
    r = page.record
    title, url = r["title"], r["url"]
    section = r["section"]
    story_id = content_id(url)
    analytics = {"content_id": story_id, "section": section.lower(), "property": "voa lingala"}
    body = "\n".join(f"<p>{esc(text)}</p>" for text in page.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{r['language']}" dir="ltr" class="no-js">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(title)} - VOA Lingala</title>
<meta name="description" content="{esc(page.description)}">
<meta name="keywords" content="{esc(section)}, Sango">
<meta property="og:type" content="article">
<meta property="og:site_name" content="VOA Lingala">
<meta property="og:title" content="{esc(title)}">
<meta property="og:description" content="{esc(page.description)}">
<meta property="og:url" content="{esc(url)}?utm_source=rss&amp;utm_medium=feed">
<meta property="article:section" content="{esc(section)}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@VOALingala">
<link rel="canonical" href="{esc(url)}">
<link rel="amphtml" href="https://www.voalingala.com/amp/{story_id}.html">
<link rel="stylesheet" href="https://www.voalingala.com/Content/responsive/VOA/ln-CD/VOA-ln-CD.css">
<script>var analyticsData = {script_json(analytics)};</script>
<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-N8MP7P"></script>
</head>
<body class="pg-article">
<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-N8MP7P"
 height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>
<div class="skip-links-wrapper">
<span class="skip-links__title sr-only">Accessibility links</span>
{skip_links("skip-links", "skip-links__item")}
</div>
<header class="hdr-20 hdr-20--big">
<div class="hdr-20__inner">
<a class="header__logo" href="https://www.voalingala.com/" title="VOA Lingala">VOA Lingala</a>
<nav id="main-navigation" class="menu-pnl" aria-label="Main Navigation">
<ul class="main-menu">
<li class="main-menu__item"><a href="/">Home</a></li>
<li class="main-menu__item"><a href="/z/3888">Congo</a></li>
<li class="main-menu__item"><a href="/z/3889">Africa</a></li>
<li class="main-menu__item"><a href="/z/3890">World</a></li>
<li class="main-menu__item"><a href="/z/3891">Politics</a></li>
<li class="main-menu__item"><a href="/z/3892">Health</a></li>
<li class="main-menu__item"><a href="/z/3893">Sports</a></li>
<li class="main-menu__item"><a href="/z/3894">Business</a></li>
<li class="main-menu__item"><a href="/programs/radio">Radio</a></li>
<li class="main-menu__item"><a href="/programs/tv">Video</a></li>
</ul>
</nav>
<form id="search" class="srch-top" action="/s" method="get">
<input type="text" name="k" class="srch-top__input" placeholder="Search">
<button type="submit" class="btn btn--search">Search</button>
</form>
</div>
</header>
<div class="media-block-wrap">
<div class="breaking-news">
<span class="breaking-news__title">Breaking News</span>
<ul class="ticker">
{link_items(page.ticker, "ticker__item", "ticker__link")}
</ul>
</div>
</div>
<div id="content">
<div class="container">
<div class="row">
<div class="col-title col-xs-12 col-md-10 pull-right">
<div class="category"><a class="" href="/z/{esc(section.lower())}">{esc(section)}</a></div>
<h1 class="title pg-title">{esc(title)}</h1>
</div>
<div class="col-publishing-details col-xs-12 col-sm-12 col-md-2 pull-left">
<div class="publishing-details">
<div class="links">
<ul class="links__list">
<li class="links__item">{esc(r['byline'])}</li>
</ul>
</div>
</div>
</div>
<div class="col-lg-12 separator">
<div class="share--box">
<ul class="share__list">
{share_links(url, title, "share__item", "btn btn--link")}
</ul>
</div>
</div>
</div>
</div>
<div class="body-container">
<div class="container">
<div class="row">
<div class="col-xs-12 col-sm-12 col-md-10 col-lg-10 pull-right">
<div class="row">
<div class="col-xs-12 col-sm-12 col-md-8 col-lg-8 pull-left bottom-offset content-offset">
<div id="article-content" class="content-floated-wrap fb-quotable">
<div class="wsw">
{body}
</div>
</div>
</div>
<div class="col-xs-12 col-sm-12 col-md-4 col-lg-4 pull-left">
<div class="media-block-wrap related">
<h2 class="section-head">Related</h2>
<ul class="media-block__list">
{link_items(page.related, "media-block", "img-wrap")}
</ul>
</div>
<div class="media-block-wrap most-popular">
<h2 class="section-head">Most popular</h2>
<ol class="media-block__list">
{link_items(page.popular, "media-block", "img-wrap")}
</ol>
</div>
</div>
</div>
</div>
</div>
</div>
</div>
</div>
<div class="newsletter-box">
<h3 class="newsletter-box__title">Subscribe to our newsletter</h3>
<form class="newsletter-box__form" action="https://www.voalingala.com/subscribe" method="post">
<input type="email" name="email" placeholder="Email address" required>
<button type="submit" class="btn btn--primary">Subscribe</button>
</form>
</div>
<footer role="contentinfo" class="foo">
<ul class="foo__links">
<li><a href="/p/about-us">About us</a></li>
<li><a href="/p/terms-of-use">Terms of use</a></li>
<li><a href="/p/privacy">Privacy policy</a></li>
<li><a href="/p/contact">Contact us</a></li>
</ul>
<p class="foo__copyright">© {COPYRIGHT_YEAR} Voice of America. VOA Lingala. A USAGM network.</p>
</footer>
<div class="cookie-banner" id="cookie-banner">
<p>We use cookies to make our website work better for you.
By continuing to browse, you agree to our cookie policy.</p>
<button type="button" class="btn cookie-banner__accept">Accept</button>
</div>
<script src="https://www.voalingala.com/Scripts/responsive/loader.bundle.js"></script>
</body>
</html>
"""


def render_voa_shona(page: Page) -> str:
    """A "modern news site" page: <main> > <article class="story"> > div.story-body.

    The byline is in <footer class="story-footer"> after the body; related lists sit in
    an <aside> inside <main>; JSON-LD describes the page as an @graph.
    """
    r = page.record
    title, url = r["title"], r["url"]
    section = r["section"]
    home = "https://www.voashona.com/"
    org_id = f"{home}#organization"
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Organization",
                "@id": org_id,
                "name": "VOA Shona",
                "url": home,
                "logo": {"@type": "ImageObject", "url": f"{home}img/voa-shona-logo.png"},
            },
            {"@type": "WebSite", "@id": f"{home}#website", "url": home, "name": "VOA Shona"},
            {
                "@type": "WebPage",
                "@id": url,
                "url": url,
                "name": title,
                "isPartOf": {"@id": f"{home}#website"},
                "breadcrumb": {"@id": f"{url}#breadcrumb"},
            },
            {
                "@type": "BreadcrumbList",
                "@id": f"{url}#breadcrumb",
                "itemListElement": [
                    {"@type": "ListItem", "position": 1, "name": "Home", "item": home},
                    {"@type": "ListItem", "position": 2, "name": section},
                ],
            },
            {
                "@type": "NewsArticle",
                "@id": f"{url}#article",
                "headline": title,
                "articleSection": section,
                "inLanguage": r["language"],
                "description": page.description,
                "author": {"@id": org_id},
                "publisher": {"@id": org_id},
                "mainEntityOfPage": {"@id": url},
            },
        ],
    }
    body = "\n".join(f"<p>{esc(text)}</p>" for text in page.paragraphs)
    return f"""<!doctype html>
<html lang="{r['language']}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} | VOA Shona</title>
<link rel="canonical" href="{esc(url)}">
<meta name="description" content="{esc(page.description)}">
<meta property="og:locale" content="sn_ZW">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(title)}">
<meta property="og:description" content="{esc(page.description)}">
<meta property="og:url" content="{esc(url)}">
<meta property="og:site_name" content="VOA Shona">
<meta property="article:section" content="{esc(section)}">
<meta name="twitter:card" content="summary">
<script type="application/ld+json">{script_json(graph)}</script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-VOASN2024"></script>
<script>
window.dataLayer = window.dataLayer || [];
function gtag() {{ dataLayer.push(arguments); }}
gtag("js", new Date());
gtag("config", "G-VOASN2024", {script_json({"content_group": section})});
</script>
</head>
<body class="template-article section-{esc(section.lower())}">
<nav class="a11y-nav" aria-label="Accessibility links">
<p class="visually-hidden">Accessibility links</p>
{skip_links("skip-links")}
</nav>
<div class="cookie-notice" role="dialog" aria-live="polite">
<p class="cookie-notice__text">We use cookies to improve your experience and to analyse
traffic. <a href="/p/cookies">Cookie policy</a></p>
<button type="button" class="cookie-notice__accept">Accept</button>
<button type="button" class="cookie-notice__settings">Manage settings</button>
</div>
<header class="site-header">
<a class="site-header__logo" href="{home}">VOA Shona</a>
<nav id="main-navigation" class="site-nav" aria-label="Primary">
<ul class="site-nav__list">
<li class="site-nav__item"><a href="/">Home</a></li>
<li class="site-nav__item"><a href="/zimbabwe">Zimbabwe</a></li>
<li class="site-nav__item"><a href="/africa">Africa</a></li>
<li class="site-nav__item"><a href="/politics">Politics</a></li>
<li class="site-nav__item"><a href="/health">Health</a></li>
<li class="site-nav__item"><a href="/sports">Sports</a></li>
<li class="site-nav__item"><a href="/business">Business</a></li>
<li class="site-nav__item"><a href="/live">Live Radio</a></li>
</ul>
</nav>
<form id="search" class="site-search" role="search" action="/search">
<label class="visually-hidden" for="q">Search</label>
<input id="q" type="search" name="q" placeholder="Search VOA Shona">
</form>
</header>
<section class="ticker" aria-label="Breaking News">
<h2 class="ticker__label">Breaking News</h2>
<ol class="ticker__items">
{link_items(page.ticker, "ticker__item")}
</ol>
</section>
<main id="content" class="site-main">
<article class="story" data-story-id="{content_id(url)}">
<header class="story-header">
<nav class="breadcrumbs" aria-label="Breadcrumb">
<ol><li><a href="/">Home</a></li><li><a href="/{esc(section.lower())}">{esc(section)}</a></li></ol>
</nav>
<p class="story-kicker"><a href="/{esc(section.lower())}">{esc(section)}</a></p>
<h1 class="story-headline">{esc(title)}</h1>
</header>
<aside class="share-bar" aria-label="Share this story">
<ul class="share-bar__list">
{share_links(url, title, "share-bar__item", "share-bar__button")}
</ul>
</aside>
<div class="story-body" itemprop="articleBody">
<div class="story-body__inner">
{body}
</div>
</div>
<footer class="story-footer">
<p class="story-byline">By <span class="story-byline__name">{esc(r['byline'])}</span></p>
<ul class="story-tags"><li><a href="/{esc(section.lower())}">{esc(section)}</a></li></ul>
</footer>
</article>
<aside class="story-rail">
<section class="related-stories">
<h2 class="rail-heading">Related</h2>
<ul>
{link_items(page.related, "related-stories__item")}
</ul>
</section>
<section class="most-popular">
<h2 class="rail-heading">Most popular</h2>
<ol>
{link_items(page.popular, "most-popular__item")}
</ol>
</section>
<section class="newsletter-signup">
<h2 class="rail-heading">Subscribe to our newsletter</h2>
<form class="newsletter-signup__form" action="/newsletter" method="post">
<label for="newsletter-email">Email</label>
<input id="newsletter-email" type="email" name="email" required>
<button type="submit">Sign up</button>
</form>
</section>
</aside>
</main>
<footer class="site-footer">
<nav class="site-footer__nav" aria-label="Footer">
<ul>
<li><a href="/p/about">About VOA Shona</a></li>
<li><a href="/p/terms">Terms of use</a></li>
<li><a href="/p/privacy">Privacy</a></li>
<li><a href="/p/contact">Contact</a></li>
</ul>
</nav>
<p class="site-footer__copyright">Copyright © {COPYRIGHT_YEAR} VOA Shona, Voice of America</p>
</footer>
<noscript><img src="https://sb.scorecardresearch.com/p?c1=2&amp;c2=6685975&amp;cv=3.9&amp;cj=1"
 alt="" width="1" height="1"></noscript>
</body>
</html>
"""


def render(page: Page, index_in_site: int) -> tuple[str, str]:
    """Render a page in its site's layout; returns the HTML and the file's encoding.

    Every LEGACY_EVERY-th Wikinews page is declared and saved as windows-1252 when all
    its characters can be encoded so.
    """
    source = page.record["source"]
    if source == "voa-lingala":
        return render_voa_lingala(page), "utf-8"
    if source == "voa-shona":
        return render_voa_shona(page), "utf-8"
    if index_in_site % LEGACY_EVERY == 0:
        legacy = render_wikinews(page, LEGACY_ENCODING)
        try:
            legacy.encode(LEGACY_ENCODING)
        except UnicodeEncodeError:
            pass
        else:
            return legacy, LEGACY_ENCODING
    return render_wikinews(page, "utf-8"), "utf-8"


def expected_entry(page: Page, encoding: str) -> dict[str, Any]:
    """What a perfect extractor returns for the page."""
    r = page.record
    return {
        "path": page.path,
        "record_id": r["id"],
        "url": r["url"],
        "title": r["title"],
        "published": iso_offset(r["published"]) if r["published"] else None,
        "modified": iso_offset(r["modified"]) if r["modified"] else None,
        "section": r["section"],
        "source": SITE_NAMES[r["source"]],
        "language": r["language"],
        "text": "\n\n".join(page.paragraphs),
        "captions": page.captions,
        "byline": r["byline"],
        "description": page.description,
        "dateline": page.dateline,
        "encoding": encoding,
    }


def main(argv: list[str] | None = None) -> None:
    """Read the records, write the pages and expected.jsonl next to this script."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="articles.jsonl.gz")
    args = parser.parse_args(argv)

    with gzip.open(args.source, "rt", encoding="utf-8") as stream:
        records = [json.loads(line) for line in stream if line.strip()]
    for record in records:
        # A page's canonical URL names the page, never a section of it.
        record["url"] = record["url"].split("#", 1)[0]
    pages = build_pages(records)
    if len({page.path for page in pages}) != len(pages):
        raise SystemExit("page paths are not unique")

    for site in SITE_NAMES:
        for old in (HERE / site).glob("*.html"):
            old.unlink()
    seen: dict[str, int] = {}
    expected = []
    for page in pages:
        source = page.record["source"]
        index_in_site = seen.get(source, 0)
        seen[source] = index_in_site + 1
        markup, encoding = render(page, index_in_site)
        target = HERE / page.path
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(markup.encode(encoding))
        expected.append(expected_entry(page, encoding))

    with (HERE / "expected.jsonl").open("w", encoding="utf-8") as stream:
        for entry in expected:
            stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"wrote {len(pages)} pages and expected.jsonl to {HERE}")


if __name__ == "__main__":
    main()
