"""``laocorpus crawl --all``: several sites in one process build the corpus separate runs build.

Three sites: the lsr profile on the sample site's lsr face (a mirror named in [profiles]),
the newsbox face as a generic [[site]] with a discovery order, and a real WordPress as a
generic [[site]]. The same three crawled one after another by ``laocorpus crawl NAME`` give
the reference corpus; the two are compared table by table, row by row, with row ids, run ids
and timestamps replaced by what they stand for (a post's site and URL, a term's name).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from cli.errors import EXIT_FAILED, EXIT_USAGE
from cli.main import main
from corpus.db import dispose_engines, get_engine
from testing.realwp import WordPressSite
from testing.realwp.site import free_port
from testing.samplesite.faces import Face, face_ground_truth
from testing.samplesite.server import SampleSite, make_server
from tests.corpus_check import REPO
from tests.test_cli_misuse import one_line

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("realwp-crawl-all")]

LAOCORPUS = Path(sys.executable).with_name("laocorpus")
# Columns that say when or in which process, not what was crawled.
VOLATILE = {
    "id", "first_seen_at", "last_seen_at", "verified_at", "first_run_id", "last_run_id",
    "started_at", "finished_at", "hostname", "pid", "run_id", "replaced_at", "fetched_at",
    "computed_at", "compared_at", "detected_at", "created_at", "times_seen", "verified_oldest_at",
}  # fmt: skip


def laocorpus(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    return subprocess.run(
        [str(LAOCORPUS), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def corpus_rows(database_url: str) -> dict[str, list[tuple]]:
    """Every table as sorted rows, ids replaced by natural keys, volatile columns dropped."""
    engine = get_engine(database_url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as db:
        posts = {row.id: (row.site, row.url) for row in db.execute(select(meta.tables["posts"]))}
        terms = {
            row.id: (row.site, row.taxonomy, row.name)
            for row in db.execute(select(meta.tables["terms"]))
        }
        keys = {"post_id": posts, "duplicate_of_id": posts, "original_id": posts, "term_id": terms}
        tables: dict[str, list[tuple]] = {}
        for name, table in meta.tables.items():
            if name in ("alembic_version", "schema_info"):
                continue
            rows = []
            for row in db.execute(select(table)).mappings():
                values: dict[str, Any] = {}
                for column, value in row.items():
                    own_id = name == "posts" and column == "post_id"  # WordPress's ID
                    if column in keys and not own_id and value is not None:
                        value = keys[column][value]
                    elif column == "gone_at":
                        value = value is not None
                    elif column == "arguments":
                        value = {k: v for k, v in (value or {}).items() if k != "database"}
                    elif column in VOLATILE:
                        continue
                    values[column] = value
                rows.append(tuple(sorted((k, repr(v)) for k, v in values.items())))
            tables[name] = sorted(rows)
    return tables


def sites_file(path: Path, lsr_face: str, newsbox_face: str, wordpress: str) -> Path:
    path.write_text(
        f"""# three sites for crawl --all
[profiles]
lsr = {{ url = "{lsr_face}" }}
sample_newsbox = {{ enabled = false }}

[[site]]
name = "newsbox-face"
url = "{newsbox_face}"
discovery = ["sitemap", "feed"]

