"""Page extraction off the reactor thread: a process pool fed with response bodies.

Scrapy's engine runs on one core; extraction (parse, read fields, normalize, validate) is CPU
work that can run on another. With the setting ``EXTRACT_WORKERS = N`` (N >= 1) the spider's
``parse_page`` sends each article response (URL, body, headers, the request's plain meta) to
one of N worker processes, which run the spider's own :meth:`read_page
<crawler.spiders.base.ReviewSiteSpider.read_page>` on a shell spider whose stats and signals
are recorded, then normalize and validate each item. Back in the crawl process the recorded
stats calls and reject signals are replayed and the items yielded, already normalized and
checked: :class:`~crawler.pipelines.NormalizePipeline` and
:class:`~crawler.pipelines.ValidatePipeline` reuse that work instead of doing it again. Output,
stats and reject files are the same as without the pool (the order of lines may differ).

``EXTRACT_WORKERS = 0`` (or a spider class that cannot be pickled) reads pages inline. When a
worker fails on a page (or the pool breaks), that page is read inline instead: the same result,
or the same error as without the pool (``extract/inline_fallback`` counts them).
Workers are started with ``spawn`` (no fork of a running reactor) and stopped when the spider
closes. Pages waiting for a worker count in Scrapy's scraper slot (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``),
which throttles downloads when the workers fall behind: memory stays bounded.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy import signals
from scrapy.http import HtmlResponse, Request, Response

from crawler.items import Review
from crawler.normalize.record import normalize_record

logger = logging.getLogger(__name__)

#: attribute set on an item normalized and validated in a worker: the schema errors found
PREPARED_ERRORS = "_prepared_errors"
_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any, depth: int = 0) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if depth < 3 and isinstance(value, (list, tuple)):
        return all(_plain(v, depth + 1) for v in value)
    if depth < 3 and isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    return False


# ------------------------------------------------------------------ worker side
class _Recorder:
    """Stands in for ``crawler.stats`` and ``crawler.signals`` in a worker: records calls."""

    def __init__(self) -> None:
        self.ops: list[tuple] = []

    # stats
    def inc_value(self, key, count=1, start=0, **kwargs):
        self.ops.append(("inc_value", key, count, start))

    def set_value(self, key, value, **kwargs):
        self.ops.append(("set_value", key, value))

    def max_value(self, key, value, **kwargs):
        self.ops.append(("max_value", key, value))

    def min_value(self, key, value, **kwargs):
        self.ops.append(("min_value", key, value))

    def get_value(self, key, default=None, **kwargs):
        return default

    # signals
    def send_catch_log(self, signal, **kwargs):
        from crawler.rejects import page_rejected

        if signal is page_rejected:
            self.ops.append(("page_rejected", kwargs))
        return []


class _ShellCrawler:
    def __init__(self, settings) -> None:
        self.recorder = _Recorder()
        self.stats = self.recorder
        self.signals = self.recorder
        self.settings = settings


_shell = None


def _init_worker(spider_cls: type, attrs: dict, settings: dict) -> None:
    global _shell
    from scrapy.settings import Settings

    spider = spider_cls.__new__(spider_cls)
    spider.__dict__.update(attrs)
    spider.crawler = _ShellCrawler(Settings(settings))
    _shell = spider


def read_in_worker(url: str, body: bytes, status: int, headers: dict, meta: dict) -> tuple[list, list]:
    """Run the spider's ``read_page`` on one response; returns ``(ops, records)`` where *ops*
    are the recorded stats/signal calls and *records* ``(record, schema_errors)`` pairs."""
    from crawler.validation import record_errors

    spider = _shell
    recorder = spider.crawler.recorder
    recorder.ops = []
    response = HtmlResponse(url, status=status, body=body, headers=headers, request=Request(url, meta=meta))
    records = []
    for item in spider.read_page(response) or ():
        record = normalize_record(item)
        records.append((record, record_errors(record)))
    return recorder.ops, records


# ------------------------------------------------------------------ crawl side
class ExtractPool:
    """The worker pool of one crawl (see the module docstring)."""

    def __init__(self, crawler, spider, workers: int, attrs: dict):
        self.crawler = crawler
        settings = {k: v for k, v in crawler.settings.copy_to_dict().items() if _plain(v)}
        ctx = multiprocessing.get_context("spawn")
        self.executor = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(type(spider), attrs, settings))
        self.workers = workers
        self.broken = False
        crawler.signals.connect(self.close, signal=signals.spider_closed)
        crawler.stats.set_value("extract/workers", workers)

    def close(self, spider=None, reason=None) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    async def parse(self, spider, response: Response) -> list[Any]:
        """The pooled ``parse_page``: replay the worker's stats and rejects, return its items
        (a coroutine returning a list costs the engine less than an async generator)."""
        meta = {k: v for k, v in response.meta.items() if _plain(v)}
        headers = {k: v for k, v in response.headers.items()}
        try:
            if self.broken:
                raise BrokenProcessPool("an extraction worker died earlier")
            fut = self.executor.submit(read_in_worker, response.url, response.body, response.status, headers, meta)
            ops, records = await asyncio.wrap_future(fut)
        except Exception as exc:  # noqa: BLE001 - read the page here instead: same result or same error
            if isinstance(exc, BrokenProcessPool) and not self.broken:
                self.broken = True
                logger.error("Extraction worker pool broken (%s); reading pages in the crawl process", exc)
            self.crawler.stats.inc_value("extract/inline_fallback")
            return list(spider.read_page(response) or ())
        stats = self.crawler.stats
        for op in ops:
            if op[0] == "page_rejected":
                spider.reject(op[1].get("url", response.url), op[1].get("reason", ""), op[1].get("detail", ""))
            elif op[0] == "inc_value":
                stats.inc_value(op[1], op[2], op[3])
            else:
                getattr(stats, op[0])(op[1], op[2])
        items = []
        for record, errors in records:
            item = Review(**record)
            setattr(item, PREPARED_ERRORS, errors)
            items.append(item)
        return items


def extract_pool_for(spider) -> ExtractPool | None:
    """The crawl's pool when ``EXTRACT_WORKERS`` > 0 (created on first use), else None."""
    crawler = getattr(spider, "crawler", None)
    if crawler is None:
        return None
    pool = getattr(crawler, "_extract_pool", False)
    if pool is not False:
        return pool
    pool = None
    workers = crawler.settings.getint("EXTRACT_WORKERS", 0)
    if workers > 0:
        attrs, unsent = spider_state(spider)
        if unsent:
            logger.warning("EXTRACT_WORKERS=%d ignored: %s cannot be sent to a worker (%s); pages are read inline",
                           workers, type(spider).__name__, ", ".join(unsent))
            crawler.stats.set_value("extract/pool_disabled", 1)
        else:
            pool = ExtractPool(crawler, spider, workers, attrs)
    crawler._extract_pool = pool
    return pool


def spider_state(spider) -> tuple[dict, list[str]]:
    """The spider's instance attributes a worker's copy needs, and the names of those that
    cannot be pickled (the spider class itself included): any public one disables the pool,
    so a worker never reads pages with a different spider state. Private attributes that do
    not pickle (crawl-process internals) are left out."""
    unsent: list[str] = []
    try:
        pickle.dumps(type(spider))
    except Exception:  # noqa: BLE001 - a dynamically made class cannot go to a worker
        unsent.append(type(spider).__name__)
    attrs: dict = {}
    for key, value in vars(spider).items():
        if key in ("crawler", "settings"):
            continue
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 - whatever pickle raises
            if not key.startswith("_"):
                unsent.append(key)
            continue
        attrs[key] = value
    return attrs, unsent
