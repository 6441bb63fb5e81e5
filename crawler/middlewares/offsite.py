"""The off-site rule: a site is a scheme, a host and a port; only http and https are fetched.

:class:`SiteOffsiteMiddleware` replaces Scrapy's ``OffsiteMiddleware`` (which compares host
names only, so another port of the same host -- another service -- passed). Like Scrapy's, it
acts both when a request is scheduled (the ``request_scheduled`` signal: the request is dropped
before it reaches the scheduler) and in the downloader chain (requests the engine downloads
directly, such as robots.txt), so every way a URL enters is covered: start requests, robots.txt
``Sitemap:`` lines, sitemap and feed entries, listing and followed links, redirects (HTTP and
meta refresh, re-scheduled by Scrapy's redirect middleware) and anything a spider yields.

- A URL whose scheme is not ``http``/``https`` (``ftp://``, ``file://``, ``data:``, ``s3://``, a
  ``javascript:`` link) is never requested: counted in ``pages/skipped/scheme/<scheme>``. The
  download handlers of those schemes are switched off as well (``DOWNLOAD_HANDLERS`` in
  :mod:`crawler.settings`), so every request left has the HTTP handler's ``DOWNLOAD_TIMEOUT``.
- A URL on another site -- another host, port or scheme than the spider's ``allowed_origins``
  (``(scheme, host, port)`` tuples, :func:`crawler.normalize.urls.url_origin`) -- is dropped;
  :class:`crawler.run.failures.DroppedRequests` counts it (``pages/skipped/offsite``, or
  ``pages/failed/offsite_redirect`` for a redirect). ``dont_filter`` does not exempt a request
  (it is about duplicates; a redirect keeps it); meta ``allow_offsite`` does.

A spider without ``allowed_origins`` gets Scrapy's host rule (``allowed_domains``). The rule is
:func:`crawler.run.failures.request_on_site`, shared with the accounting.
"""

from __future__ import annotations

import re

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from crawler.normalize.urls import FETCHED_SCHEMES
from crawler.run.failures import request_on_site

_SCHEME_KEY_RE = re.compile(r"[^a-z0-9+.-]")


def scheme_key(scheme: str) -> str:
    """A scheme as a stats key part (bounded, no slashes)."""
    return _SCHEME_KEY_RE.sub("_", (scheme or "none").lower())[:20] or "none"


class SiteOffsiteMiddleware(OffsiteMiddleware):
    """See the module docstring."""

    def process_request(self, request, spider=None) -> None:
        spider = self.crawler.spider
        scheme = urlparse_cached(request).scheme
        if scheme not in FETCHED_SCHEMES:
            self.stats.inc_value(f"pages/skipped/scheme/{scheme_key(scheme)}")
            raise IgnoreRequest(f"Filtered {scheme_key(scheme)} request: only http and https are fetched")
        if request.meta.get("allow_offsite") or self.should_follow(request, spider):
            return
        self.stats.inc_value("offsite/filtered")
        raise IgnoreRequest(f"Filtered offsite request to {urlparse_cached(request).netloc!r}")

    def should_follow(self, request, spider) -> bool:
        return request_on_site(request, spider)
