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
from collections import Counter

import regex

LAO_BLOCK = "\u0e80-\u0eff"

# Patterns of explicit characters only use the standard library's re, whose calls cost half
# of regex's on the short strings normalize() mostly sees (a paragraph, a title); regex stays
# for Unicode properties and its own \s.
# Characters that render as nothing and split words for search and hashing.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")

# Above-base marks that must precede a tone mark: MAI KAN, I, II, Y, YY, MAI KON, NIGGAHITA,
# and the subscript LO. NFC does not reorder them because their combining class is 0.
_ABOVE = "\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0ebb\u0ecd\u0ebc"
_TONES = "\u0ec8\u0ec9\u0eca\u0ecb"
_TONE_BEFORE_VOWEL_RE = re.compile(f"([{_TONES}]+)([{_ABOVE}]+)")
# NIGGAHITA + (tone) + AA is the decomposed AM vowel; the tone belongs before the AM.
_DECOMPOSED_AM_RE = re.compile(f"\u0ecd([{_TONES}]?)\u0eb2")
# Two SARA E typed for SARA AE (they look alike in most fonts): ເເກ່ນ for ແກ່ນ.
_DOUBLE_E_RE = re.compile("\u0ec0\u0ec0")
# A tone typed after NYO (ກຽ່ວ): it belongs on the consonant before it (ກ່ຽວ).
_TONE_AFTER_NYO_RE = re.compile(f"\u0ebd([{_TONES}]+)")
# Marks and vowels that never occur twice in a row: a second keystroke on a keyboard that does
# not refuse it (ທີ່່, ກາາ). Vowel signs above and below, LO, tones, cancellation mark,
# NIGGAHITA, the following vowels ະ າ ຳ ຽ and the leading vowels but ເ (ເເ is ແ, above).
_NO_REPEAT = "\u0eb0-\u0eb9\u0ebb\u0ebc\u0ebd\u0ec1-\u0ec4\u0ec8-\u0ecd"
_REPEATED_RE = re.compile(f"([{_NO_REPEAT}])\\1+")
# Thai code points typed on a Lao page (a Thai keyboard layout, or a Thai font's AM): each
# has a Lao twin 0x80 higher. Only taken as Lao where a Lao letter shows what was meant:
# Thai following vowels, vowel signs and tone marks right after Lao; Thai leading vowels
# right before a Lao consonant. A Thai word next to Lao text is left alone.
_LAO_BEFORE = "\u0e81-\u0ecd\u0edc-\u0edf"
_THAI_AFTER_LAO_RE = re.compile(f"(?<=[{_LAO_BEFORE}])[\u0e30-\u0e3a\u0e48-\u0e4d]+")
_THAI_BEFORE_LAO_RE = re.compile("[\u0e40-\u0e44]+(?=[\u0e81-\u0eae\u0edc-\u0edf])")
_THAI_MARK_RE = re.compile("[\u0e30-\u0e4d]")
_THAI_TO_LAO = {
    code: code + 0x80
    for code in (*range(0x0E30, 0x0E3B), *range(0x0E40, 0x0E45), *range(0x0E48, 0x0E4E))
}

# Any place where one of the mark rules below applies. Checked with the standard library's re
# (explicit Lao ranges only, no \w): it scans clean text about ten times faster than regex;
# one pattern, so a short string costs one call.
_NEEDS_FIX = re.compile(
    f"[{_TONES}][{_ABOVE}]|\u0ec0\u0ec0|\u0ebd[{_TONES}]|\u0ecd[{_TONES}]*\u0eb2"
    f"|([{_NO_REPEAT}])\\1"
)

_HSPACE_RE = regex.compile(r"[^\S\n]+")  # any whitespace but newline, NBSP included
# Where the pass over lines in normalize() changes something: a blank that is not a space (the
# standard library's \s is str.isspace(), which holds regex's \s and all that strip() strips),
# two spaces in a row, a space that begins or ends a line. Text without any is left as it is.
_UNEVEN_SPACING = re.compile(r"[^\S \n]|  |^ | $", re.MULTILINE)
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_NON_LETTERS_RE = regex.compile(r"\P{L}+")
_NON_LAO_LETTERS_RE = regex.compile(r"(?V1)[^\p{Script=Lao}&&\p{L}]+")
_NON_LATIN_RE = regex.compile(r"\P{Script=Latin}+")

