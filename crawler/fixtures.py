"""Stored pages and their expected items: the regression net of every site profile.

A fixture is one post as the crawl met it: the bytes and headers the Scrapy downloader handed
the spider (project settings and middlewares: same-site gate, robots.txt, redirects, size cap),
every page of a post split with ``<!--nextpage-->``, and the item the crawl stores from them.
The layout is web-poet's testing layout, without its runtime (README, "Page fixtures")::

    tests/fixtures/<site>/<fixture>/
        meta.json                          requested URL, how the pages were obtained
        output.json                        the stored item (RECORD_FIELDS, authors, rejected)
        inputs/HttpResponse-body.html      page 1, the bytes as downloaded (never re-encoded)
        inputs/HttpResponse-info.json      its url, status, headers
        inputs/HttpClient-0-HttpRequest.info.json   page 2 (requested URL), page 3 is -1-, ...
        inputs/HttpClient-0-HttpResponse.body.html
        inputs/HttpClient-0-HttpResponse.info.json

Checking a fixture replays it offline through the site's own spider: each stored page becomes
a Scrapy response (Scrapy's encoding detection, then Utf8DetectionMiddleware), goes to the
callback the crawl would call, and every request the spider yields is answered from the stored
pages, so a split post is joined exactly as the crawl joins it. The resulting ``Post`` goes
through the clean and validate pipelines (``crawler.extract.item.finished_item``).
"""

from __future__ import annotations

import argparse
import ast
import base64
import hashlib
import importlib.util
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.sites import SiteProfile, registry
from schema import RECORD_FIELDS

# An item is expected to match in the fields the corpus stores, and in whether it is rejected.
EXPECTED_FIELDS = (*RECORD_FIELDS, "authors")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
FETCH_SCHEMES = ("http", "https")
FETCH_MAX_BYTES = 16 * 1024 * 1024  # the crawler's DOWNLOAD_MAXSIZE, which the download uses
CODE_ROOT = Path(__file__).resolve().parent.parent
FIRST = "HttpResponse"
LATER = "HttpClient-{index}-Http{kind}.{part}"
NOT_STORED = "not stored"  # the spider yielded nothing for the page
VOLATILE_HEADERS = (b"date",)  # changes on every download, read by nothing: not stored


class FixtureError(ValueError):
    """A fixture that cannot be saved or read: one line saying which page and why."""


class MissingPage(FixtureError):
    """The spider asked for a page that was not downloaded (or is not stored)."""

    def __init__(self, url: str, which: str) -> None:
        self.url, self.which = url, which
        super().__init__(f"{url} ({which}) is not stored")


def check_name(name: str) -> str:
    """A site name becomes a module and a directory name: it must be a plain Python
    identifier, never a path (``../../x``) or a keyword."""
    if not NAME_PATTERN.fullmatch(name) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(
            f"site name {name!r} must be lowercase letters, digits and _ (a Python identifier "
            "starting with a letter, 2-41 characters, not a keyword)"
        )
    return name


