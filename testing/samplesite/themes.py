"""HTML rendering in the markup of the real site's old underscores-based theme ("lsr").

Why: the crawler's extractors are written against this exact structure (class names, order,
the non-content blocks inside .entry-content), so it is reproduced faithfully with plain
string building, which keeps any page of a 20,000-post site fast to render on demand.
The post body pieces here (titles, paragraphs, pages, related posts) are shared by every
theme, so all faces serve the same text in the same dirty forms.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from testing.samplesite.content import (
    CATEGORIES,
    CATEGORY_BY_SLUG,
    SITE_DESCRIPTION,
    SITE_NAME,
    TAG_BY_SLUG,
    Post,
    SampleSite,
    english_date,
)
from testing.samplesite.dirty import (
    ZERO_WIDTH,
    dirty_fragment,
    escape,
    pad_paragraph,
    texturize,
    title_html,
)
from testing.samplesite.faces import NEXTPAGE, Links, esc_url, page_sizes
from testing.samplesite.lexicon import MONTHS_LAO

_CSS = (
    "<style>body{font-family:'Phetsarath OT',sans-serif;margin:0}"
    ".site{max-width:1100px;margin:0 auto}.content-area{float:left;width:70%}"
    ".widget-area{float:right;width:28%}.screen-reader-text{position:absolute;left:-9999px}"
    ".site-footer{clear:both}</style>"
)
_SCRIPT = '<script>/* analytics */ var _x = "<p>not content</p>";</script>'
EXCERPT_WORDS = 30


@dataclass(frozen=True, slots=True)
class Listing:
    """One archive as the router found it; each theme words its heading and title itself.

    kind: "home", "category", "tag", "author" or "date"; name: the term name, login or
    "ພະຈິກ 2016" ("" for home); link(k): URL of page k; body_class: WordPress's classes.
    """

    kind: str
    name: str
    body_class: str
    link: Callable[[int], str]


# --- small pieces ---------------------------------------------------------------------------


def post_title(site: SampleSite, post: Post) -> str:
    """A post's title as served everywhere (escaped; dirty posts' titles may be mangled)."""
    rng = random.Random(f"lsr-title:{site.seed}:{post.id}")
    return title_html(post.title, rng, dirty=post.dirty)


def iso(dt: datetime) -> str:
    """ISO 8601 with the site offset, as in datetime attributes and sitemaps."""
    return dt.isoformat()


def posted_on(post: Post, links: Links) -> str:
    """The `posted-on` span in one of its three variants ("" for the dateless post)."""
    link = links.post(post.id)
    if post.date_style == "none":
        return ""
    if post.date_style == "text":
        return (
            f'<span class="posted-on"><a href="{link}" rel="bookmark">'
            f"{english_date(post.published)}</a></span>"
        )
    times = (
        f'<time class="entry-date published" datetime="{iso(post.published)}">'
        f"{english_date(post.published)}</time>"
    )
    if post.modified:
        times += (
            f'<time class="updated" datetime="{iso(post.modified)}">'
            f"{english_date(post.modified)}</time>"
        )
    return f'<span class="posted-on"><a href="{link}" rel="bookmark">{times}</a></span>'


def byline(post: Post, links: Links) -> str:
    """The author byline ("by somchan"), the login doubling as display name."""
    return (
        f'<span class="byline">by <span class="author vcard"><a class="url fn n" '
        f'href="{esc_url(links.author(post.author))}">{post.author}</a></span></span>'
    )


def category_rel(links: Links) -> str:
    """get_the_category_list()'s rel: "category tag" only with pretty permalinks."""
    return "category" if links.plain else "category tag"


def category_anchors(post: Post, links: Links, sep: str) -> str:
    """The post's category links in term order, as get_the_category_list() prints them."""
    rel = category_rel(links)
    return sep.join(
        f'<a href="{esc_url(links.category(slug))}" rel="{rel}">'
        f"{escape(CATEGORY_BY_SLUG[slug].name)}</a>"
        for slug in post.categories
    )


def tag_anchors(post: Post, links: Links, sep: str) -> str:
    """The post's tag links in term order, as get_the_tag_list() prints them."""
    return sep.join(
        f'<a href="{esc_url(links.tag(slug))}" rel="tag">{escape(TAG_BY_SLUG[slug].name)}</a>'
        for slug in post.tags
    )


