"""robots.txt, the RSS feed and the WordPress core sitemaps.

Why: these are discovery routes a crawler may prefer to archive pages; they must describe
exactly the same posts (and the same absence of dates for the dateless post) as the HTML,
with URLs in the face's permalink shape (plain: /?p=ID, /?sitemap=…, robots by term id).
"""

from __future__ import annotations

import math
from datetime import UTC
from email.utils import format_datetime

from testing.samplesite.content import (
    AUTHORS,
    CATEGORIES,
    MEMBERS,
    SITE_DESCRIPTION,
    SITE_NAME,
    Post,
    SampleSite,
)
from testing.samplesite.dirty import escape, xml_safe
from testing.samplesite.faces import Links
from testing.samplesite.themes import entry_body, excerpt, post_title

SITEMAP_PAGE_SIZE = 2000
FEED_SIZE = 10


def robots_txt(links: Links) -> str:
    """The site's robots.txt: members' category archive is off limits (in its URL shape)."""
    members = Links("", links.plain).category(MEMBERS)
    return (
        "User-agent: *\n"
        "Disallow: /wp-admin/\n"
        f"Disallow: {members}\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "\n"
        f"Sitemap: {links.sitemap_index()}\n"
    )


def _rfc822(post: Post) -> str:
    return format_datetime(post.published.astimezone(UTC))


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def feed_pages(site: SampleSite) -> int:
    """WordPress pages its feeds with ?paged=N, FEED_SIZE posts a page."""
    return max(1, -(-len(site.newest) // FEED_SIZE))


def rss(site: SampleSite, links: Links, page: int = 1) -> str:
    """RSS 2.0 of the newest posts (page ``page``), shaped like WordPress's /feed/."""
    base = links.base
    newest = site.newest[(page - 1) * FEED_SIZE : page * FEED_SIZE]
    built = max(p.last_modified for p in site.posts)
    items: list[str] = []
    for post in newest:
        pub = "" if post.date_style == "none" else f"\t\t<pubDate>{_rfc822(post)}</pubDate>\n"
        cats = "".join(
            f"\t\t<category>{_cdata(next(c.name for c in CATEGORIES if c.slug == s))}</category>\n"
            for s in post.categories
        )
        items.append(
            "\t<item>\n"
            f"\t\t<title>{xml_safe(post_title(site, post))}</title>\n"
            f"\t\t<link>{escape(links.post(post.id))}</link>\n"
            f"{pub}"
            f"\t\t<dc:creator>{_cdata(post.author)}</dc:creator>\n"
            f"{cats}"
            f'\t\t<guid isPermaLink="false">{links.shortlink(post.id)}</guid>\n'
            f"\t\t<description>{_cdata(excerpt(site, post))}</description>\n"
            f"\t\t<content:encoded>{_cdata(entry_body(site, post, links))}</content:encoded>\n"
            "\t\t<slash:comments>0</slash:comments>\n"
            "\t</item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
        '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
        '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n'
        "\t>\n<channel>\n"
        f"\t<title>{SITE_NAME}</title>\n"
        f'\t<atom:link href="{escape(links.feed())}" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{base}</link>\n"
        f"\t<description>{escape(SITE_DESCRIPTION)}</description>\n"
        f"\t<lastBuildDate>{format_datetime(built.astimezone(UTC))}</lastBuildDate>\n"
        "\t<language>lo-LA</language>\n"
        "\t<sy:updatePeriod>hourly</sy:updatePeriod>\n"
        "\t<sy:updateFrequency>1</sy:updateFrequency>\n"
        "\t<generator>https://wordpress.org/?v=4.9.8</generator>\n"
        + "".join(items)
        + "</channel>\n</rss>\n"
    )


def sitemap_pages(site: SampleSite) -> int:
    """How many wp-sitemap-posts-post-N.xml files the index lists."""
    return max(1, math.ceil(len(site.posts) / SITEMAP_PAGE_SIZE))


def sitemap_index(site: SampleSite, links: Links) -> str:
    """wp-sitemap.xml: posts (in pages of 2,000), categories, users."""
    urls = [links.sitemap_posts(k) for k in range(1, sitemap_pages(site) + 1)]
    urls += [links.sitemap_categories(), links.sitemap_users()]
    entries = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>\n"
    )


def _urlset(entries: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</urlset>\n"
    )


def sitemap_posts(site: SampleSite, links: Links, page: int) -> str | None:
    """One posts sitemap (ascending ids, as WordPress orders it), or None past the end."""
    if not 1 <= page <= sitemap_pages(site):
        return None
    chunk = site.posts[(page - 1) * SITEMAP_PAGE_SIZE : page * SITEMAP_PAGE_SIZE]
    entries = []
    for post in chunk:
        lastmod = ""
        if post.date_style != "none":
            lastmod = f"<lastmod>{post.last_modified.isoformat()}</lastmod>"
        entries.append(f"<url><loc>{escape(links.post(post.id))}</loc>{lastmod}</url>")
    return _urlset(entries)


def sitemap_categories(site: SampleSite, links: Links) -> str:
    """The category archives (members included: the sitemap does not know about robots.txt)."""
    return _urlset(
        [
            f"<url><loc>{escape(links.category(c.slug))}</loc></url>"
            for c in CATEGORIES
            if site.by_category[c.slug]
        ]
    )


def sitemap_users(site: SampleSite, links: Links) -> str:
    """The author archives."""
    return _urlset(
        [
            f"<url><loc>{escape(links.author(a.login))}</loc></url>"
            for a in AUTHORS
            if site.by_author[a.login]
        ]
    )
