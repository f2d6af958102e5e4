"""The "newsbox" theme: a modern magazine layout, the sample site's second face.

Why: a crawler tuned to one underscores theme must also read a blog whose theme prints no
hentry microformat, no <time> element and only a Lao visible date, and whose reliable
metadata is Yoast's JSON-LD graph and OpenGraph tags. Everything WordPress core prints
(post_class(), body_class(), wp_link_pages(), the_posts_pagination(), the category list's
rel) is kept; everything a theme chooses (class names, chrome, widgets) is new.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import datetime
from typing import Any
from urllib.parse import quote
from weakref import WeakKeyDictionary

from testing.samplesite.content import (
    CATEGORIES,
    CATEGORY_BY_SLUG,
    SITE_DESCRIPTION,
    SITE_NAME,
    TAG_BY_SLUG,
    TAGS,
    Post,
    SampleSite,
)
from testing.samplesite.dirty import escape, texturize
from testing.samplesite.faces import Links, esc_url
from testing.samplesite.lexicon import MONTHS_LAO
from testing.samplesite.themes import (
    Listing,
    archive_title,
    category_anchors,
    entry_pages,
    excerpt,
    page_links,
    paged_title,
    pagination,
    post_title,
    related_posts,
    single_body_class,
    tag_anchors,
)

__all__ = [
    "BUDDHIST_ERA_OFFSET",
    "DATE_STYLES",
    "MONTHS_LAO_SHORT",
    "WEEKDAYS_LAO",
    "archive_page",
    "date_style",
    "lao_date",
    "not_found_page",
    "post_page",
    "schema_graph",
    "visible_date",
]

# CLDR's Lao abbreviated month names ("d MMM y").
MONTHS_LAO_SHORT: tuple[str, ...] = (
    "ມ.ກ.", "ກ.ພ.", "ມ.ນ.", "ມ.ສ.", "ພ.ພ.", "ມິ.ຖ.",
    "ກ.ລ.", "ສ.ຫ.", "ກ.ຍ.", "ຕ.ລ.", "ພ.ຈ.", "ທ.ວ.",
)  # fmt: skip
WEEKDAYS_LAO: tuple[str, ...] = (  # Monday first, as datetime.weekday() counts
    "ວັນຈັນ", "ວັນອັງຄານ", "ວັນພຸດ", "ວັນພະຫັດ", "ວັນສຸກ", "ວັນເສົາ", "ວັນອາທິດ",
)  # fmt: skip
BUDDHIST_ERA_OFFSET = 543
DATE_STYLES: tuple[str, ...] = ("full", "short", "buddhist")
VERSION = "2.3.1"

_CSS = (
    "<style id='newsbox-inline-css'>:root{--nb-accent:#c8102e;--nb-dark:#111827}"
    "body{font-family:'Noto Sans Lao','Phetsarath OT',sans-serif;margin:0;color:#1f2937}"
    ".nb-container{max-width:1240px;margin:0 auto;padding:0 16px}"
    ".nb-topbar{background:var(--nb-dark);color:#e5e7eb;font-size:13px}"
    ".nb-ticker{display:flex;gap:12px;border-bottom:1px solid #e5e7eb}"
    ".nb-ticker-label{background:var(--nb-accent);color:#fff;padding:4px 10px}"
    ".nb-menu{display:flex;list-style:none}.nb-mega-panel{display:none;position:absolute}"
    ".nb-menu li:hover .nb-mega-panel{display:grid;grid-template-columns:repeat(3,1fr)}"
    ".nb-layout{display:grid;grid-template-columns:1fr 320px;gap:32px}"
    ".nb-grid{display:grid;grid-template-columns:repeat(2,1fr);gap:24px}"
    ".post-title{font-size:2rem;line-height:1.5}.post-body p{line-height:1.9}"
    ".nb-footer-columns{display:grid;grid-template-columns:repeat(4,1fr)}"
    ".screen-reader-text{position:absolute;left:-9999px}</style>"
)


# --- dates ----------------------------------------------------------------------------------


def date_style(site: SampleSite, post: Post) -> str:
    """How the post's visible date is written: "full", "short" or "buddhist" (about 1 in 6).

    Why per post: the theme's date format option changed over the years, so old and new
    posts of a real blog print dates differently.
    """
    r = random.Random(f"newsbox-date:{site.seed}:{post.id}").random()
    if r < 1 / 6:
        return "buddhist"
    return "short" if r < 1 / 6 + 0.25 else "full"


def lao_date(when: datetime, style: str = "full") -> str:
    """A Lao date: "ວັນທີ 24 ພະຈິກ 2016", "24 ພ.ຈ. 2016" or "ວັນທີ 24 ພະຈິກ 2559" (B.E.)."""
    month = when.month - 1
    if style == "short":
        return f"{when.day} {MONTHS_LAO_SHORT[month]} {when.year}"
    year = when.year + (BUDDHIST_ERA_OFFSET if style == "buddhist" else 0)
    return f"ວັນທີ {when.day} {MONTHS_LAO[month]} {year}"


def visible_date(site: SampleSite, post: Post) -> str | None:
    """The text of the post's span.post-date (None for the dateless post)."""
    if post.date_style == "none":
        return None
    return lao_date(post.published, date_style(site, post))


