"""WARC files of a run (pure: no Scrapy): :class:`WarcFileWriter` and :func:`seal_stale`.

Every fetched page is archived as a ``request`` and a ``response`` record (warcio, WARC/1.1),
each record its own gzip member, into ``<folder>/<prefix>-<seq>.warc.gz`` (``prefix`` is
``<spider>-<run id>``; ``seq`` counts from 00001). A file is written under a hidden name
(``.<name>.<pid>.part``) and renamed into place, fsynced, when it reaches ``max_bytes`` (the
next record starts a new file) or when the run closes it: a ``*.warc.gz`` glob only ever sees
whole files. Each record is flushed to the operating system as it is written, so after a
``kill -9`` the ``.part`` file holds every record written before the kill plus at most one torn
record at its end; :func:`seal_stale` (called by the next run that opens the same folder) cuts
that torn tail and renames the file into place, so pages a killed run exported are still in
the archive. Every file starts with a ``warcinfo`` record (software, run id, spider, mode).

Compression: each record is one gzip member, as warcio's ``gzip=True`` writes them
(:class:`GzipMembers` compresses what warcio writes and ends a member at each ``flush()``, which
warcio calls once at the end of every record), by the compressor :func:`gzip_choice` picks:
ISA-L (the ``isal`` package, installed with the project on x86-64 and ARM64) at its level 1 by
default, else zlib at level 6. Both write standard gzip that any reader (``gzip``, warcio, zlib)
decompresses. On the bench's generated pages (83 KB) zlib takes 1.58 ms a page at level 6 (ratio
0.232), 0.68 at level 1 (0.257), and ISA-L 0.16 ms at level 1 (0.252): a tenth of the CPU on the
reactor thread for an archive 8 % (generated pages) to 17 % (150 real article pages, 0.28 against 3.31 ms) bigger than zlib 6's. warcio's own level is 9 (6.7 ms a page
on 150 real article pages for 0.5 % smaller than level 6). See the README's Performance section.

Records (what "as received" means here): the response record holds the status line and the
headers as Scrapy's download handler returned them (header names in Scrapy's canonical
capitalization, values and order as sent by the server; ``Transfer-Encoding`` is dropped
because Twisted already removed the chunking) and the body **before** decompression (a
``Content-Encoding: gzip`` body is archived gzipped; :func:`iter_responses` decodes it as the
crawl's ``HttpCompressionMiddleware`` does). The request record holds the request line and the
headers Scrapy's middlewares set (``Host`` added from the URL when absent). Extension fields on
the response record: ``WARC-Crawler-Read`` (JSON: the arguments of
:func:`crawler.sites.read.read_page` other than the page itself -- ``site``, ``fallback_site``,
``sites_files``, ``expected``, ``source`` -- present only on pages the crawl read as candidate
reviews), so ``crawler reextract`` reads exactly the pages the crawl read, the same way.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.output.atomic import fsync_dir
from crawler.output.recovery import pid_alive

logger = logging.getLogger(__name__)

READ_ARGS_HEADER = "WARC-Crawler-Read"
WARC_SUFFIX = ".warc.gz"
_PART_RE = re.compile(r"^\.(.+\.warc\.gz)\.(\d+)\.part$")
_DROP_RESPONSE_HEADERS = {"transfer-encoding"}


def warc_date(now: datetime | None = None) -> str:
    """``2026-12-01T09:45:33.123456Z`` (WARC/1.1 allows fractions of a second)."""
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def part_path_for(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.part")


#: zlib's gzip level of WARC records unless told otherwise (see the module docstring)
DEFAULT_GZIP_LEVEL = 6
#: ISA-L's level unless told otherwise (its levels are 0-3; 1 compresses HTML about as zlib 3-6 does)
DEFAULT_ISAL_LEVEL = 1
#: the values of ``WARC_COMPRESSOR``
COMPRESSORS = ("auto", "isal", "zlib")


def _isal_zlib():
    """ISA-L's zlib-compatible module, or None when the ``isal`` package is not installed."""
    try:
        from isal import isal_zlib
    except ImportError:
        return None
    return isal_zlib


@dataclass(frozen=True)
class GzipChoice:
    """The compressor of a run's WARC records: ``name`` (``"isal"`` or ``"zlib"``), its
    ``level`` and its zlib-compatible ``module`` (``compressobj``)."""

    name: str
    level: int
    module: object


def parse_gzip_level(value, top: int = 9, what: str = "a gzip level") -> int:
    """*value* (``WARC_GZIP_LEVEL``, a number or its text) as a level 0-*top*; ValueError otherwise."""
    try:
        level = int(str(value).strip())
    except ValueError:
        level = -1
    if not 0 <= level <= top:
        raise ValueError(f"WARC_GZIP_LEVEL must be {what} 0-{top}, got {str(value)!r}")
    return level


