"""Lao text helpers: the one place that knows how Lao text is normalized, counted and detected.

Lao is written without spaces between words, its vowel signs are combining marks that
``str.isalnum()`` rejects, and web pages carry it in several byte-different but visually equal
forms. Every other module goes through these functions so that the corpus holds one form only.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata

import regex

LAO_BLOCK = "\u0e80-\u0eff"

# Characters that render as nothing and split words for search and hashing.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH_RE = regex.compile(f"[{ZERO_WIDTH}]")

# Above-base marks that must precede a tone mark: MAI KAN, I, II, Y, YY, MAI KON, NIGGAHITA,
# and the subscript LO. NFC does not reorder them because their combining class is 0.
_ABOVE = "\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0ebb\u0ecd\u0ebc"
_TONES = "\u0ec8\u0ec9\u0eca\u0ecb"
_TONE_BEFORE_VOWEL_RE = regex.compile(f"([{_TONES}]+)([{_ABOVE}]+)")
# NIGGAHITA + (tone) + AA is the decomposed AM vowel; the tone belongs before the AM.
_DECOMPOSED_AM_RE = regex.compile(f"\u0ecd([{_TONES}]?)\u0eb2")

_HSPACE_RE = regex.compile(r"[^\S\n]+")  # any whitespace but newline, NBSP included
_BLANK_LINES_RE = regex.compile(r"\n{3,}")
_LAO_LETTER_RE = regex.compile(f"[{LAO_BLOCK}]")
_LETTER_RE = regex.compile(r"\p{L}")
_WORD_CHAR_RE = regex.compile(r"[\p{L}\p{M}\p{N}]")


def normalize(text: str) -> str:
    """Bring Lao text to the one canonical form the corpus stores.

    NFC (never NFKC, which would split AM into two characters), zero-width characters removed,
    AM recomposed, tone marks after their vowels, NBSP and other blanks turned into single
    spaces. Paragraph breaks (blank lines) survive; each line is stripped.
    """
    if not text:
        return ""
    text = _ZERO_WIDTH_RE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _DECOMPOSED_AM_RE.sub("\\1\u0eb3", text)
    text = _TONE_BEFORE_VOWEL_RE.sub("\\2\\1", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_HSPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    text = "\n".join(lines)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def normalize_inline(text: str) -> str:
    """Normalize a one-line field (title, author, category): newlines become spaces."""
    return normalize(" ".join(text.split("\n"))) if text else ""


def content_hash(text: str) -> str:
    """SHA-256 of the normalized text: equal for exact reposts, whatever markup they came in."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


@functools.cache
def _tokenizer():  # pragma: no cover - import cost only
    from laonlp.tokenize import word_tokenize

    return word_tokenize


def words(text: str) -> list[str]:
    """Dictionary-based Lao word segmentation (laonlp); Latin words and numbers pass through.

    Whitespace and punctuation tokens are dropped, so the list holds only words.
    """
    if not text:
        return []
    tokens = _tokenizer()(text)
    return [token for token in tokens if _WORD_CHAR_RE.search(token)]


def word_count(text: str) -> int:
    return len(words(text))


def detect_language(text: str) -> str:
    """ISO 639-1 code by script: 'lo' when most letters are Lao, 'en' for Latin, else 'und'."""
    letters = _LETTER_RE.findall(text)
    if not letters:
        return "und"
    lao = sum(1 for ch in letters if "\u0e80" <= ch <= "\u0eff")
    if lao / len(letters) >= 0.5:
        return "lo"
    latin = sum(1 for ch in letters if ch.isascii())
    return "en" if latin / len(letters) >= 0.5 else "und"
