"""The "dirty" forms in which the site serves clean text, as real Lao WordPress sites do.

Why: the crawler's cleaner must undo exactly these transformations and nothing else, so they
are listed here in one place and applied deterministically from a per-post RNG:

1. ຳ (U+0EB3) spelled ໍ + າ, sometimes with the preceding tone mark moved between them;
2. a tone mark typed before its above-vowel / U+0ECD / U+0EBC (swapped order);
3. zero-width characters (U+200B, U+200C, U+200D, U+2060, U+FEFF) at random positions;
4. some ASCII spaces as U+00A0 (literal) or ``&nbsp;``;
5. HTML escaping (always & < > "), plus numeric entities for “ ” – and some Lao letters;
6. extra whitespace: newline and indentation around a paragraph, doubled spaces.
"""

from __future__ import annotations

import random

ZERO_WIDTH: tuple[str, ...] = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
TONES = frozenset("\u0ec8\u0ec9\u0eca\u0ecb")
ABOVE = frozenset("\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0ebb\u0ecd\u0ebc")
AM = "\u0eb3"
NIGGAHITA = "\u0ecd"
AA = "\u0eb2"

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_TYPOGRAPHIC = {"“": "&#8220;", "”": "&#8221;", "–": "&#8211;"}


def escape(text: str) -> str:
    """Escape the four characters WordPress always escapes in text and attributes."""
    if not any(c in text for c in _ESCAPES):
        return text
    return "".join(_ESCAPES.get(c, c) for c in text)


def texturize(text: str) -> str:
    """Escape, and write “ ” – as numeric entities (what wptexturize does to titles)."""
    return "".join(_ESCAPES.get(c) or _TYPOGRAPHIC.get(c) or c for c in text)


def mangle_lao(text: str, rng: random.Random, *, rate: float = 1.0, min_zw: int = 1) -> str:
    """Apply transformations 1-3 (Unicode level) to clean text.

    `rate` scales how often each spot is touched; `min_zw` zero-width characters are always
    inserted so that a mangled string never equals its clean form.
    """
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c in TONES and nxt == AM and rng.random() < 0.6 * rate:
            if rng.random() < 0.5:
                out += (c, NIGGAHITA, AA)  # C + tone + ໍ + າ
            else:
                out += (NIGGAHITA, c, AA)  # C + ໍ + tone + າ
            i += 2
            continue
        if c == AM and rng.random() < 0.6 * rate:
            out += (NIGGAHITA, AA)
        elif c in ABOVE and nxt in TONES and rng.random() < 0.5 * rate:
            out += (nxt, c)
            i += 2
            continue
        else:
            out.append(c)
        i += 1
    count = max(min_zw, round(len(out) * 0.01 * rate))
    for _ in range(count):
        out.insert(rng.randint(0, len(out)), rng.choice(ZERO_WIDTH))
    return "".join(out)


def to_html(text: str, rng: random.Random, *, rate: float = 1.0, double_spaces: bool = True) -> str:
    """Apply transformations 4-5 (and doubled spaces from 6) while HTML-escaping `text`."""
    out: list[str] = []
    for c in text:
        esc = _ESCAPES.get(c)
        if esc:
            out.append(esc)
        elif c in _TYPOGRAPHIC:
            out.append(_TYPOGRAPHIC[c] if rng.random() < 0.8 else c)
        elif c == " ":
            r = rng.random()
            if r < 0.08 * rate:
                out.append("\u00a0")
            elif r < 0.16 * rate:
                out.append("&nbsp;")
            elif double_spaces and r < 0.24 * rate:
                out.append("  ")
            else:
                out.append(" ")
        elif "\u0e81" <= c <= "\u0eae" and rng.random() < 0.03 * rate:
            out.append(f"&#{ord(c)};")
        else:
            out.append(c)
    return "".join(out)


def dirty_fragment(text: str, rng: random.Random) -> str:
    """A piece of a dirty paragraph (no surrounding whitespace added): steps 1-5 and doubling."""
    return to_html(mangle_lao(text, rng, min_zw=0), rng)


def pad_paragraph(inner: str, rng: random.Random) -> str:
    """Step 6: newline and indentation around a paragraph's content, some of the time."""
    if rng.random() < 0.5:
        return inner
    return "\n" + "\t" * rng.randint(1, 4) + inner + "\n" + "\t" * rng.randint(0, 3)


def title_html(title: str, rng: random.Random, *, dirty: bool) -> str:
    """A title as served: always escaped and texturized; dirty posts sometimes get 1-4 too."""
    if not dirty or rng.random() < 0.4:
        return texturize(title)
    mangled = mangle_lao(title, rng, rate=0.7, min_zw=1)
    return to_html(mangled, rng, rate=0.7, double_spaces=False)


def xml_safe(html_text: str) -> str:
    """Make escaped HTML text valid XML character data (XML knows no &nbsp;)."""
    return html_text.replace("&nbsp;", "&#160;")
