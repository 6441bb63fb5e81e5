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
- ``mode``, ``since``, ``until``, ``state``: production runs, see :mod:`crawler.run.options`.

Any other argument is refused (``unknown argument 'mdoe' (did you mean 'mode'?)``; names
starting with ``_``, such as Scrapyd's ``_job``, are let through); each spider lists its own
in ``arguments``. ``scrapy crawl`` checks them before it starts (:meth:`ReviewSiteSpider.check_arguments`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from weakref import WeakKeyDictionary

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler.normalize.urls import clean_url, url_origin
from crawler.output.rejects import page_rejected
from crawler.record.item import PREPARED_ERRORS, Review
from crawler.run.context import did_you_mean, get_run
from crawler.run.counting import add_values
from crawler.run.failures import failure_reason
from crawler.run.options import RunOptions
from crawler.run.workers import extract_pool_for
from crawler.security import check_spider_name, strip_userinfo
from crawler.sites.read import ReadOutcome, read_page
from crawler.spiders.sitemaps import SitemapEntries, SitemapRead, SitemapStream

logger = logging.getLogger(__name__)

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")


def xml_kind(body: bytes) -> str | None:
    """``sitemap``, ``feed`` or None from the first element of an XML document."""
    head = body[:2048].lstrip()
    if not head.startswith(b"<"):
        return None
    m = re.search(rb"<(?!\?|!)([\w:.-]+)", head)
    if not m:
        return None
    tag = m.group(1).split(b":")[-1].lower()
    if tag in (b"urlset", b"sitemapindex"):
        return "sitemap"
    if tag in (b"rss", b"feed", b"rdf"):
        return "feed"
    return None


def feed_links(body: bytes, base_url: str) -> list[str]:
    """Article links of an RSS 2.0, RSS 1.0 or Atom feed (no network, no entities)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    links: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        parent = el.getparent()
        parent_local = etree.QName(parent).localname if parent is not None and isinstance(parent.tag, str) else ""
        if parent_local not in ("item", "entry"):
            continue
        if local == "link":
            href = el.get("href")
            if href is not None:  # Atom
                if (el.get("rel") or "alternate") == "alternate":
                    links.append(urljoin(base_url, href.strip()))
            elif el.text and el.text.strip():  # RSS
                links.append(urljoin(base_url, el.text.strip()))
        elif local == "guid" and (el.get("isPermaLink") or "true") == "true" and el.text and el.text.strip().startswith("http"):
            links.append(el.text.strip())
    return list(dict.fromkeys(u for u in links if u.startswith(("http://", "https://"))))

class ReviewSiteSpider(scrapy.Spider):
    """Base spider: discovery from sitemaps and listings, one page object per article page.

    Class attributes a site spider sets: ``name``, ``site_key`` (the site its pages are read as;
    ``None``: the site owning each page's host, :meth:`page_site`), ``default_base_url``, ``listing_paths`` (review listing pages, paginated),
    ``listing_link_css`` (links to reviews on a listing), ``next_page_css`` (pagination),
    ``sitemap_paths`` (tried when robots.txt names no sitemap).

    Settings: ``SITEMAP_MAX_SIZE`` (bytes of one sitemap, uncompressed; 50 MB),
    ``SITEMAP_MAX_URLS`` (entries taken from one sitemap; 50,000), ``SITEMAP_MAX_DEPTH`` (levels
    of sitemap indexes followed; 5), ``SITEMAP_QUEUE_MAX`` (reading a sitemap pauses while more
    requests wait in the scheduler; 2,000; 0 = never pause), ``SITEMAP_STREAM`` (True: a
    sitemap's entries are read, and their pages scheduled, while it downloads; False: once it
    has downloaded). See :meth:`parse_sitemap`.

    Reading a sitemap while it downloads (Scrapy's ``headers_received`` / ``bytes_received``
    signals, :class:`~crawler.spiders.sitemaps.SitemapStream`): each entry goes through
    :meth:`sitemap_entry` (the limits, :meth:`url_wanted`, the same stats) and its request through
    the spider middlewares' ``get_processed_request`` (the conditional middleware's ``lastmod``
    filters, Scrapy's depth, referer and URL-length ones: :meth:`_spider_output`), then to
    ``engine.crawl``, as the callback's output would; a spider middleware that filters requests
    in ``process_spider_output`` only would not see them (none does here: the distributed batch
    tracker follows items). The request's meta ``sitemap_read`` counts the entries handled, so the
    callback, or a retry after a broken download, goes on after them: each entry is counted and
    scheduled once. The stream stops, leaving the rest to the callback, when the queue is full
    (``SITEMAP_QUEUE_MAX``), the crawl closes, or the body is not one it reads the callback's way
    (a content encoding other than gzip, a broken or oversized gzip, not XML). Entries read before
    a download fails or turns out too large stay scheduled, as those before broken XML do.
    """

    site_key: str | None = None
    default_base_url: str = ""
    listing_paths: tuple[str, ...] = ()
    listing_link_css: tuple[str, ...] = ("a.card-link::attr(href)", "article h2 a::attr(href)", "article h3 a::attr(href)")
    next_page_css: tuple[str, ...] = ("a[rel~=next]::attr(href)", "link[rel~=next]::attr(href)", ".pagination-next::attr(href)", ".pagination a.next::attr(href)")
    sitemap_paths: tuple[str, ...] = ("/sitemap_index.xml", "/sitemap.xml")
    #: the ``-a`` arguments this class takes (a subclass lists its own; unknown ones are refused)
    arguments: tuple[str, ...] = ("base_url", "urls", "urls_file", "mode", "since", "until", "state")

    @classmethod
    def known_arguments(cls) -> set[str]:
        known = {"name"}
        for klass in cls.__mro__:
            known.update(klass.__dict__.get("arguments", ()))
        return known

    @classmethod
    def check_arguments(cls, spargs: dict[str, Any]) -> None:
        """Raise ValueError (one line) for an unknown argument or a bad value, as the spider would."""
        cls(**spargs)

    def __init__(self, *args: Any, base_url: str | None = None, urls: str | None = None, urls_file: str | None = None, **kwargs: Any):
        known = self.known_arguments()
        for key in kwargs:
            if key not in known and not key.startswith("_"):
                raise ValueError(f"unknown argument {key!r}{did_you_mean(key, known - {'name'})}")
        super().__init__(*args, **kwargs)
        check_spider_name(self)  # -a name=... would rename output, reject and state paths
        # -a mode/since/until/state (crawler/run/options.py): validated here, applied by the run (crawler/run/)
        self.run_options = RunOptions.from_args(kwargs.get("mode"), kwargs.get("since"), kwargs.get("until"), kwargs.get("state"))
        self.run_id = self.run_options.run_id
        self.base_url = strip_userinfo((base_url or self.default_base_url).rstrip("/"))
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {self.base_url!r}")
        self.exact_urls = self._read_urls(urls, urls_file)
        hosts = {urlsplit(self.base_url).hostname} | {urlsplit(u).hostname for u in self.exact_urls}
        self.allowed_domains = sorted(h for h in hosts if h)
        # The site is scheme + host + port (crawler/middlewares/offsite.py): another port of the
        # same host is another service, never fetched.
        self.allowed_origins = frozenset(o for o in map(url_origin, [self.base_url, *self.exact_urls]) if o)
        self._sitemap_streams: WeakKeyDictionary[Request, SitemapStream] = WeakKeyDictionary()  # while they download
        self._output_chain: list | None = None

    @staticmethod
    def _read_urls(urls: str | None, urls_file: str | None) -> list[str]:
        """The URLs of ``urls`` and ``urls_file``. An error names positions and line numbers,
        never the content (a wrong file may hold anything: keys, passwords)."""
        found: list[str] = []
        if urls:
            given = [u.strip() for u in urls.split(",") if u.strip()]
            bad = [str(i) for i, u in enumerate(given, 1) if not u.startswith(("http://", "https://"))]
            if bad:
                raise ValueError(f"urls item(s) {', '.join(bad[:10])}: not http(s) URLs")
            found += given
        if urls_file:
            try:
                text = Path(urls_file).read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"urls_file {urls_file}: not a UTF-8 text file") from None
            except OSError as exc:
                raise ValueError(f"urls_file {urls_file}: cannot read it ({exc.strerror or type(exc).__name__})") from None
            bad = []
            for lineno, line in enumerate(text.splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                if not line.startswith(("http://", "https://")):
                    bad.append(str(lineno))
                found.append(line)
            if bad:
                more = f" (and {len(bad) - 10} more)" if len(bad) > 10 else ""
                raise ValueError(f"urls_file line(s) {', '.join(bad[:10])}{more}: not http(s) URLs")
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
        ``urls``, not being a review. Meta ``review_page`` marks it for the conditional
        middleware (``lastmod`` in *meta*: a sitemap entry's, for the ``lastmod`` filter)."""
        return Request(clean_url(url), callback=self.parse_page, errback=self.page_failed,
                       meta={"expected_review": expected, "source": source, "review_page": True, **meta})

    # ---------------------------------------------------------------- sitemaps
    def parse_robots(self, response: Response) -> Iterable[Request]:
        sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        self.crawler.stats.set_value("sitemap/from_robots", len(sitemaps))
        if not sitemaps:
            sitemaps = [self.base_url + p for p in self.sitemap_paths]
        for url in sitemaps:
            yield self.sitemap_request(url)

    def robots_failed(self, failure) -> Iterable[Request]:
        self.crawler.stats.inc_value("sitemap/robots_failed")
        for path in self.sitemap_paths:
            yield self.sitemap_request(self.base_url + path)

    def sitemap_request(self, url: str, depth: int = 0, **meta: Any) -> Request:
        """A request for a sitemap (or sitemap index) at *depth* index levels below the start:
        up to ``SITEMAP_MAX_SIZE`` bytes (the protocol's 50 MB, not ``DOWNLOAD_MAXSIZE``)."""
        return Request(url, callback=self.parse_sitemap, errback=self.page_failed,
                       meta={"sitemap": True, "sitemap_depth": depth,
                             "download_maxsize": self.crawler.settings.getint("SITEMAP_MAX_SIZE", 50 * 1024 * 1024), **meta})

    def sitemap_body(self, response: Response) -> bytes | None:
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.crawler.settings.getint("SITEMAP_MAX_SIZE", 50 * 1024 * 1024))
            except Exception:  # noqa: BLE001 - a corrupt or oversized gzip is a failed sitemap
                return None
        return body if body.lstrip()[:1] == b"<" else None

    def _queued(self) -> int:
        stats = self.crawler.stats
        return int(stats.get_value("scheduler/enqueued", 0)) - int(stats.get_value("scheduler/dequeued", 0))

    def _queue_full(self) -> bool:
        queue_max = self.crawler.settings.getint("SITEMAP_QUEUE_MAX", 2000)
        return queue_max > 0 and self._queued() > queue_max

    def _closing(self) -> bool:
        """Whether the engine is closing the spider (it then takes nothing more from the
        scheduler: a sitemap reader waiting for the queue to drain must stop)."""
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)
        return engine is None or slot is None or getattr(slot, "closing", None) is not None

    def sitemap_entry(self, read: SitemapRead, entry: dict[str, str]) -> Request | None:
        """The request for a new entry of a sitemap (:meth:`SitemapRead.take`), or None; counted
        the same whether the stream or the callback reads it: ``SITEMAP_MAX_URLS``,
        ``SITEMAP_MAX_DEPTH``, :meth:`url_wanted` (the ``lastmod`` filters: the conditional
        middleware, on the request's meta)."""
        stats = self.crawler.stats
        settings = self.crawler.settings
        read.done = read.index
        loc = entry["loc"]
        if read.index > settings.getint("SITEMAP_MAX_URLS", 50_000):
            stats.inc_value("sitemap/urls_over_limit")
            return None
        if read.kind == "sitemapindex":
            max_depth = settings.getint("SITEMAP_MAX_DEPTH", 5)
            if read.depth + 1 > max_depth:
                stats.inc_value("sitemap/too_deep")
                logger.warning("Sitemap index %s: child %s is more than SITEMAP_MAX_DEPTH=%d levels deep, not fetched",
                               read.url, loc[:200], max_depth)
                return None
            # the conditional middleware skips it by ``sitemap_lastmod`` (since)
            return self.sitemap_request(urljoin(read.url, loc), read.depth + 1, sitemap_lastmod=entry.get("lastmod"))
        stats.inc_value("sitemap/urls")
        if self.url_wanted(loc):  # lastmod and date filters: the conditional middleware
            return self.review_request(urljoin(read.url, loc), expected=False, source="sitemap", lastmod=entry.get("lastmod"))
        stats.inc_value("sitemap/urls_skipped")
        return None

    # ------------------------------------------------ sitemaps read while they download
    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if crawler.settings.getbool("SITEMAP_STREAM", True):
            crawler.signals.connect(spider._sitemap_headers_received, signal=signals.headers_received)
            crawler.signals.connect(spider._sitemap_bytes_received, signal=signals.bytes_received)
        return spider

    def _sitemap_headers_received(self, headers, body_length, request: Request, spider=None) -> None:
        """A sitemap's response starts: read it as it arrives (:class:`SitemapStream`)."""
        if not request.meta.get("sitemap") or request.callback != self.parse_sitemap:
            return
        read = SitemapRead(request.url, int(request.meta.get("sitemap_depth", 0)), done=int(request.meta.get("sitemap_read", 0)))
        stream = SitemapStream.for_headers(read, headers, self.crawler.settings.getint("SITEMAP_MAX_SIZE", 50 * 1024 * 1024))
        if stream is not None:
            self._sitemap_streams[request] = stream

    def _sitemap_bytes_received(self, data: bytes, request: Request, spider=None) -> None:
        stream = self._sitemap_streams.get(request)
        if stream is None or not stream.live:
            return
        try:
            self._read_sitemap_stream(stream, request, data)
        except Exception:  # noqa: BLE001 - the callback reads on from the last entry handled
            stream.stop("error")
            logger.exception("Sitemap %s: reading it while it downloads failed; read after the download", request.url)
        if not stream.live:
            logger.debug("Sitemap %s: read after the download from entry %d (%s)", request.url, stream.read.done + 1, stream.stopped)

    def _read_sitemap_stream(self, stream: SitemapStream, request: Request, data: bytes) -> None:
        """Schedule the requests of the entries completed by *data* (the filters of the callback's
        output applied, :meth:`_spider_output`); stop, leaving the rest to the callback, when the
        queue is full (``SITEMAP_QUEUE_MAX``) or the crawl closes."""
        read = stream.read
        response = None
        try:
            for entry in stream.feed(data):
                if self._closing() or self._queue_full():
                    stream.stop("the crawl is closing" if self._closing() else "the queue is full")
                    break
                if not read.take(entry):
                    continue
                new = self.sitemap_entry(read, entry)
                self.crawler.stats.inc_value("sitemap/streamed")
                if new is None:
                    continue
                if response is None:
                    response = Response(request.url, headers=stream.headers, request=request)
                new = self._spider_output(new, response)
                if new is not None:
                    self.crawler.engine.crawl(new)
        finally:
            request.meta["sitemap_read"] = read.done  # the callback, or a retry of the request, goes on from there

    def _spider_output(self, request: Request, response: Response) -> Request | None:
        """*request* through the spider middlewares as if the callback had yielded it: the
        ``get_processed_request`` of each (Scrapy's own, the conditional middleware), in the
        order the callback's output meets them."""
        if self._output_chain is None:
            middlewares = self.crawler.engine.scraper.spidermw.middlewares
            self._output_chain = [mw.get_processed_request for mw in reversed(middlewares) if hasattr(mw, "get_processed_request")]
        response.meta.setdefault("depth", 0)  # as Scrapy's depth middleware does for a response
        for processed in self._output_chain:
            request = processed(request, response)
            if request is None:
                return None
        return request

    async def parse_sitemap(self, response: Response):
        """A sitemap or sitemap index, read as a stream: first while it downloads (the requests
        of its entries scheduled at once, see :meth:`_read_sitemap_stream`), then here from the
        first entry not read yet (:class:`~crawler.spiders.sitemaps.SitemapEntries` when the
        stream stopped or there was none), entries yielded as they are parsed. Reading pauses
        while more than ``SITEMAP_QUEUE_MAX`` requests wait in the scheduler, so memory stays
        bounded and pages are fetched while the sitemap is being read. At most
        ``SITEMAP_MAX_URLS`` entries of one file are taken (the rest:
        ``sitemap/urls_over_limit``); index children deeper than ``SITEMAP_MAX_DEPTH`` are not
        fetched (``sitemap/too_deep``)."""
        stats = self.crawler.stats
        stream = self._sitemap_streams.pop(response.request, None) if response.request is not None else None
        tail = stream.finish() if stream is not None and stream.decoded == len(response.body) else None
        if tail is not None:
            read, parser, entries = stream.read, stream.parser, tail
        else:
            body = self.sitemap_body(response)
            if body is None:
                stats.inc_value("sitemap/invalid")
                logger.warning("Not a sitemap: %s", response.url)
                return
            entries = parser = SitemapEntries(body)
            del body  # the parser holds the bytes it still needs
            if parser.kind is None:
                stats.inc_value("sitemap/invalid")
                logger.warning("Unreadable sitemap: %s", response.url)
                return
            read = SitemapRead(response.url, int(response.meta.get("sitemap_depth", 0)), parser.kind,
                               done=int(response.meta.get("sitemap_read", 0)))
        stats.inc_value("sitemap/fetched")
        max_urls = self.crawler.settings.getint("SITEMAP_MAX_URLS", 50_000)
        for entry in entries:
            if not read.take(entry):
                continue
            if read.index <= max_urls:  # entries past the limit are only counted
                while self._queue_full() and not self._closing():
                    stats.inc_value("sitemap/paused")
                    await asyncio.sleep(0.05)
                if self._closing():
                    stats.inc_value("sitemap/abandoned")
                    logger.warning("Sitemap %s: the crawl is closing; its entries after the %d-th are not read", response.url, read.done)
                    return
            request = self.sitemap_entry(read, entry)
            if request is not None:
                yield request
        if parser.error:
            stats.inc_value("sitemap/truncated")
            logger.warning("Sitemap %s: unreadable after %d entries (%s)", response.url, read.index, parser.error)

    def url_wanted(self, url: str) -> bool:
        """Whether a discovered URL is for this crawl (hook: a site's allow/deny patterns)."""
        return True

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
    async def parse_page(self, response: Response):
        """An article page, read by :func:`crawler.sites.read.read_page`: in an extraction worker
        when ``EXTRACT_WORKERS`` > 0 (:mod:`crawler.run.workers`), else here. Every callback that
        reads pages is an async generator, whatever the settings."""
        if response.status == 304:  # conditional request (crawler/middlewares/conditional.py): unchanged
            self.crawler.stats.inc_value("pages/not_modified")
            get_run(self.crawler).see(response.meta.get("known_review_id"))
            return
        for item in await self.read(response):
            yield item

    def page_site(self, url: str) -> tuple[str | None, str | None]:
        """``(site, fallback_site)`` for :func:`crawler.sites.registry.page_for` (hook)."""
        return self.site_key, None

    def read_args(self, response: Response) -> dict:
        """The arguments of :func:`read_page` for *response* (plain values: they go to a worker)."""
        content_type = response.headers.get(b"Content-Type") or b""
        return {"url": response.url, "body": response.body, "headers": {"Content-Type": content_type.decode("latin-1")},
                **self.read_options(response.url, response.meta)}

    def read_options(self, url: str, meta: dict) -> dict:
        """The arguments of :func:`read_page` but the page itself (``url``, ``body``, ``headers``)
        for a page at *url* requested with *meta*: what the WARC capture records with the page
        (:mod:`crawler.middlewares.warc`), before the response has its request."""
        site, fallback = self.page_site(url)
        return {"site": site, "fallback_site": fallback, "sites_files": tuple(getattr(self, "sites_files", ()) or ()),
                "expected": bool(meta.get("expected_review", False)), "source": meta.get("source")}

    async def read(self, response: Response) -> list[Review]:
        """Read one article page: its stats and rejects applied, its items returned."""
        args = self.read_args(response)
        pool = extract_pool_for(self.crawler)
        outcome = await pool.read(args) if pool is not None else read_page(**args)
        return self.apply_outcome(response.url, outcome)

    def apply_outcome(self, url: str, outcome: ReadOutcome) -> list[Review]:
        add_values(self.crawler.stats, outcome.stats)
        for reason, detail in outcome.rejects:
            self.reject(url, reason, detail)
        items = []
        for record, errors in outcome.records:
            item = Review(**record)
            setattr(item, PREPARED_ERRORS, errors)  # normalized and checked: the pipelines reuse it
            items.append(item)
        return items

    def page_failed(self, failure) -> None:
        request = failure.request
        self._sitemap_streams.pop(request, None)
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
