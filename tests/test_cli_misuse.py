"""Misuse and environment errors of ``laocorpus``: one line on stderr, no traceback, and the
exit status the README documents; read-only corpora; output readable in cron logs.

The CLI runs as a subprocess (the installed ``laocorpus`` script), as a user or cron runs it.

Read-only directories: as root, permissions do not stop writes, so a tmpfs is mounted and
remounted read-only (or, where mounting is not permitted, the directory is made immutable
with ``chattr +i``); as another user ``chmod 555`` does. Where none of these works the tests
that need one skip, but fail when ``CI=true``. The full-disk case mounts a 16 kB tmpfs and so
needs root; it skips otherwise (the ``/dev/full`` case covers a full disk for every user).
"""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import errors as cli_errors
from corpus.db import get_engine
from corpus.models import CrawlRun
from testing.samplesite.server import SampleSite, make_server
from tests.corpus_check import REPO
from tests.truth_corpus import write_posts

LAOCORPUS = Path(sys.executable).with_name("laocorpus")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, stdout=subprocess.PIPE):
    """``laocorpus ARGS`` as a user runs it: no database in the environment, 80 columns."""
    environment = {**os.environ, "COLUMNS": "80", **(env or {})}
    environment.pop("CORPUS_DATABASE_URL", None)
    return subprocess.run(
        [str(LAOCORPUS), *args],
        cwd=cwd,
        env=environment,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess, prefix: str = "laocorpus: error: ") -> str:
    """The single stderr line of a failed command, checked to be one line and no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), lines[0]
    return lines[0][len(prefix) :]


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _sh(*command: str) -> bool:
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def read_only(path: Path, mounted: bool) -> tuple[list[str], str]:
    """Make the filled directory ``path`` unwritable: (command that undoes it, the OS's reason);
    ([], "") when this machine allows no way."""
    if os.geteuid() != 0:
        for item in path.rglob("*"):
            item.chmod(0o444 if item.is_file() else 0o555)
        path.chmod(0o555)
        return ["chmod", "-R", "u+w", str(path)], os.strerror(errno.EACCES)
    if mounted and _sh("mount", "-o", "remount,ro", str(path)):
        return [], os.strerror(errno.EROFS)
    if _sh("chattr", "+i", str(path)):
        return ["chattr", "-i", str(path)], os.strerror(errno.EPERM)
    return [], ""


def _tmpfs(path: Path, size: str) -> bool:
    return os.geteuid() == 0 and _sh(
        "mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)
    )


@pytest.fixture(scope="module")
def places(tmp_path_factory, truth) -> Iterator[dict[str, str]]:
    """Everything the misuse cases name: a corpus, a read-only directory holding a copy of it,
    a full disk, a corrupt file, a zero-byte file; {name: path} for the case templates."""
    root = tmp_path_factory.mktemp("misuse")
    corpus = root / "corpus.sqlite"
    write_posts(f"sqlite:///{corpus}", truth["posts"]).dispose()
    ro, full = root / "ro", root / "full"
    ro.mkdir()
    full.mkdir()
    ro_mounted, full_mounted = _tmpfs(ro, "16m"), _tmpfs(full, "16k")
    shutil.copy(corpus, ro / "corpus.sqlite")
    undo, reason = read_only(ro, ro_mounted)
    (root / "corrupt.sqlite").write_bytes(random.Random(12).randbytes(8192))
    (root / "malformed.sqlite").write_bytes(
        corpus.read_bytes()[:100] + random.Random(3).randbytes(8192)
    )
    (root / "empty.sqlite").touch()
    yield {
        "root": str(root),
        "corpus": str(corpus),
        "ro": str(ro),
        "ro_reason": reason,
        "full": str(full) if full_mounted else "",
        "corrupt": str(root / "corrupt.sqlite"),
        "malformed": str(root / "malformed.sqlite"),
        "empty": str(root / "empty.sqlite"),
    }
    if undo:
        _sh(*undo)
    for path, mounted in ((ro, ro_mounted), (full, full_mounted)):
        if mounted:
            _sh("umount", "-l", str(path))


CRAWL = ("crawl", "lsr", "--db", "{root}/new.sqlite")
CRAWL_PLACES = ("--lock-dir", "{root}/locks", "--log-file", "{root}/logs/crawl.log")
UNREACHABLE = ("--base-url", "http://127.0.0.1:9")
RO = "{ro_reason}"

# (arguments, exit status, the line after "laocorpus: error: "); {name} from `places`.
CASES = {
    # output into a read-only directory or onto a full disk
    "export-read-only-dir": (
        ("export", "--db", "{corpus}", "-o", "{ro}/posts.jsonl"),
        74,
        f"cannot write {{ro}}/posts.jsonl: {RO}",
    ),
    "export-parquet-read-only-dir": (
        ("export", "--db", "{corpus}", "--format", "parquet", "-o", "{ro}/posts.parquet"),
        74,
        f"cannot write {{ro}}/posts.parquet: {RO}",
    ),
    "export-full-disk": (
        ("export", "--db", "{corpus}", "-o", "{full}/posts.jsonl"),
        74,
        "cannot write {full}/posts.jsonl: No space left on device",
    ),
    "export-parquet-full-disk": (
        ("export", "--db", "{corpus}", "--format", "parquet", "-o", "{full}/posts.parquet"),
        74,
        "cannot write {full}/posts.parquet: No space left on device",
    ),
    "card-into-read-only-dir": (
        ("card", "--db", "{corpus}", "-o", "{ro}"),
        74,
        f"cannot write {{ro}}: {RO}",
    ),
    "card-new-dir-in-read-only-dir": (
        ("card", "--db", "{corpus}", "-o", "{ro}/card"),
        74,
        f"cannot write {{ro}}/card: {RO}",
    ),
    # crawl paths: checked before anything is fetched or created
    "crawl-log-file-read-only": (
        (*CRAWL, *UNREACHABLE, "--lock-dir", "{root}/locks", "--log-file", "{ro}/crawl.log"),
        74,
        f"cannot write {{ro}}/crawl.log: {RO}",
    ),
    "crawl-lock-dir-read-only": (
        (*CRAWL, *UNREACHABLE, "--lock-dir", "{ro}/locks", "--log-file", "{root}/crawl.log"),
        74,
        f"cannot write {{ro}}/locks: {RO}",
    ),
    "crawl-base-url-not-a-url": (
        (*CRAWL, *CRAWL_PLACES, "--base-url", "not-a-url"),
        2,
        "Invalid value for '--base-url': 'not-a-url' is not an http(s) URL like https://example.la",
    ),
    "crawl-base-url-no-host": (
        (*CRAWL, *CRAWL_PLACES, "--base-url", "https://"),
        2,
        "Invalid value for '--base-url': 'https://' is not an http(s) URL like https://example.la",
    ),
    # set-up commands
    "ground-truth-missing-dir": (
        ("sample-site", "ground-truth", "-o", "{root}/missing/truth.json"),
        2,
        "Invalid value for --output: directory {root}/missing does not exist",
    ),
    "ground-truth-read-only-dir": (
        ("sample-site", "ground-truth", "-o", "{ro}/truth.json"),
        74,
        f"cannot write {{ro}}/truth.json: {RO}",
    ),
    "serve-ground-truth-missing-dir": (
        ("sample-site", "serve", "--port", "0", "--ground-truth", "{root}/missing/truth.json"),
        2,
        "Invalid value for --ground-truth: directory {root}/missing does not exist",
    ),
    "serve-ground-truth-read-only-dir": (
        ("sample-site", "serve", "--port", "0", "--ground-truth", "{ro}/truth.json"),
        74,
        f"cannot write {{ro}}/truth.json: {RO}",
    ),
    "new-site-read-only-root": (
        ("new-site", "example", "--url", "https://example.la", "--root", "{ro}"),
        74,
        f"cannot write {{ro}}: {RO}",
    ),
    # the database
    "db-current-corrupt": (
        ("db", "current", "--db", "{corrupt}"),
        1,
        "not a SQLite database: {corrupt}",
    ),
    "db-upgrade-corrupt": (
        ("db", "upgrade", "--db", "{corrupt}"),
        1,
        "not a SQLite database: {corrupt}",
    ),
    "stats-corrupt-url": (
        ("stats", "--db", "sqlite:///{corrupt}"),
        1,
        "not a SQLite database: {corrupt}",
    ),
    "runs-corrupt": (("runs", "--db", "{corrupt}"), 1, "not a SQLite database: {corrupt}"),
    "export-corrupt": (
        ("export", "--db", "{corrupt}", "-o", "{root}/x.jsonl"),
        1,
        "not a SQLite database: {corrupt}",
    ),
    "card-corrupt": (
        ("card", "--db", "{corrupt}", "-o", "{root}/card"),
        1,
        "not a SQLite database: {corrupt}",
    ),
    "serve-corrupt": (("serve", "--db", "{corrupt}"), 1, "not a SQLite database: {corrupt}"),
    "dedup-corrupt": (("dedup", "--db", "{corrupt}"), 1, "not a SQLite database: {corrupt}"),
    "crawl-corrupt": (
        ("crawl", "lsr", "--db", "{corrupt}", *CRAWL_PLACES, *UNREACHABLE),
        1,
        "not a SQLite database: {corrupt}",
    ),
    "stats-malformed": (
        ("stats", "--db", "{malformed}"),
        1,
        "corrupt SQLite database: {malformed} (database disk image is malformed)",
    ),
    "stats-empty-file": (
        ("stats", "--db", "{empty}"),
        1,
        "no corpus in sqlite:///{empty}: the database is empty (run a crawl or `laocorpus demo`)",
    ),
    "export-empty-file": (
        ("export", "--db", "{empty}", "-o", "{root}/x.jsonl"),
        1,
        "no corpus in sqlite:///{empty}: the database is empty (run a crawl or `laocorpus demo`)",
    ),
    "db-current-empty-file": (
        ("db", "current", "--db", "{empty}"),
        1,
        "run `laocorpus db upgrade --db sqlite:///{empty}`",
    ),
    "stats-missing-plain-path": (
        ("stats", "--db", "{root}/nothing.sqlite"),
        1,
        "no corpus at {root}/nothing.sqlite (run a crawl or `laocorpus demo`)",
    ),
    "bad-port-in-url": (
        ("stats", "--db", "postgresql://u:secret@127.0.0.1:port/x"),
        1,
        "invalid database URL: postgresql://***@127.0.0.1:port/x",
    ),
    # --site that the corpus does not know: the same line for every command
    **{
        f"{command[0]}-unknown-site": (
            (*command, "--db", "{corpus}", "--site", "nosuch"),
            2,
            "Invalid value for --site: unknown site 'nosuch' (known: lsr)",
        )
        for command in (
            ("export", "-o", "{root}/x.jsonl"),
            ("card", "-o", "{root}/card"),
            ("stats",),
            ("runs",),
        )
    },
}


def _needs(args: tuple[str, ...], message: str, places: dict[str, str]) -> str | None:
    """Why a case cannot run on this machine, or None."""
    if "{full}" in " ".join(args) and not places["full"]:
        return "a full disk needs root to mount a small tmpfs"
    if "{ro" in " ".join(args) + message and not places["ro_reason"]:
        return "no read-only directory"
    return None


@pytest.fixture(scope="module")
def outcomes(places: dict[str, str]) -> dict[str, subprocess.CompletedProcess | None]:
    """Every case run once, four at a time (each is a process start, mostly imports), before
    the checks; then the state every case must have left alone is checked once."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(case: tuple[tuple[str, ...], int, str]) -> subprocess.CompletedProcess | None:
        args, _, message = case
        if _needs(args, message, places):
            return None
        return run(*(arg.format(**places) for arg in args), cwd=Path(places["root"]))

    before = {n: Path(places[n]).read_bytes() for n in ("corrupt", "empty", "malformed")}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip(CASES, pool.map(attempt, CASES.values()), strict=True))
    # nothing was created or changed: no corpus for a crawl refused early, no schema written
    # into an empty file, no journal beside a file that is not a database, nothing half
    # written on the full disk
    assert not Path(places["root"], "new.sqlite").exists()
    assert {n: Path(places[n]).read_bytes() for n in before} == before
    for name in ("corrupt", "empty"):
        assert not Path(places[name] + "-wal").exists()
    if places["full"]:
        assert list(Path(places["full"]).iterdir()) == []
    return results


