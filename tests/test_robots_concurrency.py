"""robots.txt holds for every request made while it is being fetched, not only the first.

A spider that starts with several requests at once (a fixture save, a distributed worker
taking a batch) asks robots.txt for all of them before it has arrived; each must wait for the
rules and obey them. The spider here is a plain Scrapy spider with the project's robots.txt
middleware, run in its own process, against a server that answers robots.txt late.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.corpus_check import REPO
from tests.hostile.server import HostileServer, Route

SPIDER = textwrap.dedent(
    """
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    base = sys.argv[1]
    paths = ["/public/1/", "/private/1/", "/public/2/", "/private/2/", "/public/3/", "/private/3/"]

    class Burst(scrapy.Spider):
        name = "burst"

        async def start(self):
            for path in paths:
                yield scrapy.Request(base + path, callback=self.parse)

        def parse(self, response):
            print("fetched", response.url, flush=True)

    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.robots.PoliteRobotsTxtMiddleware": 100,
        },
        "CONCURRENT_REQUESTS": 16,
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    })
    process.crawl(Burst)
    process.start()
    """
)


def test_requests_waiting_for_robots_txt_all_obey_it(tmp_path) -> None:
    script = tmp_path / "burst.py"
    script.write_text(SPIDER)
    with HostileServer() as site:
        site.route("/robots.txt", Route(body="User-agent: *\nDisallow: /private/\n", delay=0.5))
        site.route("/public/*", Route(body="<html><body>ok</body></html>"))
        site.route("/private/*", Route(body="<html><body>secret</body></html>"))
        run = subprocess.run(
            [sys.executable, str(script), site.url],
            cwd=REPO,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        paths = site.paths()
    assert run.returncode == 0, run.stderr[-2000:]
    assert paths.count("/robots.txt") == 1
    assert sorted(p for p in paths if p != "/robots.txt") == [
        "/public/1/",
        "/public/2/",
        "/public/3/",
    ]
    assert "'robotstxt/forbidden': 3" in run.stderr
