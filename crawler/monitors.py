"""Spidermon checks run when a crawl closes; a failure marks the crawl run failed.

They catch what a scheduled crawl cannot see by itself: the site changed its theme and a field
went empty, the site stopped listing posts, the network failed under us.
"""

from __future__ import annotations

from typing import ClassVar

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.core.actions import Action

from crawler.corpusaddon import corpus_of
from crawler.unreachable import STAT as UNREACHABLE_STAT
from crawler.unreachable import UNREACHABLE_REASON

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
    """Anything but "finished" fails the run: a spent budget means the corpus of this run is
    incomplete (a trap the listing checks missed, or a site larger than the budget), and a
    site robots.txt closes to us was not crawled at all."""

    @monitors.name("crawl finished normally")
    def test_finish_reason(self) -> None:
        reason = self.data.stats.get("finish_reason")
        if reason != "finished":
            self.fail(finish_message(self, reason))


BUDGETS = {  # Scrapy's CloseSpider finish reasons and the setting each one spent
    "closespider_pagecount": "CLOSESPIDER_PAGECOUNT",
    "closespider_timeout": "CLOSESPIDER_TIMEOUT",
    "closespider_itemcount": "CLOSESPIDER_ITEMCOUNT",
    "closespider_errorcount": "CLOSESPIDER_ERRORCOUNT",
}


def finish_message(monitor: Monitor, reason: str | None) -> str:
    if reason in BUDGETS:
        name = BUDGETS[reason]
        value = monitor.data.crawler.settings.get(name)
        return f"budget exhausted: {name}={value} ended the crawl ({reason})"
    if reason == "robotstxt_forbidden":
        why = monitor.data.stats.get("corpus/robotstxt", "")
        return f"robots.txt {why or 'forbids the whole site'}"
    if reason == UNREACHABLE_REASON:
        return unreachable_failure(monitor.data.stats)
    if reason == "shutdown":
        return "interrupted (Ctrl-C or SIGTERM): the next run resumes"
    return f"finish reason is {reason!r}, not 'finished'"


def unreachable_failure(stats: dict) -> str:
    return f"site unreachable: {stats.get(UNREACHABLE_STAT) or 'no answer'}"


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
        if self.data.crawler.settings.get("CORPUS_REDIS_URL"):
            self.skipTest("a worker of a distributed run sees only its share of the posts")
        seen = posts_seen(self.data.stats)
        previous = corpus_of(self.data.crawler).posts_seen_by_earlier_runs(
            spider.site_profile.name, spider.mode, self.data.stats.get("corpus/discovery")
        )
        if not previous:
            self.skipTest("no earlier run of this kind to compare with")
        average = sum(previous) / len(previous)
        ratio = _setting(self, "CORPUS_MONITOR_MIN_ITEM_RATIO", 0.5)
        self.assertGreaterEqual(
            seen, ratio * average, f"{seen} posts seen, earlier runs saw {average:.0f} on average"
        )


NAME_FIELDS = ("author", "categories")  # fields every WordPress post has, if shown at all


EMPTY_SOURCES = ("none", "unresolved")  # unresolved: the site has a value we did not read


def coverage(sources: dict[str, int]) -> tuple[int, int]:
    """(posts with the field, posts without) from one field's ``{source: count}``."""
    missing = sum(int(n) for s, n in sources.items() if s in EMPTY_SOURCES)
    return sum(int(n) for s, n in sources.items() if s not in EMPTY_SOURCES), missing


@monitors.name("Field loss")
class FieldLossMonitor(Monitor):
    """A field the site shows came out empty: the API withheld it (users route blocked,
    ``_embed`` ignored) and no fallback found it, or a theme change hid it."""

    @monitors.name("author and categories kept where the site shows them")
    def test_names_kept(self) -> None:
        from crawler.extensions.corpusrun import field_sources

        current = field_sources(self.data.stats)
        if not any(current.get(f) for f in NAME_FIELDS):
            self.skipTest("no post this run")
        earlier, in_corpus = self._history()
        threshold = _setting(self, "CORPUS_MONITOR_FIELD_COVERAGE", 0.99)
        drop = _setting(self, "CORPUS_MONITOR_MAX_COVERAGE_DROP", 0.05)
        allowed = _setting(self, "CORPUS_MONITOR_MAX_MISSING", 2)
        problems = []
        for field in NAME_FIELDS:
            present, missing = coverage(current.get(field, {}))
            if missing <= allowed:
                continue
            before = [
                p / (p + m)
                for p, m in (coverage(run[field]) for run in earlier if run.get(field))
                if p + m
            ]
            shown = (
                present > 0
                or current.get(field, {}).get("unresolved", 0) > 0
                or any(before)
                or field in in_corpus
            )
            # Against earlier runs when there are any: a site that shows a field on part of its
            # posts is judged by its own usual share.
            floor = min(threshold, sum(before) / len(before) - drop) if before else threshold
            share = present / (present + missing)
            if shown and share < floor:
                usual = f", earlier runs {sum(before) / len(before):.0%}" if before else ""
                problems.append(f"{field} empty on {missing} of {present + missing} posts{usual}")
        if problems:
            self.fail("; ".join(problems))

    def _history(self) -> tuple[list[dict], set[str]]:
        """Field sources of the site's last finished runs, and the name fields its corpus holds."""
        spider = self.data.spider
        site = spider.site_profile.name
        run_id = self.data.stats.get("corpus/run_id")
        return corpus_of(self.data.crawler).field_history(site, run_id)


def lost_items(stats: dict) -> list[str]:
    """Where posts went missing between the spider and the corpus; empty when none did.

    Every post entering the pipelines is stored, rejected by validation, or dropped as a URL
    already stored this crawl; every item reaching the store is accounted for by the writer
    (new, updated, unchanged, merged, rejected, absorbed into a gone post).
    """

    def count(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    problems = []
    received = count("corpus/store/posts") + count("corpus/store/rejects")
    accounted = count("corpus/store/accounted") - count("corpus/store/lost")
    if received != accounted:
        problems.append(f"{received - accounted} of {received} items handed to the corpus lost")
    entered = count("corpus/pipeline/posts")
    left = count("corpus/store/posts") + count("corpus/validate/rejected")
    left += count("corpus/duplicate_url")
    if entered and entered != left:
        problems.append(f"{entered - left} of {entered} posts lost in the pipelines")
    return problems


@monitors.name("No post lost")
class NoLossMonitor(Monitor):
    @monitors.name("posts scraped = posts stored + rejects")
    def test_nothing_lost(self) -> None:
        problems = lost_items(self.data.stats)
        self.assertFalse(problems, "; ".join(problems))


class RecordFailures(Action):
    """Put the failed checks where the crawl run row and ``laocorpus crawl`` read them."""

    def run_action(self) -> None:
        failures = [
            f"{result.monitor.monitor_name}: {result.reason or 'failed'}"
            for result in self.result.monitors_failed_results
        ]
        stats = self.data.crawler.stats
        if stats.get_value(UNREACHABLE_STAT):  # the cause; the other checks only echo it
            failures = [unreachable_failure(stats.get_stats())]
        stats.set_value("corpus/monitor_failures", "; ".join(failures))
        for failure in failures:
            self.data.spider.logger.error("monitor failed: %s", failure)


class CrawlClosedSuite(MonitorSuite):
    monitors: ClassVar[list] = [
        FinishReasonMonitor,
        FieldCoverageMonitor,
        ErrorRateMonitor,
        ItemCountMonitor,
        FieldLossMonitor,
        NoLossMonitor,
    ]
    monitors_failed_actions: ClassVar[list] = [RecordFailures]
