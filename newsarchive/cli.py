"""The `newsarchive` command: crawl, reindex, search, serve, demo, stats."""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from crawler import CrawlerError
from crawler.crawl import CrawlOptions, CrawlStats, Outcome, check_source, local_page_count
from crawler.fetch import FetchPolicy, user_agent
from crawler.frontier import FRONTIER_FILE
from crawler.skiplog import SkipLog
from crawler.workers import PROCESSES
from indexer import DEFAULT_FACETS, SORTS, Backend, IndexerError, NewsIndex, SearchResults
from indexer.backends import (
    BACKENDS,
    DEFAULT_COLLECTION,
    ENV_API_KEY,
    ENV_BACKEND,
    ENV_COLLECTION,
    ENV_NODES,
)
from indexer.writefailures import write_failures
from newsarchive import ingest
from newsarchive.progress import CrawlProgress

if TYPE_CHECKING:
    from distributed import Client

DEFAULT_ARCHIVE = "index_data"
SHOWN_SKIPPED = 20  # pages left out listed after a crawl; `newsarchive skipped` lists all
SAMPLE_ARCHIVE = Path(__file__).resolve().parent.parent / "sample_archive"
_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)

archive_option = click.option(
    "--archive",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_ARCHIVE,
    show_default=True,
    help="Archive folder (index and article store).",
)
processes_option = click.option(
    "--processes",
    type=click.IntRange(0, 64),
    default=PROCESSES,
    show_default="one per CPU",
    help="Worker processes extracting articles (0: extract in the crawl's own process).",
)
dask_workers_option = click.option(
    "--dask-workers",
    type=click.IntRange(1, 1024),
    help="Extract pages of folders, WARC files and --reextract on a local Dask cluster of N "
    "worker processes (needs the `cluster` extra). Live sites are still fetched and read here.",
)
keep_refused_option = click.option(
    "--keep-refused",
    is_flag=True,
    help="Index pages the extractor refuses as not articles (index pages, stubs) anyway, "
    "when they have body text.",
)
scheduler_option = click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Like --dask-workers, on the existing Dask cluster at ADDRESS (tcp://host:8786; its "
    "workers need newsarchive installed).",
)


class CommandError(click.ClickException):
    """A failure reported as one clear line and exit status 1."""


def _open(
    archive: Path, create: bool = False, upgrade: bool = False, readonly: bool = False
) -> NewsIndex:
    try:
        return NewsIndex.open(
            archive, create=create, upgrade=upgrade, readonly=readonly, backend=_backend()
        )
    except IndexerError as exc:
        raise CommandError(str(exc)) from exc


