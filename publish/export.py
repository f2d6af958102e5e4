"""Reading posts out of the corpus for researchers: filtered, streamed, as JSONL, CSV or Parquet.

Rows are fetched in keyset-paginated batches and written batch by batch, so exporting a large
corpus keeps memory flat. All three formats carry the same values: JSONL and CSV write times
as ISO 8601 with their UTC offset and CSV writes lists as JSON arrays; Parquet has a typed
schema (UTC timestamps, lists of strings) that pandas, DuckDB and Hugging Face ``datasets``
read as is. :func:`export_shards` writes Parquet as a published dataset's shards, one folder per
site, the layout the corpus card's ``configs`` name (publish/card.py).
"""

from __future__ import annotations

import csv
import errno
import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from sqlalchemy import Engine, func, select, union
from sqlalchemy.orm import aliased

from corpus.models import CrawlRun, NearDuplicate, Post, PostTerm, Reject, Term
from publish.safefile import replacing
from schema import COMPARED_FIELDS, EXPORT_FIELDS, FIELD_SCHEMA

FORMATS = ("jsonl", "csv", "parquet")

# Each field's Parquet type and meaning: the export schema (README and corpus card repeat it).
_TIME_FIELDS = ("published_at", "modified_at", "first_seen_at", "last_seen_at", "gone_at")
_LIST_FIELDS = ("categories", "tags")


class FilterError(ValueError):
    """A filter value that matches nothing the corpus knows; ``option`` names the option."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class PostFilter:
    site: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    exclude_duplicates: bool = False  # exact reposts and near-duplicates
    exclude_gone: bool = False  # posts deleted on the site since they were crawled
    categories: tuple[str, ...] = ()  # any of these category names
    authors: tuple[str, ...] = ()  # any of these authors


def parse_fields(value: str | None) -> tuple[str, ...]:
    """``"url,title"`` → ``("url", "title")``, checked against :data:`EXPORT_FIELDS`."""
    if value is None:
        return EXPORT_FIELDS
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    if not names:
        raise FilterError("--fields", "no field given")
    unknown = [name for name in names if name not in EXPORT_FIELDS]
    if unknown:
        raise FilterError(
            "--fields", f"unknown field {unknown[0]!r} (fields: {', '.join(EXPORT_FIELDS)})"
        )
    return names


def check_filter(engine: Engine, filters: PostFilter) -> None:
    """Raise :class:`FilterError` for a filter value the corpus has never seen.

    Why: a misspelt Lao category would otherwise export nothing, silently.
    """
    if filters.since and filters.until and filters.since >= filters.until:
        raise FilterError(
            "--since",
            f"{filters.since.date()} is not before --until {filters.until.date()}",
        )
    if filters.site:
        check_site(engine, filters.site)
    with engine.connect() as db:
        if filters.categories:
            names = db.execute(
                select(Term.name).where(Term.taxonomy == "category").distinct()
            ).scalars()
            _known("--category", "category", filters.categories, list(names))
        if filters.authors:
            authors = db.execute(select(Post.author).distinct()).scalars()
            _known("--author", "author", filters.authors, [a for a in authors if a])


def check_site(engine: Engine, site: str) -> None:
    """Raise :class:`FilterError` unless the corpus holds posts, runs or rejects of ``site``.

    One check for every command with ``--site`` (export, stats, card, runs): a misspelt site
    is the same error everywhere, never an empty result.
    """
    with engine.connect() as db:
        sites = db.execute(
            union(select(Post.site), select(CrawlRun.site), select(Reject.site))
        ).scalars()
        _known("--site", "site", [site], [name for name in sites if name])


def _known(option: str, what: str, wanted: Iterable[str], known: list[str]) -> None:
    for value in wanted:
        if value not in known:
            listed = ", ".join(sorted(known)[:20]) + (", ..." if len(known) > 20 else "")
            raise FilterError(option, f"unknown {what} {value!r} (known: {listed or 'none'})")


def _query(filters: PostFilter):
    original, near_original = aliased(Post), aliased(Post)
    columns = [c for c in EXPORT_FIELDS if hasattr(Post, c) and c not in ("duplicate_of",)]
    query = (
        select(
            Post.id,
            *(getattr(Post, c) for c in columns),
            original.url.label("duplicate_of"),
            near_original.url.label("near_duplicate_of"),
            NearDuplicate.similarity.label("near_duplicate_similarity"),
        )
        .outerjoin(original, Post.duplicate_of_id == original.id)
        .outerjoin(NearDuplicate, NearDuplicate.post_id == Post.id)
        .outerjoin(near_original, NearDuplicate.original_id == near_original.id)
    )
    if filters.site:
        query = query.where(Post.site == filters.site)
    if filters.since:
        query = query.where(Post.published_at >= filters.since)
    if filters.until:
        query = query.where(Post.published_at < filters.until)
    if filters.exclude_duplicates:
        query = query.where(Post.duplicate_of_id.is_(None), NearDuplicate.post_id.is_(None))
    if filters.exclude_gone:
        query = query.where(Post.gone_at.is_(None))
    if filters.categories:
        in_category = (
            select(PostTerm.post_id)
            .join(Term, Term.id == PostTerm.term_id)
            .where(Term.taxonomy == "category", Term.name.in_(filters.categories))
        )
        query = query.where(Post.id.in_(in_category))
    if filters.authors:
        query = query.where(Post.author.in_(filters.authors))
    return query


def count_posts(engine: Engine, filters: PostFilter = PostFilter()) -> int:
    """How many posts :func:`iter_posts` will yield (for a progress bar)."""
    with engine.connect() as db:
        subquery = _query(filters).subquery()
        return db.execute(select(func.count()).select_from(subquery)).scalar_one()


def iter_rows(
    engine: Engine, filters: PostFilter = PostFilter(), batch_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every matching post as a dict of :data:`EXPORT_FIELDS` with native values (aware
    datetimes), in ascending id order, fetched ``batch_size`` rows at a time."""
    query = _query(filters).order_by(Post.id).limit(batch_size)
    last_id = 0
    while True:
        with engine.connect() as connection:
            rows = connection.execute(query.where(Post.id > last_id)).all()
            if not rows:
                return
            terms = _terms_of(connection, [row.id for row in rows])
        for row in rows:
            yield _as_row(row._mapping, terms.get(row.id, {}))
        last_id = rows[-1].id


