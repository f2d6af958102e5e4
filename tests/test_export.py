"""Exports: the same posts and values in JSONL, CSV and Parquet; filters; readers of Parquet."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from analysis import neardup
from corpus.writer import CorpusWriter
from publish.export import (
    EXPORT_FIELDS,
    FIELD_SCHEMA,
    FilterError,
    PostFilter,
    check_filter,
    export,
    iter_posts,
    parse_fields,
)
from tests.truth_corpus import BASE_URL, planted_pairs, write_posts
from tests.truth_corpus import record as truth_record
from text import lao

VTE = "+07:00"


SECOND_SITE, SECOND_URL, SECOND_POSTS = "vte", "http://vte.test", 30
# When the crawl finds posts deleted: (clock of the batch, status, indexes into truth["posts"]).
GONE_BATCHES = (
    (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), 404, (3, 50)),
    (datetime(2026, 2, 3, 4, 5, 6, 123456, tzinfo=UTC), 410, (7,)),
)


def write_gone_corpus(url: str, truth: dict) -> tuple[Engine, dict[str, str]]:
    """Two sites (lsr: every ground-truth post; vte: 30 of them, text varied, at another
    address) and a site with a crawl run but no posts; then posts found deleted the way a crawl
    finds them, as 404/410 rejects of known URLs handed to the writer, with the writer's clock
    fixed. Returns the engine and {url: expected gone_at in ISO 8601}."""
    engine = write_posts(url, truth["posts"])
    second = []
    for post in truth["posts"][:SECOND_POSTS]:
        text = post["text"] + "\n\nວຽງຈັນ"
        second.append(
            {
                **truth_record(post, SECOND_URL),
                "site": SECOND_SITE,
                "text": text,
                "content_hash": lao.content_hash(text),
                "word_count": lao.word_count(text),
            }
        )
    writer = CorpusWriter(engine)
    writer.write(second)
    run = writer.start_run("wordpress", "empty", {})
    writer.finish_run(run, status="finished", finish_reason="finished")
    gone: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as patch:
        for clock, status, indexes in GONE_BATCHES:
            patch.setattr("corpus.writer.utcnow", lambda clock=clock: clock)
            urls = [BASE_URL + truth["posts"][i]["path"] for i in indexes]
            if status == 410:
                urls.append(SECOND_URL + truth["posts"][indexes[0]]["path"])
            rejects = [
                {"site": u.split("//")[1].split(".")[0], "url": u, "stage": "fetch",
                 "reason": f"HTTP {status}", "http_status": status}
                for u in [*urls, BASE_URL + "/never-a-post/"]
            ]  # fmt: skip
            result = writer.write([], rejects)
            assert (result.gone, result.rejected) == (len(urls), 1)
            gone |= dict.fromkeys(urls, clock.isoformat())
    return engine, gone


@pytest.fixture(scope="module")
def gone_corpus(truth, tmp_path_factory) -> tuple[Engine, dict[str, str]]:
    return write_gone_corpus(f"sqlite:///{tmp_path_factory.mktemp('gone') / 'c.sqlite'}", truth)


@pytest.fixture(scope="module")
def corpus(truth, tmp_path_factory):
    """The sample site's corpus with its near-duplicates found."""
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'corpus.sqlite'}"
    engine = write_posts(url, truth["posts"])
    neardup.update(engine)
    return engine


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_csv(path: Path) -> list[dict[str, Any]]:
    """CSV cells back to JSON values: lists from JSON arrays, numbers, empty cells as null."""
    kinds = {name: FIELD_SCHEMA[name][0] for name in EXPORT_FIELDS}
    records = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            record: dict[str, Any] = {}
            for name, cell in row.items():
                kind = kinds[name]
                if kind == "list<string>":
                    record[name] = json.loads(cell)
                elif cell == "":
                    record[name] = None if name not in ("title", "text") else ""
                elif kind.startswith("int"):
                    record[name] = int(cell)
                elif kind == "double":
                    record[name] = float(cell)
                else:
                    record[name] = cell
            records.append(record)
    return records


def read_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    records = pq.read_table(path).to_pylist()
    for record in records:
        for name, value in record.items():
            if isinstance(value, datetime):
                record[name] = value.isoformat()
    return records


