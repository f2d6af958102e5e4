"""The post page object on small pages written here, one WordPress markup trait each."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from crawler.extract import body, tree
from crawler.extract.item import PROTECTED, stored_item
from crawler.extract.wordpress import GENERIC_ARTICLE, WordPressPostPage, resolve_timezone
from pipelines.clean import html_to_text

LAO = "ກອງປະຊຸມໃຫຍ່ຄັ້ງທີ 11 ຂອງສະມາຄົມນັກຂ່າວ ໄດ້ຈັດຂຶ້ນທີ່ນະຄອນຫຼວງວຽງຈັນ ໃນວັນທີ 24 ພະຈິກ."


def page(html: str, url: str = "https://news.example/2024/05/slug/", **kwargs):
    return WordPressPostPage(html, url, **kwargs)


def text(found) -> str:
    return html_to_text(found.body_html)


CLASSIC = f"""<html><head><link rel="canonical" href="https://news.example/2024/05/slug/">
</head><body class="post-template-default single single-post postid-5 single-format-standard">
<header class="site-header"><h1 class="site-title"><a href="/">Lao News</a></h1></header>
<main>
<article class="post-9 post type-post hentry related-card"><h2 class="entry-title">
<a href="/other/">A related post</a></h2><div class="entry-content"><p>Teaser of another
post that must not be read.</p></div></article>
<article id="post-5" class="post-5 post type-post status-publish hentry category-news">
<header class="entry-header"><h1 class="entry-title">The post's own title</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published"
datetime="2024-05-01T09:30:00+07:00">1 May 2024</time></span>
<span class="byline">by <span class="author vcard"><a class="url fn n" href="/author/somchan/">
somchan</a></span> and <span class="author vcard"><a class="url fn n" href="/author/noy/">Noy</a>
</span></span></div></header>
<div class="entry-content"><p>{LAO}</p><p>Second paragraph.</p>
<div class="sharedaddy">Share this: Facebook</div></div>
<footer class="entry-footer"><span class="cat-links"><a href="/category/news/"
rel="category tag">News</a>, <a href="/category/laos/" rel="category tag">Laos</a></span>
<span class="tags-links"><a href="/tag/press/" rel="tag">Press</a></span></footer>
</article>
<div id="comments" class="comments-area"><ol class="comment-list"><li>
<article id="div-comment-3" class="comment-body"><p>A comment, longer than the post perhaps,
and certainly not the post itself, whatever its markup says.</p></article></li></ol></div>
</main></body></html>"""


def test_classic_theme_reads_the_post_element_not_cards_or_comments() -> None:
    found = page(CLASSIC).extract()
    assert found.post_id == 5
    assert found.title == "The post's own title"
    assert found.authors == ["somchan", "Noy"]
    assert found.author == "somchan"
    assert found.published_at == datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    assert found.categories == ["News", "Laos"]
    assert found.tags == ["Press"]
    assert text(found) == f"{LAO}\n\nSecond paragraph."
    assert found.protected is False


def test_post_element_found_from_the_shortlink_and_post_class() -> None:
    html = CLASSIC.replace("postid-5 ", "").replace('id="post-5" ', "")
    html = html.replace("<head>", '<head><link rel="shortlink" href="https://news.example/?p=5">')
    found = page(html).extract()
    assert found.post_id == 5
    assert found.title == "The post's own title"
    assert text(found) == f"{LAO}\n\nSecond paragraph."


def test_post_id_from_the_rest_link_scopes_out_a_longer_card() -> None:
    html = (
        '<html><head><link rel="alternate" type="application/json" '
        'href="https://news.example/wp-json/wp/v2/posts/41"></head><body>'
        '<article class="post-40 post type-post"><h2 class="entry-title">Other</h2>'
        '<div class="entry-content"><p>' + "Another post's long teaser. " * 20 + "</p></div>"
        '</article><div class="post-41 post type-post"><h1 class="entry-title">Ours</h1>'
        f'<div class="entry-content"><p>{LAO}</p></div></div></body></html>'
    )
    found = page(html).extract()
    assert found.post_id == 41
    assert found.title == "Ours"
    assert text(found) == LAO


BLOCK = f"""<html><body class="wp-singular post-template-default single single-post postid-12
wp-embed-responsive"><div class="wp-site-blocks">
<header class="wp-block-template-part"><h1 class="wp-block-site-title"><a href="/">ຂ່າວລາວ</a>
</h1></header>
<main class="wp-block-group">
<h1 class="wp-block-post-title">ຫົວຂໍ້ຂອງບົດຄວາມ</h1>
<div class="wp-block-post-date"><time datetime="2023-11-24T14:05:00+07:00">
<a href="/2023/11/24/post/">ພະຈິກ 24, 2023</a></time></div>
<div class="wp-block-post-author"><div class="wp-block-post-author__content">
<p class="wp-block-post-author__name">ສົມຈັນ</p></div></div>
<div class="entry-content wp-block-post-content is-layout-flow"><p>{LAO}</p></div>
<div class="taxonomy-category wp-block-post-terms"><a href="/category/news/" rel="tag">ຂ່າວ</a>
<span class="wp-block-post-terms__separator">, </span>
<a href="/category/world/" rel="tag">ຕ່າງປະເທດ</a></div>
<div class="taxonomy-post_tag wp-block-post-terms"><a href="/tag/trade/" rel="tag">ການຄ້າ</a></div>
<div class="wp-block-comments"><ol class="wp-block-comment-template"><li id="comment-2"
class="comment"><article class="comment-body"><h1>Not a title</h1><p>{LAO} {LAO}</p>
</article></li></ol></div>
</main></div></body></html>"""


def test_block_theme_date_author_terms_and_title() -> None:
    found = page(BLOCK).extract()
    assert found.post_id == 12
    assert found.title == "ຫົວຂໍ້ຂອງບົດຄວາມ"
    assert found.authors == ["ສົມຈັນ"]
    assert found.published_at == datetime(2023, 11, 24, 14, 5, tzinfo=timezone(timedelta(hours=7)))
    assert found.date_source == "time[datetime]"
    assert found.categories == ["ຂ່າວ", "ຕ່າງປະເທດ"]
    assert found.tags == ["ການຄ້າ"]
    assert text(found) == LAO


def _jsonld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_jsonld_entities_decoded_and_every_author_kept() -> None:
    graph = {
        "@graph": [
            {
                "@type": "NewsArticle",
                "headline": "Lao &amp; Thai traders&#8217; fair",
                "datePublished": "2024-02-03T08:00:00+07:00",
                "author": [{"@id": "https://news.example/#/person/1"}, {"name": "Noy &amp; Ko"}],
                "keywords": "Q&amp;A, trade &amp; customs",
                "articleSection": ["Business"],
            },
            {"@type": "Person", "@id": "https://news.example/#/person/1", "name": "Somchan"},
        ]
    }
    html = f"<html><head>{_jsonld(graph)}</head><body><p>{LAO}</p></body></html>"
    found = page(html).extract()
    assert found.title == "Lao & Thai traders’ fair"
    assert found.authors == ["Somchan", "Noy", "Ko"]
    assert found.tags == ["Q&A", "trade & customs"]
    assert found.categories == ["Business"]
    assert found.published_at == datetime(2024, 2, 3, 8, tzinfo=timezone(timedelta(hours=7)))


def test_machine_readable_date_beats_a_theme_time_with_a_wrong_offset() -> None:
    html = CLASSIC.replace(
        "<head>",
        '<head><meta property="article:published_time" content="2024-05-01T09:30:00+02:00">',
    )
    found = page(html).extract()
    assert found.published_at == datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert found.date_source == "meta"


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("+02:00", timezone(timedelta(hours=2))),
        ("Europe/Berlin", ZoneInfo("Europe/Berlin")),
        (None, ZoneInfo("Asia/Vientiane")),
    ],
)
def test_date_only_value_takes_the_site_timezone(zone, expected) -> None:
    html = f"<html><head>{_jsonld({'@type': 'Article', 'datePublished': '2024-07-05'})}</head>"
    html += f"<body><article class='post'><p>{LAO}</p></article></body></html>"
    found = page(html, timezone=zone).extract()
    assert found.published_at == datetime(2024, 7, 5, tzinfo=expected)


def test_resolve_timezone_reads_names_and_offsets() -> None:
    assert resolve_timezone("-03:30") == timezone(-timedelta(hours=3, minutes=30))
    assert resolve_timezone("7") == timezone(timedelta(hours=7))
    assert resolve_timezone("Asia/Vientiane") == ZoneInfo("Asia/Vientiane")
    assert resolve_timezone("Not/AZone") is None
    assert resolve_timezone("") is None


PROTECTED_PAGE = """<html><head><link rel="canonical" href="https://news.example/?p=8"></head>
<body class="single postid-8 post-password-required"><article id="post-8" class="post-8 post
post-password-required"><h1 class="entry-title">Protected: Plans</h1>
<time class="entry-date published" datetime="2024-01-01T10:00:00+07:00">1 Jan</time>
<div class="entry-content"><form class="post-password-form"><p>This content is password
protected. To view it please enter your password below:</p><input name="post_password"></form>
</div></article></body></html>"""


def test_password_protected_post_is_rejected_not_stored() -> None:
    found = page(PROTECTED_PAGE, "https://news.example/?p=8").extract()
    assert found.protected is True
    assert found.body_html is None
    item = stored_item(PROTECTED_PAGE, "https://news.example/?p=8")
    assert item["rejected"] == PROTECTED
    assert item["text"] == ""


def test_block_theme_password_form_without_the_class_is_protected() -> None:
    html = BLOCK.replace(
        f"<p>{LAO}</p></div>",
        '<form action="https://news.example/wp-login.php?action=postpass" class="post-password-'
        'form" method="post"><p>This content is password protected.</p></form></div>',
        1,
    )
    found = page(html).extract()
    assert found.protected is True
    assert stored_item(html, "https://news.example/2024/05/slug/")["rejected"] == PROTECTED


def _pager(hrefs: list[str]) -> str:
    links = " ".join(f'<a href="{h}" class="page-numbers">{i}</a>' for i, h in enumerate(hrefs))
    return (
        f"<html><body class='postid-12'><article id='post-12' class='post-12 post'>"
        f"<div class='entry-content'><p>{LAO}</p><nav class='page-links'>{links}</nav></div>"
        "</article></body></html>"
    )


def test_pager_linking_page_one_explicitly_adds_each_page_once_in_order() -> None:
    base = "http://127.0.0.1:8000/?p=12"
    html = _pager([f"{base}&page=1", f"{base}&page=3", base, f"{base}&page=2", f"{base}&page=3"])
    assert page(html, base).next_pages() == [f"{base}&page=2", f"{base}&page=3"]
    assert page(html, f"{base}&page=2").next_pages() == [f"{base}&page=3"]
    assert page(html, f"{base}&page=3").next_pages() == []


def test_pretty_and_post_id_permalink_pagers() -> None:
    slug = "https://news.example/2024/05/slug/"
    html = _pager([slug, f"{slug}2/", f"{slug}3/"])
    assert page(html, slug).next_pages() == [f"{slug}2/", f"{slug}3/"]
    assert page(html, f"{slug}2/").next_pages() == [f"{slug}3/"]
    ids = _pager(["https://lsr.com.la/2709/3/", "https://lsr.com.la/2709/2/"])
    assert page(ids, "https://lsr.com.la/2709/").next_pages() == [
        "https://lsr.com.la/2709/2/",
        "https://lsr.com.la/2709/3/",
    ]
    back = _pager(["https://lsr.com.la/2709/", "https://lsr.com.la/2709/3/"])
    assert page(back, "https://lsr.com.la/2709/2/").next_pages() == ["https://lsr.com.la/2709/3/"]


def test_no_known_container_falls_back_to_the_main_content_extractor() -> None:
    paragraphs = "".join(f"<p>{LAO} ({n})</p>" for n in range(6))
    html = (
        "<html><body class='postid-3'><nav><a href='/'>Home</a> <a href='/news/'>News</a></nav>"
        f"<div class='layout'><div class='story-text-area'>{paragraphs}</div></div>"
        "<footer><p>Copyright the publisher</p></footer></body></html>"
    )
    found = page(html).extract()
    assert found.body_source == "fallback"
    assert text(found).split("\n\n") == [f"{LAO} ({n})" for n in range(6)]


@pytest.mark.parametrize(
    "css",
    [
        GENERIC_ARTICLE,
        ", ".join(body.BOILERPLATE),
        "h1, .entry-title, [rel~='tag']",
        ".byline .author a, a[rel='author']",
        "time.entry-date:not(.updated)",
    ],
)
def test_compiled_selectors_find_what_parsel_finds(css) -> None:
    """The page object's own parsing and one-pass selector lists find the elements parsel's
    ``Selector(text=...).css()`` finds, in the same order."""
    root, _kind = tree.parse(CLASSIC)
    ours = [root.getroottree().getpath(e) for e in tree.select(root, css)]
    theirs = Selector(text=CLASSIC).css(css)
    assert ours == [s.root.getroottree().getpath(s.root) for s in theirs]
    assert len(ours) > 0


def test_empty_own_container_is_no_body_not_a_fallback_to_related_posts() -> None:
    """The post's element holds its ``.entry-content``, empty: the post has no text, and the
    crawl rejects it, rather than storing the other posts a main-content extractor finds in
    the element (the theme prints them in the article, after the content)."""
    related = "".join(f"<p>{LAO} ({n})</p>" for n in range(6))
    html = (
        "<html><body class='single postid-4'><main><article id='post-4' class='post-4 hentry'>"
        "<h1 class='entry-title'>ຂ່າວ</h1><time class='entry-date published'"
        " datetime='2024-05-01T09:30:00+07:00'>1 May</time><div class='entry-content'></div>"
        f"<section class='more-news'><h2>ຂ່າວອື່ນ</h2>{related}</section></article></main>"
        "</body></html>"
    )
    url = "https://news.example/?p=4"
    assert page(html, url).extract().body_html is None
    assert stored_item(html, url)["rejected"] == "missing text"


def test_og_title_that_writes_out_the_kicker_of_the_heading_wins() -> None:
    """A heading "<span>Kicker</span> Headline" with og:title "Kicker / Headline": the title
    is og:title, not JSON-LD's headline alone; a JSON-LD headline that is other words stays."""

    def titled(headline: str) -> str:
        return (
            "<html><head><meta property='og:title' content='ກອງປະຊຸມ / ຂ່າວໃໝ່ ມື້ນີ້'>"
            f"{_jsonld({'@type': 'NewsArticle', 'headline': headline})}</head>"
            "<body class='postid-6'><article id='post-6' class='post-6 hentry'>"
            "<h1 class='entry-title'><span class='kicker'>ກອງປະຊຸມ</span> ຂ່າວໃໝ່ ມື້ນີ້</h1>"
            f"<div class='entry-content'><p>{LAO}</p></div></article></body></html>"
        )

    assert page(titled("ຂ່າວໃໝ່ ມື້ນີ້")).title() == "ກອງປະຊຸມ / ຂ່າວໃໝ່ ມື້ນີ້"
    assert page(titled("ຫົວຂໍ້ອື່ນ")).title() == "ຫົວຂໍ້ອື່ນ"