def iter_posts(
    engine: Engine, filters: PostFilter = PostFilter(), batch_size: int = 1000
) -> Iterator[dict[str, Any]]:
    """As :func:`iter_rows`, with times as ISO 8601 strings (the JSONL and CSV form)."""
    for row in iter_rows(engine, filters, batch_size):
        yield _isoformat(row)


def _terms_of(connection, post_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    rows = connection.execute(
        select(PostTerm.post_id, Term.taxonomy, Term.name)
        .join(Term, Term.id == PostTerm.term_id)
        .where(PostTerm.post_id.in_(post_ids))
        .order_by(PostTerm.post_id, PostTerm.position)
    ).all()
    terms: dict[int, dict[str, list[str]]] = {}
    for post_id, taxonomy, name in rows:
        terms.setdefault(post_id, {}).setdefault(taxonomy, []).append(name)
    return terms


def _as_row(row: Mapping[str, Any], terms: dict[str, list[str]]) -> dict[str, Any]:
    record = {field: row.get(field) for field in EXPORT_FIELDS}
    record["authors"] = list(record["authors"] or [])
    record["categories"] = terms.get("category", [])
    record["tags"] = terms.get("tag", [])
    return record


def _isoformat(row: dict[str, Any]) -> dict[str, Any]:
    for field in _TIME_FIELDS:
        if row[field] is not None:
            row[field] = row[field].isoformat()
    return row


# -- writers ------------------------------------------------------------------------------------

Progress = Callable[[int], None]


def _write_each(
    records: Iterable[dict[str, Any]],
    write: Callable[[dict[str, Any]], object],
    progress: Progress | None,
    every: int = 500,
) -> int:
    """``write`` every record; ``progress`` hears of them ``every`` at a time and of the rest
    at the end. Returns how many were written."""
    count = 0
    for count, record in enumerate(records, 1):
        write(record)
        if progress and count % every == 0:
            progress(every)
    if progress:
        progress(count % every)
    return count


def write_jsonl(
    records: Iterable[dict[str, Any]],
    output: TextIO,
    fields: tuple[str, ...] = EXPORT_FIELDS,
    progress: Progress | None = None,
) -> int:
    """One JSON object per line, UTF-8 Lao kept as is; returns the number of lines."""

    def write(record: dict[str, Any]) -> None:
        output.write(json.dumps({f: record[f] for f in fields}, ensure_ascii=False))
        output.write("\n")

    return _write_each(records, write, progress)


def write_csv(
    records: Iterable[dict[str, Any]],
    output: TextIO,
    fields: tuple[str, ...] = EXPORT_FIELDS,
    progress: Progress | None = None,
) -> int:
    """A header and one row per post; lists as JSON arrays, nulls as empty cells."""
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(fields)
    return _write_each(
        records, lambda record: writer.writerow([_csv_cell(record[f]) for f in fields]), progress
    )


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


def parquet_schema(fields: tuple[str, ...] = EXPORT_FIELDS):
    """The Arrow schema of a Parquet export of ``fields``, with each field's meaning."""
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "int32": pa.int32(),
        "double": pa.float64(),
        "list<string>": pa.list_(pa.string()),
        "timestamp[us, UTC]": pa.timestamp("us", tz="UTC"),
    }
    return pa.schema(
        [
            pa.field(
                name,
                types[FIELD_SCHEMA[name][0]],
                nullable=name not in ("url", "site", "title", "text", "published_at"),
                metadata={"description": FIELD_SCHEMA[name][1]},
            )
            for name in fields
        ],
        metadata={"source": "Lao News Corpus (laocorpus export)"},
    )


