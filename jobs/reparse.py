"""Re-extract the corpus from the raw-page archive: ``laocorpus reparse``.

Why: extraction improves, and the corpus should follow without crawling every site again
(and pages that have since changed or vanished can only be re-read from the archive). Each
archived post page and REST listing page (the latest copy of each URL) goes through the same
spider callback, the same clean, validate and dedup pipelines and the same corpus writer as
in a crawl, with no network: the rest of a multi-page post, REST name lookups and pages read
for a withheld author come from the archive too (crawler/archive.py). The reparse is a crawl
run of its own (spider ``reparse``, mode ``reparse``): the writer keeps the old version of
every post whose title or text changes in ``post_revisions``, pointing at that run, so a
revision's reason is its run's mode. A post one of whose pages is missing from the archive is
left as it is, and counted.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from corpus.db import init_db, mask_url
from schema import BATCH_COUNTERS

PROJECT_SETTINGS = "crawler.settings"


@dataclass
class ReparseResult:
    """What one site's reparse did; ``fields`` counts the posts whose field changed."""

    site: str
    run_id: int
    replayed: int = 0  # archived responses whose callback was run again
    posts: int = 0  # valid posts the archive gave (the latest copy of each)
    incomplete: int = 0  # posts left as they were: a page of theirs is not archived
    unreadable: int = 0  # archived responses the current code could not replay
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    revised: int = 0
    rejected: int = 0
    near_duplicates: int = 0
    fields: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # the first unreadable pages, why


def settings_for(database_url: str, warc_dir: Path | None):
    """The project's settings for a reparse of this corpus, from this archive."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", PROJECT_SETTINGS)
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("CORPUS_DATABASE_URL", database_url, priority="cmdline")
    settings.set("LOG_ENABLED", False, priority="cmdline")
    if warc_dir is not None:
        settings.set("CORPUS_WARC_DIR", str(warc_dir), priority="cmdline")
        settings.set("CORPUS_WARC_ENABLED", True, priority="cmdline")
    return settings


def _identity(post: Any) -> tuple:
    """As the corpus identifies a post: by WordPress ID when known, else by URL."""
    if post.get("post_id") is not None:
        return ("id", post["post_id"])
    return ("url", post.get("url"))


def _snapshot(engine, site: str) -> dict[tuple, dict[str, Any]]:
    """The site's stored posts in the form the verifier compares, by identity."""
    from publish.export import PostFilter, iter_posts
    from publish.export import comparable_record as stored_record

    return {
        _identity(record): stored_record(record)
        for record in iter_posts(engine, PostFilter(site=site))
    }


def item_pipelines(crawler: Any) -> list[Any]:
    """The crawl's item pipelines (``ITEM_PIPELINES``) in their order, but the store: the
    reparse writes its batches itself, in this process."""
    from scrapy.utils.misc import build_from_crawler, load_object

    from pipelines.store import StorePipeline

    configured = crawler.settings.getwithbase("ITEM_PIPELINES")
    ordered = sorted((order, path) for path, order in configured.items() if order is not None)
    classes = [load_object(path) for _, path in ordered]
    return [build_from_crawler(cls, crawler) for cls in classes if cls is not StorePipeline]


