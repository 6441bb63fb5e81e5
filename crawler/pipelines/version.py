"""The record's schema version on output: ``RECORD_SCHEMA_VERSION`` 2 (default) turns the
version 1 record the pipelines checked into a version 2 record (:func:`crawler.record.v2.to_v2`,
with the change event the state pipeline attached) and checks it against
``review-v2.schema.json`` (an invalid one is dropped, counted ``reviews/dropped/invalid`` and
written to the reject file, as the validate pipeline does for version 1); 1 (superseded, for
loaders that still need it) passes the version 1 record through.

Settings: ``RECORD_SCHEMA_VERSION`` (2 or 1).
"""

from __future__ import annotations

from crawler.pipelines.base import StatsPipeline
from crawler.record.build import versioned
from crawler.record.item import CHANGE_ATTR, SCHEMA_VERSION, record_view
from crawler.record.v2 import OUTPUT_SCHEMA_VERSION, OUTPUT_VERSIONS


class RecordVersionPipeline(StatsPipeline):
    """See the module docstring."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.version = crawler.settings.getint("RECORD_SCHEMA_VERSION", OUTPUT_SCHEMA_VERSION)
        if self.version not in OUTPUT_VERSIONS:
            raise ValueError(f"RECORD_SCHEMA_VERSION must be 1 or 2, got {self.version}")

    def process_item(self, item):
        if self.version == SCHEMA_VERSION:
            return item
        record, errors = versioned(record_view(item), self.version, getattr(item, CHANGE_ATTR, None))
        if errors:
            raise self.reject(record, "invalid", "; ".join(errors))
        return record
