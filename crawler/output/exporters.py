"""Feed exporters that count what they write (every Scrapy format).

:class:`LedgerMixin` records each record an exporter has written into the ledger of the atomic
file under it (:class:`crawler.output.atomic.Ledger`, found through post-processing wrappers):
the manifest's ``item_count`` and the rows the state marks exported are exactly the records
written, in every format, never a re-reading of the file. An exporter without the mixin cannot
say what it wrote, so a feed using one is refused before the crawl (exit 2).

Formats (``FEED_EXPORTERS`` in ``crawler.settings``): ``jsonl``/``jsonlines``/``jl``/``gz``
(:class:`crawler.output.jsonl.ReviewJsonLinesExporter`), ``json`` (one array), ``csv`` (one
column per record field; nested values, ``grade``, ``credits``, ``authors``, are JSON-encoded
in their cell, ``null`` is an empty cell), ``xml``, ``pickle``, ``marshal``.
"""

from __future__ import annotations

import json
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.exporters import (
    CsvItemExporter,
    JsonItemExporter,
    MarshalItemExporter,
    PickleItemExporter,
    XmlItemExporter,
)

from crawler.output.atomic import ledger_of


class LedgerMixin:
    """Count each record written in the ledger of the file under the exporter."""

    def __init__(self, file: IO[bytes], *args: Any, **kwargs: Any):
        self._ledger = ledger_of(file)
        super().__init__(file, *args, **kwargs)  # type: ignore[call-arg]

    def export_item(self, item: Any) -> Any:
        result = super().export_item(item)  # type: ignore[misc]
        if self._ledger is not None:
            self._ledger.add(item if isinstance(item, dict) else ItemAdapter(item).asdict())
        return result


class ReviewJsonExporter(LedgerMixin, JsonItemExporter):
    """``json``: one JSON array of records (UTF-8)."""


class ReviewCsvExporter(LedgerMixin, CsvItemExporter):
    """``csv``: a header line, one row per record; lists and objects JSON-encoded in their cell."""

    def serialize_field(self, field, name: str, value: Any) -> Any:
        if isinstance(value, (dict, list, tuple)):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)


class ReviewXmlExporter(LedgerMixin, XmlItemExporter):
    """``xml``: ``<items><item>...</item></items>``, nested values as nested elements."""


class ReviewPickleExporter(LedgerMixin, PickleItemExporter):
    """``pickle``: one pickled dict per record."""


class ReviewMarshalExporter(LedgerMixin, MarshalItemExporter):
    """``marshal``: one marshalled dict per record."""
