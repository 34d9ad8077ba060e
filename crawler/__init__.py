"""Turns news pages into clean `Article` records."""

from crawler.article import Article, article_id
from crawler.errors import CrawlerError, ExtractionError, FetchError, NotAnArticle, SourceError
from crawler.extract import extract_article

__all__ = [
    "Article",
    "CrawlerError",
    "ExtractionError",
    "FetchError",
    "NotAnArticle",
    "SourceError",
    "article_id",
    "extract_article",
]