def write_parquet(
    records: Iterable[dict[str, Any]],
    path: Path | BinaryIO,
    fields: tuple[str, ...] = EXPORT_FIELDS,
    progress: Progress | None = None,
    rows_per_group: int = 5000,
) -> int:
    """Parquet (zstd) written one row group at a time, so memory stays flat."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(fields)
    count = 0
    batch: list[dict[str, Any]] = []
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for record in records:
            batch.append({f: record[f] for f in fields})
            if len(batch) == rows_per_group:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                count += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch or not count:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            count += len(batch)
            if progress:
                progress(len(batch))
    return count


def export(
    engine: Engine,
    path: Path,
    fmt: str = "jsonl",
    filters: PostFilter = PostFilter(),
    fields: tuple[str, ...] = EXPORT_FIELDS,
    progress: Progress | None = None,
) -> int:
    """Write matching posts to ``path``; returns how many.

    The file is written next to ``path`` under a fresh temporary name and renamed at the end
    (publish/safefile.py), so a failed or interrupted export never leaves half a file at
    ``path`` and never writes anywhere else, through a planted symlink included.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    if fmt == "parquet":
        with replacing(path, "wb") as output:
            return write_parquet(iter_rows(engine, filters), output, fields, progress)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    with replacing(path, "w", encoding="utf-8", newline="") as output:
        return writer(iter_posts(engine, filters), output, fields, progress)


# -- Parquet shards for a published dataset ----------------------------------------------------

# One folder per site, Hugging Face's shard names inside: the corpus card's `configs` point at
# <site>/train-*.parquet (one config per site) and */train-*.parquet (the default: every site).
SHARD_PATTERN = "train-*-of-*.parquet"


