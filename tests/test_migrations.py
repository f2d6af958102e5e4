"""Schema revisions: the migrations build the models' schema, carry a first-release corpus with
its data to the current schema, and the crawler refuses a corpus at any other revision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from corpus import schema
from corpus.db import CorpusError, get_engine, init_db
from corpus.models import Base
from testing.samplesite.groundtruth import ground_truth
from testing.verify import differences
from tests.corpus_check import REPO, run_crawl

FIRST = "0001_foundation"
T0 = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)
OLD_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def laocorpus(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_migrations_build_exactly_the_models_schema(database_url: str) -> None:
    assert schema.upgrade(database_url) == (None, schema.head())
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == [], (
            "corpus/models.py and corpus/migrations differ: add a revision"
        )
    init_db(database_url)  # and the crawler accepts the result


def first_release_corpus(url: str, base_url: str, truth: dict) -> dict:
    """A corpus as the first release left it: a run, three posts, their terms, a reject."""
    schema.upgrade(url, FIRST)
    engine = get_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    posts = [p for p in truth["posts"] if not p.get("duplicate_of_path")][:3]
    with engine.begin() as db:
        db.execute(
            tables.tables["crawl_runs"].insert(),
            {
                "id": 1, "spider": "lsr", "site": "lsr", "arguments": {"base_url": base_url},
                "hostname": "old", "pid": 1, "started_at": T0, "finished_at": T0,
                "status": "finished", "finish_reason": "finished", "requests": 10,
                "responses": 10, "items_scraped": 3, "posts_new": 3, "posts_updated": 0,
                "posts_unchanged": 0, "posts_duplicate": 0, "rejected": 1, "errors": 0,
            },
        )  # fmt: skip
        for number, post in enumerate(posts, start=1):
            db.execute(
                tables.tables["posts"].insert(),
                {
                    "id": number, "site": "lsr", "url": base_url + post["path"],
                    "post_id": post["post_id"], "title": f"old title {number}", "author": "somchan",
                    "published_at": OLD_DATE,  # before the site's: re-crawls refresh it
                    "modified_at": None, "language": "lo", "body_html": "<p>old</p>",
                    "text": "old", "content_hash": f"{number:064d}", "record_hash": "0" * 64,
                    "word_count": 1, "char_count": 3, "duplicate_of_id": None,
                    "first_seen_at": T0, "last_seen_at": T0, "first_run_id": 1, "last_run_id": 1,
                },
            )  # fmt: skip
        term = {"id": 1, "site": "lsr", "taxonomy": "tag", "name": "ເກົ່າ"}
        db.execute(tables.tables["terms"].insert(), term)
        db.execute(
            tables.tables["post_terms"].insert(), {"post_id": 1, "term_id": 1, "position": 0}
        )
        db.execute(
            tables.tables["rejects"].insert(),
            {
                "id": 1, "url": base_url + "/999999/", "site": "lsr", "stage": "fetch",
                "reason": "HTTP 500", "http_status": 500, "raw": {"note": "ທົດລອງ"},
                "first_seen_at": T0, "last_seen_at": T0, "times_seen": 2, "last_run_id": 1,
            },
        )  # fmt: skip
        if db.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("crawl_runs", "posts", "terms", "rejects"):
                db.execute(text(f"SELECT setval('{table}_id_seq', 100)"))
    return {"posts": posts}


def test_first_release_corpus_upgrades_with_its_data_then_crawls(
    database_url: str, site, server
) -> None:
    base = server.base_url
    truth = ground_truth(site)
    old = first_release_corpus(database_url, base, truth)
    engine = get_engine(database_url)

    with pytest.raises(CorpusError) as refused:  # the crawler's way in refuses it, in one line
        init_db(database_url)
    message = str(refused.value)
    assert "\n" not in message
    assert f"has schema revision {FIRST}, this code expects {schema.head()}" in message
    assert message.endswith("run `laocorpus db upgrade --db " + database_url + "`")

    current = laocorpus("db", "current", "--db", database_url)
    assert current.returncode == 1 and f"revision {FIRST}" in current.stdout
    upgraded = laocorpus("db", "upgrade", "--db", database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"from {FIRST} to {schema.head()}" in upgraded.stdout
    assert laocorpus("db", "current", "--db", database_url).returncode == 0

    with engine.connect() as db:
        run = db.execute(text("SELECT * FROM crawl_runs WHERE id = 1")).mappings().one()
        assert (run["requests"], run["posts_new"], run["status"]) == (10, 3, "finished")
        assert (run["discovery"], run["mode"], run["posts_gone"], run["failure"]) == (
            "archive",
            "full",
            0,
            None,
        )  # the new columns, filled for the old run
        rows = db.execute(text("SELECT url, title, gone_at FROM posts ORDER BY id")).all()
        assert [(r.url, r.title, r.gone_at) for r in rows] == [
            (base + p["path"], f"old title {n}", None) for n, p in enumerate(old["posts"], 1)
        ]
        reject = db.execute(text("SELECT reason, times_seen, raw FROM rejects")).one()
        assert (reject.reason, reject.times_seen) == ("HTTP 500", 2)
        assert "ທົດລອງ" in str(reject.raw)
        assert db.execute(text("SELECT name FROM terms")).scalar_one() == "ເກົ່າ"
        tables = set(inspect(db).get_table_names())
        assert {"post_revisions", "minhash_signatures", "near_duplicates", "crawl_run_workers"} <= (
            tables
        )

    # The upgraded corpus takes a crawl as any other (a full walk: the archive has the dead link).
    crawl = run_crawl(base, database_url, spider_args=("mode=full",))
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert differences(engine, truth, base) == [
        f"reject {base}/999999/: stored 'HTTP 500', expected None"  # the old row, kept
    ]
    with engine.connect() as db:
        revised = db.execute(text("SELECT title FROM post_revisions ORDER BY post_id")).all()
        assert [r.title for r in revised] == ["old title 1", "old title 2", "old title 3"]
        assert db.execute(select(func.count()).select_from(text("crawl_runs"))).scalar() == 2


def test_a_corpus_at_another_revision_is_refused_in_one_line(sqlite_url: str, tmp_path) -> None:
    schema.upgrade(sqlite_url, "0003_scheduled_crawls")
    crawl = laocorpus(
        "crawl", "lsr", "--db", sqlite_url, "--base-url", "http://127.0.0.1:9",
        "--lock-dir", str(tmp_path / "locks"), "--log-file", str(tmp_path / "crawl.log"),
    )  # fmt: skip
    assert crawl.returncode == 1
    assert crawl.stderr.strip() == (
        f"laocorpus: error: database {sqlite_url} has schema revision 0003_scheduled_crawls, "
        f"this code expects {schema.head()}: run `laocorpus db upgrade --db {sqlite_url}`"
    )
    with get_engine(sqlite_url).begin() as db:  # as if a newer release had migrated it
        db.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    newer = laocorpus("stats", "--db", sqlite_url)
    assert newer.returncode == 1
    assert newer.stderr.strip() == (
        f"laocorpus: error: database {sqlite_url} has schema revision 0099_from_the_future, "
        f"newer than this code's {schema.head()}: install the newer lao-news-corpus that made it"
    )


def test_a_corpus_made_before_revisions_is_recognised_and_upgraded(sqlite_url: str) -> None:
    schema.upgrade(sqlite_url, "0002_discovery_neardup")
    with get_engine(sqlite_url).begin() as db:
        db.execute(text("DROP TABLE alembic_version"))  # as the code before Alembic left it
    with pytest.raises(CorpusError, match=r"made before schema revisions .* 0002_discovery"):
        init_db(sqlite_url)
    assert schema.upgrade(sqlite_url) == ("0002_discovery_neardup", schema.head())
    init_db(sqlite_url)


def test_a_0004_corpus_upgrades_to_site_scoped_urls_with_authors_backfilled(
    database_url: str,
) -> None:
    schema.upgrade(database_url, "0004_distributed_workers")
    engine = get_engine(database_url)
    tables = MetaData()
    tables.reflect(engine)
    posts, runs = tables.tables["posts"], tables.tables["crawl_runs"]
    common = {
        "site": "lsr", "title": "ຫົວຂໍ້", "published_at": T0, "language": "lo", "text": "ກ",
        "content_hash": "0" * 64, "record_hash": "0" * 64, "word_count": 1, "char_count": 1,
        "first_seen_at": T0, "last_seen_at": T0,
    }  # fmt: skip
    with engine.begin() as db:
        db.execute(
            runs.insert(),
            {"id": 1, "spider": "lsr", "site": "lsr", "arguments": {}, "started_at": T0,
             "status": "finished", "requests": 1, "responses": 1, "items_scraped": 2,
             "posts_new": 2, "posts_updated": 0, "posts_unchanged": 0, "posts_duplicate": 0,
             "posts_gone": 0, "rejected": 0, "errors": 0},
        )  # fmt: skip
        db.execute(
            posts.insert(),
            [
                {**common, "id": 1, "url": "https://lsr.com.la/1/", "post_id": 1,
                 "author": "ສົມຈັນ"},
                {**common, "id": 2, "url": "https://lsr.com.la/2/", "post_id": 2,
                 "author": None},
            ],
        )  # fmt: skip
        if db.dialect.name == "postgresql":  # explicit ids: move the sequence past them
            db.execute(text("SELECT setval('posts_id_seq', 100)"))
    assert schema.upgrade(database_url) == ("0004_distributed_workers", schema.head())
    init_db(database_url)
    copy = (
        "INSERT INTO posts (site, url, post_id, title, published_at, text, content_hash,"
        " record_hash, word_count, char_count, first_seen_at, last_seen_at, authors)"
        " SELECT {site}, url, NULL, title, published_at, text, content_hash, record_hash,"
        " word_count, char_count, first_seen_at, last_seen_at, authors FROM posts WHERE id = 1"
    )
    with engine.begin() as db:
        rows = db.execute(text("SELECT id, authors FROM posts ORDER BY id")).all()
        authors = [(r.id, r.authors if isinstance(r.authors, list) else json.loads(r.authors))
                   for r in rows]  # fmt: skip
        assert authors == [(1, ["ສົມຈັນ"]), (2, [])]
        assert db.execute(text("SELECT field_sources FROM crawl_runs")).scalar() is None
        db.execute(text(copy.format(site="'mirror'")))  # another site's row at the same URL
    with pytest.raises(IntegrityError), engine.begin() as db:  # but twice in one site, never
        db.execute(text(copy.format(site="site")))


def test_a_0005_corpus_merges_every_spelling_of_a_url_into_one_post(database_url: str) -> None:
    """The IRI a theme prints and the encoded link WordPress stores name one post."""
    schema.upgrade(database_url, "0005_site_scoped_identity")
    engine = get_engine(database_url)
    tables = MetaData()
    tables.reflect(engine)
    iri, encoded = (
        "https://lsr.com.la/ຂ່າວ/",
        "https://lsr.com.la/%e0%ba%82%e0%bb%88%e0%ba%b2%e0%ba%a7/",
    )
    canonical = "https://lsr.com.la/%E0%BA%82%E0%BB%88%E0%BA%B2%E0%BA%A7/"
    later = datetime(2024, 6, 1, tzinfo=UTC)
    common = {
        "site": "lsr", "title": "ຂ່າວ", "published_at": T0, "language": "lo", "text": "ຂ່າວ",
        "content_hash": "0" * 64, "record_hash": "0" * 64, "word_count": 1, "char_count": 4,
        "authors": [],
    }  # fmt: skip
    rows = [
        # first seen through the IRI, without an ID (an archive link)...
        {**common, "id": 1, "url": iri, "post_id": None, "first_seen_at": T0,
         "last_seen_at": T0},
        # ...then through REST, with its ID and WordPress's lowercase encoding
        {**common, "id": 2, "url": encoded, "post_id": 7, "first_seen_at": later,
         "last_seen_at": later},
        # another site's row at the same address is another post
        {**common, "id": 3, "url": iri, "post_id": None, "site": "mirror",
         "first_seen_at": T0, "last_seen_at": T0},
        {**common, "id": 4, "url": "https://lsr.com.la/8/?utm_source=fb", "post_id": 8,
         "first_seen_at": T0, "last_seen_at": T0},
    ]  # fmt: skip
    with engine.begin() as db:
        db.execute(tables.tables["posts"].insert(), rows)
        db.execute(
            tables.tables["post_revisions"].insert(),
            {"post_id": 1, "title": "ເກົ່າ", "text": "ເກົ່າ", "content_hash": "1" * 64,
             "fetched_at": T0, "replaced_at": later},
        )  # fmt: skip
        db.execute(
            tables.tables["rejects"].insert(),
            [
                {"id": n, "url": url, "site": "lsr", "stage": "fetch", "reason": "HTTP 500",
                 "http_status": 500, "raw": {}, "first_seen_at": T0, "last_seen_at": seen,
                 "times_seen": times}
                for n, url, seen, times in ((1, iri + "2/", T0, 2), (2, encoded + "2/", later, 3))
            ],
        )  # fmt: skip
    assert schema.upgrade(database_url) == ("0005_site_scoped_identity", schema.head())
    with engine.connect() as db:
        stored = db.execute(
            text("SELECT id, site, url, post_id, first_seen_at FROM posts ORDER BY id")
        ).all()
        assert [(r.id, r.site, r.url, r.post_id) for r in stored] == [
            (2, "lsr", canonical, 7),
            (3, "mirror", canonical, None),
            (4, "lsr", "https://lsr.com.la/8/", 8),
        ]
        first_seen = stored[0].first_seen_at
        assert str(first_seen).startswith("2024-05-01 03:00")  # the group's first sighting
        assert db.execute(text("SELECT post_id, title FROM post_revisions")).one() == (2, "ເກົ່າ")
        reject = db.execute(text("SELECT id, url, times_seen FROM rejects")).one()
        assert tuple(reject) == (2, canonical + "2/", 5)
    init_db(database_url)
