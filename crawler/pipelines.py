"""Item pipelines, one concern each, thin wrappers over pure functions with stats.

1. :class:`NormalizePipeline` (order 100): :func:`crawler.normalize.record.normalize_record`;
   counts ``reviews/missing/<field>`` for every empty field.
2. :class:`ValidatePipeline` (order 200): the record's JSON Schema; an invalid record is
   dropped, counted (``reviews/dropped/invalid``) and written to the reject file.
3. :class:`DedupPipeline` (order 300): one record per ``id`` within a run
   (``reviews/dropped/duplicate``).
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.extract_pool import PREPARED_ERRORS
from crawler.items import Review
from crawler.normalize.record import normalize_record
from crawler.rejects import page_rejected
from crawler.validation import record_errors

logger = logging.getLogger(__name__)

#: fields whose emptiness is counted as ``reviews/missing/<field>``
TRACKED_FIELDS = ("kind", "title", "subtitle", "work_title", "grade", "body", "authors", "published_at", "modified_at", "language")
TRACKED_CREDITS = ("director", "writer", "starring", "release_date", "platform")


def missing_fields(record: dict) -> list[str]:
    """Names of the tracked fields that are empty in *record* (``credits/<role>`` for credits)."""
    missing = [f for f in TRACKED_FIELDS if record.get(f) in (None, "", [], {})]
    credits = record.get("credits") or {}
    missing += [f"credits/{k}" for k in TRACKED_CREDITS if credits.get(k) in (None, "", [], {})]
    return missing


class StatsPipeline:
    """Base of our pipelines: holds the crawler and its stats, builds from the crawler."""

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


class NormalizePipeline(StatsPipeline):
    """Normalize every field and derive ``id``, ``word_count``, ``content_hash``."""

    def process_item(self, item):
        if hasattr(item, PREPARED_ERRORS):  # normalized in an extraction worker: not again
            record, out = vars(item), item
        else:
            record = normalize_record(item)
            out = Review(**record)
        self.stats.inc_value("reviews/normalized")
        for field in missing_fields(record):
            self.stats.inc_value(f"reviews/missing/{field}")
        return out


class ValidatePipeline(StatsPipeline):
    """Check each record against ``crawler/schema/review-v1.schema.json``."""

    def process_item(self, item):
        errors = getattr(item, PREPARED_ERRORS, None)  # checked in an extraction worker
        if errors is None:
            errors = record_errors(ItemAdapter(item).asdict())
        if errors:
            raise self.reject(item, "invalid", "; ".join(errors))
        return item


class DedupPipeline(StatsPipeline):
    """Drop a second record with an ``id`` already seen in this run."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item):
        item_id = ItemAdapter(item).get("id")
        if item_id in self.seen:
            self.stats.inc_value("reviews/dropped/duplicate")
            raise DropItem(f"duplicate id {item_id}")
        self.seen.add(item_id)
        self.stats.inc_value("reviews/emitted")
        return item
