"""Large generated corpora for the benchmarks, written straight to SQLite without crawling.

Why: near-duplicate detection and export are measured at 25,000-100,000 posts, far more than a
crawl of the sample site can produce in a benchmark's time. Posts come from the sample site's
text generator, with planted near-duplicates (each kind of edit), exact reposts and pairs of
unrelated posts sharing boilerplate, so precision and recall can be measured at scale too.
Bodies shorter than :data:`MIN_BODY` characters get more generated paragraphs (:func:`body`):
the sample site's grammar has few lead templates and stock sentences, so among 200,000 posts
two unrelated two-sentence posts can share most of their shingles by chance, and an accidental
pair above the threshold would count against a detector that is right about its similarity.
Corpora are cached under ``data/bench/``; smaller sizes are snapshots of a bigger one's first
posts, so one generation serves 25k, 50k and 100k.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from corpus.db import dispose_engines, init_db
from corpus.writer import CorpusWriter
from testing.samplesite.content import (
    CATEGORY_BY_SLUG,
    NEAR_DUPLICATE_EDITS,
    TAG_BY_SLUG,
    Post,
    SampleSite,
    edit_paragraphs,
    frame_paragraphs,
    generate_paragraphs,
)
from testing.samplesite.lexicon import BOILERPLATE
from text import lao

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "data" / "bench"
VERSION = 5  # bump when the generated content or the schema changes
SITE = "bench"
BASE_URL = "https://bench.example"
NEAR_SHARE = 0.01  # near-duplicate reposts of an earlier post
EXACT_SHARE = 0.005  # exact reposts
FRAMED_SHARE = 0.02  # posts wearing one of the boilerplate openings and closings
BATCH = 1000
MIN_BODY = 650  # characters (about 200 shingles): shorter generated bodies are extended
_EXTENSIONS = 8  # extension texts per post at most (keys text_key * 8 + 1..7, negated)


def corpus_path(posts: int, seed: int = 1) -> Path:
    return CACHE / f"corpus-{posts}-s{seed}-v{VERSION}.sqlite"


def ensure_corpora(sizes: Iterable[int], seed: int = 1, log=print) -> dict[int, Path]:
    """Cached corpora of the given sizes, generated (largest first) when missing."""
    sizes = sorted(set(sizes))
    missing = [size for size in sizes if not corpus_path(size, seed).exists()]
    if missing:
        CACHE.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        log(f"generating a {max(sizes):,}-post corpus (snapshots at {', '.join(map(str, sizes))})")
        generate(corpus_path(max(sizes), seed), max(sizes), seed, snapshots=sizes)
        log(f"generated in {time.perf_counter() - started:.0f} s")
    return {size: corpus_path(size, seed) for size in sizes}


def truth_of(path: Path) -> dict[str, Any]:
    """The planted pairs of a generated corpus (written next to it)."""
    return json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))


def generate(path: Path, posts: int, seed: int = 1, *, snapshots: Iterable[int] = ()) -> None:
    """Write ``posts`` posts to a new SQLite corpus at ``path`` (and snapshots of its prefixes)."""
    for old in (path, path.with_suffix(".truth.json")):
        old.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    writer = CorpusWriter(init_db(url))
    wanted = sorted(size for size in snapshots if size < posts)
    truth: dict[str, list] = {"near_duplicates": [], "exact": [], "boilerplate": []}
    batch: list[dict[str, Any]] = []
    written = 0
    for record, planted in _records(posts, seed):
        batch.append(record)
        for key, value in planted.items():
            truth[key].append(value)
        if len(batch) == BATCH or written + len(batch) in wanted:
            writer.write(batch)
            written += len(batch)
            batch = []
            if written in wanted:
                _snapshot(url, path, corpus_path(written, seed), truth, written)
    if batch:
        writer.write(batch)
    dispose_engines()
    _checkpoint(path)
    path.with_suffix(".truth.json").write_text(json.dumps({"posts": posts, **truth}))


def _snapshot(url: str, source: Path, target: Path, truth: dict[str, list], posts: int) -> None:
    dispose_engines()
    _checkpoint(source)
    shutil.copyfile(source, target)
    target.with_suffix(".truth.json").write_text(json.dumps({"posts": posts, **truth}))
    init_db(url)


def _checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _records(posts: int, seed: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``posts`` posts in publication order, each with what it plants (if anything)."""
    site = SampleSite(posts=posts + 1, seed=seed)  # its dateless post is skipped
    rng = random.Random(f"bench:{seed}:{posts}")
    plain: list[int] = []  # indexes of posts that may be reposted
    frames: dict[int, list[int]] = {}  # frame -> posts wearing it, waiting for a partner
    edits = iter(_cycle(NEAR_DUPLICATE_EDITS))
    texts: dict[int, tuple[str, ...]] = {}
    # Originals of the site's own reposts keep their text: replacing one (with a repost of
    # another post) would leave its planted copy a copy of nothing.
    reserved = {original for _, original, _ in site.near_duplicates}
    reserved |= {site.original_id, site.seed_post_id}
    for index, post in enumerate(site.posts):
        if post.date_style == "none":
            continue  # the sample site's dateless post is a reject, not a post
        paragraphs = body(site, post)
        title = post.title
        planted: dict[str, Any] = {}
        draw = rng.random()
        if post.near_duplicate_of is not None:
            planted["near_duplicates"] = [post.id, post.near_duplicate_of, post.edit]
        elif post.repost_of is not None:
            planted["exact"] = [post.id, post.repost_of]
        elif post.id in reserved:
            pass
        elif plain and draw < NEAR_SHARE:
            edit = next(edits)
            source = _source_for(site, plain, texts, edit, rng)
            plain.remove(source)  # one near-duplicate per original: two would be exact twins
            paragraphs = edit_paragraphs(texts[source], edit, rng)
            original = site.posts[source]
            title = title if edit == "headline" else original.title
            planted["near_duplicates"] = [post.id, original.id, edit]
        elif plain and draw < NEAR_SHARE + EXACT_SHARE:
            source = rng.choice(plain)
            paragraphs, title = texts[source], site.posts[source].title
            planted["exact"] = [post.id, site.posts[source].id]
        elif post.frame is None and draw < NEAR_SHARE + EXACT_SHARE + FRAMED_SHARE:
            frame = rng.randrange(len(BOILERPLATE))
            paragraphs = frame_paragraphs(paragraphs, frame)
            frames.setdefault(frame, []).append(post.id)
            if len(frames[frame]) == 2:
                planted["boilerplate"] = frames.pop(frame)
        elif post.frame is None and post.edit is None:
            plain.append(index)
            texts[index] = paragraphs
        yield _record(post, title, "\n\n".join(paragraphs)), planted
        posts -= 1
        if not posts:
            return


