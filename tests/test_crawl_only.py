"""A crawl-only install (``pip install .``, no extras) crawls into SQLite; a command that needs
an extra says which one to install.

The missing extras are made missing for real, for the child process: a ``sitecustomize``
refuses to import every module the extras install (the table the CLI's advice comes from,
itself checked against pyproject.toml).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from cli.errors import MODULE_EXTRAS
from corpus.db import get_engine, init_db
from testing.verify import differences
from tests.corpus_check import REPO

pytestmark = pytest.mark.e2e
EXTRAS = ("analysis", "publish", "distributed")

BLOCKER = """
import sys
from importlib.abc import MetaPathFinder

MISSING = {missing!r}


class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in MISSING:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
"""


def without_extras(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """``python ARGS`` in a process in which no optional extra is installed."""
    directory = tmp_path / "crawl-only"
    directory.mkdir()
    (directory / "sitecustomize.py").write_text(BLOCKER.format(missing=sorted(MODULE_EXTRAS)))
    env = {**os.environ, "PYTHONPATH": f"{directory}{os.pathsep}{REPO}"}
    env.pop("CORPUS_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_extras_table_is_what_pyproject_installs() -> None:
    optional = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    by_distribution: dict[str, list[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            by_distribution.setdefault(distribution.lower().replace("_", "-"), []).append(module)
    installed = {}
    for extra in EXTRAS:
        for requirement in optional[extra]:
            name = re.match(r"[A-Za-z0-9_.-]+", requirement)[0].lower().replace("_", "-")
            modules = [m for m in by_distribution[name] if not m.startswith("_")]
            installed.update({module: extra for module in modules if module in MODULE_EXTRAS})
            assert any(m in MODULE_EXTRAS for m in modules), f"{name} ({modules}) not in table"
    assert installed == MODULE_EXTRAS


def test_a_crawl_without_the_extras_builds_the_whole_corpus(
    tmp_path: Path, server, truth: dict
) -> None:
    database = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    crawl = without_extras(
        tmp_path,
        *("-m", "scrapy", "crawl", "lsr"),
        *("-a", f"base_url={server.base_url}", "-s", f"CORPUS_DATABASE_URL={database}"),
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert "Traceback" not in crawl.stderr
    assert "near-duplicates not updated: No module named 'numpy'" in crawl.stderr
    assert differences(get_engine(database), truth, server.base_url) == []


@pytest.mark.parametrize(
    ("command", "extra", "module"),
    [
        (("dedup",), "analysis", "numpy"),
        (("export", "--format", "parquet", "-o", "{tmp}/posts.parquet"), "publish", "pyarrow"),
    ],
)
def test_a_command_of_a_missing_extra_names_it_in_one_line(
    tmp_path: Path, command: tuple[str, ...], extra: str, module: str
) -> None:
    database = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    init_db(database)  # a corpus a crawl made
    args = [part.format(tmp=tmp_path) for part in command]
    result = without_extras(tmp_path, "-m", "cli.main", *args, "--db", database)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"laocorpus: error: this command needs the {extra!r} extra ({module} is not installed):"
        f" pip install 'lao-news-corpus[{extra}]'\n"
    )


def test_a_worker_without_the_distributed_extra_names_it_in_one_line(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    worker = without_extras(
        tmp_path,
        *("-m", "scrapy", "crawl", "lsr", "-s", f"CORPUS_DATABASE_URL={database}"),
        *("-s", "CORPUS_REDIS_URL=redis://127.0.0.1:9/0", "-s", "LOG_LEVEL=WARNING"),
    )
    assert (worker.returncode, worker.stdout) == (1, "")
    assert worker.stderr.splitlines()[-1] == (
        "scrapy: error: CORPUS_REDIS_URL is set, but this command needs the 'distributed' extra"
        " (redis is not installed): pip install 'lao-news-corpus[distributed]'"
    )
    assert "Traceback" not in worker.stderr
