"""The article body: a known WordPress container first, a main-content extractor otherwise.

WordPress core and the common themes and builders put the post's HTML in a handful of
containers (``the_content()`` inside ``.entry-content``, ``.wp-block-post-content``, ...).
When none of them holds the post, a maintained main-content extractor (trafilatura, chosen
by measurement on real news pages: see ``benchmarks/realpages.py``) finds it instead.
"""

from __future__ import annotations

import copy
import logging
import re
from functools import lru_cache
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from crawler.extract import tree

logger = logging.getLogger(__name__)

# In priority order: core and block-theme containers, schema.org, then common theme and page
# builder conventions (tagDiv, Elementor, Divi's theme-builder post content module,
# GeneratePress/Astra/Kadence "article-content", ...).
CONTAINERS = (
    ".entry-content",
    ".wp-block-post-content",
    "[itemprop='articleBody']",
    ".td-post-content",
    ".elementor-widget-theme-post-content",
    ".et_pb_post_content",
    ".post-content",
    ".article-content",
    ".article__content",
    ".article-body",
    ".article__body",
    ".post-body",
    ".single-content",
    ".story-content",
    ".content-body",
    ".entry",
)

BOILERPLATE = (
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "button",
    "svg",
    "template",
    "video",
    "audio",
    "object",
    "embed",
    "canvas",
    "h1",
    "aside",
    "nav",
    ".sharedaddy",
    ".sd-block",
    ".sd-sharing-enabled",
    ".social-share",
    ".share-buttons",
    ".sharing",
    ".addtoany_share_save_container",
    ".a2a_kit",
    "#jp-relatedposts",
    ".jp-relatedposts",
    ".related-posts",
    ".related-articles",
    ".yarpp-related",
    ".crp_related",
    ".page-links",
    ".post-nav-links",
    ".post-navigation",
    ".comments-area",
    "#comments",
    ".screen-reader-text",
    ".sr-only",
    ".wp-block-buttons",
    ".newsletter",
    ".advertisement",
    ".adsbygoogle",
    ".code-block",
    ".td-a-rec",
    ".td-post-sharing",
    ".heateor_sss_sharing_container",
    ".ez-toc-container",
    "#ez-toc-container",
    ".wp-block-embed",
    "[hidden]",
    "[aria-hidden='true']",
)

# Blocks named for what they are, in any theme: a class or id segment ("td-post-sharing" has
# "sharing") or a whole token. Never the article text, even inside the entry content.
NOISE_SEGMENTS = frozenset(
    [
        "share",
        "sharing",
        "sharedaddy",
        "social",
        "socials",
        "newsletter",
        "subscribe",
        "subscription",
        "advert",
        "advertisement",
        "advertising",
        "ads",
        "ad",
        "adsbygoogle",
        "adslot",
        "sponsor",
        "sponsored",
        "promo",
        "promoted",
        "popup",
        "modal",
        "cookie",
        "consent",
        "breadcrumb",
        "breadcrumbs",
        "byline",
        "related",
        "relatedposts",
        "recommended",
        "trending",
        "tweet",
        "instagram",
        "tiktok",
        "embed",
        "header",
        "rail",
        "more",
        "most",
        "popular",
        "meta",
        "teaser",
        "credit",
        "credits",
        "copyright",
        "factbox",
        "signup",
        "btn",
        "button",
        "buttons",
    ]
)
# Words that mark a block inside longer names too ("penci-ilrelated-posts"; "postmeta" as in
# the classic default theme's "postmetadata" and its descendants' "singlepostmeta").
NOISE_PARTS = (
    "related", "sharing", "newsletter", "advert", "sponsor", "breadcrumb", "postmeta",
    "reading-time",  # a reading-time badge: "post__reading-time", the plugin's "rt-reading-time"
)  # fmt: skip
NOISE_TOKENS = frozenset(
    [
        "author-box",
        "author-bio",
        "about-author",
        "post-tags",
        "tags-links",
        "tag-links",
        "cat-links",
        "entry-meta",
        "post-meta",
        "entry-footer",
        "post-footer",
        "screen-reader-text",
        "sr-only",
        "visually-hidden",
        "read-more",
        "readmore",
        "also-read",
        "more-stories",
        "most-read",
        "code-block",
        "postmetadata",
    ]
)
_SEGMENT = re.compile(r"[-_\s]+")
# A block holding more than this share of the container's text is the article, whatever
# its class says ("has-ads" on the wrapper of every paragraph).
NOISE_SHARE = 0.7

# Parts of a split container lighter than this share of the heaviest are teasers.
PART_SHARE = 0.1

