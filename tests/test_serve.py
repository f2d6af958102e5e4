"""``laocorpus serve``: Datasette over HTTP on 127.0.0.1, read-only, searching Lao text."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icu
import pytest

from analysis import neardup
from publish import search
from publish.serve import build_search_index
from tests.corpus_check import REPO
from tests.truth_corpus import BASE_URL, planted_pairs, write_posts
from text import lao

LAO = range(0x0E80, 0x0F00)
# One worker runs the module, so the shared server starts once (make test runs -n 2).
pytestmark = pytest.mark.xdist_group("serve")


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


def icu_words(text: str) -> list[str]:
    """The test's own ICU segmentation: every word-status segment of the search-folded text.

    Independent of publish/search.py and the FTS5 tokenizer; shares only ICU and the fold.
    """
    breaker = icu.BreakIterator.createWordInstance(icu.Locale("lo"))
    text = lao.search_key(text)
    breaker.setText(text)
    found, start = [], breaker.first()
    for end in breaker:
        if breaker.getRuleStatus() >= icu.UWordBreak.NUMBER:  # numbers, letters, ideographs
            found.append(text[start:end])
        start = end
    return found


def holds(text: str, phrase: str) -> bool:
    """Whether the words of ``phrase`` occur in ``text`` one after another (test's own ICU)."""
    words, wanted = icu_words(text), icu_words(phrase)
    return any(words[i : i + len(wanted)] == wanted for i in range(len(words)))


def posts_with_word(truth: dict[str, Any], word: str) -> set[str]:
    """URLs of the posts whose title or text, segmented, holds ``word`` as a whole word."""
    return {
        BASE_URL + post["path"]
        for post in truth["posts"]
        if word in icu_words(post["title"]) or word in icu_words(post["text"])
    }


def fetch(url: str) -> tuple[int, str, str]:
    """(status, final URL, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode()


@pytest.fixture(scope="module")
def served(truth, tmp_path_factory):
    """``laocorpus serve`` on a free port over the sample site's corpus, shared by the
    module's tests; its output goes to a file the tests read, and is checked at the end."""
    folder = tmp_path_factory.mktemp("served")
    path = folder / "corpus.sqlite"
    engine = write_posts(f"sqlite:///{path}", truth["posts"])
    neardup.update(engine)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CORPUS_DATABASE_URL", None)
    output = folder / "output.txt"  # stdout and stderr: rich prints tracebacks to stdout
    with open(output, "w", encoding="utf-8") as out_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli.main",
                "serve",
                "--db",
                f"sqlite:///{path}",
                "--port",
                str(port),
            ],
            cwd=REPO,
            env=env,
            stdout=out_file,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, output.read_text()
            try:
                get(base + "/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "Datasette did not answer in 60 s"
                time.sleep(0.2)
        yield base + "/corpus", port, output
    finally:
        process.terminate()
        process.wait(timeout=20)
    err = output.read_text()
    # uvicorn shuts down cleanly on SIGTERM, then lets the signal end the process
    assert process.returncode in (0, -signal.SIGTERM), err
    assert "Traceback" not in err


def search_all(database: str, table: str, word: str) -> tuple[int, list[dict[str, Any]]]:
    """(the count Datasette reports, every row, page after page) of a table's search box."""
    query = f"_search={urllib.parse.quote(word)}&_size=20&_col=url&_shape=objects"
    url = f"{database}/{table}.json?{query}"
    first = get(url)
    rows, page = list(first["rows"]), first
    while page["next_url"]:
        page = get(page["next_url"])
        rows += page["rows"]
    return first["filtered_table_rows_count"], rows


# ມື (a word of its own in 41 posts) hides in ມື້ and ເມືອງ in 118: exact words, not substrings.
SHORT_WORDS = ("ປີ", "ນາ", "ມື", "ສີ")


@pytest.mark.parametrize("word", SHORT_WORDS)
def test_search_finds_every_post_holding_a_short_lao_word(served, truth, word) -> None:
    database, _, _ = served
    expected = posts_with_word(truth, word)
    assert expected and len(expected) < len(truth["posts"])
    # the search box of posts_browse: the true count, and every match through its pages
    count, rows = search_all(database, "posts_browse", word)
    assert count == len(expected)
    assert sorted(row["url"] for row in rows) == sorted(expected)
    # the same index behind the raw posts table's search box
    count, rows = search_all(database, "posts", word)
    assert (count, {row["url"] for row in rows}) == (len(expected), expected)

    # the canned query: 'matches' is the total on every page, pages of 50 cover them all
    found: list[str] = []
    for page in range(1, 5):
        rows = get(f"{database}/search.json?q={urllib.parse.quote(word)}&page={page}&_shape=array")
        assert len(rows) == min(50, len(expected) - len(found))
        assert {row["matches"] for row in rows} <= {len(expected)}
        found += [row["url"] for row in rows]
    assert sorted(found) == sorted(expected)


def test_search_ids_match_the_posts_table(served, truth) -> None:
    """The ids search returns are the posts' own ids (posts_browse mirrors posts.id)."""
    database, _, _ = served
    rows = get(f"{database}/posts.json?_shape=array&_size=max&_col=url")
    id_of = {row["url"]: row["id"] for row in rows}
    _, found = search_all(database, "posts_browse", "ນາ")
    assert {row["id"] for row in found} == {id_of[url] for url in posts_with_word(truth, "ນາ")}


def test_search_and_canned_queries_over_http(served, truth) -> None:
    database, _, _ = served
    phrase, owner = unique_phrase(truth)
    quoted = urllib.parse.quote(phrase)

    # a long run of Lao letters: segmented the same way as the index, found as a phrase
    rows = get(f"{database}/posts_browse.json?_search={quoted}&_shape=array&_col=url")
    assert [row["url"] for row in rows] == [BASE_URL + owner]
    # the canned search query, which also returns an excerpt around the phrase
    rows = get(f"{database}/search.json?q={quoted}&_shape=array")
    assert [(row["url"], row["matches"]) for row in rows] == [(BASE_URL + owner, 1)]
    assert phrase in rows[0]["excerpt"]
    # a compound typed without spaces matches its words in sequence: ກອງ ປະຊຸມ
    assert search.match_query("ກອງປະຊຸມ") == '"ກອງ ປະຊຸມ"'
    rows = get(f"{database}/search.json?q={urllib.parse.quote('ກອງປະຊຸມ')}&_shape=array")
    assert icu_words("ກອງປະຊຸມ") == ["ກອງ", "ປະຊຸມ"]
    expected = {
        BASE_URL + p["path"]
        for p in truth["posts"]
        if holds(p["title"], "ກອງປະຊຸມ") or holds(p["text"], "ກອງປະຊຸມ")
    }
    assert len(expected) > 50  # more than one page
    assert rows[0]["matches"] == len(expected)
    # punctuation only: no match, no error
    assert get(f"{database}/search.json?q=...&_shape=array") == []

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


def shown_time(iso: str) -> str:
    """How the test expects a stored time on screen: UTC, minutes, zone named."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def test_posts_read_well(served, truth) -> None:
    database, _, _ = served
    by_url = {BASE_URL + p["path"]: p for p in truth["posts"]}

    # posts_browse: no body_html; categories and tags as the site has them, in page order
    page = get(f"{database}/posts_browse.json?_shape=objects&_size=max")
    assert "body_html" not in page["columns"]
    assert page["columns"][-1] == "text"
    assert {"categories", "tags", "published_at"} <= set(page["columns"])
    assert len(page["rows"]) == len(truth["posts"])
    for row in page["rows"]:
        post = by_url[row["url"]]
        assert json.loads(row["categories"]) == post["categories"]
        assert json.loads(row["tags"]) == post["tags"]

    # the HTML table: times with their zone, category names shown as text
    status, _, body = fetch(f"{database}/posts_browse?_sort=id&_size=5")
    assert status == 200
    first = truth["posts"][0]
    assert shown_time(first["published_at"]) in body
    assert ", ".join(first["categories"]) in html.unescape(body)
    assert "00.000000" not in body

    # the raw posts table's page hides body_html unless asked for it
    status, final, body = fetch(f"{database}/posts")
    assert (status, final) == (200, f"{database}/posts?_nocol=body_html")
    assert 'data-column="text"' in body and 'data-column="body_html"' not in body
    status, _, body = fetch(f"{database}/posts?_col=body_html")
    assert 'data-column="body_html"' in body

    # a row page: labelled fields, then the whole text in its own block after them
    row = next(r for r in page["rows"] if r["url"] == BASE_URL + first["path"])
    status, _, body = fetch(f"{database}/posts_browse/{row['id']}")
    assert status == 200
    fields, text_block = body.index('<dl class="laocorpus-record">'), body.index("laocorpus-text")
    assert fields < text_block
    shown = re.search(r'<div class="laocorpus-text" lang="lo">(.*?)</div>', body, re.S)
    assert shown and html.unescape(shown.group(1)) == first["text"]
    assert "<dt>published_at</dt>" in body and shown_time(first["published_at"]) in body


def test_ordinary_errors_leave_no_traceback(served) -> None:
    database, _, output = served
    root = database.rsplit("/", 1)[0]
    assert fetch(f"{root}/nowhere")[0] == 404
    assert fetch(f"{database}/no_such_table")[0] == 404
    assert fetch(f"{database}/posts_browse/999999")[0] == 404
    status, _, body = fetch(f"{database}.json?sql={urllib.parse.quote('drop table posts')}")
    assert (status, json.loads(body)["error"]) == (400, "Statement must be a SELECT")
    status, _, body = fetch(f"{database}?sql={urllib.parse.quote('select * from nowhere')}")
    assert status == 400 and "no such table: nowhere" in body
    time.sleep(0.2)  # let the server flush what it writes
    printed = output.read_text()
    assert "Traceback" not in printed and "locals" not in printed
    # what is printed: the index summary, the address, one line for the query on no table
    assert len(printed.splitlines()) <= 4, printed


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


def matching(path, word: str) -> set[int]:
    db = sqlite3.connect(path)
    try:
        query = "SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?"
        return {row[0] for row in db.execute(query, (search.match_query(word),))}
    finally:
        db.close()


def post_id(path, url: str) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT id FROM posts WHERE url = ?", (url,)).fetchone()[0]
    finally:
        db.close()


def test_search_index_is_refreshed_incrementally(truth, tmp_path) -> None:
    path = tmp_path / "corpus.sqlite"
    posts = truth["posts"]
    write_posts(f"sqlite:///{path}", posts[:50]).dispose()
    first = build_search_index(path)
    assert (first.rebuilt, first.posts) == (True, 50)
    assert build_search_index(path).summary() == "search index up to date: 50 posts"
    write_posts(f"sqlite:///{path}", posts[50:60]).dispose()
    assert build_search_index(path).summary() == (
        "search index refreshed: 10 added, 0 updated, 0 removed; 60 posts"
    )

    # a post rewritten with ຫນ spellings: its old words leave the index, the new ones are
    # found, and the ໜ spelling finds the ຫນ one (lao.search_key folds both)
    changed = {**posts[3], "text": "ສະບາຍດີ ຫນ້າທີ່ ຫມາກໄມ້", "categories": ["ໃໝ່"]}
    target = post_id(path, BASE_URL + changed["path"])
    elsewhere = {
        word
        for post in posts[:60]
        if post is not posts[3]
        for word in icu_words(post["title"]) + icu_words(post["text"])
    }
    old_words = set(icu_words(posts[3]["text"])) - elsewhere - set(icu_words(posts[3]["title"]))
    assert old_words  # words only this post's old text had
    write_posts(f"sqlite:///{path}", [changed]).dispose()
    assert build_search_index(path).summary() == (
        "search index refreshed: 0 added, 1 updated, 0 removed; 60 posts"
    )
    now = [changed if post is posts[3] else post for post in posts[:60]]
    for written, other in (("ໜ້າທີ່", "ຫນ້າທີ່"), ("ໝາກໄມ້", "ຫມາກໄມ້")):
        holders = {
            post_id(path, BASE_URL + post["path"])
            for post in now
            if holds(post["title"], written) or holds(post["text"], written)
        }
        assert target in holders
        assert matching(path, written) == matching(path, other) == holders
    for word in old_words:
        assert matching(path, word) == set(), word

    # a post deleted from the corpus leaves the index
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM post_terms WHERE post_id = ?", (target,))
        db.execute("DELETE FROM posts WHERE id = ?", (target,))
    db.close()
    assert build_search_index(path).summary() == (
        "search index refreshed: 0 added, 0 updated, 1 removed; 59 posts"
    )
    assert matching(path, "ສະບາຍດີ") == set()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')")
    db.close()


def test_lao_marks_are_part_of_index_words() -> None:
    """unicode61 splits at combining marks and strips diacritics unless told otherwise."""
    db = sqlite3.connect(":memory:")
    db.execute(f'CREATE VIRTUAL TABLE t USING fts5(x, tokenize="{search.TOKENIZE}")')
    db.execute("INSERT INTO t(x) VALUES (?)", (search.index_text("ມື້ນີ້ ເມືອງ ປີ"),))
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, row)")
    words = sorted(row[0] for row in db.execute("SELECT term FROM v"))
    assert words == sorted(icu_words("ມື້ນີ້ ເມືອງ ປີ"))


def test_index_command_builds_then_refreshes(truth, tmp_path) -> None:
    path = tmp_path / "corpus.sqlite"
    write_posts(f"sqlite:///{path}", truth["posts"][:40]).dispose()
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80"}
    command = [sys.executable, "-m", "cli.main", "index", "--db", f"sqlite:///{path}"]
    first = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert (first.returncode, first.stderr.strip()) == (0, "search index built: 40 posts")
    assert matching(path, "ປີ") == {
        post_id(path, url) for url in posts_with_word({"posts": truth["posts"][:40]}, "ປີ")
    }
    again = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert (again.returncode, again.stderr.strip()) == (0, "search index up to date: 40 posts")
