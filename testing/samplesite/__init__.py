"""A deterministic local stand-in for the Lao news blog lsr.com.la, served over real HTTP.

It stands for the outside world, so it imports nothing from the rest of the project.
Typical use::

    site = SampleSite(posts=120, seed=1)
    with make_server(site) as server:      # 127.0.0.1, a free port
        crawl(server.base_url)
    expected = ground_truth(site)
"""

from testing.samplesite.content import SampleSite, check_clean
from testing.samplesite.groundtruth import ground_truth, write_ground_truth
from testing.samplesite.server import SampleSiteServer, make_server

__all__ = [
    "SampleSite",
    "SampleSiteServer",
    "check_clean",
    "ground_truth",
    "make_server",
    "write_ground_truth",
]