@click.group()
@click.version_option(package_name="newsarchive")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    help=f"Search backend: the embedded whoosh index (default) or a typesense cluster "
    f"(or ${ENV_BACKEND}).",
)
@click.option(
    "--nodes", metavar="HOST:PORT,...", help=f"The Typesense cluster's nodes (or ${ENV_NODES})."
)
@click.option("--api-key", help=f"The Typesense cluster's API key (or ${ENV_API_KEY}).")
@click.option(
    "--collection",
    help=f"The archive's Typesense collection (or ${ENV_COLLECTION}; default "
    f"{DEFAULT_COLLECTION}): one per archive sharing a cluster.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    verbose: int,
    backend: str | None,
    nodes: str | None,
    api_key: str | None,
    collection: str | None,
) -> None:
    """newsarchive: crawl news pages, index them, search them."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        ctx.obj = Backend.chosen(backend, nodes, api_key, collection)
    except IndexerError as exc:
        raise CommandError(str(exc)) from exc


def _backend() -> Backend:
    """Return the search backend the command line (or the environment) chose."""
    return click.get_current_context().find_root().obj or Backend()


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@archive_option
@click.option(
    "--depth",
    type=click.IntRange(0, 20),
    default=2,
    show_default=True,
    help="Links to follow from a seed page.",
)
@click.option(
    "--max-pages",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Article pages to fetch in this run at most.",
)
@click.option("--single", is_flag=True, help="Fetch just the given URLs; follow nothing.")
@click.option(
    "--revisit-after",
    type=click.IntRange(0),
    default=7,
    show_default=True,
    help="Days after which a fetched page is fetched again (conditionally).",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=1.0,
    show_default=True,
    help="Seconds between two requests to one host (robots.txt may ask more).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Pages fetched at once (from different hosts).",
)
@processes_option
@dask_workers_option
@scheduler_option
@click.option("--contact", help="A URL or e-mail for site owners, added to the user agent.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow URLs on loopback and private networks (refused by default).",
)
@click.option(
    "--from",
    "date_from",
    type=click.DateTime(["%Y-%m-%d"]),
    help="WARC input: skip captures before this day.",
)
@click.option(
    "--to",
    "date_to",
    type=click.DateTime(["%Y-%m-%d"]),
    help="WARC input: skip captures after this day.",
)
@keep_refused_option
@click.option(
    "--quiet", is_flag=True, help="No progress lines; pages left out are listed only on failure."
)
@click.option("--json-log", is_flag=True, help="One JSON line per page on stdout.")
def crawl(sources: tuple[str, ...], archive: Path, **options: Any) -> None:
    """Crawl SOURCES into the archive: folders of saved pages, WARC/ARC files, or http(s)
    URLs (a site to crawl politely, a sitemap, a feed, or with --single one page)."""
    quiet, json_log = options.pop("quiet"), options.pop("json_log")
    dask_workers, scheduler = options.pop("dask_workers"), options.pop("scheduler")
    _crawl(
        list(sources),
        archive,
        crawl_options_from(**options),
        quiet=quiet,
        json_log=json_log,
        dask_workers=dask_workers,
        scheduler=scheduler,
    )


def _crawl(
    sources: list[str],
    archive: Path,
    options: CrawlOptions,
    *,
    quiet: bool,
    json_log: bool,
    dask_workers: int | None = None,
    scheduler: str | None = None,
) -> None:
    try:
        for source in sources:
            check_source(source)  # bad sources fail here, before an archive is made
    except CrawlerError as exc:
        raise CommandError(str(exc)) from exc
    with _dask(dask_workers, scheduler) as client:
        _crawl_with(sources, archive, options, quiet=quiet, json_log=json_log, client=client)


def _crawl_with(
    sources: list[str],
    archive: Path,
    options: CrawlOptions,
    *,
    quiet: bool,
    json_log: bool,
    client: Client | None,
) -> None:
    """Crawl `sources` into `archive`, extracting local pages on `client`'s cluster if given."""
    progress = CrawlProgress(local_page_count(sources), enabled=not quiet)

    def heard(outcome: Outcome, stats: CrawlStats) -> None:
        if json_log:
            click.echo(json.dumps(outcome_record(outcome), ensure_ascii=False))
        progress.update(stats)

    with _open(archive, create=True) as index:
        try:
            with write_failures(archive):  # the crawl's own files: pages kept, frontier
                result = ingest.crawl(sources, index, options, on_outcome=heard, client=client)
        except (CrawlerError, IndexerError) as exc:
            raise CommandError(str(exc)) from exc
        progress.finish(result.stats)
        stats, counts = result.stats, result.counts
        listings = f", {stats.listings} sitemaps and feeds" if stats.listings else ""
        summary = (
            f"{stats.pages} pages: {counts.new} new articles, {counts.replaced} updated, "
            f"{stats.unchanged} unchanged, {len(result.skipped)} skipped, "
            f"{len(result.errors)} failed{listings}; {len(index)} articles in {archive}"
        )
    click.echo(summary, err=json_log)
    # A re-crawl of a site may rightly find nothing new; a first crawl that stores nothing,
    # or one where pages failed, is a mistake to fix.
    stored = counts.new + counts.replaced + stats.unchanged
    failed = not stored and (bool(result.errors) or not stats.recrawl)
    if not quiet or failed:
        for location, reason in result.errors:
            click.echo(f"  failed {location}: {reason}", err=True)
    retry = "run the crawl again with --keep-refused" if not options.keep_refused else ""
    _report_left_out(result.skipped, archive, retry, listed=not quiet or failed)
    if failed:
        raise CommandError(_nothing_stored(stats.pages, bool(result.skipped), retry))


def _report_left_out(
    skipped: list[tuple[str, str]], archive: Path, retry: str, listed: bool = True
) -> None:
    """Print the first pages left out with their reasons (if `listed`), where the full list
    is, and how to index them anyway (`retry`)."""
    if not skipped:
        return
    command = f"newsarchive skipped --archive {archive}"
    if not listed:
        click.echo(f"{len(skipped)} pages skipped, with the reasons: {command}", err=True)
        return
    shown = f", the first {SHOWN_SKIPPED} below" if len(skipped) > SHOWN_SKIPPED else ""
    click.echo(
        f"{len(skipped)} pages skipped{shown} (all pages left out of the archive: {command}):",
        err=True,
    )
    for location, reason in skipped[:SHOWN_SKIPPED]:
        click.echo(f"  skipped {location}: {reason}", err=True)
    if len(skipped) > SHOWN_SKIPPED:
        click.echo(f"  ... and {len(skipped) - SHOWN_SKIPPED} more", err=True)
    if retry:
        click.echo(f"To index the pages refused as not articles anyway, {retry}.", err=True)


