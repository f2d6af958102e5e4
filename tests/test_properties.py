"""Properties that must hold for any input a hostile or broken page can bring."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract.wordpress import WordPressPostParser
from crawler.sites import get_profile
from pipelines.clean import html_to_text
from text import lao

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


# Lao as typed on the web: letters, every mark (often twice), Thai marks, ligature spellings,
# digits, zero-width characters and blanks, drawn so that marks pile up on consonants.
web_lao = st.lists(
    st.one_of(
        st.sampled_from([*LAO_CONSONANTS, "ຫນ", "ຫມ", "ຫລ", "ໜ", "ໝ", "ຫຼ", "ເເ", "ໆ", " ໆ"]),
        st.sampled_from([chr(c) for c in range(0x0EB0, 0x0ECE) if unicodedata.name(chr(c), "")]),
        st.sampled_from([chr(c) for c in (*range(0x0E30, 0x0E3B), *range(0x0E40, 0x0E4E))]),
        st.sampled_from(list("໐໑໒໓໔໕໖໗໘໙ 0123\u200b\u00a0\n.")),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(web_lao)
def test_web_lao_normalize_and_fold_are_idempotent(text: str) -> None:
    once = lao.normalize(text)
    assert lao.normalize(once) == once
    key = lao.fold(text)
    assert lao.fold(key) == key
    assert lao.fold(once) == key  # the stored (normalized) text hashes like the raw text
    assert lao.search_key(lao.search_key(text)) == lao.search_key(text)


@settings(max_examples=1000, deadline=None)
@given(web_lao)
def test_web_lao_rules_leave_nothing_to_fix(text: str) -> None:
    """What each rule removes is gone from the output, whatever the input piled up."""
    import re

    cleaned = lao.normalize(text)
    assert "\u0ec0\u0ec0" not in cleaned
    assert not re.search("([\u0eb0-\u0eb9\u0ebb-\u0ebd\u0ec1-\u0ec4\u0ec8-\u0ecd])\\1", cleaned)
    assert not re.search("[\u0ec8-\u0ecb][\u0eb1\u0eb4-\u0eb7\u0ebb\u0ecd\u0ebc]", cleaned)
    assert not re.search("\u0ebd[\u0ec8-\u0ecb]", cleaned)
    assert not re.search("[\u0e81-\u0ecd\u0edc-\u0edf][\u0e30-\u0e3a\u0e48-\u0e4d]", cleaned)
    key = lao.fold(text)
    assert not re.search("\u0eab[\u0e99\u0ea1\u0ea5]|[\u0ed0-\u0ed9]| \u0ec6", key)


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
    # already canonical: the dedup pipeline hashes it without normalizing it again
    assert text == lao.normalize(text)