def reparse_site(
    archive: Any,
    database_url: str,
    settings: Any,
    since: Any = None,
    console: Console | None = None,
    batch_size: int = 200,
) -> ReparseResult:
    """Replay one site's archive into the corpus as a run of its own; returns what changed.

    A reparse that fails or is interrupted ends its run ``failed``/``interrupted``; the
    batches written before stay, as after a crawl.
    """
    from corpus.writer import CorpusWriter
    from crawler.archive import Replay, offline_spider

    engine = init_db(database_url)
    writer = CorpusWriter(engine, reason="reparse")
    spider = offline_spider(archive.spider, archive.base_url, settings)
    replay = Replay(spider, archive)
    roots = replay.roots(since)
    arguments = {"mode": "reparse", "database": mask_url(database_url), "since": str(since or "")}
    run_id = writer.start_run("reparse", archive.site, arguments)
    result = ReparseResult(archive.site, run_id)
    try:
        before = _snapshot(engine, archive.site)
        found = _replay_all(replay, roots, result, console or Console(stderr=True))
        _write(writer, item_pipelines(spider.crawler), found, result, batch_size)
        # As a crawl does at its end (crawler/extensions/lifecycle.py): texts may have changed.
        from analysis import neardup

        result.near_duplicates = neardup.update(engine).near_duplicates
        after = _snapshot(engine, archive.site)
    except BaseException as exc:
        status = "failed" if isinstance(exc, Exception) else "interrupted"
        writer.finish_run(run_id, status=status, finish_reason=type(exc).__name__, mode="reparse")
        raise
    for key, record in after.items():
        old = before.get(key)
        for name, value in record.items() if old is not None else ():
            if old.get(name) != value:
                result.fields[name] += 1
    writer.finish_run(
        run_id,
        status="finished",
        finish_reason="finished",
        mode="reparse",
        discovery="archive",
        requests=0,
        responses=result.replayed,
        items_scraped=result.posts,
        errors=result.unreadable,
        **{c.column: getattr(result, c.batch) for c in BATCH_COUNTERS if hasattr(result, c.batch)},
    )
    return result


def _replay_all(replay: Any, roots: list, result: ReparseResult, console: Console) -> dict:
    """Every root's items, the latest copy of each post (roots come oldest first)."""
    from crawler.archive import NotArchived
    from crawler.items import Post, Reject

    found: dict[tuple, Any] = {}  # posts by identity, rejects by URL
    with Progress(
        TextColumn("[bold]reparse {task.fields[site]}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} pages · {task.fields[posts]} posts"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(roots), site=result.site, posts=0)
        for ref in roots:
            try:
                items = replay.run(ref)
            except NotArchived:
                result.incomplete += 1
                items = []
            except Exception as exc:  # a page today's code cannot read: the stored post stays
                result.unreadable += 1
                if len(result.problems) < 5:
                    result.problems.append(f"{ref.uri}: {type(exc).__name__}: {exc}"[:300])
                items = []
            result.replayed += 1
            for item in items:
                if isinstance(item, Post):
                    found[_identity(item)] = item
                elif isinstance(item, Reject):
                    found[("reject", item.get("url"))] = item
            progress.update(task, advance=1, posts=len(found))
    return found


def _write(writer: Any, pipelines: list, found: dict, result: ReparseResult, size: int) -> None:
    """The items through the pipelines, then to the corpus in batches of ``size``."""
    from itemadapter import ItemAdapter
    from scrapy.exceptions import DropItem

    from crawler.items import Post

    posts: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []

    def flush() -> None:
        written = writer.write(posts, rejects, result.run_id)
        result.new += written.new
        result.updated += written.updated
        result.unchanged += written.unchanged
        result.revised += written.revised
        result.rejected += written.rejected
        posts.clear()
        rejects.clear()

    for item in found.values():
        try:
            for pipeline in pipelines:
                item = pipeline.process_item(item)
        except DropItem:
            continue
        (posts if isinstance(item, Post) else rejects).append(ItemAdapter(item).asdict())
        result.posts += isinstance(item, Post)
        if len(posts) + len(rejects) >= size:
            flush()
    if posts or rejects:
        flush()


def reparse_sites(
    sites: dict[str, Any], database_url: str, settings: Any, since: Any, lock_dir: Path
) -> Iterator[ReparseResult]:
    """Each archived site replayed in turn under its crawl lock (a site being crawled is not
    reparsed: :class:`corpus.lock.LockHeld` ends the run of reparses)."""
    from corpus.lock import CrawlLock

    init_db(database_url)
    for name in sorted(sites):
        lock = CrawlLock(name, database_url, lock_dir)
        lock.acquire()
        try:
            yield reparse_site(sites[name], database_url, settings, since)
        finally:
            lock.release()