def _nothing_stored(pages: int, skipped: bool, retry: str) -> str:
    """Return the message of a crawl that stored no article, saying what to do next."""
    if not pages:
        return (
            "No article was stored: the sources hold no page to read. Check that the folder "
            "holds .html, .htm or .html.gz files, or that the WARC file holds HTML responses "
            "(captured between --from and --to, if given)."
        )
    if not skipped:
        return (
            "No article was stored: every page failed (reasons above). Check the address and "
            "that the site answers, then run the crawl again."
        )
    advice = f"; to index the pages refused as not articles anyway, {retry}" if retry else ""
    return (
        "No article was stored: every page was skipped or failed (reasons above). Check that "
        "the sources are news articles, or a site, sitemap or feed that links to them"
        f"{advice}."
    )


def crawl_options_from(
    depth: int,
    max_pages: int,
    single: bool,
    revisit_after: int,
    delay: float,
    workers: int,
    processes: int,
    contact: str | None,
    allow_private: bool,
    date_from: datetime | None,
    date_to: datetime | None,
    keep_refused: bool = False,
) -> CrawlOptions:
    """Return the crawl options the command-line flags ask for."""
    return CrawlOptions(
        depth=depth,
        max_pages=max_pages,
        single=single,
        revisit_after=timedelta(days=revisit_after),
        workers=workers,
        processes=processes,
        date_from=date_from.replace(tzinfo=UTC) if date_from else None,
        date_to=date_to.replace(tzinfo=UTC) if date_to else None,
        keep_refused=keep_refused,
        policy=FetchPolicy(
            user_agent=user_agent(contact), delay=delay, allow_private=allow_private
        ),
    )


def outcome_record(outcome: Outcome) -> dict[str, str]:
    """Return one page's outcome as a JSON-able record for --json-log."""
    if outcome.article is not None:
        return {
            "location": outcome.location,
            "result": "article",
            "id": outcome.article.id,
            "url": outcome.article.url,
            "title": outcome.article.title,
        }
    if outcome.error:
        return {"location": outcome.location, "result": "failed", "reason": outcome.error}
    return {"location": outcome.location, "result": "skipped", "reason": outcome.skipped}


@cli.command()
@archive_option
@click.option(
    "--reextract",
    is_flag=True,
    help="First extract every page kept in the archive's WARC files again.",
)
@processes_option
@dask_workers_option
@scheduler_option
@keep_refused_option
def reindex(
    archive: Path,
    reextract: bool,
    processes: int,
    dask_workers: int | None,
    scheduler: str | None,
    keep_refused: bool,
) -> None:
    """Rebuild the search index from the archive's article store (no network)."""
    if (dask_workers or scheduler or keep_refused) and not reextract:
        raise click.UsageError(
            "--dask-workers, --scheduler and --keep-refused go with --reextract."
        )
    with (
        _dask(dask_workers, scheduler) as client,
        _open(archive, create=NewsIndex.has_store(archive), upgrade=True) as index,
    ):
        try:
            if reextract:
                result = ingest.reextract(
                    index, processes=processes, client=client, keep_refused=keep_refused
                )
                click.echo(
                    f"Re-extracted {result.counts.new + result.counts.replaced} articles "
                    f"({result.counts.new} new, {len(result.skipped)} pages skipped, "
                    f"{len(result.errors)} failed)"
                )
                retry = "" if keep_refused else "add --keep-refused"
                _report_left_out(result.skipped, archive, retry)
            count = index.rebuild()
        except IndexerError as exc:
            raise CommandError(str(exc)) from exc
        click.echo(f"Reindexed {count} articles in {archive}")


@cli.command()
@archive_option
@click.option("--json", "as_json", is_flag=True, help="One JSON line per page.")
def skipped(archive: Path, as_json: bool) -> None:
    """List the pages the archive keeps but left out of its index, with the reasons."""
    path = archive / FRONTIER_FILE
    if not path.is_file():
        raise CommandError(
            f"No crawl has run into {archive}; run `newsarchive crawl SOURCES --archive "
            f"{archive}` first (or check the --archive folder)."
        )
    log = SkipLog(path, readonly=True)
    try:
        entries = log.entries()
    finally:
        log.close()
    for location, reason in entries:
        if as_json:
            record = {"location": location, "result": "skipped", "reason": reason}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{location}: {reason}")
    click.echo(f"{len(entries)} pages left out of {archive}", err=True)


