"""Extraction of a post page in lsr.com.la's theme, built around the one real article we have."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.extract.wordpress import WordPressPostParser, canonicalize_url
from crawler.sites import get_profile, registry
from pipelines.clean import html_to_text
from text import lao

PAGE = Path(__file__).parent / "data" / "lsr_2709.html"
TITLE = "ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸດໂສ ປະເທດລຸ່ມແມ່ນ້ຳຂອງ ກ່ຽວກັບວຽກງານຕ້ານການຄ້າມະນຸດ ຄັ້ງທີ 11"


def parse(url: str = "https://lsr.com.la/2709/?utm_source=fb"):
    return WordPressPostParser(PAGE.read_text(encoding="utf-8"), url, get_profile("lsr")).extract()


def test_lsr_profile_is_registered() -> None:
    assert registry()["lsr"].base_url == "https://lsr.com.la"


def test_fields_of_the_seed_article() -> None:
    post = parse()
    assert post.url == "https://lsr.com.la/2709/"
    assert post.post_id == 2709
    assert post.title == TITLE
    assert post.author == "somchan"
    assert post.published_at == datetime(2016, 11, 25, tzinfo=ZoneInfo("Asia/Vientiane"))
    assert post.date_source == "text"
    assert post.modified_at is None
    assert post.categories == ["ຂ່າວ", "ຕ່າງປະເທດ"]
    assert post.tags == ["ການຄ້າມະນຸດ"]


def test_body_is_the_article_without_boilerplate(seed_text: str) -> None:
    text = html_to_text(parse().body_html)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸດໂສຂອງ 6 ປະເທດລຸ່ມແມ່ນ້ຳຂອງ")
    assert paragraphs[-1].endswith("ແລະສ້າງສັນ.")
    # the seed file (or its excerpt, outside the workspace) is the article body, one line, as
    # the site typed it: the corpus stores it normalized (a doubled vowel sign fixed)
    seed_body = lao.normalize(seed_text.split("\n\n")[3].strip())
    assert len(seed_body) > 500
    assert " ".join(paragraphs).startswith(seed_body)
    for boilerplate in (
        "Facebook",
        "ແບ່ງປັນ",
        "ຂ່າວທີ່ກ່ຽວຂ້ອງ",
        "Off",
        "Comments are closed",
        "by somchan",
        "25th Nov2016",
        "not content",
        "ຂ່າວອື່ນ",
    ):
        assert boilerplate not in text


def test_canonical_url_from_another_host_is_not_trusted() -> None:
    post = parse("https://mirror.example/2709/")
    assert post.url == "https://mirror.example/2709/"


def test_canonicalize_url_drops_tracking_and_fragments() -> None:
    assert canonicalize_url("HTTPS://LSR.com.la/2709/?utm_medium=x&a=1#respond") == (
        "https://lsr.com.la/2709/?a=1"
    )


def test_garbage_never_raises() -> None:
    for html in ("", "<html>", "<article id='post-x'><h1 class='entry-title'></h1>", "\x00\xff"):
        post = WordPressPostParser(
            html or " ", "https://lsr.com.la/1/", get_profile("lsr")
        ).extract()
        assert post.published_at is None


def test_every_spelling_of_a_lao_permalink_is_one_url() -> None:
    """The IRI a theme prints, WordPress's lowercase encoding and a browser's uppercase one."""
    spellings = (
        "https://lsr.com.la/ຂ່າວ/",
        "https://lsr.com.la/%e0%ba%82%e0%bb%88%e0%ba%b2%e0%ba%a7/",
        "https://LSR.com.la:443/%E0%BA%82%E0%BB%88%E0%BA%B2%E0%BA%A7/?utm_source=fb#comments",
    )
    assert {canonicalize_url(url) for url in spellings} == {
        "https://lsr.com.la/%E0%BA%82%E0%BB%88%E0%BA%B2%E0%BA%A7/"
    }
    assert canonicalize_url("https://lsr.com.la/?page=2&p=2709") == (
        "https://lsr.com.la/?p=2709&page=2"
    )


def test_huge_urls_are_canonicalized_but_never_remembered() -> None:
    """A hostile page of megabyte links must not fill the URL cache."""
    from crawler import scope
    from text import urls

    huge = "https://lsr.com.la/" + "ກ" * 100_000
    before = (urls._cached_canonical.cache_info().currsize, scope._cached_origin.cache_info())
    assert canonicalize_url(huge).startswith("https://lsr.com.la/%E0%BA%81")
    assert scope.origin(huge) == ("https", "lsr.com.la", 443)
    after = (urls._cached_canonical.cache_info().currsize, scope._cached_origin.cache_info())
    assert after[0] == before[0] and after[1].currsize == before[1].currsize
