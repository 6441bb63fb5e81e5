"""JSON Lines output: the record exporter and an atomic file storage.

- :class:`ReviewJsonLinesExporter` (feed formats ``jsonl``, ``jsonlines``, ``gz``) writes one
  record per line, UTF-8 with no ``\\u`` escapes, keys in the record's order.
- :class:`AtomicFileFeedStorage` (feed storages ``""`` and ``file``) writes a feed to a hidden
  temporary file next to its target and renames it into place when the feed closes, for
  ``FEEDS`` and ``-o``/``-O`` alike: a killed crawl never leaves a torn line in a final file.
  A target ending in ``.gz`` is written gzip-compressed. With ``-o`` (append) the existing
  file's content is copied into the temporary file first, so appending stays atomic too.

Settings: ``FEED_EXPORTERS`` and ``FEED_STORAGES`` (set in ``crawler.settings``).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter
from w3lib.url import file_uri_to_path

TEMP_PREFIX = "."
TEMP_SUFFIX = ".part"


def dumps_record(record: dict) -> str:
    """One JSON Lines line (without the newline): UTF-8 text, no ASCII escapes, keys in order."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


class ReviewJsonLinesExporter(BaseItemExporter):
    """One record per line, in the record's key order, UTF-8 without ``\\u`` escapes."""

    def __init__(self, file: IO[bytes], **kwargs: Any):
        super().__init__(dont_fail=True, **kwargs)
        self.file = file

    def export_item(self, item: Any) -> None:
        record = item if isinstance(item, dict) else ItemAdapter(item).asdict()
        if self.fields_to_export:
            fields = list(self.fields_to_export) if not isinstance(self.fields_to_export, dict) else list(self.fields_to_export)
            record = {k: record.get(k) for k in fields}
        self.file.write((dumps_record(record) + "\n").encode("utf-8", "surrogatepass"))


def temp_path_for(path: Path) -> Path:
    """The hidden temporary name a feed is written under before it is renamed to *path*."""
    return path.with_name(f"{TEMP_PREFIX}{path.name}.{os.getpid()}{TEMP_SUFFIX}")


class _AtomicFile:
    """A writable binary file that lands at its target only when closed without error."""

    def __init__(self, target: Path, append: bool):
        self.target = target
        self.temp = temp_path_for(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._raw = self.temp.open("wb")
        if append and target.exists():
            with target.open("rb") as old:
                shutil.copyfileobj(old, self._raw)
        self._out: IO[bytes] = gzip.GzipFile(fileobj=self._raw, mode="ab") if target.suffix == ".gz" else self._raw
        self.closed = False

    def write(self, data: bytes) -> int:
        return self._out.write(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        """Finish the file: flush, fsync, rename over the target."""
        if self.closed:
            return
        self.closed = True
        if self._out is not self._raw:
            self._out.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self.temp, self.target)

    def discard(self) -> None:
        """Drop the temporary file without touching the target."""
        if not self.closed:
            self.closed = True
            self._raw.close()
        self.temp.unlink(missing_ok=True)

    # file-like odds and ends used by exporters and post-processing plugins
    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._out.tell()

    def fileno(self) -> int:
        return self._raw.fileno()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        else:
            self.discard()


class AtomicFileFeedStorage:
    """Local file feed storage that writes atomically (temporary file + rename on close).

    Feed option ``overwrite`` (``-O``) replaces the target; otherwise (``-o``) the new items
    are appended to a copy of the existing file, still renamed atomically.
    """

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None):
        self.path = Path(file_uri_to_path(uri) if uri.startswith("file:") else uri)
        self.overwrite = bool((feed_options or {}).get("overwrite", False))

    def open(self, spider: Any) -> IO[bytes]:
        return _AtomicFile(self.path, append=not self.overwrite)  # type: ignore[return-value]

    def store(self, file: IO[bytes]) -> None:
        file.close()
        return None
