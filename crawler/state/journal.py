"""The state journal: every write to a SQLite state, appended to ``<state>.journal`` beside it.

The SQLite file is one copy of the state; one damaged page of it loses whatever that page held.
The journal is the second copy, in another file and another format: an append-only text file
with self-checking lines for each state write (one, or a few for a big one), from which :func:`replay_entries` rebuilds the
state exactly (reviews, fetches and their validators, pending outputs, watermarks, runs).

A line is ``<seq> <crc> <json>\\n``: ``seq`` the state's write counter after this write (the
state keeps the last one it committed, ``meta.journal_seq``), ``crc`` the CRC-32 (8 hex digits)
of the bytes ``<seq> <json>``, ``json`` one ASCII-only object whose ``op`` says what was written
(:func:`encode_line`). ``op`` is one of:

- ``journal``: the first line of a journal (``id``, ``created``, ``v``); the state keeps the ``id``
  (``meta.journal_id``), so a journal that is not its own is recognised;
- ``snapshot``: rows of one table as they were when this journal started (``table``, ``cols``,
  ``rows``), written when a journal is started for a state that already holds data (an upgraded
  or rebuilt state, a journal found damaged, missing or compacted);
- ``mark``, ``forget``, ``output``, ``watermark``, ``run``: the writes of
  :meth:`~crawler.state.base.StateStore.mark_emitted`, ``forget_run``, ``begin_output``,
  ``set_watermark`` and ``add_run``, with every value the write used (its time, pid, host), so
  a replay makes the same rows;
- ``rewind``: the entries after ``seq - 1`` were never committed (see below).

One write may take several lines (a ``mark`` of many rows, in parts of
:data:`crawler.state.sqlite.MARK_ROWS`): every line of it but the last has ``"more": true``.

Ordering (:class:`~crawler.state.sqlite.SQLiteStateStore`): a write opens its SQLite transaction
(``BEGIN IMMEDIATE``, the write lock), applies its change, appends its journal line and fsyncs the
journal, and only then commits (with ``meta.journal_seq`` = the line's ``seq``). A kill at any
moment therefore leaves the journal level with the state or one write (its lines) ahead of it, never behind.
An entry ahead (written, not committed) is superseded by the next line written: it gets the same
``seq`` (the state's counter did not move), and a line whose ``seq`` is not above the previous
line's drops the entries from that ``seq`` on (:func:`replay_entries`); a journal ending in
``more`` lines ends in a write cut short, never committed, which a replay drops too. When a state is opened
with its journal ahead (a killed writer, or a state restored from a backup), a ``rewind`` line
is written at once, so the journal says exactly what the state holds.

Checks (:func:`scan_journal`): a line whose prefix, CRC or JSON is wrong is *bad*: counted,
reported and never replayed; a jump in ``seq`` counts the entries *missing* between good lines.
A damaged page of the journal shows as bad lines and missing entries. When a state is opened
its journal is checked (:meth:`~crawler.state.sqlite.SQLiteStateStore.journal_status`); a
damaged, missing, foreign or behind journal is moved aside and a new one started from a
snapshot of the (checked) state, so one damaged page of either file is repaired from the other.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the journal file beside a state: ``<state>.journal``
JOURNAL_SUFFIX = ".journal"
#: the line format's version (in the ``journal`` line)
JOURNAL_VERSION = 1
#: rows per ``snapshot`` line
SNAPSHOT_ROWS = 2000
#: journal bytes gathered before a write (one fsync per state write, whatever its size)
WRITE_BYTES = 1 << 20


def journal_path_for(state_path: str | os.PathLike) -> Path:
    """``<state>.journal``, beside the state file."""
    path = Path(state_path)
    return path.with_name(path.name + JOURNAL_SUFFIX)


class BadLine(ValueError):
    """A journal line that fails its check (prefix, CRC, JSON)."""


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, check_circular=False)


def encode_line(seq: int, op: dict[str, Any]) -> bytes:
    """One journal line for *op* (see the module docstring for the format)."""
    payload = _ENCODER.encode(op).encode("ascii")
    head = b"%d " % seq
    return b"%s%08x %s\n" % (head, zlib.crc32(payload, zlib.crc32(head)), payload)


def _check_prefix(line: bytes) -> tuple[int, bytes]:
    """``(seq, json bytes)`` of a line whose CRC is right; :class:`BadLine` otherwise."""
    space = line.find(b" ")
    if not 0 < space <= 20 or not line[:space].isdigit() or len(line) < space + 11 or line[space + 9:space + 10] != b" ":
        raise BadLine("no '<seq> <crc> ' prefix")
    head, crc, payload = line[:space + 1], line[space + 1:space + 9], line[space + 10:].removesuffix(b"\n")
    if b"%08x" % zlib.crc32(payload, zlib.crc32(head)) != crc:  # exactly as written: 8 lower-case hex digits
        raise BadLine("CRC mismatch")
    return int(head), payload


def decode_line(line: bytes) -> tuple[int, dict[str, Any]]:
    """``(seq, op)`` of one journal line; :class:`BadLine` when it fails its check."""
    seq, payload = _check_prefix(line)
    try:
        op = json.loads(payload)
    except ValueError:
        raise BadLine("not JSON") from None
    if not isinstance(op, dict) or not isinstance(op.get("op"), str):
        raise BadLine("not a journal entry")
    return seq, op


@dataclass
class JournalScan:
    """What :func:`scan_journal` found in a journal file."""

    path: Path
    size: int = 0
    lines: int = 0
    good: int = 0
    #: lines failing their check (never replayed)
    bad: int = 0
    #: entries missing before or between good lines (a jump in ``seq``; entries lost after the last
    #: good line are known only to the state, ``meta.journal_seq``)
    missing: int = 0
    #: the ``seq`` of the last good line (0: none)
    last_seq: int = 0
    #: the ``id`` of its ``journal`` line (None when that line is not the first good one)
    journal_id: str | None = None
    #: bytes after the last newline (a line cut short; counted bad when it fails its check)
    torn_tail: int = 0
    #: bad lines but the torn tail
    bad_before_tail: int = 0
    #: the good entries kept (``seq``, op), when asked for
    entries: list[tuple[int, dict]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.bad == 0 and self.missing == 0


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        yield from f


def scan_journal(path: str | os.PathLike, *, keep: Callable[[int], bool] | None = None) -> JournalScan:
    """Check every line of the journal at *path* (module docstring); keep the decoded entries
    whose ``seq`` *keep* accepts (all with ``keep=lambda seq: True``; none by default: only the
    CRCs are checked, the JSON of the first line alone is read)."""
    path = Path(path)
    scan = JournalScan(path=path, size=path.stat().st_size)
    prev = 0
    for line in _lines(path):
        scan.lines += 1
        if not line.endswith(b"\n"):
            scan.torn_tail = len(line)
        try:
            if keep is not None or scan.good == 0:
                seq, op = decode_line(line)
            else:
                seq, op = _check_prefix(line)[0], None
        except BadLine:
            scan.bad += 1
            scan.bad_before_tail += not scan.torn_tail
            continue
        if scan.good == 0 and op is not None and op.get("op") == "journal":
            scan.journal_id = str(op.get("id"))
        scan.good += 1
        if seq > prev + 1:  # a journal starts at 1
            scan.missing += seq - prev - 1
        prev = seq
        scan.last_seq = seq
        if keep is not None and keep(seq):
            scan.entries.append((seq, op))
    return scan


def replay_entries(entries: list[tuple[int, dict]]) -> list[dict]:
    """The ops a state holds, in order, from a journal's good entries: a line whose ``seq`` is
    not above the previous one's drops the entries from that ``seq`` on (they were written but
    never committed), and so do ``more`` lines at the end (a write whose last line was never
    written); ``journal`` and ``rewind`` lines hold no write."""
    kept: list[tuple[int, dict]] = []
    for seq, op in entries:
        while kept and kept[-1][0] >= seq:
            kept.pop()
        kept.append((seq, op))
    while kept and kept[-1][1].get("more") is True:
        kept.pop()
    return [op for _, op in kept if op["op"] not in ("journal", "rewind")]


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return len(data)


class JournalFile:
    """The append side of a journal: one ``O_APPEND`` descriptor, each line written whole and
    fsynced (:meth:`append`). Reopened when the file at the path is no longer the one open
    (another process started a new journal)."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def _open(self) -> int:
        if self.fd is not None:
            try:
                if os.stat(self.path).st_ino == os.fstat(self.fd).st_ino:
                    return self.fd
            except FileNotFoundError:
                pass
            self.close()
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return self.fd

    def append(self, lines: Iterable[tuple[int, dict[str, Any]]]) -> int:
        """Write the ``(seq, op)`` *lines* (encoded as they are read, written ~1 MB at a time)
        and fsync them once; returns the bytes written."""
        fd = self._open()
        written, pending, size = 0, [], 0
        for seq, op in lines:
            line = encode_line(seq, op)
            pending.append(line)
            size += len(line)
            if size >= WRITE_BYTES:
                written += _write_all(fd, b"".join(pending))
                pending, size = [], 0
        if pending:
            written += _write_all(fd, b"".join(pending))
        if written:
            os.fsync(fd)
        return written

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def write_journal(path: Path, lines: Iterator[tuple[int, dict]]) -> int:
    """Write a new journal at *path* from ``(seq, op)`` lines: under a temporary name, fsynced,
    renamed into place (over any file there), the folder fsynced. Returns the last ``seq``."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.new")
    last = 0
    with open(temp, "wb") as f:
        for seq, op in lines:
            f.write(encode_line(seq, op))
            last = seq
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
    fsync_dir(path.parent)
    return last
