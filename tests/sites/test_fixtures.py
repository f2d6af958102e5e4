"""Every site's stored posts still come out of the crawl as their fixtures say.

One test per fixture (``test_fixture[lsr/217]``), replayed through the site's own spider
(crawler/fixtures.py): a failure lists each field that changed, with the first difference of a
long text. A site needs no test file of its own: its fixture directory is enough.
"""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest

from crawler.fixtures import (
    FixtureError,
    fixture_problems,
    fixtures_in,
    load_profile,
    new_site,
    read_pages,
    save_fixtures,
    update_fixtures,
)
from testing.samplesite.faces import Face, face_ground_truth
from testing.samplesite.server import make_server
from tests.hostile.server import HostileServer, Route
from tests.sites.resave import SAMPLE, SITES, resave

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SITE_DIRS = sorted(path for path in FIXTURES.iterdir() if path.is_dir())
CASES = [
    pytest.param(site.name, fixture, id=f"{site.name}/{fixture.name}")
    for site in SITE_DIRS
    for fixture in fixtures_in(site)
]
SAMPLE_FIXTURES = [
    pytest.param(name, theme, path, id=f"{name}{path}")
    for name, (theme, _port, paths) in SITES.items()
    for path in paths
]


@functools.cache
def profile(name: str):
    return load_profile(name, REPO)


@pytest.mark.parametrize(("site", "fixture"), CASES)
def test_fixture(site: str, fixture: Path) -> None:
    problems = fixture_problems(profile(site), fixture)
    assert not problems, f"{len(problems)} fields differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("directory", SITE_DIRS, ids=lambda path: path.name)
def test_each_fixture_directory_is_a_site_with_fixtures(directory: Path) -> None:
    assert profile(directory.name).name == directory.name
    assert fixtures_in(directory), f"no fixtures in {directory}"
    assert sorted(p.name for p in directory.iterdir()) == [p.name for p in fixtures_in(directory)]


@functools.cache
def truth(theme: str) -> dict:
    from testing.samplesite.server import SampleSite

    return face_ground_truth(SampleSite(**SAMPLE), Face(theme, "pretty", "on"))


@pytest.mark.parametrize(("name", "theme", "path"), SAMPLE_FIXTURES)
def test_sample_site_fixtures_hold_the_ground_truth(name: str, theme: str, path: str) -> None:
    """The expected items are the sample site's own record, not whatever was extracted."""
    fixture = FIXTURES / name / path.strip("/")
    output = json.loads((fixture / "output.json").read_text(encoding="utf-8"))
    url, pages = read_pages(fixture)
    assert output["url"] == url == f"http://127.0.0.1:{SITES[name][1]}{path}"
    rejects = {r["path"]: r["reason"] for r in truth(theme)["rejects"]}
    if path in rejects:
        assert output["rejected"] == rejects[path] == "missing published_at"
        return
    want = next(post for post in truth(theme)["posts"] if post["path"] == path)
    fields = ("post_id", "title", "author", "authors", "categories", "tags", "text", "language")
    assert {f: output[f] for f in fields} == {f: want[f] for f in fields}
    assert (output["published_at"], output["modified_at"]) == (
        want["published_at"],
        want["modified_at"],
    )
    assert output["rejected"] is None
    multipage = truth(theme)["multipage"]
    expected_pages = multipage["pages"] if path == multipage["path"] else 1
    assert len(pages) == expected_pages  # a split post: all its pages, one item
    if expected_pages > 1:
        assert list(pages)[1:] == [f"{url}{n}/" for n in range(2, expected_pages + 1)]


def test_the_one_resave_command_reproduces_the_committed_fixtures(tmp_path: Path) -> None:
    """``python -m tests.sites.resave`` (from the sample site) gives byte-identical files."""
    counts = resave(tmp_path)
    assert counts == {"lsr": 7, "sample_newsbox": 5}
    for name in SITES:
        committed = sorted(p.relative_to(REPO) for p in (FIXTURES / name).rglob("*"))
        made = (tmp_path / "tests" / "fixtures" / name).rglob("*")
        assert sorted(p.relative_to(tmp_path) for p in made) == committed
        for relative in (path for path in committed if (REPO / path).is_file()):
            assert (tmp_path / relative).read_bytes() == (REPO / relative).read_bytes(), relative


LAO_TEXT = "ນະຄອນຫຼວງວຽງຈັນ ມີຝົນຕົກໜັກ ໃນວັນອັງຄານ.\n\nຜູ້ສື່ຂ່າວ ລາຍງານວ່າ ບໍ່ມີຜູ້ບາດເຈັບ."
LAO_PAGE = """<!DOCTYPE html><html lang="lo"><head><title>ຂ່າວທົດລອງ | Test</title>
<meta property="article:published_time" content="2024-03-05T08:30:00+07:00"></head>
<body class="single single-post postid-5"><article id="post-5" class="post-5 post">
<h1 class="entry-title">ຂ່າວທົດລອງ</h1><div class="entry-content">
<p>ນະຄອນຫຼວງວຽງຈັນ ມີຝົນຕົກໜັກ ໃນວັນອັງຄານ.</p><p>ຜູ້ສື່ຂ່າວ ລາຍງານວ່າ ບໍ່ມີຜູ້ບາດເຈັບ.</p>
</div></article></body></html>"""


