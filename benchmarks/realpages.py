"""Our post parser against trafilatura on real WordPress news pages, in the same run.

The pages and their expected values live outside the project, in ``../shared/realpages/``
(fundus's test data: 44 pages from 36 publishers). Our side runs exactly what
``laocorpus extract`` runs (:func:`crawler.extract.item.stored_item`); trafilatura's side is
``trafilatura.bare_extraction`` with its metadata. Per field it prints how often each one
matches the expected value, and both throughputs; the figures also go to
``bench-results/realpages.json``.

Measures: title exact (whitespace collapsed); the authors as a set; the date to the minute as
an instant, on the pages whose expected date carries an offset; categories and tags together
against the expected topics, as their Jaccard overlap (case-folded) and as exact sets; body
similarity is ``difflib.SequenceMatcher(autojunk=False).ratio()`` of the whitespace-collapsed
texts (ours as the clean pipeline makes it), computed by cydifflib (the same algorithm compiled,
identical ratios) when it is installed. Throughput is the best of five runs: the page
object alone ("parser", the figure comparable to trafilatura's) and the whole item.

Why trafilatura is the parser's fallback: on these pages, run on the whole page, it scores a
mean body similarity of 0.942 at ~49 ms a page, readability-lxml 0.9 0.910 at ~53 ms; on the
pages no known container holds, 0.953 against 0.939 (measured when it was chosen).

    python -m benchmarks.realpages [--pages DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

try:  # difflib's own algorithm compiled: the same ratios, about 15 times faster
    from cydifflib import SequenceMatcher
except ImportError:  # pragma: no cover - a machine without the dev extras
    from difflib import SequenceMatcher

REPO = Path(__file__).resolve().parent.parent
PAGES = REPO.parent / "shared" / "realpages" / "fundus-wordpress"
RESULTS = REPO / "bench-results" / "realpages.json"
# The crawl rejects a page for these reasons when the parser misses the field.
MISSING = ("missing text", "missing published_at")


@dataclass(frozen=True)
class RealPage:
    name: str
    url: str
    html: str
    expected: dict[str, Any]


def load_pages(directory: Path = PAGES) -> list[RealPage]:
    """Every ``NAME.html.gz`` with its ``NAME.json``, sorted by name."""
    pages = []
    for path in sorted(directory.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        with gzip.open(path.with_name(path.stem + ".html.gz"), "rt", encoding="utf-8") as f:
            pages.append(RealPage(path.stem, expected["url"], f.read(), expected))
    return pages


def collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def expected_text(expected: dict[str, Any]) -> str:
    """The article text: the sections' headlines and paragraphs, in order (no summary)."""
    parts: list[str] = []
    for section in expected.get("body", {}).get("sections", []):
        parts += section.get("headline", []) + section.get("paragraphs", [])
    return collapse(" ".join(parts))


def similarity(ours: str | None, theirs: str) -> float:
    return SequenceMatcher(None, collapse(ours), theirs, autojunk=False).ratio()


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def expected_date(expected: dict[str, Any]) -> datetime | None:
    """The expected time when it carries an offset (only those can be compared exactly)."""
    value = parse_time(expected.get("publishing_date"))
    return value if value is not None and value.tzinfo is not None else None


def same_minute(ours: Any, expected: datetime) -> bool:
    value = parse_time(ours)
    if value is None or value.tzinfo is None:
        return False
    return abs((value - expected).total_seconds()) < 60 and value.replace(
        second=0, microsecond=0
    ) == expected.astimezone(value.tzinfo).replace(second=0, microsecond=0)


def topic_overlap(found: list[str], topics: list[str]) -> float:
    """Jaccard overlap of our categories+tags with the expected topics, case-folded."""
    ours = {collapse(t).casefold() for t in found if t}
    theirs = {collapse(t).casefold() for t in topics if t}
    return len(ours & theirs) / len(ours | theirs) if ours | theirs else 1.0


def score(page: RealPage, item: dict[str, Any]) -> dict[str, Any]:
    """How one extracted item compares with the page's expected values."""
    expected = page.expected
    date = expected_date(expected)
    topics = expected.get("topics")
    authors = {collapse(a) for a in item.get("authors") or []}
    return {
        "name": page.name,
        "title": collapse(item.get("title")) == collapse(expected.get("title")),
        "authors": authors == {collapse(a) for a in expected.get("authors") or []},
        "date": None if date is None else same_minute(item.get("published_at"), date),
        "topics": None
        if not topics
        else topic_overlap([*item.get("categories", []), *item.get("tags", [])], topics),
        "body": similarity(item.get("text"), expected_text(expected)),
        "empty": not collapse(item.get("text")),
        "rejected": item.get("rejected"),
    }


def our_items(pages: list[RealPage]) -> list[dict[str, Any]]:
    from crawler.extract.item import stored_item

    return [stored_item(page.html, page.url) for page in pages]


def parse_only(pages: list[RealPage]) -> list[Any]:
    """The page object alone (no pipelines): the figure to compare with trafilatura's."""
    from crawler.extract.wordpress import WordPressPostPage

    return [WordPressPostPage(page.html, page.url).extract() for page in pages]