def cat_links(post: Post, links: Links) -> str:
    """The footer's category links, in the order the ground truth lists categories."""
    return f'<span class="cat-links">Posted in {category_anchors(post, links, ", ")}</span>'


def tag_links(post: Post, links: Links) -> str:
    """The footer's tag links, or "" for an untagged post."""
    if not post.tags:
        return ""
    return f' <span class="tags-links">Tagged {tag_anchors(post, links, ", ")}</span>'


def article_classes(post: Post) -> str:
    """The hentry class list WordPress's post_class() prints."""
    terms = [f"category-{s}" for s in post.categories] + [f"tag-{s}" for s in post.tags]
    return f"post-{post.id} post type-post status-publish format-standard hentry " + " ".join(terms)


def excerpt(site: SampleSite, post: Post) -> str:
    """The first words of the clean text, escaped, as WordPress's automatic excerpt."""
    words = site.paragraphs(post)[0].split(" ")
    text = escape(" ".join(words[:EXCERPT_WORDS]))
    return text + " [&hellip;]" if len(words) > EXCERPT_WORDS else text


# --- the post body --------------------------------------------------------------------------


def entry_pages(site: SampleSite, post: Post, links: Links) -> list[str]:
    """The post's own content, one HTML string per page (one page unless it is split).

    Why deterministic per-post RNGs: the same post renders byte-identically on every request.
    A page break falls before a paragraph (and before an empty paragraph preceding it).
    """
    layout = random.Random(f"lsr-layout:{site.seed}:{post.id}")
    drng = random.Random(f"lsr-dirty:{site.seed}:{post.id}")
    paras = site.paragraphs(post)
    groups: list[list[str]] = [[] for _ in paras]
    if post.date_style != "none" and layout.random() < 0.3:
        pub = post.published
        groups[0].append(
            f'<p><img src="{links.base}/wp-content/uploads/{pub.year}/{pub.month:02d}/'
            f'img-{post.id}.jpg" alt="" width="600" height="400"></p>'
        )
    empty_at = layout.randrange(1, len(paras) + 1) if len(paras) > 1 else 0
    if layout.random() >= 0.25:
        empty_at = -1
    for i, para in enumerate(paras):
        if i == empty_at:
            groups[i].append("<p>&nbsp;</p>")
        groups[i].append("<p>" + _paragraph(site, post, para, layout, drng, links) + "</p>")
    if empty_at == len(paras):
        groups[-1].append("<p>&nbsp;</p>")
    pages: list[str] = []
    start = 0
    for size in page_sizes(site, post):
        pages.append("\n".join(part for group in groups[start : start + size] for part in group))
        start += size
    return pages


def entry_body(site: SampleSite, post: Post, links: Links) -> str:
    """The whole content as stored, pages joined by <!--nextpage--> (REST and RSS carry it)."""
    return f"\n{NEXTPAGE}\n".join(entry_pages(site, post, links))


def page_links(post: Post, links: Links, page: int, pages: int) -> str:
    """wp_link_pages(): numbered links to every page of a split post ("" for one page)."""
    if pages <= 1:
        return ""
    items = []
    for k in range(1, pages + 1):
        if k == page:
            items.append(f'<span class="post-page-numbers current" aria-current="page">{k}</span>')
        else:
            href = esc_url(links.post(post.id, k))
            items.append(f'<a href="{href}" class="post-page-numbers">{k}</a>')
    return f'<div class="page-links">Pages: {" ".join(items)}</div>'


def paged_title(title: str, page: int, pages: int) -> str:
    """The document title of page `page` of a split post (Yoast's %%page%%)."""
    return title if page <= 1 else f"{title} – ໜ້າ {page} ຈາກ {pages}"


def single_body_class(post: Post, page: int) -> str:
    """body_class() of a single post, with paged-N on the later pages of a split post."""
    classes = f"post-template-default single single-post postid-{post.id} single-format-standard"
    return classes + (f" paged-{page} single-paged-{page}" if page > 1 else "")


