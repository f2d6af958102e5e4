"""Adding a site: `laocorpus new-site` + `laocorpus fixture save` give a profile whose
generated test passes on the second sample theme, and fails when extraction breaks."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from crawler.fixtures import fixture_name
from samplesite.faces import Face, face_ground_truth
from samplesite.server import make_server
from tests.corpus_check import REPO
from tests.test_cli import laocorpus


def run_pytest(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


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

    profile = tmp_path / "crawler" / "sites" / "newsdemo.py"
    assert len(profile.read_text().splitlines()) < 30  # a profile is a short file
    fixtures = tmp_path / "tests" / "fixtures" / "newsdemo"
    by_path = {p["path"]: p for p in truth["posts"]}
    for path in chosen[1:]:  # whole posts: the stored item is the ground truth
        record = json.loads((fixtures / f"{fixture_name(path)}.json").read_text())["expected"]
        want = by_path[path]
        assert record["title"] == want["title"] and record["text"] == want["text"]
        assert record["author"] == want["author"]
        assert record["categories"] == want["categories"] and record["tags"] == want["tags"]
        assert datetime.fromisoformat(record["published_at"]) == datetime.fromisoformat(
            want["published_at"]
        )
    first_page = json.loads((fixtures / f"{fixture_name(multipage)}.json").read_text())
    assert by_path[multipage]["text"].startswith(first_page["expected"]["text"])

    generated_test = tmp_path / "tests" / "sites" / "test_newsdemo.py"
    passed = run_pytest(generated_test)
    assert passed.returncode == 0, passed.stdout[-2000:]
    assert "1 passed" in passed.stdout

    # a theme change the profile does not know about makes the generated test fail
    profile.write_text(
        profile.read_text().replace(
            '    language="lo",', '    language="lo",\n    selectors={"content": ".no-such-class"},'
        )
    )
    failed = run_pytest(generated_test)
    assert failed.returncode == 1
    assert "text: extracted ''" in failed.stdout


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
