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

ITEM_PIPELINES = {
    "pipelines.clean.CleanPipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
EXTENSIONS = {
    "crawler.extensions.corpusrun.CorpusRunExtension": 500,
}

# The corpus: None means $CORPUS_DATABASE_URL, else sqlite:///data/corpus.sqlite.
CORPUS_DATABASE_URL = None
CORPUS_BATCH_SIZE = 200
CORPUS_FLUSH_SECONDS = 5.0

LOG_LEVEL = "INFO"
