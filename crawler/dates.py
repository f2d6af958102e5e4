"""One date parser for every source: machine-readable timestamps and the visible Lao/English lines.

It never raises: bad input gives ``None`` and a debug log line with the reason, because a date
that cannot be read must turn into a reject with a reason, not into a crashed callback.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, tzinfo
from zoneinfo import ZoneInfo

import regex

logger = logging.getLogger(__name__)

VIENTIANE = ZoneInfo("Asia/Vientiane")
BUDDHIST_ERA_OFFSET = 543

_LAO_DIGITS = str.maketrans("໐໑໒໓໔໕໖໗໘໙", "0123456789")

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("jan", "january", "ມັງກອນ", "ມ.ກ"),
        ("feb", "february", "ກຸມພາ", "ກ.ພ"),
        ("mar", "march", "ມີນາ", "ມ.ນ"),
        ("apr", "april", "ເມສາ", "ມ.ສ"),
        ("may", "ພຶດສະພາ", "ພ.ພ"),
        ("jun", "june", "ມິຖຸນາ", "ມິ.ຖ"),
        ("jul", "july", "ກໍລະກົດ", "ກ.ລ"),
        ("aug", "august", "ສິງຫາ", "ສ.ຫ"),
        ("sep", "sept", "september", "ກັນຍາ", "ກ.ຍ"),
        ("oct", "october", "ຕຸລາ", "ຕ.ລ"),
        ("nov", "november", "ພະຈິກ", "ພ.ຈ"),
        ("dec", "december", "ທັນວາ", "ທ.ວ"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

_MONTH_ALT = "|".join(sorted((regex.escape(m) for m in _MONTHS), key=len, reverse=True))
_TIME = (
    r"(?:[ ,T]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?)?"
)
_PREFIX = r"(?:ວັນທີ|ທີ)?\s*"

# "25th Nov2016", "ວັນທີ 24 ພະຈິກ 2016", "24 ພ.ຈ. 2559"
_DAY_MONTH_YEAR = regex.compile(
    _PREFIX
    + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?\s*(?P<month>"
    + _MONTH_ALT
    + r")\.?,?\s*(?:ພ\.ສ\.?\s*)?(?P<year>\d{4})"
    + _TIME,
    regex.IGNORECASE,
)
# "Nov 25, 2016", "ພ.ຈ. 26, 2020"
_MONTH_DAY_YEAR = regex.compile(
    r"(?P<month>" + _MONTH_ALT + r")\.?\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s*"
    r"(?:ພ\.ສ\.?\s*)?(?P<year>\d{4})" + _TIME,
    regex.IGNORECASE,
)
# "25/11/2016", "25-11-2559 14:30" (day first, as written in Laos)
_NUMERIC = regex.compile(
    _PREFIX + r"(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-](?P<year>\d{4})" + _TIME
)


def _year(value: int, text: str) -> int:
    """Buddhist-Era years (marked ພ.ສ. or simply above 2400) are 543 years ahead."""
    if "ພ.ສ" in text or value > 2400:
        return value - BUDDHIST_ERA_OFFSET
    return value


def parse_iso(value: str | None, tz: tzinfo = VIENTIANE) -> datetime | None:
    """Parse a machine-readable timestamp (``<time datetime>``, meta, JSON-LD, REST)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        logger.debug("not an ISO 8601 timestamp: %r", value)
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def parse_gmt(value: str | None) -> datetime | None:
    """REST's ``date_gmt`` carries no offset but is UTC."""
    return parse_iso(value, tz=ZoneInfo("UTC"))


def parse_date(value: str | None, tz: tzinfo = VIENTIANE) -> datetime | None:
    """Parse a visible date line in English or Lao; local midnight when no time is shown."""
    if not value or not isinstance(value, str):
        return None
    text = " ".join(value.translate(_LAO_DIGITS).split())
    iso = parse_iso(text, tz) if regex.match(r"\d{4}-\d{2}-\d{2}", text) else None
    if iso is not None:
        return iso
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC):
        match = pattern.search(text)
        if match is None:
            continue
        month_text = match["month"]
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
        try:
            day = datetime(_year(int(match["year"]), text), month or 0, int(match["day"]))
            clock = _clock(match)
        except (TypeError, ValueError) as exc:
            logger.debug("impossible date in %r: %s", value, exc)
            return None
        return datetime.combine(day.date(), clock, tzinfo=tz)
    logger.debug("no date found in %r", value)
    return None


def _clock(match: regex.Match) -> time:
    if not match["hour"]:
        return time(0, 0)
    hour = int(match["hour"])
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return time(hour, int(match["minute"]), int(match["second"] or 0))
