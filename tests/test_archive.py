"""The raw-page archive (crawler/archive.py) and ``laocorpus reparse`` (jobs/reparse.py).

Two crawls of the sample site share one archive: the first with today's code into one corpus,
the second with a changed site profile (the "new code") into another. The files must be
standard WARC (warcio's own ``check`` and ``index``), hold every parsed response with its
request as the server sent it, and the second crawl's unchanged pages must be revisit records.
Then ``reparse`` of the first corpus by the new code, with the site stopped, must give the
second corpus exactly, through those revisits.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from cli.main import cli
from corpus.db import get_engine
from corpus.models import CrawlRun, PostRevision
from crawler.archive import WarcArchiveMiddleware, archive_dir
from tests.corpus_check import REPO, posts_by_url, rejects, run_crawl

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("archive")]

WARCIO = Path(sys.executable).with_name("warcio")
MAX_BYTES = 300_000
# The "new code": the lsr profile also drops <strong> from the body (a boilerplate selector).
NEW_BOILERPLATE = ("strong",)
NEW_CODE = (
    "import dataclasses\n"
    "from crawler.spiders import sites\n"
    "sites.LsrSpider.profile = dataclasses.replace(\n"
    f"    sites.LsrSpider.profile, boilerplate={NEW_BOILERPLATE!r})\n"
)
SEEN_FIELDS = ("first_seen_at", "last_seen_at")


def crawl_with_new_code(base_url: str, database_url: str, *settings: str):
    """``scrapy crawl lsr`` as run_crawl runs it, with the changed profile loaded first."""
    argv = ["scrapy", "crawl", "lsr", "-a", f"base_url={base_url}"]
    for setting in (f"CORPUS_DATABASE_URL={database_url}", *settings):
        argv += ["-s", setting]
    code = NEW_CODE + f"from scrapy.cmdline import execute\nexecute({argv!r})\n"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


def comparable(database_url: str) -> dict[str, dict]:
    return {
        url: {k: v for k, v in record.items() if k not in SEEN_FIELDS}
        for url, record in posts_by_url(database_url).items()
    }


@pytest.fixture(scope="module")
def crawled(site, truth, tmp_path_factory):
    """Two crawls into one archive (warc/ beside the first corpus: the default): today's
    code, then the new code into a second corpus."""
    from testing.samplesite.server import make_server

    root = tmp_path_factory.mktemp("archive")
    old_db = f"sqlite:///{root / 'corpus.sqlite'}"
    new_db = f"sqlite:///{root / 'new.sqlite'}"
    warc = root / "warc"
    limit = f"CORPUS_WARC_MAX_BYTES={MAX_BYTES}"
    runs = []  # per crawl: (its files, what the server answered it)
    with make_server(site) as server:

        def crawl(result: subprocess.CompletedProcess, served_before: int) -> None:
            assert result.returncode == 0, result.stderr[-3000:]
            earlier = {path for files, _ in runs for path in files}
            files = sorted(set(warc.glob("*.warc.gz")) - earlier)
            runs.append((files, server.request_log[served_before:]))

        crawl(run_crawl(server.base_url, old_db, limit), 0)
        served = len(server.request_log)
        crawl(
            crawl_with_new_code(server.base_url, new_db, f"CORPUS_WARC_DIR={warc}", limit), served
        )
        url = server.base_url + truth["posts"][0]["path"]
        with urllib.request.urlopen(url, timeout=10) as page:  # one page as the server sends it
            sent = (url, page.read())
    files = sorted(warc.glob("*.warc.gz"))
    check = subprocess.run([str(WARCIO), "check", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fields = (
        "warc-type,warc-target-uri,http:status,warc-payload-digest,warc-refers-to-target-uri,"
        "warc-refers-to-date,warc-date,filename"
    )
    index = subprocess.run(
        [str(WARCIO), "index", "-f", fields, *map(str, files)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    records = [json.loads(line) for line in index.stdout.splitlines()]
    responses = [r for r in records if r.get("warc-type") in ("response", "revisit")]
    by_run = [
        # warcio names files by their base name
        [r for r in responses if r["filename"] in {path.name for path in run_files}]
        for run_files, _ in runs
    ]
    return SimpleNamespace(
        root=root, warc=warc, old_db=old_db, new_db=new_db, base_url=server.base_url,
        first_files=runs[0][0], second_files=runs[1][0], sent=sent,
        served=[answered for _, answered in runs], records=by_run,
        requests=len(server.request_log), server=server,
    )  # fmt: skip


def expected_archive(base_url: str, served: list) -> list[tuple[str, str]]:
    """What the spider parsed: every answer the server gave, less robots.txt (the robots
    middleware's) and a 503 that was retried."""
    return sorted(
        (base_url + path, str(status))
        for _, path, status in served
        if path != "/robots.txt" and status != 503
    )


def test_every_parsed_response_is_archived_once_per_run(crawled) -> None:
    assert len(crawled.first_files) > 1  # rotated at MAX_BYTES
    for path in crawled.first_files:
        assert path.stat().st_size < MAX_BYTES + 200_000  # the record that crossed the limit
        assert "-run1-" in path.name and path.name.startswith("lsr-")
    for archived, served in zip(crawled.records, crawled.served, strict=True):
        found = sorted((r["warc-target-uri"], r["http:status"]) for r in archived)
        assert found == expected_archive(crawled.base_url, served)


def test_unchanged_payloads_of_a_recrawl_are_revisits(crawled) -> None:
    first, second = crawled.records
    assert {r["warc-type"] for r in first} == {"response"}
    originals = {r["warc-payload-digest"]: r for r in first}
    assert len(originals) == len(first)  # no two pages of the site are equal
    # the sample site serves the same bytes again: every second-run record is a revisit
    assert {r["warc-type"] for r in second} == {"revisit"}
    for revisit in second:
        original = originals[revisit["warc-payload-digest"]]
        assert revisit["warc-refers-to-target-uri"] == original["warc-target-uri"]
        assert revisit["warc-refers-to-date"] == original["warc-date"]
    size = sum(path.stat().st_size for path in crawled.first_files)
    assert sum(path.stat().st_size for path in crawled.second_files) < size / 4


def test_records_hold_the_real_exchange(crawled) -> None:
    bodies = {}
    for path in crawled.first_files:
        with path.open("rb") as stream:
            kinds, pairs = [], {}
            for record in ArchiveIterator(stream):
                kinds.append(record.rec_type)
                headers = record.rec_headers
                if record.rec_type == "warcinfo":
                    info = record.content_stream().read().decode()
                    assert f"base-url: {crawled.base_url}\r\n" in info
                    assert "site: lsr\r\n" in info and "spider: lsr\r\n" in info
                elif record.rec_type == "response":
                    target = headers.get_header("WARC-Target-URI")
                    body = record.content_stream().read()
                    pairs[headers.get_header("WARC-Record-ID")] = (record.http_headers, target)
                    bodies[target] = body
                    assert record.http_headers.get_header("Content-Length") == str(len(body))
                    assert record.http_headers.get_header("Transfer-Encoding") is None
                elif record.rec_type == "request":
                    _, target = pairs.pop(headers.get_header("WARC-Concurrent-To"))
                    assert headers.get_header("WARC-Target-URI") == target
                    line = (record.http_headers.protocol, record.http_headers.statusline)
                    assert line == ("GET", f"{urlsplit(target).path} HTTP/1.1")
                    agent = record.http_headers.get_header("User-Agent")
                    assert agent.startswith("LaoNewsCorpus/")
        assert kinds[0] == "warcinfo" and not pairs
        assert kinds.count("request") == kinds.count("response")
    url, sent = crawled.sent
    assert bodies[url] == sent  # byte for byte what the server sends


def test_reparse_with_changed_code_equals_a_fresh_crawl(crawled, truth, tmp_path, monkeypatch):
    database = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    shutil.copy(crawled.root / "corpus.sqlite", tmp_path / "corpus.sqlite")
    before, expected = comparable(database), comparable(crawled.new_db)
    changed = {url for url in expected if expected[url]["text"] != before[url]["text"]}
    assert 0 < len(changed) < len(expected)  # the new code changes some posts, not all
    from crawler.spiders import sites

    new_profile = dataclasses.replace(sites.LsrSpider.profile, boilerplate=NEW_BOILERPLATE)
    monkeypatch.setattr(sites.LsrSpider, "profile", new_profile)
    # the site is stopped (the fixture's server is closed): no request can be answered
    args = ["--db", database, "--warc-dir", str(crawled.warc), "--lock-dir", str(tmp_path)]
    result = CliRunner().invoke(cli, ["reparse", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(crawled.server.request_log) == crawled.requests

    assert comparable(database) == expected
    assert rejects(database) == rejects(crawled.new_db)
    table = result.output.replace("┃", "│")
    for name in ("text", "content_hash", "word_count"):  # the text, and what derives from it
        count = sum(1 for url in changed if expected[url][name] != before[url][name])
        assert f"│ {name:<36}│ {count:>13} │" in table, result.output
    assert "│ title " not in table
    for label, count in (
        ("posts re-extracted", len(truth["posts"])),
        ("updated posts", len(changed)),
        ("unchanged posts", len(truth["posts"]) - len(changed)),
        ("left as stored: a page not archived", 0),
        ("left as stored: unreadable page", 0),
    ):
        assert f"│ {label:<36}│ {count:>13} │" in table, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    with get_engine(database).connect() as db:
        run = db.execute(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        revisions = db.execute(select(PostRevision.run_id, PostRevision.reason)).all()
    assert (run.spider, run.mode, run.status, run.requests) == ("reparse", "reparse", "finished", 0)
    # one revision per changed post, this run's, recorded as a reparse
    assert revisions == [(run.id, "reparse")] * len(changed)


def test_reparse_by_todays_code_gives_todays_corpus(crawled, tmp_path) -> None:
    """Today's code on both corpora: the first stays as it is, the second becomes the first."""
    expected = comparable(crawled.old_db)
    for name in ("corpus.sqlite", "new.sqlite"):
        database = f"sqlite:///{tmp_path / name}"
        shutil.copy(crawled.root / name, tmp_path / name)
        unchanged = comparable(database) == expected
        args = ["--db", database, "--warc-dir", str(crawled.warc), "--lock-dir", str(tmp_path)]
        result = CliRunner().invoke(cli, ["reparse", "--site", "lsr", *args])
        assert result.exit_code == 0, result.output
        assert comparable(database) == expected
        assert ("│ (none)                              │             0 │" in result.output) == (
            unchanged
        )


def test_since_selects_pages_by_their_archive_date(crawled, tmp_path) -> None:
    database = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    shutil.copy(crawled.root / "new.sqlite", tmp_path / "corpus.sqlite")
    before = comparable(database)
    args = ["--db", database, "--warc-dir", str(crawled.warc), "--lock-dir", str(tmp_path)]
    result = CliRunner().invoke(cli, ["reparse", "--since", "2999-01-01", *args])
    assert result.exit_code == 0, result.output
    assert f"│ {'archived pages replayed':<36}│ {0:>13} │" in result.output, result.output
    assert comparable(database) == before


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "{root}/warc"),  # beside the SQLite corpus
        ({"CORPUS_WARC_DIR": "{root}/elsewhere"}, "{root}/elsewhere"),
        ({"CORPUS_WARC_DIR": ""}, None),
        ({"CORPUS_WARC_ENABLED": False}, None),
        ({"CORPUS_DATABASE_URL": "postgresql+psycopg://u@h/db"}, "data/warc"),
    ],
)
def test_archive_directory_and_switching_off(tmp_path, settings, expected) -> None:
    values = {"CORPUS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}"}
    values.update(
        {k: v.format(root=tmp_path) if isinstance(v, str) else v for k, v in settings.items()}
    )
    resolved = archive_dir(Settings(values))
    assert resolved == (Path(expected.format(root=tmp_path)) if expected else None)
    if expected is None:
        crawler = SimpleNamespace(settings=Settings(values))
        with pytest.raises(NotConfigured):
            WarcArchiveMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--warc-dir", "{root}/nowhere"], 1, "no archive at {root}/nowhere: crawl with"),
        (["--warc-dir", "{root}", "--site", "lsr"], 1, "holds no pages for site 'lsr'"),
        (["--since", "yesterday"], 2, "'yesterday' is not a date like 2016-11-25"),
    ],
)
def test_reparse_misuse_is_one_line(tmp_path, capsys, args, code, message) -> None:
    from cli.main import main

    argv = ["reparse", "--db", str(tmp_path / "c.sqlite"), "--lock-dir", str(tmp_path)]
    with pytest.raises(SystemExit) as exit_status:
        main([*argv, *(arg.format(root=tmp_path) for arg in args)])
    assert exit_status.value.code == code
    stderr = capsys.readouterr().err
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert message.format(root=tmp_path) in stderr


