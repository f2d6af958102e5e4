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


@dataclass(frozen=True)
class SiteProfile:
    name: str
    base_url: str
    language: str = "lo"
    timezone: str = "Asia/Vientiane"
    # Archive roots walked to the end of their pagination; category archives found in the
    # menu are walked too when ``follow_category_archives`` is set.
    archive_paths: tuple[str, ...] = ("/",)
    follow_category_archives: bool = True
    # Path of a post permalink; the first group is the WordPress post ID.
    post_path_pattern: str = r"^/(\d+)/$"
    # CSS selectors that override the generic WordPress ones (keys: see extract.wordpress).
    selectors: dict[str, str] = field(default_factory=dict)
    # Extra CSS selectors whose elements are boilerplate inside the entry content.
    boilerplate: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc


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
