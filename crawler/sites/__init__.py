"""Site profiles: one small module per site, found by scanning this package.

A profile is data (where the site lives, how it is discovered, the few selectors and date
formats that differ from generic WordPress). Adding a site means adding one module that
defines ``SITE``; nothing else has to be edited.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.discovery import AUTO_ORDER


@dataclass(frozen=True)
class SiteProfile:
    name: str
    base_url: str
    language: str = "lo"
    timezone: str = "Asia/Vientiane"
    # Discovery sources tried in order until one answers (see crawler/discovery).
    discovery: tuple[str, ...] = AUTO_ORDER
    # Archive roots walked to the end of their pagination; category archives found on the
    # pages are walked too when ``follow_category_archives`` is set.
    archive_paths: tuple[str, ...] = ("/",)
    follow_category_archives: bool = False
    # Path of a post permalink, first group the WordPress ID. When set, any link of that
    # shape on an archive page is followed (sidebars too), not only the listed posts' titles.
    post_path_pattern: str | None = None
    # CSS selectors that override the generic WordPress ones (keys: see extract.wordpress).
    selectors: dict[str, str] = field(default_factory=dict)
    # Extra CSS selectors whose elements are boilerplate inside the entry content.
    boilerplate: tuple[str, ...] = ()
    # The site's other host names (``www.`` plus the bare domain), same scheme and port as
    # ``base_url``. Nothing else is ever requested (crawler/scope.py; setting CORPUS_EXTRA_HOSTS).
    extra_hosts: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc


def generic_profile(base_url: str, name: str | None = None) -> SiteProfile:
    """A profile for an unseen WordPress site: every generic default, named after its host."""
    host = urlsplit(base_url).hostname or "site"
    return SiteProfile(name=name or host, base_url=base_url.rstrip("/"))


@functools.cache
def registry() -> dict[str, SiteProfile]:
    """Every ``SITE`` defined by a module of this package, by name."""
    profiles: dict[str, SiteProfile] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        site = getattr(module, "SITE", None)
        if isinstance(site, SiteProfile):
            profiles[site.name] = site
    return profiles


def get_profile(name: str) -> SiteProfile:
    try:
        return registry()[name]
    except KeyError:
        known = ", ".join(sorted(registry())) or "none"
        raise KeyError(f"unknown site {name!r} (known sites: {known})") from None