def check_web_url(url: str, option: str = "URL") -> str:
    """An http(s) URL with a host and no whitespace or control characters, else ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in FETCH_SCHEMES or not parts.hostname:
        raise ValueError(f"{option} must be an http(s) URL, got {url!r}")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError(f"{option} must not contain whitespace or control characters: {url!r}")
    return url


def site_file(root: Path, name: str) -> Path:
    return root / "crawler" / "sites" / f"{name}.py"


def fixture_dir(root: Path, name: str) -> Path:
    return root / "tests" / "fixtures" / name


def load_profile(name: str, root: Path) -> SiteProfile:
    """The profile ``name`` from ``root`` (a checkout, maybe not the installed one)."""
    path = site_file(root, check_name(name))
    if path.exists():
        spec = importlib.util.spec_from_file_location(f"_site_{name}", path)
        if spec and spec.loader:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            site = getattr(module, "SITE", None)
            if isinstance(site, SiteProfile):
                return site
        raise ValueError(f"{path} defines no SITE = SiteProfile(...)")
    if name in registry():
        return registry()[name]
    raise ValueError(f"no site profile {name!r} (create it with `laocorpus new-site`)")


def fixture_name(url: str) -> str:
    """A directory name from the URL: ``/2709/`` → ``2709``, ``/?p=12&page=2`` → ``p-12-page-2``."""
    parts = urlsplit(url)
    raw = "-".join(filter(None, [*parts.path.split("/"), *re.split(r"[=&]", parts.query)]))
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-") or "home"
    if name != raw.strip("-"):  # Lao slugs and the like: keep names apart with a digest
        name += "-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:8]
    return name


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# -- one stored response --------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One response as the downloader handed it to the spider (body after Content-Encoding
    is undone, before any decoding)."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of(cls, response) -> Page:
        headers = tuple(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in response.headers.items()
            if name.lower() not in VOLATILE_HEADERS
            for value in values
        )
        return cls(response.url, response.status, headers, response.body)

    def info(self) -> dict[str, Any]:
        """web-poet's HttpResponse-info.json (``_encoding`` null: detected, never forced)."""
        return {
            "_encoding": None,
            "headers": [list(pair) for pair in self.headers],
            "status": self.status,
            "url": self.url,
        }

    @classmethod
    def from_info(cls, info: Mapping[str, Any], body: bytes) -> Page:
        headers = tuple((str(k), str(v)) for k, v in info.get("headers", []))
        return cls(str(info["url"]), int(info.get("status", 200)), headers, body)

    def to_json(self) -> dict[str, Any]:
        return {**self.info(), "body": base64.b64encode(self.body).decode("ascii")}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Page:
        return cls.from_info(data, base64.b64decode(data["body"]))

    def response(self, request):
        """The Scrapy response the downloader would build: the class (HtmlResponse,
        TextResponse, Response) chosen from the headers, URL and body, as Scrapy chooses it."""
        from scrapy.http import Headers
        from scrapy.responsetypes import responsetypes

        headers = Headers()
        for name, value in self.headers:
            headers.appendlist(name, value)
        kind = responsetypes.from_args(headers=headers, url=self.url, body=self.body)
        return kind(
            url=self.url, status=self.status, headers=headers, body=self.body, request=request
        )


# -- replaying stored pages through the site's spider ------------------------------------------


def _project_settings():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def _spider_class(profile: SiteProfile) -> type:
    from crawler.spiders.wordpress import WordPressSpider

    return type(
        f"Fixture{profile.name.title().replace('_', '')}Spider",
        (WordPressSpider,),
        {"name": f"fixture_{profile.name}", "profile": profile, "__module__": __name__},
    )


@dataclass
class Outcome:
    """What the crawl does with one post: the pages it reads, in order, and the item."""

    pages: list[tuple[str, Page]]  # (requested URL, response)
    output: dict[str, Any]
    post: dict[str, Any] | None  # the spider's item before the pipelines, JSON-shaped


class Replay:
    """The site's spider fed with stored pages: the crawl's callbacks and decoding, offline."""

    def __init__(self, profile: SiteProfile, base_url: str) -> None:
        from scrapy.crawler import Crawler
        from scrapy.statscollectors import MemoryStatsCollector

        from crawler.middlewares import Utf8DetectionMiddleware

        spidercls = _spider_class(profile)
        # A crawler that never runs: settings, signals and stats, no reactor needed.
        self.crawler = Crawler(spidercls, _project_settings())
        self.crawler.stats = MemoryStatsCollector(self.crawler)
        # Not from_crawler: that opens the corpus for its known posts, which a page ignores.
        self.spider = spidercls(base_url=base_url)
        self.spider._set_crawler(self.crawler)
        self.crawler.spider = self.spider
        self.decoding = Utf8DetectionMiddleware.from_crawler(self.crawler)

    def run(self, url: str, pages: Mapping[str, Page]) -> Outcome:
        """The crawl of the post at ``url``; a page the spider asks for must be in ``pages``."""
        import scrapy
        from itemadapter import ItemAdapter

        from crawler.extract.item import PROTECTED, finished_item
        from crawler.items import Post, Reject

        stats = self.crawler.stats
        protected_before = stats.get_value("corpus/skipped/protected", 0)
        queue = [scrapy.Request(url, callback=self.spider.parse_post, dont_filter=True)]
        read: list[tuple[str, Page]] = []
        items: list[Any] = []
        while queue:
            request = queue.pop(0)
            page = pages.get(request.url)
            if page is None:
                number = request.meta.get("page_number")
                raise MissingPage(request.url, f"page {number} of {url}" if number else "page 1")
            read.append((request.url, page))
            response = self.decoding.process_response(request, page.response(request))
            for result in request.callback(response) or ():
                (queue if isinstance(result, scrapy.Request) else items).append(result)
        posts = [item for item in items if isinstance(item, Post)]
        rejects = [item for item in items if isinstance(item, Reject)]
        if posts:
            post = _jsonable(ItemAdapter(posts[0]).asdict())
            output = finished_item(posts[0], EXPECTED_FIELDS)
        else:
            post = None
            output = dict.fromkeys(EXPECTED_FIELDS)
            if rejects:
                output["url"] = rejects[0]["url"]
                output["rejected"] = rejects[0]["reason"]
            elif stats.get_value("corpus/skipped/protected", 0) > protected_before:
                output["rejected"] = PROTECTED
            else:
                output["rejected"] = NOT_STORED
        return Outcome(read, output, post)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


