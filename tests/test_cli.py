"""The ``laocorpus`` tool as a user runs it: demo, stats, export, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from corpus.export import EXPORT_FIELDS
from tests.corpus_check import REPO


def laocorpus(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160"}
    env.pop("CORPUS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "corpus.cli", *args],
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
    want = sorted(
        p["post_id"]
        for p in truth["posts"]
        if p["published_at"][:4] == "2016" and p["duplicate_of_path"] is None
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
            "Invalid value for '--format': 'xml' is not 'jsonl'",
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
        (["export", "-o", "x.jsonl", "--db", "nonsense"], "invalid database URL"),
        (["crawl", "nosuchsite"], "unknown site 'nosuchsite'"),
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
