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
from crawler.record.build import json_text


#: ``json.dumps(record, ensure_ascii=False, separators=(", ", ": "))`` with one encoder for
#: every line (``json.dumps`` builds one per call when given options)
_encode_line = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def dumps_record(record: dict, texts: dict[str, str] | None = None) -> str:
    """One JSON Lines line (without the newline): UTF-8 text, no ASCII escapes, keys in order.

    The text of ``json.dumps(record, ensure_ascii=False, separators=(", ", ": "))``, built field
    by field so that a string field (the body) goes through :func:`~crawler.record.build.json_text`;
    the JSON text of each string field is put in *texts* when given (the ledger's field hashes
    reuse it: :func:`~crawler.record.build.field_hashes`)."""
    parts = []
    for key, value in record.items():
        if type(key) is not str:  # json's own rules for other keys
            if texts is not None:
                texts.clear()
            return _encode_line(record)
        if type(value) is str:
            text = json_text(value)
            if texts is not None:
                texts[key] = text
        elif value is None:
            text = "null"
        elif type(value) is int:
            text = int.__repr__(value)
        else:
            text = _encode_line(value)
        parts.append(f"{json_text(key)}: {text}")
    return "{" + ", ".join(parts) + "}"


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
        texts: dict[str, str] = {}
        self.file.write((dumps_record(record, texts) + "\n").encode("utf-8", "surrogatepass"))
        if self._ledger is not None:
            self._ledger.add(full, texts if record is full else None)
