"""The page's tree and the queries run over it: parsed and compiled once, evaluated in C.

The page object runs the same few dozen selectors over every page. Parsing as parsel does but
with a class lookup done in C (lxml.html's own lookup is Python code run for every element
touched), and compiling each selector once, keeps extraction at hundreds of pages a second.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from parsel import Selector
from parsel.csstranslator import GenericTranslator, HTMLTranslator

# Element classes of lxml.html (``drop_tree``, what trafilatura accepts), chosen in C.
_LOOKUP = etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)
_XML_DECLARATION = re.compile(r"[\s\ufeff]*<\?xml\s")
_TRANSLATORS = {"html": HTMLTranslator(), "xml": GenericTranslator()}
_TEXTS = etree.XPath(".//text()", smart_strings=False)


def parse(html: str) -> tuple[etree._Element, str]:
    """The root and its type ("html", or "xml" for a page that declares itself XML), as
    ``parsel.Selector(text=html)`` makes them: same libxml2 options, same clean-up."""
    if _XML_DECLARATION.match(html):
        selector = Selector(text=html)  # parsel's own XML handling, unchanged
        return selector.root, selector.type
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    parser.set_element_class_lookup(_LOOKUP)
    text = html.strip()
    data = (text.replace("\x00", "") if "\x00" in text else text).encode("utf-8") or b"<html/>"
    root = etree.fromstring(data, parser=parser)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser)
    return root, "html"


@lru_cache(maxsize=4096)
def css_query(css: str, kind: str = "html") -> etree.XPath:
    """A CSS selector list compiled to XPath, translated as parsel translates it."""
    return etree.XPath(_TRANSLATORS[kind].css_to_xpath(css), smart_strings=False)


@lru_cache(maxsize=256)
def xpath_query(xpath: str) -> etree.XPath:
    return etree.XPath(xpath, smart_strings=False)


def select(scope, css: str, kind: str = "html") -> list:
    """Elements matching ``css`` in ``scope`` (itself included), in document order."""
    return css_query(css, kind)(scope)


def texts(element) -> list[str]:
    """The text nodes under ``element`` (comments excluded), in document order."""
    return _TEXTS(element)
