"""Fault handling: why a page failed, ``Retry-After``, and requests Scrapy drops silently.

- :func:`classify_failure` names the reason a request failed, used as the stats key
  ``pages/failed/<reason>`` and the reject reason: ``http_<status>``, ``timeout``,
  ``too_large`` (over ``DOWNLOAD_MAXSIZE``), ``truncated`` (body shorter than its
  Content-Length), ``connection_lost``, ``connection_refused``, ``dns``, ``bad_encoding``
  (a ``Content-Encoding`` that does not decode, e.g. corrupt gzip), ``robots_disallowed``,
  ``redirect_max`` (more than ``REDIRECT_MAX_TIMES`` redirects; ``too_large`` also covers a
  gzip bomb refused during decompression), ``ignored``, or the exception's
  name in lower case.
- :class:`RetryAfterMiddleware` (replaces Scrapy's ``RetryMiddleware``) retries like it, and
  when a retried response (429, 503, ...) carries ``Retry-After`` it waits that long before the
  retry (the request only; other requests go on). A ``Retry-After`` longer than
  ``RETRY_AFTER_MAX`` seconds (default 60) is not waited for: the page fails with its status.
- :class:`DroppedRequests` (extension) accounts for requests Scrapy drops without calling their
  errback: a redirect to another host (the offsite filter) is ``pages/failed/offsite_redirect``,
  a redirect back to a URL of its own chain is ``pages/failed/redirect_loop`` (both a reject
  when the page was expected to be a review); a link to another host is
  ``pages/skipped/offsite``; a redirect to a page already fetched is
  ``pages/skipped/redirect_duplicate``.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

from crawler.rejects import page_rejected

logger = logging.getLogger(__name__)

_BY_NAME = {
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DownloadCancelledError": "too_large",
    "ResponseDataLossError": "truncated",
    "_DataLoss": "truncated",
    "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "ConnectionRefusedError": "connection_refused",
    "DownloadConnectionRefusedError": "connection_refused",
    "DNSLookupError": "dns",
    "CannotResolveHostError": "dns",
    "BadGzipFile": "bad_encoding",
    "DecompressionMaxSizeExceeded": "too_large",
}


def _inner_names(exc: BaseException) -> list[str]:
    """Names of *exc* and of the causes it wraps (``DownloadFailedError`` from a Twisted
    ``ResponseFailed`` whose ``reasons`` are failures such as ``ConnectionLost``)."""
    names: list[str] = []
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo and len(names) < 20:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        names.append(type(e).__name__)
        for inner in getattr(e, "reasons", None) or []:
            value = getattr(inner, "value", None)
            if isinstance(value, BaseException):
                todo.append(value)
        if e.__cause__ is not None:
            todo.append(e.__cause__)
    return names


def classify_failure(exc: BaseException) -> str:
    """A short stats key for the exception a request failed with (see the module docstring)."""
    response = getattr(exc, "response", None)
    if response is not None and hasattr(response, "status"):
        return f"http_{response.status}"
    if isinstance(exc, zlib.error):
        return "bad_encoding"
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "robots.txt" in text:
            return "robots_disallowed"
        if "download_maxsize" in text:  # a compressed body that decompresses past the limit
            return "too_large"
        if "max redirections" in text:
            return "redirect_max"
        if "offsite" in text:
            return "offsite"
        return "ignored"
    names = _inner_names(exc)
    for name in reversed(names):  # the innermost cause first: it is the most precise
        if name in _BY_NAME:
            return _BY_NAME[name]
    return names[0].lower()


# ---------------------------------------------------------------- Retry-After
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


# ---------------------------------------------------------------- dropped requests
def host_allowed(host: str, allowed_domains) -> bool:
    """Scrapy's offsite rule: *host* is an allowed domain or a subdomain of one (all hosts when
    the list is empty)."""
    domains = [d for d in (allowed_domains or []) if d]
    if not domains:
        return True
    host = (host or "").lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


class DroppedRequests:
    """Counts (and rejects) requests Scrapy drops without an errback (module docstring)."""

    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _fail(self, request: Request, reason: str, detail: str) -> None:
        self.crawler.stats.inc_value(f"pages/failed/{reason}")
        first = (request.meta.get("redirect_urls") or [request.url])[0]
        logger.warning("Failed %s: %s (%s)", first, reason, detail)
        if request.meta.get("expected_review"):
            self.crawler.signals.send_catch_log(page_rejected, url=first, reason=reason, detail=detail, record=None)

    def request_scheduled(self, request: Request, spider) -> None:
        if request.dont_filter or request.meta.get("allow_offsite"):
            return
        host = urlparse_cached(request).hostname or ""
        if host_allowed(host, getattr(spider, "allowed_domains", None)):
            return
        if request.meta.get("redirect_urls"):
            self._fail(request, "offsite_redirect", f"redirected to another host: {host}")
        else:
            self.crawler.stats.inc_value("pages/skipped/offsite")

    def request_dropped(self, request: Request, spider) -> None:
        chain = request.meta.get("redirect_urls") or []
        if not chain:
            return
        if request.url in chain:
            self._fail(request, "redirect_loop", " -> ".join([*chain, request.url])[:300])
        else:
            self.crawler.stats.inc_value("pages/skipped/redirect_duplicate")
