"""The sample_newsbox profile still extracts each page stored in its fixtures."""

from pathlib import Path

from crawler.fixtures import assert_fixtures_pass


def test_sample_newsbox_fixtures() -> None:
    assert_fixtures_pass("sample_newsbox", root=Path(__file__).resolve().parents[2])
