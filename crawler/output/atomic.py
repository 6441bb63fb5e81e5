"""Atomic files: a file lands at its target only when closed without error.

- :class:`AtomicFile`: written to a hidden temporary name (``.NAME.PID.part``) in the target's
  folder, fsynced and renamed over the target on close; :meth:`AtomicFile.discard` drops it.
  A write that fails (a full disk, a folder gone read-only) is remembered, not raised per item:
  the file is then never renamed into place, and :meth:`AtomicFile.close` raises
  :class:`OutputError` naming the file and the reason.
- :class:`AtomicFileFeedStorage` (feed storages ``""`` and ``file``) writes a feed to a hidden
  temporary file next to its target and renames it into place when the feed closes, for
  ``FEEDS`` and ``-o``/``-O`` alike: a killed crawl never leaves a torn line in a final file.
  A target ending in ``.gz`` is written gzip-compressed, unless the feed has ``postprocessing``
  plugins (they then own the encoding: Scrapy's ``GzipPlugin`` is the only gzip layer). With
  ``-o`` (append) the existing file's content is copied into the temporary file first, so
  appending stays atomic too.

Every file keeps a ledger (:class:`Ledger`) that the exporters of :mod:`crawler.output.exporters`
fill as they write each record: the item count and the rows the state marks are the records
written, whatever the format, never a re-reading of the file.

The storage only stores. It announces each file it opens with the :data:`output_opened`
signal (``path``, ``storage``) and records the outcome of :meth:`~AtomicFileFeedStorage.store`
in ``stored`` (True), ``error`` (why it failed) or ``vetoed`` (why it was kept back); the run controller (:mod:`crawler.run.controller`)
reacts: the output journal on ``output_opened``, the manifest and the state commit on Scrapy's
``feed_slot_closed``. The controller may set ``storage.veto``: a callable returning why the
file must not replace its target (an ``-O`` run that did not finish), or None.

Settings: ``FEED_STORAGES`` (set in ``crawler.settings``).
"""

from __future__ import annotations

import gzip
import io
import sys
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from w3lib.url import file_uri_to_path

from crawler.record.build import CONTENT_FIELDS, field_hashes
from crawler.record.coverage import missing_fields

logger = logging.getLogger(__name__)

TEMP_PREFIX = "."
TEMP_SUFFIX = ".part"


class OutputError(OSError):
    """An output file could not be written or put in place (its message names file and reason)."""


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


def describe_os_error(exc: BaseException) -> str:
    """``No space left on device`` rather than ``[Errno 28] No space left on device: '/x'``."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


#: signal sent by :class:`AtomicFileFeedStorage` when it opens a file, with ``path`` (a Path)
#: and ``storage``
output_opened = object()


class Ledger:
    """What an exporter wrote to one file: the state's rows and the per-field missing counts."""

    #: the fields of :func:`~crawler.record.build.field_hashes`, in its order (a row keeps the hashes only)
    HASHED = CONTENT_FIELDS
    #: bytes of the field hashes at the end of a packed row (16 hex digits each, kept as 8 bytes)
    _HASH_BYTES = 8 * len(CONTENT_FIELDS)

    def __init__(self) -> None:
        # a row per record: ``id NUL url NUL content_hash`` (UTF-8) and the field hashes as raw
        # bytes, in one bytes object (~280 bytes; a tuple of four strings was ~550, a dict of
        # dicts 2.5 KB: a 95,000-record file keeps them all until it is closed). A row whose
        # values would not come back exactly (not a string, a NUL, a lone surrogate, a hash not
        # 16 lower-case hex digits) is kept as the tuple ``(id, url, content_hash, hashes joined by ",")``.
        self._rows: list[bytes | tuple[str, str, str, str]] = []
        self.missing: dict[str, int] = {}
        self.versions: set = set()

    @property
    def item_count(self) -> int:
        return len(self._rows)

    @property
    def rows(self) -> list[dict]:
        """The state's rows (``id``, ``url``, ``content_hash``, ``field_hashes``), one per record written."""
        return [self._row(packed) for packed in self._rows]

    def iter_rows(self):
        """:attr:`rows` one at a time."""
        return map(self._row, self._rows)

    @classmethod
    def _pack(cls, id_: str, url: str, content_hash: str, hashes: list[str]) -> bytes | tuple[str, str, str, str]:
        joined = "".join(hashes)
        try:
            if not all(type(x) is str and "\0" not in x for x in (id_, url, content_hash)):
                raise ValueError("not a string, or a NUL in it")
            raw = bytes.fromhex(joined)
            if len(raw) != cls._HASH_BYTES or raw.hex() != joined:
                raise ValueError("not the hashes' own form")
            return f"{id_}\0{url}\0{content_hash}".encode("utf-8") + raw
        except (ValueError, UnicodeEncodeError):
            return (id_, url, content_hash, ",".join(hashes))

    @classmethod
    def _row(cls, packed: bytes | tuple[str, str, str, str]) -> dict:
        if isinstance(packed, bytes):
            id_, url, content_hash = packed[:-cls._HASH_BYTES].decode("utf-8").split("\0")
            hexed = packed[-cls._HASH_BYTES:].hex()
            parts = [hexed[i:i + 16] for i in range(0, len(hexed), 16)]
        else:
            id_, url, content_hash, hashes = packed
            parts = hashes.split(",")
        return {"id": id_, "url": url, "content_hash": content_hash, "field_hashes": dict(zip(cls.HASHED, parts))}

    @property
    def schema_version(self):
        """The records' schema version when they all share one (the manifest's), else None."""
        return next(iter(self.versions)) if len(self.versions) == 1 else None

    def add(self, record: dict, texts: dict[str, str] | None = None) -> None:
        """Count *record*, written; *texts*: the JSON text of its string fields as written, when
        the exporter has it (:func:`crawler.record.build.field_hashes` does not make it again)."""
        hashes = field_hashes(record, texts)
        self._rows.append(self._pack(record.get("id") or "", record.get("url") or "", record.get("content_hash") or "",
                                     [hashes[name] for name in self.HASHED]))
        version = record.get("schema_version")
        self.versions.add(version if isinstance(version, int) else None)
        for name in missing_fields(record):
            self.missing[name] = self.missing.get(name, 0) + 1


