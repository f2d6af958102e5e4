"""The post parser on 44 real WordPress news pages: floors a regression must not break.

The pages and their expected values (fundus's test data) live outside the project, in
``../shared/realpages/``; nothing of them is copied here. The scores are the benchmark's
(``benchmarks/realpages.py``), computed from the very item ``laocorpus extract`` prints.
"""

from __future__ import annotations

import difflib
import json
import os
import statistics

import pytest
from click.testing import CliRunner

from benchmarks.realpages import (
    MISSING,
    PAGES,
    collapse,
    expected_text,
    load_pages,
    our_items,
    score,
)
from cli.extract import extract

pytestmark = pytest.mark.xdist_group("realpages")


@pytest.fixture(scope="module")
def pages():
    if not PAGES.is_dir() or not any(PAGES.glob("*.json")):
        message = f"the shared real pages are missing: {PAGES}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return load_pages()


@pytest.fixture(scope="module")
def items(pages):
    return our_items(pages)


@pytest.fixture(scope="module")
def scores(pages, items):
    return [score(page, item) for page, item in zip(pages, items, strict=True)]


def test_every_page_is_there(pages) -> None:
    assert len(pages) == 44


def test_body_similarity_floors(scores) -> None:
    bodies = {s["name"]: round(s["body"], 3) for s in scores}
    assert statistics.fmean(bodies.values()) >= 0.96
    assert {name: b for name, b in bodies.items() if b < 0.84} == {}


def test_no_empty_body_and_no_reject_for_missing_text_or_date(scores) -> None:
    assert [s["name"] for s in scores if s["empty"]] == []
    assert {s["name"]: s["rejected"] for s in scores if s["rejected"] in MISSING} == {}


def test_similarity_is_difflibs_ratio(pages, items, scores) -> None:
    """The scores' (compiled) similarity is the issue's ``difflib`` ratio, to the last bit; the
    five shortest pages keep the pure-Python check fast."""
    shortest = sorted(range(len(pages)), key=lambda i: len(expected_text(pages[i].expected)))[:5]
    for i in shortest:
        ours, theirs = collapse(items[i]["text"]), expected_text(pages[i].expected)
        ratio = difflib.SequenceMatcher(None, ours, theirs, autojunk=False).ratio()
        assert scores[i]["body"] == ratio, pages[i].name


def test_titles(scores) -> None:
    assert sum(s["title"] for s in scores) >= 41, [s["name"] for s in scores if not s["title"]]


def test_dates_to_the_minute_with_offset(scores) -> None:
    dated = [s for s in scores if s["date"] is not None]
    assert len(dated) == 39
    assert sum(s["date"] for s in dated) >= 39, [s["name"] for s in dated if not s["date"]]


def test_author_sets(scores) -> None:
    assert sum(s["authors"] for s in scores) >= 41, [s["name"] for s in scores if not s["authors"]]


def test_cli_prints_the_benchmarks_item(pages, items) -> None:
    """``laocorpus extract PAGE.html.gz --url URL`` is the item the figures are computed from."""
    runner = CliRunner()
    for page, item in zip(pages, items, strict=True):
        path = PAGES / f"{page.name}.html.gz"
        result = runner.invoke(extract, [str(path), "--url", page.url])
        assert result.exit_code == 0, (page.name, result.output)
        assert json.loads(result.output) == item, page.name
