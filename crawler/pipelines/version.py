"""The record's schema version on output: ``RECORD_SCHEMA_VERSION`` 1 (default) passes the
version 1 record through; 2 turns it into a version 2 record (:func:`crawler.record.v2.to_v2`,
with the change event the state pipeline attached) and checks it against
``review-v2.schema.json`` (an invalid one is dropped, counted ``reviews/dropped/invalid`` and
written to the reject file, as the validate pipeline does for version 1).

Settings: ``RECORD_SCHEMA_VERSION`` (1 or 2).
"""

from __future__ import annotations

from itemadapter import ItemAdapter

from crawler.pipelines.base import StatsPipeline
from crawler.record.item import CHANGE_ATTR
from crawler.record.v2 import to_v2
from crawler.record.validate import record_errors

VERSIONS = (1, 2)


class RecordVersionPipeline(StatsPipeline):
    """See the module docstring."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.version = crawler.settings.getint("RECORD_SCHEMA_VERSION", 1)
        if self.version not in VERSIONS:
            raise ValueError(f"RECORD_SCHEMA_VERSION must be 1 or 2, got {self.version}")

    def process_item(self, item):
        if self.version == 1:
            return item
        record = to_v2(ItemAdapter(item).asdict(), getattr(item, CHANGE_ATTR, None))
        errors = record_errors(record)
        if errors:
            raise self.reject(record, "invalid", "; ".join(errors))
        return record
