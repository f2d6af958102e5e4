"""``sites.toml``: the sites ``laocorpus crawl --all`` crawls besides the site profiles.

Why a file: a Lao corpus is many sites (news blogs, ministries, provincial offices), most of
them plain WordPress that need no profile module. Each ``[[site]]`` names one; the optional
``[profiles]`` table points a profile at a mirror or leaves it out of ``--all``::

    [[site]]
    name = "mofa"                      # the corpus's name for it (letters, digits, - _ .)
    url = "https://www.mofa.gov.la"    # its home page
    discovery = ["feed", "archive"]    # optional: sources to try, in order

    [profiles]
    lsr = { url = "http://127.0.0.1:8000" }   # crawl a mirror instead of the live site
    sample_newsbox = { enabled = false }       # not part of --all

Every mistake (bad TOML, an unknown key, a missing url, a duplicate name) is a
:class:`SitesFileError` whose message is one line naming the file and the entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import regex

from crawler.discovery import MODES

DEFAULT_PATHS = (Path("sites.toml"), Path("data/sites.toml"))
SITE_KEYS = {"name", "url", "discovery"}
PROFILE_KEYS = {"url", "enabled"}
NAME = regex.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}")


class SitesFileError(ValueError):
    """The sites file cannot be used; the message is one line."""


@dataclass(frozen=True)
class SiteEntry:
    """One site to crawl: a profile (``spider`` is its name) or a generic WordPress site."""

    name: str
    spider: str  # a profile's spider, or "wordpress"
    url: str | None = None  # None: the profile's own base URL
    discovery: tuple[str, ...] = ()  # () : the spider's own order

    def spider_args(self) -> dict[str, str]:
        """The arguments of the spider that crawls this site (crawler/spiders/wordpress.py)."""
        args: dict[str, str] = {}
        if self.url:
            args["base_url"] = self.url
        if self.spider == "wordpress":
            args["site"] = self.name
        if self.discovery:
            args["discovery"] = ",".join(self.discovery)
        return args


@dataclass(frozen=True)
class SitesFile:
    path: Path | None
    sites: tuple[SiteEntry, ...] = ()  # the [[site]] entries
    profile_urls: dict[str, str] | None = None  # profile -> mirror URL
    disabled: frozenset[str] = frozenset()  # profiles left out of --all

    def everything(self, profiles: Iterable[str]) -> list[SiteEntry]:
        """What ``--all`` crawls: every enabled profile (sorted), then the file's sites."""
        urls = self.profile_urls or {}
        chosen = [
            SiteEntry(name, name, urls.get(name))
            for name in sorted(profiles)
            if name not in self.disabled
        ]
        return chosen + list(self.sites)

    def find(self, name: str) -> SiteEntry | None:
        return next((site for site in self.sites if site.name == name), None)


def default_path() -> Path | None:
    """``./sites.toml``, else ``data/sites.toml``; None when neither exists."""
    return next((path for path in DEFAULT_PATHS if path.is_file()), None)


def load(path: Path | None, profiles: Iterable[str]) -> SitesFile:
    """Read and check the sites file (None: no file, only the profiles)."""
    if path is None:
        return SitesFile(None)
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SitesFileError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesFileError(f"{where}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{where}: not valid TOML: {exc}") from None
    profiles = set(profiles)
    unknown = set(data) - {"site", "profiles"}
    if unknown:
        raise SitesFileError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (use [[site]] entries and [profiles])"
        )
    sites = _sites(where, data.get("site", []), profiles)
    urls, disabled = _profiles(where, data.get("profiles", {}), profiles)
    return SitesFile(path, tuple(sites), urls, frozenset(disabled))


def _sites(where: str, entries: object, profiles: set[str]) -> list[SiteEntry]:
    if not isinstance(entries, list):
        raise SitesFileError(f"{where}: 'site' must be a list of [[site]] tables")
    sites: list[SiteEntry] = []
    for number, entry in enumerate(entries, start=1):
        label = f"{where}: [[site]] #{number}"
        if not isinstance(entry, dict):
            raise SitesFileError(f"{label} is not a table")
        _known_keys(label, entry, SITE_KEYS)
        for key in ("url", "name"):
            if key not in entry:
                raise SitesFileError(f"{label}: missing {key!r}")
        name, url = entry["name"], entry["url"]
        label = f"{where}: site {name!r}"
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise SitesFileError(f"{label}: name must be letters, digits, '-', '_' or '.'")
        if name in profiles or name == "wordpress":
            raise SitesFileError(f"{label}: the name is a site profile's; choose another")
        if any(site.name == name for site in sites):
            raise SitesFileError(f"{label} is listed twice")
        sites.append(SiteEntry(name, "wordpress", _url(label, url), _order(label, entry)))
    return sites


def _known_keys(label: str, table: dict, allowed: set[str]) -> None:
    unknown = set(table) - allowed
    if unknown:
        names = ", ".join(sorted(allowed))
        raise SitesFileError(f"{label}: unknown key {sorted(unknown)[0]!r} (allowed: {names})")


def _order(label: str, entry: dict) -> tuple[str, ...]:
    order = entry.get("discovery", [])
    if isinstance(order, str):
        order = [order]
    if not isinstance(order, list) or not all(isinstance(mode, str) for mode in order):
        raise SitesFileError(f'{label}: discovery must be a list such as ["feed", "archive"]')
    for mode in order:
        if mode not in MODES:
            raise SitesFileError(f"{label}: unknown discovery {mode!r} (one of {', '.join(MODES)})")
    if len(set(order)) != len(order):
        raise SitesFileError(f"{label}: discovery lists a source twice")
    return tuple(order)


def _url(label: str, url: object) -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SitesFileError(f"{label}: url must be an http(s) URL like https://example.la")
    return str(url).rstrip("/")


def _profiles(where: str, table: object, profiles: set[str]) -> tuple[dict[str, str], set[str]]:
    if not isinstance(table, dict):
        raise SitesFileError(f"{where}: [profiles] must be a table")
    urls: dict[str, str] = {}
    disabled: set[str] = set()
    for name, options in table.items():
        label = f"{where}: [profiles] {name!r}"
        if name not in profiles:
            known = ", ".join(sorted(profiles)) or "none"
            raise SitesFileError(f"{label} is not a site profile (profiles: {known})")
        if not isinstance(options, dict):
            raise SitesFileError(f'{label} must be a table such as {{ url = "..." }}')
        _known_keys(label, options, PROFILE_KEYS)
        if "url" in options:
            urls[name] = _url(label, options["url"])
        enabled = options.get("enabled", True)
        if not isinstance(enabled, bool):
            raise SitesFileError(f"{label}: enabled must be true or false")
        if not enabled:
            disabled.add(name)
    return urls, disabled
