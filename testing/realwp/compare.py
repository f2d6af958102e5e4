"""A corpus against a real WordPress site's ground truth: every difference, field by field.

Posts are matched by URL (percent-encoding case aside: WordPress prints ``%e0``, a crawler
may print ``%E0``), then by WordPress ID. The checks are those of issue 10's acceptance:
title exact, author(s), published time to the minute, categories and tags (lists, in
WordPress's order), text similarity of at least 0.99, the multi-page post joined once, the
exact repost flagged, nothing stored that WordPress does not show to a visitor.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from testing.realwp.truth import GroundTruth, TruthPost, collapse

MIN_SIMILARITY = 0.99
# Rejects a crawl may record, by the ground truth's reason for absence. None: a protected
# post is skipped and counted (stats corpus/skipped/protected), on the REST and HTML paths
# alike, so every reject of a real-WordPress crawl is a difference.
ALLOWED_REJECTS: dict[str, tuple[str, ...]] = {}


def url_key(url: str) -> str:
    """One spelling per URL: percent-escapes decoded, host lowercased, no fragment."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), unquote(parts.path) or "/", parts.query, "")
    )


def similarity(stored: str, expected: str) -> float:
    a, b = collapse(stored), collapse(expected)
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _minute(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # naive times in a corpus are UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True)
class Difference:
    field: str
    where: str  # the post's ground-truth key and URL, or the stored URL
    stored: Any
    expected: Any

    def line(self) -> str:
        return f"  {self.where}: stored {_short(self.stored)}, expected {_short(self.expected)}"


@dataclass
class Report:
    """Every difference found; ``render()`` groups them by field, with counts and examples."""

    name: str
    posts_expected: int
    posts_stored: int
    differences: list[Difference] = field(default_factory=list)

    def add(self, field_name: str, where: str, stored: Any, expected: Any) -> None:
        self.differences.append(Difference(field_name, where, stored, expected))

    def __bool__(self) -> bool:
        return bool(self.differences)

    def fields(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for difference in self.differences:
            counts[difference.field] += 1
        return dict(counts)

    def summary(self) -> str:
        """One line: ``tt3-plain-rest_blocked: author 38, text 2``."""
        fields = ", ".join(f"{name} {count}" for name, count in self.fields().items())
        return f"{self.name}: {fields or 'equal'}"

    def render(self, examples: int = 3) -> str:
        lines = [
            f"{self.name}: {self.posts_stored} posts stored, {self.posts_expected} expected; "
            f"{len(self.differences)} differences"
        ]
        grouped: dict[str, list[Difference]] = defaultdict(list)
        for difference in self.differences:
            grouped[difference.field].append(difference)
        for name, items in grouped.items():
            lines.append(f"- {name}: {len(items)}")
            lines += [item.line() for item in items[:examples]]
            if len(items) > examples:
                lines.append(f"  ... and {len(items) - examples} more")
        return "\n".join(lines)


def compare(
    truth: GroundTruth,
    stored_posts: Iterable[dict[str, Any]],
    rejects: dict[str, str],
    name: str = "corpus",
) -> Report:
    """Differences between stored posts (``publish.export.iter_posts`` records) and the truth."""
    stored = list(stored_posts)
    report = Report(name, len(truth.posts), len(stored))
    by_url = {url_key(record["url"]): record for record in stored}
    by_id = {record.get("post_id"): record for record in stored if record.get("post_id")}
    matched: dict[str, dict[str, Any]] = {}
    for post in truth.posts:
        where = f"{post.key} {unquote(post.url)}"
        record = by_url.get(url_key(post.url)) or by_id.get(post.id)
        if record is None:
            report.add("missing", where, None, "stored")
            continue
        matched[post.key] = record
        _compare_post(report, where, post, record)
    taken = {id(record) for record in matched.values()}
    _check_absent(report, truth, [r for r in stored if id(r) not in taken])
    _check_multipage(report, truth, matched)
    _check_repost(report, truth, matched)
    _check_rejects(report, truth, rejects)
    return report


def _compare_post(report: Report, where: str, post: TruthPost, record: dict[str, Any]) -> None:
    if url_key(record["url"]) != url_key(post.url):
        report.add("url", where, record["url"], post.url)
    if record.get("post_id") != post.id:
        report.add("post_id", where, record.get("post_id"), post.id)
    if record.get("title") != post.title:
        report.add("title", where, record.get("title"), post.title)
    if record.get("author") != post.author:
        report.add("author", where, record.get("author"), post.author)
    if "authors" in record and list(record["authors"] or []) != [post.author]:
        report.add("authors", where, record["authors"], [post.author])
    if _minute(record.get("published_at")) != _minute(post.published):
        report.add("published_at", where, record.get("published_at"), post.published)
    for name, expected in (("categories", post.categories), ("tags", post.tags)):
        if list(record.get(name) or []) != expected:
            report.add(name, where, record.get(name), expected)
    ratio = similarity(record.get("text") or "", post.text)
    if ratio < MIN_SIMILARITY:
        report.add("text", where, f"similarity {ratio:.3f}: {_diff(record.get('text'), post.text)}",
                   f">= {MIN_SIMILARITY}")  # fmt: skip


def _check_absent(report: Report, truth: GroundTruth, unmatched: list[dict[str, Any]]) -> None:
    """Drafts, private, scheduled and protected posts and Pages: stored under no URL/ID/title."""
    for absent in truth.absent:
        keys = {url_key(url) for url in absent.urls}
        for record in unmatched:
            if (
                url_key(record["url"]) in keys
                or record.get("post_id") == absent.id
                or collapse(record.get("title") or "") == absent.title
            ):
                stored = f"{unquote(record['url'])} text {(record.get('text') or '')[:90]!r}"
                report.add(f"stored {absent.reason}", absent.key or absent.title, stored, "absent")
    absent_urls = {url_key(url) for absent in truth.absent for url in absent.urls}
    absent_ids = {absent.id for absent in truth.absent}
    for record in unmatched:
        if url_key(record["url"]) not in absent_urls and record.get("post_id") not in absent_ids:
            report.add("unexpected post", record["url"], record.get("title"), "no such post")


def _check_multipage(
    report: Report, truth: GroundTruth, matched: dict[str, dict[str, Any]]
) -> None:
    """Each page's first and last line once in the stored text, pages in order."""
    post = truth.by_key("multipage")
    record = matched.get("multipage")
    if record is None:
        return
    text = collapse(record.get("text") or "")
    position = -1
    for number, page in enumerate(post.pages, 1):
        lines = page.splitlines()
        found = [(text.count(m), text.find(m)) for m in map(collapse, (lines[0], lines[-1]))]
        if any(count != 1 or at < position for count, at in found):
            stored = ", ".join(f"{count}× at {at}" for count, at in found)
            report.add("multipage", f"page {number} of {len(post.pages)} (first, last line)",
                       stored, f"once each, after {position}")  # fmt: skip
        position = max(position, *(at for _, at in found))


def _check_repost(report: Report, truth: GroundTruth, matched: dict[str, dict[str, Any]]) -> None:
    original, repost = matched.get("original"), matched.get("repost")
    if original is None or repost is None:
        return
    if url_key(repost.get("duplicate_of") or "") != url_key(original["url"]):
        report.add("repost", "repost duplicate_of", repost.get("duplicate_of"), original["url"])
    for key, record in matched.items():
        if key != "repost" and record.get("duplicate_of"):
            report.add("duplicate_of", key, record["duplicate_of"], None)


def _check_rejects(report: Report, truth: GroundTruth, rejects: dict[str, str]) -> None:
    allowed = {
        url_key(url): ALLOWED_REJECTS[absent.reason]
        for absent in truth.absent
        if absent.reason in ALLOWED_REJECTS
        for url in absent.urls
    }
    for url, reason in sorted(rejects.items()):
        words = allowed.get(url_key(url))
        if words is None or not any(word in (reason or "").lower() for word in words):
            report.add("reject", unquote(url), reason, "no reject")


def _diff(stored: str | None, expected: str, width: int = 160) -> str:
    """Where two texts first part, in a few characters either side."""
    a, b = collapse(stored or ""), collapse(expected)
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    start = max(0, at - 40)
    return (
        f"{len(a)} vs {len(b)} chars, first differs at {at}: {a[start : start + width]!r} / "
        f"{b[start : start + width]!r}"
    )


def _short(value: Any, width: int = 220) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
