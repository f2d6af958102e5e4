"""``laocorpus rehash``: a corpus stored under the old normalization, brought up to date."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import select, update

from analysis import neardup
from cli.main import cli
from corpus.models import Post
from tests.truth_corpus import BASE_URL, record, write_posts

LAO_DIGITS = "໐໑໒໓໔໕໖໗໘໙"
DIRTY = 3  # posts whose stored text an old crawl left with typing errors


def old_hash(text: str) -> str:
    """content_hash before folding: SHA-256 of the stored (normalized) text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def folds(text: str) -> bool:
    """Whether the fold changes a clean text, by plain substring checks."""
    return any(s in text for s in ("ຫນ", "ຫມ", "ຫລ", " ໆ")) or any(d in text for d in LAO_DIGITS)


def test_rehash_brings_an_old_corpus_up_to_date(truth, sqlite_url) -> None:
    posts = list(truth["posts"])
    # a repost that differs from its original only by spelling ໜ as ຫນ: an old corpus kept
    # it apart, the fold makes it an exact copy
    source = next(p for p in posts if "ໜ" in p["text"] and not folds(p["text"]))
    respelled = dict(
        source,
        path="/respelled/",
        post_id=99_999,
        text=source["text"].replace("ໜ", "ຫນ"),
        published_at=(
            datetime.fromisoformat(source["published_at"]) + timedelta(days=1)
        ).isoformat(),
    )
    posts.append(respelled)
    engine = write_posts(sqlite_url, posts)
    neardup.update(engine)
    with engine.connect() as db:
        stored = {
            row.url: row
            for row in db.execute(select(Post.id, Post.url, Post.record_hash, Post.text))
        }
        repost = db.execute(
            select(Post.duplicate_of_id).where(Post.url == BASE_URL + "/respelled/")
        )
        assert repost.scalar_one() == stored[BASE_URL + source["path"]].id  # current rules
    # make it an old corpus: hashes without the fold, a few texts with typing errors
    dirty = [p for p in posts if "ທີ່" in p["text"] and "ແ" in p["text"] and p is not respelled]
    dirty = dirty[:DIRTY]
    with engine.begin() as db:
        for row in stored.values():
            db.execute(
                update(Post).where(Post.id == row.id).values(content_hash=old_hash(row.text))
            )
        db.execute(
            update(Post).where(Post.url == BASE_URL + "/respelled/").values(duplicate_of_id=None)
        )
        for post in dirty:
            text = post["text"].replace("ທີ່", "ທີ່່", 1).replace("ແ", "ເເ", 1)
            db.execute(
                update(Post)
                .where(Post.url == BASE_URL + post["path"])
                .values(text=text, content_hash=old_hash(text), record_hash="old")
            )
    expected_changed = sum(1 for p in posts if folds(p["text"])) + len(dirty)
    assert all(not folds(p["text"]) for p in dirty)  # counted once
    runner = CliRunner()

    check = runner.invoke(cli, ["rehash", "--check", "--db", sqlite_url])
    assert check.exit_code == 1, check.output
    assert check.output == (
        f"rehash --check: {len(posts)} posts, {DIRTY} texts and {expected_changed} hashes stale\n"
    )

    done = runner.invoke(cli, ["rehash", "--db", sqlite_url])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines == [
        f"rehash: {len(posts)} posts, {expected_changed} hashes changed, 1 new duplicate groups",
        f"near-duplicates refreshed: {len(truth['near_duplicates'])} in corpus",
    ]
    assert all(len(line) <= 80 for line in lines)
    with engine.connect() as db:
        rows = {row.url: row for row in db.execute(select(Post))}
    for post in posts:
        row = rows[BASE_URL + post["path"]]
        assert row.text == post["text"]  # typing errors gone, the writer's spelling kept
        assert row.content_hash == record(post)["content_hash"]
        assert row.record_hash == stored[row.url].record_hash  # as a fresh crawl stores it
    assert rows[BASE_URL + "/respelled/"].duplicate_of_id == rows[BASE_URL + source["path"]].id

    again = runner.invoke(cli, ["rehash", "--db", sqlite_url])
    assert again.output.splitlines()[0] == (
        f"rehash: {len(posts)} posts, 0 hashes changed, 0 new duplicate groups"
    )
    # a run interrupted after its hash batches: the next one still links the copy
    with engine.begin() as db:
        db.execute(
            update(Post).where(Post.url == BASE_URL + "/respelled/").values(duplicate_of_id=None)
        )
    resumed = runner.invoke(cli, ["rehash", "--db", sqlite_url])
    assert resumed.output.splitlines()[0] == (
        f"rehash: {len(posts)} posts, 0 hashes changed, 1 new duplicate groups"
    )
    with engine.connect() as db:
        link = select(Post.duplicate_of_id).where(Post.url == BASE_URL + "/respelled/")
        assert db.execute(link).scalar_one() == rows[BASE_URL + source["path"]].id
    clean = runner.invoke(cli, ["rehash", "--check", "--db", sqlite_url])
    assert (clean.exit_code, clean.output) == (
        0,
        f"rehash --check: {len(posts)} posts, 0 texts and 0 hashes stale\n",
    )


def test_rehash_of_a_missing_corpus_is_one_line(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "rehash", "--db", f"sqlite:///{tmp_path}/none.sqlite"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"laocorpus: error: no corpus at {tmp_path}/none.sqlite (run a crawl or `laocorpus demo`)"
    ]
