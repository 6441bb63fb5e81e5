"""Check each record against ``crawler/record/schema/review-v1.schema.json``; an invalid record is
dropped, counted (``reviews/dropped/invalid``) and written to the reject file."""

from __future__ import annotations

from crawler.pipelines.base import StatsPipeline
from crawler.record.item import PREPARED_ERRORS, record_view
from crawler.record.validate import record_errors


class ValidatePipeline(StatsPipeline):
    """See the module docstring."""

    def process_item(self, item):
        errors = getattr(item, PREPARED_ERRORS, None)  # checked in an extraction worker
        if errors is None:
            errors = record_errors(record_view(item))
        if errors:
            raise self.reject(item, "invalid", "; ".join(errors))
        return item
