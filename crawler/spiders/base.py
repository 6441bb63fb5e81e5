"""How a review site is crawled: sitemaps (from robots.txt, with sitemap indexes and
``lastmod``), review listing pages with pagination, or an exact list of URLs.

Every fetched article page is read by the site's page class (``crawler/sites``); only pages the
page class recognises as reviews become items. Everything else is counted in stats:
``pages/skipped/not_review``, ``pages/skipped/not_html``, ``pages/failed/<reason>``, and, for a
page that was expected to be a review, a line in the reject file: a page given with
``urls``/``urls_file`` that failed or is not a review, a page linked from a review listing that
failed to download (a listing may also link a feature: that one is only counted).

Spider arguments (``-a name=value``):

- ``base_url``: the site root to crawl (a mirror, or a local fixture site); defaults to the
  spider's ``default_base_url``.
- ``urls``: comma-separated review URLs to fetch exactly (no discovery);
  ``urls_file``: a file with one URL per line (``#`` comments allowed).
- ``mode``, ``since``, ``until``, ``state``: production runs, see :mod:`crawler.runmode`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError

from crawler.extract_pool import extract_pool_for
from crawler.normalize.urls import clean_url
from crawler.rejects import page_rejected
from crawler.runmode import RunOptions
from crawler.reliability import classify_failure
from crawler.security import check_spider_name, redact, strip_userinfo
from crawler.sites.base import ReviewPage

logger = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml")


def failure_reason(failure) -> str:
    """A short stats key for a failed request."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    if failure.check(DNSLookupError):
        return "dns"
    if failure.check(TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(ConnectionRefusedError):
        return "connection_refused"
    return classify_failure(failure.value)  # timeout, too_large, truncated, ... (crawler/reliability.py)


class ReviewSiteSpider(scrapy.Spider):
    """Base spider: discovery from sitemaps and listings, one page object per article page.

    Class attributes a site spider sets: ``name`` (the site key), ``page_class``,
    ``default_base_url``, ``listing_paths`` (review listing pages, paginated),
    ``listing_link_css`` (links to reviews on a listing), ``next_page_css`` (pagination),
    ``sitemap_paths`` (tried when robots.txt names no sitemap).
    """

    page_class: type[ReviewPage] = ReviewPage
    default_base_url: str = ""
    listing_paths: tuple[str, ...] = ()
    listing_link_css: tuple[str, ...] = ("a.card-link::attr(href)", "article h2 a::attr(href)", "article h3 a::attr(href)")
    next_page_css: tuple[str, ...] = ("a[rel~=next]::attr(href)", "link[rel~=next]::attr(href)", ".pagination-next::attr(href)", ".pagination a.next::attr(href)")
    sitemap_paths: tuple[str, ...] = ("/sitemap_index.xml", "/sitemap.xml")

    def __init__(self, *args: Any, base_url: str | None = None, urls: str | None = None, urls_file: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        check_spider_name(self)  # -a name=... would rename output, reject and state paths
        # -a mode/since/until/state (crawler/runmode.py): validated here, applied by crawler/extensions.py
        self.run_options = RunOptions.from_args(kwargs.get("mode"), kwargs.get("since"), kwargs.get("until"), kwargs.get("state"))
        self.run_id = self.run_options.run_id
        self.base_url = strip_userinfo((base_url or self.default_base_url).rstrip("/"))
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {self.base_url!r}")
        self.exact_urls = self._read_urls(urls, urls_file)
        hosts = {urlsplit(self.base_url).hostname} | {urlsplit(u).hostname for u in self.exact_urls}
        self.allowed_domains = sorted(h for h in hosts if h)

    @staticmethod
    def _read_urls(urls: str | None, urls_file: str | None) -> list[str]:
        found: list[str] = []
        if urls:
            found += [u.strip() for u in urls.split(",") if u.strip()]
        if urls_file:
            for line in Path(urls_file).read_text("utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    found.append(line)
        bad = [u for u in found if not u.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(redact(f"not http(s) URLs: {bad[:3]}"))
        # Credentials in a URL are never sent, logged or written (crawler/security.py).
        return list(dict.fromkeys(strip_userinfo(u) for u in found))

    # ---------------------------------------------------------------- start
    async def start(self) -> AsyncIterator[Request]:
        if self.exact_urls:
            for url in self.exact_urls:
                yield self.review_request(url, expected=True, source="urls")
            return
        yield Request(f"{self.base_url}/robots.txt", callback=self.parse_robots, errback=self.robots_failed, priority=10)
        for path in self.listing_paths:
            yield Request(urljoin(self.base_url + "/", path.lstrip("/")), callback=self.parse_listing, errback=self.page_failed, meta={"listing": path})

    def review_request(self, url: str, *, expected: bool, source: str, **meta: Any) -> Request:
        """A request for a page that may be a review (tracking parameters and fragment dropped,
        so the same page linked two ways is fetched once). ``expected`` marks pages that must
        be reviews: a failure to fetch them is a reject, and so is, for pages given with
        ``urls``, not being a review."""
        return Request(clean_url(url), callback=self.parse_page, errback=self.page_failed, meta={"expected_review": expected, "source": source, **meta})

    # ---------------------------------------------------------------- sitemaps
    def parse_robots(self, response: Response) -> Iterable[Request]:
        sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        self.crawler.stats.set_value("sitemap/from_robots", len(sitemaps))
        if not sitemaps:
            sitemaps = [self.base_url + p for p in self.sitemap_paths]
        for url in sitemaps:
            yield Request(url, callback=self.parse_sitemap, errback=self.page_failed, meta={"sitemap": True})

    def robots_failed(self, failure) -> Iterable[Request]:
        self.crawler.stats.inc_value("sitemap/robots_failed")
        for path in self.sitemap_paths:
            yield Request(self.base_url + path, callback=self.parse_sitemap, errback=self.page_failed, meta={"sitemap": True})

    def sitemap_body(self, response: Response) -> bytes | None:
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception:  # noqa: BLE001 - a corrupt or oversized gzip is a failed sitemap
                return None
        return body if body.lstrip()[:1] == b"<" else None

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        stats = self.crawler.stats
        body = self.sitemap_body(response)
        if body is None:
            stats.inc_value("sitemap/invalid")
            logger.warning("Not a sitemap: %s", response.url)
            return
        try:
            sitemap = Sitemap(body)
        except Exception:  # noqa: BLE001 - lxml raises several types on junk XML
            stats.inc_value("sitemap/invalid")
            logger.warning("Unreadable sitemap: %s", response.url)
            return
        stats.inc_value("sitemap/fetched")
        if sitemap.type == "sitemapindex":
            for entry in sitemap:
                loc = entry.get("loc")
                if loc and self.want_sitemap(entry):
                    yield Request(urljoin(response.url, loc), callback=self.parse_sitemap, errback=self.page_failed, meta={"sitemap": True})
        elif sitemap.type == "urlset":
            for entry in sitemap:
                loc = entry.get("loc")
                if not loc:
                    continue
                stats.inc_value("sitemap/urls")
                if self.want_sitemap_url(entry):
                    yield self.review_request(urljoin(response.url, loc), expected=False, source="sitemap", lastmod=entry.get("lastmod"))
                else:
                    stats.inc_value("sitemap/urls_skipped")

    def want_sitemap(self, entry: dict) -> bool:
        """Whether to follow a child sitemap of a sitemap index (hook for date filters)."""
        run_filter = getattr(self, "run_filter", None)  # set by crawler.extensions.RunController
        return run_filter is None or run_filter.want_sitemap_lastmod(entry.get("lastmod"))

    def want_sitemap_url(self, entry: dict) -> bool:
        """Whether to fetch a sitemap URL entry (hook for ``lastmod`` filters)."""
        run_filter = getattr(self, "run_filter", None)  # set by crawler.extensions.RunController
        return run_filter is None or run_filter.want_lastmod(entry.get("lastmod"))

    # ---------------------------------------------------------------- listings
    def parse_listing(self, response: Response) -> Iterable[Request]:
        stats = self.crawler.stats
        stats.inc_value("listing/pages")
        links: list[str] = []
        for css in self.listing_link_css:
            links = response.css(css).getall()
            if links:
                break
        for href in dict.fromkeys(links):
            stats.inc_value("listing/links")
            yield self.review_request(response.urljoin(href), expected=True, source="listing")
        for css in self.next_page_css:
            nxt = response.css(css).get()
            if nxt:
                yield Request(response.urljoin(nxt), callback=self.parse_listing, errback=self.page_failed, meta={"listing": response.meta.get("listing")})
                break

    # ---------------------------------------------------------------- articles
    def parse_page(self, response: Response):
        """An article page: read in an extraction worker when ``EXTRACT_WORKERS`` > 0
        (``crawler/extract_pool.py``), else here with :meth:`read_page`."""
        if response.status == 304:  # conditional request (crawler/runmode.py): unchanged since emitted
            self.crawler.stats.inc_value("pages/not_modified")
            return None
        pool = extract_pool_for(self)
        if pool is not None:
            return pool.parse(self, response)
        return self.read_page(response)

    def read_page(self, response: Response):
        """Read one article page: stats, rejects, and the review item (not normalized)."""
        stats = self.crawler.stats
        expected = response.meta.get("expected_review", False)
        content_type = response.headers.get(b"Content-Type") or b""
        if content_type and not content_type.lower().lstrip().startswith(HTML_TYPES):
            stats.inc_value("pages/skipped/not_html")
            if expected:
                self.reject(response.url, "not_html", content_type.decode("latin-1"))
            return
        page = self.make_page(response, content_type.decode("latin-1"))
        stats.inc_value("pages/read")
        is_review = page.is_review()
        if getattr(page, "review_reason", None):  # the generic classifier says why
            stats.inc_value(f"pages/classified/{page.review_reason}")
        if not is_review:
            stats.inc_value("pages/skipped/not_review")
            if expected and response.meta.get("source") == "urls":
                self.reject(response.url, "not_review", "no grade, credits or review markup on the page")
            return
        item = page.to_item()
        for field, source in page.sources.items():
            stats.inc_value(f"reviews/source/{field}/{source}")
        for problem in page.problems:
            stats.inc_value(f"reviews/problem/{problem}")
        stats.inc_value("reviews/extracted")
        yield item

    def make_page(self, response: Response, content_type: str) -> ReviewPage:
        """The page object for a fetched page (hook: the ``reviews`` spider picks the class per page)."""
        return self.page_class(response.url, response.body, headers={"Content-Type": content_type})

    def page_failed(self, failure) -> None:
        request = failure.request
        reason = failure_reason(failure)
        self.crawler.stats.inc_value(f"pages/failed/{reason}")
        # After redirects the reject names the URL that was asked for (and the last one tried).
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        via = f" (redirected to {request.url})" if url != request.url else ""
        logger.warning("Failed %s: %s%s", url, reason, via)
        if request.meta.get("expected_review"):
            self.reject(url, reason, (repr(failure.value)[:300] + via))

    def reject(self, url: str, reason: str, detail: str = "") -> None:
        """Record a page that should have been a review and is not (stats + reject file)."""
        self.crawler.signals.send_catch_log(page_rejected, url=url, reason=reason, detail=detail, record=None)