def _paragraph(
    site: SampleSite,
    post: Post,
    para: str,
    layout: random.Random,
    drng: random.Random,
    links: Links,
) -> str:
    def frag(text: str) -> str:
        if not text:
            return ""
        return dirty_fragment(text, drng) if post.dirty else escape(text)

    words = para.split(" ")
    if len(words) >= 4 and layout.random() < 0.3:
        a = layout.randrange(0, len(words) - 1)
        b = min(len(words), a + layout.randint(1, 4))
        kind = layout.choice(("strong", "em", "a"))
        before = " ".join(words[:a]) + " " if a else ""
        inner = " ".join(words[a:b])
        after = " " + " ".join(words[b:]) if b < len(words) else ""
        if kind == "a":
            target = layout.choice(site.posts)
            if target is post:
                target = site.newest[0] if post is not site.newest[0] else site.newest[1]
            opening = f'<a href="{links.post(target.id)}">'
        else:
            opening = f"<{kind}>"
        html = frag(before) + opening + frag(inner) + f"</{kind}>" + frag(after)
    else:
        html = frag(para)
    if post.dirty:
        if not any(z in html for z in ZERO_WIDTH):  # every dirty paragraph differs from clean
            html = drng.choice(ZERO_WIDTH) + html
        html = pad_paragraph(html, drng)
    return html


def related_posts(site: SampleSite, post: Post) -> list[Post]:
    """Three other posts, preferably from the same primary category (Jetpack's widget)."""
    rng = random.Random(f"lsr-related:{site.seed}:{post.id}")
    pool = site.by_category[post.topic]
    if len(pool) < 6:
        pool = site.posts
    picks: list[Post] = []
    for attempt in range(60):
        cand = rng.choice(pool)
        if cand is not post and cand not in picks:
            picks.append(cand)
            if len(picks) == 3:
                return picks
        if attempt > 30:
            pool = site.posts
    return picks


def _share(post: Post, links: Links) -> str:
    url = links.post(post.id)
    return (
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
        'sd-social"><h3 class="sd-title">ແບ່ງປັນ:</h3><div class="sd-content"><ul>'
        f'<li><a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={url}"'
        ' rel="nofollow noopener" target="_blank">Facebook</a></li>'
        f'<li><a class="share-twitter" href="https://twitter.com/intent/tweet?url={url}"'
        ' rel="nofollow noopener" target="_blank">Twitter</a></li>'
        f'<li><a class="share-print" href="{url}#print" rel="nofollow">Print</a></li>'
        "</ul></div></div></div>"
    )


def _related(site: SampleSite, post: Post, links: Links) -> str:
    items = "".join(
        f'<p><a href="{links.post(r.id)}">{post_title(site, r)}</a></p>'
        for r in related_posts(site, post)
    )
    return (
        '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
        f"<em>ຂ່າວທີ່ກ່ຽວຂ້ອງ</em></h3>{items}</div>"
    )


# --- whole pages ----------------------------------------------------------------------------


def _masthead(links: Links) -> str:
    home = links.home()
    menu = "".join(
        '<li class="menu-item menu-item-type-taxonomy">'
        f'<a href="{links.category(c.slug)}">{c.name}</a></li>'
        for c in CATEGORIES
    )
    return (
        '<header id="masthead" class="site-header">\n<div class="site-branding">'
        f'<p class="site-title"><a href="{home}" rel="home">{SITE_NAME}</a></p>'
        f'<p class="site-description">{SITE_DESCRIPTION}</p></div>\n'
        '<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">'
        f'<li class="menu-item menu-item-home"><a href="{home}">ໜ້າຫຼັກ</a></li>{menu}'
        "</ul></nav></header>\n"
    )


def _sidebar(site: SampleSite, links: Links) -> str:
    items = [
        f'<li><a href="{links.post(p.id)}">{post_title(site, p)}</a></li>' for p in site.newest[:5]
    ]
    items.insert(
        2, f'<li><a href="{links.post(site.dead_id)}">{texturize(site.dead_title)}</a></li>'
    )
    cats = "".join(
        f'<li class="cat-item cat-item-{c.id}"><a href="{links.category(c.slug)}">{c.name}</a>'
        f" ({len(site.by_category[c.slug])})</li>"
        for c in CATEGORIES
    )
    months = "".join(
        f'<li><a href="{links.month(y, m)}">{MONTHS_LAO[m - 1]} {y}</a></li>'
        for y, m in site.months[:12]
    )
    return (
        '<aside id="secondary" class="widget-area">\n'
        '<section id="recent-posts-2" class="widget widget_recent_entries">'
        f'<h2 class="widget-title">ຂ່າວຫຼ້າສຸດ</h2><ul>{"".join(items)}</ul></section>\n'
        '<section id="categories-2" class="widget widget_categories">'
        f'<h2 class="widget-title">ໝວດໝູ່</h2><ul>{cats}</ul></section>\n'
        '<section id="archives-2" class="widget widget_archive">'
        f'<h2 class="widget-title">ຄັງຂ່າວ</h2><ul>{months}</ul></section>\n'
        "</aside>\n"
    )


