"""The `newsarchive` command: crawl, reindex, search, serve, demo, stats."""

from __future__ import annotations

import html
import json
import logging
import re
from pathlib import Path

import click

from crawler import CrawlerError
from indexer import IndexerError, NewsIndex, SearchResults
from newsarchive.ingest import crawl_pages, plan
from newsarchive.progress import Progress

DEFAULT_ARCHIVE = "index_data"
SAMPLE_ARCHIVE = Path(__file__).resolve().parent.parent / "sample_archive"
_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)

archive_option = click.option(
    "--archive",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_ARCHIVE,
    show_default=True,
    help="Archive folder (index and article store).",
)


class CommandError(click.ClickException):
    """A failure reported as one clear line and exit status 1."""


def _open(archive: Path, create: bool = False) -> NewsIndex:
    try:
        return NewsIndex.open(archive, create=create)
    except IndexerError as exc:
        raise CommandError(str(exc)) from exc


@click.group()
@click.version_option(package_name="newsarchive")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """newsarchive: crawl news pages, index them, search them."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@archive_option
def crawl(sources: tuple[str, ...], archive: Path) -> None:
    """Extract articles from SOURCES (folders of saved pages, or page URLs) into the archive."""
    _crawl(list(sources), archive)


def _crawl(sources: list[str], archive: Path) -> None:
    try:
        locations = plan(sources)  # bad sources fail here, before an archive is made
    except CrawlerError as exc:
        raise CommandError(str(exc)) from exc
    progress = Progress(len(locations), "pages")
    with _open(archive, create=True) as index:
        try:
            result = crawl_pages(locations, index, on_progress=progress.update)
        except IndexerError as exc:
            raise CommandError(str(exc)) from exc
        counts = result.counts
        click.echo(
            f"{len(locations)} pages: {counts.new} new articles, {counts.replaced} updated, "
            f"{len(result.skipped)} skipped; {len(index)} articles in {archive}"
        )
    for location, reason in result.skipped:
        click.echo(f"  skipped {location}: {reason}", err=True)
    if result.skipped and not counts.new + counts.replaced:
        raise CommandError("No article was stored: every page was skipped (reasons above).")


@cli.command()
@archive_option
def reindex(archive: Path) -> None:
    """Rebuild the search index from the archive's article store (no network)."""
    with _open(archive, create=NewsIndex.has_store(archive)) as index:
        try:
            count = index.rebuild()
        except IndexerError as exc:
            raise CommandError(str(exc)) from exc
        click.echo(f"Reindexed {count} articles in {archive}")


@cli.command()
@click.argument("query")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
def search(query: str, archive: Path, as_json: bool, limit: int) -> None:
    """Search the archive for QUERY and print the best matches."""
    with _open(archive) as index:
        try:
            results = index.search(query, per_page=limit)
        except IndexerError as exc:
            raise CommandError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_results(results)


def _print_results(results: SearchResults) -> None:
    click.echo(f"{results.total} results ({results.took:.3f} s)")
    for rank, hit in enumerate(results.hits, 1):
        date = hit.published.date().isoformat() if hit.published else "undated"
        meta = " · ".join(part for part in (hit.source, hit.section, date) if part)
        snippet = _MARK.sub(lambda m: click.style(m.group(1), bold=True), hit.snippet)
        click.echo(f"\n{rank}. {click.style(hit.title or hit.url, bold=True)}")
        click.echo(f"   {meta}\n   {hit.url}")
        click.echo(f"   {html.unescape(' '.join(snippet.split()))}")


@cli.command()
@archive_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
def serve(archive: Path, host: str, port: int, threads: int) -> None:
    """Serve the web search page and JSON API under waitress."""
    _open(archive).close()  # fail now, with a clear message, if there is no archive
    _serve(archive, host, port, threads)


def _serve(archive: Path, host: str, port: int, threads: int) -> None:
    import waitress

    from search_ui import create_app

    app = create_app({"ARCHIVE": str(archive)})
    click.echo(f"Serving {archive} at http://{host}:{port}/ (Ctrl-C to stop)")
    waitress.serve(app, host=host, port=port, threads=threads, ident="newsarchive")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
def demo(host: str, port: int) -> None:
    """Build the bundled sample archive into index_data/ (once), then serve it."""
    archive = Path(DEFAULT_ARCHIVE)
    with _open(archive, create=True) as index:
        built = len(index) > 0
    if built:
        click.echo(f"Using the archive already built in {archive}")
    else:
        click.echo(f"Building the sample archive from {SAMPLE_ARCHIVE} into {archive}")
        _crawl([str(SAMPLE_ARCHIVE)], archive)
    _serve(archive, host, port, threads=8)


@cli.command()
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(archive: Path, as_json: bool) -> None:
    """Show article counts by source, section, language and year."""
    with _open(archive) as index:
        counts = index.stats()
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    click.echo(f"{counts['articles']} articles in {archive}")
    for title, key in (
        ("Sources", "sources"),
        ("Sections", "sections"),
        ("Languages", "languages"),
        ("Years", "years"),
    ):
        click.echo(f"\n{title}:")
        for value, n in counts[key].items():
            click.echo(f"  {n:>7,}  {value}")
