"""The corpus card's charts, and the Lao font their labels need.

Drawn with matplotlib's Agg canvas (no GUI, no global pyplot state). Category names are Lao, so
their labels use a Lao font (Debian's ``fonts-lao``: Phetsarath OT, or Noto Sans Lao) with
DejaVu Sans behind it for whatever it lacks; matplotlib >= 3.11 shapes text with libraqm
(HarfBuzz), which stacks Lao tone marks above vowel signs instead of overprinting them. What a
reader would see wrong (no Lao font, a glyph drawn as a box, no text shaping) is a
:class:`ChartWarning`, which ``laocorpus card`` prints; a chart with no data is not drawn at
all (the card says so) rather than drawn with a meaningless axis.
"""

from __future__ import annotations

import functools
import math
import re
import statistics
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from publish.safefile import replacing

# The letters, vowel signs and tone marks of everyday Lao: a font without all of them is not
# a Lao font, whatever its name says.
LAO_PROBE = "ກຂຄງຈຊຍດຕຖທນບປຜຝພຟມຢຣລວສຫອຮຯະັາຳິີຶືຸູົຼຽເແໂໃໄໆ່້໊໋໌ໍໜໝ໐໑໒໓໔໕໖໗໘໙"
# Dedicated Lao fonts, best first; any other font covering LAO_PROBE comes after them.
PREFERRED_LAO_FONTS = (
    "Phetsarath OT",
    "Noto Sans Lao",
    "Noto Sans Lao UI",
    "Noto Serif Lao",
    "Saysettha OT",
    "Lao Sangam MN",
)
LATIN_FONT = "DejaVu Sans"  # matplotlib's own: always there, and the fallback of every label
# Pan-Unicode fonts whose Lao is a fallback, not a Lao font: DejaVu, and the box-drawing font.
NOT_LAO_FONTS = ("DejaVu", "Last Resort")
TOP_CATEGORIES = 20
MAX_BINS = 50


class ChartWarning(UserWarning):
    """Something a reader of a chart would see wrong: no Lao font, boxes, unshaped Lao."""


@dataclass(frozen=True)
class LaoFont:
    name: str  # the family name matplotlib knows it by
    path: str


