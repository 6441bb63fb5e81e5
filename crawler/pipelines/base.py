"""The base of our item pipelines: the crawler, its stats, and a reject that is counted and
written to the reject file (through the :data:`~crawler.output.rejects.page_rejected` signal)."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.output.rejects import page_rejected


class StatsPipeline:
    """Holds the crawler and its stats; builds from the crawler."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def reject(self, item, reason: str, detail: str) -> DropItem:
        record = ItemAdapter(item).asdict()
        self.stats.inc_value(f"reviews/dropped/{reason}")
        self.crawler.signals.send_catch_log(page_rejected, url=record.get("url") or "", reason=reason, detail=detail, record=record)
        return DropItem(f"{reason}: {detail}")