def _date_span(site: SampleSite, post: Post) -> str:
    shown = visible_date(site, post)
    return "" if shown is None else f'<span class="post-date">{shown}</span>'


# --- small pieces ---------------------------------------------------------------------------


def article_classes(post: Post) -> str:
    """post_class() with the theme's filter that drops "hentry" (it has a featured image)."""
    terms = [f"category-{s}" for s in post.categories] + [f"tag-{s}" for s in post.tags]
    return (
        f"post-{post.id} post type-post status-publish format-standard has-post-thumbnail "
        + " ".join(terms)
    ).rstrip()


def _thumb(links: Links, post: Post, size: str = "") -> str:
    pub = post.published
    suffix = f"-{size}" if size else ""
    return f"{links.base}/wp-content/uploads/{pub.year}/{pub.month:02d}/nb-{post.id}{suffix}.jpg"


def _views(site: SampleSite, post: Post) -> str:
    views = random.Random(f"newsbox-views:{site.seed}:{post.id}").randint(120, 48000)
    return f"{views:,}"


def _person_id(links: Links, login: str) -> str:
    return f"{links.base}/#/schema/person/{hashlib.md5(login.encode()).hexdigest()}"


def _json_script(graph: dict[str, Any]) -> str:
    data = json.dumps(graph, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/ld+json" class="yoast-schema-graph">{data}</script>\n'


def _site_nodes(links: Links) -> list[dict[str, Any]]:
    home = links.home()
    org = f"{links.base}/#organization"
    return [
        {
            "@type": "WebSite",
            "@id": f"{links.base}/#website",
            "url": home,
            "name": SITE_NAME,
            "description": SITE_DESCRIPTION,
            "publisher": {"@id": org},
            "potentialAction": [
                {
                    "@type": "SearchAction",
                    "target": {
                        "@type": "EntryPoint",
                        "urlTemplate": f"{links.base}/?s={{search_term_string}}",
                    },
                    "query-input": "required name=search_term_string",
                }
            ],
            "inLanguage": "lo-LA",
        },
        {
            "@type": "Organization",
            "@id": org,
            "name": SITE_NAME,
            "url": home,
            "logo": {
                "@type": "ImageObject",
                "inLanguage": "lo-LA",
                "@id": f"{links.base}/#/schema/logo/image/",
                "url": f"{links.base}/wp-content/uploads/2019/05/logo-lsr.png",
                "width": 360,
                "height": 90,
                "caption": SITE_NAME,
            },
            "image": {"@id": f"{links.base}/#/schema/logo/image/"},
        },
    ]


def schema_graph(site: SampleSite, post: Post, links: Links, canonical: str) -> dict[str, Any]:
    """Yoast SEO's JSON-LD graph of a post: Article/NewsArticle, WebPage, BreadcrumbList, …

    The dateless post carries no datePublished/dateModified, like the rest of its markup.
    dateModified equals datePublished for a post never edited (as WordPress reports it).
    """
    login = post.author
    person = _person_id(links, login)
    image = f"{canonical}#primaryimage"
    dates: dict[str, str] = {}
    if post.date_style != "none":
        dates = {
            "datePublished": post.published.isoformat(),
            "dateModified": post.last_modified.isoformat(),
        }
    news = random.Random(f"newsbox-schema:{site.seed}:{post.id}").random() < 0.5
    article: dict[str, Any] = {
        "@type": "NewsArticle" if news else "Article",
        "@id": f"{canonical}#article",
        "isPartOf": {"@id": canonical},
        "author": {"name": login, "@id": person},
        "headline": post.title,
        **dates,
        "mainEntityOfPage": {"@id": canonical},
        "commentCount": 0,
        "publisher": {"@id": f"{links.base}/#organization"},
        "image": {"@id": image},
        "thumbnailUrl": _thumb(links, post),
    }
    if post.tags:  # Yoast leaves keywords out when a post has no tags
        article["keywords"] = [TAG_BY_SLUG[s].name for s in post.tags]
    article["articleSection"] = [CATEGORY_BY_SLUG[s].name for s in post.categories]
    article["inLanguage"] = "lo-LA"
    first = CATEGORY_BY_SLUG[post.categories[0]]
    nodes: list[dict[str, Any]] = [
        article,
        {
            "@type": "WebPage",
            "@id": canonical,
            "url": canonical,
            "name": f"{post.title} | {SITE_NAME}",
            "isPartOf": {"@id": f"{links.base}/#website"},
            "primaryImageOfPage": {"@id": image},
            "image": {"@id": image},
            "thumbnailUrl": _thumb(links, post),
            **dates,
            "breadcrumb": {"@id": f"{canonical}#breadcrumb"},
            "inLanguage": "lo-LA",
            "potentialAction": [{"@type": "ReadAction", "target": [canonical]}],
        },
        {
            "@type": "ImageObject",
            "inLanguage": "lo-LA",
            "@id": image,
            "url": _thumb(links, post),
            "contentUrl": _thumb(links, post),
            "width": 1200,
            "height": 675,
        },
        {
            "@type": "BreadcrumbList",
            "@id": f"{canonical}#breadcrumb",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "ໜ້າຫຼັກ", "item": links.home()},
                {
                    "@type": "ListItem",
                    "position": 2,
                    "name": first.name,
                    "item": links.category(first.slug),
                },
                {"@type": "ListItem", "position": 3, "name": post.title},
            ],
        },
        *_site_nodes(links),
        {
            "@type": "Person",
            "@id": person,
            "name": login,
            "url": links.author(login),
        },
    ]
    return {"@context": "https://schema.org", "@graph": nodes}