def test_three_formats_hold_the_same_posts_and_values(corpus, truth, tmp_path) -> None:
    exported = {}
    for fmt, reader in (("jsonl", read_jsonl), ("csv", read_csv), ("parquet", read_parquet)):
        path = tmp_path / f"posts.{fmt}"
        assert export(corpus, path, fmt) == len(truth["posts"])
        exported[fmt] = reader(path)
        assert not list(tmp_path.glob("*.partial"))
    assert exported["jsonl"] == exported["csv"] == exported["parquet"]

    records = {r["url"]: r for r in exported["parquet"]}
    assert len(records) == len(truth["posts"])
    for post in truth["posts"]:
        record = records[BASE_URL + post["path"]]
        assert tuple(record) == EXPORT_FIELDS
        assert (record["title"], record["text"]) == (post["title"], post["text"])
        assert (record["categories"], record["tags"]) == (post["categories"], post["tags"])
        assert record["published_at"].endswith("+00:00")
        assert datetime.fromisoformat(record["published_at"]) == datetime.fromisoformat(
            post["published_at"]
        )
    near = {(r["url"], r["near_duplicate_of"]) for r in records.values() if r["near_duplicate_of"]}
    assert near == planted_pairs(truth)
    assert all(
        (r["near_duplicate_similarity"] is None) == (r["near_duplicate_of"] is None)
        for r in records.values()
    )
    repost = records[BASE_URL + truth["reposts"][0]["path"]]
    assert repost["duplicate_of"] == BASE_URL + truth["reposts"][0]["original_path"]


