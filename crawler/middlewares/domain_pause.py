"""Per-domain ``Retry-After``: a 429 or 503 pauses every request to that domain.

:class:`DomainPauseMiddleware` (downloader middleware, order 560: it sees responses before the
retry middleware at 550) reads ``Retry-After`` (delta-seconds or an HTTP date) on 429 and 503
responses (on the ``response_downloaded`` signal, before the downloader starts the next queued
request) and pauses the response's download slot (its host, or ``meta["download_slot"]``)
until then, capped at ``RETRY_AFTER_MAX`` seconds (default 60; the retry middleware gives the page
up when the server asks for longer). While a domain is
paused, its slot starts no queued download, and requests arriving for it wait in
:meth:`process_request` (an ``async`` method: other domains are not blocked); the retry itself is scheduled by the retry middleware
(:class:`crawler.middlewares.retry_after.RetryAfterMiddleware`), so it also lands after the pause.

Stats: ``retry_after/domain_paused`` (pauses started), ``retry_after/capped`` (a
``Retry-After`` above the cap), ``retry_after/requests_delayed``, ``retry_after/max_pause``.
"""

from __future__ import annotations

import asyncio
import logging
import time

from scrapy import signals
from scrapy.http import Request, Response
from scrapy.utils.asyncio import call_later, is_asyncio_available
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from crawler.middlewares.retry_after import retry_after_seconds

logger = logging.getLogger(__name__)

PAUSE_STATUSES = (429, 503)


async def _sleep(seconds: float) -> None:
    if is_asyncio_available():
        await asyncio.sleep(seconds)
        return
    from twisted.internet import reactor, task

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


class DomainPauseMiddleware:
    """See the module docstring."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("RETRY_AFTER_MAX", 60.0)
        self.paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        return mw

    def slot_key(self, request: Request) -> str:
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is not None and hasattr(downloader, "get_slot_key"):
            return downloader.get_slot_key(request)
        return request.meta.get("download_slot") or urlparse_cached(request).hostname or ""

    def _hold_slot(self, request: Request, seconds: float) -> bool:
        """Stop the download slot from starting queued requests for *seconds*: requests already
        queued in the downloader are past :meth:`process_request`. Uses the slot's delay timer
        (``Slot.latercall``, what ``DOWNLOAD_DELAY`` uses); without it, only requests that
        arrive later wait."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        slot = getattr(downloader, "slots", {}).get(self.slot_key(request)) if downloader is not None else None
        resume = getattr(downloader, "_latercall", None)
        if slot is None or resume is None or not hasattr(slot, "latercall"):
            return False
        if slot.latercall is not None:
            slot.latercall.cancel()
        slot.latercall = call_later(seconds, resume, slot)
        return True

    async def process_request(self, request: Request) -> None:
        key = self.slot_key(request)
        until = self.paused_until.get(key)
        if until is None:
            return None
        wait = until - time.monotonic()
        if wait <= 0:
            self.paused_until.pop(key, None)
            return None
        self.crawler.stats.inc_value("retry_after/requests_delayed")
        await _sleep(wait)
        return None

    def response_downloaded(self, response: Response, request: Request, spider=None) -> None:
        """Sent by the downloader before it frees the slot for the next queued request: the
        moment to hold the slot (``process_response`` would be too late for queued requests)."""
        self.pause_for(request, response)

    def process_response(self, request: Request, response: Response) -> Response:
        return self.pause_for(request, response)

    def pause_for(self, request: Request, response: Response) -> Response:
        if response.status not in PAUSE_STATUSES or request.meta.get("_retry_after_seen") == id(response):
            return response
        seconds = retry_after_seconds(response.headers.get(b"Retry-After"))
        if seconds is None or seconds <= 0:
            return response
        request.meta["_retry_after_seen"] = id(response)  # signal and process_response: count once
        stats = self.crawler.stats
        if seconds > self.cap:
            stats.inc_value("retry_after/capped")
            seconds = self.cap
        key = self.slot_key(request)
        until = time.monotonic() + seconds
        if until > self.paused_until.get(key, 0.0):
            self.paused_until[key] = until
            self._hold_slot(request, seconds)
            stats.inc_value("retry_after/domain_paused")
            stats.max_value("retry_after/max_pause", seconds)
            logger.info("%s answered %d with Retry-After: pausing %s for %.1f s", request.url, response.status, key, seconds)
        return response