def _collection_graph(links: Links, url: str, name: str) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [
        {
            "@type": "CollectionPage",
            "@id": url,
            "url": url,
            "name": name,
            "isPartOf": {"@id": f"{links.base}/#website"},
            "inLanguage": "lo-LA",
        },
        *_site_nodes(links),
    ]
    return {"@context": "https://schema.org", "@graph": nodes}


# --- chrome (the same on every page of one face: cached) ------------------------------------

_CHROME: WeakKeyDictionary[SampleSite, dict[Links, tuple[str, str, str]]] = WeakKeyDictionary()


def _chrome(site: SampleSite, links: Links) -> tuple[str, str, str]:
    """(header, sidebar, footer) of every page for this face and base URL."""
    per_site = _CHROME.setdefault(site, {})
    found = per_site.get(links)
    if found is None:
        found = (_header(site, links), _sidebar(site, links), _footer(site, links))
        if len(per_site) > 16:  # many Host headers: keep memory bounded
            per_site.clear()
        per_site[links] = found
    return found


def _header(site: SampleSite, links: Links) -> str:
    home = links.home()
    today = site.newest[0].published
    today_text = f"{WEEKDAYS_LAO[today.weekday()]}, {lao_date(today)}"
    mega = []
    for c in CATEGORIES:
        picks = "".join(
            f'<li><a href="{links.post(p.id)}"><img src="{_thumb(links, p, "300x169")}" '
            f'alt="" loading="lazy" width="300" height="169">'
            f'<span class="nb-mega-title">{post_title(site, p)}</span></a></li>'
            for p in site.by_category[c.slug][:3]
        )
        mega.append(
            '<li class="menu-item menu-item-type-taxonomy menu-item-object-category '
            f'menu-item-has-children nb-mega-item"><a href="{links.category(c.slug)}">{c.name}</a>'
            f'<div class="nb-mega-panel"><ul class="nb-mega-posts">{picks}</ul></div></li>'
        )
    ticker = "".join(
        f'<li class="nb-ticker-item"><a href="{links.post(p.id)}">{post_title(site, p)}</a></li>'
        for p in site.newest[:5]
    )
    return (
        '<a class="skip-link screen-reader-text" href="#nb-main">ຂ້າມໄປຫາເນື້ອຫາ</a>\n'
        '<div class="nb-topbar"><div class="nb-container">'
        f'<span class="nb-today">{today_text}</span>'
        '<ul class="nb-social-links">'
        '<li><a href="https://www.facebook.com/lsr.news" rel="noopener" target="_blank">'
        "Facebook</a></li>"
        '<li><a href="https://www.youtube.com/@lsrnews" rel="noopener" target="_blank">'
        "YouTube</a></li></ul></div></div>\n"
        '<header class="nb-header"><div class="nb-container">'
        f'<div class="nb-logo"><a href="{home}" rel="home">'
        f'<img src="{links.base}/wp-content/uploads/2019/05/logo-lsr.png" alt="{SITE_NAME}" '
        f'width="360" height="90"></a><p class="nb-tagline">{SITE_DESCRIPTION}</p></div>'
        '<div class="nb-ad nb-ad-header"><a href="https://ads.example.la/c/728" '
        'rel="nofollow sponsored" target="_blank"><img src="https://ads.example.la/728x90.jpg" '
        'alt="ໂຄສະນາ" width="728" height="90"></a></div></div></header>\n'
        '<nav class="nb-mainnav" aria-label="ເມນູຫຼັກ"><div class="nb-container">'
        '<ul id="menu-main-menu" class="nb-menu">'
        f'<li class="menu-item menu-item-home"><a href="{home}">ໜ້າຫຼັກ</a></li>{"".join(mega)}'
        "</ul></div></nav>\n"
        '<div class="nb-ticker"><div class="nb-container">'
        f'<span class="nb-ticker-label">ຂ່າວດ່ວນ</span><ul class="nb-ticker-list">{ticker}</ul>'
        "</div></div>\n"
    )


