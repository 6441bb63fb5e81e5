"""After validation: per-kind field coverage of every review read (for the monitors), the
date range (``reviews/skipped/out_of_range``; undated reviews are kept, ``reviews/undated_kept``)
and, in incremental and backfill mode, reviews already exported with the same
``content_hash`` (``reviews/dropped/unchanged``). Reads the run from
:func:`crawler.run.context.get_run`.

Change events: every review let through is compared with the state's row for its ``id``:
``new`` (not in the state), ``changed`` (another ``content_hash``; ``previous_hash`` and the
``changed_fields`` from the state's per-field hashes), ``unchanged`` (only ``full`` runs emit
those). Counted as ``reviews/change/<event>`` and attached to the item (``_change``); records of
schema version 2 carry them (:mod:`crawler.pipelines.version`)."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.pipelines.base import StatsPipeline
from crawler.record.build import changed_fields
from crawler.record.coverage import missing_fields
from crawler.record.item import CHANGE_ATTR, record_view
from crawler.run.context import get_run
from crawler.run.counting import inc_values


class StatePipeline(StatsPipeline):
    """See the module docstring."""

    def process_item(self, item):
        run = get_run(self.crawler)
        record = record_view(item)
        kind = record.get("kind") or "none"
        run.see(record.get("id"))  # once per review and run (also reached via sitemap and listing)
        missing = missing_fields(record)
        counts = [key for scope in ("all", kind)  # counted together, in this order, however the item leaves
                  for key in (f"coverage/{scope}/reviews", *(f"coverage/{scope}/missing/{name}" for name in missing))]
        try:
            ok = run.filter.in_range(record.get("published_at"))
            if ok is False:
                run.fetch_info.pop(record.get("id"), None)
                counts.append("reviews/skipped/out_of_range")
                raise DropItem(f"published_at {record.get('published_at')} outside the date range", log_level="DEBUG")
            if ok is None:
                counts.append("reviews/undated_kept")
            if run.state is not None:
                previous = run.state.get(record.get("id"))
                change = change_event(record, previous)
                if change["change"] == "unchanged" and run.mode in ("incremental", "backfill"):
                    run.fetch_info.pop(record.get("id"), None)
                    counts.append("reviews/dropped/unchanged")
                    raise DropItem(f"unchanged since last emitted: {record.get('url')}", log_level="DEBUG")
                counts.append(f"reviews/change/{change['change']}")
                try:
                    setattr(item, CHANGE_ATTR, change)  # written by schema version 2 (crawler.pipelines.version)
                except AttributeError:
                    pass
        finally:
            inc_values(self.stats, counts)
        return item


def change_event(record: dict, previous: dict | None) -> dict:
    """``{"change", "previous_hash", "changed_fields"}`` of *record* against the state's row."""
    if previous is None:
        return {"change": "new", "previous_hash": None, "changed_fields": []}
    if previous.get("content_hash") == record.get("content_hash"):
        return {"change": "unchanged", "previous_hash": previous.get("content_hash"), "changed_fields": []}
    return {"change": "changed", "previous_hash": previous.get("content_hash"),
            "changed_fields": changed_fields(record, previous.get("field_hashes"))}