def ledger_of(file: Any) -> Ledger | None:
    """The :class:`Ledger` of the atomic file under *file* (through post-processing wrappers)."""
    for _ in range(8):
        if file is None:
            return None
        ledger = getattr(file, "ledger", None)
        if isinstance(ledger, Ledger):
            return ledger
        file = getattr(file, "file", None)
    return None


class _WriteOnly:
    """File-like odds and ends used by exporters (CSV wraps the file in a TextIOWrapper) and
    post-processing plugins: a stream one only writes to."""

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False


class AtomicFile(_WriteOnly):
    """A writable binary file that lands at its target only when closed without error."""

    def __init__(self, target: Path, append: bool, *, compress: bool | None = None):
        self.target = target
        self.temp = temp_path_for(target)
        self.ledger = Ledger()
        #: the first write error (an OSError); once set, nothing more is written
        self.error: BaseException | None = None
        self.closed = False
        target.parent.mkdir(parents=True, exist_ok=True)
        self._raw = self._open_raw()
        if append and target.exists():
            with target.open("rb") as old:
                shutil.copyfileobj(old, self._raw)
        if compress is None:
            compress = target.suffix == ".gz"
        self._out: IO[bytes] = gzip.GzipFile(fileobj=self._raw, mode="ab") if compress else self._raw
        #: called with the complete, fsynced temporary path just before the rename (an exception
        #: stops the rename); distributed mode commits a batch's claims there
        self.before_rename: Callable[[Path], None] | None = None

    def _open_raw(self):
        return self.temp.open("wb")

    def _failed(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc
            logger.error("Cannot write %s: %s; the file will not be put in place and its records will be emitted again",
                         self.target, describe_os_error(exc))

    def write(self, data: bytes) -> int:
        if self.error is None:
            try:
                self._out.write(data)
            except OSError as exc:
                self._failed(exc)
        return len(data)

    def flush(self) -> None:
        if self.error is None:
            try:
                self._out.flush()
            except OSError as exc:
                self._failed(exc)

    def close(self) -> None:
        """Finish the file: flush, fsync, rename over the target. Raises :class:`OutputError`
        (and leaves the target as it was) when any write failed."""
        if self.closed:
            return
        if self.error is None:
            try:
                if self._out is not self._raw:
                    self._out.close()
                self._raw.flush()
                os.fsync(self._raw.fileno())
                self._raw.close()
                self.closed = True
                if self.before_rename is not None:
                    self.before_rename(self.temp)
                os.replace(self.temp, self.target)
                return
            except OSError as exc:
                self._failed(exc)
        self.discard()
        raise OutputError(f"{self.target}: {describe_os_error(self.error)}")

    def discard(self) -> None:
        """Drop the temporary file without touching the target."""
        if not self.closed:
            self.closed = True
            try:
                self._raw.close()
            except OSError:
                pass
        self.temp.unlink(missing_ok=True)

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


class _FeedStorage:
    """What our feed storages share: built from the crawler, the ledger of the file they opened."""

    file: Any = None

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict[str, Any] | None = None):
        return cls(uri, feed_options=feed_options, crawler=crawler)

    @property
    def ledger(self) -> Ledger | None:
        return self.file.ledger if self.file is not None else None


