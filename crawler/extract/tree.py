"""The page's tree and the queries run over it: parsed and compiled once, evaluated in C.

The page object runs the same few dozen selectors over every page. Parsing as parsel does but
with a class lookup done in C (lxml.html's own lookup is Python code run for every element
touched), and compiling each selector once, keeps extraction at hundreds of pages a second.
"""

from __future__ import annotations

import re
from functools import lru_cache

import cssselect
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
# C0 controls other than tab, newline and carriage return: never text, and lxml refuses them
# when a tree is edited (a tail moved by ``drop_tree``), so they go before parsing.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse(html: str) -> tuple[etree._Element, str]:
    """The root and its type ("html", or "xml" for a page that declares itself XML), as
    ``parsel.Selector(text=html)`` makes them: same libxml2 options, same clean-up."""
    if _XML_DECLARATION.match(html):
        selector = Selector(text=html)  # parsel's own XML handling, unchanged
        return selector.root, selector.type
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    parser.set_element_class_lookup(_LOOKUP)
    text = html.strip()
    data = _CONTROLS.sub("", text).encode("utf-8") or b"<html/>"
    root = etree.fromstring(data, parser=parser)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser)
    return root, "html"


@lru_cache(maxsize=4096)
def css_query(css: str, kind: str = "html") -> etree.XPath:
    """A CSS selector list compiled to XPath, translated as parsel translates it.

    A list of compound selectors (no combinator: ``h1.entry-title, [hidden], .share``) becomes
    one test per element in a single walk; libxml2 walks the tree once per part of a union."""
    translator = _TRANSLATORS[kind]
    selectors = cssselect.parse(css)
    if len(selectors) > 1 and all(_is_compound(s) for s in selectors):
        tests = [_element_test(translator.xpath(s.parsed_tree)) for s in selectors]
        return etree.XPath(f"descendant-or-self::*[{' or '.join(tests)}]", smart_strings=False)
    return etree.XPath(translator.css_to_xpath(css), smart_strings=False)


def _is_compound(selector) -> bool:
    return selector.pseudo_element is None and not isinstance(
        selector.parsed_tree, cssselect.parser.CombinedSelector
    )


def _element_test(expression) -> str:
    """One compound selector's XPath (``descendant-or-self::h1[...]``) as a test of the element."""
    tests = [f"self::{expression.element}"] if expression.element != "*" else []
    tests += [f"({expression.condition})"] if expression.condition else []
    return f"({' and '.join(tests)})" if tests else "true()"


@lru_cache(maxsize=256)
def xpath_query(xpath: str) -> etree.XPath:
    return etree.XPath(xpath, smart_strings=False)


def select(scope, css: str, kind: str = "html") -> list:
    """Elements matching ``css`` in ``scope`` (itself included), in document order."""
    return css_query(css, kind)(scope)


def texts(element) -> list[str]:
    """The text nodes under ``element`` (comments excluded), in document order."""
    return _TEXTS(element)
