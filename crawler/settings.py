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
# Outputs of one callback processed at a time (Scrapy's default is 100). Under the asyncio
# reactor Scrapy starts that many tasks for every response, whatever the callback yields (a page
# yields one item, a sitemap its requests); our pipelines and the request path are synchronous,
# so more buys nothing: 1 lifts the bench's fetch ceiling from ~84 to ~117 pages/s and the full
# pipeline from ~56 to ~80 (README, Performance).
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Sitemaps (crawler/spiders/discovery.py) up to the protocol's limits: 50 MB uncompressed (their
# requests' download_maxsize, and the gunzip limit), 50,000 URLs per file; sitemap-index chains
# at most SITEMAP_MAX_DEPTH levels deep; reading a sitemap pauses while more than
# SITEMAP_QUEUE_MAX requests wait in the scheduler (bounded memory, pages fetched meanwhile).
SITEMAP_MAX_SIZE = 50 * 1024 * 1024
SITEMAP_MAX_URLS = 50_000
SITEMAP_MAX_DEPTH = 5
SITEMAP_QUEUE_MAX = 2000
# A sitemap's entries are read, and their pages scheduled, while it is still downloading.
SITEMAP_STREAM = True
# Scrapy stops downloading while more than this many response bytes are being processed; above
# the largest sitemap, so pages are fetched while a 50 MB sitemap is being read.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 64 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
# No server in the crawl process: neither Scrapy's telnet console nor its remote-control HTTP
# server (on by default in Scrapy 2.19: it runs Python code sent to it).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Only http and https are fetched (crawler/middlewares/offsite.py); the other handlers are off,
# so every request left has the HTTP handler's DOWNLOAD_TIMEOUT (an ftp:// server that never
# greets hung a crawl for more than 600 s).
DOWNLOAD_HANDLERS = {"ftp": None, "s3": None, "file": None, "data": None}
HTTPCACHE_ENABLED = False

# Extraction worker processes (crawler/run/workers.py): "auto" = cores - 1 (at least 1) when the
# crawl is CPU-bound (no AutoThrottle, no download delay), else inline; 0: always inline.
EXTRACT_WORKERS = "auto"
# Pages per worker handed to it ahead of its answers; at that many waiting or being read downloads
# pause until half are done (memory stays bounded when the workers fall behind the downloads).
EXTRACT_BACKLOG = 48

ITEM_PIPELINES = {
    "crawler.pipelines.normalize.NormalizePipeline": 100,
    "crawler.pipelines.validate.ValidatePipeline": 200,
    "crawler.pipelines.state.StatePipeline": 250,
    "crawler.pipelines.version.RecordVersionPipeline": 260,
    "crawler.pipelines.dedup.DedupPipeline": 300,
}
EXTENSIONS = {
    "crawler.output.rejects.RejectsWriter": 100,
    "crawler.run.controller.RunController": 500,
    "crawler.output.statsdump.StatsDump": 900,
    "crawler.run.failures.DroppedRequests": 110,
    # its "Crawled N pages" line repeats our progress line (crawler/run/controller.py)
    "scrapy.extensions.logstats.LogStats": None,
}
# Retries honour Retry-After up to RETRY_AFTER_MAX seconds (crawler/middlewares/retry_after.py).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 550,
    "crawler.middlewares.credentials.StripCredentialsMiddleware": 50,
    # the site is scheme + host + port; only http(s) (crawler/middlewares/offsite.py)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.offsite.SiteOffsiteMiddleware": 45,
    "crawler.middlewares.domain_pause.DomainPauseMiddleware": 560,
    # Scrapy's, without decoding every page that cannot hold one (crawler/middlewares/meta_refresh.py)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.meta_refresh.MetaRefreshMiddleware": 580,
    # every response as received (before decompression, retries, redirects): crawler/middlewares/warc.py
    "crawler.middlewares.warc.WarcCaptureMiddleware": 950,
}
# WARC capture: None = on for backfill and full runs, off for incremental; True/False force it.
WARC_ENABLED = None
WARC_DIR = None                         # default <folder of the first output file>/warc (%(name)s allowed)
WARC_MAX_BYTES = 1_000_000_000          # rotate WARC files at this size
WARC_COMPRESSOR = "auto"                # auto: ISA-L (isal package) when installed, else zlib; or "isal" / "zlib"
WARC_GZIP_LEVEL = None                  # None: the compressor's own (ISA-L 1, zlib 6); with auto a level is zlib's 0-9
RETRY_AFTER_MAX = 60
# Write the final stats as JSON to this path (crawler/output/statsdump.py); None: not written.
STATS_DUMP_PATH = None