def _popular(site: SampleSite) -> list[Post]:
    return random.Random(f"newsbox-popular:{site.seed}").sample(site.posts, 5)


def _sidebar(site: SampleSite, links: Links) -> str:
    items = [
        f'<li><a href="{links.post(p.id)}">{post_title(site, p)}</a>'
        f'<span class="nb-popular-views">{_views(site, p)} ຄັ້ງ</span></li>'
        for p in _popular(site)
    ]
    # a popular-posts plugin keeps listing a post that has since been deleted
    items.insert(
        2,
        f'<li><a href="{links.post(site.dead_id)}">{texturize(site.dead_title)}</a>'
        '<span class="nb-popular-views">9,870 ຄັ້ງ</span></li>',
    )
    counts = {t.slug: len(site.by_tag[t.slug]) for t in TAGS}
    low, high = min(counts.values()), max(counts.values())
    cloud = []
    for pos, tag in enumerate(TAGS, 1):
        n = counts[tag.slug]
        size = 8 + (14 * (n - low) / (high - low) if high > low else 7)
        cloud.append(
            f'<a href="{links.tag(tag.slug)}" class="tag-cloud-link tag-link-{tag.id} '
            f'tag-link-position-{pos}" style="font-size: {size:.1f}pt;" '
            f'aria-label="{tag.name} ({n} ລາຍການ)">{tag.name}</a>'
        )
    return (
        '<aside id="nb-sidebar" class="nb-sidebar widget-area">\n'
        '<section id="search-2" class="widget widget_search">'
        f'<form role="search" method="get" class="search-form" action="{links.home()}">'
        '<label><span class="screen-reader-text">ຄົ້ນຫາ:</span>'
        '<input type="search" class="search-field" placeholder="ຄົ້ນຫາ …" name="s"></label>'
        '<button type="submit" class="search-submit">ຄົ້ນຫາ</button></form></section>\n'
        '<section id="nb-popular-2" class="widget widget_nb_popular_posts">'
        '<h3 class="widget-title"><span>ຂ່າວຍອດນິຍົມ</span></h3>'
        f'<ol class="nb-popular-list">{"".join(items)}</ol></section>\n'
        '<section id="nb-ad-3" class="widget widget_nb_ad"><div class="nb-ad nb-ad-sidebar">'
        '<a href="https://ads.example.la/c/300" rel="nofollow sponsored" target="_blank">'
        '<img src="https://ads.example.la/300x250.jpg" alt="ໂຄສະນາ" width="300" height="250">'
        "</a></div></section>\n"
        '<section id="tag_cloud-2" class="widget widget_tag_cloud">'
        '<h3 class="widget-title"><span>ແທັກ</span></h3>'
        f'<div class="tagcloud">{" ".join(cloud)}</div></section>\n'
        "</aside>\n"
    )