@pytest.mark.parametrize(("args", "status", "message"), CASES.values(), ids=CASES.keys())
def test_misuse_is_one_line_with_a_documented_status(
    args: tuple[str, ...], status: int, message: str, places, outcomes, request
) -> None:
    reason = _needs(args, message, places)
    if reason:
        _unavailable(reason) if "read-only" in reason else pytest.skip(reason)
    result = outcomes[request.node.callspec.id]
    assert one_line(result) == message.format(**places)
    assert result.returncode == status


def test_export_to_a_full_stdout_is_one_line(places: dict[str, str]) -> None:
    with open("/dev/full", "w") as full:
        result = run("export", "--db", places["corpus"], "-o", "-", cwd=REPO, stdout=full)
    assert one_line(result) == "cannot write to stdout: No space left on device"
    assert result.returncode == 74


def test_samplesite_module_writes_its_ground_truth_or_says_why(places: dict[str, str]) -> None:
    if not places["ro_reason"]:
        _unavailable("no read-only directory")
    command = [sys.executable, "-m", "testing.samplesite", "--port", "0", "--ground-truth"]
    for target, status, message in (
        (f"{places['ro']}/truth.json", 74, f"cannot write {places['ro']}/truth.json: "),
        (f"{places['root']}/missing/truth.json", 2, "--ground-truth: no directory "),
    ):
        result = subprocess.run(
            [*command, target], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
        )
        assert one_line(result, "python -m testing.samplesite: error: ").startswith(message)
        assert result.returncode == status


