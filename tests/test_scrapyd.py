"""Operators who schedule through Scrapyd: the project runs under a local Scrapyd."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from corpus.db import get_engine
from testing.samplesite.groundtruth import ground_truth
from testing.verify import differences
from tests.corpus_check import REPO

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, endpoint: str, data: dict | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=body, timeout=10) as response:
        return json.loads(response.read())


def test_schedule_json_runs_a_crawl(site, server, tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\n"
        f"http_port = {port}\neggs_dir = {tmp_path / 'eggs'}\nlogs_dir = {tmp_path / 'logs'}\n"
        f"dbs_dir = {tmp_path / 'dbs'}\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n"
    )
    shutil.copy(REPO / "scrapy.cfg", tmp_path / "scrapy.cfg")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    scrapyd = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert call(base, "listprojects.json")["projects"] == ["default"]
                break
            except OSError:
                assert time.monotonic() < deadline, "scrapyd did not start"
                time.sleep(0.3)
        assert "lsr" in call(base, "listspiders.json?project=default")["spiders"]
        db = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
        job = call(
            base,
            "schedule.json",
            {
                "project": "default",
                "spider": "lsr",
                "base_url": server.base_url,
                "setting": f"CORPUS_DATABASE_URL={db}",
            },
        )
        assert job["status"] == "ok"
        while True:
            jobs = call(base, "listjobs.json?project=default")
            if [j for j in jobs["finished"] if j["id"] == job["jobid"]]:
                break
            assert time.monotonic() < deadline + 120, jobs
            time.sleep(0.5)
    finally:
        scrapyd.terminate()
        scrapyd.wait(timeout=10)
    assert differences(get_engine(db), ground_truth(site), server.base_url) == []