@contextmanager
def _dask(workers: int | None, scheduler: str | None) -> Iterator[Client | None]:
    """Yield a Client of the Dask cluster the options ask for (None: extract locally)."""
    if workers and scheduler:
        raise click.UsageError("Give --dask-workers or --scheduler, not both.")
    if not (workers or scheduler):
        yield None
        return
    try:
        from crawler.dask_workers import dask_client
    except ImportError as exc:
        raise CommandError(
            f"Dask is not installed ({exc}); install it with: pip install 'newsarchive[cluster]'"
        ) from exc
    # Dask logs at INFO; show its lines only as verbose as ours (-v).
    logging.getLogger("distributed").setLevel(logging.getLogger().level)
    try:
        with dask_client(workers or 0, scheduler) as client:
            yield client
    except CrawlerError as exc:
        raise CommandError(str(exc)) from exc


@cli.command()
@click.argument("query", default="")
@archive_option
@click.option("--source", multiple=True, help="Only this source (repeat for any of several).")
@click.option("--section", multiple=True, help="Only this section (repeatable).")
@click.option("--author", multiple=True, help="Only articles by this author (repeatable).")
@click.option("--language", multiple=True, help="Only this language code, e.g. en (repeatable).")
@click.option("--tag", multiple=True, help="Only articles with this tag (repeatable).")
@click.option("--year", multiple=True, help="Only this year (repeatable).")
@click.option("--from", "date_from", help="Published on or after: 2015, 2015-09 or 2015-09-01.")
@click.option("--to", "date_to", help="Published on or before (same forms).")
@click.option(
    "--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Order."
)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--facets", is_flag=True, help="Also print counts by source, section, author...")
@click.option("--all-copies", is_flag=True, help="Do not fold near-duplicates into one hit.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
def search(query: str, archive: Path, **options: Any) -> None:
    """Search the archive for QUERY (empty: everything) and print the best matches."""
    as_json, show_facets = options.pop("as_json"), options.pop("facets")
    filters = {
        name: list(options.pop(option))
        for name, option in [
            ("source", "source"),
            ("section", "section"),
            ("authors", "author"),
            ("language", "language"),
            ("tags", "tag"),
            ("year", "year"),
        ]
    }
    with _open(archive, readonly=True) as index:
        try:
            results = index.search(
                query,
                filters={name: values for name, values in filters.items() if values},
                date_from=options["date_from"],
                date_to=options["date_to"],
                sort=options["sort"],
                page=options["page"],
                per_page=options["limit"],
                facets=DEFAULT_FACETS if show_facets or as_json else (),
                collapse=not options["all_copies"],
            )
        except IndexerError as exc:
            raise CommandError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_results(results)


def _print_results(results: SearchResults) -> None:
    click.echo(f"{results.total} results ({results.took_ms:.0f} ms)")
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}")
    for name, values in results.facets.items():
        listed = ", ".join(f"{value} ({count})" for value, count in values[:10])
        click.echo(f"  {name}: {listed or '-'}")
    first = (results.page - 1) * results.per_page
    for rank, hit in enumerate(results.hits, first + 1):
        date = hit.published.date().isoformat() if hit.published else "undated"
        meta = " · ".join(part for part in (hit.source, hit.section, date) if part)
        snippet = _MARK.sub(lambda m: click.style(m.group(1), bold=True), hit.snippet)
        copies = f" (+{hit.duplicates} similar)" if hit.duplicates else ""
        click.echo(f"\n{rank}. {click.style(hit.title or hit.url, bold=True)}{copies}")
        click.echo(f"   {meta}\n   {hit.url}")
        click.echo(f"   {html.unescape(' '.join(snippet.split()))}")


@cli.command()
@archive_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
def serve(archive: Path, host: str, port: int, threads: int) -> None:
    """Serve the web search page and JSON API under waitress."""
    _open(archive, readonly=True).close()  # fail now, with a clear message, if there is no archive
    _serve(archive, host, port, threads)


def _serve(archive: Path, host: str, port: int, threads: int) -> None:
    import waitress

    from search_ui import create_app

    app = create_app({"ARCHIVE": str(archive), "BACKEND": _backend()})
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
        _crawl([str(SAMPLE_ARCHIVE)], archive, CrawlOptions(), quiet=False, json_log=False)
    _serve(archive, host, port, threads=8)


@cli.command()
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats(archive: Path, as_json: bool) -> None:
    """Show article counts by source, section, language and year."""
    with _open(archive, readonly=True) as index:
        counts = index.stats()
    updated = counts["updated"]
    if as_json:
        counts["updated"] = updated.isoformat() if updated else None
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    click.echo(f"{counts['articles']} articles in {archive}")
    if updated:
        click.echo(f"Last added {updated:%Y-%m-%d %H:%M} UTC")
    for title, key in (
        ("Sources", "sources"),
        ("Sections", "sections"),
        ("Languages", "languages"),
        ("Years", "years"),
    ):
        click.echo(f"\n{title}:")
        for value, n in counts[key].items():
            click.echo(f"  {n:>7,}  {value}")
