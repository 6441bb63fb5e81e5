"""One record per ``id`` within a run: a second one is dropped (``reviews/dropped/duplicate``);
every record let through is counted as ``reviews/emitted``."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.pipelines.base import StatsPipeline
from crawler.record.item import record_view
from crawler.run.counting import inc_values


class DedupPipeline(StatsPipeline):
    """See the module docstring."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item):
        item_id = record_view(item).get("id")
        if item_id in self.seen:
            self.stats.inc_value("reviews/dropped/duplicate")
            raise DropItem(f"duplicate id {item_id}")
        self.seen.add(item_id)
        inc_values(self.stats, ("reviews/emitted",))
        return item
