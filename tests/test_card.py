"""The corpus card as a published Hugging Face dataset: front matter, shards, loading, charts.

The corpus: the sample site's ground truth as site lsr, 30 of its posts again as site vte, a
site with a crawl run and no posts, and four posts found gone (tests/test_export.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from cli.main import main
from publish import charts
from publish.card import (
    CARD,
    CATEGORIES_CHART,
    MONTHS_CHART,
    WORDS_CHART,
    size_category,
    write_card,
)
from publish.export import PostFilter, export_shards, iter_posts, shard_folder
from tests.test_cli import table_rows
from tests.test_export import SECOND_POSTS, SECOND_SITE, write_gone_corpus

PHETSARATH = Path("/usr/share/fonts/truetype/lao/Phetsarath_OT.ttf")  # Debian's fonts-lao


@pytest.fixture(scope="module")
def corpus(truth, tmp_path_factory) -> tuple[Engine, dict[str, str], str]:
    path = tmp_path_factory.mktemp("card") / "corpus.sqlite"
    engine, gone = write_gone_corpus(f"sqlite:///{path}", truth)
    return engine, gone, f"sqlite:///{path}"


def laocorpus(capsys, *args: str) -> tuple[int, str, str]:
    """``laocorpus ARGS`` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def front_matter(card: str) -> dict:
    assert card.startswith("---\n")
    block, _ = card[4:].split("\n---\n", 1)
    return yaml.safe_load(block)


def test_size_categories_are_the_hubs_buckets() -> None:
    cases = {
        0: "n<1K", 999: "n<1K", 1000: "1K<n<10K", 9999: "1K<n<10K", 10_000: "10K<n<100K",
        250_000: "100K<n<1M", 1_000_000: "1M<n<10M", 10**9: "1B<n<10B", 10**12: "n>1T",
    }  # fmt: skip
    assert {rows: size_category(rows) for rows in cases} == cases


def test_shard_folders_stay_inside_and_apart() -> None:
    assert [shard_folder(site) for site in ("lsr", "vte.news_2")] == ["lsr", "vte.news_2"]
    hashed = {site: shard_folder(site) for site in ("../../etc", "ຂ່າວ ລາວ", "ຂ່າວ ໄທ", "a b")}
    assert hashed["../../etc"].startswith("etc-") and hashed["a b"].startswith("a-b-")
    assert hashed["ຂ່າວ ລາວ"].startswith("site-") and hashed["ຂ່າວ ໄທ"].startswith("site-")
    assert len(set(hashed.values())) == 4
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{8}", f) for f in hashed.values())


def test_histogram_bins_fit_small_corpora() -> None:
    import numpy

    assert charts.histogram_bins([]) == 0
    assert charts.histogram_bins([214] * 7) == 1
    # 1..9: Sturges 5 bins, Freedman-Diaconis 3; 'auto' takes 5, sqrt(9) caps it at 3.
    assert charts.histogram_bins(list(range(1, 10))) == 3
    # 0..9999: Freedman-Diaconis 22 bins (IQR 5000), under both caps (100 and 50).
    assert charts.histogram_bins(list(range(10_000))) == 22
    # 100,000 normal values: 'auto' wants 147 bins; at most 50.
    normal = numpy.random.default_rng(1).normal(size=100_000).tolist()
    assert charts.histogram_bins(normal) == 50


def test_the_lao_font_covers_every_category_label(truth) -> None:
    from fontTools.ttLib import TTFont

    font = charts.lao_font()
    if font is None or not PHETSARATH.exists():
        message = "no Lao font: apt-get install fonts-lao (make fonts)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert font == charts.LaoFont("Phetsarath OT", str(PHETSARATH))
    assert charts.label_fonts() == ["Phetsarath OT", "DejaVu Sans"]
    cmap = TTFont(font.path).getBestCmap()
    labels = {name for post in truth["posts"] for name in post["categories"]}
    assert len(labels) == 9
    uncovered = {ch for label in labels for ch in label if ord(ch) not in cmap}
    assert uncovered == set()
    assert {ch for ch in charts.LAO_PROBE if ord(ch) not in cmap} == set()


def test_glyphs_in_no_font_and_a_missing_lao_font_are_warnings(tmp_path, monkeypatch) -> None:
    with pytest.warns(charts.ChartWarning, match=r"U\+1781.*drawn as boxes") as caught:
        charts.categories_chart([("ខ្មែរ", 2), ("ຂ່າວ", 1)], tmp_path / "khmer.png")
    assert all("U+0E82" not in str(w.message) for w in caught)  # ຂ has a glyph
    monkeypatch.setattr(charts, "lao_font", lambda: None)
    with pytest.warns(
        charts.ChartWarning,
        match=r"^no Lao font \(install fonts-lao: make fonts\); using DejaVu Sans$",
    ):
        assert charts.label_fonts() == ["DejaVu Sans"]