def test_rest_crawl_is_replayed_with_its_lookups_and_pages(site, tmp_path) -> None:
    """REST pages come with their chains: the users route blocked, each author is read from
    the post's page, and a reparse finds every one of those in the archive."""
    from testing.samplesite.server import make_server

    database = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    with make_server(site, rest_fault="users_blocked") as server:
        done = run_crawl(server.base_url, database, spider="wordpress")
        assert done.returncode == 0, done.stderr[-3000:]
        truth = server.ground_truth()
    callbacks = Counter()
    for path in (tmp_path / "warc").glob("*.warc.gz"):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                replay = record.rec_headers.get_header("WARC-Laocorpus-Replay")
                if replay:
                    callbacks[json.loads(replay)["callback"]] += 1
    # every post the API lists (the stored ones, and one rejected for its missing date)
    listed = len(truth["posts"]) + sum(
        1 for r in truth["rejects"] if r["reason"].startswith("missing")
    )
    assert callbacks["parse_rest_html"] == listed  # each author read from the post's page
    assert callbacks["parse_rest_posts"] >= 2 and callbacks["parse_rest_names"] >= 1
    before = comparable(database)
    args = ["--db", database, "--lock-dir", str(tmp_path)]
    result = CliRunner().invoke(cli, ["reparse", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert comparable(database) == before
    for label, count in (
        ("posts re-extracted", len(truth["posts"])),
        ("unchanged posts", len(truth["posts"])),
        ("left as stored: a page not archived", 0),
        ("left as stored: unreadable page", 0),
    ):
        assert f"│ {label:<36}│ {count:>13} │" in result.output, result.output


def test_a_304_never_hides_the_page_it_confirms(tmp_path) -> None:
    """A --full re-crawl's 304 Not Modified holds no page: the 200 before it is replayed."""
    from scrapy.http import Headers

    from crawler.archive import Capture, WarcFiles, read_archive

    def exchange(status: int, body: bytes, at: float) -> Capture:
        return Capture(
            url="http://127.0.0.1:9/5/", status=status, protocol="HTTP/1.1",
            headers=Headers({"Content-Type": "text/html; charset=utf-8"}), body=body,
            method="GET", request_url="http://127.0.0.1:9/5/", request_headers=Headers({}),
            request_body=b"", fetched_at=at, ip_address="127.0.0.1", callback="parse_post",
            errback="on_error", meta={"handle_httpstatus_list": [304]},
        )  # fmt: skip

    info = {"site": "lsr", "spider": "lsr", "base-url": "http://127.0.0.1:9"}
    for status, body, at in ((200, b"<html>five</html>", 1e9), (304, b"", 1e9 + 60)):
        files = WarcFiles(tmp_path, "lsr", {**info, "run-id": int(at)}, 10**6)
        files.write(exchange(status, body, at))
        files.close()
    archive = read_archive(tmp_path)["lsr"]
    page = archive.load(archive.latest["http://127.0.0.1:9/5/"])
    assert (page.status, page.body, page.replay["callback"]) == (
        200,
        b"<html>five</html>",
        "parse_post",
    )
