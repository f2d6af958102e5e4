"""The corpus card: a Hugging Face dataset card (README.md) describing the corpus, with charts.

The YAML front matter makes the output directory a dataset repository as it stands: licence,
language, size category, tasks, and ``configs`` whose ``data_files`` point at the Parquet
shards that ``laocorpus export --format parquet --shard-rows N --output DIR/data`` writes
(``data/<site>/train-*.parquet``): a ``default`` config with every site, and one per site when
there are several. Every figure comes from :func:`analysis.stats.corpus_stats`, the source of
``laocorpus stats``, so the card and the command always agree. The charts (publish/charts.py)
are linked by relative paths; one with nothing to show is left out with a note instead.
"""

from __future__ import annotations

import html
import re
import shlex
import statistics
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from analysis.stats import CorpusStats, corpus_stats, local_day, utc_minute
from corpus.db import mask_url
from corpus.models import NearDuplicate, Post
from publish import charts
from publish.export import EXPORT_FIELDS, FIELD_SCHEMA, shard_folder
from publish.safefile import write_text

CARD = "README.md"  # the name the Hugging Face Hub reads a dataset card from
MONTHS_CHART = "posts_per_month.png"
WORDS_CHART = "words_per_post.png"
CATEGORIES_CHART = "posts_by_category.png"
DATA_DIR = "data"  # the shards, relative to the card: data/<site>/train-00000-of-00001.parquet
DEFAULT_LICENSE = "other"  # the texts stay the publishers' (see the card's licence section)
# Hugging Face's size_categories buckets: (upper bound, exclusive; label).
SIZE_CATEGORIES = (
    (10**3, "n<1K"),
    (10**4, "1K<n<10K"),
    (10**5, "10K<n<100K"),
    (10**6, "100K<n<1M"),
    (10**7, "1M<n<10M"),
    (10**8, "10M<n<100M"),
    (10**9, "100M<n<1B"),
    (10**10, "1B<n<10B"),
    (10**11, "10B<n<100B"),
    (10**12, "100B<n<1T"),
)
# What unlabelled news text is for: language modelling, causal (text-generation) and masked
# (fill-mask). The categories are each site's own WordPress labels, not curated ones, so no
# classification task is claimed.
TASK_CATEGORIES = ("text-generation", "fill-mask")
TASK_IDS = ("language-modeling", "masked-language-modeling")


def write_card(
    engine: Engine, directory: Path, site: str | None = None, license: str = DEFAULT_LICENSE
) -> list[Path]:
    """Write the card and its charts into ``directory`` (and nowhere else); return the files.

    Charts that would be empty are not written; :class:`publish.charts.ChartWarning` says what
    a reader would see wrong in the others (no Lao font, glyphs drawn as boxes).
    """
    directory.mkdir(parents=True, exist_ok=True)
    stats = corpus_stats(engine, site=site)
    words = _words_per_post(engine, site)
    drawn = {
        MONTHS_CHART: charts.months_chart(stats.by_month, directory / MONTHS_CHART),
        WORDS_CHART: charts.words_chart(words, directory / WORDS_CHART),
        CATEGORIES_CHART: charts.categories_chart(stats.by_category, directory / CATEGORIES_CHART),
    }
    charted = {name for name, path in drawn.items() if path}
    text = render(stats, words, _methods(engine), str(engine.url), site, license, charted)
    card = write_text(directory / CARD, text)
    return [card, *(path for path in drawn.values() if path)]


def size_category(rows: int) -> str:
    """Hugging Face's size bucket for ``rows`` examples: 999 is n<1K, 1000 is 1K<n<10K."""
    for bound, label in SIZE_CATEGORIES:
        if rows < bound:
            return label
    return "n>1T"


def configs(stats: CorpusStats, site: str | None = None) -> list[dict]:
    """The card's ``configs``: ``default`` (every site, or ``site``) and, with several sites,
    one per site named after it; sites without posts have no shards, so no config (and a
    corpus without posts none at all)."""
    with_posts = [s.site for s in stats.sources if s.posts]
    if not with_posts:
        return []
    scope = shard_folder(site) if site else "*"
    found = [
        {
            "config_name": "default",
            "default": True,
            "data_files": [{"split": "train", "path": f"{DATA_DIR}/{scope}/train-*.parquet"}],
        }
    ]
    if site is None and len(with_posts) > 1:
        for name in with_posts:
            folder = shard_folder(name)
            found.append(
                {
                    "config_name": folder if folder != "default" else "default-site",
                    "data_files": [
                        {"split": "train", "path": f"{DATA_DIR}/{folder}/train-*.parquet"}
                    ],
                }
            )
    return found


def front_matter(
    stats: CorpusStats, site: str | None = None, license: str = DEFAULT_LICENSE
) -> str:
    """The YAML block between ``---`` lines that the Hub reads as the dataset's metadata."""
    import yaml

    metadata: dict = {
        "pretty_name": f"Lao News Corpus ({site})" if site else "Lao News Corpus",
        "language": ["lo"],
        "license": license,
    }
    if license == "other":
        metadata["license_name"] = "publishers-copyright"
    metadata |= {
        "multilinguality": "monolingual",
        "size_categories": [size_category(stats.posts)],
        "source_datasets": ["original"],
        "language_creators": ["found"],
        "annotations_creators": ["no-annotation"],
        "task_categories": list(TASK_CATEGORIES),
        "task_ids": list(TASK_IDS),
        "tags": ["news", "lao", "web-crawl", "wordpress"],
    }
    if found := configs(stats, site):
        metadata["configs"] = found
    dumped = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n"