# Every format counts what it writes (crawler/output/exporters.py); a feed whose exporter does
# not is refused before the crawl (exit 2).
FEED_EXPORTERS = {
    "jsonl": "crawler.output.jsonl.ReviewJsonLinesExporter",
    "jsonlines": "crawler.output.jsonl.ReviewJsonLinesExporter",
    "jl": "crawler.output.jsonl.ReviewJsonLinesExporter",
    "gz": "crawler.output.jsonl.ReviewJsonLinesExporter",
    "json": "crawler.output.exporters.ReviewJsonExporter",
    "csv": "crawler.output.exporters.ReviewCsvExporter",
    "xml": "crawler.output.exporters.ReviewXmlExporter",
    "pickle": "crawler.output.exporters.ReviewPickleExporter",
    "marshal": "crawler.output.exporters.ReviewMarshalExporter",
    # -O reviews.parquet: schema v2 columns, typed (crawler/output/parquet.py; extra `parquet`)
    "parquet": "crawler.output.parquet.ParquetExporter",
}
PARQUET_ROW_GROUP = 10_000
# Local files (atomic) and stdout; any other URI scheme is refused before the crawl (exit 2):
# the state could not confirm the write (README "Output").
FEED_STORAGES = {
    "": "crawler.output.atomic.AtomicFileFeedStorage",
    "file": "crawler.output.atomic.AtomicFileFeedStorage",
    "stdout": "crawler.output.atomic.StdoutFeedStorage",
}
FEED_EXPORT_ENCODING = "utf-8"
# Record schema of the output (crawler/pipelines/version.py): 2 (review-v2.schema.json: stable
# types and change events, the loader contract) or 1 (review-v1.schema.json, superseded: for a
# loader that still needs it). Parquet output is version 2 whatever this says.
RECORD_SCHEMA_VERSION = 2
# Default output when no -o/-O/FEEDS is given (applied by `scrapy crawl`, crawler/commands/crawl.py;
# in FEEDS itself Scrapy would add it to every -o/-O run); name a .gz file for gzip.
# One file per batch of 500 reviews, named by batch time and run id (never collide between
# runs); each closed batch is recorded in the state, so a killed run resumes after it.
FEEDS = {}
DEFAULT_FEEDS = {
    "output/%(name)s/%(batch_time)s-%(run_id)s.jsonl": {"format": "jsonl", "encoding": "utf-8", "batch_item_count": 500},
}
# crawler.output.uri_params: the run id, the batch time, each value one safe path component
FEED_URI_PARAMS = "crawler.output.uri_params.feed_uri_params"
REJECTS_URI = None

LOG_LEVEL = "INFO"
# Never log secrets: credentials in URLs, secret-looking settings and parameters are redacted
# from every log line of the process (crawler/security.py); installed when settings load.
from crawler.security import install_log_redaction as _install_log_redaction  # noqa: E402

_install_log_redaction()
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_STORE_EMPTY = True

# Distributed mode (crawler/distributed/addon.py): a Redis URL (-s REDIS_URL=redis://... or env
# CRAWLER_REDIS_URL) switches to the shared scrapy-redis queue; without one nothing changes.
ADDONS = {
    "crawler.distributed.addon.DistributedAddon": 0,
}

# Production runs (README "Production runs"): modes, state, monitors, progress, exit codes.
COMMANDS_MODULE = "crawler.commands"   # `scrapy crawl` exits non-zero on failure
# The run controller (state, monitors, manifests, exit codes) runs only for crawls: the project's
# `scrapy crawl` (and `crawler demo`) switch it on; `scrapy parse/shell/fetch/check` never
# touch a state store or run monitors.
RUN_CONTROLLER_ENABLED = False
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.conditional.ConditionalMiddleware": 600,
}
RUN_MODE = "incremental"                # default -a mode (full when -a urls/urls_file is given)
STATE_PATH = None                       # default <output folder>/<spider>.state.sqlite; -a state=PATH wins
INCREMENTAL_OVERLAP_HOURS = 24.0        # lastmod watermark = last successful run start minus this
PROGRESS_INTERVAL = 60.0                # seconds between progress lines; 0 = off
PROGRESS_PAGES = 100                    # ... or a line every this many pages, whichever first; 0 = off
PROGRESS_BAR = None                     # live one-line bar instead of the lines; None: when stderr is a terminal
REPORT_ENABLED = None                   # HTML run report beside the outputs; None: scheduled runs (the default feed)
REPORT_RUNS = 20                        # runs per site in that report
MONITOR_ENABLED = True
MONITOR_MIN_REVIEWS_SEEN = 1
MONITOR_COVERAGE = {"title": 1.0, "body": 0.9, "grade@film": 0.8}
MONITOR_COVERAGE_MIN_SAMPLE = 10
MONITOR_MAX_ERROR_RATE = 0.2
MONITOR_RATE_MIN_SAMPLE = 20
MONITOR_MAX_INVALID_RATE = 0.05
MONITOR_MAX_DROP = 0.5
MONITOR_HISTORY_RUNS = 5
