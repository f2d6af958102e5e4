"""Issue 6's acceptance: a crawl of the sample site in chaos mode stores every retrievable post
exactly as the ground truth, lists every unretrievable one with its reason, and says so."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from corpus.db import get_engine
from testing.samplesite.chaos import chaos_truth
from testing.samplesite.groundtruth import ground_truth
from testing.samplesite.server import SampleSite, make_server
from testing.verify import differences
from tests.corpus_check import REPO, rejects

pytestmark = pytest.mark.e2e


def test_chaos_crawl_keeps_everything_retrievable(tmp_path: Path, sqlite_url: str) -> None:
    site = SampleSite()
    chaos = chaos_truth(site, 1)
    truth = {**ground_truth(site), "posts": chaos["posts"]}
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160"}
    env.pop("CORPUS_DATABASE_URL", None)
    with make_server(site, chaos=True, chaos_seed=1) as server:
        base = server.base_url
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "lsr",
                "-a",
                f"base_url={base}",
                "-s",
                f"CORPUS_DATABASE_URL={sqlite_url}",
                "-s",
                "DOWNLOAD_TIMEOUT=2",
                "-s",
                "RETRY_BACKOFF_BASE=0.1",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    stored_rejects = rejects(sqlite_url)
    expected = {base + r["path"]: r["reason"] for r in truth["rejects"]}
    expected |= {base + f["path"]: f["reason"] for f in chaos["unretrievable"]}
    assert stored_rejects.keys() == expected.keys()
    for url, reason in expected.items():
        assert stored_rejects[url].startswith(reason), (url, stored_rejects[url], reason)
    # every retrievable post stored exactly; rejects compared above by reason prefix
    problems = [
        p for p in differences(get_engine(sqlite_url), truth, base) if not p.startswith("reject ")
    ]
    assert problems == []
    # the faults were planted as the chaos truth says, and all were met
    assert Counter(f["retrievable"] for f in chaos["faults"]) == {True: 14, False: 7}
    assert server.chaos.requests("timeout_once") >= 2 and server.chaos.requests("reset_once") >= 2
