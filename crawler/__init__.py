"""Turns news pages into clean `Article` records."""

from crawler.article import Article, article_id
from crawler.errors import CrawlerError, ExtractionError, FetchError, SourceError
from crawler.extract import extract_article

__all__ = [
    "Article",
    "CrawlerError",
    "ExtractionError",
    "FetchError",
    "SourceError",
    "article_id",
    "extract_article",
]
