"""Spidermon checks run when a crawl closes; a failure marks the crawl run failed.

They catch what a scheduled crawl cannot see by itself: the site changed its theme and a field
went empty, the site stopped listing posts, the network failed under us.
"""

from __future__ import annotations

from typing import ClassVar

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.core.actions import Action
from sqlalchemy import select

from corpus.db import get_engine, resolve_url
from corpus.models import CrawlRun

REQUIRED_FIELDS = ("title", "published_at", "text")


def _stat(monitor: Monitor, key: str, default: float = 0) -> float:
    return monitor.data.stats.get(key, default) or default


def _setting(monitor: Monitor, name: str, default: float) -> float:
    return monitor.data.crawler.settings.getfloat(name, default)


def posts_seen(stats: dict) -> int:
    """Posts the site showed this run: stored new, updated, or confirmed unchanged."""
    return sum(int(stats.get(f"corpus/posts_{k}", 0)) for k in ("new", "updated", "unchanged"))


@monitors.name("Finish reason")
class FinishReasonMonitor(Monitor):
    @monitors.name("crawl finished normally")
    def test_finish_reason(self) -> None:
        reason = self.data.stats.get("finish_reason")
        self.assertEqual(reason, "finished", f"finish reason is {reason!r}, not 'finished'")


@monitors.name("Field coverage")
class FieldCoverageMonitor(Monitor):
    @monitors.name("title, published_at and text present")
    def test_required_fields(self) -> None:
        extracted = _stat(self, "corpus/extracted")
        minimum = _setting(self, "CORPUS_MONITOR_MIN_ITEMS", 20)
        if extracted < minimum:
            self.skipTest(f"only {extracted:.0f} posts extracted (< {minimum:.0f})")
        threshold = _setting(self, "CORPUS_MONITOR_FIELD_COVERAGE", 0.99)
        # A couple of known-bad pages (a post that never had a date) are refetched by every
        # small incremental run; a theme change empties a field on every page.
        allowed = _setting(self, "CORPUS_MONITOR_MAX_MISSING", 2)
        low = []
        for field in REQUIRED_FIELDS:
            present = _stat(self, f"corpus/extracted/{field}")
            coverage = present / extracted
            if coverage < threshold and extracted - present > allowed:
                low.append(f"{field} {coverage:.1%}")
        self.assertFalse(low, f"coverage below {threshold:.0%}: {', '.join(low)}")


@monitors.name("Error rate")
class ErrorRateMonitor(Monitor):
    @monitors.name("few errors per request")
    def test_error_rate(self) -> None:
        requests = max(_stat(self, "downloader/request_count"), 1)
        errors = _stat(self, "log_count/ERROR") + _stat(self, "spider_exceptions/count")
        limit = _setting(self, "CORPUS_MONITOR_MAX_ERROR_RATE", 0.05)
        self.assertLessEqual(
            errors / requests, limit, f"{errors:.0f} errors in {requests:.0f} requests"
        )


@monitors.name("Item count")
class ItemCountMonitor(Monitor):
    @monitors.name("as many posts as the previous runs")
    def test_against_previous_runs(self) -> None:
        spider = self.data.spider
        if getattr(spider, "frontier", None) is not None:
            self.skipTest("a worker of a distributed run sees only its share of the posts")
        seen = posts_seen(self.data.stats)
        engine = get_engine(resolve_url(self.data.crawler.settings.get("CORPUS_DATABASE_URL")))
        with engine.connect() as db:
            previous = (
                db.execute(
                    select(CrawlRun.posts_new + CrawlRun.posts_updated + CrawlRun.posts_unchanged)
                    .where(
                        CrawlRun.site == spider.site_profile.name,
                        CrawlRun.status == "finished",
                        CrawlRun.mode == spider.mode,
                        CrawlRun.discovery == self.data.stats.get("corpus/discovery"),
                    )
                    .order_by(CrawlRun.id.desc())
                    .limit(3)
                )
                .scalars()
                .all()
            )
        if not previous:
            self.skipTest("no earlier run of this kind to compare with")
        average = sum(previous) / len(previous)
        ratio = _setting(self, "CORPUS_MONITOR_MIN_ITEM_RATIO", 0.5)
        self.assertGreaterEqual(
            seen, ratio * average, f"{seen} posts seen, earlier runs saw {average:.0f} on average"
        )


class RecordFailures(Action):
    """Put the failed checks where the crawl run row and ``laocorpus crawl`` read them."""

    def run_action(self) -> None:
        failures = [
            f"{result.monitor.monitor_name}: {result.reason or 'failed'}"
            for result in self.result.monitors_failed_results
        ]
        stats = self.data.crawler.stats
        stats.set_value("corpus/monitor_failures", "; ".join(failures))
        for failure in failures:
            self.data.spider.logger.error("monitor failed: %s", failure)


class CrawlClosedSuite(MonitorSuite):
    monitors: ClassVar[list] = [
        FinishReasonMonitor,
        FieldCoverageMonitor,
        ErrorRateMonitor,
        ItemCountMonitor,
    ]
    monitors_failed_actions: ClassVar[list] = [RecordFailures]