def body(site: SampleSite, post: Post) -> tuple[str, ...]:
    """The post's paragraphs on the sample site, extended when its original text is short.

    Why: unplanted posts must be genuinely distinct. The extension is a function of the text
    the post carries (``text_key``), so reposts, near-duplicates and their originals get the
    same one, and its keys (negative) are never a sample-site post's own text.
    """
    paragraphs = site.paragraphs(post)
    original = site.get(post.text_key) or post
    base = paragraphs if original is post else site.paragraphs(original)
    length = len("\n\n".join(base))
    extra: list[str] = []
    for k in range(1, _EXTENSIONS):
        if length >= MIN_BODY:
            break
        for para in generate_paragraphs(site.seed, -(post.text_key * _EXTENSIONS + k), post.topic):
            if length >= MIN_BODY:
                break
            extra.append(para)
            length += len(para) + 2
    return (*paragraphs, *extra)


def _source_for(
    site: SampleSite, plain: list[int], texts: dict[int, tuple[str, ...]], edit: str, rng
) -> int:
    """An earlier plain post whose paragraph count suits the edit (as on the sample site)."""
    fits = {"credit": range(2, 6), "paragraph": range(3, 7)}.get(edit, range(2, 7))
    for _ in range(50):
        source = rng.choice(plain)
        if len(texts[source]) in fits and any(c.isdigit() for c in "".join(texts[source])):
            return source
    return next(i for i in reversed(plain) if len(texts[i]) in fits)


def _cycle(items: tuple[str, ...]) -> Iterator[str]:
    while True:
        yield from items


def _record(post, title: str, text: str) -> dict[str, Any]:
    return {
        "site": SITE,
        "url": f"{BASE_URL}/{post.id}/",
        "post_id": post.id,
        "title": title,
        "author": post.author,
        "published_at": post.published,
        "modified_at": post.modified,
        "categories": [CATEGORY_BY_SLUG[slug].name for slug in post.categories],
        "tags": [TAG_BY_SLUG[slug].name for slug in post.tags],
        "body_html": None,
        "text": text,
        "language": "lo",
        "content_hash": lao.content_hash(text),
        "word_count": lao.word_count(text),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for size, path in ensure_corpora(args.sizes, args.seed).items():
        print(size, path, datetime.fromtimestamp(path.stat().st_mtime).isoformat())


if __name__ == "__main__":
    main()