def _footer(site: SampleSite, links: Links) -> str:
    cats = "".join(
        f'<li class="cat-item cat-item-{c.id}"><a href="{links.category(c.slug)}">{c.name}</a>'
        f' <span class="nb-count">{len(site.by_category[c.slug])}</span></li>'
        for c in CATEGORIES
    )
    months = "".join(
        f'<li><a href="{links.month(y, m)}">{MONTHS_LAO[m - 1]} {y}</a></li>'
        for y, m in site.months[:12]
    )
    year = site.newest[0].published.year
    return (
        '<footer class="nb-footer">\n<div class="nb-container nb-footer-columns">'
        '<div class="nb-footer-col nb-footer-about">'
        f'<h4 class="nb-footer-title">{SITE_NAME}</h4><p>{SITE_DESCRIPTION}</p></div>'
        '<div class="nb-footer-col"><h4 class="nb-footer-title">ໝວດໝູ່</h4>'
        f"<ul>{cats}</ul></div>"
        '<div class="nb-footer-col"><h4 class="nb-footer-title">ຄັງຂ່າວ</h4>'
        f"<ul>{months}</ul></div>"
        '<div class="nb-footer-col nb-footer-contact"><h4 class="nb-footer-title">ຕິດຕໍ່</h4>'
        "<p>ນະຄອນຫຼວງວຽງຈັນ, ສປປ ລາວ</p><p>ອີເມວ: info@lsr.example.la</p></div>"
        "</div>\n"
        f'<div class="nb-footer-bottom"><div class="nb-container">© {year} {SITE_NAME}. '
        'ສະຫງວນລິຂະສິດ. <span class="nb-credit">Theme: Newsbox by ThemeLao</span></div></div>\n'
        "</footer>\n"
    )


