"""The import contracts of ``.importlinter`` hold, and they catch an arrow drawn the wrong way."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus_check import REPO

PACKAGES = (
    "schema",
    "text",
    "crawler",
    "pipelines",
    "corpus",
    "analysis",
    "publish",
    "jobs",
    "cli",
    "testing",
    "tests",
    "benchmarks",
)
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layers_hold() -> None:
    result = lint(REPO)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


BREAKS = [
    # (module edited, the import added to it, a contract it must break)
    ("text/lao.py", "crawler.settings", "Rooms depend downwards only"),
    ("cli/inspect.py", "sqlalchemy", "The command line holds no SQL"),
    ("pipelines/store.py", "corpus.writer", "reach the database only through the corpus handle"),
    ("publish/export.py", "crawler.items", "never reach into the crawler or the pipelines"),
    ("testing/samplesite/content.py", "corpus.models", "The test harnesses import nothing"),
]


@pytest.mark.parametrize(("module", "imported", "contract"), BREAKS)
def test_an_arrow_drawn_the_wrong_way_breaks_its_contract(
    tmp_path: Path, module: str, imported: str, contract: str
) -> None:
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("data"))
    shutil.copy(REPO / ".importlinter", tmp_path)
    edited = tmp_path / module
    edited.write_text(edited.read_text(encoding="utf-8") + f"\nimport {imported}\n", "utf-8")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "Contracts: 8 kept" not in result.stdout
    report = " ".join(result.stdout.split("Broken contracts", 1)[1].split())
    assert contract in report
    source = module.removesuffix(".py").replace("/", ".")
    assert f"{source} -> {imported}" in report
