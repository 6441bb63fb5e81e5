"""Parquet output (feed format ``parquet``: ``-O reviews.parquet``), typed from the record schema.

:class:`ParquetExporter` writes records of schema version 2 (a version 1 item is converted with
:func:`crawler.record.v2.to_v2`, its change event included), whatever ``RECORD_SCHEMA_VERSION``
says: Parquet columns need the stable types of version 2. The Arrow schema is generated from
``review-v2.schema.json`` (:func:`arrow_schema`): strings, ``int64``, ``double``,
``timestamp[us, UTC]``, ``date32``, lists and structs (``grade``, ``credits``). Rows are written
in row groups of ``PARQUET_ROW_GROUP`` records (default 10,000) through the feed's atomic file
(:mod:`crawler.output.atomic`), so a killed crawl never leaves a half-written Parquet file.
:func:`iter_parquet_records` reads a file back as JSON-like dicts (for the manifest and the state).

Needs ``pyarrow`` (extra ``parquet``). Settings: ``FEED_EXPORTERS`` (``parquet``), ``PARQUET_ROW_GROUP``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from crawler.output.atomic import ledger_of
from crawler.output.exporters import LedgerMixin
from crawler.record.ddl import columns
from crawler.record.item import CHANGE_ATTR
from crawler.record.v2 import SCHEMA_VERSION_2, to_v2

#: pyarrow and pyarrow.parquet (the optional ``parquet`` extra), imported when a Parquet file is
#: first written or read (:func:`require_pyarrow`): with numpy they are ~40 MB resident and ~0.3 s,
#: which every crawl paid at start-up when this module imported them
pa = pq = None


def require_pyarrow(what: str) -> None:
    """Import pyarrow into :data:`pa` / :data:`pq`, or raise ``RuntimeError("<what> needs
    pyarrow: ...")`` when it is not installed (reported when a Parquet feed is opened or read)."""
    global pa, pq
    if pq is None:
        try:
            import pyarrow
            import pyarrow.parquet
        except ImportError:
            raise RuntimeError(f"{what} needs pyarrow: pip install 'review-crawler[parquet]'") from None
        pa, pq = pyarrow, pyarrow.parquet


def _arrow(t: Any):
    if isinstance(t, str):
        return {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
                "timestamp": pa.timestamp("us", tz="UTC"), "date": pa.date32()}[t]
    if t[0] == "list":
        return pa.list_(_arrow(t[1]))
    return pa.struct([pa.field(n, _arrow(s), nullable=nullable) for n, s, nullable in t[1]])


def arrow_schema():
    """The Arrow schema of a version 2 record."""
    require_pyarrow("Parquet")
    return pa.schema([pa.field(name, _arrow(t), nullable=nullable or not isinstance(t, str)) for name, t, nullable in columns(2)])


def _to_arrow_value(t: Any, value: Any) -> Any:
    if value is None:
        return None
    if t == "timestamp":
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    if t == "date":
        return date.fromisoformat(value)
    if isinstance(t, tuple) and t[0] == "list":
        return [_to_arrow_value(t[1], v) for v in value]
    if isinstance(t, tuple) and t[0] == "struct":
        return {n: _to_arrow_value(s, value.get(n)) for n, s, _ in t[1]}
    return value


def _from_arrow_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_from_arrow_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_arrow_value(v) for k, v in value.items()}
    return value


class ParquetExporter(LedgerMixin, BaseItemExporter):
    """See the module docstring."""

    def __init__(self, file: IO[bytes], *, row_group: int = 10_000, **kwargs: Any):
        require_pyarrow("Parquet output")
        self._ledger = ledger_of(file)  # each record written is counted (crawler.output.exporters.LedgerMixin)
        BaseItemExporter.__init__(self, dont_fail=True, **kwargs)
        self.file = file
        self.row_group = max(1, int(row_group))
        self.cols = columns(2)
        self.schema = arrow_schema()
        self.rows: list[dict] = []
        self.writer = None

    @classmethod
    def from_crawler(cls, crawler, file, **kwargs):
        return cls(file, row_group=crawler.settings.getint("PARQUET_ROW_GROUP", 10_000), **kwargs)

    def start_exporting(self) -> None:
        self.writer = pq.ParquetWriter(self.file, self.schema, compression="zstd")

    def export_item(self, item: Any) -> None:
        record = item if isinstance(item, dict) else ItemAdapter(item).asdict()
        if record.get("schema_version") != SCHEMA_VERSION_2:
            record = to_v2(record, getattr(item, CHANGE_ATTR, None))
        self.rows.append({name: _to_arrow_value(t, record.get(name)) for name, t, _ in self.cols})
        if self._ledger is not None:
            self._ledger.add(record)
        if len(self.rows) >= self.row_group:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def finish_exporting(self) -> None:
        self._flush()
        self.writer.close()  # the footer; the feed storage then renames the file into place


def iter_parquet_records(path: str | Path) -> Iterator[dict]:
    """The records of a Parquet output file, as the JSON Lines output would hold them."""
    require_pyarrow("reading Parquet")
    for batch in pq.ParquetFile(str(path)).iter_batches(batch_size=1000):
        for row in batch.to_pylist():
            yield {k: _from_arrow_value(v) for k, v in row.items()}