def gzip_choice(compressor="auto", level=None) -> GzipChoice:
    """The compressor for ``WARC_COMPRESSOR`` *compressor* and ``WARC_GZIP_LEVEL`` *level*
    (None or ``""``: the compressor's default); ValueError for a value it cannot honour.

    - ``auto`` (the default): ISA-L at level 1 when ``isal`` is installed and no level is given;
      zlib otherwise (a given level is zlib's 0-9, as ``WARC_GZIP_LEVEL`` always meant);
    - ``isal``: ISA-L, level 0-3 (default 1); refused when ``isal`` is not installed;
    - ``zlib``: zlib, level 0-9 (default 6).
    """
    name = str(compressor if compressor is not None else "auto").strip().lower() or "auto"
    if name not in COMPRESSORS:
        raise ValueError(f"WARC_COMPRESSOR must be one of {', '.join(COMPRESSORS)}, got {str(compressor)!r}")
    given = level is not None and str(level).strip() != ""
    if name == "isal" or (name == "auto" and not given):
        isal_zlib = _isal_zlib()
        if isal_zlib is not None:
            return GzipChoice("isal", parse_gzip_level(level, 3, what="an ISA-L level") if given else DEFAULT_ISAL_LEVEL, isal_zlib)
        if name == "isal":
            raise ValueError("WARC_COMPRESSOR is 'isal' but the isal package is not installed (pip install isal)")
    return GzipChoice("zlib", parse_gzip_level(level) if given else DEFAULT_GZIP_LEVEL, zlib)


class GzipMembers:
    """A binary file that gzips what is written into it (*choice*: :func:`gzip_choice`; an int
    is a zlib level), one gzip member per ``flush()`` (a WARC record, since warcio flushes once
    at the end of each)."""

    def __init__(self, raw, choice: GzipChoice | int | None = None):
        self.raw = raw
        if not isinstance(choice, GzipChoice):
            choice = gzip_choice("zlib", choice)
        self.choice = choice
        self.level = choice.level
        self._compressobj = choice.module.compressobj
        self._wbits = zlib.MAX_WBITS + 16  # a gzip header and trailer
        self._member = None

    def write(self, data: bytes) -> int:
        if self._member is None:
            self._member = self._compressobj(self.level, zlib.DEFLATED, self._wbits)
        self.raw.write(self._member.compress(data))
        return len(data)

    def flush(self) -> None:
        if self._member is not None:
            self.raw.write(self._member.flush())
            self._member = None
        self.raw.flush()


