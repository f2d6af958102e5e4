"""The lsr profile still extracts each page stored in its fixtures."""

from pathlib import Path

from crawler.fixtures import assert_fixtures_pass


def test_lsr_fixtures() -> None:
    assert_fixtures_pass("lsr", root=Path(__file__).resolve().parents[2])
