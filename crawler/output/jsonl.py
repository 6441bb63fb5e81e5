"""The JSON Lines exporter (feed formats ``jsonl``, ``jsonlines``, ``gz``): one record per line,
UTF-8 with no ``\\u`` escapes, keys in the record's order.

Settings: ``FEED_EXPORTERS`` (set in ``crawler.settings``).
"""

from __future__ import annotations

import json
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from crawler.output.atomic import ledger_of
from crawler.output.exporters import LedgerMixin


#: ``json.dumps(record, ensure_ascii=False, separators=(", ", ": "))`` with one encoder for
#: every line (``json.dumps`` builds one per call when given options)
_encode_line = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def dumps_record(record: dict) -> str:
    """One JSON Lines line (without the newline): UTF-8 text, no ASCII escapes, keys in order."""
    return _encode_line(record)


class ReviewJsonLinesExporter(LedgerMixin, BaseItemExporter):
    """One record per line, in the record's key order, UTF-8 without ``\\u`` escapes; each record
    written is counted in the file's ledger (:mod:`crawler.output.exporters`)."""

    def __init__(self, file: IO[bytes], **kwargs: Any):
        self._ledger = ledger_of(file)
        BaseItemExporter.__init__(self, dont_fail=True, **kwargs)
        self.file = file

    def export_item(self, item: Any) -> None:
        record = full = item if isinstance(item, dict) else ItemAdapter(item).asdict()
        if self.fields_to_export:
            fields = list(self.fields_to_export) if not isinstance(self.fields_to_export, dict) else list(self.fields_to_export)
            record = {k: record.get(k) for k in fields}
        self.file.write((dumps_record(record) + "\n").encode("utf-8", "surrogatepass"))
        if self._ledger is not None:
            self._ledger.add(full)
