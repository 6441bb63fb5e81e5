"""Scrapy settings for the review crawler (``scrapy.cfg`` points here).

Polite defaults: robots.txt obeyed, AutoThrottle on, at most 2 requests in flight per domain,
an identifying User-Agent. Output: JSON Lines under ``output/<spider>/`` written atomically.
Override anything with ``-s NAME=value``.
"""

BOT_NAME = "review-crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "review-crawler/0.1 (film and TV review research crawler; polite; obeys robots.txt)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False

ITEM_PIPELINES = {
    "crawler.pipelines.NormalizePipeline": 100,
    "crawler.pipelines.ValidatePipeline": 200,
    "crawler.pipelines.DedupPipeline": 300,
}
EXTENSIONS = {
    "crawler.rejects.RejectsWriter": 100,
}

FEED_EXPORTERS = {
    "jsonl": "crawler.exporters.ReviewJsonLinesExporter",
    "jsonlines": "crawler.exporters.ReviewJsonLinesExporter",
    "gz": "crawler.exporters.ReviewJsonLinesExporter",
}
FEED_STORAGES = {
    "": "crawler.exporters.AtomicFileFeedStorage",
    "file": "crawler.exporters.AtomicFileFeedStorage",
}
FEED_EXPORT_ENCODING = "utf-8"
# Default output when no -o/-O is given; set OUTPUT_GZIP-like behaviour by naming a .gz file.
FEEDS = {
    "output/%(name)s/%(time)s.jsonl": {"format": "jsonl", "encoding": "utf-8"},
}
REJECTS_URI = None

LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_STORE_EMPTY = True
