"""Lao segmentation: speed on the sample site's text and boundary F1 on a hand-segmented gold set.

Compares the word segmenter the corpus uses (ICU's Lao dictionary break iterator) with laonlp's
``word_tokenize`` (installed only with ``pip install -e '.[compare]'``), and measures the
rule-based syllable tokenizer used for near-duplicate shingles. Boundaries are scored inside
runs of Lao text only: a space or punctuation is a boundary every tool finds for free.

    python -m benchmarks.segmentation [--posts 2000]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "tests" / "data" / "lao_words_gold.txt"
console = Console()


def _is_lao(char: str) -> bool:
    return "\u0e80" <= char <= "\u0eff"


def read_gold(path: Path = GOLD) -> list[tuple[str, set[int]]]:
    """Each gold sentence as (text, word boundaries inside Lao runs, as character offsets)."""
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text = line.replace("|", "")
        marks, position = set(), 0
        for char in line:
            if char == "|":
                marks.add(position)
            else:
                position += 1
        sentences.append((text, _inside_lao(text, marks)))
    return sentences


def _inside_lao(text: str, offsets: set[int]) -> set[int]:
    return {i for i in offsets if 0 < i < len(text) and _is_lao(text[i - 1]) and _is_lao(text[i])}


def boundaries(text: str, tokens: list[str]) -> set[int]:
    """Token start and end offsets in ``text`` (tokens in order), inside Lao runs."""
    found, position = set(), 0
    for token in tokens:
        if not token.strip():
            continue
        start = text.index(token, position)
        found.update((start, start + len(token)))
        position = start + len(token)
    return _inside_lao(text, found)


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int


def score(segment: Callable[[str], list[str]], gold: list[tuple[str, set[int]]]) -> Score:
    """Boundary precision, recall and F1 of a segmenter against the gold set."""
    tp = fp = fn = 0
    for text, expected in gold:
        found = boundaries(text, segment(text))
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, tp, fp, fn)


def speed(segment: Callable[[str], list[str]], texts: list[str], limit: float = 20.0) -> dict:
    """MB/s (UTF-8) and ms per post over ``texts``, stopping after ``limit`` seconds."""
    segment(texts[0])  # load dictionaries before timing
    done = size = 0
    started = time.perf_counter()
    for text in texts:
        segment(text)
        done += 1
        size += len(text.encode("utf-8"))
        if time.perf_counter() - started > limit:
            break
    elapsed = time.perf_counter() - started
    return {"posts": done, "mb_per_s": size / elapsed / 1e6, "ms_per_post": 1000 * elapsed / done}


def segmenters() -> dict[str, Callable[[str], list[str]]]:
    from text import lao

    found: dict[str, Callable[[str], list[str]]] = {
        "ICU words (corpus)": lao.words,
        "syllables (corpus)": lao.syllables,
    }
    try:
        from laonlp.tokenize import word_tokenize
    except ImportError:
        console.print("laonlp is not installed (pip install -e '.[compare]'): ICU only")
    else:
        found["laonlp words"] = word_tokenize
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2000, help="sample-site posts to time")
    args = parser.parse_args()
    from testing.samplesite import SampleSite

    site = SampleSite(posts=args.posts, seed=1)
    texts = [site.text(post) for post in site.posts]
    gold = read_gold()
    results = {}
    for name, segment in segmenters().items():
        results[name] = {**speed(segment, texts), **asdict(score(segment, gold))}
    table = Table(title=f"Lao segmentation: {len(gold)} gold sentences, {args.posts} posts timed")
    for column in ("segmenter", "MB/s", "ms/post", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "segmenter" else "right")
    for name, r in results.items():
        table.add_row(
            name,
            f"{r['mb_per_s']:.2f}",
            f"{r['ms_per_post']:.3f}",
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['f1']:.3f}",
        )
    console.print(table)
    console.print(
        "Syllables are scored against word boundaries: their recall says how many word "
        "boundaries fall between syllables (precision is low by design)."
    )
    (REPO / "bench-results").mkdir(exist_ok=True)
    (REPO / "bench-results" / "segmentation.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
