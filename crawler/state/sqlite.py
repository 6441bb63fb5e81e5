"""The embedded default state store: one SQLite file and its journal (see :mod:`crawler.state.base`
for the contract).

The file is checked every time it is opened (:func:`check_state_file`): ``PRAGMA quick_check``,
the schema version (``PRAGMA user_version``, :data:`STATE_SCHEMA_VERSION`; older states are
upgraded when their tables are right) and the expected tables and columns. A damaged file, an
empty (zero-length) file, a directory at the state path, or a missing file whose journal is
there raises :class:`StateDamaged`, whose message says what to do (restore a backup, or
``crawler state rebuild`` from the journal or the output manifests): a run never starts afresh
on a state it could not read. A new state is created under a temporary name and linked into
place once its schema is written, so a run killed while creating it never leaves an empty file
behind.

Every write is also appended to the state journal ``<state>.journal``
(:mod:`crawler.state.journal`), fsynced *before* the SQLite transaction commits, so the journal is
never behind the state: when any one page of the SQLite file is damaged, ``crawler state
rebuild`` replays the journal into a state identical to the one before the damage. The journal
itself is checked when the state is opened (:meth:`SQLiteStateStore.journal_status`): a damaged
page of it (bad lines, missing entries), a missing journal, one that is not this state's or one
behind it is reported, moved aside and replaced by a new journal holding a snapshot of the
(checked) state, which stays usable; a journal more than :data:`COMPACT_RATIO` times the size of
the state (and over :data:`COMPACT_MIN_BYTES`) is compacted the same way.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any

from crawler.state.base import StateStore, parts, utc_now
from crawler.state.journal import (JOURNAL_VERSION, SNAPSHOT_ROWS, JournalFile, journal_path_for, replay_entries,
                                   scan_journal, write_journal)

logger = logging.getLogger(__name__)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    last_emitted_run TEXT NOT NULL,
    field_hashes TEXT
);
CREATE TABLE IF NOT EXISTS fetches (
    url TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    emitted_run TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    pid INTEGER,
    host TEXT,
    started TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watermarks (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    mode TEXT,
    finished TEXT,
    summary TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


#: the schema version written in ``PRAGMA user_version`` (2: the ``meta`` table and the journal;
#: a crawler that does not write the journal refuses a state of version 2)
STATE_SCHEMA_VERSION = 2
#: the tables a state must hold, with their columns
EXPECTED_TABLES = {
    "reviews": {"id", "url", "content_hash", "first_seen", "last_changed", "last_emitted_run"},
    "fetches": {"url", "id", "etag", "last_modified", "emitted_run"},
    "outputs": {"path", "run_id", "pid", "host", "started"},
    "watermarks": {"key", "value"},
    "runs": {"seq", "run_id", "mode", "finished", "summary"},
}
#: the rows a journal snapshot holds, per table, in this order (``ORDER BY`` the first column)
SNAPSHOT_COLUMNS = {
    "reviews": ("id", "url", "content_hash", "first_seen", "last_changed", "last_emitted_run", "field_hashes"),
    "fetches": ("url", "id", "etag", "last_modified", "emitted_run"),
    "outputs": ("path", "run_id", "pid", "host", "started"),
    "watermarks": ("key", "value"),
    "runs": ("seq", "run_id", "mode", "finished", "summary"),
}
#: a journal is compacted (rewritten as a snapshot of the state) when it is more than this many
#: times the size of the state file ...
COMPACT_RATIO = 4
#: ... and larger than this
COMPACT_MIN_BYTES = 64 * 1024 * 1024
#: rows per ``mark`` journal line (and per step of a big mark_emitted)
MARK_ROWS = 2000


class StateDamaged(Exception):
    """The state file cannot be trusted; ``str(exc)`` says why and what to do."""

    def __init__(self, path: Path, reason: str):
        reason = " ".join(reason.split())  # one line
        self.path, self.reason = path, reason
        journal = journal_path_for(path)
        self.journal = journal if _nonempty_file(journal) else None
        if self.journal is not None:
            todo = (f"or rebuild it from its journal: crawler state rebuild {path} --journal {journal} "
                    f"(add --from OUTPUT_FOLDER to also use the output manifests; the damaged file is kept beside it)")
        else:
            todo = (f"or rebuild it from the output manifests: crawler state rebuild {path} --from OUTPUT_FOLDER "
                    f"(the damaged file is kept beside it)")
        super().__init__(f"the state store {path} is unusable: {reason}. Nothing was crawled. Restore it from a backup, {todo}, then rerun")


def _nonempty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def check_state_file(path: str | os.PathLike) -> None:
    """Raise :class:`StateDamaged` unless *path* is absent with no journal beside it (a new state)
    or a healthy state file: not a directory, not empty, ``quick_check`` ok, a known schema
    version, every expected table with its columns."""
    path = Path(path)
    if path.is_dir():
        raise StateDamaged(path, "a directory is at the state path")
    if not path.exists():
        if _nonempty_file(journal_path_for(path)):
            raise StateDamaged(path, f"the file is missing but its journal {journal_path_for(path)} is there (the state was lost)")
        return
    if path.stat().st_size == 0:
        raise StateDamaged(path, "the file is empty (0 bytes); a state file is never empty")
    try:
        db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    except sqlite3.Error as exc:
        raise StateDamaged(path, f"SQLite cannot open it ({exc})") from None
    try:
        problems = [r[0] for r in db.execute("PRAGMA quick_check(5)").fetchall()]
        if problems != ["ok"]:
            raise StateDamaged(path, "SQLite quick_check failed: " + "; ".join(str(p) for p in problems)[:300])
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > STATE_SCHEMA_VERSION:
            raise StateDamaged(path, f"schema version {version} is newer than this crawler's ({STATE_SCHEMA_VERSION})")
        for table, columns in EXPECTED_TABLES.items():
            have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
            if not have:
                raise StateDamaged(path, f"table {table} is missing")
            if not columns <= have:
                raise StateDamaged(path, f"table {table} lacks column(s) {', '.join(sorted(columns - have))}")
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        raise StateDamaged(path, f"SQLite cannot read it ({exc})") from None
    finally:
        db.close()


def _create_state_file(path: Path) -> None:
    """Create a new state at *path*: schema written under a temporary name, then linked into
    place (never over an existing file), so *path* is never an empty or half-made state."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.new")
    for leftover in (temp, temp.with_name(temp.name + "-wal"), temp.with_name(temp.name + "-shm")):
        leftover.unlink(missing_ok=True)
    db = sqlite3.connect(str(temp), isolation_level=None)
    try:
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version = {STATE_SCHEMA_VERSION}")
        db.execute("PRAGMA journal_mode=WAL")
    finally:
        db.close()
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temp, path)
    except FileExistsError:
        pass  # created meanwhile by another process: that one is used (and checked)
    finally:
        temp.unlink(missing_ok=True)


