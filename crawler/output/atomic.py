"""Atomic files: a file lands at its target only when closed without error.

- :class:`AtomicFile`: written to a hidden temporary name (``.NAME.PID.part``) in the target's
  folder, fsynced and renamed over the target on close; :meth:`AtomicFile.discard` drops it.
- :class:`AtomicFileFeedStorage` (feed storages ``""`` and ``file``) writes a feed to a hidden
  temporary file next to its target and renames it into place when the feed closes, for
  ``FEEDS`` and ``-o``/``-O`` alike: a killed crawl never leaves a torn line in a final file.
  A target ending in ``.gz`` is written gzip-compressed. With ``-o`` (append) the existing
  file's content is copied into the temporary file first, so appending stays atomic too.

The storage only stores. It announces each file it opens with the :data:`output_opened`
signal (``path``) and records the outcome of :meth:`~AtomicFileFeedStorage.store` in
``stored``; the run controller (:mod:`crawler.run.controller`) reacts: the output journal on
``output_opened``, the manifest and the state commit on Scrapy's ``feed_slot_closed``.

Settings: ``FEED_STORAGES`` (set in ``crawler.settings``).
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from typing import IO, Any, Callable

from w3lib.url import file_uri_to_path

TEMP_PREFIX = "."
TEMP_SUFFIX = ".part"


def fsync_dir(folder: Path) -> None:
    """Make a rename in *folder* durable (best effort where the OS refuses)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_path_for(path: Path) -> Path:
    """The hidden temporary name a feed is written under before it is renamed to *path*."""
    return path.with_name(f"{TEMP_PREFIX}{path.name}.{os.getpid()}{TEMP_SUFFIX}")


#: signal sent by :class:`AtomicFileFeedStorage` when it opens a file, with ``path`` (a Path)
output_opened = object()


class AtomicFile:
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
        #: called with the complete, fsynced temporary path just before the rename (an exception
        #: stops the rename); distributed mode commits a batch's claims there
        self.before_rename: Callable[[Path], None] | None = None

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
        if self.before_rename is not None:
            self.before_rename(self.temp)
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

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler=None):
        self.path = Path(file_uri_to_path(uri) if uri.startswith("file:") else uri)
        self.overwrite = bool((feed_options or {}).get("overwrite", False))
        self.crawler = crawler
        #: True once :meth:`store` has put the file durably in place
        self.stored = False

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict[str, Any] | None = None):
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Any) -> IO[bytes]:
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(output_opened, path=self.path)
        return AtomicFile(self.path, append=not self.overwrite)  # type: ignore[return-value]

    def store(self, file: IO[bytes]) -> None:
        file.close()  # fsync + rename: the commit point
        fsync_dir(self.path.parent)
        self.stored = True
        return None
