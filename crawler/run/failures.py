"""Failures: why a page failed, and the requests Scrapy drops silently.

- :func:`classify_failure` names the reason a request failed, used as the stats key
  ``pages/failed/<reason>`` and the reject reason: ``http_<status>``, ``timeout``,
  ``too_large`` (over ``DOWNLOAD_MAXSIZE``), ``truncated`` (body shorter than its
  Content-Length), ``connection_lost``, ``connection_refused``, ``dns``, ``bad_encoding``
  (a ``Content-Encoding`` that does not decode, e.g. corrupt gzip), ``robots_disallowed``,
  ``redirect_max`` (more than ``REDIRECT_MAX_TIMES`` redirects; ``too_large`` also covers a
  gzip bomb refused during decompression), ``ignored``, or the exception's
  name in lower case.
- :func:`failure_reason` does the same for a Twisted failure (a spider's errback).
- :class:`DroppedRequests` (extension) accounts for requests Scrapy drops without calling their
  errback: a redirect to another site (the off-site filter, :mod:`crawler.middlewares.offsite`) is ``pages/failed/offsite_redirect``,
  a redirect back to a URL of its own chain is ``pages/failed/redirect_loop`` (both a reject
  when the page was expected to be a review); a link to another site (another scheme, host or
  port: :func:`request_on_site`) is ``pages/skipped/offsite``; a redirect to a page already fetched is
  ``pages/skipped/redirect_duplicate``.
"""

from __future__ import annotations

import logging
import zlib

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from scrapy.utils.httpobj import urlparse_cached

from crawler.normalize.urls import FETCHED_SCHEMES, same_site
from crawler.output.rejects import page_rejected

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


def failure_reason(failure) -> str:
    """A short stats key for a failed request (a Twisted failure, as an errback gets it)."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    if failure.check(DNSLookupError):
        return "dns"
    if failure.check(TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(ConnectionRefusedError):
        return "connection_refused"
    return classify_failure(failure.value)


# ---------------------------------------------------------------- dropped requests
def host_allowed(host: str, allowed_domains) -> bool:
    """Scrapy's offsite rule: *host* is an allowed domain or a subdomain of one (all hosts when
    the list is empty)."""
    domains = [d for d in (allowed_domains or []) if d]
    if not domains:
        return True
    host = (host or "").lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


def request_on_site(request: Request, spider) -> bool:
    """The off-site rule (:mod:`crawler.middlewares.offsite`): the request's scheme, host and port
    are those of one of the spider's ``allowed_origins``; a spider without them gets Scrapy's
    host rule (:func:`host_allowed`)."""
    origins = getattr(spider, "allowed_origins", None)
    if origins:
        return same_site(request.url, origins)
    return host_allowed(urlparse_cached(request).hostname or "", getattr(spider, "allowed_domains", None))


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
        if request.meta.get("allow_offsite") or urlparse_cached(request).scheme not in FETCHED_SCHEMES:
            return  # other schemes: counted by the off-site middleware (pages/skipped/scheme/...)
        if request_on_site(request, spider):
            return
        if request.meta.get("redirect_urls"):
            netloc = urlparse_cached(request).netloc.rsplit("@", 1)[-1]
            self._fail(request, "offsite_redirect", f"redirected to another site: {netloc}")
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
