"""Page extraction off the reactor thread: a process pool running
:func:`crawler.sites.read.read_page`.

Scrapy's engine runs on one core; extraction (parse, read fields, normalize, validate) is CPU
work that can run on another. With the setting ``EXTRACT_WORKERS = N`` (N >= 1) the spider sends
each article response's read arguments -- URL, body, headers, the site key (plain values, for
every spider and every site) -- to one of N worker processes, which run ``read_page`` and send
back its :class:`~crawler.sites.read.ReadOutcome` (records already normalized and validated,
stats, rejects). The spider applies the outcome exactly as it applies an inline one, so output,
stats and reject files are the same as without the pool (the order of lines may differ).

``EXTRACT_WORKERS = "auto"`` (the default): a pool of ``cores - 1`` workers (at least 1) when the
crawl is CPU-bound -- no AutoThrottle and no download delay, as in backfills and benchmarks at
high concurrency -- and inline otherwise (and in distributed mode, which scales by workers): a polite crawl fetches a few pages per second, where a
worker only costs memory (~90 MB). The choice is logged. ``EXTRACT_WORKERS = 0`` reads pages inline. When a worker fails on a page (or the pool breaks),
that page is read inline instead: the same result, or the same error as without the pool
(``extract/inline_fallback`` counts them; ``extract/max_in_flight`` is the most pages that were
handed to the workers at once). Workers are started with ``spawn`` (no fork of a
running reactor) and stopped when the spider closes. Pages waiting for a worker count in
Scrapy's scraper slot (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``), which throttles downloads when the
workers fall behind: memory stays bounded.

Settings: ``EXTRACT_WORKERS`` (``"auto"``, or a number), ``AUTOTHROTTLE_ENABLED`` and
``DOWNLOAD_DELAY`` (for ``auto``; in distributed mode ``DISTRIBUTED_AUTOTHROTTLE`` and
``DISTRIBUTED_DOWNLOAD_DELAY``, where the addon moves them).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from scrapy import signals

from crawler.sites.read import ReadOutcome, read_page

logger = logging.getLogger(__name__)


class ExtractPool:
    """The worker pool of one crawl (see the module docstring)."""

    #: pages handed to the workers and not back yet, and the most there were at once
    in_flight = 0
    max_in_flight = 0

    def __init__(self, crawler, workers: int):
        self.crawler = crawler
        ctx = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(workers, mp_context=ctx)
        self.workers = workers
        self.broken = False
        crawler.signals.connect(self.close, signal=signals.spider_closed)
        crawler.stats.set_value("extract/workers", workers)

    def close(self, spider=None, reason=None) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    async def read(self, args: dict) -> ReadOutcome:
        """:func:`read_page` ``(**args)`` in a worker; inline when the worker fails."""
        try:
            if self.broken:
                raise BrokenProcessPool("an extraction worker died earlier")
            self.in_flight += 1
            if self.in_flight > self.max_in_flight:  # the backlog's high mark (pages waiting or being read)
                self.max_in_flight = self.in_flight
                self.crawler.stats.set_value("extract/max_in_flight", self.in_flight)
            try:
                return await asyncio.wrap_future(self.executor.submit(read_page, **args))
            finally:
                self.in_flight -= 1
        except Exception as exc:  # noqa: BLE001 - read the page here instead: same result or same error
            if isinstance(exc, BrokenProcessPool) and not self.broken:
                self.broken = True
                logger.error("Extraction worker pool broken (%s); reading pages in the crawl process", exc)
            self.crawler.stats.inc_value("extract/inline_fallback")
            return read_page(**args)


def workers_for(settings, cpus: int | None = None) -> int:
    """How many extraction workers ``EXTRACT_WORKERS`` asks for (see the module docstring)."""
    value = str(settings.get("EXTRACT_WORKERS", "auto")).strip().lower()
    if value != "auto":
        return max(int(value), 0)
    # distributed mode moves the politeness settings to the fleet-wide limit (crawler/distributed/addon.py)
    throttled = (settings.getbool("AUTOTHROTTLE_ENABLED") or settings.getfloat("DOWNLOAD_DELAY") > 0
                 or settings.getbool("DISTRIBUTED_AUTOTHROTTLE") or settings.getfloat("DISTRIBUTED_DOWNLOAD_DELAY") > 0)
    # distributed mode scales by workers; a pool per worker would hold more fetched pages unacknowledged
    distributed = "crawler.distributed" in str(settings.get("SCHEDULER") or "")
    if throttled or distributed:
        return 0
    return max((cpus if cpus is not None else (os.cpu_count() or 1)) - 1, 1)


def extract_pool_for(crawler) -> ExtractPool | None:
    """The crawl's pool when it has workers (created on first use), else None."""
    if crawler is None:
        return None
    pool = getattr(crawler, "_extract_pool", False)
    if pool is not False:
        return pool
    workers = workers_for(crawler.settings)
    if str(crawler.settings.get("EXTRACT_WORKERS", "auto")).strip().lower() == "auto":
        logger.info("EXTRACT_WORKERS=auto: %s", f"{workers} extraction worker(s)" if workers else
                    "pages read inline (a throttled crawl is not CPU-bound)")
    pool = ExtractPool(crawler, workers) if workers > 0 else None
    crawler._extract_pool = pool
    return pool
