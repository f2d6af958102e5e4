"""The project's settings are the safe, polite ones the README promises."""

import os

from scrapy.utils.project import get_project_settings

from corpus.db import mask_url, resolve_url


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