[[site]]
name = "realwp"
url = "{wordpress}"
""",
        encoding="utf-8",
    )
    return path


@contextlib.contextmanager
def two_faces(site, other, ports: tuple[int, int]) -> Iterator[tuple[str, str]]:
    """Fresh servers (their one-shot traps armed again) on the same ports as last time."""
    with (
        make_server(site, ports[0], theme="lsr", permalinks="pretty", rest="on") as lsr_face,
        make_server(other, ports[1], theme="newsbox", permalinks="plain", rest="off") as newsbox,
    ):
        yield lsr_face.base_url, newsbox.base_url


def test_all_sites_in_one_process_equal_three_separate_runs(
    realwp_site: WordPressSite, tmp_path: Path
) -> None:
    small = SampleSite(posts=40, seed=1)
    other = SampleSite(posts=40, seed=2)  # other texts: no post is a repost of another site's
    ports = (free_port(), free_port())
    separate = f"sqlite:///{tmp_path / 'separate.sqlite'}"
    together = f"sqlite:///{tmp_path / 'together.sqlite'}"
    with two_faces(small, other, ports) as (lsr_face, newsbox_face):
        sites = sites_file(tmp_path / "sites.toml", lsr_face, newsbox_face, realwp_site.base_url)
        started = time.monotonic()
        for name in ("lsr", "newsbox-face", "realwp"):
            done = laocorpus("crawl", name, "--sites", str(sites), "--db", separate, cwd=tmp_path)
            assert done.returncode == 0, done.stderr[-3000:]
        one_by_one = time.monotonic() - started
    with two_faces(small, other, ports):
        started = time.monotonic()
        done = laocorpus("crawl", "--all", "--sites", str(sites), "--db", together, cwd=tmp_path)
        at_once = time.monotonic() - started
    print(f"three runs one after another {one_by_one:.1f} s, --all {at_once:.1f} s")
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["lsr", "newsbox-face", "realwp"]
    assert all(": finished run " in line and len(line) <= 80 for line in lines[:3]), lines
    assert lines[3] == "3 of 3 sites crawled"
    try:
        expected, found = corpus_rows(separate), corpus_rows(together)
        per_site = Counter(dict(row)["site"] for row in expected["posts"])
        assert per_site == {
            "'lsr'": len(face_ground_truth(small, Face("lsr", "pretty", "on"))["posts"]),
            "'newsbox-face'": len(
                face_ground_truth(other, Face("newsbox", "plain", "off"))["posts"]
            ),
            "'realwp'": len(realwp_site.truth.posts),
        }
        differ = {
            table: (
                set(expected[table]) - set(found[table]),
                set(found[table]) - set(expected[table]),
            )
            for table in expected
            if found[table] != expected[table]
        }
        assert not differ, "\n".join(
            f"{t}: only separate {a}\n only --all {b}" for t, (a, b) in differ.items()
        )
        assert set(expected) == set(found)
        assert len(expected["crawl_runs"]) == 3
    finally:
        dispose_engines()


def test_a_failing_site_does_not_stop_the_others(tmp_path: Path) -> None:
    small = SampleSite(posts=40, seed=1)
    with make_server(small, theme="lsr", permalinks="pretty", rest="on") as face:
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[profiles]\nlsr = {{ url = "{face.base_url}" }}\n'
            "sample_newsbox = { enabled = false }\n\n"
            '[[site]]\nname = "nowhere"\nurl = "http://127.0.0.1:9"\n',
            encoding="utf-8",
        )
        db = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
        done = laocorpus("crawl", "--all", "--sites", str(sites), "--db", db, cwd=tmp_path)
    assert done.returncode == EXIT_FAILED, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("lsr: finished run ")
    assert lines[1].startswith("nowhere: failed run ")
    assert lines[2].startswith("1 of 2 sites crawled, 1 failed: see ")
    with get_engine(db).connect() as conn:
        meta = MetaData()
        meta.reflect(conn)
        runs = dict(
            conn.execute(
                select(meta.tables["crawl_runs"].c.site, meta.tables["crawl_runs"].c.status)
            ).all()
        )
    dispose_engines()
    assert runs == {"lsr": "finished", "nowhere": "failed"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[site]\nname = 1", "sites.toml: not valid TOML: "),
        ('[[site]]\nname = "a"\nurl = "https://a.la"\ncolour = "red"\n',
         "sites.toml: [[site]] #1: unknown key 'colour' (allowed: discovery, name, url)"),
        ('[[site]]\nname = "a"\n', "sites.toml: [[site]] #1: missing 'url'"),
        ('[[site]]\nname = "a"\nurl = "ftp://a.la"\n',
         "sites.toml: site 'a': url must be an http(s) URL like https://example.la"),
        ('[[site]]\nname = "a"\nurl = "https://a.la"\ndiscovery = ["rss"]\n',
         "sites.toml: site 'a': unknown discovery 'rss' (one of rest, sitemap, feed, archive)"),
        ('[[site]]\nname = "lsr"\nurl = "https://a.la"\n',
         "sites.toml: site 'lsr': the name is a site profile's; choose another"),
        ('[[site]]\nname = "a"\nurl = "https://a.la"\n[[site]]\nname = "a"\nurl = "https://b.la"\n',
         "sites.toml: site 'a' is listed twice"),
        ('[profiles]\nmofa = { url = "https://a.la" }\n',
         "sites.toml: [profiles] 'mofa' is not a site profile (profiles: lsr, sample_newsbox)"),
        ('[sites]\n', "sites.toml: unknown key 'sites' (use [[site]] entries and [profiles])"),
    ],
)  # fmt: skip
def test_sites_file_mistakes_are_one_line(
    tmp_path: Path, content: str, message: str, capsys, monkeypatch
) -> None:
    (tmp_path / "sites.toml").write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the default sites file is ./sites.toml
    done = in_process("crawl", "--all", "--db", f"sqlite:///{tmp_path / 'c.sqlite'}", capsys=capsys)
    assert done.returncode == EXIT_USAGE
    assert one_line(done).startswith(f"Invalid value for --sites: {message}")
    assert not (tmp_path / "c.sqlite").exists()


def in_process(*args: str, capsys) -> subprocess.CompletedProcess:
    """``laocorpus ARGS`` through its entry point in this process: misuse stops before any
    crawl, so no subprocess is needed."""
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, stopped.value.code, captured.out, captured.err)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl"], "give a SITE to crawl (e.g. lsr), or --all"),
        (["crawl", "lsr", "--all"], "Invalid value for SITE: give SITE or --all, not both"),
        (["crawl", "--all", "--base-url", "http://a.la"],
         "Invalid value for --base-url: --all crawls each site's own URL"),
        (["crawl", "--all", "--sites", "missing.toml"],
         "Invalid value for --sites: missing.toml: no such file"),
    ],
)  # fmt: skip
def test_crawl_all_misuse_is_one_line(
    tmp_path: Path, args: list[str], message: str, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = in_process(*args, capsys=capsys)
    assert done.returncode == EXIT_USAGE
    assert one_line(done) == message