def document(
    site: SampleSite,
    links: Links,
    *,
    title: str,
    body_class: str,
    main: str,
    head_top: str = "",
    head_meta: str = "",
) -> str:
    """The page skeleton shared by every HTML page: head, masthead, main, sidebar, footer."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="lo-LA"><head><meta charset="UTF-8">\n'
        f"<title>{title}</title>\n"
        f"{head_top}"
        f'<link rel="alternate" type="application/rss+xml" title="LSR &raquo; Feed" '
        f'href="{links.feed()}">\n'
        f'<link rel="https://api.w.org/" href="{links.rest()}">\n'
        f"{head_meta}"
        f"{_CSS}{_SCRIPT}\n"
        "</head>\n"
        f'<body class="{body_class}">\n'
        '<div id="page" class="site">\n'
        f"{_masthead(links)}"
        '<div id="content" class="site-content"><div id="primary" class="content-area">'
        '<main id="main" class="site-main">\n'
        f"{main}"
        "</main></div>\n"
        f"{_sidebar(site, links)}"
        "</div>\n"
        '<footer id="colophon" class="site-footer">© LSR · Proudly powered by WordPress</footer>\n'
        "</div></body></html>\n"
    )


def post_page(site: SampleSite, post: Post, links: Links, page: int = 1) -> str:
    """A single post page; `page` > 1 for the later pages of a post split into pages."""
    title = post_title(site, post)
    pages = entry_pages(site, post, links)
    link = esc_url(links.post(post.id, page))
    head_top = (
        f'<link rel="canonical" href="{link}">'
        f'<link rel="shortlink" href="{links.shortlink(post.id)}">\n'
    )
    head_meta = (
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
        f'<meta property="og:url" content="{link}">\n'
    )
    if post.modified and post.date_style != "none":
        head_meta += f'<meta property="article:modified_time" content="{iso(post.modified)}">\n'
    posted = posted_on(post, links)
    meta_top = f'<div class="entry-meta">{posted}</div>\n' if posted else ""
    i = post.index
    nav = ""
    if i > 0:
        prev = site.posts[i - 1]
        nav += (
            f'<div class="nav-previous"><a href="{links.post(prev.id)}" rel="prev">'
            f"{post_title(site, prev)}</a></div>"
        )
    if i + 1 < len(site.posts):
        nxt = site.posts[i + 1]
        nav += (
            f'<div class="nav-next"><a href="{links.post(nxt.id)}" rel="next">'
            f"{post_title(site, nxt)}</a></div>"
        )
    numbers = page_links(post, links, page, len(pages))
    numbers += "\n" if numbers else ""
    main = (
        f'<article id="post-{post.id}" class="{article_classes(post)}">\n'
        '<header class="entry-header">\n'
        f"{meta_top}"
        f'<h1 class="entry-title">{title}</h1>\n'
        f'<div class="entry-meta">{byline(post, links)}</div>\n'
        "</header>\n"
        '<div class="entry-content">\n'
        f"{pages[page - 1]}\n{numbers}"
        f"{_share(post, links)}\n"
        f"{_related(site, post, links)}\n"
        "</div>\n"
        f'<footer class="entry-footer">{cat_links(post, links)}{tag_links(post, links)} '
        '<span class="comments-link"><span class="screen-reader-text">Comments </span>Off</span>'
        "</footer>\n"
        "</article>\n"
        '<nav class="navigation post-navigation" role="navigation">'
        f'<h2 class="screen-reader-text">Post navigation</h2><div class="nav-links">{nav}</div>'
        "</nav>\n"
        '<div id="comments" class="comments-area"><p class="no-comments">Comments are closed.</p>'
        "</div>\n"
    )
    return document(
        site,
        links,
        title=f"{paged_title(title, page, len(pages))} | {SITE_NAME}",
        body_class=single_body_class(post, page),
        main=main,
        head_top=head_top,
        head_meta=head_meta,
    )


def _summary(site: SampleSite, post: Post, links: Links) -> str:
    meta = posted_on(post, links) + byline(post, links)
    return (
        f'<article id="post-{post.id}" class="{article_classes(post)}">\n'
        f'<header class="entry-header"><h2 class="entry-title"><a href="{links.post(post.id)}" '
        f'rel="bookmark">{post_title(site, post)}</a></h2>'
        f'<div class="entry-meta">{meta}</div></header>\n'
        f'<div class="entry-summary"><p>{excerpt(site, post)}</p></div>\n'
        f'<footer class="entry-footer">{cat_links(post, links)}</footer>\n'
        "</article>\n"
    )


def pagination(
    link: Callable[[int], str],
    page: int,
    pages: int,
    *,
    prev_label: str = "« ກ່ອນໜ້າ",
    next_label: str = "ຕໍ່ໄປ »",
    aria: str = ' role="navigation"',
) -> str:
    """WordPress's paginate_links() (end_size 1, mid_size 2) inside the_posts_pagination()."""
    if pages <= 1:
        return ""

    def href(k: int) -> str:
        return esc_url(link(k))

    items: list[str] = []
    if page > 1:
        items.append(f'<a class="prev page-numbers" href="{href(page - 1)}">{prev_label}</a>')
    dots = False
    for k in range(1, pages + 1):
        if k == page:
            items.append(f'<span aria-current="page" class="page-numbers current">{k}</span>')
            dots = True
        elif k == 1 or k == pages or abs(k - page) <= 2:
            items.append(f'<a class="page-numbers" href="{href(k)}">{k}</a>')
            dots = True
        elif dots:
            items.append('<span class="page-numbers dots">&hellip;</span>')
            dots = False
    if page < pages:
        items.append(f'<a class="next page-numbers" href="{href(page + 1)}">{next_label}</a>')
    return (
        f'<nav class="navigation pagination"{aria}>'
        '<h2 class="screen-reader-text">Posts navigation</h2>'
        f'<div class="nav-links">{"".join(items)}</div></nav>\n'
    )


