"""The import contracts of ``.importlinter`` hold, and they catch an arrow drawn the wrong way."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.corpus_check import REPO

PACKAGES = (
    "schema",
    "crawler",
    "pipelines",
    "corpus",
    "samplesite",
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


def test_a_lao_text_module_importing_the_crawler_breaks_a_contract(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("data"))
    shutil.copy(REPO / ".importlinter", tmp_path)
    lao = tmp_path / "corpus" / "lao.py"
    lao.write_text(lao.read_text(encoding="utf-8") + "\nfrom crawler import settings\n")
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "Lao text and URL identity depend on nothing else of the project BROKEN" in (
        result.stdout
    )
    assert "corpus.lao -> crawler.settings" in result.stdout
