"""The date parser: the forms Lao news sites print, and no exception on bad input."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.dates import parse_date, parse_gmt, parse_iso

VTE = ZoneInfo("Asia/Vientiane")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25th Nov2016", datetime(2016, 11, 25, tzinfo=VTE)),
        ("1st Jan2015", datetime(2015, 1, 1, tzinfo=VTE)),
        ("2nd Feb2016", datetime(2016, 2, 2, tzinfo=VTE)),
        ("3rd Mar2017", datetime(2017, 3, 3, tzinfo=VTE)),
        ("22nd Dec 2018", datetime(2018, 12, 22, tzinfo=VTE)),
        ("November 25, 2016", datetime(2016, 11, 25, tzinfo=VTE)),
        ("ວັນທີ 24 ພະຈິກ 2016", datetime(2016, 11, 24, tzinfo=VTE)),
        ("ພ.ຈ. 26, 2020", datetime(2020, 11, 26, tzinfo=VTE)),
        ("ທີ ໒໔ ມັງກອນ ໒໐໑໖", datetime(2016, 1, 24, tzinfo=VTE)),
        ("24 ພະຈິກ 2559", datetime(2016, 11, 24, tzinfo=VTE)),  # Buddhist Era
        ("24 ພະຈິກ ພ.ສ. 2559", datetime(2016, 11, 24, tzinfo=VTE)),
        ("25/11/2016 14:30", datetime(2016, 11, 25, 14, 30, tzinfo=VTE)),
        ("25th Nov2016 9:05 pm", datetime(2016, 11, 25, 21, 5, tzinfo=VTE)),
    ],
)
def test_visible_dates(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_iso_with_and_without_offset() -> None:
    assert parse_iso("2016-11-25T09:30:00+07:00") == datetime(2016, 11, 25, 2, 30, tzinfo=UTC)
    assert parse_iso("2016-11-25T09:30:00") == datetime(2016, 11, 25, 9, 30, tzinfo=VTE)
    assert parse_gmt("2016-11-25T02:30:00") == datetime(2016, 11, 25, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "",
        "Comments are closed.",
        "31st Feb2016",
        "by somchan",
        "99/99/2016",
        "2016-13-45T00:00",
        42,
    ],
)
def test_bad_input_gives_none(bad) -> None:
    assert parse_date(bad) is None
    assert parse_iso(bad) is None
