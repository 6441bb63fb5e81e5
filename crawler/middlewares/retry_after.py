"""Retries that honour ``Retry-After``.

:class:`RetryAfterMiddleware` (replaces Scrapy's ``RetryMiddleware``) retries like it, and when a
retried response (429, 503, ...) carries ``Retry-After`` it waits that long before the retry (the
request only; other requests go on). A ``Retry-After`` longer than ``RETRY_AFTER_MAX`` seconds
(default 60) is not waited for: the page fails with its status. :func:`retry_after_seconds` is
the one ``Retry-After`` parser (also used by :mod:`crawler.middlewares.domain_pause`).

Settings: ``RETRY_TIMES``, ``RETRY_HTTP_CODES`` (Scrapy's), ``RETRY_AFTER_MAX``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None
    when absent or unreadable; never negative."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    text = text.strip()[:64]
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, honouring ``Retry-After`` (see the module docstring)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 60.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        stats = self.crawler.stats
        if wait is not None and wait > self.retry_after_max:
            stats.inc_value("retry/retry_after_too_long")
            logger.warning("Not retrying %s: Retry-After %.0fs is over RETRY_AFTER_MAX (%.0fs)", request.url, wait, self.retry_after_max)
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            stats.inc_value("retry/retry_after_waits")
            await asyncio.sleep(wait)
        return retry
