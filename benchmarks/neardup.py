"""Near-duplicate detection: how the threshold was chosen, and how detection scales.

1. Threshold: on a 25,000-post generated corpus, the exact Jaccard similarity of *every* pair
   of posts (a sparse matrix product, block by block, no sampling) is compared with the
   planted near-duplicates; precision and recall of "similarity >= t" are reported for a range
   of t, with the most similar unrelated pair (boilerplate pairs included) and the least
   similar planted pair.
2. Scale: ``neardup.update`` from nothing on 25k, 50k, 100k and 200k posts, each in its own
   process (time, peak memory), with precision and recall against the planted pairs, and
   band collisions and candidates per post: both must stay flat as the corpus grows (the
   acceptance bound is 2x from 25k to 200k for candidates, 25% for time per post).
3. Incremental: 1,000 new posts (10 of them near-duplicates of old posts) added to the largest
   corpus; only they are hashed and compared against the index.

    python -m benchmarks.neardup [--sizes 25000 50000 100000 200000] [--sweep 25000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks import corpusgen
from benchmarks.measure import run

REPO = Path(__file__).resolve().parent.parent
THRESHOLDS = (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)
console = Console(width=None if Console().is_terminal else 120)


# -- 1. threshold -------------------------------------------------------------------------------


def sweep(path: Path) -> dict[str, Any]:
    """Exact all-pairs similarities of a generated corpus against its planted pairs."""
    import scipy.sparse as sparse

    from analysis.neardup import DEFAULT_THRESHOLD, shingle_hashes

    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT post_id, text FROM posts WHERE duplicate_of_id IS NULL ORDER BY id"
        ).fetchall()
    db.close()
    index = {post_id: i for i, (post_id, _) in enumerate(rows)}
    sets = [shingle_hashes(text) for _, text in rows]
    sizes = np.array([len(s) for s in sets])
    columns, inverse = np.unique(np.concatenate(sets), return_inverse=True)
    pointers = np.r_[0, np.cumsum(sizes)]
    matrix = sparse.csr_matrix(
        (np.ones(len(inverse), dtype=np.int32), inverse, pointers), shape=(len(sets), len(columns))
    )
    truth = corpusgen.truth_of(path)
    planted = {
        _pair(index[a], index[b]): edit
        for a, b, edit in truth["near_duplicates"]
        if a in index and b in index
    }
    boilerplate = {_pair(index[a], index[b]) for a, b in truth["boilerplate"]}
    similar: dict[tuple[int, int], float] = {}  # every pair at or above the lowest threshold
    unrelated_max = boiler_max = 0.0
    pairs = 0
    transposed = matrix.T.tocsc()
    for start in range(0, len(sets), 2000):
        block = (matrix[start : start + 2000] @ transposed).tocoo()
        rows_, cols, shared = block.row + start, block.col, block.data
        upper = cols > rows_
        rows_, cols, shared = rows_[upper], cols[upper], shared[upper]
        jaccard = shared / (sizes[rows_] + sizes[cols] - shared)
        pairs += len(jaccard)
        keep = jaccard >= min(THRESHOLDS) / 2
        for i, j, value in zip(rows_[keep], cols[keep], jaccard[keep], strict=True):
            similar[(int(i), int(j))] = float(value)
    for pair, value in similar.items():
        if pair in boilerplate:
            boiler_max = max(boiler_max, value)
        if pair not in planted:
            unrelated_max = max(unrelated_max, value)
    by_edit: dict[str, list[float]] = {}
    for pair, edit in planted.items():
        by_edit.setdefault(edit, []).append(similar.get(pair, 0.0))
    table = []
    for threshold in THRESHOLDS:
        found = {pair for pair, value in similar.items() if value >= threshold}
        hits = len(found & planted.keys())
        table.append(
            {
                "threshold": threshold,
                "precision": hits / len(found) if found else 1.0,
                "recall": hits / len(planted),
                "false_positives": len(found) - hits,
            }
        )
    return {
        "posts": len(sets),
        "pairs_with_shared_shingles": pairs,
        "all_pairs": len(sets) * (len(sets) - 1) // 2,
        "planted": len(planted),
        "boilerplate_pairs": len(boilerplate),
        "most_similar_unrelated": unrelated_max,
        "most_similar_boilerplate_pair": boiler_max,
        "least_similar_planted": {edit: min(values) for edit, values in by_edit.items()},
        "default_threshold": DEFAULT_THRESHOLD,
        "sweep": table,
    }


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


# -- 2. scale and 3. incremental ----------------------------------------------------------------


def precision_recall(path: Path, planted: list[list]) -> dict[str, Any]:
    """Found (post, original) pairs against planted ones, by WordPress ID."""
    with sqlite3.connect(path) as db:
        found = set(
            db.execute(
                "SELECT p.post_id, o.post_id FROM near_duplicates n "
                "JOIN posts p ON p.id = n.post_id JOIN posts o ON o.id = n.original_id"
            ).fetchall()
        )
    db.close()
    wanted = {(a, b) for a, b, *_ in planted}
    hits = len(found & wanted)
    return {
        "planted": len(wanted),
        "found": len(found),
        "precision": hits / len(found) if found else 1.0,
        "recall": hits / len(wanted) if wanted else 1.0,
        "missed": sorted(wanted - found)[:10],
        "unexpected": sorted(found - wanted)[:10],
    }


def append_posts(path: Path, count: int, near: int, seed: int = 7) -> list[list]:
    """Add ``count`` new posts, ``near`` of them near-duplicates of existing posts."""
    from corpus.db import dispose_engines, init_db
    from corpus.writer import CorpusWriter
    from testing.samplesite.content import NEAR_DUPLICATE_EDITS, SampleSite, edit_paragraphs

    url = f"sqlite:///{path}"
    rng = random.Random(seed)
    with sqlite3.connect(path) as db:
        top, latest = db.execute("SELECT max(post_id), max(published_at) FROM posts").fetchone()
        latest_date = datetime.fromisoformat(latest).replace(tzinfo=UTC)
        sources = db.execute(
            "SELECT post_id, text FROM posts WHERE duplicate_of_id IS NULL AND id NOT IN "
            "(SELECT post_id FROM near_duplicates) AND id NOT IN "
            "(SELECT original_id FROM near_duplicates) ORDER BY random() LIMIT ?",
            (near * 5,),
        ).fetchall()
    db.close()
    site = SampleSite(posts=2 * count, seed=seed)
    fresh = [
        post
        for post in site.posts
        if post.repost_of is None
        and post.near_duplicate_of is None
        and post.frame is None
        and post.date_style != "none"
        and post.id != site.seed_post_id
    ][:count]
    records, planted = [], []
    for i, post in enumerate(fresh):
        post_id = top + 1 + i
        text = "\n\n".join(corpusgen.body(site, post))  # extended like the corpus's posts
        if i < near:
            source_id, source_text = next(
                (s, t) for s, t in sources if len(t.split("\n\n")) in range(3, 6)
            )
            sources = [s for s in sources if s[0] != source_id]
            edit = NEAR_DUPLICATE_EDITS[i % len(NEAR_DUPLICATE_EDITS)]
            text = "\n\n".join(edit_paragraphs(tuple(source_text.split("\n\n")), edit, rng))
            planted.append([post_id, source_id, edit])
        record = corpusgen._record(post, post.title, text)
        record.update(url=f"{corpusgen.BASE_URL}/{post_id}/", post_id=post_id)
        record["published_at"] = latest_date + timedelta(hours=i + 1)
        record["modified_at"] = None
        records.append(record)
    CorpusWriter(init_db(url)).write(records)
    dispose_engines()
    return planted


def scale(sizes: list[int], workdir: Path) -> list[dict[str, Any]]:
    from corpus import schema

    corpora = corpusgen.ensure_corpora(sizes, log=console.print)
    results = []
    for size in sizes:
        copy = workdir / f"neardup-{size}.sqlite"
        shutil.copyfile(corpora[size], copy)
        schema.upgrade(f"sqlite:///{copy}")  # a cached corpus may predate a migration
        with console.status(f"near-duplicates in {size:,} posts"):
            report = run("neardup", "--db", f"sqlite:///{copy}")
        planted = corpusgen.truth_of(corpora[size])["near_duplicates"]
        report.update(posts=size, **precision_recall(copy, planted))
        results.append(report)
        if size == max(sizes):
            added = append_posts(copy, 1000, 10)
            with console.status(f"1,000 posts added to {size:,}: incremental run"):
                again = run("neardup", "--db", f"sqlite:///{copy}")
            again.update(
                posts=size + 1000, label="+1,000 new", **precision_recall(copy, planted + added)
            )
            results.append(again)
        copy.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000, 200_000])
    parser.add_argument("--sweep", type=int, default=25_000, help="posts for the sweep (0: skip)")
    args = parser.parse_args()
    output: dict[str, Any] = {}
    if args.sweep:
        path = corpusgen.ensure_corpora([args.sweep], log=console.print)[args.sweep]
        with console.status(f"exact similarity of every pair of {args.sweep:,} posts"):
            output["threshold"] = found = sweep(path)
        _print_sweep(found)
    with tempfile.TemporaryDirectory(prefix="laocorpus-neardup-") as tmp:
        output["scale"] = results = scale(sorted(args.sizes), Path(tmp))
    _print_scale(results)
    (REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "neardup.json").write_text(json.dumps(output, indent=1))


def _print_sweep(found: dict[str, Any]) -> None:
    table = Table(
        title=f"Threshold: exact Jaccard of all {found['all_pairs']:,} pairs of "
        f"{found['posts']:,} posts ({found['planted']} planted near-duplicates)"
    )
    for column in ("threshold", "precision", "recall", "false positives"):
        table.add_column(column, justify="right")
    for row in found["sweep"]:
        mark = " ←" if row["threshold"] == found["default_threshold"] else ""
        table.add_row(
            f"{row['threshold']:.2f}{mark}",
            f"{row['precision']:.4f}",
            f"{row['recall']:.4f}",
            str(row["false_positives"]),
        )
    console.print(table)
    least = ", ".join(f"{k} {v:.3f}" for k, v in sorted(found["least_similar_planted"].items()))
    console.print(
        f"most similar unrelated pair {found['most_similar_unrelated']:.3f} "
        f"(boilerplate pairs: {found['most_similar_boilerplate_pair']:.3f}); "
        f"least similar planted: {least}"
    )


def _print_scale(results: list[dict[str, Any]]) -> None:
    table = Table(title="Near-duplicate detection (neardup.update, each run in its own process)")
    for column in (
        "posts",
        "hashed",
        "compared",
        "collisions/post",
        "candidates/post",
        "seconds",
        "µs/post",
        "CPU µs/post",
        "peak RSS MiB",
        "planted",
        "precision",
        "recall",
    ):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            r.get("label", f"{r['posts']:,}"),
            f"{r['signatures']:,}",
            f"{r['compared']:,}",
            f"{r.get('collisions', 0) / max(1, r['compared']):.2f}",
            f"{r['candidates'] / max(1, r['compared']):.3f}",
            f"{r['seconds']:.1f}",
            f"{1e6 * r['seconds'] / max(1, r['compared']):.0f}",
            f"{1e6 * r.get('cpu_seconds', 0) / max(1, r['compared']):.0f}",
            f"{r['peak_rss_mib']:.0f}",
            str(r["planted"]),
            f"{r['precision']:.4f}",
            f"{r['recall']:.4f}",
        )
    console.print(table)
    full = [r for r in results if "label" not in r]
    if len(full) > 1:
        first, last = full[0], full[-1]

        def growth(key: str) -> float:
            def per_post(r: dict[str, Any]) -> float:
                return r.get(key, 0) / max(1, r["compared"])

            return per_post(last) / max(1e-9, per_post(first))

        console.print(
            f"{first['posts']:,} -> {last['posts']:,} posts: candidates/post "
            f"x{growth('candidates'):.2f}, µs/post x{growth('seconds'):.2f} "
            f"(CPU x{growth('cpu_seconds'):.2f})"
        )
    for r in results:
        if r["missed"] or r["unexpected"]:
            console.print(
                f"{r.get('label', r['posts'])}: missed {r['missed']}, unexpected {r['unexpected']}"
            )


if __name__ == "__main__":
    main()
