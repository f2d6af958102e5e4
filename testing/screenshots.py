"""Screenshots of the corpus in Datasette, taken by a real headless browser (Debian's chromium).

Why: whether the posts table and a row page read well (Lao glyphs, times, text width) can only
be judged by looking at them. This crawls the sample site into a fresh corpus (``laocorpus
demo``), serves it (``laocorpus serve``) and saves PNGs of the pages a reader sees first::

    apt-get install -y chromium fonts-lao        # once
    .venv/bin/python -m testing.screenshots --out /tmp/screens

Not part of ``make test``: it needs chromium and takes about half a minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WINDOW = "1280,900"
# (file name, path under the database, what it shows)
PAGES = (
    ("database.png", "", "the database page: tables and canned queries"),
    ("posts_browse.png", "/posts_browse", "readable posts table, newest first"),
    ("posts_browse_tall.png", "/posts_browse?_size=10", "the same, 1280x2400, rows visible"),
    ("posts_browse_row.png", "/posts_browse/{row}", "one post: fields, then its text"),
    ("search_pi.png", "/posts_browse?_search=" + urllib.parse.quote("ປີ"), "search: ປີ"),
    ("search_query.png", "/search?q=" + urllib.parse.quote("ນາ"), "canned search: ນາ"),
    ("posts_raw.png", "/posts", "raw posts table (body_html hidden)"),
    ("posts_raw_row.png", "/posts/{row}", "raw posts row page"),
    ("posts_raw_row_tall.png", "/posts/{row}", "the same, 1280x2400: text, body_html folded"),
    ("not_found.png", "/no_such_table", "a 404 page"),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def laocorpus(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", *args], cwd=REPO, env=env, **kwargs
    )


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise SystemExit(f"laocorpus serve exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise SystemExit(f"no answer from {url} in {seconds:.0f} s") from None
            time.sleep(0.3)


def screenshot(browser: str, url: str, target: Path, window: str = WINDOW) -> None:
    """One PNG of ``url`` at ``window`` size; --no-sandbox as containers run it as root."""
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size={window}",
            f"--screenshot={target}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/work/notes/screens"))
    parser.add_argument("--posts", type=int, default=120, help="sample-site posts to crawl")
    parser.add_argument("--row", type=int, default=2, help="id of the post for row pages")
    args = parser.parse_args(argv)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium not found (apt-get install -y chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/corpus.sqlite"
        print(f"crawling the sample site ({args.posts} posts)…", flush=True)
        demo = laocorpus(
            "demo",
            "--db",
            url,
            "--posts",
            str(args.posts),
            "--port",
            "0",
            stdout=subprocess.DEVNULL,
        )
        if demo.wait() != 0:
            raise SystemExit("laocorpus demo failed")
        port = free_port()
        server = laocorpus("serve", "--db", url, "--port", str(port))
        try:
            base = f"http://127.0.0.1:{port}/corpus"
            wait_for(base + ".json", server)
            for name, path, what in PAGES:
                target = args.out / name
                window = "1280,2400" if "tall" in name else WINDOW
                screenshot(browser, base + path.format(row=args.row), target, window)
                print(f"{target}: {what}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