# Container text shorter than this is a teaser or an empty wrapper, not the article.
MIN_TEXT = 200


def clean_copy(
    element, boilerplate: tuple[str, ...] = (), present=None, site: str | None = None
) -> etree._Element:
    """A copy of ``element`` without the blocks that are never the article.

    ``present`` narrows a selector list to the parts that can match this page at all; ``site``
    is the page's host (a labelled link to it is a pointer to another post)."""
    root = copy.deepcopy(element)
    root.tail = None
    union = ", ".join((*_NAMED_BOILERPLATE, *boilerplate))
    union = present(union) if present else union
    # Which block goes first changes nothing: one inside another goes with it either way.
    for query in (_BOILERPLATE_TAGS, _HIDDEN, tree.css_query(union) if union else None):
        for found in query(root) if query is not None else ():
            if found is not root and found.getparent() is not None:
                found.drop_tree()
    drop_noise(root)
    drop_link_blocks(root, site)
    return root


# Inline styles that hide an element: whatever it holds, a reader never sees it.
HIDDEN = (
    ".//*[contains(translate(@style, ' ', ''), 'display:none')"
    " or contains(translate(@style, ' ', ''), 'visibility:hidden')]"
)
_HIDDEN = etree.XPath(HIDDEN)
# The boilerplate that is a bare tag name, found in one pass (a CSS union walks once a part).
_TAG_NAME = re.compile(r"^[a-z][a-z0-9]*$")
_BOILERPLATE_TAGS = etree.XPath(
    "descendant-or-self::*[{}]".format(
        " or ".join(f"self::{name}" for name in BOILERPLATE if _TAG_NAME.match(name))
    )
)
_NAMED_BOILERPLATE = tuple(css for css in BOILERPLATE if not _TAG_NAME.match(css))


LINK_BLOCKS = frozenset(("p", "div", "h2", "h3", "h4", "h5", "h6", "section"))


def drop_link_blocks(root, site: str | None = None) -> None:
    """Drop paragraphs that are nothing but a link ("Read more: ...", "All news of ..."):
    navigation between articles, not the article. A linked sentence (a long text that ends
    with a full stop, as a writer links a whole sentence to its source) is the article."""
    blocks: dict[int, etree._Element] = {}  # only blocks that hold a link can be all links
    for link in root.iter("a"):
        block = next(link.iterancestors(*LINK_BLOCKS), None)
        if block is not None and block is not root:
            blocks.setdefault(id(block), block)
    for block in blocks.values():
        if not any(ancestor is root for ancestor in block.iterancestors()):
            continue  # inside a block dropped already
        text = text_length(block)
        linked = sum(text_length(a) for a in block.iterdescendants("a"))
        if text and text == linked:
            if text >= SENTENCE_MIN and _ends_a_sentence(block):
                continue
            block.drop_tree()
        elif text and linked and _labelled_link(block, site):
            block.drop_tree()


LABEL_MAX = 40  # characters of a lead-in label ("Read more:", "ອ່ານຕໍ່ |")
LABEL_ENDS = (":", "|", "»", "›", "→")


def _labelled_link(block, site: str | None) -> bool:
    """Whether a block is a label and a link to another page of the site ("Read more: <a>",
    "See also | <a>", "ອ່ານຕໍ່: <a>"): a theme's or an editor's pointer to another post, not text.
    A credit that links elsewhere ("Source: <a>Reuters</a>") is no such pointer."""
    label = " ".join(_outside_links(block).split())
    return (
        0 < len(label) <= LABEL_MAX
        and label.endswith(LABEL_ENDS)
        and all(_same_site(a.get("href"), site) for a in block.iterdescendants("a"))
    )