# -- downloading through Scrapy (in a subprocess: the reactor runs once per process) --------


@dataclass
class Download:
    pages: dict[str, Page]  # by requested URL
    errors: dict[str, str]  # requested URL -> why it failed
    posts: list[dict[str, Any]]  # the crawl's own items, to check the replay against


def download(name: str, root: Path, urls: list[str]) -> Download:
    """Crawl ``urls`` (and the later pages of split posts) with the site's spider and the
    project's settings and middlewares; nothing is stored in a corpus."""
    for url in urls:
        check_web_url(url)
    with tempfile.TemporaryDirectory(prefix="laocorpus-fixture-") as scratch:
        output = Path(scratch) / "download.json"
        command = [sys.executable, "-m", "crawler.fixtures", "download", name, str(root)]
        command += [str(output), *urls]
        env = {
            **os.environ,
            "SCRAPY_SETTINGS_MODULE": "crawler.settings",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(CODE_ROOT), os.environ.get("PYTHONPATH")])
            ),
        }
        done = subprocess.run(
            command, cwd=CODE_ROOT, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or not output.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise FixtureError(f"the download crawl failed: {last}")
        data = json.loads(output.read_text(encoding="utf-8"))
    pages = {url: Page.from_json(page) for url, page in data["pages"].items()}
    return Download(pages, data["errors"], data["posts"])


def _crawl(name: str, root: Path, output: Path, urls: list[str]) -> None:
    """The subprocess: a crawl of exactly these posts, recording what the spider received."""
    import scrapy
    from itemadapter import ItemAdapter
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.failures import failure_reason
    from crawler.items import Post, Reject
    from crawler.unreachable import STAT as UNREACHABLE

    base = _spider_class(load_profile(name, root))
    pages: dict[str, Page] = {}
    errors: dict[str, str] = {}
    posts: list[dict[str, Any]] = []

    class RecordingSpider(base):  # type: ignore[misc, valid-type]
        async def start(self):
            for url in urls:
                yield scrapy.Request(
                    url, callback=self.parse_post, errback=self.fixture_failed, dont_filter=True
                )

        @classmethod
        def from_crawler(cls, crawler, *args, **kwargs):
            spider = super().from_crawler(crawler, *args, **kwargs)
            crawler.signals.connect(spider.record_page, signal=signals.response_received)
            crawler.signals.connect(spider.record_item, signal=signals.item_scraped)
            return spider

        def record_page(self, response, request, spider) -> None:
            if getattr(request.callback, "__self__", None) is not self:
                return  # robots.txt and the like: not a page of a post
            if not 200 <= response.status < 300:
                return  # HttpErrorMiddleware hands it to the errback, never to a callback
            key = (request.meta.get("redirect_urls") or [request.url])[0]
            pages[key] = Page.of(response)

        def record_item(self, item, response, spider) -> None:
            if isinstance(item, Post):
                posts.append(_jsonable(ItemAdapter(item).asdict()))
            elif isinstance(item, Reject):  # a later page of a split post failed
                errors.setdefault(item["url"], item["reason"])

        def fixture_failed(self, failure) -> None:
            request = failure.request
            key = (request.meta.get("redirect_urls") or [request.url])[0]
            reason = failure_reason(failure, self.settings.getint("DOWNLOAD_MAXSIZE"))
            response = getattr(failure.value, "response", None)
            location = response.headers.get("Location") if response is not None else None
            if location and 300 <= response.status < 400:  # Scrapy follows http(s) only
                where = location.decode("latin-1")[:200]
                reason += f" (a redirect to {where}, not followed)"
            errors[key] = reason

    settings = get_project_settings()
    settings.setdict(
        {
            "ITEM_PIPELINES": {},  # the fixture is the pages and the item, not a corpus row
            "EXTENSIONS": {},  # no run row, lock, monitors or summary
            "SPIDERMON_ENABLED": False,
            "CORPUS_WARC_ENABLED": False,
            "CORPUS_REDIS_URL": None,
            "CORPUS_DATABASE_URL": f"sqlite:///{output.parent / 'known.sqlite'}",
            "LOG_LEVEL": "WARNING",
            # Each listed URL is crawled as a post on its own, even if another's pages hold it.
            "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
            # One request at a time: polite, and only one request ever waits for robots.txt
            # (a second waiter on PoliteRobotsTxtMiddleware's Deferred gets None: allow-all).
            "CONCURRENT_REQUESTS": 1,
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(RecordingSpider)
    process.crawl(crawler, base_url=origin_of(urls[0]))
    process.start()
    unreachable = crawler.stats.get_value(UNREACHABLE)
    if unreachable:  # nothing answered: say why, not what robots.txt made of it
        errors = {url: f"site unreachable: {unreachable}" for url in urls if url not in pages}
    result = {
        "pages": {url: page.to_json() for url, page in pages.items()},
        "errors": errors,
        "posts": posts,
    }
    output.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# -- fixtures on disk ----------------------------------------------------------------------


def _json(value: Any) -> str:
    """Sorted, indented JSON, with each header pair on one line (readable diffs)."""
    if isinstance(value, dict) and isinstance(value.get("headers"), list) and value["headers"]:
        pairs = ",\n".join(
            "    " + json.dumps(pair, ensure_ascii=False) for pair in value["headers"]
        )
        rest = _json({**value, "headers": []})
        return rest.replace('"headers": []', '"headers": [\n' + pairs + "\n  ]", 1)
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_fixture(directory: Path, url: str, outcome: Outcome, source: str) -> Path:
    """Replace ``directory`` with the pages and item of ``outcome``."""
    if directory.exists():
        shutil.rmtree(directory)
    inputs = directory / "inputs"
    inputs.mkdir(parents=True)
    (first_url, first), *later = outcome.pages
    (inputs / f"{FIRST}-body.html").write_bytes(first.body)
    (inputs / f"{FIRST}-info.json").write_text(_json(first.info()), encoding="utf-8")
    if later:
        (inputs / "HttpClient.exists").write_bytes(b"")
    for index, (requested, page) in enumerate(later):
        request = {"headers": [], "method": "GET", "url": requested}
        for kind, part, content in (
            ("Request", "info.json", _json(request).encode("utf-8")),
            ("Response", "body.html", page.body),
            ("Response", "info.json", _json(page.info()).encode("utf-8")),
        ):
            (inputs / LATER.format(index=index, kind=kind, part=part)).write_bytes(content)
    meta = {"url": first_url, "pages": len(outcome.pages), "source": source}
    (directory / "meta.json").write_text(_json(meta), encoding="utf-8")
    (directory / "output.json").write_text(_json(outcome.output), encoding="utf-8")
    return directory


def read_pages(directory: Path) -> tuple[str, dict[str, Page]]:
    """(requested URL of page 1, every stored page by requested URL) of one fixture."""
    inputs = directory / "inputs"
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        info = json.loads((inputs / f"{FIRST}-info.json").read_text(encoding="utf-8"))
        pages = {meta["url"]: Page.from_info(info, (inputs / f"{FIRST}-body.html").read_bytes())}
        index = 0
        while (inputs / LATER.format(index=index, kind="Request", part="info.json")).exists():
            part = {
                name: inputs / LATER.format(index=index, kind=kind, part=name_part)
                for name, kind, name_part in (
                    ("request", "Request", "info.json"),
                    ("info", "Response", "info.json"),
                    ("body", "Response", "body.html"),
                )
            }
            requested = json.loads(part["request"].read_text(encoding="utf-8"))["url"]
            info = json.loads(part["info"].read_text(encoding="utf-8"))
            pages[requested] = Page.from_info(info, part["body"].read_bytes())
            index += 1
    except (OSError, ValueError, KeyError) as exc:
        raise FixtureError(f"{directory} is not a fixture: {exc}") from None
    return meta["url"], pages


def fixtures_in(directory: Path) -> list[Path]:
    """The fixture directories of a site, sorted (a site without any: an empty list)."""
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.iterdir() if (path / "output.json").is_file())


def expected_output(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "output.json").read_text(encoding="utf-8"))


def save_fixtures(
    name: str, root: Path, urls: list[str], html_file: Path | None = None
) -> list[tuple[Path, Outcome]]:
    """Download each post (all its pages) and store it with the item the crawl stores today.

    With ``html_file`` (one URL), the file's bytes stand in for the download of that URL,
    served as ``text/html`` with no charset (the page's own ``<meta charset>`` decides).
    Nothing is written unless every post could be fetched.
    """
    profile = load_profile(name, root)
    if html_file is not None:
        if len(urls) != 1:
            raise FixtureError("--html goes with exactly one URL")
        body = html_file.read_bytes()
        if len(body) > FETCH_MAX_BYTES:
            raise FixtureError(f"{html_file} is larger than {FETCH_MAX_BYTES} bytes")
        page = Page(urls[0], 200, (("Content-Type", "text/html"),), body)
        got = Download({urls[0]: page}, {}, [])
        source = f"file {html_file.name}"
    else:
        got = download(name, root, urls)
        source = "scrapy"
    replay = Replay(profile, origin_of(urls[0]))
    outcomes: dict[str, Outcome] = {}
    for url in dict.fromkeys(urls):
        if url in got.errors:
            raise FixtureError(f"cannot fetch {url}: {got.errors[url]}")
        try:
            outcomes[url] = outcome = replay.run(url, got.pages)
        except MissingPage as missing:
            later = [why for why in got.errors.values() if why.startswith("page ")]
            reason = got.errors.get(missing.url) or (later[0] if later else "not downloaded")
            raise FixtureError(f"cannot fetch {missing.url} ({missing.which}): {reason}") from None
        if got.posts and outcome.post is not None and outcome.post not in got.posts:
            raise FixtureError(f"{url}: the replayed item differs from the crawl's")
    # Page 2 of a post listed too is saved with its post, never as a post of its own.
    later = {requested for outcome in outcomes.values() for requested, _ in outcome.pages[1:]}
    done = [
        (fixture_dir(root, name) / fixture_name(url), outcome)
        for url, outcome in outcomes.items()
        if url not in later
    ]
    for directory, outcome in done:
        write_fixture(directory, outcome.pages[0][0], outcome, source)
    return done


def _source(directory: Path) -> str:
    try:
        return json.loads((directory / "meta.json").read_text(encoding="utf-8"))["source"]
    except (OSError, ValueError, KeyError):
        return "scrapy"


def fixture_differences(profile: SiteProfile, directory: Path) -> list[str]:
    """Every field where today's crawl of a stored post differs from its expectation, as
    ``<fixture> <field>: extracted ..., expected ...`` (the first difference of long texts)."""
    problems = []
    replays: dict[str, Replay] = {}
    for fixture in fixtures_in(directory):
        problems += _fixture_problems(profile, fixture, replays)
    return problems


def _fixture_problems(
    profile: SiteProfile, fixture: Path, replays: dict[str, Replay] | None = None
) -> list[str]:
    replays = {} if replays is None else replays
    url, pages = read_pages(fixture)
    base = origin_of(url)
    replay = replays.get(base) or replays.setdefault(base, Replay(profile, base))
    try:
        actual = replay.run(url, pages).output
    except MissingPage as missing:
        return [
            f"{fixture.name}: the spider now asks for {missing.url} ({missing.which}), "
            "which the fixture does not hold: re-save it"
        ]
    expected = expected_output(fixture)
    return [
        f"{fixture.name} {field}: {describe(actual.get(field), expected.get(field))}"
        for field in dict.fromkeys([*expected, *actual])
        if actual.get(field) != expected.get(field)
    ]


def fixture_problems(profile: SiteProfile, fixture: Path) -> list[str]:
    """The differences of one fixture (the parametrized site test's body)."""
    return _fixture_problems(profile, fixture)


def describe(actual: Any, expected: Any, width: int = 40) -> str:
    """``extracted X, expected Y``; two long texts are cut around their first difference."""
    long = isinstance(actual, str) and isinstance(expected, str) and actual and expected
    if not long or max(len(actual), len(expected)) <= 2 * width:
        return f"extracted {actual!r}, expected {expected!r}"
    at = next(
        (i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b),
        min(len(actual), len(expected)),
    )
    start = max(0, at - width // 2)

    def cut(text: str) -> str:
        return ("…" if start else "") + text[start : at + width // 2] + "…"

    return (
        f"extracted {cut(actual)!r}, expected {cut(expected)!r} (first difference at "
        f"character {at}; lengths {len(actual)} and {len(expected)})"
    )


def update_fixtures(profile: SiteProfile, directory: Path) -> int:
    """Rewrite every expectation from its stored pages, after a deliberate extraction change."""
    fixtures = fixtures_in(directory)
    for fixture in fixtures:
        url, pages = read_pages(fixture)
        outcome = Replay(profile, origin_of(url)).run(url, pages)
        write_fixture(fixture, url, outcome, _source(fixture))
    return len(fixtures)


# -- new sites -------------------------------------------------------------------------------

# Values enter the generated code as Python literals ({name!r}, {url!r}), never pasted text.
PROFILE_TEMPLATE = '''"""The {name} site profile (its address is base_url below).

Describe the site and its theme here, and why any setting below differs from the generic
WordPress rules (see CONTRIBUTING.md).
"""

from crawler.sites import SiteProfile

SITE = SiteProfile(
    name={name!r},
    base_url={url!r},
    language="lo",
    # discovery=("rest", "sitemap", "feed", "archive"),  # the default order
    # selectors={{"date_text": ".post-date"}},  # only what the generic extraction misses
    # boilerplate=(".newsletter-box",),  # extra blocks to drop from the body
)
'''


def new_site(name: str, url: str, root: Path, force: bool = False) -> list[Path]:
    """Write the profile skeleton; refuse to overwrite unless forced. Its fixtures need no
    test file of their own: tests/sites/test_fixtures.py runs every site's."""
    check_name(name)
    check_web_url(url, "--url")
    profile = PROFILE_TEMPLATE.format(name=name, url=url.rstrip("/"))
    _check_literals(profile, {"name": name, "base_url": url.rstrip("/")})
    path = site_file(root, name)
    if path.exists() and not force:
        raise ValueError(f"{path} exists (use --force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profile, encoding="utf-8")
    return [path]


def _check_literals(source: str, wanted: dict[str, str]) -> None:
    """The generated profile parses and its SiteProfile(...) holds exactly these constants:
    proof that no value escaped its literal."""
    call = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "SiteProfile"
    )
    found = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg in wanted}
    if found != wanted:
        raise ValueError(f"generated profile does not hold {wanted!r}")


def _main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.fixtures", description=_crawl.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    crawl = sub.add_parser("download")
    crawl.add_argument("name")
    crawl.add_argument("root", type=Path)
    crawl.add_argument("output", type=Path)
    crawl.add_argument("urls", nargs="+")
    args = parser.parse_args(list(argv) if argv is not None else None)
    _crawl(args.name, args.root, args.output, args.urls)


if __name__ == "__main__":
    _main()