def document(
    site: SampleSite,
    links: Links,
    *,
    title: str,
    body_class: str,
    main: str,
    head: str = "",
) -> str:
    """The page skeleton: head (Yoast block first), top bar, menu, ticker, main, sidebar."""
    header, sidebar, footer = _chrome(site, links)
    settings = json.dumps({"ajaxurl": f"{links.base}/wp-admin/admin-ajax.php", "ticker": "40"})
    return (
        "<!DOCTYPE html>\n"
        '<html lang="lo-LA" class="no-js">\n<head>\n<meta charset="UTF-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n"
        f"{head}"
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" '
        f'href="{links.feed()}">\n'
        f"<link rel='stylesheet' id='newsbox-style-css' href='{links.base}/wp-content/themes/"
        f"newsbox/style.css?ver={VERSION}' media='all'>\n"
        f"{_CSS}\n"
        f'<script id="newsbox-js-extra">var nbSettings = {settings};</script>\n'
        f'<link rel="https://api.w.org/" href="{links.rest()}">\n'
        "</head>\n"
        f'<body class="{body_class} wp-embed-responsive nb-right-sidebar">\n'
        '<div id="nb-page" class="nb-site">\n'
        f"{header}"
        '<div class="nb-container nb-layout">\n'
        f'<main id="nb-main" class="nb-main">\n{main}</main>\n'
        f"{sidebar}"
        "</div>\n"
        f"{footer}"
        "</div>\n"
        f"<script src='{links.base}/wp-content/themes/newsbox/js/newsbox.min.js?ver={VERSION}' "
        "id='newsbox-js'></script>\n"
        "</body>\n</html>\n"
    )


# --- single posts ---------------------------------------------------------------------------


def _share(post: Post, links: Links) -> str:
    url = quote(links.post(post.id), safe="")
    return (
        '<div class="social-share"><span class="social-share-label">ແບ່ງປັນ:</span>'
        f'<a class="share-btn share-facebook" href="https://www.facebook.com/sharer/sharer.php'
        f'?u={url}" rel="nofollow noopener" target="_blank">Facebook</a>'
        f'<a class="share-btn share-twitter" href="https://twitter.com/intent/tweet?url={url}" '
        'rel="nofollow noopener" target="_blank">X</a>'
        f'<a class="share-btn share-line" href="https://social-plugins.line.me/lineit/share'
        f'?url={url}" rel="nofollow noopener" target="_blank">LINE</a>'
        f'<a class="share-btn share-whatsapp" href="https://api.whatsapp.com/send?text={url}" '
        'rel="nofollow noopener" target="_blank">WhatsApp</a></div>'
    )


def _related(site: SampleSite, post: Post, links: Links) -> str:
    items = "".join(
        f'<div class="related-item"><a class="related-thumb" href="{links.post(r.id)}">'
        f'<img src="{_thumb(links, r, "300x169")}" alt="" loading="lazy"></a>'
        f'<h4 class="related-item-title"><a href="{links.post(r.id)}">{post_title(site, r)}</a>'
        "</h4></div>"
        for r in related_posts(site, post)
    )
    return (
        '<div class="related-articles"><h3 class="related-articles-title">ບົດຄວາມທີ່ກ່ຽວຂ້ອງ</h3>'
        f'<div class="related-grid">{items}</div></div>'
    )


def _post_head(site: SampleSite, post: Post, links: Links, canonical: str) -> str:
    title = escape(post.title)
    meta = [
        f'<link rel="canonical" href="{esc_url(canonical)}">',
        '<meta property="og:locale" content="lo_LA">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:url" content="{escape(canonical)}">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
    ]
    if post.date_style != "none":
        meta.append(
            f'<meta property="article:published_time" content="{post.published.isoformat()}">'
        )
        if post.modified:
            meta.append(
                f'<meta property="article:modified_time" content="{post.modified.isoformat()}">'
            )
    meta += [
        f'<meta property="og:image" content="{_thumb(links, post)}">',
        f'<meta name="author" content="{post.author}">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:label1" content="Written by">',
        f'<meta name="twitter:data1" content="{post.author}">',
    ]
    return (
        "<!-- This site is optimized with the Yoast SEO plugin v21.5 - https://yoast.com/wordpress/"
        "plugins/seo/ -->\n"
        + "\n".join(meta)
        + "\n"
        + _json_script(schema_graph(site, post, links, canonical))
        + "<!-- / Yoast SEO plugin. -->\n"
        f'<link rel="shortlink" href="{links.shortlink(post.id)}">\n'
    )