def shard_folder(site: str) -> str:
    """The folder of ``site``'s shards: its name when it is made of ASCII letters, digits,
    '.', '_' and '-'; otherwise those characters of it and a hash of the whole name, so a site
    name can never leave the output directory and two names never share a folder."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", site).strip(".-")
    if safe == site:
        return site
    return f"{safe or 'site'}-{hashlib.sha256(site.encode()).hexdigest()[:8]}"


def shard_name(index: int, total: int) -> str:
    return f"train-{index:05d}-of-{total:05d}.parquet"


def export_shards(
    engine: Engine,
    directory: Path,
    shard_rows: int,
    filters: PostFilter = PostFilter(),
    fields: tuple[str, ...] = EXPORT_FIELDS,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write matching posts as Parquet shards of at most ``shard_rows`` rows,
    ``directory/<site>/train-00000-of-00003.parquet``...; returns the posts written per site.

    Why staged: every shard is written into a fresh temporary folder inside ``directory`` and
    only moved into place once all are complete, so a failed export leaves the previous shards
    as they were. The shards it replaces are removed first (a run with fewer shards must not
    leave old ones for ``train-*`` to pick up): those of every site folder in ``directory``, or
    with ``--site`` only that site's.
    """
    if shard_rows < 1:
        raise ValueError("shard_rows must be at least 1")
    directory.mkdir(exist_ok=True)
    sites = _sites_of(engine, filters)
    folders = {site: shard_folder(site) for site in sites}
    if len(set(folders.values())) < len(folders):
        raise ValueError(f"two sites share a shard folder name: {sorted(folders)}")
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=directory))
    try:
        written = {
            site: _write_site_shards(
                engine,
                staging / folders[site],
                shard_rows,
                replace(filters, site=site),
                fields,
                progress,
            )
            for site in sites
        }
        cleared = set(folders.values())
        if filters.site is None:
            cleared |= {
                entry.name
                for entry in directory.iterdir()
                if entry.is_dir()
                and not entry.name.startswith(".")
                and any(entry.glob(SHARD_PATTERN))
            }
        targets = [directory / name for name in sorted(cleared)]
        for target in targets:
            if target.is_symlink():
                raise OSError(errno.ELOOP, "is a symbolic link, not a folder", str(target))
        for target in targets:
            target.mkdir(exist_ok=True)
            for old in target.glob(SHARD_PATTERN):
                old.unlink()
        for folder in folders.values():
            for shard in sorted((staging / folder).iterdir()):
                os.replace(shard, directory / folder / shard.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _sites_of(engine: Engine, filters: PostFilter) -> list[str]:
    with engine.connect() as db:
        matching = _query(filters).subquery()
        return sorted(db.execute(select(matching.c.site).distinct()).scalars())


def _write_site_shards(
    engine: Engine,
    folder: Path,
    shard_rows: int,
    filters: PostFilter,
    fields: tuple[str, ...],
    progress: Progress | None,
) -> int:
    folder.mkdir()
    rows = iter_rows(engine, filters)
    parts: list[Path] = []
    count = 0
    for first in rows:  # the shard below takes the next shard_rows - 1 rows of the same stream
        part = folder / f"part-{len(parts)}"
        shard = itertools.chain([first], itertools.islice(rows, shard_rows - 1))
        count += write_parquet(shard, part, fields, progress, rows_per_group=min(5000, shard_rows))
        parts.append(part)
    for index, part in enumerate(parts):
        part.rename(folder / shard_name(index, len(parts)))
    return count


def export_jsonl(engine: Engine, path: Path, filters: PostFilter = PostFilter()) -> int:
    """JSON lines at ``path`` (kept for callers of the first version)."""
    return export(engine, path, "jsonl", filters)


def comparable_record(record: dict[str, Any]) -> dict[str, Any]:
    """An exported record's fields a ground truth is compared on, times as instants (the
    shape testing/verify.py expects, and what ``laocorpus reparse`` reports changes of)."""
    compared = {field: record[field] for field in COMPARED_FIELDS}
    for name in ("published_at", "modified_at"):
        if isinstance(compared[name], str):
            compared[name] = datetime.fromisoformat(compared[name])
    return compared
