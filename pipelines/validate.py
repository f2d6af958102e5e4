"""Validate pipeline: a post the corpus cannot store as it is becomes a reject, never a drop.

Why before the writer: a value the database refuses (an ID of 10**23, a date in year 1, an
author longer than its column on PostgreSQL) would otherwise fail its whole batch, and a value
the database silently bends (an ID of 7.5 stored as 7 or 8, a ``javascript:`` URL) would
overwrite or poison another post. The rules are a table (:data:`RULES`); lengths come from the
models' columns, so the rules and the schema cannot drift apart.

Over-long metadata is truncated, not rejected (the text is what the corpus is for): titles to
:data:`TITLE_LENGTH` characters, author, category and tag names to their columns; each cut is
counted in the stat ``corpus/truncated/<field>``. An over-long URL is rejected (a cut URL is
another URL). Dates must fall between :data:`EARLIEST` and :data:`FUTURE_SLACK` after now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import regex
from itemadapter import ItemAdapter

from corpus.models import Post as PostRow
from corpus.models import Term
from crawler.items import Post, Reject
from crawler.scope import off_site_reason

logger = logging.getLogger(__name__)

# U+FFFD, UTF-8 Lao read as latin-1/cp1252 ("àº"), or read as windows-874 (Thai "เบ" pairs):
# never store that as Lao.
_MOJIBAKE = regex.compile(
    "\ufffd|[\u00c0-\u00ef][\u0080-\u00bf\u2018-\u203a]|(?:\u0e40[\u0e1a\u0e1b].){3}"
)

REQUIRED = (
    ("title", "missing title"),
    ("published_at", "missing published_at"),
    ("text", "missing text"),
    ("url", "missing url"),
)
_GRAPHEME = regex.compile(r"\X")

INT64_MAX = 2**63 - 1
# Older archives are imported into WordPress, so posts can predate WordPress (2003) by far;
# nothing on a news site predates 1900. A day of slack absorbs clock skew and time zones.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
TITLE_LENGTH = 1000  # titles are Text columns: a sane bound, not the column's


def _length(column) -> int:
    return column.type.length


@dataclass(frozen=True)
class Context:
    """What the rules compare against: the crawl's site and the time of the check."""

    site: str | None
    base_url: str | None
    extra_hosts: tuple[str, ...] = ()
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


# A check returns the problem (completing "<field> ...") or None; it never raises.
Check = Callable[[Any, Context], str | None]


def _post_id(value: Any, context: Context) -> str | None:
    if type(value) is int and 0 < value <= INT64_MAX:  # bool is an int subclass: not an ID
        return None
    return f"{_show(value)} is not a positive 64-bit integer"


def _date(value: Any, context: Context) -> str | None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        return "is not a timezone-aware datetime"
    if value < EARLIEST:
        return f"{_show(value)} is before {EARLIEST.date()}"
    if value > context.now + FUTURE_SLACK:
        return f"{_show(value)} is more than {FUTURE_SLACK.days} day in the future"
    return None


def _url(value: Any, context: Context) -> str | None:
    if not isinstance(value, str):
        return "is not a string"
    if context.base_url is None:
        return None
    reason = off_site_reason(value, context.base_url, context.extra_hosts)
    return None if reason is None else f"{_show(value)} is off the site: {reason}"


def _site(value: Any, context: Context) -> str | None:
    if context.site is None or value == context.site:
        return None
    return f"{_show(value)} is not this crawl's site {context.site!r}"


def _string(value: Any, context: Context) -> str | None:
    return None if isinstance(value, str) else "is not a string"


def _names(value: Any, context: Context) -> str | None:
    if isinstance(value, list | tuple) and all(isinstance(name, str) for name in value):
        return None
    return "is not a list of strings"


@dataclass(frozen=True)
class Rule:
    """One field's rule: its type and range check, and its longest value.

    ``limit`` applies to the value, or to each name of a list; ``truncate`` says whether a
    longer one is cut (counted) or rejects the post.
    """

    field: str
    check: Check
    limit: int | None = None
    truncate: bool = False


NAME_LENGTH = _length(PostRow.__table__.c.author)
RULES: tuple[Rule, ...] = (
    Rule("site", _site),
    Rule("url", _url, _length(PostRow.__table__.c.url)),
    Rule("post_id", _post_id),
    Rule("title", _string, TITLE_LENGTH, truncate=True),
    Rule("author", _string, NAME_LENGTH, truncate=True),
    Rule("authors", _names, NAME_LENGTH, truncate=True),
    Rule("categories", _names, _length(Term.__table__.c.name), truncate=True),
    Rule("tags", _names, _length(Term.__table__.c.name), truncate=True),
    Rule("published_at", _date),
    Rule("modified_at", _date),
    Rule("text", _string),
    Rule("language", _string, _length(PostRow.__table__.c.language)),
)