def post_page(site: SampleSite, post: Post, links: Links, page: int = 1) -> str:
    """A single post page (page `page` of it when the post is split into pages)."""
    title = post_title(site, post)
    pages = entry_pages(site, post, links)
    canonical = links.post(post.id, page)
    first = CATEGORY_BY_SLUG[post.categories[0]]
    date = _date_span(site, post)
    sep = '<span class="post-meta-sep"> · </span>' if date else ""
    author = (
        f'<span class="post-author">ໂດຍ <a href="{esc_url(links.author(post.author))}">'
        f"{post.author}</a></span>"
    )
    numbers = page_links(post, links, page, len(pages))
    numbers += "\n" if numbers else ""
    tags = ""
    if post.tags:
        tags = (
            '<footer class="post-footer"><span class="post-tags-label">ແທັກ:</span>'
            f'<div class="post-tags">{tag_anchors(post, links, " ")}</div></footer>\n'
        )
    nav = ""
    i = post.index
    if i > 0:
        prev = site.posts[i - 1]
        nav += (
            f'<div class="nav-previous"><a href="{links.post(prev.id)}" rel="prev">'
            f'<span class="nav-label">ບົດກ່ອນໜ້າ</span>{post_title(site, prev)}</a></div>'
        )
    if i + 1 < len(site.posts):
        nxt = site.posts[i + 1]
        nav += (
            f'<div class="nav-next"><a href="{links.post(nxt.id)}" rel="next">'
            f'<span class="nav-label">ບົດຕໍ່ໄປ</span>{post_title(site, nxt)}</a></div>'
        )
    main = (
        '<nav class="nb-breadcrumbs" aria-label="breadcrumbs"><span><span>'
        f'<a href="{links.home()}">ໜ້າຫຼັກ</a></span> » <span>'
        f'<a href="{esc_url(links.category(first.slug))}">{first.name}</a></span> » '
        f'<span class="breadcrumb_last" aria-current="page">{title}</span></span></nav>\n'
        f'<article id="post-{post.id}" class="{article_classes(post)}">\n'
        '<header class="post-header">\n'
        f'<div class="post-categories">{category_anchors(post, links, " ")}</div>\n'
        f'<h1 class="post-title">{title}</h1>\n'
        f'<div class="post-meta">{author}{sep}{date}'
        f'<span class="post-views">{_views(site, post)} ຄັ້ງ</span></div>\n'
        "</header>\n"
        f'<figure class="post-thumbnail"><img src="{_thumb(links, post)}" alt="{title}" '
        'width="1200" height="675"></figure>\n'
        '<div class="post-body" itemprop="articleBody">\n'
        f"{pages[page - 1]}\n{numbers}"
        f"{_share(post, links)}\n"
        f"{_related(site, post, links)}\n"
        "</div>\n"
        f"{tags}"
        "</article>\n"
        '<nav class="navigation post-navigation" aria-label="Posts">'
        f'<h2 class="screen-reader-text">Post navigation</h2><div class="nav-links">{nav}</div>'
        "</nav>\n"
        '<div id="comments" class="comments-area"><p class="no-comments">ປິດຄຳເຫັນແລ້ວ.</p>'
        "</div>\n"
    )
    return document(
        site,
        links,
        title=f"{paged_title(title, page, len(pages))} | {SITE_NAME}",
        body_class=single_body_class(post, page),
        main=main,
        head=_post_head(site, post, links, canonical),
    )


