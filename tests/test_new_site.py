"""Adding a site: `laocorpus new-site` + `laocorpus fixture save` give a profile whose
fixtures `fixture check` (and tests/sites/test_fixtures.py) pass on the second sample theme,
and fail, naming the field, when extraction breaks."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.fixtures import fixture_name, read_pages
from testing.samplesite.faces import Face, face_ground_truth
from testing.samplesite.server import make_server
from tests.test_cli import laocorpus


def test_new_site_workflow_on_the_second_theme(site, tmp_path: Path) -> None:
    truth = face_ground_truth(site, Face("newsbox", "plain", "on"))
    multipage = truth["multipage"]["path"]
    chosen = [multipage, *(p["path"] for p in truth["posts"][5:8])]
    with make_server(site, theme="newsbox", permalinks="plain") as server:
        created = laocorpus(
            "new-site", "newsdemo", "--url", server.base_url, "--root", str(tmp_path)
        )
        assert created.returncode == 0, created.stderr
        urls = [server.base_url + path for path in chosen]
        saved = laocorpus("fixture", "save", "newsdemo", *urls, "--root", str(tmp_path))
        assert saved.returncode == 0, saved.stderr
    assert f"saved tests/fixtures/newsdemo/{fixture_name(multipage)} (3 pages, stored)" in (
        saved.stdout
    )
    profile = tmp_path / "crawler" / "sites" / "newsdemo.py"
    assert len(profile.read_text().splitlines()) < 30  # a profile is a short file
    assert not (tmp_path / "tests" / "sites").exists()  # no generated test file any more
    fixtures = tmp_path / "tests" / "fixtures" / "newsdemo"
    assert sorted(p.name for p in fixtures.iterdir()) == sorted(map(fixture_name, chosen))
    by_path = {p["path"]: p for p in truth["posts"]}
    fields = ("post_id", "title", "author", "authors", "categories", "tags", "text")
    fields += ("published_at", "modified_at", "language")
    for path in chosen:  # whole posts, the split one joined: the stored item is the truth
        record = json.loads((fixtures / fixture_name(path) / "output.json").read_text())
        assert {f: record[f] for f in fields} == {f: by_path[path][f] for f in fields}
        assert record["rejected"] is None
    _url, pages = read_pages(fixtures / fixture_name(multipage))
    post_id = by_path[multipage]["post_id"]
    assert [u.removeprefix(server.base_url) for u in pages] == [
        f"/?p={post_id}",
        f"/?p={post_id}&page=2",
        f"/?p={post_id}&page=3",
    ]

    checked = laocorpus("fixture", "check", "newsdemo", "--root", str(tmp_path))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "all fixtures match"

    # a theme change the profile does not know about makes the check fail, naming the field
    profile.write_text(
        profile.read_text().replace(
            '    language="lo",', '    language="lo",\n    selectors={"content": ".no-such-class"},'
        )
    )
    failed = laocorpus("fixture", "check", "newsdemo", "--root", str(tmp_path))
    assert failed.returncode == 1
    assert f"{fixture_name(chosen[1])} text: extracted '', expected " in failed.stdout
    assert failed.stderr.strip() == "laocorpus: error: 8 fields differ from the stored fixtures"


def test_new_site_refuses_bad_names_and_overwrites(tmp_path: Path) -> None:
    bad = laocorpus("new-site", "Bad-Name", "--url", "https://x.la", "--root", str(tmp_path))
    assert bad.returncode == 2 and "must be lowercase letters" in bad.stderr
    assert (
        laocorpus("new-site", "ok", "--url", "https://x.la", "--root", str(tmp_path)).returncode
        == 0
    )
    again = laocorpus("new-site", "ok", "--url", "https://x.la", "--root", str(tmp_path))
    assert again.returncode == 2 and "use --force to overwrite" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


def test_fixture_names() -> None:
    assert fixture_name("https://lsr.com.la/2709/") == "2709"
    assert fixture_name("http://127.0.0.1:8000/?p=217&page=2") == "p-217-page-2"
    lao_a, lao_b = (
        fixture_name("https://x.la/2020/05/ຂ່າວ/"),
        fixture_name("https://x.la/2020/05/ກິລາ/"),
    )
    assert lao_a.startswith("2020-05-") and lao_b.startswith("2020-05-") and lao_a != lao_b