#: ``json.dumps(field_hashes, sort_keys=True)``, one encoder for every row
_encode_hashes = json.JSONEncoder(sort_keys=True).encode


def _mark(cur: sqlite3.Cursor, op: dict) -> int:
    run, now = op["run"], op["now"]
    rows = op["rows"]
    # one statement each for all the rows (the reviews' upserts, then the fetches'): the two tables
    # do not read each other, so this is what one row at a time would leave, in less time
    cur.executemany(
            """INSERT INTO reviews (id, url, content_hash, first_seen, last_changed, last_emitted_run, field_hashes)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET
                 url = excluded.url,
                 field_hashes = CASE WHEN excluded.field_hashes IS NOT NULL THEN excluded.field_hashes
                                     WHEN reviews.content_hash = excluded.content_hash THEN reviews.field_hashes
                                     ELSE NULL END,
                 last_changed = CASE WHEN reviews.content_hash = excluded.content_hash
                                     THEN reviews.last_changed ELSE excluded.last_changed END,
                 content_hash = excluded.content_hash,
                 last_emitted_run = excluded.last_emitted_run""",
        [(rid, url, chash, now, now, run, field_hashes) for rid, url, chash, field_hashes, *_ in rows],
    )
    cur.executemany(
        """INSERT INTO fetches (url, id, etag, last_modified, emitted_run) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(url) DO UPDATE SET id = excluded.id, etag = excluded.etag,
             last_modified = excluded.last_modified, emitted_run = excluded.emitted_run""",
        [(fetch_url, rid, etag, last_modified, run) for rid, _, _, _, fetch_url, etag, last_modified in rows if fetch_url],
    )
    if op.get("output") is not None:
        cur.execute("DELETE FROM outputs WHERE path = ?", (op["output"],))
    return len(op["rows"])


