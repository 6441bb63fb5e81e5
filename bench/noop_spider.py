"""The benchmark's ceiling: the ``avclub`` spider's discovery (robots.txt, sitemaps, listings)
with a ``parse_page`` that only counts the page. Same requests, no extraction, no items."""

from __future__ import annotations

from crawler.spiders.avclub import AvClubSpider


class NoopSpider(AvClubSpider):
    name = "bench_noop"

    def parse_page(self, response):
        self.crawler.stats.inc_value("pages/read")
        return ()