def test_a_plain_path_is_a_sqlite_corpus(places: dict[str, str]) -> None:
    by_path = run("stats", "--db", places["corpus"], cwd=Path(places["root"]))
    by_url = run("stats", "--db", f"sqlite:///{places['corpus']}", cwd=Path(places["root"]))
    assert by_path.returncode == 0, by_path.stderr
    assert by_path.stdout == by_url.stdout and "posts" in by_path.stdout


def test_readme_lists_every_exit_status() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit statuses", 1)[1].split("\n\n**", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    constants = {v for k, v in vars(cli_errors).items() if k.startswith("EXIT_")}
    statuses = {status for _, status, _ in CASES.values()}
    assert documented == constants | {0}
    assert statuses <= documented


# -- a corpus on read-only storage -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_read_only_corpus_can_be_described_exported_and_browsed(places, truth) -> None:
    if not places["ro_reason"]:
        _unavailable("no read-only directory")
    copy = Path(places["ro"], "corpus.sqlite")
    assert copy.read_bytes()[18:20] == b"\x02\x02"  # a WAL-mode file
    root = Path(places["root"])
    stats = run("stats", "--db", str(copy), cwd=root)
    assert stats.returncode == 0, stats.stderr
    totals = dict(re.findall(r"│ (posts|rejects) +│ +(\d+) │", stats.stdout))
    assert totals == {"posts": str(len(truth["posts"])), "rejects": "0"}
    exported = root / "from-read-only.jsonl"
    export = run("export", "--db", str(copy), "-o", str(exported), cwd=root)
    assert export.returncode == 0, export.stderr
    paths = sorted("/" + json.loads(line)["url"].split("/", 3)[3] for line in exported.open())
    assert paths == sorted(post["path"] for post in truth["posts"])

    port = free_port()
    environment = {**os.environ, "COLUMNS": "80"}
    environment.pop("CORPUS_DATABASE_URL", None)
    serve = subprocess.Popen(
        [str(LAOCORPUS), "serve", "--db", str(copy), "--port", str(port)],
        cwd=root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        query = f"http://127.0.0.1:{port}/corpus.json?sql=select+count(*)+from+posts&_shape=array"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(query, timeout=5) as response:
                    rows = json.loads(response.read())
                break
            except OSError:
                assert serve.poll() is None and time.monotonic() < deadline, "serve ended"
                time.sleep(0.2)
        assert rows == [{"count(*)": len(truth["posts"])}]
    finally:
        serve.send_signal(signal.SIGTERM)
        _, err = serve.communicate(timeout=30)
    assert "read-only corpus without a search index: serving it without search" in err


def test_a_read_only_command_leaves_a_writable_corpus_as_it_was(places) -> None:
    """mode=ro: nothing is written, not even a journal-mode change or a WAL checkpoint."""
    corpus = Path(places["corpus"])
    before = corpus.read_bytes()
    for args in (("stats",), ("runs",), ("db", "current")):
        assert run(*args, "--db", str(corpus), cwd=corpus.parent).returncode == 0
    assert corpus.read_bytes() == before
    with sqlite3.connect(f"{corpus.as_uri()}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


# -- the README's cron lines on a fresh deployment, and what an operator reads ------------------


def cron_lines() -> list[str]:
    """The commands of the README's crontab block (the five time fields removed)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```cron\n", 1)[1].split("```", 1)[0]
    return [line.split(None, 5)[5] for line in block.splitlines() if line.strip()]


@pytest.mark.e2e
def test_the_readme_cron_lines_work_on_a_fresh_deployment(tmp_path: Path, truth) -> None:
    """Both crontab lines, as written, in a directory holding only the virtualenv; only the
    deployment directory and the site's address differ. Then `runs`, as an operator reads it
    at 80 columns, shows every value whole, the failure reason included."""
    deployment = tmp_path / "lao-news-corpus"
    deployment.mkdir()
    (deployment / ".venv").symlink_to(LAOCORPUS.parent.parent)
    cron_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh"}
    lines = cron_lines()
    assert len(lines) == 2 and all("/srv/lao-news-corpus" in line for line in lines)
    with make_server(SampleSite()) as server:
        for line in lines:
            command = line.replace("/srv/lao-news-corpus", str(deployment)).replace(
                "laocorpus crawl lsr", f"laocorpus crawl lsr --base-url {server.base_url}"
            )
            done = subprocess.run(
                ["/bin/sh", "-c", command],
                env=cron_env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, (deployment / "data/logs/cron.log").read_text()[-3000:]
    log = (deployment / "data/logs/cron.log").read_text(encoding="utf-8")
    assert log.count("Crawl summary") == 2 and "…" not in log
    assert (deployment / "data/logs/crawl.log").stat().st_size > 0
    assert any((deployment / "data/locks").iterdir())
    database = f"sqlite:///{deployment / 'data/corpus.sqlite'}"
    in_corpus = re.findall(r"posts in corpus +│ +(\d+) │", log)
    assert in_corpus == [str(len(truth["posts"]))] * 2

    # a run that fails (nothing listens on port 9), then the runs an operator reads in the log
    failed = subprocess.run(
        ["/bin/sh", "-c", lines[0].replace("/srv/lao-news-corpus", str(deployment)).replace(
            "laocorpus crawl lsr", "laocorpus crawl lsr --base-url http://127.0.0.1:9"
        )],
        env=cron_env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert failed.returncode == 1
    listing = subprocess.run(
        [str(deployment / ".venv/bin/laocorpus"), "runs", "--db", database],
        cwd=deployment,
        env=cron_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "…" not in listing
    with get_engine(database).connect() as db:
        runs = db.execute(select(CrawlRun).order_by(CrawlRun.id.desc())).all()
    assert [run.status for run in runs] == ["failed", "finished", "finished"]
    for run in runs:
        block = listing.split(f"run {run.id} · ", 1)[1].split("\nrun ", 1)[0]
        assert f"status   {run.status}" in block
        assert f"requests {run.requests} · new {run.posts_new} · " in block
        assert f"errors {run.errors}" in block
    assert f"failure  {runs[0].failure}\n" in listing  # whole, on one line


def unit_files() -> list[str]:
    """The README's two systemd units: the service, then the timer."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("Or a systemd timer", 1)[1].split("**Scrapyd.**", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```ini\n")[1:]]


@pytest.mark.e2e
@pytest.mark.postgres
def test_the_readme_systemd_units_work_on_a_fresh_deployment(tmp_path, postgres_url, truth):
    """The service as systemd runs it (its directory, its environment, its command) into
    PostgreSQL; only the deployment directory, the database and the site's address differ.
    `systemd-analyze verify` accepts both units where systemd is installed."""
    deployment = tmp_path / "lao-news-corpus"
    deployment.mkdir()
    (deployment / ".venv").symlink_to(LAOCORPUS.parent.parent)
    service, timer = (u.replace("/srv/lao-news-corpus", str(deployment)) for u in unit_files())
    settings = dict(
        line.split("=", 1) for line in service.splitlines() if "=" in line and line[0] != "["
    )
    assert settings["SuccessExitStatus"] == str(cli_errors.EXIT_LOCKED)
    if shutil.which("systemd-analyze"):
        (tmp_path / "laocorpus-lsr.service").write_text(service)
        (tmp_path / "laocorpus-lsr.timer").write_text(timer)
        verify = subprocess.run(
            ["systemd-analyze", "verify", "laocorpus-lsr.service", "laocorpus-lsr.timer"],
            cwd=tmp_path, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert verify.returncode == 0, verify.stderr
    name, value = settings["Environment"].split("=", 1)
    assert name == "CORPUS_DATABASE_URL" and value.startswith("postgresql+psycopg://")
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), name: postgres_url}
    with make_server(SampleSite()) as server:
        done = subprocess.run(
            [*settings["ExecStart"].split(), "--base-url", server.base_url],
            cwd=settings["WorkingDirectory"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.findall(r"posts in corpus +│ +(\d+) │", done.stdout) == [str(len(truth["posts"]))]
    assert (deployment / "data/logs/crawl.log").stat().st_size > 0


@pytest.mark.postgres
def test_status_of_a_distributed_run_is_readable_at_80_columns(
    postgres_url: str, redis_url: str, redis_prefix: str
) -> None:
    options = ("--redis", redis_url, "--redis-prefix", redis_prefix, "--db", postgres_url)
    seeded = run("seed", "lsr", *options, "--base-url", "http://127.0.0.1:9", cwd=REPO)
    assert seeded.returncode == 0, seeded.stderr
    run_id = re.search(r"seeded crawl run (\d+)", seeded.stdout)[1]
    status = run("status", "lsr", *options, cwd=REPO)
    assert status.returncode == 0, status.stderr
    assert "…" not in status.stdout and max(map(len, status.stdout.splitlines())) <= 80
    assert re.search(r"│ site address +│ +http://127\.0\.0\.1:9 │", status.stdout)
    assert re.search(r"│ start message +│ +waiting for a worker │", status.stdout)
    block = status.stdout.split(f"Workers of crawl run {run_id}\nworker (whole run)\n", 1)[1]
    assert re.match(r"  status +running\n", block)
    assert "  requests 0 · new 0 · updated 0 · unchanged 0 · rejected 0 · errors 0" in block