def _forget(cur: sqlite3.Cursor, op: dict) -> int:
    n = 0
    for rid in op["ids"]:
        n += cur.execute("DELETE FROM reviews WHERE id = ? AND last_emitted_run = ?", (rid, op["run"])).rowcount
        cur.execute("DELETE FROM fetches WHERE id = ? AND emitted_run = ?", (rid, op["run"]))
    return n


def _snapshot(cur: sqlite3.Cursor, op: dict) -> int:
    table, cols = op["table"], tuple(op["cols"])
    if SNAPSHOT_COLUMNS.get(table) != cols:  # never a table or column name from the file into SQL
        raise ValueError(f"a snapshot of an unknown table or columns: {table} {cols}")
    cur.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", op["rows"])
    return len(op["rows"])


#: how each journal op is applied to the tables (the live write and the replay run the same code)
_APPLY = {
    "mark": _mark,
    "forget": _forget,
    "output": lambda cur, op: cur.execute(
        "INSERT OR REPLACE INTO outputs (path, run_id, pid, host, started) VALUES (?, ?, ?, ?, ?)",
        (op["path"], op["run"], op["pid"], op["host"], op["started"])).rowcount,
    "watermark": lambda cur, op: cur.execute(
        "INSERT OR REPLACE INTO watermarks (key, value) VALUES (?, ?)", (op["key"], op["value"])).rowcount,
    "run": lambda cur, op: cur.execute(
        "INSERT INTO runs (run_id, mode, finished, summary) VALUES (?, ?, ?, ?)",
        (op["run_id"], op["mode"], op["finished"], op["summary"])).rowcount,
    "snapshot": _snapshot,
}


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class SQLiteStateStore(StateStore):
    """The embedded default: one SQLite file (WAL journal, ``synchronous=FULL``), safe against
    ``kill -9`` at any point (every write is one transaction), and its journal (module docstring;
    ``journal=False``: none, for a state being rebuilt)."""

    def __init__(self, path: str | os.PathLike, *, journal: bool = True):
        self.path = Path(path)
        self.journal_path = journal_path_for(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists() and not self.path.is_symlink():
            check_state_file(self.path)  # a journal without its state: the state was lost
            _create_state_file(self.path)
        check_state_file(self.path)  # raises StateDamaged: never a silent fresh start
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(reviews)")}
        if "field_hashes" not in columns:  # a state written before per-field hashes were kept
            self.db.execute("ALTER TABLE reviews ADD COLUMN field_hashes TEXT")
        if self.db.execute("PRAGMA user_version").fetchone()[0] < STATE_SCHEMA_VERSION:
            self.db.execute(f"PRAGMA user_version = {STATE_SCHEMA_VERSION}")  # an older state, upgraded
        self._journal = JournalFile(self.journal_path) if journal else None
        #: what the check of the journal found when the state was opened (:meth:`_check_journal`)
        self.journal_status: dict[str, Any] = {}
        if self._journal is not None:
            self.journal_status = self._check_journal()

    # writes ---------------------------------------------------------------
    def _write(self, ops: Iterable[dict], before=None) -> int:
        """Apply *ops* in one transaction, one at a time as they are read (a big write is never
        all in memory); their journal lines are written and fsynced before it commits (module
        docstring). *before(cursor)* runs first, in the transaction, and returns more ops (a
        write that reads the state to know what it writes). Returns the rows applied."""
        with self._immediate() as cur:
            if before is not None:
                ops = chain(ops, before(cur))
            n = 0
            seq = first = self._meta(cur)[1] if self._journal is not None else 0

            def applied() -> Iterator[tuple[int, dict]]:
                nonlocal n, seq
                for op in ops:
                    n += _APPLY[op["op"]](cur, op)
                    seq += 1
                    yield seq, op

            if self._journal is None:
                for _ in applied():
                    pass
            else:
                self._journal.append(applied())  # fsynced: the journal is never behind the state
                if seq > first:
                    self._set_meta(cur, journal_seq=seq)
        return n

    @contextmanager
    def _immediate(self) -> Iterator[sqlite3.Cursor]:
        """A write transaction (``BEGIN IMMEDIATE``: the write lock from its start), committed
        when the block ends, rolled back when it raises."""
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                cur.execute("ROLLBACK")
            raise

    def replay(self, ops: Iterable[dict]) -> int:
        """Apply journal *ops* (:func:`crawler.state.journal.replay_entries`) in one transaction."""
        return self._write(list(ops))

    # reviews ------------------------------------------------------------
    def get(self, id: str) -> dict | None:  # noqa: A002
        row = self.db.execute("SELECT * FROM reviews WHERE id = ?", (id,)).fetchone()
        if not row:
            return None
        out = dict(row)
        out["field_hashes"] = json.loads(out["field_hashes"]) if out.get("field_hashes") else None
        return out

    def is_unchanged(self, id: str, content_hash: str) -> bool:  # noqa: A002
        row = self.db.execute("SELECT content_hash FROM reviews WHERE id = ?", (id,)).fetchone()
        return row is not None and row[0] == content_hash

    def mark_emitted(self, rows: Iterable[Mapping[str, Any]], run_id: str, output: str | None = None) -> int:
        """See :class:`~crawler.state.base.StateStore`. One transaction, read in parts of
        :data:`MARK_ROWS` rows, a journal line each (all but the last with ``more``; the last
        completes *output*): a file's rows are never all encoded in memory at once."""
        now = utc_now()

        def ops() -> Iterator[dict]:
            for part, last in parts(rows, MARK_ROWS):
                encoded = [
                    [row["id"], row["url"], row["content_hash"],
                     _encode_hashes(row["field_hashes"]) if row.get("field_hashes") else None,
                     row.get("fetch_url") or None, row.get("etag"), row.get("last_modified")]
                    for row in part
                ]
                op = {"op": "mark", "run": run_id, "now": now, "output": None if output is None or not last else str(output),
                      "rows": encoded}
                if not last:
                    op["more"] = True
                yield op

        return self._write(ops())

    def forget_run(self, run_id: str, keep: set[str]) -> int:
        def forgotten(cur):  # which rows, read in the write's transaction
            ids = [r[0] for r in cur.execute("SELECT id FROM reviews WHERE last_emitted_run = ? ORDER BY id", (run_id,)) if r[0] not in keep]
            return [{"op": "forget", "run": run_id, "ids": ids}] if ids else []
        return self._write([], before=forgotten)

    def get_fetch(self, url: str) -> dict | None:
        row = self.db.execute("SELECT * FROM fetches WHERE url = ?", (url,)).fetchone()
        return dict(row) if row else None

    # output journal -----------------------------------------------------
    def begin_output(self, path: str, run_id: str) -> None:
        self._write([{"op": "output", "path": str(path), "run": run_id, "pid": os.getpid(), "host": socket.gethostname(),
                      "started": utc_now()}])

    def pending_outputs(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM outputs ORDER BY started, path")]

    # watermarks and runs ------------------------------------------------
    def get_watermark(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM watermarks WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_watermark(self, key: str, value: str) -> None:
        self._write([{"op": "watermark", "key": key, "value": value}])

    def add_run(self, summary: Mapping[str, Any]) -> None:
        self._write([{"op": "run", "run_id": summary.get("run_id", ""), "mode": summary.get("mode"),
                      "finished": summary.get("finished"), "summary": json.dumps(dict(summary), sort_keys=True)}])

    def recent_runs(self, limit: int = 10, mode: str | None = None) -> list[dict]:
        if mode is None:
            cur = self.db.execute("SELECT summary FROM runs ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            cur = self.db.execute("SELECT summary FROM runs WHERE mode = ? ORDER BY seq DESC LIMIT ?", (mode, limit))
        return [json.loads(r[0]) for r in cur]

    def count(self) -> int:
        """Reviews in the store (SQLite extra, used by tests and the summary)."""
        return self.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]

    def dump(self) -> dict[str, list[tuple]]:
        """Every row of the tables a journal holds (:data:`SNAPSHOT_COLUMNS`), in key order: two
        states hold the same when their dumps are equal."""
        return {table: [tuple(r) for r in self.db.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {cols[0]}")]
                for table, cols in SNAPSHOT_COLUMNS.items()}

    # the journal ----------------------------------------------------------
    def _meta(self, cur) -> tuple[str | None, int]:
        rows = dict(cur.execute("SELECT key, value FROM meta WHERE key IN ('journal_id', 'journal_seq')").fetchall())
        return rows.get("journal_id"), int(rows.get("journal_seq") or 0)

    def _set_meta(self, cur, **values) -> None:
        cur.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [(k, str(v)) for k, v in values.items()])

    def _journal_problem(self, cur) -> tuple[str, Any] | None:
        """What is wrong with the journal for the state's ``meta`` (None: nothing)."""
        journal_id, seq = self._meta(cur)
        if not self.journal_path.exists() or self.journal_path.stat().st_size == 0:
            return ("new" if journal_id is None else "missing"), None
        scan = scan_journal(self.journal_path)
        if not scan.healthy and (scan.bad_before_tail or scan.missing or scan.last_seq < seq or not scan.torn_tail):
            return "damaged", scan  # a damaged page (the header line's too), not a last line cut short
        if journal_id is None or scan.journal_id != journal_id:
            return "foreign", scan
        if scan.torn_tail:  # a line cut short after every committed one: never committed (fsync comes first)
            return "torn", scan
        if scan.last_seq < seq:
            return "behind", scan
        if scan.last_seq > seq:
            return "ahead", scan
        if scan.size > COMPACT_MIN_BYTES and scan.size > COMPACT_RATIO * self.path.stat().st_size:
            return "compact", scan
        return None

    def _check_journal(self) -> dict[str, Any]:
        """Check the journal against the state (module docstring) and repair what is wrong,
        under the state's write lock (no writer is between its journal line and its commit).
        Returns ``{"journal", "event", "bad_lines", "missing", "moved_to"}``; ``event`` is ``ok``,
        ``new``, or what was repaired: ``missing``, ``foreign``, ``damaged``, ``behind`` (a new
        journal from a snapshot; the old one moved aside), ``ahead`` (a ``rewind`` line),
        ``torn`` (a last line cut short, removed), ``compact``. Damage is logged as an error, the
        other repairs as warnings."""
        status = {"journal": str(self.journal_path), "event": "ok", "bad_lines": 0, "missing": 0, "moved_to": None}
        if self._journal_problem(self.db) is None:  # the usual case, read without the write lock
            return status
        with self._immediate() as cur:
            problem = self._journal_problem(cur)
            if problem is not None and problem[0] == "torn":
                size = problem[1].size - problem[1].torn_tail
                with open(self.journal_path, "r+b") as f:
                    f.truncate(size)
                    os.fsync(f.fileno())
                logger.warning("State journal %s: removed a torn last line (%d bytes)", self.journal_path, problem[1].torn_tail)
                status["event"] = "torn"
                problem = self._journal_problem(cur)
            if problem is not None:
                self._repair_journal(cur, *problem, status)
        return status

    def _repair_journal(self, cur, event: str, scan, status: dict[str, Any]) -> None:
        """Repair what :meth:`_journal_problem` found (*event*), in the write transaction *cur*."""
        _, seq = self._meta(cur)
        status["event"] = event
        if scan is not None:  # entries lost at the end: the state counted them
            status.update(bad_lines=scan.bad, missing=scan.missing + max(0, seq - scan.last_seq))
        if event == "ahead":
            self._journal.append([(seq + 1, {"op": "rewind", "dropped": scan.last_seq - seq})])
            self._set_meta(cur, journal_seq=seq + 1)
            logger.warning("State journal %s was %d entr%s ahead of the state (a write killed before it committed, "
                           "or a state restored from a backup): marked not committed", self.journal_path,
                           scan.last_seq - seq, "y" if scan.last_seq - seq == 1 else "ies")
            return
        if event in ("foreign", "damaged", "behind"):
            status["moved_to"] = str(self.journal_path.with_name(f"{self.journal_path.name}.{event}-{_stamp()}"))
            os.replace(self.journal_path, status["moved_to"])
        self._start_journal(cur, event)
        reviews = cur.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
        message = {
            "new": "started",
            "missing": "was missing",
            "foreign": "is not this state's journal (moved to {moved_to})",
            "damaged": "is damaged: {bad_lines} bad line(s), {missing} entries missing (moved to {moved_to}; none of it was used)",
            "behind": "is behind the state (moved to {moved_to})",
            "compact": "was compacted",
        }[event].format(**status)
        level = {"damaged": logging.ERROR, "new": logging.INFO if reviews else logging.DEBUG}.get(event, logging.WARNING)
        logger.log(level, "State journal %s %s%s from the state (%d reviews)", self.journal_path, message,
                   "" if event == "new" else ": a new one was started", reviews)

    def _snapshot_lines(self, cur, first_seq: int) -> Iterator[tuple[int, dict]]:
        seq = first_seq
        for table, cols in SNAPSHOT_COLUMNS.items():
            rows = cur.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {cols[0]}")
            while chunk := rows.fetchmany(SNAPSHOT_ROWS):
                yield seq, {"op": "snapshot", "table": table, "cols": list(cols), "rows": [list(r) for r in chunk]}
                seq += 1

    def _start_journal(self, cur, reason: str) -> None:
        """A new journal: its ``journal`` line, then a snapshot of every table (in the caller's
        transaction), written under a temporary name and renamed into place; ``meta`` follows."""
        journal_id = uuid.uuid4().hex
        header = (1, {"op": "journal", "v": JOURNAL_VERSION, "id": journal_id, "created": utc_now(), "reason": reason})
        last = write_journal(self.journal_path, chain([header], self._snapshot_lines(cur, 2)))
        self._set_meta(cur, journal_id=journal_id, journal_seq=last)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
        if self.db is not None:
            self.db.close()
            self.db = None  # type: ignore[assignment]


def replay_journal(store: SQLiteStateStore, journal: str | os.PathLike) -> dict[str, Any]:
    """Replay the good entries of *journal* into *store* (a new state). Returns
    ``{"journal", "entries", "bad_lines", "missing", "ops"}``: bad lines are never replayed."""
    scan = scan_journal(journal, keep=lambda seq: True)
    ops = replay_entries(scan.entries)
    store.replay(ops)
    return {"journal": str(journal), "entries": scan.good, "bad_lines": scan.bad, "missing": scan.missing, "ops": len(ops)}
