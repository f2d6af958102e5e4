"""``scrapy crawl`` that exits as ``laocorpus crawl`` does: 0 done, 1 the run failed (or a
bad setting), 74 the lock cannot be written, 75 another crawl of the site runs, 130 Ctrl-C.

Why: cron, Scrapyd and CI only see the exit status; Scrapy's own command exits 0 whatever
the monitors found. The statuses come from the crawl's outcome, which the lifecycle extension
(crawler/extensions/lifecycle.py) records on the crawler.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.extensions.lifecycle import watch
from schema.exits import EXIT_FAILED


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        watch(crawler, self.crawler_process.crawl(crawler, **opts.spargs))
        self.crawler_process.start()
        outcome = getattr(crawler, "corpus_outcome", None)
        if outcome is None:
            self.exitcode = EXIT_FAILED if self.crawler_process.bootstrap_failed else 0
            return
        for line in outcome.summary:
            print(line, file=sys.stderr)
        if not outcome.ok:
            print(f"scrapy: error: {outcome.message}", file=sys.stderr)
        self.exitcode = outcome.exit_code
