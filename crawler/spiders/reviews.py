"""The ``reviews`` spider: reviews from any critics' site, configured or not.

- ``scrapy crawl reviews -a site=KEY``: a site declared in ``crawler/sites/sites.toml``: its
  ``robots.txt`` sitemaps, configured sitemaps, feeds and listings (with pagination), its URL
  allow/deny patterns and its page class. ``-a base_url=...`` crawls a mirror of it.
- ``scrapy crawl reviews -a url=URL``: any site, from a sitemap, an RSS/Atom feed or a start page.
  For a start page: the sitemaps named in the host's ``robots.txt`` and the feeds the page
  announces (``<link rel="alternate" type="application/rss+xml|atom+xml">``) are read; when there
  are neither, in-site links are followed to ``depth`` (default 3) clicks from the start page.
- ``scrapy crawl reviews -a urls=URL,URL`` (or ``urls_file=FILE``): exactly those pages.

Every page is read by the page class of its site: the configured site owning the fetched URL's
host or, for a mirror, its canonical URL's host; else the generic page class, whose records'
``site`` is the host (``www.`` dropped). Only pages the classifier takes for reviews become
items (the same record, through the same pipelines); the others are counted
(``pages/skipped/not_review``, ``pages/classified/<reason>``).

Other arguments: ``sites_file`` (an extra site config file), ``depth``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Request, Response
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler.normalize.urls import clean_url, same_site
from crawler.sites.config import SiteConfig, site_config, site_for_url
from crawler.spiders.discovery import FEED_TYPES, ReviewSiteSpider, feed_links, xml_kind

logger = logging.getLogger(__name__)

_SKIP_EXT_RE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|json|xml|rss|atom|pdf|zip|gz|mp3|mp4|m4a|webm|woff2?|ttf|txt)$", re.IGNORECASE
)
_MAX_LINKS_PER_PAGE = 500


class ReviewsSpider(ReviewSiteSpider):
    """Crawl reviews from a configured site (``site``), any site (``url``) or exact pages (``urls``)."""

    name = "reviews"
    arguments = ("site", "url", "depth", "sites_file")

    def __init__(self, *args: Any, site: str | None = None, url: str | None = None, urls: str | None = None,
                 urls_file: str | None = None, base_url: str | None = None, depth: str | int = 3,
                 sites_file: str | None = None, **kwargs: Any):
        self.sites_files = (sites_file,) if sites_file else ()
        self.site_cfg: SiteConfig | None = None
        if site:
            self.site_cfg = site_config(site, self.sites_files)
            if self.site_cfg is None:
                raise ValueError(f"unknown site {site!r} (not in crawler/sites/sites.toml)")
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"url must be an http(s) URL, got {url!r}")
        if self.site_cfg is None and url:
            self.site_cfg = site_for_url(url, self.sites_files)
        self.start_url = url
        exact = self._read_urls(urls, urls_file)
        if not base_url:
            if url:
                parts = urlsplit(url)
                base_url = f"{parts.scheme}://{parts.netloc}"
            elif self.site_cfg and self.site_cfg.base_url:
                base_url = self.site_cfg.base_url
            elif exact:
                parts = urlsplit(exact[0])
                base_url = f"{parts.scheme}://{parts.netloc}"
            elif self.site_cfg:
                raise ValueError(f"site {site!r} has no base_url in its config: give -a base_url=URL")
            else:
                raise ValueError("give -a site=KEY, -a url=URL or -a urls=URL,...")
        self.max_depth = int(depth)
        if self.max_depth < 0:
            raise ValueError("depth must be >= 0")
        super().__init__(*args, base_url=base_url, urls=urls, urls_file=urls_file, **kwargs)
        cfg = self.site_cfg
        if cfg:
            if cfg.listing_link_css:
                self.listing_link_css = cfg.listing_link_css
            if cfg.next_page_css:
                self.next_page_css = cfg.next_page_css
        self._sitemaps_found = 0
        self._robots = None

    @property
    def _user_agent(self) -> str:
        return self.settings.get("ROBOTSTXT_USER_AGENT") or self.settings.get("USER_AGENT") or "*"

    # ---------------------------------------------------------------- start
    def _abs(self, path_or_url: str) -> str:
        return urljoin(self.base_url + "/", path_or_url.lstrip("/")) if not path_or_url.startswith(("http://", "https://")) else path_or_url

    async def start(self) -> AsyncIterator[Request]:
        if self.exact_urls:
            for url in self.exact_urls:
                yield self.review_request(url, expected=True, source="urls")
            return
        # robots.txt first (sitemaps), then the start point: whether to follow links depends on it.
        yield Request(f"{self.base_url}/robots.txt", callback=self.discover_robots, errback=self.discover_robots_failed,
                      priority=10, dont_filter=True)

    def _start_requests(self) -> Iterable[Request]:
        cfg = self.site_cfg
        started = 0
        if cfg and not self.start_url:
            for sm in cfg.sitemaps:
                started += 1
                yield self.sitemap_request(self._abs(sm))
            for feed in cfg.feeds:
                started += 1
                yield Request(self._abs(feed), callback=self.parse_feed, errback=self.page_failed, meta={"feed": True})
            for listing in cfg.listings:
                started += 1
                yield Request(self._abs(listing), callback=self.parse_listing, errback=self.page_failed, meta={"listing": listing})
        if self.start_url or not (started or self._sitemaps_found):
            start = self.start_url or self.base_url + "/"
            yield Request(start, callback=self.parse_start, errback=self.page_failed, meta={"link_depth": 0})

    def discover_robots(self, response: Response) -> Iterable[Request]:
        sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url)) if response.status == 200 else []
        if response.status == 200:
            # Kept to leave disallowed links out when following links (the robots.txt middleware
            # would refuse them anyway, as failed requests).
            try:
                self._robots = ProtegoRobotParser.from_crawler(self.crawler, response.body)
            except Exception:  # noqa: BLE001 - a broken robots.txt only costs this shortcut
                self._robots = None
        self.crawler.stats.set_value("sitemap/from_robots", len(sitemaps))
        self._sitemaps_found = len(sitemaps)
        for url in sitemaps:
            yield self.sitemap_request(url)
        yield from self._start_requests()

    def discover_robots_failed(self, failure) -> Iterable[Request]:
        self.crawler.stats.inc_value("sitemap/robots_failed")
        yield from self._start_requests()

    async def parse_start(self, response: Response):
        """The ``url`` start point: a sitemap, a feed, or an HTML page."""
        kind = xml_kind(response.body) if not response.headers.get(b"Content-Type", b"").startswith(b"text/html") else None
        if kind == "sitemap":
            self.crawler.stats.inc_value("discovery/start_is_sitemap")
            async for request in self.parse_sitemap(response):
                yield request
            return
        if kind == "feed":
            self.crawler.stats.inc_value("discovery/start_is_feed")
            for request in self.parse_feed(response):
                yield request
            return
        if not hasattr(response, "css"):
            self.crawler.stats.inc_value("discovery/start_unreadable")
            return
        feeds = []
        for link in response.css("link[rel~=alternate][href]"):
            if (link.attrib.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES:
                feeds.append(response.urljoin(link.attrib["href"]))
        feeds = [f for f in dict.fromkeys(feeds) if same_site(f, self.allowed_origins)]
        self.crawler.stats.set_value("discovery/feeds_announced", len(feeds))
        for feed in feeds:
            yield Request(feed, callback=self.parse_feed, errback=self.page_failed, meta={"feed": True})
        # The start page itself may be a review.
        async for item in self.parse_page(response):
            yield item
        if not feeds and not self._sitemaps_found:
            self.crawler.stats.set_value("discovery/following_links", True)
            for request in self.follow_links(response):
                yield request

    # ---------------------------------------------------------------- feeds
    def parse_feed(self, response: Response) -> Iterable[Request]:
        stats = self.crawler.stats
        links = feed_links(response.body, response.url)
        if not links:
            stats.inc_value("feed/invalid_or_empty")
            return
        stats.inc_value("feed/fetched")
        for url in links:
            stats.inc_value("feed/urls")
            if self.url_wanted(url):
                yield self.review_request(url, expected=False, source="feed")
            else:
                stats.inc_value("feed/urls_skipped")

    # ---------------------------------------------------------------- links
    def url_wanted(self, url: str) -> bool:
        return self.site_cfg.url_allowed(url) if self.site_cfg else True

    def follow_links(self, response: Response) -> Iterable[Request]:
        depth = response.meta.get("link_depth", 0)
        if depth >= self.max_depth or not hasattr(response, "css"):
            return
        seen = 0
        for href in dict.fromkeys(response.css("a[href]::attr(href)").getall()):
            url = response.urljoin(href.strip())
            parts = urlsplit(url)
            if not same_site(url, self.allowed_origins) or _SKIP_EXT_RE.search(parts.path):
                continue
            if not self.url_wanted(url):
                self.crawler.stats.inc_value("links/skipped_by_pattern")
                continue
            if self._robots is not None and self.settings.getbool("ROBOTSTXT_OBEY") and not self._robots.allowed(url, self._user_agent):
                self.crawler.stats.inc_value("links/skipped_by_robots")
                continue
            seen += 1
            if seen > _MAX_LINKS_PER_PAGE:
                break
            self.crawler.stats.inc_value("links/followed")
            yield Request(clean_url(url), callback=self.parse_followed, errback=self.page_failed,
                          meta={"link_depth": depth + 1, "expected_review": False, "source": "links"})

    async def parse_followed(self, response: Response):
        async for item in self.parse_page(response):
            yield item
        for request in self.follow_links(response):
            yield request

    # ---------------------------------------------------------------- pages
    def page_site(self, url: str) -> tuple[str | None, str | None]:
        """The configured site when it owns the page's host; else the site owning the host, or
        (``-a site=KEY -a base_url=MIRROR``) the configured site as the fallback; else generic
        (:func:`crawler.sites.registry.page_for`, which also reads a mirror's canonical URL)."""
        cfg = self.site_cfg
        if cfg is not None and cfg.owns(url):
            return cfg.key, None
        return None, (cfg.key if cfg is not None and not self.start_url else None)