class WarcFileWriter:
    """Writes request/response pairs into size-rotated WARC files (see the module docstring).

    ``files``: the WARC files completed so far (renamed into place); ``current``: the final
    name of the file being written (None when none is open)."""

    def __init__(self, folder: str | os.PathLike, prefix: str, max_bytes: int = 1_000_000_000, info: dict | None = None,
                 gzip_level: int | None = None, compressor: str = "auto"):
        self.gzip = gzip_choice(compressor, gzip_level)
        self.folder = Path(folder)
        self.prefix = prefix
        self.max_bytes = max(1, int(max_bytes))
        self.info = dict(info or {})
        self.files: list[Path] = []
        self.current: Path | None = None
        self.records = 0
        self._seq = 0
        self._raw = None
        self._writer: WARCWriter | None = None
        self.closed = False

    # files ------------------------------------------------------------
    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            self._seq += 1
            final = self.folder / f"{self.prefix}-{self._seq:05d}{WARC_SUFFIX}"
            if not final.exists():
                break
        self.current = final
        self._raw = self._open_raw(part_path_for(final))
        self._writer = WARCWriter(GzipMembers(self._raw, self.gzip), gzip=False, warc_version="WARC/1.1")
        fields = {"software": "review-crawler (warcio)", "format": "WARC File Format 1.1",
                  "hostname": socket.gethostname(), **{k: str(v) for k, v in self.info.items() if v is not None}}
        self._writer.write_record(self._writer.create_warcinfo_record(final.name, fields))
        self._raw.flush()

    def _open_raw(self, path: Path):
        """The raw binary file the records go to (a test wraps it to fill the disk)."""
        return path.open("wb")

    def _finish(self) -> None:
        if self._raw is None or self.current is None:
            return
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(part_path_for(self.current), self.current)
        fsync_dir(self.folder)
        self.files.append(self.current)
        self._raw, self._writer, self.current = None, None, None

    def abandon(self) -> None:
        """Stop writing after a write error: the open file stays hidden (``.part``) and the next
        run seals it after its last whole record; nothing more is written."""
        self.closed = True
        raw, self._raw, self._writer, self.current = self._raw, None, None, None
        if raw is not None:
            try:
                raw.close()
            except OSError:
                pass

    def close(self) -> None:
        """Rename the open file into place (idempotent)."""
        if not self.closed:
            self.closed = True
            self._finish()

    # records ----------------------------------------------------------
    def write_exchange(self, *, url: str, method: str, request_headers: list[tuple[str, str]], status: int, reason: str,
                       response_headers: list[tuple[str, str]], body: bytes, read_args: dict | None = None,
                       date: str | None = None, protocol: str = "HTTP/1.1") -> None:
        """Archive one fetch: a response record, then its request record (``WARC-Concurrent-To``)."""
        if self.closed:
            raise ValueError("WARC writer is closed")
        if self._writer is None:
            self._open()
        assert self._writer is not None and self._raw is not None
        date = date or warc_date()
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = list(request_headers)
        if not any(k.lower() == "host" for k, _ in req_headers):
            req_headers.insert(0, ("Host", parts.netloc))
        resp_headers = [(k, v) for k, v in response_headers if k.lower() not in _DROP_RESPONSE_HEADERS]
        warc_headers = {"WARC-Date": date}
        if read_args is not None:
            warc_headers[READ_ARGS_HEADER] = json.dumps(read_args, sort_keys=True, separators=(",", ":"))
        response = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=StatusAndHeaders(f"{status} {reason}".strip(), resp_headers, protocol=protocol),
            warc_headers_dict=warc_headers)
        request = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(f"{method} {path} {protocol}", req_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
        self._writer.write_record(response)
        self._writer.write_record(request)
        self._raw.flush()  # in the OS: a kill -9 after this loses nothing
        self.records += 2
        if self._raw.tell() >= self.max_bytes:
            self._finish()


def complete_prefix_length(path: Path) -> int:
    """Bytes of *path* that hold whole gzip members -- whole WARC records, since each record is
    its own member (a torn last record is not counted). Streams the file."""
    end = pos = 0
    d = zlib.decompressobj(31)
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            data = chunk
            while data:
                try:
                    d.decompress(data)
                except zlib.error:
                    return end
                if d.eof:  # a member ends inside this chunk
                    used = len(data) - len(d.unused_data)
                    pos += used
                    end = pos
                    data = d.unused_data
                    d = zlib.decompressobj(31)
                else:
                    pos += len(data)
                    data = b""
    return end


def check_whole(path: Path) -> None:
    """Raise :class:`ArchiveLoadFailed` unless *path* is whole gzip members to its last byte."""
    size = path.stat().st_size
    end = complete_prefix_length(path)
    if end != size:
        raise ArchiveLoadFailed(f"{path}: torn WARC file (whole records end at byte {end} of {size})")


def seal_stale(folder: str | os.PathLike) -> list[Path]:
    """Rename the ``.part`` WARC files that dead processes left in *folder* into place, cut
    after their last whole record (an empty one is deleted). Returns the files sealed."""
    sealed: list[Path] = []
    folder = Path(folder)
    if not folder.is_dir():
        return sealed
    for p in sorted(folder.iterdir()):
        m = _PART_RE.match(p.name)
        if not m or not p.is_file() or int(m.group(2)) == os.getpid() or pid_alive(int(m.group(2))):
            continue
        keep = complete_prefix_length(p)
        final = folder / m.group(1)
        if keep == 0 or final.exists():
            p.unlink(missing_ok=True)
            continue
        with p.open("r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(p, final)
        fsync_dir(folder)
        sealed.append(final)
        logger.warning("Sealed WARC file %s left by a killed run (%d bytes of whole records)", final, keep)
    return sealed


@dataclass
class ArchivedPage:
    """A response the crawl read as a candidate review, as :func:`crawler.sites.read.read_page` takes it."""

    url: str
    body: bytes
    headers: dict
    read_args: dict
    date: str


def _decode_body(record) -> bytes:
    """The body as the crawl's spider saw it (``Content-Encoding`` undone, as HttpCompressionMiddleware does)."""
    return record.content_stream().read()


def iter_responses(path: str | os.PathLike) -> Iterator[ArchivedPage]:
    """The archived pages the crawl read (2xx responses with ``WARC-Crawler-Read``), in file order.

    Raises :class:`warcio.exceptions.ArchiveLoadFailed` (or ``OSError``/``EOFError``/``zlib.error``)
    on a file that is not a whole WARC file (checked first: a torn ``.warc.gz`` gives nothing)."""
    if str(path).endswith(".gz"):
        check_whole(Path(path))
    with Path(path).open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response":
                continue
            raw_args = record.rec_headers.get_header(READ_ARGS_HEADER)
            status = record.http_headers.get_statuscode() if record.http_headers else ""
            if not raw_args or not str(status).startswith("2"):
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
            date = record.rec_headers.get_header("WARC-Date") or ""
            yield ArchivedPage(url=record.rec_headers.get_header("WARC-Target-URI"), body=_decode_body(record),
                               headers={"Content-Type": content_type}, read_args=json.loads(raw_args),
                               date=date[:19] + "Z" if len(date) >= 19 else date)
