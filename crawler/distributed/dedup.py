"""One record per review id across the workers of a distributed run."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.distributed.scheduler import _SCHEDULERS
from crawler.pipelines.base import StatsPipeline


class RunDedupPipeline(StatsPipeline):
    """Drops a review whose ``id`` another worker of the run already emitted (after the
    per-worker ``DedupPipeline``). The claim is released if that worker dies."""

    def process_item(self, item):
        scheduler = _SCHEDULERS.get(self.crawler)
        item_id = ItemAdapter(item).get("id")
        if scheduler is None or not item_id or scheduler.claim_item(item_id):
            return item
        self.stats.inc_value("reviews/dropped/duplicate")
        self.stats.inc_value("reviews/emitted", -1)
        raise DropItem(f"duplicate id {item_id} (emitted by another worker)")
