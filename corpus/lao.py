"""Lao text helpers: the one place that knows how Lao text is normalized, counted and detected.

Lao is written without spaces between words, its vowel signs are combining marks that
``str.isalnum()`` rejects, and web pages carry it in several byte-different but visually equal
forms. Every other module goes through these functions so that the corpus holds one form only.
"""

from __future__ import annotations

import hashlib
import re
import threading
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
_NON_LETTERS_RE = regex.compile(r"\P{L}+")
_NON_LAO_LETTERS_RE = regex.compile(r"(?V1)[^\p{Script=Lao}&&\p{L}]+")
_NON_LATIN_RE = regex.compile(r"\P{Script=Latin}+")


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
    # NFC again: a tone moved past an above-vowel may now precede a below-vowel (ccc order).
    text = unicodedata.normalize("NFC", _tones_after_vowels(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_HSPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    text = "\n".join(lines)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def _tones_after_vowels(text: str) -> str:
    """Move every tone mark after the above-vowels that follow it (a bubble pass to a fixpoint,
    so runs such as tone-vowel-tone-vowel settle in one call)."""
    while True:
        moved = _TONE_BEFORE_VOWEL_RE.sub("\\2\\1", text)
        if moved == text:
            return text
        text = moved


def normalize_inline(text: str) -> str:
    """Normalize a one-line field (title, author, category): newlines become spaces."""
    return normalize(" ".join(text.split("\n"))) if text else ""


def content_hash(text: str) -> str:
    """SHA-256 of the normalized text: equal for exact reposts, whatever markup they came in."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


_WORD_NONE_LIMIT = 100  # ICU rule status below this: spaces and punctuation, not words
_local = threading.local()


def _break_iterator():
    """ICU's dictionary-based Lao word breaker, one per thread (iterators are not shared)."""
    iterator = getattr(_local, "words", None)
    if iterator is None:
        import icu

        iterator = _local.words = icu.BreakIterator.createWordInstance(icu.Locale("lo"))
    return iterator


def words(text: str) -> list[str]:
    """Lao word segmentation with ICU's Lao dictionary; Latin words and numbers pass through.

    Whitespace and punctuation are dropped, so the list holds only words. ICU was chosen over
    laonlp for speed (about 20x faster on this corpus, see README) at comparable quality.
    """
    if not text:
        return []
    iterator = _break_iterator()
    iterator.setText(text)
    found: list[str] = []
    start = iterator.first()
    for end in iterator:
        if iterator.getRuleStatus() >= _WORD_NONE_LIMIT:
            found.append(text[start:end])
        start = end
    return found


def word_count(text: str) -> int:
    return len(words(text))


# -- syllables ---------------------------------------------------------------------------------
#
# A Lao syllable is (leading vowel) initial (ຼ or a w/r cluster) (vowel signs) (tone) (following
# vowel) (final consonant). Written Lao marks no syllable boundary, so the one real choice is
# whether a consonant after a vowel closes this syllable or opens the next: it opens the next
# when a vowel sign, tone mark or following vowel comes after it, or when it is followed by
# ອ + final (ສອງ, ກອນ). Syllables after ະ, ຳ, ເ◌ົາ, ເ◌າະ or ໃ/ໄ take no final. The pattern is
# spelled out over U+0E80-U+0EFF: Python's \w and str.isalnum() reject Lao vowel signs.
_CONS = "\u0e81-\u0eae\u0edc-\u0edf"  # consonants, ໜ ໝ and the Pali letters
_ABOVE = "\u0eb1\u0eb4-\u0eb9\u0eba\u0ebb\u0ecd"  # vowel signs above and below
_TONE = "\u0ec8-\u0ecb"
_NEEDS_BASE = _ABOVE + _TONE + "\u0eb0\u0eb2\u0eb3\u0ebd\u0ebc\u0ecc"  # marks after an initial
_FINALS = "\u0e81-\u0eaa\u0eac\u0eaf\u0edc-\u0edf"  # consonants but ຫ ອ ຮ, never finals
_INITIAL = (
    f"(?:\u0eab[\u0e87\u0e8d\u0e99\u0ea1\u0ea5\u0ea7\u0ea3](?=[{_NEEDS_BASE}\u0ead\u0ea7\u0e8d])"
    f"|[{_CONS}])\u0ebc?"
)  # ຫ + sonorant (ຫງ ຫຍ ຫນ ຫມ ຫລ ຫວ ຫຣ) is one initial
_HEAD = (
    f"(?:[\u0ec0-\u0ec2]{_INITIAL}"  # ເ ແ ໂ + initial
    f"|{_INITIAL}(?:[\u0ea7\u0ea3](?=[{_TONE}]?[\u0eb1\u0eb2]))?)"  # or a cluster: ຄວາມ, ຂວັນ
)
_FINAL = f"[{_FINALS}](?![{_NEEDS_BASE}\u0ea3]|\u0ead[{_FINALS}](?![{_NEEDS_BASE}]))\u0ecc?"
_SYLLABLE = "|".join(
    (
        f"[\u0ec3\u0ec4]{_INITIAL}[{_ABOVE}]?[{_TONE}]?",  # ໃນ ໄດ້
        # open syllables that end in ເ◌ົາ, ເ◌າະ, ◌ະ or ◌ຳ: ເຈົ້າ ເຄາະ ແລະ ນ້ຳ
        f"{_HEAD}(?:\u0ebb[{_TONE}]?\u0eb2|[{_TONE}]?\u0eb2\u0eb0|[{_ABOVE}]{{0,2}}[{_TONE}]?[\u0eb0\u0eb3])",
        f"{_HEAD}\u0eb7[{_TONE}]?\u0ead(?![{_NEEDS_BASE}])(?:{_FINAL})?",  # ◌ືອ: ເມືອງ ເພື່ອ
        f"{_HEAD}\u0ebb[{_TONE}]?\u0ea7(?![{_NEEDS_BASE}])",  # ◌ົວ: ຕົວ ຫົວ
        # ◌ອ and closed ◌ວ: ຂອງ ຕ້ອງ ອອກ ຄວນ ສ່ວນ
        f"{_INITIAL}[{_TONE}]?(?:\u0ead(?![{_NEEDS_BASE}])(?:{_FINAL})?"
        f"|\u0ea7(?![{_NEEDS_BASE}]){_FINAL})",
        f"{_HEAD}(?:[{_ABOVE}]{{1,2}}[{_TONE}]?|[{_TONE}])[\u0eb2\u0ebd]?(?:{_FINAL})?",  # ກັບ ທີ່
        f"{_HEAD}[\u0eb2\u0ebd](?:{_FINAL})?",  # ການ ຊຽງ
        f"[\u0ec0-\u0ec2]{_INITIAL}(?:\u0ea7(?={_FINAL}))?(?:{_FINAL})?",  # ເທດ ໂດຍ ແຂວງ
        _INITIAL,  # a lone consonant, as in abbreviations: ສ ປ ປ
    )
)
# Lao syllables, Lao digit runs, and runs of letters/digits of other scripts (not Lao).
_SYLLABLE_RE = re.compile(f"{_SYLLABLE}|[\u0ed0-\u0ed9]+|[^\\W\u0e80-\u0eff]+")


def syllables(text: str) -> list[str]:
    """Lao syllables; Latin words and numbers pass through whole; punctuation and ໆ are dropped.

    Rule-based and dictionary-free, so a small edit changes only the syllables it touches:
    the unit of near-duplicate shingles. About 20 MB/s, see README.
    """
    return _SYLLABLE_RE.findall(text) if text else []


def detect_language(text: str, sample: int = 2000) -> str:
    """ISO 639-1 code by script: 'lo' when most letters are Lao, 'en' for Latin, else 'und'.

    The first ``sample`` characters decide; counting by deletion avoids a string per letter.
    """
    text = text[:sample]
    letters = len(_NON_LETTERS_RE.sub("", text))
    if not letters:
        return "und"
    if len(_NON_LAO_LETTERS_RE.sub("", text)) * 2 >= letters:
        return "lo"
    return "en" if len(_NON_LATIN_RE.sub("", text)) * 2 >= letters else "und"
