"""The raw-page archive: every response that gave the corpus something, kept as gzip WARC.

Why: the corpus keeps what was extracted, not what was fetched; with the pages archived,
``laocorpus reparse`` (jobs/reparse.py) re-extracts the corpus with better code, offline,
and a post that has since changed or vanished on the site is still there as it was.

Writing. :class:`WarcArchiveMiddleware` is a spider middleware: it sees which response each
callback (or errback, for an HTTP error) turned into output, and archives a response once its
callback yields anything (a post, a reject, a sighting of known posts, or a request that goes
on from it: a sitemap's or listing's post pages, a multi-page post's next page, a REST page's
name lookups). Responses that lead nowhere (robots.txt, a probe of a missing source, an empty
page) and the in-memory stream continuations of ``StreamResumeMiddleware`` are not archived.
Each response is written with its request (a ``request`` record, ``WARC-Concurrent-To`` the
``response``), in batches on one writer thread, into files named
``{site}-{time}-run{id}-{pid}-{seq}.warc.gz``, rotated at ``CORPUS_WARC_MAX_BYTES``. Status,
headers, URL and fetch time are the real ones; the body is what Scrapy handed the spider, so
a gzip body is stored decoded (Scrapy drops the ``Content-Encoding`` it decoded):
``Content-Length`` is rewritten to the stored length, the received one kept as
``X-Archive-Orig-Content-Length``, and ``Transfer-Encoding`` dropped.
A payload already archived for the site (same SHA-1) is written as a ``revisit`` record
(identical-payload-digest) that refers to the first copy: a re-crawl of an unchanged site costs
headers only. Each file's digests are kept beside it (``.digests``) so the next run need not
read the archive to know them.

Replaying. Each response record says which spider callback parsed it and with which request
meta (the JSON-safe part), in the extension header ``WARC-Laocorpus-Replay``. :class:`Replay`
rebuilds the response (``HtmlResponse``, ``TextResponse``...) from the record and calls the
same callback of the same spider class the crawl used, offline; the requests it yields for
the rest of an item (a post's next page, REST name lookups, a post page for a withheld
author) are answered from the archive, never from the network.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import re
import socket
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from isal import isal_zlib
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError, HttpErrorMiddleware
from twisted.python.failure import Failure
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

REPLAY_HEADER = "WARC-Laocorpus-Replay"
SUFFIX = ".warc.gz"
DIGESTS_SUFFIX = ".digests"
DEFAULT_DIR = Path("data/warc")
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# Captures go to the writer thread in batches (fewer thread switches on the crawl's thread):
# BATCH at a time, BATCH_BYTES of bodies, or whatever waited BATCH_SECONDS; a killed crawl
# loses at most the batches not yet written.
BATCH = 32
BATCH_BYTES = 2 * 1024 * 1024
BATCH_SECONDS = 5.0
# Batches queued for the writer thread before the crawl waits for it: with 16 MB pages
# (DOWNLOAD_MAXSIZE) at most about 4 x 18 MB wait in memory.
MAX_PENDING = 4
# ISA-L's deflate (isal) at its level 1, gzip that any reader inflates: 5,000 sample-site posts'
# 117 MB of records in 0.31 s of CPU and 37.7 MB, where zlib took 1.25 s at level 3 (35.8 MB)
# and 1.02 s at level 1 (39.7 MB); level 9, warcio's, is slower still.
GZIP_LEVEL = 1
FETCHED_AT = "corpus_fetched_at"  # request meta: when the response arrived (epoch seconds)
# Request meta that only Scrapy's machinery reads: never needed to replay a callback.
_INTERNAL_META = re.compile(r"^(_|download_|depth$|retry_times$|corpus_fetched_at$)")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


# -- where the archive lives ---------------------------------------------------------------


def archive_dir(settings: Any) -> Path | None:
    """The archive's directory from the settings; None when archiving is off.

    ``CORPUS_WARC_DIR`` unset: ``warc/`` beside a SQLite corpus (the default corpus
    ``data/corpus.sqlite`` gives ``data/warc/``), else ``data/warc/``. An empty
    ``CORPUS_WARC_DIR`` or ``CORPUS_WARC_ENABLED=False`` switches the archive off.
    """
    if not settings.getbool("CORPUS_WARC_ENABLED", True):
        return None
    configured = settings.get("CORPUS_WARC_DIR")
    if configured is not None:
        return Path(configured).expanduser() if str(configured).strip() else None
    return default_dir(settings.get("CORPUS_DATABASE_URL"))


def default_dir(database_url: str | None) -> Path:
    """``warc/`` beside the SQLite corpus file, else ``data/warc/`` (PostgreSQL)."""
    from corpus.handle import Corpus

    try:
        corpus_file = Corpus(database_url).sqlite_file
    except Exception:  # an invalid URL is the corpus's error to report, not the archive's
        corpus_file = None
    return corpus_file.parent / "warc" if corpus_file is not None else DEFAULT_DIR


def payload_digest(body: bytes) -> str:
    """The WARC payload digest warcio writes and checks: ``sha1:`` + base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


