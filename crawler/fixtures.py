"""Stored pages and their expected items: the regression net of every site profile.

As in fundus, each fixture is a page's HTML (gzip) next to the item the profile must extract
from it (JSON). ``laocorpus fixture save`` writes them, the site's generated test checks the
profile against all of them, and a theme change shows up as a readable field-by-field diff.
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import importlib.util
import json
import keyword
import re
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corpus.writer import RECORD_FIELDS
from crawler.extract.item import stored_item
from crawler.settings import USER_AGENT
from crawler.sites import SiteProfile, registry

# An item is expected to match in exactly the fields the corpus compares on a re-crawl.
EXPECTED_FIELDS = RECORD_FIELDS
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
FETCH_SCHEMES = ("http", "https")
FETCH_MAX_BYTES = 16 * 1024 * 1024  # as the crawler's DOWNLOAD_MAXSIZE


def check_name(name: str) -> str:
    """A site name becomes a module, a test function and a directory name: it must be a
    plain Python identifier, never a path (``../../x``) or a keyword."""
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


def site_test_file(root: Path, name: str) -> Path:
    return root / "tests" / "sites" / f"test_{name}.py"


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


def extract_item(html: str, url: str, profile: SiteProfile) -> dict[str, Any]:
    """What the crawl would store for this page (the item ``laocorpus extract`` prints)."""
    item = stored_item(html, url, profile, fields=EXPECTED_FIELDS)
    return {field: _plain(item.get(field)) for field in EXPECTED_FIELDS}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def fixture_name(url: str) -> str:
    """A file name from the URL: ``/2709/`` → ``2709``, ``/?p=12&page=2`` → ``p-12-page-2``."""
    parts = urlsplit(url)
    raw = "-".join(filter(None, [*parts.path.split("/"), *re.split(r"[=&]", parts.query)]))
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-") or "home"
    if name != raw.strip("-"):  # Lao slugs and the like: keep names apart with a digest
        name += "-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:8]
    return name


class _WebRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects to http(s) only (urllib's own also follows ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_web_url(newurl, "a redirect")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _web_opener() -> urllib.request.OpenerDirector:
    """An opener with the http(s) handlers alone: no file:, ftp: or data: handler exists."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _WebRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(url: str, timeout: float = 30) -> str:
    """The page at an http(s) URL (never a local file), at most FETCH_MAX_BYTES of it."""
    check_web_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with _web_opener().open(request, timeout=timeout) as response:
        body = response.read(FETCH_MAX_BYTES + 1)
        if len(body) > FETCH_MAX_BYTES:
            raise ValueError(f"page larger than {FETCH_MAX_BYTES} bytes")
        charset = response.headers.get_content_charset() or "utf-8"
        return body.decode(charset, errors="replace")


def save_fixture(profile: SiteProfile, url: str, html: str, directory: Path) -> Path:
    """Store the page and the item the profile extracts from it today."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / fixture_name(url)
    with gzip.open(stem.with_suffix(".html.gz"), "wt", encoding="utf-8") as handle:
        handle.write(html)
    expected = {"url": url, "expected": extract_item(html, url, profile)}
    stem.with_suffix(".json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return stem.with_suffix(".json")


def stored_fixtures(directory: Path) -> list[tuple[Path, str, str, dict[str, Any]]]:
    """(json path, page URL, HTML, expected item) for every fixture in ``directory``."""
    found = []
    for path in sorted(directory.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        with gzip.open(path.with_name(path.stem + ".html.gz"), "rt", encoding="utf-8") as handle:
            found.append((path, record["url"], handle.read(), record["expected"]))
    return found


def fixture_differences(profile: SiteProfile, directory: Path) -> list[str]:
    """Every field where today's extraction differs from a stored expectation."""
    problems = []
    for path, url, html, expected in stored_fixtures(directory):
        actual = extract_item(html, url, profile)
        for field in EXPECTED_FIELDS:
            if actual.get(field) != expected.get(field):
                problems.append(
                    f"{path.name} {field}: extracted {actual.get(field)!r}, "
                    f"expected {expected.get(field)!r}"
                )
    return problems


def update_fixtures(profile: SiteProfile, directory: Path) -> int:
    """Rewrite every expectation from its stored page, after a deliberate extraction change."""
    fixtures = stored_fixtures(directory)
    for _path, url, html, _expected in fixtures:
        save_fixture(profile, url, html, directory)
    return len(fixtures)


def assert_fixtures_pass(name: str, root: Path) -> None:
    """The body of every generated site test."""
    profile = load_profile(name, root)
    directory = fixture_dir(root, name)
    count = len(list(directory.glob("*.json")))
    assert count, f"no fixtures in {directory}: run `laocorpus fixture save {name} URL...`"
    problems = fixture_differences(profile, directory)
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:30])


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

TEST_TEMPLATE = '''"""The {name} profile still extracts each page stored in its fixtures."""

from pathlib import Path

from crawler.fixtures import assert_fixtures_pass


def test_{name}_fixtures() -> None:
    assert_fixtures_pass({name!r}, root=Path(__file__).resolve().parents[2])
'''


def new_site(name: str, url: str, root: Path, force: bool = False) -> list[Path]:
    """Write the profile skeleton and its fixture test; refuse to overwrite unless forced."""
    check_name(name)
    check_web_url(url, "--url")
    profile = PROFILE_TEMPLATE.format(name=name, url=url.rstrip("/"))
    _check_literals(profile, {"name": name, "base_url": url.rstrip("/")})
    targets = {
        site_file(root, name): profile,
        site_test_file(root, name): TEST_TEMPLATE.format(name=name),
    }
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        raise ValueError(f"{existing[0]} exists (use --force to overwrite)")
    for path, content in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return list(targets)


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
