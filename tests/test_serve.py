"""``laocorpus serve``: Datasette over HTTP on 127.0.0.1, read-only, searching Lao text."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from corpus import neardup
from corpus.serve import build_search_index
from tests.corpus_check import REPO
from tests.truth_corpus import BASE_URL, planted_pairs, write_posts

LAO = range(0x0E80, 0x0F00)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def unique_phrase(truth: dict[str, Any]) -> tuple[str, str]:
    """A run of Lao letters found in exactly one post (title or text): (phrase, its path)."""
    posts = truth["posts"]
    everything = [p["title"] + "\n" + p["text"] for p in posts]
    for post in posts:
        words = [w for w in post["text"].split() if len(w) >= 10 and all(ord(c) in LAO for c in w)]
        for word in words:
            if sum(word in text for text in everything) == 1:
                return word, post["path"]
    raise AssertionError("no phrase belongs to one post only")


@pytest.fixture
def served(truth, tmp_path):
    """``laocorpus serve`` on a free port, answering; stopped after the test."""
    path = tmp_path / "corpus.sqlite"
    engine = write_posts(f"sqlite:///{path}", truth["posts"])
    neardup.update(engine)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "corpus.cli",
            "serve",
            "--db",
            f"sqlite:///{path}",
            "--port",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                get(base + "/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "Datasette did not answer in 60 s"
                time.sleep(0.2)
        yield base + "/corpus", port, path
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    # uvicorn shuts down cleanly on SIGTERM, then lets the signal end the process
    assert process.returncode in (0, -signal.SIGTERM), err
    assert "Traceback" not in err


def test_search_and_canned_queries_over_http(served, truth) -> None:
    database, _, _ = served
    phrase, owner = unique_phrase(truth)
    quoted = urllib.parse.quote(phrase)

    # Datasette's search box on the posts table, through the trigram index
    rows = get(f"{database}/posts.json?_search={quoted}&_shape=array&_col=url")
    assert [row["url"] for row in rows] == [BASE_URL + owner]
    # the canned search query, which also returns an excerpt around the phrase
    rows = get(f"{database}/search.json?q={quoted}&_shape=array")
    assert [row["url"] for row in rows] == [BASE_URL + owner]
    assert phrase in rows[0]["excerpt"]
    # a Lao word many posts share
    rows = get(f"{database}/search.json?q={urllib.parse.quote('ກອງປະຊຸມ')}&_shape=array")
    assert {row["url"] for row in rows} == {
        BASE_URL + p["path"]
        for p in truth["posts"]
        if "ກອງປະຊຸມ" in p["title"] or "ກອງປະຊຸມ" in p["text"]
    }

    vientiane = ZoneInfo("Asia/Vientiane")
    months = Counter(
        datetime.fromisoformat(p["published_at"]).astimezone(vientiane).strftime("%Y-%m")
        for p in truth["posts"]
    )
    rows = get(f"{database}/posts_per_month.json?_shape=array&_size=max")
    assert {row["month"]: row["posts"] for row in rows} == dict(months)
    categories = Counter(name for p in truth["posts"] for name in p["categories"])
    rows = get(f"{database}/posts_by_category.json?_shape=array")
    assert {row["category"]: row["posts"] for row in rows} == dict(categories)
    rows = get(f"{database}/near_duplicates.json?_shape=array")
    assert {(row["url"], row["original_url"]) for row in rows} == planted_pairs(truth)

    # read-only: Datasette holds the file as immutable
    (info,) = [d for d in get(database.rsplit("/", 1)[0] + "/-/databases.json")]
    assert (info["name"], info["is_mutable"]) == ("corpus", False)


def test_listens_on_loopback_only(served) -> None:
    """The listening socket is bound to 127.0.0.1, as the kernel reports it (Linux)."""
    _, port, _ = served
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            pytest.skip("no /proc/net/tcp on this system")
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                    listening.append(address)
    assert listening == ["0100007F"]  # 127.0.0.1, little-endian hex; nothing on IPv6


def test_search_index_is_rebuilt_only_when_posts_change(truth, tmp_path) -> None:
    path = tmp_path / "corpus.sqlite"
    write_posts(f"sqlite:///{path}", truth["posts"][:50]).dispose()
    assert build_search_index(path) is True
    assert build_search_index(path) is False
    write_posts(f"sqlite:///{path}", truth["posts"][50:60]).dispose()
    assert build_search_index(path) is True
