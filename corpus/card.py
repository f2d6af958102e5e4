"""The corpus card: a Markdown description of the corpus with two charts, for its users.

Every figure comes from :func:`corpus.stats.corpus_stats`, the source of ``laocorpus stats``, so
the card and the command always agree. Charts are drawn with matplotlib's Agg canvas (no GUI,
no global pyplot state) and linked from the card by relative paths, so the directory can be
moved or published as is.
"""

from __future__ import annotations

import html
import re
import statistics
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from corpus.db import mask_url
from corpus.export import EXPORT_FIELDS, FIELD_SCHEMA
from corpus.models import NearDuplicate, Post
from corpus.safefile import replacing, write_text
from corpus.stats import CorpusStats, corpus_stats, local_day, utc_minute

CARD = "corpus_card.md"
MONTHS_CHART = "posts_per_month.png"
WORDS_CHART = "words_per_post.png"


def write_card(engine: Engine, directory: Path, site: str | None = None) -> list[Path]:
    """Write the card and its charts into ``directory`` (and nowhere else); return the files."""
    directory.mkdir(parents=True, exist_ok=True)
    stats = corpus_stats(engine, site=site)
    words = _words_per_post(engine, site)
    months_chart = _months_chart(stats, directory / MONTHS_CHART)
    words_chart = _words_chart(words, directory / WORDS_CHART)
    card = write_text(directory / CARD, render(stats, words, _methods(engine), str(engine.url)))
    return [card, months_chart, words_chart]


def _words_per_post(engine: Engine, site: str | None) -> list[int]:
    query = select(Post.word_count)
    if site:
        query = query.where(Post.site == site)
    with engine.connect() as db:
        return [int(count or 0) for count in db.execute(query).scalars()]


def _methods(engine: Engine) -> list[str]:
    with engine.connect() as db:
        return sorted(db.execute(select(NearDuplicate.method).distinct()).scalars())


# -- Markdown -----------------------------------------------------------------------------------


def render(stats: CorpusStats, words: list[int], methods: list[str], url: str) -> str:
    """The card's Markdown text."""
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sites = ", ".join(s.site for s in stats.sources) or "none"
    lines = [
        "# Corpus card: Lao News Corpus",
        "",
        f"Generated {generated} by `laocorpus card` from `{mask_url(url)}`. "
        "Every figure below is also printed by `laocorpus stats`.",
        "",
        "Lao-language news posts crawled from WordPress news sites, cleaned into one canonical "
        "Unicode form (NFC, ຳ composed, tone marks after vowels, no zero-width characters), with "
        "their metadata, categories and tags, exact reposts and near-duplicate reposts marked.",
        "",
        "## Summary",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| posts | {stats.posts} |",
        f"| unique posts | {stats.unique_posts} |",
        f"| exact reposts | {stats.duplicates} |",
        f"| near-duplicates | {stats.near_duplicates} |",
        f"| near-duplicate clusters | {stats.near_duplicate_clusters} |",
        f"| posts without reposts | {stats.deduplicated} |",
        f"| words | {stats.words:,} |",
        f"| characters | {stats.characters:,} |",
        f"| rejects | {stats.rejects} |",
        f"| first published | {local_day(stats.first_published)} |",
        f"| last published | {local_day(stats.last_published)} |",
        "",
        "Dates are in Vientiane time (UTC+7); years and months below are counted in it too.",
        "",
        "## Sources and crawl dates",
        "",
        "| site | address | posts | crawls | first crawl (UTC) | last crawl (UTC) |",
        "|---|---|---:|---:|---|---|",
    ]
    for source in stats.sources:
        first, last = utc_minute(source.first_crawl), utc_minute(source.last_crawl)
        lines.append(
            f"| {_cell(source.site)} | {_cell(', '.join(source.hosts) or '-')} | "
            f"{source.posts} | {source.crawls} | {first} | {last} |"
        )
    span = f"{local_day(stats.first_published)} to {local_day(stats.last_published)}"
    lines += [
        "",
        "## Time span",
        "",
        f"Posts were published from {span}.",
        "",
        f"![Posts per month]({MONTHS_CHART})",
        "",
        *_table(("year", "posts"), stats.by_year),
        "",
        "<details><summary>Posts by month</summary>",
        "",
        *_table(("month", "posts"), stats.by_month),
        "",
        "</details>",
        "",
        "## Categories",
        "",
        "A post can be in several categories, so these counts add up to more than the posts.",
        "",
        *_table(("category", "posts"), stats.by_category),
        "",
        "## Authors",
        "",
        *_table(("author", "posts"), stats.by_author),
        "",
        "## Words and characters",
        "",
        f"{stats.words:,} words and {stats.characters:,} characters in all. Words are counted "
        "with ICU's Lao dictionary word breaker (Lao has no spaces between words); Latin words "
        "and numbers count as words, punctuation does not.",
        "",
        f"![Words per post]({WORDS_CHART})",
        "",
        *_table(("words per post", "value"), _word_figures(words)),
        "",
        "## Exact reposts and near-duplicates",
        "",
        f"- **Exact reposts** ({stats.duplicates}): posts whose clean text is identical to an "
        "earlier post's (same SHA-256); `duplicate_of` names the earliest copy.",
        f"- **Near-duplicates** ({stats.near_duplicates} posts in "
        f"{stats.near_duplicate_clusters} clusters): reposts with small edits (a new headline, "
        "a credit line, a few words, a paragraph less), found by MinHash over Lao syllable "
        "shingles with LSH and checked by exact Jaccard similarity; `near_duplicate_of` names "
        "the earliest post of the cluster and `near_duplicate_similarity` the similarity. "
        f"Method: {', '.join(f'`{m}`' for m in methods) or 'not run yet (`laocorpus dedup`)'}.",
        f"- `laocorpus export --dedup` leaves both out: {stats.deduplicated} posts.",
        "",
        "## Rejects by reason",
        "",
        "URLs the crawler met that did not become posts.",
        "",
        *_table(("reason", "urls"), stats.rejects_by_reason),
        "",
        "## Field coverage",
        "",
        "Posts with a value (not null, not empty) in each export field.",
        "",
        "| field | posts | share |",
        "|---|---:|---:|",
    ]
    for name, count in stats.field_coverage:
        share = f"{100 * count / stats.posts:.1f}%" if stats.posts else "-"
        lines.append(f"| `{name}` | {count} | {share} |")
    lines += [
        "",
        "## Export schema",
        "",
        "`laocorpus export --format jsonl|csv|parquet` writes these fields (`--fields` picks "
        "some). JSON lines and CSV write times as ISO 8601 with their UTC offset and CSV writes "
        "lists as JSON arrays; Parquet uses the types below.",
        "",
        "| field | Parquet type | meaning |",
        "|---|---|---|",
        *(
            f"| `{name}` | `{FIELD_SCHEMA[name][0]}` | {FIELD_SCHEMA[name][1]} |"
            for name in EXPORT_FIELDS
        ),
        "",
        "## Licence and citation",
        "",
        f"The texts are news articles published by the sites above ({sites}); their copyright "
        "stays with the publishers. The corpus is built for research (text and data mining); "
        "check what your jurisdiction allows before redistributing full texts, and prefer "
        "sharing URLs, derived counts or excerpts. The software that built it (`laocorpus`) is "
        "MIT-licensed.",
        "",
        "Please cite the corpus with the sites, the crawl dates and the figures of this card:",
        "",
        "```bibtex",
        "@misc{lao_news_corpus,",
        "  title  = {Lao News Corpus},",
        f"  note   = {{Lao news posts from {sites}, crawled {_crawl_span(stats)}; "
        f"{stats.posts} posts, {stats.words:,} words}},",
        f"  year   = {{{datetime.now(UTC).year}}},",
        "}",
        "```",
        "",
    ]
    return "\n".join(lines)