# --- archives -------------------------------------------------------------------------------

_KIND_LABELS = {"category": "ໝວດໝູ່", "tag": "ແທັກ", "author": "ຜູ້ຂຽນ", "date": "ຄັງຂ່າວ"}


def _card(site: SampleSite, post: Post, links: Links) -> str:
    link = links.post(post.id)
    first = CATEGORY_BY_SLUG[post.categories[0]]
    date = _date_span(site, post)
    return (
        f'<article class="{article_classes(post)} nb-card">'
        f'<a class="nb-card-thumb" href="{link}"><img src="{_thumb(links, post, "600x338")}" '
        'alt="" loading="lazy" width="600" height="338"></a>'
        '<div class="nb-card-body">'
        f'<span class="nb-card-cat"><a href="{links.category(first.slug)}">{first.name}</a></span>'
        f'<h2 class="post-title"><a href="{link}">{post_title(site, post)}</a></h2>'
        f'<div class="post-meta">{date}</div>'
        f'<p class="nb-card-excerpt">{excerpt(site, post)}</p>'
        "</div></article>\n"
    )


def _hero(site: SampleSite, post: Post, links: Links) -> str:
    link = links.post(post.id)
    return (
        '<section class="nb-hero"><a class="nb-hero-link" href="'
        f'{link}"><img src="{_thumb(links, post)}" alt="" width="1200" height="675">'
        f'<span class="nb-hero-title">{post_title(site, post)}</span></a></section>\n'
    )


def archive_page(
    site: SampleSite,
    links: Links,
    listing: Listing,
    *,
    posts: list[Post],
    page: int,
    pages: int,
) -> str:
    """Home, category, tag, author and month listings as a grid of cards with pagination."""
    url = listing.link(page)
    title = archive_title(listing, page)
    head = (
        f'<link rel="canonical" href="{esc_url(url)}">\n'
        '<meta property="og:locale" content="lo_LA">\n'
        '<meta property="og:type" content="website">\n'
        f'<meta property="og:url" content="{escape(url)}">\n'
        + _json_script(_collection_graph(links, url, title))
    )
    parts: list[str] = []
    if listing.kind in _KIND_LABELS:
        parts.append(
            '<header class="nb-archive-header">'
            f'<span class="nb-archive-kind">{_KIND_LABELS[listing.kind]}</span>'
            f'<h1 class="nb-archive-title">{listing.name}</h1></header>\n'
        )
    elif page == 1 and posts:
        parts.append(_hero(site, posts[0], links))
    if posts:
        parts.append('<div class="nb-grid">\n')
        parts += [_card(site, p, links) for p in posts]
        parts.append("</div>\n")
        parts.append(
            pagination(
                listing.link,
                page,
                pages,
                prev_label="&larr; ໃໝ່ກວ່າ",
                next_label="ເກົ່າກວ່າ &rarr;",
                aria=' aria-label="Posts"',
            )
        )
    else:
        parts.append('<p class="nb-empty">ບໍ່ມີບົດຄວາມ.</p>\n')
    body_class = listing.body_class + (f" paged paged-{page}" if page > 1 else "")
    return document(site, links, title=title, body_class=body_class, main="".join(parts), head=head)


def not_found_page(site: SampleSite, links: Links) -> str:
    """The theme's 404 template, with the usual chrome."""
    main = (
        '<section class="nb-404 error-404 not-found"><h1 class="nb-404-title">404</h1>'
        "<p>ຂໍອະໄພ, ບໍ່ພົບໜ້າທີ່ທ່ານຊອກຫາ. ລອງຄົ້ນຫາ ຫຼື ກັບໄປ"
        f' <a href="{links.home()}">ໜ້າຫຼັກ</a>.</p></section>\n'
    )
    return document(site, links, title=f"ບໍ່ພົບໜ້າ | {SITE_NAME}", body_class="error404", main=main)
