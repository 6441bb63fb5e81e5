"""Pre-download filters and conditional requests, for every spider (a spider cannot override
them away: they are keyed on request meta, not on spider hooks).

:class:`ConditionalMiddleware` (spider middleware, order 600; reads the run's
:class:`~crawler.run.options.RunFilter` and state from :func:`crawler.run.context.get_run`):

- a sitemap URL entry (request meta ``lastmod``, set by the discovery code) whose ``lastmod`` is
  older than the incremental watermark minus ``INCREMENTAL_OVERLAP_HOURS``, or modified before
  ``since``, is not requested (``sitemap/urls_skipped``); a child sitemap of an index (meta
  ``sitemap_lastmod``) modified before ``since`` is not requested either;
- a page a backfill already exported is not requested (``pages/skipped/already_exported``);
- in incremental mode a page emitted before is asked with ``If-None-Match`` /
  ``If-Modified-Since`` (``pages/conditional_requests``; a 304 is ``pages/not_modified``);
- each review's fetch URL and validators are remembered for the state;
- a review exported before and skipped (``lastmod``, backfill) or answered 304 counts as seen,
  once per review and run (:meth:`crawler.run.context.RunContext.see`, stat ``reviews/seen``).

Requests are recognised by meta: ``review_page`` (a page that may be a review, set by
:meth:`crawler.spiders.discovery.ReviewSiteSpider.review_request`).
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.normalize.text import clean_text
from crawler.normalize.urls import record_id
from crawler.run.context import get_run, pack_fetch_info


def _id_for_raw_url(raw_url: Any) -> str | None:
    """The record id :func:`crawler.record.build.normalize_record` will derive."""
    url = clean_text(raw_url or "") if isinstance(raw_url, str) else ""
    return record_id(url) if url else None


class ConditionalMiddleware(BaseSpiderMiddleware):
    """See the module docstring."""

    def get_processed_request(self, request: Request, response) -> Request | None:
        run = get_run(self.crawler)
        stats = self.crawler.stats
        meta = request.meta
        if "sitemap_lastmod" in meta and not run.filter.want_sitemap_lastmod(meta["sitemap_lastmod"]):
            stats.inc_value("sitemap/skipped_by_lastmod")
            return None
        if "lastmod" in meta and not run.filter.want_lastmod(meta["lastmod"]):
            stats.inc_value("sitemap/urls_skipped")
            known = run.state.get_fetch(request.url) if run.state is not None and meta.get("review_page") else None
            if known is not None:
                run.see(known.get("id"))  # a review exported before, unchanged since: seen
            return None
        if run.state is None or not meta.get("review_page"):
            return request
        known = run.state.get_fetch(request.url)
        if known is None:
            return request
        if run.mode == "backfill":
            stats.inc_value("pages/skipped/already_exported")
            run.see(known.get("id"))
            return None
        request.meta["known_review_id"] = known.get("id")
        if run.mode == "incremental" and (known.get("etag") or known.get("last_modified")):
            headers = {}
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
            for k, v in headers.items():
                request.headers.setdefault(k, v)
            request.meta.setdefault("handle_httpstatus_list", [304])
            stats.inc_value("pages/conditional_requests")
        return request

    def get_processed_item(self, item: Any, response) -> Any:
        run = get_run(self.crawler)
        if run.state is not None and response is not None:
            rid = _id_for_raw_url(ItemAdapter(item).get("url"))
            if rid:
                headers = response.headers
                etag = headers.get(b"ETag")
                lm = headers.get(b"Last-Modified")
                run.fetch_info[rid] = pack_fetch_info(  # kept until the file is stored
                    response.request.url if response.request is not None else response.url,
                    etag.decode("latin-1") if etag else None,
                    lm.decode("latin-1") if lm else None,
                )
        return item