def trafilatura_items(pages: list[RealPage]) -> list[dict[str, Any]]:
    import trafilatura

    items = []
    for page in pages:
        doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
        found = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
        author = found.get("author")
        items.append(
            {
                "title": found.get("title"),
                "authors": [a.strip() for a in author.split(";")] if author else [],
                "published_at": found.get("date"),
                "categories": found.get("categories") or [],
                "tags": found.get("tags") or [],
                "text": found.get("text"),
                "rejected": None,
            }
        )
    return items


def timed(function, pages: list[RealPage], repeat: int = 5) -> tuple[list[Any], float]:
    """The items and the best pages/s of ``repeat`` runs (the machine may be busy)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        items = function(pages)
        best = min(best, time.perf_counter() - started)
    return items, len(pages) / best


def summary(
    scores: list[dict[str, Any]], pages_per_s: float, items_per_s: float | None = None
) -> dict[str, Any]:
    dated = [s["date"] for s in scores if s["date"] is not None]
    topics = [s["topics"] for s in scores if s["topics"] is not None]
    bodies = [s["body"] for s in scores]
    return {
        "pages": len(scores),
        "title_exact": sum(s["title"] for s in scores),
        "authors_exact": sum(s["authors"] for s in scores),
        "date_minute": sum(dated),
        "dated_pages": len(dated),
        "topics_pages": len(topics),
        "topics_jaccard_mean": statistics.fmean(topics) if topics else 0.0,
        "topics_exact": sum(t == 1.0 for t in topics),
        "body_mean": statistics.fmean(bodies),
        "body_min": min(bodies),
        "empty_bodies": sum(s["empty"] for s in scores),
        "rejected": sum(bool(s["rejected"]) for s in scores),
        "rejected_missing": sum(s["rejected"] in MISSING for s in scores),
        "pages_per_s": pages_per_s,
        "items_per_s": items_per_s,
    }


def table(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    n = ours["pages"]
    rows = [
        ("title exact", "title_exact", f"/{n}", "d"),
        ("authors set exact", "authors_exact", f"/{n}", "d"),
        ("date to the minute, with offset", "date_minute", f"/{ours['dated_pages']}", "d"),
        (f"topics Jaccard mean ({ours['topics_pages']} pages)", "topics_jaccard_mean", "", ".3f"),
        ("topics set exact", "topics_exact", f"/{ours['topics_pages']}", "d"),
        ("body similarity mean", "body_mean", "", ".3f"),
        ("body similarity minimum", "body_min", "", ".3f"),
        ("empty bodies", "empty_bodies", "", "d"),
        ("pages the crawl would reject", "rejected", "", "d"),
        ("  of them for missing text/date", "rejected_missing", "", "d"),
        ("pages/s, parser", "pages_per_s", "", ".1f"),
    ]
    lines = [f"real WordPress news pages: {n}", f"{'field':<40}{'ours':>18}{'trafilatura':>18}"]
    for label, key, suffix, fmt in rows:
        mine = format(ours[key], fmt) + suffix
        other = format(theirs[key], fmt) + suffix
        lines.append(f"{label:<40}{mine:>18}{other:>18}")
    ratio = ours["pages_per_s"] / theirs["pages_per_s"]
    lines.append(f"{'pages/s ratio, ours to trafilatura':<40}{ratio:>18.2f}")
    lines.append(f"{'pages/s, parser + clean + validate':<40}{ours['items_per_s']:>18.1f}")
    return "\n".join(lines)


def misses(scores: list[dict[str, Any]]) -> list[str]:
    """One line per page that misses a field: what to look at next."""
    lines = []
    for s in scores:
        missed = [f for f in ("title", "authors") if not s[f]]
        missed += ["date"] if s["date"] is False else []
        missed += [f"body {s['body']:.2f}"] if s["body"] < 0.9 else []
        missed += [f"rejected: {s['rejected']}"] if s["rejected"] else []
        if missed:
            lines.append(f"  {s['name'][:38]:<38} {', '.join(missed)}"[:80])
    return lines


def run(directory: Path = PAGES) -> dict[str, Any]:
    pages = load_pages(directory)
    if not pages:
        raise SystemExit(f"no real pages in {directory}")
    import trafilatura  # noqa: F401  (imported before timing: both sides start warm)

    parse_only(pages[:1])
    mine, items_rate = timed(our_items, pages)
    _, ours_rate = timed(parse_only, pages)
    theirs, their_rate = timed(trafilatura_items, pages)
    our_scores = [score(p, i) for p, i in zip(pages, mine, strict=True)]
    their_scores = [score(p, i) for p, i in zip(pages, theirs, strict=True)]
    return {
        "ours": summary(our_scores, ours_rate, items_rate),
        "trafilatura": summary(their_scores, their_rate),
        "ratio_pages_per_s": ours_rate / their_rate,
        "pages": our_scores,
        "trafilatura_pages": their_scores,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    args = parser.parse_args(argv)
    results = run(args.pages)
    print(table(results["ours"], results["trafilatura"]))
    lines = misses(results["pages"])
    if lines:
        print("our misses:")
        print("\n".join(lines))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