def _table(header: tuple[str, str], rows) -> list[str]:
    if not rows:
        return ["(none)"]
    return [
        f"| {header[0]} | {header[1]} |",
        "|---|---:|",
        *(f"| {_cell(name)} | {value} |" for name, value in rows),
    ]


# Characters Markdown gives a meaning inside a line (emphasis, links, images, code, tables);
# an underscore inside a word (published_at) is no emphasis in CommonMark and stays as is.
_MARKDOWN = re.compile(r"([\\`*\[\]()!~|#{}]|(?<!\w)_|_(?!\w))")


def _cell(value: object) -> str:
    """Text from the sites (categories, authors, reasons, titles) as inert Markdown: HTML
    escaped, Markdown punctuation backslash-escaped, on one line. A name such as
    ``<script>`` or ``[x](javascript:...)`` is shown as text, never run or linked."""
    text = " ".join(str(value).split())
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def _word_figures(words: list[int]) -> list[tuple[str, str]]:
    if not words:
        return []
    return [
        ("fewest", str(min(words))),
        ("median", f"{statistics.median(words):g}"),
        ("mean", f"{statistics.fmean(words):.1f}"),
        ("most", str(max(words))),
    ]


def _crawl_span(stats: CorpusStats) -> str:
    firsts = [s.first_crawl for s in stats.sources if s.first_crawl]
    lasts = [s.last_crawl for s in stats.sources if s.last_crawl]
    if not firsts:
        return "on unknown dates"
    return f"{utc_minute(min(firsts))[:10]} to {utc_minute(max(lasts))[:10]}"


# -- charts -------------------------------------------------------------------------------------


def _months_chart(stats: CorpusStats, path: Path) -> Path:
    """Bars of posts per month (Vientiane time), empty months included."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    months = _every_month(stats.by_month)
    counts = dict(stats.by_month)
    figure = Figure(figsize=(10, 3.6), dpi=100, layout="constrained")
    axes = figure.subplots()
    axes.bar(range(len(months)), [counts.get(m, 0) for m in months], width=0.9, color="#3b6ea5")
    ticks = [i for i, m in enumerate(months) if m.endswith("-01")] or list(range(len(months)))
    axes.set_xticks(ticks, [months[i][:4] for i in ticks] if len(months) > 12 else months)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("posts")
    axes.set_title("Posts per month (Vientiane time)")
    axes.grid(axis="y", alpha=0.3)
    return _save(figure, path)


def _words_chart(words: list[int], path: Path) -> Path:
    """Histogram of words per post, with the median marked."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.6), dpi=100, layout="constrained")
    axes = figure.subplots()
    if words:
        axes.hist(words, bins=min(50, max(5, len(set(words)))), color="#5a9367")
        median = statistics.median(words)
        axes.axvline(median, color="#333333", linestyle="--", linewidth=1)
        axes.annotate(f"median {median:g}", (median, 0), xytext=(4, 4), textcoords="offset points")
    axes.set_xlabel("words per post (ICU Lao word segmentation)")
    axes.set_ylabel("posts")
    axes.set_title("Words per post")
    axes.grid(axis="y", alpha=0.3)
    return _save(figure, path)


def _every_month(months: list[tuple[str, int]]) -> list[str]:
    if not months:
        return []
    year, month = map(int, months[0][0].split("-"))
    last = months[-1][0]
    out = []
    while True:
        label = f"{year:04d}-{month:02d}"
        out.append(label)
        if label >= last:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _save(figure, path: Path) -> Path:
    with replacing(path, "wb") as output:
        figure.savefig(output, format="png")
    return path