class AtomicFileFeedStorage(_FeedStorage):
    """Local file feed storage that writes atomically (temporary file + rename on close).

    Feed option ``overwrite`` (``-O``) replaces the target; otherwise (``-o``) the new items
    are appended to a copy of the existing file, still renamed atomically. After
    :meth:`store`: ``stored`` True, or ``error`` says why the file was not put in place (the
    target is then as it was).
    """

    file_class = AtomicFile
    #: the state may mark what this storage stored
    durable = True

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler=None):
        self.path = Path(file_uri_to_path(uri) if uri.startswith("file:") else uri)
        options = feed_options or {}
        self.overwrite = bool(options.get("overwrite", False))
        self.compress = self.path.suffix == ".gz" and not options.get("postprocessing")
        self.crawler = crawler
        #: True once :meth:`store` has put the file durably in place
        self.stored = False
        #: why the file was not put in place (None while it was or is not yet stored)
        self.error: str | None = None
        #: set by the run controller: ``veto(storage) -> reason | None``
        self.veto: Callable[["AtomicFileFeedStorage"], str | None] | None = None
        #: why the file was deliberately not put in place (the veto's reason), or None
        self.vetoed: str | None = None
        self.file: AtomicFile | None = None

    def open(self, spider: Any) -> IO[bytes]:
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(output_opened, path=self.path, storage=self)
        if self.veto is not None and self.veto(self):  # kept back already: write nowhere
            return StdoutFile(io.BytesIO())  # type: ignore[return-value]
        self.file = self.file_class(self.path, append=not self.overwrite, compress=self.compress)
        return self.file  # type: ignore[return-value]

    def store(self, file: IO[bytes]) -> None:
        atomic = self.file if self.file is not None else file
        if self.file is None:  # kept back when it was opened
            self.vetoed = (self.veto(self) if self.veto is not None else None) or "not opened"
            return None
        vetoed = self.veto(self) if self.veto is not None else None
        if vetoed:
            atomic.discard()  # type: ignore[union-attr]
            self.vetoed = vetoed
            logger.warning("Not replacing %s: %s (the previous file is kept)", self.path, vetoed)
            return None
        try:
            atomic.close()  # type: ignore[union-attr]  # fsync + rename: the commit point
        except OSError as exc:
            self.error = describe_os_error(exc) if not isinstance(exc, OutputError) else str(exc).removeprefix(f"{self.path}: ")
            raise
        fsync_dir(self.path.parent)
        self.stored = True
        return None


class StdoutFile(_WriteOnly):
    """Standard output as a feed file: write errors (a closed pipe) are remembered like
    :class:`AtomicFile`'s, records counted in :attr:`ledger`."""

    name = "stdout"

    def __init__(self, stream: IO[bytes]):
        self._out = stream
        self.ledger = Ledger()
        self.error: BaseException | None = None
        self.closed = False

    def write(self, data: bytes) -> int:
        if self.error is None:
            try:
                self._out.write(data)
            except OSError as exc:
                self.error = exc
        return len(data)

    def flush(self) -> None:
        if self.error is None:
            try:
                self._out.flush()
            except OSError as exc:
                self.error = exc

    def close(self) -> None:
        self.flush()
        self.closed = True
        if self.error is not None:
            raise OutputError(f"stdout: {describe_os_error(self.error)}")

    def discard(self) -> None:
        self.flush()
        self.closed = True


class StdoutFeedStorage(_FeedStorage):
    """``-O -`` / ``stdout:``: the records go to standard output, flushed when the feed closes.
    Not durable (``durable = False``): a pipe cannot confirm that its reader kept them, so the
    run controller marks nothing exported in the state and does not move the watermark."""

    durable = False

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler=None):
        self.path = Path("-")
        self.uri = uri
        self.crawler = crawler
        self.stored = False
        self.error: str | None = None
        self.veto = None
        self.file: StdoutFile | None = None

    def open(self, spider: Any) -> IO[bytes]:
        self.file = StdoutFile(sys.stdout.buffer)
        return self.file  # type: ignore[return-value]

    def store(self, file: IO[bytes]) -> None:
        try:
            (self.file or file).close()
        except OutputError as exc:
            self.error = str(exc).removeprefix("stdout: ")
            raise
        self.stored = True
        return None