def missing_glyphs(path: str, text: str) -> list[str]:
    """The characters of ``text`` (spaces aside) that the font file at ``path`` has no glyph
    for, read from its cmap with fontTools."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True, fontNumber=0)
    try:
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


@functools.cache
def lao_font() -> LaoFont | None:
    """The best installed font that covers Lao, or None.

    Fonts installed after matplotlib cached its font list (``apt-get install fonts-lao``) are
    not in that list; system fonts it does not know are checked and added here. matplotlib's
    bundled fonts are skipped: none is a Lao font (DejaVu Sans's Lao is the fallback).
    """
    import matplotlib
    from matplotlib import font_manager

    manager = font_manager.fontManager
    bundled = str(Path(matplotlib.get_data_path()).resolve())
    known = {entry.fname for entry in manager.ttflist}
    for path in font_manager.findSystemFonts():
        if path in known or path.lower().endswith((".afm", ".pfb")):
            continue
        try:
            if not missing_glyphs(path, LAO_PROBE):
                manager.addfont(path)
        except Exception:  # an unreadable or exotic font file is simply not a candidate
            continue
    candidates: dict[str, str] = {}
    for entry in sorted(manager.ttflist, key=lambda e: (e.style != "normal", e.weight != 400)):
        if (
            entry.name in candidates
            or entry.name.startswith(NOT_LAO_FONTS)
            or str(Path(entry.fname).resolve()).startswith(bundled)
        ):
            continue
        try:
            if not missing_glyphs(entry.fname, LAO_PROBE):
                candidates[entry.name] = entry.fname
        except Exception:
            continue
    if not candidates:
        return None
    rank = {name: i for i, name in enumerate(PREFERRED_LAO_FONTS)}
    name = min(candidates, key=lambda n: (rank.get(n, len(rank)), n))
    return LaoFont(name, candidates[name])


def label_fonts() -> list[str]:
    """The font family list for text from the sites: the Lao font, then DejaVu Sans."""
    from matplotlib import ft2font

    if not getattr(ft2font, "__libraqm_version__", None):
        warnings.warn(
            "this matplotlib does not shape text (libraqm came with 3.11): "
            "Lao tone marks may overprint vowel signs",
            ChartWarning,
            stacklevel=2,
        )
    font = lao_font()
    if font is None:
        warnings.warn(
            f"no Lao font (install fonts-lao: make fonts); using {LATIN_FONT}",
            ChartWarning,
            stacklevel=2,
        )
        return [LATIN_FONT]
    return [font.name, LATIN_FONT]


def histogram_bins(values: Sequence[float]) -> int:
    """Bins for a histogram of ``values``: numpy's 'auto' rule (the finer of Sturges and
    Freedman-Diaconis), at most sqrt(n) and at most 50, so a small corpus gets a few full bins
    rather than 50 mostly empty ones; 0 for no values, 1 when they are all equal."""
    import numpy

    if not values:
        return 0
    if min(values) == max(values):
        return 1
    auto = len(numpy.histogram_bin_edges(numpy.asarray(values), bins="auto")) - 1
    return max(1, min(auto, math.isqrt(len(values)), MAX_BINS))


# -- the charts (each returns None, drawing nothing, when it has no data) -----------------------


def months_chart(by_month: list[tuple[str, int]], path: Path) -> Path | None:
    """Bars of posts per month (Vientiane time), empty months included."""
    if not by_month:
        return None
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    months = _every_month(by_month)
    counts = dict(by_month)
    figure = Figure(figsize=(10, 3.6), dpi=100, layout="constrained")
    axes = figure.subplots()
    axes.bar(range(len(months)), [counts.get(m, 0) for m in months], width=0.9, color="#3b6ea5")
    ticks = [i for i, m in enumerate(months) if m.endswith("-01")] or list(range(len(months)))
    axes.set_xticks(ticks, [months[i][:4] for i in ticks] if len(months) > 12 else months)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.set_ylabel("posts")
    axes.set_title("Posts per month (Vientiane time)")
    axes.grid(axis="y", alpha=0.3)
    return _save(figure, path)


def words_chart(words: list[int], path: Path) -> Path | None:
    """Histogram of words per post (:func:`histogram_bins`), with the median marked."""
    if not words:
        return None
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7, 3.6), dpi=100, layout="constrained")
    axes = figure.subplots()
    axes.hist(words, bins=histogram_bins(words), color="#5a9367", edgecolor="white")
    median = statistics.median(words)
    axes.axvline(median, color="#333333", linestyle="--", linewidth=1)
    axes.annotate(f"median {median:g}", (median, 0), xytext=(4, 4), textcoords="offset points")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("words per post (ICU Lao word segmentation)")
    axes.set_ylabel("posts")
    axes.set_title(f"Words per post ({len(words)} posts)")
    axes.grid(axis="y", alpha=0.3)
    return _save(figure, path)


def categories_chart(by_category: list[tuple[str, int]], path: Path) -> Path | None:
    """Horizontal bars of the most used categories, largest on top, Lao names as labels."""
    if not by_category:
        return None
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    shown = by_category[:TOP_CATEGORIES]
    fonts = label_fonts()
    figure = Figure(figsize=(8, max(3.0, 1.2 + 0.36 * len(shown))), dpi=100, layout="constrained")
    axes = figure.subplots()
    positions = range(len(shown))
    bars = axes.barh(positions, [count for _, count in shown], color="#a5673b")
    labels = [" ".join(name.split()) for name, _ in shown]
    # Site text is never mathtext: a category "$x$" is shown as typed.
    axes.set_yticks(positions, labels, fontsize=12, parse_math=False)
    for label, tick in zip(labels, axes.get_yticklabels(), strict=True):
        # The Lao font draws a label with Lao in it whole (its Latin too: one font per run
        # keeps the marks on their letters); a label without Lao stays in DejaVu Sans.
        tick.set_fontfamily(fonts if _LAO.search(label) else [LATIN_FONT])
    axes.bar_label(bars, padding=3)
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.08)
    axes.set_xlabel("posts (a post can be in several categories)")
    more = f", top {len(shown)} of {len(by_category)}" if len(by_category) > len(shown) else ""
    axes.set_title(f"Posts by category{more}")
    axes.grid(axis="x", alpha=0.3)
    return _save(figure, path, fonts)


def _every_month(months: list[tuple[str, int]]) -> list[str]:
    year, month = map(int, months[0][0].split("-"))
    last = months[-1][0]
    out = []
    while True:
        label = f"{year:04d}-{month:02d}"
        out.append(label)
        if label >= last:
            return out
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


_LAO = re.compile("[\u0e80-\u0eff]")
_MISSING = re.compile(r"Glyph (\d+) .*missing from font")


def _save(figure, path: Path, fonts: Sequence[str] = (LATIN_FONT,)) -> Path:
    """Write the PNG; glyphs matplotlib found in no font become one :class:`ChartWarning`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with replacing(path, "wb") as output:
            figure.savefig(output, format="png")
    missing: set[int] = set()
    for warning in caught:
        found = _MISSING.search(str(warning.message))
        if found:
            missing.add(int(found.group(1)))
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if missing:
        listed = ", ".join(f"U+{code:04X}" for code in sorted(missing))
        warnings.warn(
            f"{path.name}: {listed} in no font of {', '.join(fonts)}: drawn as boxes",
            ChartWarning,
            stacklevel=2,
        )
    return path
