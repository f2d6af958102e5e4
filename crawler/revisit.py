"""Revisits for sites whose listings carry no change times (REST blocked, no sitemap lastmod).

Why: real WordPress without REST gives no way to tell a changed post from an unchanged one
(its core sitemaps have no ``<lastmod>``, post pages answer ``If-Modified-Since`` with 200),
so an incremental run used to fetch every known post again. Instead each such run re-reads

- every *recent* post (published in the last ``CORPUS_REVISIT_RECENT_DAYS``, default 14),
  where edits are most likely, and
- a rolling share of the older ones (``CORPUS_REVISIT_SHARE``, default 0.02), the
  least recently verified first (``posts.verified_at``).

Each run re-verifies ``ceil(share × older)`` posts of a queue ordered by last verification,
and whatever it verifies goes to the back, so every older post is re-verified within
:attr:`RevisitPolicy.bound_runs` = ``ceil(1 / share)`` runs (50 at the default): an edit to
an old post is in the corpus at most that many runs later. New posts are found by the
listing (feed, archives, sitemap) in the same run.

Conditional requests are used only when the site proves, this run, that it honours them: the
first revisit asks with ``If-Modified-Since`` set to now (an honest server answers 304), then
again with a date in 2000 (it must answer 200). Otherwise revisits are plain GETs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.corpusaddon import corpus_of

if TYPE_CHECKING:
    from corpus.revisits import Candidate

RECENT_DAYS_SETTING = "CORPUS_REVISIT_RECENT_DAYS"
SHARE_SETTING = "CORPUS_REVISIT_SHARE"
DEFAULT_RECENT_DAYS = 14.0
DEFAULT_SHARE = 0.02
# A date before any post: a server that honours If-Modified-Since must answer it with 200.
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RevisitPolicy:
    recent_days: float = DEFAULT_RECENT_DAYS
    share: float = DEFAULT_SHARE

    @classmethod
    def from_settings(cls, settings: Any) -> RevisitPolicy:
        """From the settings (ranges checked first by crawler/settings_check.py)."""
        return cls(
            settings.getfloat(RECENT_DAYS_SETTING, DEFAULT_RECENT_DAYS),
            settings.getfloat(SHARE_SETTING, DEFAULT_SHARE),
        )

    @property
    def bound_runs(self) -> int:
        """Every post older than the recent window is re-verified within this many runs."""
        return math.ceil(1 / self.share - 1e-9)

    def choose(
        self, candidates: Iterable[Candidate], now: datetime
    ) -> tuple[list[Candidate], list[Candidate], int]:
        """(recent posts, older posts due this run, how many older posts there are)."""
        cutoff = now - timedelta(days=self.recent_days)
        recent, older = [], []
        for candidate in candidates:
            (recent if candidate.published_at >= cutoff else older).append(candidate)
        older.sort(key=lambda c: (c.verified_at, c.published_at, c.url))
        due = math.ceil(self.share * len(older) - 1e-9)
        return recent, older[:due], len(older)


class Revisits:
    """The spider side (mixed into WordPressSpider): which posts to re-read, and how.

    The spider calls :meth:`revisits_once` when its listing shows known posts without a
    change time, :meth:`note_verified` for every post it confirmed, and
    :meth:`record_verification` when it closes.
    """

    site_profile: Any
    known: Any
    mode: str
    crawler: Any
    logger: Any

    if TYPE_CHECKING:  # provided by WordPressSpider

        def _post_request(self, url: str, conditional: bool = False) -> scrapy.Request: ...
        def parse_post(self, response: Response) -> Iterator[Any]: ...
        def on_error(self, failure: Failure) -> Iterator[Any]: ...

    def init_revisits(self, policy: RevisitPolicy | None = None) -> None:
        self.revisit_policy = policy or RevisitPolicy()
        self.revisits_started = False
        self.conditional_ok = False
        self.verified_urls: set[str] = set()
        self.verified_ids: set[int] = set()
        self.run_started = datetime.now(UTC)

    def note_verified(self, urls: Iterable[str] = (), post_ids: Iterable[int | None] = ()) -> None:
        self.verified_urls.update(urls)
        self.verified_ids.update(i for i in post_ids if i is not None)

    def revisits_once(self) -> Iterator[scrapy.Request]:
        """The first time the listing lacks change times: the probe, or nothing to revisit."""
        if self.mode != "incremental" or self.revisits_started:
            return
        self.revisits_started = True
        recent, due, older = self.revisit_policy.choose(
            corpus_of(self.crawler).revisit_candidates(self.site_profile.name), self.run_started
        )
        urls = [c.url for c in recent + due if c.url not in self.verified_urls]
        stats = self.crawler.stats
        stats.set_value("corpus/revisit/recent", len(recent))
        stats.set_value("corpus/revisit/older_due", len(due))
        stats.set_value("corpus/revisit/bound_runs", self.revisit_policy.bound_runs)
        self.logger.info(
            "revisits: %d recent posts (last %g days) and %d of %d older posts "
            "(share %g a run: every post is re-verified within %d runs)",
            len(recent),
            self.revisit_policy.recent_days,
            len(due),
            older,
            self.revisit_policy.share,
            self.revisit_policy.bound_runs,
        )
        if not urls:
            return
        first, *rest = urls
        yield self._revisit_probe(first, now=True, rest=rest)

    def _revisit_probe(self, url: str, *, now: bool, rest: list[str]) -> scrapy.Request:
        since = self.run_started if now else LONG_AGO
        return scrapy.Request(
            url,
            callback=self.parse_revisit_probe,
            errback=self.revisit_probe_failed,
            headers={"If-Modified-Since": format_datetime(since, usegmt=True)},
            dont_filter=True,
            meta={
                "handle_httpstatus_list": [304],
                "revisit_rest": rest,
                "revisit_control": not now,
            },
        )

    def parse_revisit_probe(self, response: Response) -> Iterator[Any]:
        """304 to "since now", then 200 to "since 2000": the site honours If-Modified-Since."""
        rest = response.meta["revisit_rest"]
        control = response.meta["revisit_control"]
        if response.status == 304 and not control:
            yield self._revisit_probe(response.url, now=False, rest=rest)
            return
        self.conditional_ok = control and response.status != 304
        self.crawler.stats.set_value("corpus/revisit/conditional", self.conditional_ok)
        self.logger.info(
            "revisits: %s honour If-Modified-Since: %s",
            response.url.split("/")[2],
            "it does, revisits are conditional" if self.conditional_ok else "not shown, plain GETs",
        )
        if response.status == 304:  # 304 even to a date before the post: it cannot be trusted
            yield self._post_request(response.url).replace(dont_filter=True)
        else:
            yield from self.parse_post(response)
        for url in rest:
            yield self._post_request(url, conditional=self.conditional_ok)

    def revisit_probe_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self.on_error(failure)
        for url in failure.request.meta["revisit_rest"]:  # type: ignore[attr-defined]
            yield self._post_request(url)

    def record_verification(self) -> None:
        """At the end of the run: stamp what it verified, and report the oldest left."""
        stamped, oldest = corpus_of(self.crawler).record_verified(
            self.site_profile.name,
            self.crawler.stats.get_value("corpus/run_id"),
            self.verified_urls | self.known.verified_urls,
            self.verified_ids | self.known.verified_ids,
            datetime.now(UTC),
        )
        self.crawler.stats.set_value("corpus/posts_verified", stamped)
        if oldest is not None:
            age = (datetime.now(UTC) - oldest).total_seconds() / 86_400
            self.crawler.stats.set_value("corpus/verified_oldest_days", round(age, 2))
        self.logger.info(
            "verified %d posts; the oldest verification of a live post is %s",
            stamped,
            "none" if oldest is None else f"{oldest:%Y-%m-%d %H:%M} UTC",
        )
