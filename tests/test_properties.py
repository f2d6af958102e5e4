"""Properties that must hold for any input a hostile or broken page can bring."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus import lao
from crawler.extract.wordpress import WordPressPostParser
from crawler.sites import get_profile
from pipelines.clean import html_to_text

LAO_CONSONANTS = [chr(c) for c in range(0x0E81, 0x0EAF) if unicodedata.category(chr(c)) == "Lo"]
lao_text = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0E80, 0x0F00) if unicodedata.name(chr(c), "")]
        + list(" \u00a0\u200b\u200c\u200d\ufeff\n\t.,0123456789abc")
    ),
    max_size=200,
)
any_text = st.one_of(lao_text, st.text(max_size=200))


@settings(max_examples=500, deadline=None)
@given(any_text)
def test_normalize_is_idempotent(text: str) -> None:
    once = lao.normalize(text)
    assert lao.normalize(once) == once


@settings(max_examples=500, deadline=None)
@given(lao_text)
def test_normalize_never_drops_lao_consonants_or_digits(text: str) -> None:
    cleaned = lao.normalize(text)
    for char in (*LAO_CONSONANTS, *"0123456789", *"໐໑໒໓໔໕໖໗໘໙"):
        assert cleaned.count(char) == text.count(char)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_normalize_output_is_canonical(text: str) -> None:
    cleaned = lao.normalize(text)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not set(cleaned) & set(lao.ZERO_WIDTH)
    assert "\u0ecd\u0eb2" not in cleaned and "\u00a0" not in cleaned


html_fragments = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div class='entry-content'>",
                "</div>",
                "<article id='post-12'>",
                "<h1 class='entry-title'>",
                "</h1>",
                "<time datetime='2016-11-25T09:30:00'>",
                "<script>",
                "</script>",
                "<br>",
                "<!--nextpage-->",
                "<html>",
                "<body>",
                "&nbsp;",
                "&#3749;",
                "&bogus;",
                "<a rel='category tag' href='/c/'>",
                "</a>",
                "<![CDATA[",
                '<script type=\'application/ld+json\'>{"@type": "Article", "datePublished": 5}',
            ]
        ),
        any_text,
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_fragments)
def test_extraction_and_cleaning_never_raise(html: str) -> None:
    post = WordPressPostParser(html, "https://lsr.com.la/12/", get_profile("lsr")).extract()
    text = html_to_text(post.body_html)
    assert text == lao.normalize(text) or "\n" in text
