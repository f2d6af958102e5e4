"""The setups a real-WordPress test site can take: theme, permalink structure, REST mode."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

THEMES = ("twentytwentyone", "twentytwentytwo", "twentytwentythree")
PERMALINKS = {
    "plain": "",
    "post_id": "/%post_id%/",  # as lsr.com.la
    "postname": "/%postname%/",  # percent-encoded Lao slugs
    "date": "/%year%/%monthnum%/%day%/%postname%/",
}
# on; every REST request 401; /wp/v2/users 401; _embed dropped by a "proxy".
REST_MODES = ("on", "blocked", "users_blocked", "no_embed")
SHORT_THEME = {"twentytwentyone": "tt1", "twentytwentytwo": "tt2", "twentytwentythree": "tt3"}


@dataclass(frozen=True, slots=True)
class Variant:
    theme: str = "twentytwentyone"
    permalinks: str = "postname"
    rest: str = "on"

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise ValueError(f"theme must be one of {THEMES}")
        if self.permalinks not in PERMALINKS:
            raise ValueError(f"permalinks must be one of {tuple(PERMALINKS)}")
        if self.rest not in REST_MODES:
            raise ValueError(f"rest must be one of {REST_MODES}")

    @property
    def permalink_structure(self) -> str:
        return PERMALINKS[self.permalinks]

    @property
    def name(self) -> str:
        return f"{SHORT_THEME[self.theme]}-{self.permalinks}-rest_{self.rest}"


def theme_rest_grid() -> list[Variant]:
    """Every theme × REST mode once; permalink styles rotate so each meets every theme, and
    the HTML-only crawls (REST blocked) meet plain (``?p=N&page=2``), ``/%post_id%/`` and
    percent-encoded Lao slugs."""
    styles = ("date", "plain", "post_id", "postname")
    return [
        Variant(theme, styles[(t + r) % len(styles)], rest)
        for (t, theme), (r, rest) in itertools.product(enumerate(THEMES), enumerate(REST_MODES))
    ]
