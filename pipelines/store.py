"""Store pipeline: batched, transactional writes to the corpus, off the reactor thread.

Items are buffered and written ``CORPUS_BATCH_SIZE`` at a time (or every
``CORPUS_FLUSH_SECONDS``) by one worker thread, so SQL never blocks downloading and batches
are written in order. A killed crawl loses at most the unwritten buffer, which the next run
fetches again.

Every post and reject handed to the store is counted (``corpus/store/posts``,
``corpus/store/rejects``) and so is what the writer made of it (``BatchResult.accounted``, in
``corpus/store/accounted``); the "No post lost" monitor fails the run when the two differ.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from crawler.corpusaddon import CorpusPort, corpus_of
from crawler.items import Post, Reject, Seen
from schema import BATCH_COUNTERS

if TYPE_CHECKING:
    from corpus.writer import BatchResult

logger = logging.getLogger(__name__)
MAX_PENDING_BATCHES = 4


class StorePipeline:
    def __init__(
        self,
        crawler,
        corpus: CorpusPort,
        batch_size: int,
        flush_seconds: float,
        retry_seconds: float = 300.0,
    ) -> None:
        self.retry_seconds = retry_seconds
        self.crawler = crawler
        self.stats = crawler.stats
        self.corpus = corpus
        self.writer = corpus.writer
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.posts: list[dict[str, Any]] = []
        self.rejects: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="corpus-writer")
        self.pending: deque[asyncio.Future[BatchResult]] = deque()
        self.failed = False
        self.closing: asyncio.Future | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            crawler,
            corpus_of(crawler),
            settings.getint("CORPUS_BATCH_SIZE", 100),
            settings.getfloat("CORPUS_FLUSH_SECONDS", 5.0),
            settings.getfloat("CORPUS_WRITE_RETRY_SECONDS", 300.0),
        )

    async def process_item(self, item):
        if isinstance(item, Post):
            self.posts.append(ItemAdapter(item).asdict())
            self.stats.inc_value("corpus/store/posts")
        elif isinstance(item, Reject):
            self.rejects.append(ItemAdapter(item).asdict())
            self.stats.inc_value("corpus/store/rejects")
        elif isinstance(item, Seen):
            self._submit(
                self.writer.mark_seen,
                item["site"],
                item.get("post_ids") or (),
                item.get("urls") or (),
                self.stats.get_value("corpus/run_id"),
            )
            return item
        else:
            return item
        pending = len(self.posts) + len(self.rejects)
        if pending >= self.batch_size or time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()
            # Back-pressure: never more than a few batches waiting for the database.
            while len(self.pending) > MAX_PENDING_BATCHES:
                await self._settle(self.pending[0])
        return item

    def flush(self) -> None:
        """Hand the buffered items to the writer thread; batches are written in order."""
        posts, rejects = self.posts, self.rejects
        self.posts, self.rejects = [], []
        self.last_flush = time.monotonic()
        if not posts and not rejects:
            return
        self._submit(self.writer.write, posts, rejects, self.stats.get_value("corpus/run_id"))

    def _submit(self, function, *args) -> None:
        """Run a write on the writer thread; batches keep their order."""
        call = functools.partial(self.corpus.retrying, function, *args, seconds=self.retry_seconds)
        future = asyncio.get_running_loop().run_in_executor(self.executor, call)
        future.add_done_callback(self._written)
        self.pending.append(future)

    @staticmethod
    async def _settle(future: asyncio.Future) -> None:
        """Wait for a write and for its done-callback, which removes it from ``pending``.

        Awaiting an already finished future does not yield to the event loop, so without the
        ``sleep(0)`` a loop over ``pending`` could spin before the callback ever runs.
        """
        if not future.done():
            await asyncio.wait([future])
        await asyncio.sleep(0)

    def _written(self, future: asyncio.Future[BatchResult | int]) -> None:
        """Count what a write changed (runs on the event loop, where stats are safe to touch)."""
        self.pending.remove(future)
        if future.cancelled() or future.exception() is not None:
            error = "cancelled" if future.cancelled() else repr(future.exception())
            logger.error("could not write a batch to the corpus: %s", error)
            self.stats.inc_value("corpus/write_errors")
            if not self.failed:
                self.failed = True
                self.closing = asyncio.ensure_future(
                    self.crawler.engine.close_spider_async(reason="corpus_write_error")
                )
            return
        result = future.result()
        if isinstance(result, int):  # mark_seen: known posts listed unchanged
            self.stats.inc_value("corpus/posts_unchanged", result)
            return
        for counter in BATCH_COUNTERS:
            self.stats.inc_value(counter.stat, getattr(result, counter.batch))
        self.stats.inc_value("corpus/revisions", result.revised)
        self.stats.inc_value("corpus/store/accounted", result.accounted)
        for name in ("merged", "absorbed", "store_rejected", "lost"):
            self.stats.inc_value(f"corpus/store/{name}", getattr(result, name))

    async def close_spider(self) -> None:
        self.flush()
        while self.pending:
            await self._settle(self.pending[0])
        self.executor.shutdown(wait=True)
