"""Turns news pages into clean `Article` records."""

from crawler.article import Article, article_id
from crawler.errors import CrawlerError, ExtractionError, FetchError, SourceError

__all__ = [
    "Article",
    "CrawlerError",
    "ExtractionError",
    "FetchError",
    "SourceError",
    "article_id",
    "extract_article",
]


def __getattr__(name: str):  # extract.py lands separately; import it lazily
    if name == "extract_article":
        from crawler.extract import extract_article

        return extract_article
    raise AttributeError(name)
