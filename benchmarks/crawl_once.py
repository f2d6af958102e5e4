"""One measured crawl in its own process; prints a JSON line with rate and peak memory."""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--spider", default="lsr")
    parser.add_argument("--no-pipelines", action="store_true")
    parser.add_argument("--spider-arg", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--setting", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()

    settings = get_project_settings()
    settings.set("CORPUS_DATABASE_URL", args.db, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    if args.no_pipelines:  # the ceiling: download and extraction only, no raw-page archive
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        settings.set("CORPUS_WARC_ENABLED", False, priority="cmdline")
    for setting in args.setting:
        settings.set(*setting.split("=", 1), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(args.spider)
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF)
    spider_args = dict(argument.split("=", 1) for argument in args.spider_arg)
    process.crawl(crawler, base_url=args.base_url, **spider_args)
    process.start()
    elapsed = time.perf_counter() - started
    stats = crawler.stats.get_stats()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    items = int(stats.get("item_scraped_count", 0))
    print(
        json.dumps(
            {
                "items": items,
                "requests": int(stats.get("downloader/request_count", 0)),
                "seconds": elapsed,
                "items_per_second": items / elapsed if elapsed else 0.0,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                # every thread of the crawler (the WARC writer's too): robust to a busy machine
                "cpu_seconds": usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime,
                "finish_reason": stats.get("finish_reason"),
            }
        )
    )


if __name__ == "__main__":
    main()