EMPTY_DIGEST = payload_digest(b"")


def _safe_name(name: str) -> str:
    return _UNSAFE_NAME.sub("_", name).strip("._") or "site"


# -- capturing on the reactor thread (cheap), writing on the writer thread -----------------


@dataclass
class Capture:
    """What one archived exchange needs, taken from Scrapy's objects as they are."""

    url: str
    status: int
    protocol: str | None
    headers: Headers
    body: bytes
    method: str
    request_url: str
    request_headers: Headers
    request_body: bytes
    fetched_at: float
    ip_address: str | None
    callback: str | None
    errback: str | None
    meta: dict[str, Any]


def _method_name(function: Any) -> str | None:
    return getattr(function, "__name__", None) if function is not None else None


def capture(response: Response) -> Capture:
    request = response.request
    assert request is not None
    return Capture(
        url=response.url,
        status=response.status,
        protocol=getattr(response, "protocol", None),
        headers=response.headers,
        body=response.body,
        method=request.method,
        request_url=request.url,
        request_headers=request.headers,
        request_body=request.body,
        fetched_at=request.meta.get(FETCHED_AT) or time.time(),
        ip_address=str(response.ip_address) if response.ip_address else None,
        callback=_method_name(request.callback),
        errback=_method_name(request.errback),
        meta=dict(request.meta),
    )


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def _replay_info(item: Capture) -> str:
    """The callback and the JSON-safe request meta, as one ASCII header line."""
    meta = {}
    for key, value in item.meta.items():
        if _INTERNAL_META.match(key):
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        meta[key] = value
    info = {"callback": item.callback, "errback": item.errback, "meta": meta}
    return json.dumps(info, ensure_ascii=True, separators=(",", ":"))


def _response_headers(item: Capture) -> StatusAndHeaders:
    """The response's status line and headers, made true of the body as stored."""
    pairs = _header_pairs(item.headers)
    kept = [(n, v) for n, v in pairs if n.lower() not in ("content-length", "transfer-encoding")]
    received = [v for n, v in pairs if n.lower() == "content-length"]
    kept.append(("Content-Length", str(len(item.body))))
    if received and received[0] != str(len(item.body)):
        kept.append(("X-Archive-Orig-Content-Length", received[0]))
    try:
        reason = HTTPStatus(item.status).phrase
    except ValueError:
        reason = "Unknown"
    protocol = item.protocol or "HTTP/1.1"
    return StatusAndHeaders(f"{item.status} {reason}", kept, protocol=protocol)


