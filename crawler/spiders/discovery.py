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
import io
import logging
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler.normalize.urls import clean_url, url_origin
from crawler.output.rejects import page_rejected
from crawler.record.item import PREPARED_ERRORS, Review
from crawler.run.context import did_you_mean, get_run
from crawler.run.failures import failure_reason
from crawler.run.options import RunOptions
from crawler.run.workers import extract_pool_for
from crawler.security import check_spider_name, strip_userinfo
from crawler.sites.read import ReadOutcome, read_page

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

class SitemapEntries:
    """The entries of a sitemap, parsed as a stream (``iterparse``; entities never resolved, no
    network, no DTD): each ``<url>``/``<sitemap>`` as ``{"loc", "lastmod"}`` once its end tag is
    read, then freed, so a 50,000-entry sitemap never becomes a tree in memory. ``error`` is set
    when the XML breaks off (the entries before it were given)."""

    def __init__(self, events, root):
        self._events, self._root = events, root
        self.error: str | None = None

    def __iter__(self):
        root = self._root
        entry_tag = "url" if etree.QName(root).localname.lower() == "urlset" else "sitemap"
        try:
            for event, el in self._events:
                if event != "end" or el.getparent() is not root:
                    continue
                if isinstance(el.tag, str) and etree.QName(el).localname == entry_tag:
                    entry = {}
                    for child in el:
                        if isinstance(child.tag, str) and child.text:
                            name = etree.QName(child).localname
                            if name in ("loc", "lastmod"):
                                entry[name] = child.text.strip()
                    yield entry
                el.clear()
                while el.getprevious() is not None:
                    del root[0]
        except etree.XMLSyntaxError as exc:
            self.error = str(exc)[:200]


def sitemap_entries(body: bytes) -> tuple[str | None, SitemapEntries]:
    """``(kind, entries)`` of a sitemap: kind ``urlset`` or ``sitemapindex`` (``None``: not a
    sitemap), entries a :class:`SitemapEntries` stream."""
    events = etree.iterparse(io.BytesIO(body), events=("start", "end"), resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True, recover=True)
    try:
        _, root = next(events)
    except (StopIteration, etree.XMLSyntaxError):
        return None, SitemapEntries(iter(()), None)
    kind = etree.QName(root).localname.lower() if isinstance(root.tag, str) else None
    if kind not in ("urlset", "sitemapindex"):
        return None, SitemapEntries(iter(()), None)
    return kind, SitemapEntries(events, root)


class ReviewSiteSpider(scrapy.Spider):
    """Base spider: discovery from sitemaps and listings, one page object per article page.

    Class attributes a site spider sets: ``name``, ``site_key`` (the site its pages are read as;
    ``None``: the site owning each page's host, :meth:`page_site`), ``default_base_url``, ``listing_paths`` (review listing pages, paginated),
    ``listing_link_css`` (links to reviews on a listing), ``next_page_css`` (pagination),
    ``sitemap_paths`` (tried when robots.txt names no sitemap).

    Settings: ``SITEMAP_MAX_SIZE`` (bytes of one sitemap, uncompressed; 50 MB),
    ``SITEMAP_MAX_URLS`` (entries taken from one sitemap; 50,000), ``SITEMAP_MAX_DEPTH`` (levels
    of sitemap indexes followed; 5), ``SITEMAP_QUEUE_MAX`` (reading a sitemap pauses while more
    requests wait in the scheduler; 2,000; 0 = never pause). See :meth:`parse_sitemap`.
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

    def _closing(self) -> bool:
        """Whether the engine is closing the spider (it then takes nothing more from the
        scheduler: a sitemap reader waiting for the queue to drain must stop)."""
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)
        return engine is None or slot is None or getattr(slot, "closing", None) is not None

    async def parse_sitemap(self, response: Response):
        """A sitemap or sitemap index, read as a stream (:func:`sitemap_entries`): entries are
        yielded as they are parsed, and reading pauses while more than ``SITEMAP_QUEUE_MAX``
        requests wait in the scheduler, so memory stays bounded and pages are fetched while the
        sitemap is being read. At most ``SITEMAP_MAX_URLS`` entries of one file are taken (the
        rest: ``sitemap/urls_over_limit``); index children deeper than ``SITEMAP_MAX_DEPTH``
        are not fetched (``sitemap/too_deep``)."""
        stats = self.crawler.stats
        settings = self.crawler.settings
        body = self.sitemap_body(response)
        if body is None:
            stats.inc_value("sitemap/invalid")
            logger.warning("Not a sitemap: %s", response.url)
            return
        kind, entries = sitemap_entries(body)
        del body  # the parser holds the bytes it still needs
        if kind is None:
            stats.inc_value("sitemap/invalid")
            logger.warning("Unreadable sitemap: %s", response.url)
            return
        stats.inc_value("sitemap/fetched")
        max_urls = settings.getint("SITEMAP_MAX_URLS", 50_000)
        max_depth = settings.getint("SITEMAP_MAX_DEPTH", 5)
        queue_max = settings.getint("SITEMAP_QUEUE_MAX", 2000)
        depth = int(response.meta.get("sitemap_depth", 0))
        taken = 0
        for entry in entries:
            loc = entry.get("loc")
            if not loc:
                continue
            if taken >= max_urls:
                stats.inc_value("sitemap/urls_over_limit")
                continue
            taken += 1
            while queue_max > 0 and self._queued() > queue_max and not self._closing():
                stats.inc_value("sitemap/paused")
                await asyncio.sleep(0.05)
            if self._closing():
                stats.inc_value("sitemap/abandoned")
                logger.warning("Sitemap %s: the crawl is closing; its entries after the %d-th are not read", response.url, taken)
                return
            if kind == "sitemapindex":
                if depth + 1 > max_depth:
                    stats.inc_value("sitemap/too_deep")
                    logger.warning("Sitemap index %s: child %s is more than SITEMAP_MAX_DEPTH=%d levels deep, not fetched",
                                   response.url, loc[:200], max_depth)
                    continue
                # the conditional middleware skips it by ``sitemap_lastmod`` (since)
                yield self.sitemap_request(urljoin(response.url, loc), depth + 1, sitemap_lastmod=entry.get("lastmod"))
            else:
                stats.inc_value("sitemap/urls")
                if self.url_wanted(loc):  # lastmod and date filters: the conditional middleware
                    yield self.review_request(urljoin(response.url, loc), expected=False, source="sitemap", lastmod=entry.get("lastmod"))
                else:
                    stats.inc_value("sitemap/urls_skipped")
        if entries.error:
            stats.inc_value("sitemap/truncated")
            logger.warning("Sitemap %s: unreadable after %d entries (%s)", response.url, taken, entries.error)

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
        site, fallback = self.page_site(response.url)
        content_type = response.headers.get(b"Content-Type") or b""
        return {"url": response.url, "body": response.body, "headers": {"Content-Type": content_type.decode("latin-1")},
                "site": site, "fallback_site": fallback, "sites_files": tuple(getattr(self, "sites_files", ()) or ()),
                "expected": bool(response.meta.get("expected_review", False)), "source": response.meta.get("source")}

    async def read(self, response: Response) -> list[Review]:
        """Read one article page: its stats and rejects applied, its items returned."""
        args = self.read_args(response)
        pool = extract_pool_for(self.crawler)
        outcome = await pool.read(args) if pool is not None else read_page(**args)
        return self.apply_outcome(response.url, outcome)

    def apply_outcome(self, url: str, outcome: ReadOutcome) -> list[Review]:
        stats = self.crawler.stats
        for key, n in outcome.stats.items():
            stats.inc_value(key, n)
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