def test_parquet_schema_is_typed(corpus, tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "posts.parquet"
    export(corpus, path, "parquet")
    schema = pq.read_schema(path)
    assert schema.names == list(EXPORT_FIELDS)
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("last_seen_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("categories").type == pa.list_(pa.string())
    assert schema.field("tags").type == pa.list_(pa.string())
    assert schema.field("post_id").type == pa.int64()
    assert schema.field("near_duplicate_similarity").type == pa.float64()
    assert schema.field("text").metadata == {b"description": FIELD_SCHEMA["text"][1].encode()}


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_fields_pick_columns_in_order(corpus, tmp_path, fmt: str) -> None:
    fields = parse_fields("title, url,title,near_duplicate_of")
    assert fields == ("title", "url", "near_duplicate_of")
    path = tmp_path / f"few.{fmt}"
    export(corpus, path, fmt, fields=fields)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        assert pq.read_schema(path).names == list(fields)
    elif fmt == "csv":
        assert path.read_text(encoding="utf-8").splitlines()[0] == "title,url,near_duplicate_of"
    else:
        assert all(tuple(r) == fields for r in read_jsonl(path))


def post_ids(engine, **filters) -> list[int]:
    return sorted(r["post_id"] for r in iter_posts(engine, PostFilter(**filters)))


def test_filters(truth, database_url) -> None:
    engine = write_posts(database_url, truth["posts"])
    neardup.update(engine)
    posts = truth["posts"]

    def expect(keep) -> list[int]:
        return sorted(p["post_id"] for p in posts if keep(p))

    assert post_ids(engine, categories=("ຂ່າວ",)) == expect(lambda p: "ຂ່າວ" in p["categories"])
    either = ("ການສຶກສາ", "ສາທາລະນະສຸກ")
    assert post_ids(engine, categories=either) == expect(
        lambda p: set(either) & set(p["categories"])
    )
    assert post_ids(engine, authors=("admin", "khamphet")) == expect(
        lambda p: p["author"] in ("admin", "khamphet")
    )
    since, until = datetime.fromisoformat("2018-01-01" + "T00:00" + VTE), None
    assert post_ids(engine, since=since) == expect(lambda p: p["published_at"] >= "2018")
    until = datetime.fromisoformat("2016-07-01T00:00" + VTE)
    assert post_ids(engine, until=until, site="lsr") == expect(
        lambda p: p["published_at"] < "2016-07-01"
    )
    reposts = {truth["reposts"][0]["path"]} | {n["path"] for n in truth["near_duplicates"]}
    assert post_ids(engine, exclude_duplicates=True) == expect(lambda p: p["path"] not in reposts)
    assert post_ids(engine, exclude_duplicates=True, categories=("ຂ່າວ",), authors=("somchan",)) == (
        expect(
            lambda p: (
                p["path"] not in reposts and "ຂ່າວ" in p["categories"] and p["author"] == "somchan"
            )
        )
    )


def test_bad_filter_values_are_named(corpus) -> None:
    cases = [
        (PostFilter(categories=("ຂ່າວ", "sport")), "--category", "unknown category 'sport'"),
        (PostFilter(authors=("nobody",)), "--author", "unknown author 'nobody'"),
        (PostFilter(site="vientianetimes"), "--site", "unknown site 'vientianetimes'"),
        (
            PostFilter(
                since=datetime(2020, 1, 1).astimezone(), until=datetime(2019, 1, 1).astimezone()
            ),
            "--since",
            "is not before --until",
        ),
    ]
    for filters, option, message in cases:
        with pytest.raises(FilterError, match=message) as caught:
            check_filter(corpus, filters)
        assert caught.value.option == option
    check_filter(corpus, PostFilter(categories=("ຂ່າວ",), authors=("somchan",), site="lsr"))
    for value, message in (("url,body", "unknown field 'body'"), (" , ", "no field given")):
        with pytest.raises(FilterError, match=message):
            parse_fields(value)


def test_failed_export_leaves_no_file(corpus, tmp_path, monkeypatch) -> None:
    import publish.export as module

    real = module.iter_posts

    def broken(*args, **kwargs):
        for number, record in enumerate(real(*args, **kwargs)):
            if number == 3:
                raise RuntimeError("database went away")
            yield record

    path = tmp_path / "posts.jsonl"
    path.write_text("the previous export\n", encoding="utf-8")
    monkeypatch.setattr(module, "iter_posts", broken)
    with pytest.raises(RuntimeError):
        export(corpus, path, "jsonl")
    assert path.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts.jsonl"]


def test_small_batches_give_every_post_once_in_order(corpus, truth) -> None:
    everything = list(iter_posts(corpus))
    assert list(iter_posts(corpus, batch_size=7)) == everything
    assert len(everything) == len(truth["posts"])


def test_parquet_loads_in_datasets_pandas_and_duckdb(corpus, truth, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    path = tmp_path / "posts.parquet"
    export(corpus, path, "parquet")
    expected = {BASE_URL + p["path"]: p for p in truth["posts"]}

    import datasets

    dataset = datasets.load_dataset(
        "parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache")
    )
    assert dataset.num_rows == len(truth["posts"])
    assert str(dataset.features["published_at"].dtype) == "timestamp[us, tz=UTC]"
    row = dataset[0]
    assert row["categories"] == expected[row["url"]]["categories"]
    assert row["published_at"] == datetime.fromisoformat(expected[row["url"]]["published_at"])

    import pandas

    frame = pandas.read_parquet(path)
    assert len(frame) == len(truth["posts"])
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert frame["near_duplicate_of"].notna().sum() == len(truth["near_duplicates"])

    import duckdb

    count, tagged, first = (
        duckdb.connect()
        .execute(
            f"select count(*), count(*) filter (where len(tags) > 0), min(published_at) "
            f"from read_parquet('{path}')"
        )
        .fetchone()
    )
    assert count == len(truth["posts"])
    assert tagged == sum(1 for p in truth["posts"] if p["tags"])
    assert first == min(datetime.fromisoformat(p["published_at"]) for p in truth["posts"])


def test_gone_posts_carry_gone_at_in_every_format_and_can_be_left_out(
    gone_corpus, tmp_path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    engine, gone = gone_corpus
    assert len(gone) == 4  # three lsr posts, one vte post
    assert sorted(set(gone.values())) == [
        "2026-01-02T03:04:05+00:00",
        "2026-02-03T04:05:06.123456+00:00",
    ]
    everyone = 119 + SECOND_POSTS
    for fmt, reader in (("jsonl", read_jsonl), ("csv", read_csv), ("parquet", read_parquet)):
        path = tmp_path / f"all.{fmt}"
        assert export(engine, path, fmt) == everyone
        records = reader(path)
        assert {r["url"]: r["gone_at"] for r in records if r["gone_at"]} == gone, fmt
        assert sum(r["gone_at"] is None for r in records) == everyone - len(gone)
        live = tmp_path / f"live.{fmt}"
        assert export(engine, live, fmt, PostFilter(exclude_gone=True)) == everyone - len(gone)
        urls = {r["url"] for r in reader(live)}
        assert urls == {r["url"] for r in records} - set(gone), fmt
        assert all(r["gone_at"] is None for r in reader(live))
    field = pq.read_schema(tmp_path / "all.parquet").field("gone_at")
    assert field.type == pa.timestamp("us", tz="UTC") and field.nullable
    assert field.metadata == {b"description": FIELD_SCHEMA["gone_at"][1].encode()}
    both = PostFilter(exclude_gone=True, exclude_duplicates=True, site="lsr")
    kept = {r["url"] for r in iter_posts(engine, both)}
    dedup = {r["url"] for r in iter_posts(engine, PostFilter(exclude_duplicates=True, site="lsr"))}
    assert kept == dedup - set(gone)
