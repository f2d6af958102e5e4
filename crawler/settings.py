"""Scrapy settings for the Lao News Corpus crawler.

Defaults are polite to live sites: robots.txt obeyed, AutoThrottle on, an identifying
User-Agent. Spiders switch the delays off by themselves when they crawl a loopback mirror
(the sample site), so tests and benchmarks measure the crawler, not the politeness.
"""

BOT_NAME = "laocorpus"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "LaoNewsCorpus/0.1 (research corpus crawler; +https://lsr.com.la/ contact: see README)"
ROBOTSTXT_OBEY = True

# Politeness for live sites.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Transient failures are retried; what still fails becomes a reject with its reason.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_BACKOFF_BASE = 0.5  # seconds before the first retry, doubled each time
RETRY_BACKOFF_MAX = 10.0
RETRY_AFTER_MAX = 60.0  # the longest Retry-After honoured
DOWNLOADER_MIDDLEWARES = {
    # Scope (crawler/scope.py): every request, dont_filter probes included, passes here first.
    "crawler.middlewares.SameSiteMiddleware": 40,
    "crawler.middlewares.StreamResumeMiddleware": 45,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.PoliteRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.StrictMetaRefreshMiddleware": 580,
    "crawler.middlewares.Utf8DetectionMiddleware": 585,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.StrictRedirectMiddleware": 600,
    "crawler.archive.WarcDateMiddleware": 990,  # when each response arrived, for its WARC date
}
# The raw-page archive (crawler/archive.py): every response that gave the corpus something,
# with its request, in gzip WARC files that `laocorpus reparse` re-extracts offline.
SPIDER_MIDDLEWARES = {"crawler.archive.WarcArchiveMiddleware": 950}
CORPUS_WARC_ENABLED = True
# None: warc/ beside a SQLite corpus (data/corpus.sqlite gives data/warc/), else data/warc/.
# An empty value switches the archive off, as CORPUS_WARC_ENABLED=False does.
CORPUS_WARC_DIR: str | None = None
CORPUS_WARC_MAX_BYTES = 100 * 1024 * 1024  # a file is closed, and the next begun, past this
# Only the web: no file://, ftp://, s3:// or data: URL a hostile page names is ever read.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}
CORPUS_EXTRA_HOSTS: list[str] = []  # the site's other host names, added to its profile's

# robots.txt (crawler/robots.py): unreachable (5xx, timeout) disallows all, per RFC 9309.
ROBOTSTXT_TIMEOUT = 10.0
ROBOTSTXT_RETRY_TIMES = 1
ROBOTSTXT_MAX_CRAWL_DELAY = 60.0  # a larger Crawl-delay is capped to this
ROBOTSTXT_CRAWL_DELAY_ON_LOOPBACK = False  # loopback mirrors are not "live": no Crawl-delay

# Bounds against hostile or broken sites: each limit ends what it bounds, with a log line.
CORPUS_MAX_SITEMAPS = 1000  # sitemaps read per run (WordPress lists 2,000 posts in each)
CORPUS_MAX_SITEMAP_DEPTH = 3  # index -> index -> urlset; deeper nesting is not followed
CORPUS_MAX_URLS_PER_SITEMAP = 50_000  # the sitemap protocol's own limit
CORPUS_MAX_LISTING_PAGES = 10_000  # pages of one listing (archive, feed, REST) at most
CORPUS_STREAM_CHUNK = 500  # requests queued at a time from one sitemap or listing page
# Revisits where listings carry no change times (REST blocked, sitemaps without lastmod):
# every post of the last N days, plus this share of older posts a run, least recently
# verified first, so each is re-verified within ceil(1 / share) runs (crawler/revisit.py).
CORPUS_REVISIT_RECENT_DAYS = 14
CORPUS_REVISIT_SHARE = 0.02
# The per-run budget: a crawl that hits one ends with finish reason closespider_pagecount or
# closespider_timeout, and the run is recorded failed ("budget exhausted: ...").
CLOSESPIDER_PAGECOUNT = 1_000_000
CLOSESPIDER_TIMEOUT = 3 * 24 * 3600
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# 404s of post pages must reach the spider's errback as HttpError, so nothing special here.

# Security: no code-executing control port, no telnet console.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

FEED_EXPORT_ENCODING = "utf-8"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

# The corpus handle every component shares (crawler.corpus), opened once per crawler; then,
# with CORPUS_REDIS_URL set, distributed mode (crawler/distributedaddon.py).
ADDONS = {"crawler.corpusaddon.CorpusAddon": 0, "crawler.distributedaddon.DistributedAddon": 10}
ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
# The crawl-run recorder runs last at close, after spidermon has judged the crawl.
EXTENSIONS = {
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    "crawler.extensions.corpusrun.CorpusRunExtension": 900,
    # Every entry point's lifecycle (lock, killed runs, settings check, near-duplicates,
    # summary, exit status): built after the recorder, so it closes after the run row.
    "crawler.extensions.lifecycle.CrawlLifecycleExtension": 950,
}
# One crawl of a site into a corpus at a time (a lock file per site and corpus, here).
CORPUS_LOCK_DIR = "data/locks"
# The project's `scrapy crawl` exits 1 (failed), 75 (locked) or 130 (interrupted).
COMMANDS_MODULE = "crawler.commands"

# Monitoring (crawler/monitors.py): a failed check marks the crawl run failed.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ("crawler.monitors.CrawlClosedSuite",)
CORPUS_MONITOR_FIELD_COVERAGE = 0.99  # title, published_at, text on at least 99% of posts
CORPUS_MONITOR_MIN_ITEMS = 20  # below this many extracted posts, coverage is not judged
CORPUS_MONITOR_MAX_MISSING = 2  # this many posts may lack a field whatever the share
CORPUS_MONITOR_MAX_ERROR_RATE = 0.05  # errors per request
CORPUS_MONITOR_MIN_ITEM_RATIO = 0.5  # posts seen, against the last runs of the same kind
# Author and categories: on FIELD_COVERAGE of posts when the site shows them, and on no less
# than the share of the site's last runs minus this (FieldLossMonitor).
CORPUS_MONITOR_MAX_COVERAGE_DROP = 0.05

# The corpus: None means $CORPUS_DATABASE_URL, else sqlite:///data/corpus.sqlite.
CORPUS_DATABASE_URL = None
CORPUS_BATCH_SIZE = 200
CORPUS_FLUSH_SECONDS = 5.0
CORPUS_WRITE_RETRY_SECONDS = 300.0  # how long a batch waits for an unavailable database

# Distributed crawls (crawler/distributed.py): with CORPUS_REDIS_URL set, the add-on makes the
# crawl a worker of the site's run seeded in that Redis (`laocorpus seed`), sharing its queue.
CORPUS_REDIS_URL = None
CORPUS_REDIS_PREFIX = "laocorpus"  # keys: {prefix}:{site}:{run}:requests, :dupefilter, ...
CORPUS_RUN_ID = None  # None: the site's current run ({prefix}:{site}:run)
MAX_IDLE_TIME_BEFORE_CLOSE = 10  # seconds a worker waits, idle, for more work before closing
CORPUS_WORKER_TTL = 15  # seconds without a heartbeat after which a worker counts as dead
CORPUS_PROGRESS_SECONDS = 5  # how often a worker adds its counters to the shared run
# Queued requests as JSON with a small type registry, never pickle (crawler/redisjson.py).
SCHEDULER_SERIALIZER = "crawler.redisjson"

LOG_LEVEL = "INFO"
