"""Validation of the project's settings: a bad value stops the crawl with one clear line
before any request is made, instead of surfacing as an odd failure hours later."""

from __future__ import annotations

from typing import Any

# setting: (type, lowest, highest)
RANGES: dict[str, tuple[type, float, float]] = {
    "CORPUS_BATCH_SIZE": (int, 1, 100_000),
    "CORPUS_FLUSH_SECONDS": (float, 0.01, 3600),
    "CORPUS_WRITE_RETRY_SECONDS": (float, 0, 86_400),
    "CORPUS_MONITOR_FIELD_COVERAGE": (float, 0, 1),
    "CORPUS_MONITOR_MIN_ITEMS": (int, 0, 10**9),
    "CORPUS_MONITOR_MAX_MISSING": (int, 0, 10**9),
    "CORPUS_MONITOR_MAX_ERROR_RATE": (float, 0, 1),
    "CORPUS_MONITOR_MIN_ITEM_RATIO": (float, 0, 100),
    "CORPUS_MONITOR_MAX_COVERAGE_DROP": (float, 0, 1),
    "RETRY_TIMES": (int, 0, 50),
    "RETRY_BACKOFF_BASE": (float, 0, 600),
    "RETRY_BACKOFF_MAX": (float, 0, 3600),
    "RETRY_AFTER_MAX": (float, 0, 86_400),
    "DOWNLOAD_TIMEOUT": (float, 0.1, 3600),
    "DOWNLOAD_MAXSIZE": (int, 1024, 2**40),
    "CONCURRENT_REQUESTS": (int, 1, 10_000),
    "MAX_IDLE_TIME_BEFORE_CLOSE": (float, 0, 86_400),
    "CORPUS_WORKER_TTL": (float, 1, 3600),
    "CORPUS_PROGRESS_SECONDS": (float, 0.1, 3600),
    "CORPUS_MAX_SITEMAPS": (int, 1, 10**7),
    "CORPUS_MAX_SITEMAP_DEPTH": (int, 1, 10),
    "CORPUS_MAX_URLS_PER_SITEMAP": (int, 1, 10**7),
    "CORPUS_MAX_LISTING_PAGES": (int, 1, 10**7),
    "CORPUS_STREAM_CHUNK": (int, 1, 10**6),
    "CORPUS_REVISIT_RECENT_DAYS": (float, 0, 36_500),
    "CORPUS_REVISIT_SHARE": (float, 0.0001, 1),
    "CORPUS_WARC_MAX_BYTES": (int, 65_536, 2**40),
    "ROBOTSTXT_TIMEOUT": (float, 0.1, 600),
    "ROBOTSTXT_RETRY_TIMES": (int, 0, 10),
    "ROBOTSTXT_MAX_CRAWL_DELAY": (float, 0, 3600),
}


class SettingsError(ValueError):
    """A setting out of range or of the wrong type; the message is one line."""


def check_settings(settings: Any) -> None:
    for name, (kind, low, high) in RANGES.items():
        raw = settings.get(name)
        if raw is None:
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"setting {name} must be a number, got {raw!r}") from None
        if kind is int and not value.is_integer():
            raise SettingsError(f"setting {name} must be a whole number, got {raw!r}")
        if not low <= value <= high:
            raise SettingsError(f"setting {name} must be between {low:g} and {high:g}, got {raw!r}")
