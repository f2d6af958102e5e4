"""Store pipeline: batched, transactional writes to the corpus, off the reactor thread.

Items are buffered and written ``CORPUS_BATCH_SIZE`` at a time (or every
``CORPUS_FLUSH_SECONDS``) by one worker thread, so SQL never blocks downloading and batches
are written in order. A killed crawl loses at most the unwritten buffer, which the next run
fetches again.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from itemadapter import ItemAdapter

from corpus.db import init_db, resolve_url
from corpus.writer import BatchResult, CorpusWriter
from crawler.items import Post, Reject


class StorePipeline:
    def __init__(self, crawler, database_url: str, batch_size: int, flush_seconds: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.writer = CorpusWriter(init_db(database_url))
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.posts: list[dict[str, Any]] = []
        self.rejects: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="corpus-writer")

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            crawler,
            resolve_url(settings.get("CORPUS_DATABASE_URL")),
            settings.getint("CORPUS_BATCH_SIZE", 100),
            settings.getfloat("CORPUS_FLUSH_SECONDS", 5.0),
        )

    async def process_item(self, item):
        if isinstance(item, Post):
            self.posts.append(ItemAdapter(item).asdict())
        elif isinstance(item, Reject):
            self.rejects.append(ItemAdapter(item).asdict())
        else:
            return item
        pending = len(self.posts) + len(self.rejects)
        if pending >= self.batch_size or time.monotonic() - self.last_flush >= self.flush_seconds:
            await self.flush()
        return item

    async def flush(self) -> None:
        posts, rejects = self.posts, self.rejects
        self.posts, self.rejects = [], []
        self.last_flush = time.monotonic()
        if not posts and not rejects:
            return
        run_id = self.stats.get_value("corpus/run_id")
        loop = asyncio.get_running_loop()
        result: BatchResult = await loop.run_in_executor(
            self.executor, self.writer.write, posts, rejects, run_id
        )
        for name in ("new", "updated", "unchanged", "duplicate", "rejected"):
            self.stats.inc_value(
                f"corpus/posts_{name}" if name != "rejected" else "corpus/rejected",
                getattr(result, name),
            )

    async def close_spider(self) -> None:
        await self.flush()
        self.executor.shutdown(wait=True)