# Bump when normalize() or fold() change what they return: stored hashes (``laocorpus
# rehash``) and search indexes built with an older version are stale.
NORMALIZATION_VERSION = 2


def normalize(text: str) -> str:
    """Bring Lao text to the one canonical form the corpus stores.

    NFC (never NFKC, which would split AM into two characters), zero-width characters removed,
    Thai vowel and tone code points next to Lao letters made Lao, AM recomposed, ເເ made ແ,
    tone marks after their vowels and before NYO, doubled marks and vowels single, NBSP and
    other blanks turned into single spaces. Paragraph breaks (blank lines) survive; each line
    is stripped. The writer's spelling (ໜ or ຫນ) is kept: see :func:`fold`.
    """
    if not text or text.isspace():  # blanks only (an HTML block's edge): nothing survives
        return ""
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _thai_marks_to_lao(unicodedata.normalize("NFC", text))
    if _NEEDS_FIX.search(text):  # clean text skips the rules
        text = _lao_marks(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _UNEVEN_SPACING.search(text):  # most text has none: skip the line-by-line pass
        lines = (_HSPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
        text = "\n".join(lines)
    if "\n\n\n" in text:
        text = _BLANK_LINES_RE.sub("\n\n", text)
    return text.strip()


def _thai_marks_to_lao(text: str) -> str:
    if not _THAI_MARK_RE.search(text):  # the common case: one scan, no substitution
        return text
    text = _THAI_BEFORE_LAO_RE.sub(lambda m: m[0].translate(_THAI_TO_LAO), text)
    text = _THAI_AFTER_LAO_RE.sub(lambda m: m[0].translate(_THAI_TO_LAO), text)
    return unicodedata.normalize("NFC", text)  # Lao marks sort in another combining class


def _lao_marks(text: str) -> str:
    """The mark rules, repeated until nothing changes: one fix can expose another (ໍ່່າ
    becomes ໍ່າ, then ່ຳ), and a fixpoint is what makes normalize() idempotent."""
    for _ in range(8):
        fixed = _DOUBLE_E_RE.sub("\u0ec1", text)
        fixed = _DECOMPOSED_AM_RE.sub("\\1\u0eb3", fixed)
        fixed = _TONE_AFTER_NYO_RE.sub("\\1\u0ebd", fixed)
        # NFC again: a tone moved past an above-vowel may now precede a below-vowel (ccc order)
        fixed = unicodedata.normalize("NFC", _tones_after_vowels(fixed))
        fixed = _REPEATED_RE.sub("\\1", fixed)
        if fixed == text:
            return text
        text = fixed
    return text


def _tones_after_vowels(text: str) -> str:
    """Move every tone mark after the above-vowels that follow it (a bubble pass to a fixpoint,
    so runs such as tone-vowel-tone-vowel settle in one call)."""
    while True:
        moved = _TONE_BEFORE_VOWEL_RE.sub("\\2\\1", text)
        if moved == text:
            return text
        text = moved


# -- folding: one key for spellings that are equally right ---------------------------------
#
# ໜ and ຫນ, ໝ and ຫມ, ຫຼ and ຫລ are the same letters (Unicode gives ໜ and ໝ compatibility
# decompositions to ຫນ and ຫມ); web text uses both, often on one page. Lao digits and
# ASCII digits are the same numbers. A space before ໆ carries nothing. Stored text keeps
# what the writer typed; hashes, shingles and search keys use the folded form. The fold goes
# to the ligatures because ICU's Lao dictionary knows those (ສາສະໜາ is one word, ສາສະຫນາ
# four), so segmenting folded text finds the same words whatever the writer typed.
_SPACE_BEFORE_REPEAT_RE = re.compile(" +(?=\u0ec6)")
_LAO_DIGIT_RE = re.compile("[\u0ed0-\u0ed9]")
_LAO_DIGITS = str.maketrans("໐໑໒໓໔໕໖໗໘໙", "0123456789")


def fold(text: str, *, normalized: bool = False) -> str:
    """The comparison key of a text: :func:`normalize`, then one spelling for ໜ/ຫນ, ໝ/ຫມ
    and ຫຼ/ຫລ, ASCII digits for Lao digits, no space before ໆ. For hashing and shingling,
    never for storage (the corpus keeps the writer's spelling).

    ``normalized``: the caller vouches that ``text`` is :func:`normalize`'s output already
    (the clean pipeline's text is), which spares normalizing it twice."""
    if not normalized:
        text = normalize(text)
    if "\u0eab" in text:
        text = text.replace("\u0eab\u0e99", "\u0edc").replace("\u0eab\u0ea1", "\u0edd")
        text = text.replace("\u0eab\u0ea5", "\u0eab\u0ebc")
        if _NEEDS_FIX.search(text):  # ຫລຼ: now a doubled LO
            text = _lao_marks(text)
    if " \u0ec6" in text:
        text = _SPACE_BEFORE_REPEAT_RE.sub("", text)
    return text.translate(_LAO_DIGITS) if _LAO_DIGIT_RE.search(text) else text


def search_key(text: str) -> str:
    """The form a search index stores and a query is looked up in: :func:`fold` and Unicode
    case folding. Apply it to the document before segmenting it with :func:`words` and to
    the query the same way, so ໜ້າ finds ຫນ້າ, ໒໐໑໖ finds 2016 and ASEAN finds Asean."""
    return fold(text).casefold()


def normalize_inline(text: str) -> str:
    """Normalize a one-line field (title, author, category): newlines become spaces."""
    return normalize(" ".join(text.split("\n"))) if text else ""


def content_hash(text: str, *, normalized: bool = False) -> str:
    """SHA-256 of the folded text: equal for exact reposts, whatever markup they came in and
    whichever of the equal spellings (ໜ or ຫນ) they use. ``normalized`` as for :func:`fold`."""
    return hashlib.sha256(fold(text, normalized=normalized).encode("utf-8")).hexdigest()


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
    """``len(words(text))``, counted without making the words: the clean pipeline's share."""
    if not text:
        return 0
    iterator = _break_iterator()
    iterator.setText(text)
    iterator.first()
    count = 0
    for _ in iterator:
        if iterator.getRuleStatus() >= _WORD_NONE_LIMIT:
            count += 1
    return count


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


_CHAR_CLASSES: dict[str, tuple[bool, bool, bool]] = {}


def _char_classes(char: str) -> tuple[bool, bool, bool]:
    """(a letter, a Lao letter, of the Latin script): each character's, found once."""
    found = _CHAR_CLASSES.get(char)
    if found is None:
        if len(_CHAR_CLASSES) > 100_000:  # a page of every code point cannot grow it further
            _CHAR_CLASSES.clear()
        found = _CHAR_CLASSES[char] = (
            _NON_LETTERS_RE.match(char) is None,
            _NON_LAO_LETTERS_RE.match(char) is None,
            _NON_LATIN_RE.match(char) is None,
        )
    return found


def detect_language(text: str, sample: int = 2000) -> str:
    """ISO 639-1 code by script: 'lo' when most letters are Lao, 'en' for Latin, else 'und'.

    The first ``sample`` characters decide. They are counted per distinct character (a post
    has a few dozen), each classified once: three regex passes over the text took 0.11 ms a
    post, 60% more than this.
    """
    letters = lao_letters = latin = 0
    for char, count in Counter(text[:sample]).items():
        letter, lao_letter, latin_char = _char_classes(char)
        if letter:
            letters += count
        if lao_letter:
            lao_letters += count
        if latin_char:
            latin += count
    if not letters:
        return "und"
    if lao_letters * 2 >= letters:
        return "lo"
    return "en" if latin * 2 >= letters else "und"