def _request_headers(item: Capture) -> StatusAndHeaders:
    parts = urlsplit(item.request_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = _header_pairs(item.request_headers)
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{item.method} {target} HTTP/1.1", pairs, is_http_request=True)


class WarcFiles:
    """The rotating WARC files of one crawl of one site; used by one thread only."""

    def __init__(self, directory: Path, site: str, info: dict[str, Any], max_bytes: int) -> None:
        self.directory = directory
        self.site = site
        self.info = info
        self.max_bytes = max_bytes
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.sequence = 0
        self.file: io.BufferedWriter | None = None
        self.path: Path | None = None
        self.file_digests: list[str] = []
        self.known = load_digests(directory, site)  # digest -> (uri, date) of the first copy
        self.counts = {"records": 0, "revisits": 0, "bytes": 0, "files": 0}
        # One record builder and one serializer for every record (each new writer looks up
        # the host name and builds a header parser): 6 records' worth of setup per page.
        self.builder = WARCWriter(None, gzip=False)
        self.buffer = io.BytesIO()
        self.serializer = WARCWriter(self.buffer, gzip=False)

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sequence += 1
        run = self.info.get("run-id") or "none"
        name = f"{_safe_name(self.site)}-{self.stamp}-run{run}-{os.getpid()}-{self.sequence:05d}"
        self.path = self.directory / (name + SUFFIX)
        self.file = open(self.path, "xb")  # noqa: SIM115  (kept open across records)
        self.file_digests = []
        self.counts["files"] += 1
        self._append(self.builder.create_warcinfo_record(self.path.name, self.info))

    def _append(self, record: Any) -> None:
        """One record as one gzip member, so any record can be read from its offset."""
        assert self.file is not None
        self.buffer.seek(0)
        self.buffer.truncate()
        self.serializer.write_record(record)
        member = isal_zlib.compress(self.buffer.getvalue(), GZIP_LEVEL, isal_zlib.MAX_WBITS + 16)
        self.file.write(member)
        self.counts["bytes"] += len(member)

    def write(self, item: Capture) -> None:
        if self.file is None:
            self._open()
        builder = self.builder
        date = datetime_to_iso_date(datetime.fromtimestamp(item.fetched_at, UTC))
        digest = payload_digest(item.body)
        http_headers = _response_headers(item)
        first = self.known.get(digest) if item.body else None
        extra = {
            "WARC-Type": "revisit" if first is not None else "response",
            "WARC-Record-ID": StatusAndHeadersParser.make_warc_id(),
            "WARC-Date": date,
            "WARC-Target-URI": item.url,
        }
        if item.ip_address:
            extra["WARC-IP-Address"] = item.ip_address
        extra[REPLAY_HEADER] = _replay_info(item)
        if first is not None:
            response = builder.create_revisit_record(
                item.url, digest, first[0], first[1], http_headers=http_headers,
                warc_headers_dict=extra,
            )  # fmt: skip
            self.counts["revisits"] += 1
        else:
            response = builder.create_warc_record(
                item.url, "response", payload=io.BytesIO(item.body), length=len(item.body),
                http_headers=http_headers,
                warc_headers_dict={**extra, "WARC-Payload-Digest": digest},
            )  # fmt: skip
            if item.body:
                self.known[digest] = (item.url, date)
                self.file_digests.append(f"{digest}\t{date}\t{item.url}")
        request = builder.create_warc_record(
            item.request_url, "request", payload=io.BytesIO(item.request_body or b""),
            length=len(item.request_body or b""), http_headers=_request_headers(item),
            warc_headers_dict={
                "WARC-Type": "request",
                "WARC-Record-ID": StatusAndHeadersParser.make_warc_id(),
                "WARC-Date": date,
                "WARC-Target-URI": item.request_url,
                "WARC-Concurrent-To": extra["WARC-Record-ID"],
            },
        )  # fmt: skip
        self._append(response)
        self._append(request)
        self.counts["records"] += 1
        assert self.file is not None
        if self.file.tell() >= self.max_bytes:
            self.close()

    def close(self) -> None:
        """Close the current file and write its digests beside it."""
        if self.file is None or self.path is None:
            return
        self.file.close()
        self.file = None
        digests = self.path.with_name(self.path.name + DIGESTS_SUFFIX)
        partial = digests.with_name(digests.name + ".partial")
        partial.write_text("".join(line + "\n" for line in self.file_digests), encoding="utf-8")
        partial.replace(digests)


def load_digests(directory: Path, site: str) -> dict[str, tuple[str, str]]:
    """Every payload digest the site's archive holds, with the URI and date of its first copy.

    From the ``.digests`` files; a WARC file without one (its crawl was killed) is read.
    """
    known: dict[str, tuple[str, str]] = {}
    if not directory.is_dir():
        return known
    own = re.compile(re.escape(_safe_name(site)) + r"-\d{8}T\d{6}Z-run")  # not "lsr-b"'s
    for path in sorted(directory.glob(f"{_safe_name(site)}-*{SUFFIX}")):
        if not own.match(path.name):
            continue
        sidecar = path.with_name(path.name + DIGESTS_SUFFIX)
        if sidecar.is_file():
            for line in sidecar.read_text(encoding="utf-8").splitlines():
                digest, date, uri = line.split("\t", 2)
                known.setdefault(digest, (uri, date))
            continue
        for ref in scan_file(path):
            if ref.kind == "response" and ref.digest and ref.digest != EMPTY_DIGEST:
                known.setdefault(ref.digest, (ref.uri, ref.date))
    return known


class WarcDateMiddleware:
    """Notes when each response arrived, so the WARC date is the fetch's, not the parse's."""

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        request.meta[FETCHED_AT] = time.time()
        return response


class WarcArchiveMiddleware:
    """Archives every response whose callback or errback yields something (see module doc)."""

    def __init__(self, crawler, directory: Path, max_bytes: int) -> None:
        self.crawler = crawler
        self.directory = directory
        self.max_bytes = max_bytes
        self.files: WarcFiles | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-writer")
        self.pending: deque[Future] = deque()  # in submission order, so done from the left
        self.batch: list[Capture] = []
        self.batch_bytes = 0
        self.batch_started = time.monotonic()
        self.failed = False
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        directory = archive_dir(crawler.settings)
        if directory is None:
            raise NotConfigured("the raw-page archive is off")
        max_bytes = crawler.settings.getint("CORPUS_WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        return cls(crawler, directory, max(max_bytes, 1))

    def process_spider_output(self, response, result, spider=None):
        archived = False
        for element in result:
            if not archived:
                archived = True
                self._archive(response)
            yield element

    async def process_spider_output_async(self, response, result, spider=None):
        archived = False
        async for element in result:
            if not archived:
                archived = True
                self._archive(response)
            yield element

    def _archive(self, response: Response) -> None:
        if self.failed or "stream" in response.flags or response.request is None:
            return
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append(capture(response))
        self.batch_bytes += len(response.body)
        if (
            len(self.batch) >= BATCH
            or self.batch_bytes >= BATCH_BYTES
            or time.monotonic() - self.batch_started >= BATCH_SECONDS
        ):
            self._submit()

    def _submit(self) -> None:
        while self.pending and self.pending[0].done():
            self.pending.popleft()
        if len(self.pending) >= MAX_PENDING:  # the disk is slower than the crawl: wait
            self.pending.popleft().result()
        self.pending.append(self.executor.submit(self._write, self.batch))
        self.batch, self.batch_bytes = [], 0

    def _files(self) -> WarcFiles:
        if self.files is None:
            spider = self.crawler.spider
            site = getattr(getattr(spider, "site_profile", None), "name", None) or spider.name
            info = {
                "software": "lao-news-corpus (Scrapy, warcio)",
                "format": "WARC File Format 1.0",
                "hostname": socket.gethostname(),
                "isPartOf": site,
                "spider": spider.name,
                "site": site,
                "base-url": getattr(spider, "base_url", None),
                "run-id": self.crawler.stats.get_value("corpus/run_id"),
            }
            self.files = WarcFiles(self.directory, site, info, self.max_bytes)
        return self.files

    def _write(self, batch: list[Capture]) -> None:
        if self.failed:
            return
        try:
            files = self._files()
            for item in batch:
                files.write(item)
        except Exception as exc:  # a full disk must not stop the crawl: the corpus comes first
            self.failed = True
            logger.error("raw-page archive stopped: cannot write %s: %s", self.directory, exc)

    def spider_closed(self, spider=None) -> None:
        if self.batch:
            self._submit()
        self.executor.submit(self._close).result()
        self.executor.shutdown(wait=True)
        if self.files is not None:
            for name, count in self.files.counts.items():
                self.crawler.stats.set_value(f"corpus/warc/{name}", count)
        if self.failed:
            self.crawler.stats.set_value("corpus/warc/failed", True)

    def _close(self) -> None:
        if self.files is not None:
            try:
                self.files.close()
            except OSError as exc:
                logger.error("raw-page archive: cannot close %s: %s", self.files.path, exc)


# -- reading -------------------------------------------------------------------------------


@dataclass
class RecordRef:
    """Where one record is, and what its headers say (the body is read only when needed)."""

    path: Path
    offset: int
    kind: str  # warcinfo | response | revisit | request
    uri: str
    date: str
    digest: str | None
    length: int
    status: int | None = None  # the HTTP status of a response or revisit
    replay: dict[str, Any] | None = None

    @property
    def when(self) -> datetime:
        return iso_date_to_datetime(self.date).replace(tzinfo=UTC)


def scan_file(path: Path) -> Iterator[RecordRef]:
    """The records of one WARC file, headers only; a truncated last record ends the scan."""
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        try:
            for record in records:
                headers = record.rec_headers
                kind = record.rec_type
                replay = headers.get_header(REPLAY_HEADER)
                info = (
                    _warcinfo_fields(record.content_stream().read()) if kind == "warcinfo" else None
                )
                http = record.http_headers if kind in ("response", "revisit") else None
                # the offset is known once the record is read to its end: the block first
                ref = RecordRef(
                    path=path,
                    offset=records.get_record_offset(),
                    kind=kind,
                    uri=headers.get_header("WARC-Target-URI") or "",
                    date=headers.get_header("WARC-Date") or "",
                    digest=headers.get_header("WARC-Payload-Digest"),
                    length=int(headers.get_header("Content-Length") or 0),
                    status=int(http.get_statuscode() or 0) if http else None,
                    replay=info if info is not None else json.loads(replay) if replay else None,
                )
                yield ref
        except (EOFError, zlib.error, ValueError, OSError) as exc:
            logger.warning("%s ends with an unreadable record (%s): the rest is skipped", path, exc)


def _warcinfo_fields(block: bytes) -> dict[str, str]:
    fields = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, _, value = line.partition(":")
        if value:
            fields[name.strip()] = value.strip()
    return fields


@dataclass
class Archived:
    """A response as the archive holds it: enough to rebuild the Scrapy response."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    replay: dict[str, Any]
    when: datetime


@dataclass
class SiteArchive:
    """One site's archived responses: the latest of each URL, and every payload by digest."""

    site: str
    spider: str
    base_url: str
    latest: dict[str, RecordRef] = field(default_factory=dict)
    payloads: dict[str, RecordRef] = field(default_factory=dict)
    files: int = 0

    def add(self, ref: RecordRef) -> None:
        """Index a response or revisit; a redirected request is found under its first URL too.

        A 304 is not a copy of the page (it says the copy before it still holds), so it never
        replaces one: a post answered 304 by a ``--full`` re-crawl is read from its last 200.
        """
        if ref.kind == "response" and ref.digest:
            self.payloads.setdefault(ref.digest, ref)
        if ref.status == HTTPStatus.NOT_MODIFIED:
            return
        redirected = ((ref.replay or {}).get("meta") or {}).get("redirect_urls") or []
        for uri in (ref.uri, *redirected):
            current = self.latest.get(uri)
            if current is None or (ref.when, ref.path.name, ref.offset) >= (
                current.when, current.path.name, current.offset
            ):  # fmt: skip
                self.latest[uri] = ref

    def load(self, ref: RecordRef) -> Archived:
        """The response of a record; a revisit takes its body from the first copy."""
        record_status, headers, body = _read_record(ref)
        if ref.kind == "revisit":
            original = self.payloads.get(ref.digest or "")
            if original is None:
                raise KeyError(f"{ref.uri}: revisit of a payload not in the archive")
            body = _read_record(original)[2]
        return Archived(ref.uri, record_status, headers, body, ref.replay or {}, ref.when)


def _read_record(ref: RecordRef) -> tuple[int, list[tuple[str, str]], bytes]:
    with open(ref.path, "rb") as stream:
        stream.seek(ref.offset)
        record = next(iter(ArchiveIterator(stream)))
        http = record.http_headers
        body = record.content_stream().read()
        status = int(http.get_statuscode()) if http else 200
        return status, list(http.headers) if http else [], body


def read_archive(directory: Path, site: str | None = None) -> dict[str, SiteArchive]:
    """Every site's archive in ``directory`` (only ``site``'s if given), by site name."""
    sites: dict[str, SiteArchive] = {}
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        archive: SiteArchive | None = None
        for ref in scan_file(path):
            if ref.kind == "warcinfo":
                info = ref.replay or {}
                name = info.get("site", "")
                if site is not None and name != site:
                    break
                archive = sites.get(name)
                if archive is None:
                    archive = sites[name] = SiteArchive(
                        name, info.get("spider", name), info.get("base-url", "")
                    )
                archive.files += 1
                continue
            if archive is not None and ref.kind in ("response", "revisit") and ref.replay:
                archive.add(ref)
    return sites


# -- replaying callbacks offline ------------------------------------------------------------

# Callbacks whose response holds whole posts: each archived one is replayed.
ROOT_CALLBACKS = ("parse_post", "parse_rest_posts")
# Callbacks whose responses set what later ones read (the REST index: the site's time zone).
PRELUDE_CALLBACKS = ("parse_rest_index",)
# Callbacks that finish an item a root began: their requests are answered from the archive.
CHAIN_CALLBACKS = ("parse_post_page", "parse_rest_names", "parse_rest_html")


class NotArchived(Exception):
    """A request a replayed callback made whose response the archive does not hold."""


def offline_spider(spider_name: str, base_url: str, settings: Any) -> scrapy.Spider:
    """The crawl's spider class, built as a crawl builds it, without an engine or network."""
    from scrapy.crawler import Crawler
    from scrapy.spiderloader import get_spider_loader
    from scrapy.statscollectors import MemoryStatsCollector

    spider_class = get_spider_loader(settings).load(spider_name)
    crawler = Crawler(spider_class, settings)
    crawler.stats = MemoryStatsCollector(crawler)
    kwargs = {"base_url": base_url} if base_url else {}
    spider = spider_class.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


class Replay:
    """Calls the spider's own callbacks on archived responses; collects what they yield."""

    def __init__(self, spider: scrapy.Spider, archive: SiteArchive) -> None:
        from crawler.middlewares import Utf8DetectionMiddleware

        self.spider = spider
        self.archive = archive
        self.http_errors = HttpErrorMiddleware.from_crawler(spider.crawler)
        self.encodings = Utf8DetectionMiddleware(spider.crawler.stats)

    def roots(self, since: datetime | None = None) -> list[RecordRef]:
        """The responses to replay (fetched from ``since``), oldest first: preludes, then
        whole-post responses; each URL's latest."""
        unique = {id(ref): ref for ref in self.archive.latest.values()}.values()
        refs = sorted(unique, key=lambda r: (r.when, r.path.name, r.offset))
        first = [r for r in refs if (r.replay or {}).get("callback") in PRELUDE_CALLBACKS]
        posts = [
            r
            for r in refs
            if (r.replay or {}).get("callback") in ROOT_CALLBACKS
            and (since is None or r.when >= since)
        ]
        return first + posts

    def run(self, ref: RecordRef) -> list[Any]:
        """The items one archived response gives, its chained requests answered from the
        archive; NotArchived when one of them is not there."""
        archived = self.archive.load(ref)
        info = archived.replay
        request = Request(
            archived.url,
            callback=self._method(info.get("callback")),
            errback=self._method(info.get("errback")),
            meta=dict(info.get("meta") or {}),
            dont_filter=True,
        )
        return list(self._call(request, archived))

    def _method(self, name: str | None) -> Any:
        return getattr(self.spider, name) if name else None

    def _response(self, request: Request, archived: Archived) -> Response:
        headers = Headers(archived.headers)
        cls = responsetypes.from_args(headers=headers, url=archived.url, body=archived.body)
        response = cls(
            url=archived.url,
            status=archived.status,
            headers=headers,
            body=archived.body,
            request=request,
        )
        return self.encodings.process_response(request, response)

    def _call(self, request: Request, archived: Archived) -> Iterator[Any]:
        response = self._response(request, archived)
        try:
            self.http_errors.process_spider_input(response)
            output: Iterable[Any] = request.callback(response) or ()
        except HttpError:
            failure = Failure()
            failure.request = request  # type: ignore[attr-defined]
            output = request.errback(failure) if request.errback else ()
        for element in output or ():
            if isinstance(element, Request):
                yield from self._follow(element)
            else:
                yield element

    def _follow(self, request: Request) -> Iterator[Any]:
        """A request for the rest of an item, answered by the archive; others are the
        crawl's discovery (next listing pages, other posts), which reparse does not walk."""
        if _method_name(request.callback) not in CHAIN_CALLBACKS:
            return
        ref = self.archive.latest.get(request.url)
        if ref is None:
            raise NotArchived(request.url)
        yield from self._call(request, self.archive.load(ref))
