"""The project's settings are the safe, polite ones the README promises."""

import os
import subprocess
import sys

import pytest
from scrapy.utils.project import get_project_settings

from corpus.db import mask_url, resolve_url
from crawler.settings_check import SettingsError, check_settings
from tests.corpus_check import REPO


def project_settings():
    os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    return get_project_settings()


def test_polite_and_closed_by_default() -> None:
    settings = project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.get("FEED_EXPORT_ENCODING") == "utf-8"
    assert "LaoNewsCorpus" in settings.get("USER_AGENT")


def test_pipelines_run_in_the_documented_order() -> None:
    pipelines = project_settings().getdict("ITEM_PIPELINES")
    assert sorted(pipelines, key=pipelines.get) == [
        "pipelines.clean.CleanPipeline",
        "pipelines.validate.ValidatePipeline",
        "pipelines.dedup.DedupPipeline",
        "pipelines.store.StorePipeline",
    ]


def test_database_url_resolution(monkeypatch) -> None:
    monkeypatch.delenv("CORPUS_DATABASE_URL", raising=False)
    assert resolve_url(None) == "sqlite:///data/corpus.sqlite"
    monkeypatch.setenv("CORPUS_DATABASE_URL", "sqlite:///from-env.sqlite")
    assert resolve_url(None) == "sqlite:///from-env.sqlite"
    assert resolve_url("sqlite:///explicit.sqlite") == "sqlite:///explicit.sqlite"


def test_mask_url_hides_passwords() -> None:
    assert mask_url("postgresql+psycopg://bob:s3cret@db:5432/corpus") == (
        "postgresql+psycopg://bob:***@db:5432/corpus"
    )
    assert mask_url("sqlite:///data/corpus.sqlite") == "sqlite:///data/corpus.sqlite"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CORPUS_BATCH_SIZE", 0, "setting CORPUS_BATCH_SIZE must be between 1 and 100000, got 0"),
        ("CORPUS_BATCH_SIZE", "abc", "setting CORPUS_BATCH_SIZE must be a number, got 'abc'"),
        ("CORPUS_BATCH_SIZE", "2.5", "must be a whole number"),
        ("CORPUS_MONITOR_FIELD_COVERAGE", "1.5", "must be between 0 and 1"),
        ("DOWNLOAD_TIMEOUT", "-1", "must be between 0.1 and 3600"),
    ],
)
def test_bad_settings_are_one_clear_line(name, value, message) -> None:
    settings = project_settings()
    settings.set(name, value, priority="cmdline")
    with pytest.raises(SettingsError) as error:
        check_settings(settings)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_project_settings_are_valid() -> None:
    check_settings(project_settings())


def test_a_crawl_with_a_bad_setting_stops_before_any_request(tmp_path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "lsr",
            "-a",
            "base_url=http://127.0.0.1:9",
            "-s",
            f"CORPUS_DATABASE_URL=sqlite:///{tmp_path / 'c.sqlite'}",
            "-s",
            "CORPUS_BATCH_SIZE=0",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1  # the project's crawl command: one line, no traceback
    bad = "setting CORPUS_BATCH_SIZE must be between 1 and 100000, got '0'"
    assert result.stderr.strip().splitlines()[-1] == f"scrapy: error: {bad}"
    assert "Traceback" not in result.stderr
    assert "Crawled 0 pages" not in result.stderr