def test_published_folder_loads_every_row_per_config(corpus, truth, tmp_path, monkeypatch) -> None:
    from PIL import Image

    engine, gone, _ = corpus
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    published = tmp_path / "published"
    with warnings.catch_warnings():
        warnings.simplefilter("error", charts.ChartWarning)  # Lao font there, no box drawn
        files = write_card(engine, published)
    assert [f.name for f in files] == [CARD, MONTHS_CHART, WORDS_CHART, CATEGORIES_CHART]
    for chart in files[1:]:
        with Image.open(chart) as image:
            assert image.format == "PNG" and image.size[0] >= 600
    written = export_shards(engine, published / "data", shard_rows=25)
    assert written == {"lsr": 119, SECOND_SITE: SECOND_POSTS}
    assert sorted(str(p.relative_to(published)) for p in published.rglob("*.parquet")) == [
        *(f"data/lsr/train-{i:05d}-of-00005.parquet" for i in range(5)),
        "data/vte/train-00000-of-00002.parquet",
        "data/vte/train-00001-of-00002.parquet",
    ]

    card = (published / CARD).read_text(encoding="utf-8")
    metadata, glob = front_matter(card), "train-*.parquet"
    assert {k: metadata[k] for k in ("language", "license", "size_categories")} == {
        "language": ["lo"],
        "license": "other",
        "size_categories": ["n<1K"],  # 149 posts
    }
    assert metadata["pretty_name"] == "Lao News Corpus"
    assert metadata["task_categories"] == ["text-generation", "fill-mask"]
    assert metadata["configs"] == [
        {
            "config_name": "default",
            "default": True,
            "data_files": [{"split": "train", "path": "data/*/train-*.parquet"}],
        },
        *(
            {"config_name": name, "data_files": [{"split": "train", "path": f"data/{name}/{glob}"}]}
            for name in ("lsr", "vte")
        ),
    ]  # the site "empty" has no posts: no config, and a note says so
    assert "No posts yet from `empty`: no shards, no config" in card
    assert "| gone posts | 4 |" in card.splitlines()
    assert f"![Posts by category]({CATEGORIES_CHART})" in card

    import datasets
    import huggingface_hub.constants

    # Read at import: set here too, in case an earlier test of this process imported datasets.
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    cache = str(tmp_path / "cache")
    everything = datasets.load_dataset(str(published), split="train", cache_dir=cache)
    expected = {r["url"]: r for r in iter_posts(engine)}
    assert everything.num_rows == len(expected) == 119 + SECOND_POSTS
    assert sorted(everything["url"]) == sorted(expected)
    assert str(everything.features["gone_at"].dtype) == "timestamp[us, tz=UTC]"
    found_gone = {
        url: when.isoformat()
        for url, when in zip(everything["url"], everything["gone_at"], strict=True)
        if when is not None
    }
    assert found_gone == gone
    one_site = datasets.load_dataset(str(published), SECOND_SITE, split="train", cache_dir=cache)
    assert sorted(one_site["url"]) == sorted(u for u, r in expected.items() if r["site"] == "vte")


def test_card_of_a_site_without_posts_draws_no_empty_axis(corpus, tmp_path) -> None:
    engine, _, _ = corpus
    files = write_card(engine, tmp_path / "empty", site="empty")
    assert [f.name for f in files] == [CARD]  # no chart with a -0.045..0.045 axis
    card = files[0].read_text(encoding="utf-8")
    for title, missing in (
        ("posts per month", "posts"),
        ("posts by category", "categories"),
        ("words per post", "posts"),
    ):
        assert f"*No chart of {title}: site `empty` has no {missing} yet.*" in card.splitlines()
    metadata = front_matter(card)
    assert "configs" not in metadata and metadata["size_categories"] == ["n<1K"]
    assert metadata["pretty_name"] == "Lao News Corpus (empty)"


def test_export_shards_from_the_command_line_replace_the_old_ones(corpus, tmp_path, capsys) -> None:
    engine, gone, url = corpus
    out = tmp_path / "data"
    code, _, err = laocorpus(capsys, "export", "--db", url, "--format", "parquet",
                             "--shard-rows", "25", "-o", str(out))  # fmt: skip
    assert code == 0, err
    assert f"wrote 149 posts to {out}: 7 shards in 2 site folders" in err
    code, _, err = laocorpus(capsys, "export", "--db", url, "--format", "parquet",
                             "--shard-rows", "100", "--exclude-gone", "-o", str(out))  # fmt: skip
    assert code == 0, err
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "lsr",
        "lsr/train-00000-of-00002.parquet",
        "lsr/train-00001-of-00002.parquet",
        "vte",
        "vte/train-00000-of-00001.parquet",
    ]  # no shard of the first export left for train-* to pick up
    import pyarrow.dataset

    urls = pyarrow.dataset.dataset(out, format="parquet").to_table(columns=["url"])["url"]
    assert sorted(urls.to_pylist()) == sorted(
        r["url"] for r in iter_posts(engine, PostFilter(exclude_gone=True))
    )
    assert len(urls) == 149 - len(gone)
    code, _, err = laocorpus(capsys, "export", "--db", url, "--format", "parquet",
                             "--shard-rows", "100", "--site", "vte", "-o", str(out))  # fmt: skip
    assert code == 0, err  # --site refreshes that site's shards, leaves the others
    assert len(list((out / "lsr").glob("*.parquet"))) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "--format", "jsonl", "--shard-rows", "10", "-o", "{tmp}/x"), "--shard-rows"),
        (("export", "--format", "parquet", "--shard-rows", "0", "-o", "{tmp}/x"), "--shard-rows"),
        (("export", "--format", "parquet", "--shard-rows", "5", "-o", "{file}"), "is a file"),
        (("export", "--format", "parquet", "-o", "{tmp}"), "is a directory"),
        (("card", "--license", "CC BY 4.0", "-o", "{tmp}/card"), "--license"),
    ],
)
def test_misuse_is_one_line(corpus, tmp_path, capsys, args, message) -> None:
    _, _, url = corpus
    (tmp_path / "posts.parquet").write_bytes(b"keep")
    places = {"tmp": str(tmp_path), "file": str(tmp_path / "posts.parquet")}
    code, _, err = laocorpus(capsys, *(a.format(**places) for a in args), "--db", url)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("laocorpus: error: ") and message in lines[0]
    assert (tmp_path / "posts.parquet").read_bytes() == b"keep"


