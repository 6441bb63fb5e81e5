"""After validation: per-kind field coverage of every review read (for the monitors), the
date range (``reviews/skipped/out_of_range``; undated reviews are kept, ``reviews/undated_kept``)
and, in incremental and backfill mode, reviews already exported with the same
``content_hash`` (``reviews/dropped/unchanged``). Reads the run from
:func:`crawler.run.context.get_run`."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.pipelines.base import StatsPipeline
from crawler.record.coverage import missing_fields
from crawler.run.context import get_run


class StatePipeline(StatsPipeline):
    """See the module docstring."""

    def process_item(self, item):
        run = get_run(self.crawler)
        record = ItemAdapter(item)
        kind = record.get("kind") or "none"
        run.see(record.get("id"))  # once per review and run (also reached via sitemap and listing)
        missing = missing_fields(record.asdict())
        for scope in ("all", kind):
            self.stats.inc_value(f"coverage/{scope}/reviews")
            for name in missing:
                self.stats.inc_value(f"coverage/{scope}/missing/{name}")
        ok = run.filter.in_range(record.get("published_at"))
        if ok is False:
            run.fetch_info.pop(record.get("id"), None)
            self.stats.inc_value("reviews/skipped/out_of_range")
            raise DropItem(f"published_at {record.get('published_at')} outside the date range", log_level="DEBUG")
        if ok is None:
            self.stats.inc_value("reviews/undated_kept")
        if run.mode in ("incremental", "backfill") and run.state is not None:
            if run.state.is_unchanged(record.get("id"), record.get("content_hash")):
                run.fetch_info.pop(record.get("id"), None)
                self.stats.inc_value("reviews/dropped/unchanged")
                raise DropItem(f"unchanged since last emitted: {record.get('url')}", log_level="DEBUG")
        return item