def _show(value: Any) -> str:
    """A value in a reason: its repr, cut so the reason stays one short line."""
    shown = value.isoformat() if isinstance(value, datetime) else repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def apply_rules(
    adapter: ItemAdapter, context: Context, rules: Iterable[Rule] = RULES
) -> tuple[str | None, list[str]]:
    """(the first rule the post breaks as a one-line reason, or None; the fields truncated).

    Truncation changes the item in place; absent (None) optional fields are not checked.
    """
    truncated: list[str] = []
    for rule in rules:
        value = adapter.get(rule.field)
        if value is None:
            continue
        problem = rule.check(value, context)
        if problem:
            return f"{rule.field} {problem}", truncated
        if rule.limit is None:
            continue
        fitted = _fit(value, rule.limit)
        if fitted != value:
            if not rule.truncate:
                return f"{rule.field} longer than {rule.limit} characters", truncated
            adapter[rule.field] = fitted
            truncated.append(rule.field)
    return None, truncated


def _fit(value: str | list[str], limit: int) -> str | list[str]:
    if isinstance(value, str):
        return _cut(value, limit) if len(value) > limit else value
    names = [_fit(name, limit) for name in value]
    fitted = list(dict.fromkeys(names))  # two names cut to one prefix are one name
    return fitted if fitted != list(value) else value


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut between graphemes: a Lao consonant never loses the
    vowel or tone mark written on it."""
    end = 0
    for grapheme in _GRAPHEME.finditer(text):
        if grapheme.end() > limit:
            break
        end = grapheme.end()
    return text[:end].rstrip()


def rejection_reason(adapter: ItemAdapter, context: Context | None = None) -> str | None:
    """The first rule the post breaks, as the one-line reason stored with the reject."""
    reason, _ = check_post(adapter, context or Context(site=None, base_url=None))
    return reason


def stat_key(reason: str) -> str:
    """The reason without the offending value: a hostile site cannot mint a stat per post."""
    for rule in RULES:
        if reason.startswith(rule.field + " ") and reason not in dict(REQUIRED).values():
            return f"invalid {rule.field}"
    return reason


def check_post(adapter: ItemAdapter, context: Context) -> tuple[str | None, list[str]]:
    """(reason or None, fields truncated): required fields, then the table, then encoding."""
    for field_name, reason in REQUIRED:
        if not adapter.get(field_name):
            return reason, []
    reason, truncated = apply_rules(adapter, context)
    if reason:
        return reason, truncated
    if _MOJIBAKE.search(adapter["text"]) or _MOJIBAKE.search(adapter["title"]):
        return "undecodable text (wrong encoding)", truncated
    authors = adapter.get("authors")
    if authors and not adapter.get("author"):  # the contract: author is authors[0]
        adapter["author"] = authors[0]
    return None, truncated


class ValidatePipeline:
    def __init__(self, stats, crawler=None) -> None:
        self.stats = stats
        self.crawler = crawler
        self._scope: tuple[str | None, str | None, tuple[str, ...]] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler)

    def scope(self) -> tuple[str | None, str | None, tuple[str, ...]]:
        """The crawl's site name, base URL and extra hosts (read once the spider exists)."""
        if self._scope is None:
            spider = getattr(self.crawler, "spider", None)
            profile = getattr(spider, "site_profile", None)
            extra = tuple(getattr(profile, "extra_hosts", ()) or ())
            if self.crawler is not None:
                extra += tuple(self.crawler.settings.getlist("CORPUS_EXTRA_HOSTS"))
            self._scope = (
                getattr(profile, "name", None),
                getattr(spider, "base_url", None),
                extra,
            )
        return self._scope

    def process_item(self, item):
        if not isinstance(item, Post):
            return item
        adapter = ItemAdapter(item)
        self.stats.inc_value("corpus/extracted")  # field coverage, read by the monitors
        for field_name, _ in REQUIRED:
            if adapter.get(field_name):
                self.stats.inc_value(f"corpus/extracted/{field_name}")
        site, base_url, extra_hosts = self.scope()
        reason, truncated = check_post(adapter, Context(site, base_url, extra_hosts))
        for name in truncated:
            self.stats.inc_value(f"corpus/truncated/{name}")
            logger.warning("%s of %s truncated to fit the corpus", name, adapter.get("url"))
        if reason is None:
            return item
        self.stats.inc_value("corpus/validate/rejected")
        self.stats.inc_value(f"corpus/rejected/{stat_key(reason)}")
        url = adapter.get("url")
        return Reject(
            site=adapter.get("site") if site is None else site,
            url=url if isinstance(url, str) and url else adapter.get("fetched_url"),
            stage="validate",
            reason=reason,
            http_status=adapter.get("http_status"),
            raw=_raw_fields(adapter),
        )


def _raw_fields(adapter: ItemAdapter) -> dict[str, Any]:
    """What was extracted, so a reject can be inspected (and re-validated) without a re-fetch."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in adapter.items()
        if key != "body_html"
    }
