"""Re-save the repository's page fixtures: ``python -m tests.sites.resave``.

Why one command: the fixtures are a contract reviewed in diffs, so they must be reproducible.
Every page comes from the sample site served here (seed 1, 120 posts) on the ports the
profiles name, downloaded through the real Scrapy downloader; the one real lsr.com.la article
comes from its saved file. Nothing is fetched from the internet. Each site's fixture directory
is replaced as a whole, so what remains is exactly the list below.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from crawler.fixtures import fixture_dir, save_fixtures
from testing.samplesite.server import SampleSite, make_server

REPO = Path(__file__).resolve().parents[2]
SAMPLE = {"posts": 120, "seed": 1}
# site profile -> (sample-site theme, port, post paths): 217 is the post split in 3 pages,
# 288 the dateless one the crawl rejects.
SITES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "lsr": ("lsr", 8001, ("/117/", "/129/", "/134/", "/155/", "/217/", "/583/")),
    "sample_newsbox": ("newsbox", 8000, ("/96/", "/117/", "/121/", "/217/", "/288/")),
}
FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "lsr": (("https://lsr.com.la/2709/", "tests/data/lsr_2709.html"),),
}


def resave(root: Path = REPO) -> dict[str, int]:
    """Rewrite every site's fixtures; the number saved per site."""
    site = SampleSite(**SAMPLE)
    counts = {}
    for name, (theme, port, paths) in SITES.items():
        shutil.rmtree(fixture_dir(root, name), ignore_errors=True)
        with make_server(site, port, theme=theme, permalinks="pretty") as server:
            saved = save_fixtures(name, root, [server.base_url + path for path in paths])
        for url, file in FILES.get(name, ()):
            saved += save_fixtures(name, root, [url], REPO / file)
        counts[name] = len(saved)
        print(f"{name}: {len(saved)} fixtures in {fixture_dir(root, name).relative_to(root)}")
    return counts


if __name__ == "__main__":
    resave()