def test_stats_count_gone_posts(corpus, capsys, monkeypatch) -> None:
    _, _, url = corpus
    monkeypatch.setenv("COLUMNS", "160")
    code, out, err = laocorpus(capsys, "stats", "--db", url)
    assert code == 0, err
    assert table_rows(out)[("gone posts",)] == "4"


@pytest.mark.skipif(not shutil.which("dpkg-query"), reason="Debian only")
def test_make_fonts_is_a_no_op_once_a_lao_font_is_there() -> None:
    if not PHETSARATH.exists():
        pytest.skip("fonts-lao is not installed")
    script = Path(__file__).resolve().parent.parent / "testing" / "install_fonts.sh"
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")


def test_card_command_warns_in_one_line_without_a_lao_font(
    corpus, tmp_path, capsys, monkeypatch
) -> None:
    _, _, url = corpus
    monkeypatch.setattr(charts, "lao_font", lambda: None)
    code, _, err = laocorpus(capsys, "card", "--db", url, "-o", str(tmp_path / "card"))
    assert code == 0, err
    assert err.splitlines() == [
        "laocorpus: warning: no Lao font (install fonts-lao: make fonts); using DejaVu Sans",
        f"wrote {tmp_path}/card/README.md "
        "(posts_per_month.png, words_per_post.png, posts_by_category.png)",
        f"no shards in {tmp_path}/card/data yet: laocorpus export --format parquet "
        f"--shard-rows 100000 --output {tmp_path}/card/data",
    ]


def test_a_failed_shard_export_leaves_the_previous_shards(corpus, tmp_path, monkeypatch) -> None:
    import publish.export as module

    engine, _, _ = corpus
    out = tmp_path / "data"
    export_shards(engine, out, shard_rows=100)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")}
    real = module.iter_rows

    def failing(*args, **kwargs):
        for number, row in enumerate(real(*args, **kwargs)):
            if number == 60:
                raise RuntimeError("database went away")
            yield row

    monkeypatch.setattr(module, "iter_rows", failing)
    with pytest.raises(RuntimeError, match="went away"):
        export_shards(engine, out, shard_rows=25)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")} == before
    assert sorted(p.name for p in out.iterdir()) == ["lsr", "vte"]  # no staging folder left


def test_the_card_shows_each_sites_oldest_check(corpus, tmp_path) -> None:
    """The least recently verified live post's last check, per site: a deleted post's does
    not count, and the one stamped longest ago does."""
    from datetime import UTC, datetime

    from sqlalchemy import select, update

    from corpus.models import Post

    engine, _, _ = corpus
    oldest = datetime(2020, 1, 2, 3, 4, tzinfo=UTC)
    with engine.begin() as db:
        first = db.execute(
            select(Post.id).where(Post.site == "lsr", Post.gone_at.is_(None)).limit(1)
        ).scalar_one()
        dead = db.execute(
            select(Post.id).where(Post.site == "lsr", Post.gone_at.is_not(None)).limit(1)
        ).scalar_one()
        before = dict(
            db.execute(select(Post.id, Post.verified_at).where(Post.id.in_([first, dead]))).all()
        )
        db.execute(update(Post).where(Post.id == first).values(verified_at=oldest))
        db.execute(
            update(Post).where(Post.id == dead).values(verified_at=datetime(2001, 1, 1, tzinfo=UTC))
        )
    try:
        card = write_card(engine, tmp_path / "card", site="lsr")[0].read_text(encoding="utf-8")
        row = next(line for line in card.splitlines() if line.startswith("| lsr |"))
        assert row.endswith("| 2020-01-02 03:04 |")
    finally:
        with engine.begin() as db:
            for post_id, verified in before.items():
                db.execute(update(Post).where(Post.id == post_id).values(verified_at=verified))
