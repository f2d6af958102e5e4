"""Local tooling a hostile site or a careless argument cannot turn against the machine:
new-site and fixture names and URLs, symlink-safe exports and card, the card's escaping."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from corpus.db import init_db
from corpus.writer import CorpusWriter
from crawler.fixtures import download, load_profile, new_site
from publish.card import CARD, write_card
from publish.export import export
from tests.hostile.server import HostileServer, Route
from tests.test_cli import laocorpus
from tests.test_writer import post


def error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("name", ["../../x", "class", "Bad-Name", "x", "a/b", "ok\nimport os"])
def test_new_site_names_must_be_identifiers(name: str, tmp_path: Path) -> None:
    result = laocorpus("new-site", name, "--url", "https://x.la", "--root", str(tmp_path))
    assert result.returncode == 2
    assert "must be lowercase letters, digits and _ (a Python identifier" in error_line(result)
    assert list(tmp_path.iterdir()) == []


def test_new_site_writes_the_url_as_a_literal(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    url = f'https://x.la/"+__import__("os").system("touch${{IFS}}{marker}")+"\'\'\'"""'
    result = laocorpus("new-site", "evil", "--url", url, "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    profile = load_profile("evil", tmp_path)  # runs the generated module
    assert profile.base_url == url and profile.name == "evil"
    assert not marker.exists()
    assert list(tmp_path.rglob("*.py")) == [tmp_path / "crawler" / "sites" / "evil.py"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/hostname", "--url must be an http(s) URL, got 'file:///etc/hostname'"),
        ("https://x.la/\nimport os", "--url must not contain whitespace or control characters"),
        ("javascript:alert(1)", "--url must be an http(s) URL, got 'javascript:alert(1)'"),
    ],
)
def test_new_site_refuses_other_urls(url: str, message: str, tmp_path: Path) -> None:
    result = laocorpus("new-site", "site", "--url", url, "--root", str(tmp_path))
    assert result.returncode == 2 and message in error_line(result)


def test_fixture_save_refuses_a_path_as_name(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "x.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    result = laocorpus("fixture", "save", "../../x", "https://x.la/1/", "--root", str(tmp_path))
    assert result.returncode == 2
    assert "site name '../../x' must be lowercase letters" in error_line(result)
    assert not marker.exists()


def test_fixture_save_fetches_http_only(tmp_path: Path) -> None:
    result = laocorpus("fixture", "save", "lsr", "file:///etc/hostname", "--root", str(tmp_path))
    assert result.returncode == 2
    assert "URL must be an http(s) URL, got 'file:///etc/hostname'" in error_line(result)
    assert not (tmp_path / "tests").exists()
    with HostileServer() as server:  # the project's downloader, gates and limits apply
        new_site("hostile", server.url, tmp_path)
        for path, route in {
            "/ftp": Route(status=302, headers={"Location": "ftp://127.0.0.1:9/x"}),
            "/off": Route(status=302, headers={"Location": "http://example.com/x"}),
            "/big": Route(body=b"<p>" + b"a" * (17 * 2**20)),
            "/robots.txt": Route(body=b"User-agent: *\nDisallow: /private/\n"),
            "/private/1/": Route(body="<p>ສະບາຍດີ</p>"),
            "/page": Route(body="<p>ສະບາຍດີ</p>"),
        }.items():
            server.route(path, route)
        urls = [server.url + p for p in ("/ftp", "/off", "/big", "/private/1/", "/page")]
        got = download("hostile", tmp_path, [*urls, "http://example.com/1/"])
        requested = {seen.path for seen in server.requests}
    assert got.errors == {
        urls[0]: "HTTP 302 (a redirect to ftp://127.0.0.1:9/x, not followed)",
        urls[1]: "redirect off-site",
        urls[2]: "page larger than 16 MB",
        urls[3]: "IgnoreRequest: Forbidden by robots.txt",
        "http://example.com/1/": "IgnoreRequest: off-site: http://example.com/1/ "
        "(origin http://example.com:80 is not the site's)",
    }
    assert got.pages[urls[4]].body == "<p>ສະບາຍດີ</p>".encode()
    assert "/private/1/" not in requested
    with pytest.raises(ValueError, match=r"^URL must be an http"):
        download("hostile", tmp_path, ["file:///etc/hostname"])


# -- output files --------------------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path):
    engine = init_db(f"sqlite:///{tmp_path / 'corpus.sqlite'}")
    CorpusWriter(engine).write(
        [
            post(1, "ໜຶ່ງ", categories=["<script>alert(1)</script>"], tags=[]),
            post(2, "ສອງ", title="[x](javascript:alert(1))", author="*bold* _em_ |pipe|"),
        ]
    )
    return engine


def planted(directory: Path, names: list[str]) -> Path:
    """Symlinks at the names an old version wrote through, all pointing at one victim file."""
    victim = directory / "victim.txt"
    victim.write_text("precious")
    for name in names:
        (directory / name).symlink_to(victim)
    return victim


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_never_writes_through_a_planted_symlink(corpus, tmp_path: Path, fmt) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = planted(out, [f"posts.{fmt}.partial", f"posts.{fmt}"])
    assert export(corpus, out / f"posts.{fmt}", fmt) == 2
    assert victim.read_text() == "precious"
    target = out / f"posts.{fmt}"
    assert not target.is_symlink() and target.stat().st_size > 0
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"posts.{fmt}", f"posts.{fmt}.partial", "victim.txt"]
    )  # the planted link is left alone, no temporary file is left behind
    if fmt == "jsonl":
        records = [json.loads(line) for line in target.read_text().splitlines()]
        assert [r["authors"] for r in records] == [["somchan"], ["*bold* _em_ |pipe|"]]


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_card_is_symlink_safe_and_escapes_site_text(corpus, tmp_path: Path) -> None:
    out = tmp_path / "card"
    out.mkdir()
    names = [f"{CARD}.partial", "posts_per_month.png.partial", "words_per_post.png.partial"]
    victim = planted(out, names)
    write_card(corpus, out)
    assert victim.read_text() == "precious"
    card = (out / CARD).read_text(encoding="utf-8")
    assert "<script>" not in card and "](javascript:" not in card
    assert "| &lt;script&gt;alert\\(1\\)&lt;/script&gt; | 1 |" in card.splitlines()
    assert "| \\*bold\\* \\_em\\_ \\|pipe\\| | 1 |" in card.splitlines()
    assert "| somchan | 1 |" in card.splitlines()
