"""Normalize every field and derive ``id``, ``word_count``, ``content_hash``
(:func:`crawler.record.build.normalize_record`); counts ``reviews/missing/<field>`` for every
empty field. An item built in an extraction worker is already normalized: not again."""

from __future__ import annotations

from crawler.pipelines.base import StatsPipeline
from crawler.record.build import normalize_record
from crawler.record.coverage import missing_fields
from crawler.record.item import PREPARED_ERRORS, Review
from crawler.run.counting import inc_values


class NormalizePipeline(StatsPipeline):
    """See the module docstring."""

    def process_item(self, item):
        if hasattr(item, PREPARED_ERRORS):  # normalized in an extraction worker: not again
            record, out = vars(item), item
        else:
            record = normalize_record(item)
            out = Review(**record)
        inc_values(self.stats, ["reviews/normalized", *(f"reviews/missing/{field}" for field in missing_fields(record))])
        return out