@pytest.mark.parametrize(
    "html",
    ["", " ", "<html>", "\x00\xff", "<article id='post-x'><h1 class='entry-title'></h1>", "<p>"],
)
def test_every_method_returns_empty_rather_than_raising(html) -> None:
    subject = page(html)
    found = subject.extract()
    assert found.title is None
    assert found.authors == []
    assert found.published_at is None
    assert (found.categories, found.tags, found.next_pages) == ([], [], [])
    assert subject.body_html() is None


def test_a_linked_sentence_is_text_and_a_read_more_link_is_not() -> None:
    """A writer may link a whole sentence to its source (the sample site does); a line that is
    only a link and no sentence ("Read more: …", a related title) is navigation."""
    linked = "ກອງປະຊຸມຄັ້ງນີ້ຍັງໄດ້ປຶກສາຫາລືກ່ຽວກັບວຽກງານສະຫວັດດີການສັງຄົມ ແລະ ການສະໜອງນ້ຳສະອາດ."
    html = CLASSIC.replace(
        "<p>Second paragraph.</p>",
        f'<p><a href="/1383/">{linked}</a></p><p><a href="/77/">ອ່ານຕໍ່: ຂ່າວອື່ນ</a></p>'
        '<p><a href="/78/">A related post title that is long enough to be a sentence</a></p>',
    )
    assert text(page(html).extract()).split("\n\n") == [LAO, linked]