def _outside_links(element) -> str:
    """The element's text that is in none of its links (comments excluded)."""
    parts = [element.text or ""] if isinstance(element.tag, str) else []
    for child in element:
        if isinstance(child.tag, str) and child.tag != "a":
            parts.append(_outside_links(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _same_site(href: str | None, site: str | None) -> bool:
    """A relative link, or one to ``site`` (a host, "www." aside)."""
    host = urlsplit((href or "").strip()).netloc.lower().removeprefix("www.")
    return not host or (site is not None and host == site.lower().removeprefix("www."))


SENTENCE_MIN = 60  # characters: shorter all-link lines are titles and menu entries


def _ends_a_sentence(block) -> bool:
    """Whether the block's text ends with a full stop (titles and "read more" lines don't)."""
    return "".join(tree.texts(block)).rstrip().endswith((".", "。"))


def is_noise(element) -> bool:
    return any(map(_noisy_name, [*(element.get("class") or "").split(), element.get("id") or ""]))


@lru_cache(maxsize=8192)
def _noisy_name(name: str) -> bool:
    """Whether one class or id names a block that is not the article (themes repeat them)."""
    name = name.lower()
    if name in NOISE_TOKENS or NOISE_SEGMENTS.intersection(_SEGMENT.split(name)):
        return True
    return any(part in name for part in NOISE_PARTS)


def drop_noise(root) -> None:
    """Drop the blocks whose names say they are not the article (see :data:`NOISE_SEGMENTS`)."""
    total = text_length(root)
    for element in list(root.iterdescendants()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        named = element.get("class") or element.get("id")
        if named and is_noise(element) and text_length(element) <= NOISE_SHARE * total:
            element.drop_tree()


# A noise-named block whose paragraphs weigh this share of the main text is part of it.
MAIN_SHARE = 0.3


def drop_noise_around_text(root) -> None:
    """Drop the noise-named blocks (see :data:`NOISE_SEGMENTS`) of a page around its text.

    For a whole page, where the container's share rule cannot tell the article from the
    rest: the element whose own paragraphs hold the most text is the article's, so it and
    its ancestors stay whatever their names ("with-ads" on a wrapper), and so does a block
    whose paragraphs weigh a good share of it (a second half named "article-more");
    "popular" lists, share bars and newsletter boxes, inside the text or around it, go."""
    main, weight = _paragraph_parent(root)
    if main is None:
        return
    kept = {main, *main.iterancestors()}  # (elements: ids are reused)
    for element in list(root.iterdescendants()):
        if element in kept or not isinstance(element.tag, str):
            continue
        if element.getparent() is None or not (element.get("class") or element.get("id")):
            continue
        if is_noise(element) and _paragraphs(element.iter("p")) < MAIN_SHARE * weight:
            element.drop_tree()


def _paragraph_parent(root) -> tuple[etree._Element | None, int]:
    """The element whose child paragraphs hold the most text, and that text's length."""
    best, weight = None, 0
    for element in root.iter():
        if isinstance(element.tag, str):
            found = _paragraphs(child for child in element if child.tag == "p")
            if found > weight:
                best, weight = element, found
    return best, weight


def _paragraphs(elements) -> int:
    return sum(map(text_length, elements))


def text_length(element) -> int:
    """Characters of visible-ish text (comments excluded), whitespace collapsed."""
    return len(" ".join("".join(tree.texts(element)).split()))


def join_parts(elements: list) -> etree._Element:
    """The outermost of ``elements``; several disjoint ones of similar weight are joined."""
    outer = [e for e in elements if not any(o is not e and _inside(e, o) for o in elements)]
    if len(outer) == 1:
        return outer[0]
    sizes = [text_length(e) for e in outer]
    kept = [e for e, size in zip(outer, sizes, strict=True) if size >= PART_SHARE * max(sizes)]
    if len(kept) == 1:
        return kept[0]
    joined = etree.Element("div")
    for element in kept:
        joined.append(copy.deepcopy(element))
    return joined


def _inside(element, other) -> bool:
    return any(ancestor is other for ancestor in element.iterancestors())


def to_html(element) -> str:
    return lxml.html.tostring(element, encoding="unicode")


def fallback_html(tree, url: str | None = None) -> str | None:
    """The main content by trafilatura, as HTML; ``None`` when it finds none.

    ``tree`` is the page's source, or (faster: no second parse, less to prune) a copy of the
    element known to hold the post, or of ``<body>``; trafilatura prunes what it is given."""
    try:
        found = _trafilatura_html(tree, url)
    except Exception as exc:  # a third-party parser must never take the crawl down
        logger.debug("main-content fallback failed on %s: %s", url, exc)
        return None
    return found or None


def _trafilatura_html(tree, url: str | None) -> str | None:
    """``trafilatura.extract(..., output_format="html")`` without the content fingerprint it
    computes for its own metadata (a fifth of its time here); the public call when its
    serializer moves."""
    import trafilatura
    from trafilatura.settings import Extractor

    options = Extractor(
        output_format="html",
        fast=True,  # no second opinion by its bundled extractors: same text, faster
        precision=False,
        comments=False,
        tables=True,
        images=False,
        url=url,
        with_metadata=False,
    )
    try:
        from trafilatura.core import determine_returnstring
    except ImportError:
        return trafilatura.extract(tree, options=options)
    document = trafilatura.bare_extraction(tree, options=options)
    return determine_returnstring(document, options) if document else None