def _loading(stats: CorpusStats, site: str | None) -> list[str]:
    """How to get the posts as a dataset: the export that writes the shards, then loading."""
    names = [config["config_name"] for config in configs(stats, site)]
    if not names:
        return ["## Loading", "", "No posts yet, so no shards and no configs."]
    only = f" --site {shlex.quote(site)}" if site else ""
    lines = [
        "## Loading",
        "",
        f"The posts are Parquet shards in `{DATA_DIR}/`, one folder per site, as the `configs` "
        "of the metadata above expect. `laocorpus` writes them (again) beside this card with:",
        "",
        "```sh",
        f"laocorpus export --format parquet --shard-rows 100000{only} --output DIR/{DATA_DIR}",
        "```",
        "",
        "where `DIR` is this card's directory. Hugging Face `datasets` then loads the directory "
        "(or the Hub repository it is pushed to) as it is:",
        "",
        "```python",
        "import datasets",
        "",
        'posts = datasets.load_dataset("DIR", split="train")  # every post',
    ]
    if len(names) > 1:
        lines.append(f'one_site = datasets.load_dataset("DIR", "{names[1]}", split="train")')
    listed = ", ".join(f"`{name}`" for name in names[1:])
    return [
        *lines,
        "```",
        "",
        "Configs: `default` (" + (f"site `{_cell(site)}`" if site else "every site") + ")"
        + (f"; one per site: {listed}." if listed else "."),
    ]  # fmt: skip


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


def render(
    stats: CorpusStats,
    words: list[int],
    methods: list[str],
    url: str,
    site: str | None = None,
    license: str = DEFAULT_LICENSE,
    charted: set[str] | frozenset[str] = frozenset((MONTHS_CHART, WORDS_CHART, CATEGORIES_CHART)),
) -> str:
    """The card's text: YAML front matter, then Markdown. ``charted``: the charts drawn."""
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sites = ", ".join(s.site for s in stats.sources) or "none"
    scope = f"site `{_cell(site)}`" if site else "the corpus"

    def chart(name: str, title: str, missing: str) -> str:
        if name in charted:
            return f"![{title}]({name})"
        return f"*No chart of {title.lower()}: {scope} has no {missing} yet.*"

    lines = [
        front_matter(stats, site, license).rstrip("\n"),
        "",
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
        f"| gone posts | {stats.gone} |",
        f"| words | {stats.words:,} |",
        f"| characters | {stats.characters:,} |",
        f"| rejects | {stats.rejects} |",
        f"| first published | {local_day(stats.first_published)} |",
        f"| last published | {local_day(stats.last_published)} |",
        "",
        "Dates are in Vientiane time (UTC+7); years and months below are counted in it too. "
        "Gone posts were deleted on their site after the crawler stored them: they stay in the "
        "corpus with `gone_at` set, and `laocorpus export --exclude-gone` leaves them out.",
        "",
        *_loading(stats, site),
        "",
        "## Sources and crawl dates",
        "",
        "| site | address | posts | gone | crawls | first crawl (UTC) | last crawl (UTC) "
        "| oldest check (UTC) |",
        "|---|---|---:|---:|---:|---|---|---|",
    ]
    for source in stats.sources:
        first, last = utc_minute(source.first_crawl), utc_minute(source.last_crawl)
        lines.append(
            f"| {_cell(source.site)} | {_cell(', '.join(source.hosts) or '-')} | "
            f"{source.posts} | {source.gone} | {source.crawls} | {first} | {last} "
            f"| {utc_minute(source.oldest_verified)} |"
        )
    lines += [
        "",
        "*Oldest check*: when the site's least recently verified live post was last confirmed "
        "against the site. Incremental crawls re-read every recent post and a rolling share of "
        "the older ones, so each post is checked again within a stated number of runs "
        "(`laocorpus runs` shows how many each run verified).",
    ]
    empty = [source.site for source in stats.sources if not source.posts]
    if empty:
        lines += [
            "",
            f"No posts yet from {', '.join(f'`{_cell(name)}`' for name in empty)}: "
            "no shards, no config and nothing in the charts for "
            f"{'it' if len(empty) == 1 else 'them'}.",
        ]
    span = f"{local_day(stats.first_published)} to {local_day(stats.last_published)}"
    lines += [
        "",
        "## Time span",
        "",
        f"Posts were published from {span}." if stats.posts else "No posts yet.",
        "",
        chart(MONTHS_CHART, "Posts per month", "posts"),
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
        chart(CATEGORIES_CHART, "Posts by category", "categories"),
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
        chart(WORDS_CHART, "Words per post", "posts"),
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
        f"- `laocorpus export --exclude-gone` leaves out the {stats.gone} gone posts.",
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
        "## Uses",
        "",
        f"Declared tasks: {', '.join(f'`{t}`' for t in TASK_CATEGORIES)} (`language-modeling`, "
        "`masked-language-modeling`): Lao news text for training and evaluating causal and "
        "masked language models, where Lao text is scarce. The categories are each site's own "
        "WordPress labels, neither curated nor consistent across sites, so no classification "
        "task is declared; `categories` can still seed topic experiments.",
        "",
        "## Licence and citation",
        "",
        f"Licence in the metadata: `{license}`"
        + (" (`publishers-copyright`)." if license == "other" else ".")
        + f" The texts are news articles published by the sites above ({sites}); their copyright "
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
