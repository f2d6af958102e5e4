"""The date parser: the forms Lao news sites print, and no exception on bad input."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dates import _MONTHS, parse_date, parse_gmt, parse_iso

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


LAO_MONTHS = [
    "ມັງກອນ",
    "ກຸມພາ",
    "ມີນາ",
    "ເມສາ",
    "ພຶດສະພາ",
    "ມິຖຸນາ",
    "ກໍລະກົດ",
    "ສິງຫາ",
    "ກັນຍາ",
    "ຕຸລາ",
    "ພະຈິກ",
    "ທັນວາ",
]
LAO_SHORT = [
    "ມ.ກ.",
    "ກ.ພ.",
    "ມ.ນ.",
    "ມ.ສ.",
    "ພ.ພ.",
    "ມິ.ຖ.",
    "ກ.ລ.",
    "ສ.ຫ.",
    "ກ.ຍ.",
    "ຕ.ລ.",
    "ພ.ຈ.",
    "ທ.ວ.",
]


@pytest.mark.parametrize("month", range(1, 13))
def test_every_lao_month_full_and_abbreviated(month: int) -> None:
    expected = datetime(2020, month, 9, tzinfo=VTE)
    assert parse_date(f"ວັນທີ 9 {LAO_MONTHS[month - 1]} 2020") == expected
    assert parse_date(f"{LAO_SHORT[month - 1]} 9, 2020") == expected
    assert parse_date(f"9 {LAO_SHORT[month - 1]} 2563") == expected  # Buddhist Era


# -- property tests: the parser never raises, whatever a page holds ------------------------

date_like = st.lists(
    st.one_of(
        st.sampled_from(sorted(_MONTHS)),
        st.sampled_from(["ວັນທີ", "ທີ", "ພ.ສ.", "st", "th", ",", "/", "-", ":", " ", "pm", "T"]),
        st.integers(min_value=-5, max_value=99999).map(str),
        st.text("໐໑໒໓໔໕໖໗໘໙0123456789", max_size=6),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), date_like))
def test_parse_date_never_raises(text: str) -> None:
    parsed = parse_date(text)
    assert parsed is None or parsed.tzinfo is not None


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.datetimes().map(lambda d: d.isoformat())))
def test_parse_iso_never_raises(text: str) -> None:
    parsed = parse_iso(text)
    assert parsed is None or parsed.tzinfo is not None
