"""Minimal WordPress-shaped pages for hostile-site tests: a post the extractor reads whole,
a listing (archive page) and sitemaps, so a test states only what is hostile about its site."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

LAO_TEXT = (
    "ສະບາຍດີ ນີ້ແມ່ນຂ່າວທົດລອງ ກ່ຽວກັບເສດຖະກິດ ແລະ ການສຶກສາ ຂອງປະເທດລາວ. "
    "ລັດຖະບານໄດ້ປະກາດແຜນການໃໝ່ ເພື່ອພັດທະນາຊົນນະບົດ ແລະ ສ້າງວຽກເຮັດງານທຳ."
)


def post_title(number: int) -> str:
    return f"ຂ່າວທີ {number}"


def post_page(url: str, number: int) -> str:
    """A post WordPress would render: ID in the body class, date, title, Lao text."""
    day = number % 28 + 1
    return f"""<!doctype html>
<html lang="lo"><head><meta charset="utf-8"><title>{post_title(number)}</title>
<link rel="canonical" href="{escape(url)}"></head>
<body class="post-template-default single single-post postid-{number}">
<article id="post-{number}" class="post-{number} post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{post_title(number)}</h1>
<time class="entry-date published" datetime="2024-01-{day:02d}T10:00:00+07:00">{day}</time>
</header><div class="entry-content"><p>{LAO_TEXT}</p><p>{LAO_TEXT} {number}</p></div>
</article></body></html>"""


def listing(links: Iterable[str], next_page: str | None = None, head: str = "") -> str:
    """An archive page: each link a post title, then the "older posts" link."""
    articles = "".join(
        f'<article class="post-{i} post"><h2 class="entry-title"><a href="{escape(link)}" '
        f'rel="bookmark">{i}</a></h2></article>'
        for i, link in enumerate(links, 1)
    )
    nav = f'<a class="next page-numbers" href="{escape(next_page)}">next</a>' if next_page else ""
    return f"<!doctype html><html><head>{head}</head><body>{articles}{nav}</body></html>"


def urlset(locs: Iterable[str]) -> str:
    entries = "".join(f"<url><loc>{escape(loc)}</loc></url>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


def sitemap_index(locs: Iterable[str]) -> str:
    entries = "".join(f"<sitemap><loc>{escape(loc)}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    )
