"""The ``laocorpus`` tool as a user runs it: demo, stats, export, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from publish.export import EXPORT_FIELDS
from tests.corpus_check import REPO


def laocorpus(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160"}
    env.pop("CORPUS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_corpus(tmp_path_factory) -> str:
    """The corpus `laocorpus demo` builds (120-post sample site)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'corpus.sqlite'}"
    result = laocorpus("demo", "--db", url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Crawl summary" in result.stdout
    return url


@pytest.mark.e2e
def test_demo_prints_summary_and_export_has_every_field(demo_corpus, truth, tmp_path) -> None:
    output = tmp_path / "posts.jsonl"
    result = laocorpus("export", "--format", "jsonl", "--output", str(output), "--db", demo_corpus)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(truth["posts"])
    assert all(tuple(record) == EXPORT_FIELDS for record in records)
    by_path = {"/" + r["url"].split("/", 3)[3]: r for r in records}
    for post in truth["posts"]:
        record = by_path[post["path"]]
        assert record["title"] == post["title"]
        assert record["text"] == post["text"]
        assert record["categories"] == post["categories"]
        assert record["published_at"].endswith("+00:00")
    reposts = [r for r in records if r["duplicate_of"]]
    assert [r["url"].rsplit("/", 2)[1] for r in reposts] == [
        p["path"].strip("/") for p in truth["reposts"]
    ]


@pytest.mark.e2e
def test_export_filters(demo_corpus, truth, tmp_path) -> None:
    output = tmp_path / "2016.jsonl"
    result = laocorpus(
        "export",
        "-o",
        str(output),
        "--db",
        demo_corpus,
        "--since",
        "2016-01-01",
        "--until",
        "2017-01-01",
        "--dedup",
    )
    assert result.returncode == 0, result.stderr
    got = sorted(json.loads(line)["post_id"] for line in output.read_text().splitlines())
    near = {n["path"] for n in truth["near_duplicates"]}  # --dedup leaves them out too
    want = sorted(
        p["post_id"]
        for p in truth["posts"]
        if p["published_at"][:4] == "2016"
        and p["duplicate_of_path"] is None
        and p["path"] not in near
    )
    assert got == want


@pytest.mark.e2e
def test_stats_matches_corpus(demo_corpus, truth) -> None:
    result = laocorpus("stats", "--db", demo_corpus)
    assert result.returncode == 0, result.stderr
    cells = [
        [cell.strip() for cell in line.strip("│┃ ").split("│")]
        for line in result.stdout.splitlines()
        if line.startswith("│")
    ]
    rows = {tuple(row[:-1]): row[-1] for row in cells if len(row) == 2}
    assert rows[("posts",)] == str(len(truth["posts"]))
    assert rows[("exact reposts",)] == str(len(truth["reposts"]))
    assert rows[("rejects",)] == str(len(truth["rejects"]))
    years = Counter(post["published_at"][:4] for post in truth["posts"])  # local (+07:00) years
    for year, count in years.items():
        assert rows[(year,)] == str(count)
    categories = Counter(name for post in truth["posts"] for name in post["categories"])
    for name, count in categories.items():
        assert rows[(name,)] == str(count)
    assert "Recent crawl runs" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["export", "--format", "xml", "-o", "x.jsonl"],
            "Invalid value for '--format': 'xml' is not one of 'jsonl', 'csv', 'parquet'",
        ),
        (["export", "-o", "x.jsonl", "--since", "yesterday"], "is not a date like 2016-11-25"),
        (["export", "-o", "/nonexistent-dir/x.jsonl"], "does not exist"),
        (
            ["export", "-o", "x.jsonl", "--db", "postgresql://u:secret@127.0.0.1:1/x"],
            "cannot open database postgresql://u:***@127.0.0.1:1/x: connection failed",
        ),
        (
            ["export", "-o", "x.jsonl", "--db", "sqlite:///nonexistent/corpus.sqlite"],
            "no corpus at",
        ),
        (
            ["export", "-o", "x.jsonl", "--db", "postgresql://u:secret@127.0.0.1:port/x"],
            "invalid database URL: postgresql://***@127.0.0.1:port/x",
        ),
        (["export", "-o", "x.jsonl", "--db", "nonsense"], "no corpus at nonsense"),
        (["crawl", "nosuchsite"], "unknown site 'nosuchsite'"),
        (["export", "-o", "-", "--format", "parquet"], "parquet needs a file, not stdout"),
        (["export", "-o", "x.csv", "--fields", "url,,body"], "unknown field 'body'"),
        (["dedup", "--threshold", "2"], "2.0 is not in the range 0.05<=x<=1.0"),
        (
            ["serve", "--db", "postgresql://u:secret@127.0.0.1:1/x"],
            "serve needs a SQLite corpus, not postgresql://u:***@127.0.0.1:1/x",
        ),
        (["serve", "--db", "sqlite:///nonexistent/corpus.sqlite"], "no corpus at"),
        (["card", "-o", "/nonexistent-dir/card"], "does not exist"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_misuse_is_one_clear_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = laocorpus(*args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("laocorpus: error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr and "secret" not in result.stderr


def table_rows(output: str) -> dict[tuple[str, ...], str]:
    """Two-column rows of the rich tables in ``output``: {(label,): value}."""
    cells = [
        [cell.strip() for cell in line.strip("│┃ ").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]
    return {tuple(row[:-1]): row[-1] for row in cells if len(row) == 2}


def card_rows(card: str, columns: int = 2) -> dict[tuple[str, ...], str]:
    """Rows of the Markdown tables in the card with ``columns`` cells: {(label,): rest}."""
    rows = {}
    for line in card.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == columns and not cells[1].startswith("-"):
            rows[(cells[0].strip("`"),)] = " ".join(cells[1:])
    return rows


def coverage_rows(output: str) -> dict[str, str]:
    """The field coverage table of ``laocorpus stats``: {field: "posts share"}."""
    section = output.split("Field coverage", 1)[1]
    cells = [
        [cell.strip() for cell in line.strip("│┃ ").split("│")]
        for line in section.splitlines()
        if line.startswith("│")
    ]
    return {row[0]: " ".join(row[1:]) for row in cells if len(row) == 3}


@pytest.mark.e2e
def test_card_figures_match_stats_and_the_ground_truth(demo_corpus, truth, tmp_path) -> None:
    from PIL import Image

    out = tmp_path / "card"
    result = laocorpus("card", "--db", demo_corpus, "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "posts_by_category.png",
        "posts_per_month.png",
        "words_per_post.png",
    ]
    card = (out / "README.md").read_text(encoding="utf-8")
    for chart in ("posts_per_month.png", "words_per_post.png", "posts_by_category.png"):
        assert f"]({chart})" in card
        data = (out / chart).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(out / chart) as image:
            image.verify()
        with Image.open(out / chart) as image:
            assert image.format == "PNG" and image.size[0] >= 600 and image.size[1] >= 300

    stats = laocorpus("stats", "--db", demo_corpus)
    assert stats.returncode == 0, stats.stderr
    printed, written = table_rows(stats.stdout), card_rows(card)
    for label in (
        "posts", "unique posts", "exact reposts", "near-duplicates", "near-duplicate clusters",
        "posts without reposts", "gone posts", "rejects", "words", "characters", "first published",
        "last published",
    ):  # fmt: skip
        assert written[(label,)] == printed[(label,)], label
    years = Counter(post["published_at"][:4] for post in truth["posts"])
    months = Counter(post["published_at"][:7] for post in truth["posts"])  # local (+07:00)
    categories = Counter(name for post in truth["posts"] for name in post["categories"])
    authors = Counter(post["author"] for post in truth["posts"])
    for counts in (years, months, categories, authors):
        for name, count in counts.items():
            assert written[(name,)] == printed[(name,)] == str(count), name
    assert written[("posts",)] == str(len(truth["posts"]))
    assert written[("near-duplicates",)] == str(len(truth["near_duplicates"]))
    assert written[("exact reposts",)] == str(len(truth["reposts"]))
    assert written[("posts without reposts",)] == str(
        len(truth["posts"]) - len(truth["reposts"]) - len(truth["near_duplicates"])
    )
    for reject in truth["rejects"]:
        assert written[(reject["reason"],)] == printed[(reject["reason"],)] == "1"
    section = card.split("## Field coverage", 1)[1].split("## Export schema", 1)[0]
    coverage = {field: value for (field,), value in card_rows(section, 3).items()}
    del coverage["field"]  # the header
    printed_coverage = coverage_rows(stats.stdout)
    assert coverage == printed_coverage and set(coverage) == set(EXPORT_FIELDS)
    assert coverage["near_duplicate_of"].split()[0] == str(len(truth["near_duplicates"]))
    assert coverage["text"] == f"{len(truth['posts'])} 100.0%"
    for section in ("Sources and crawl dates", "Export schema", "Licence and citation"):
        assert f"## {section}" in card


@pytest.mark.e2e
def test_dedup_finds_the_planted_reposts_incrementally(demo_corpus, truth) -> None:
    again = laocorpus("dedup", "--db", demo_corpus)  # the demo already ran it
    assert again.returncode == 0, again.stderr
    rows = table_rows(again.stdout)
    assert rows[("signatures computed",)] == "0" and rows[("posts compared",)] == "0"
    assert rows[("near-duplicates in corpus",)] == str(len(truth["near_duplicates"]))
    rebuilt = laocorpus("dedup", "--db", demo_corpus, "--rebuild")
    rows = table_rows(rebuilt.stdout)
    assert rows[("signatures computed",)] == str(len(truth["posts"]) - len(truth["reposts"]))
    assert rows[("near-duplicates in corpus",)] == str(len(truth["near_duplicates"]))


@pytest.mark.e2e
def test_export_formats_and_filters_from_the_command_line(demo_corpus, truth, tmp_path) -> None:
    import pyarrow.parquet as pq

    near = {n["path"] for n in truth["near_duplicates"]}
    want = sorted(
        p["post_id"]
        for p in truth["posts"]
        if "ຂ່າວ" in p["categories"]
        and p["author"] in ("somchan", "admin")
        and p["duplicate_of_path"] is None
        and p["path"] not in near
    )
    found = {}
    for fmt in ("jsonl", "csv", "parquet"):
        output = tmp_path / f"news.{fmt}"
        result = laocorpus(
            "export", "--db", demo_corpus, "--format", fmt, "-o", str(output), "--dedup",
            "--category", "ຂ່າວ", "--author", "somchan", "--author", "admin",
            "--fields", "post_id,url,categories",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stderr.strip() == f"wrote {len(want)} posts to {output}"
        if fmt == "jsonl":
            found[fmt] = [json.loads(line)["post_id"] for line in output.read_text().splitlines()]
        elif fmt == "csv":
            lines = output.read_text(encoding="utf-8").splitlines()
            assert lines[0] == "post_id,url,categories"
            found[fmt] = [int(line.split(",", 1)[0]) for line in lines[1:]]
        else:
            found[fmt] = pq.read_table(output).column("post_id").to_pylist()
        assert sorted(found[fmt]) == want
    assert found["jsonl"] == found["csv"] == found["parquet"]
    bad = laocorpus("export", "--db", demo_corpus, "-o", str(tmp_path / "x"), "--author", "nobody")
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1
    assert "unknown author 'nobody'" in bad.stderr and not (tmp_path / "x").exists()


def test_dedup_default_threshold_is_the_library_default() -> None:
    from analysis import neardup
    from cli.dedup import dedup

    threshold = next(p for p in dedup.params if p.name == "threshold")
    assert threshold.default == neardup.DEFAULT_THRESHOLD