_HEADINGS = {
    "category": "Category: <span>{}</span>",
    "tag": "Tag: <span>{}</span>",
    "author": 'Author: <span class="vcard">{}</span>',
    "date": "Month: <span>{}</span>",
}


def archive_title(listing: Listing, page: int) -> str:
    """The document title of an archive page (the front page names its page number)."""
    if listing.kind == "home":
        return f"{SITE_NAME} – ໜ້າ {page}" if page > 1 else f"{SITE_NAME} – {SITE_DESCRIPTION}"
    return f"{listing.name} | {SITE_NAME}"


def archive_page(
    site: SampleSite,
    links: Links,
    listing: Listing,
    *,
    posts: list[Post],
    page: int,
    pages: int,
) -> str:
    """Home, category, tag, author and month listings (10 summaries and pagination)."""
    heading = _HEADINGS[listing.kind].format(listing.name) if listing.kind in _HEADINGS else ""
    header = f'<header class="page-header"><h1 class="page-title">{heading}</h1></header>\n'
    if not posts:
        body = (
            '<section class="no-results not-found"><header class="page-header">'
            '<h1 class="page-title">Nothing Found</h1></header></section>\n'
        )
    else:
        body = "".join(_summary(site, p, links) for p in posts) + pagination(
            listing.link, page, pages
        )
    body_class = listing.body_class + (f" paged paged-{page}" if page > 1 else "")
    return document(
        site,
        links,
        title=archive_title(listing, page),
        body_class=body_class,
        main=(header if heading else "") + body,
        head_top=f'<link rel="canonical" href="{esc_url(listing.link(page))}">\n',
    )


def not_found_page(site: SampleSite, links: Links) -> str:
    """WordPress's 404 template, with the usual chrome (and so the usual links)."""
    main = (
        '<section class="error-404 not-found"><header class="page-header">'
        '<h1 class="page-title">Oops! That page can&rsquo;t be found.</h1></header>'
        '<div class="page-content"><p>It looks like nothing was found at this location. '
        "Maybe try one of the links below or a search?</p></div></section>\n"
    )
    return document(
        site, links, title=f"Page not found | {SITE_NAME}", body_class="error404", main=main
    )


def unavailable_page() -> str:
    """The bare page a busy server answers 503 with."""
    return (
        "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>"
        "<body><h1>Service Temporarily Unavailable</h1><p>The server is temporarily unable to "
        "service your request. Please try again later.</p></body></html>\n"
    )