def test_a_page_declared_windows_874_but_utf8_is_saved_raw_and_read_as_utf8(tmp_path) -> None:
    """The point of going through the downloader: the bytes are kept as sent (gzip undone,
    never re-encoded) and re-read through Utf8DetectionMiddleware, so the label's lie about
    the charset never reaches the item, today or on any later check."""
    body = LAO_PAGE.encode("utf-8")
    with HostileServer() as server:
        headers = {"Content-Type": "text/html; charset=windows-874"}
        server.route("/2024/03/5/", Route(body=body, headers=headers, gzip=True))
        new_site("mislabelled", server.url, tmp_path)
        [(fixture, outcome)] = save_fixtures("mislabelled", tmp_path, [server.url + "/2024/03/5/"])
    stored = (fixture / "inputs" / "HttpResponse-body.html").read_bytes()
    assert stored == body
    info = json.loads((fixture / "inputs" / "HttpResponse-info.json").read_text())
    assert ["Content-Type", "text/html; charset=windows-874"] in info["headers"]
    assert not any(name.lower() == "content-encoding" for name, _ in info["headers"])
    output = json.loads((fixture / "output.json").read_text(encoding="utf-8"))
    assert output["title"] == "ຂ່າວທົດລອງ"
    assert output["text"] == LAO_TEXT
    assert output["published_at"] == "2024-03-05T08:30:00+07:00"
    assert output["rejected"] is None and outcome.output == output
    # Scrapy alone believes the label: the same bytes would be Thai-codepage mojibake.
    _url, pages = read_pages(fixture)
    naive = pages[server.url + "/2024/03/5/"].response(None).text
    assert "ຂ່າວທົດລອງ" not in naive and naive == body.decode("cp874", errors="replace")
    assert fixture_problems(load_profile("mislabelled", tmp_path), fixture) == []


def test_a_changed_field_is_named_with_its_first_difference(tmp_path: Path) -> None:
    source = FIXTURES / "sample_newsbox" / "217"
    fixture = tmp_path / "217"
    shutil.copytree(source, fixture)
    output = json.loads((source / "output.json").read_text(encoding="utf-8"))
    text = output["text"]
    output["text"] = text[:1000] + "X" + text[1001:]
    output["tags"] = ["ອາຊຽນ"]
    (fixture / "output.json").write_text(json.dumps(output, ensure_ascii=False))
    problems = fixture_problems(profile("sample_newsbox"), fixture)
    assert problems == [
        f"217 tags: extracted {['ອາຊຽນ', 'ແມ່ນ້ຳຂອງ', 'ຕ້ານການຄ້າມະນຸດ']!r}, expected ['ອາຊຽນ']",
        f"217 text: extracted {'…' + text[980:1020] + '…'!r}, expected "
        f"{'…' + text[980:1000] + 'X' + text[1001:1020] + '…'!r} "
        f"(first difference at character 1000; lengths {len(text)} and {len(text)})",
    ]


def test_a_shortlink_is_followed_and_its_split_post_saved_whole(site, tmp_path: Path) -> None:
    """Redirects apply as in a crawl, and page 2 listed beside its post is no post of its own."""
    want = next(post for post in truth("newsbox")["posts"] if post["path"] == "/217/")
    with make_server(site, theme="newsbox", permalinks="pretty") as server:
        base = server.base_url
        new_site("shortlinks", base, tmp_path)
        saved = save_fixtures("shortlinks", tmp_path, [f"{base}/?p=217", f"{base}/217/2/"])
    [(fixture, outcome)] = saved
    assert fixture == tmp_path / "tests" / "fixtures" / "shortlinks" / "p-217"
    url, pages = read_pages(fixture)
    assert url == f"{base}/?p=217"
    assert list(pages) == [f"{base}/?p=217", f"{base}/217/2/", f"{base}/217/3/"]
    assert [page.url for page in pages.values()] == [f"{base}/217/", *list(pages)[1:]]
    assert outcome.output["url"] == f"{base}/217/"
    assert outcome.output["text"] == want["text"] and outcome.output["rejected"] is None


def test_update_rewrites_an_expectation_from_the_stored_pages(tmp_path: Path) -> None:
    source = FIXTURES / "lsr" / "217"
    copy = tmp_path / "lsr" / "217"
    shutil.copytree(source, copy)
    (copy / "output.json").write_text('{"title": "stale"}')
    assert update_fixtures(profile("lsr"), tmp_path / "lsr") == 1
    assert (copy / "output.json").read_bytes() == (source / "output.json").read_bytes()
    assert (copy / "meta.json").read_bytes() == (source / "meta.json").read_bytes()


def test_a_post_whose_later_page_fails_is_not_saved(tmp_path: Path) -> None:
    first = LAO_PAGE.replace(
        "</p>\n</div>", '</p><div class="page-links"><a href="/5/2/">2</a></div></div>'
    )
    with HostileServer() as server:
        new_site("split", server.url, tmp_path)
        server.route("/5/", Route(body=first))
        server.route("/5/2/", Route(status=404))
        with pytest.raises(FixtureError) as failed:
            save_fixtures("split", tmp_path, [server.url + "/5/"])
    assert str(failed.value) == f"cannot fetch {server.url}/5/: page 2 failed: HTTP 404"
    assert not (tmp_path / "tests").exists()
