"""The embedded default state store: one SQLite file (see :mod:`crawler.state.base` for the
contract).

The file is checked every time it is opened (:func:`check_state_file`): ``PRAGMA quick_check``,
the schema version (``PRAGMA user_version``, :data:`STATE_SCHEMA_VERSION`; 0 is a state from
before versions, upgraded when its tables are right) and the expected tables and columns. A
damaged file, an empty (zero-length) file or a directory at the state path raises
:class:`StateDamaged`, whose message says what to do (restore a backup, or
``crawler state rebuild`` from the output manifests): a run never starts afresh on a state it
could not read. A new state is created under a temporary name and linked into place once its
schema is written, so a run killed while creating it never leaves an empty file behind.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from crawler.state.base import StateStore, utc_now


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
"""


#: the schema version written in ``PRAGMA user_version``
STATE_SCHEMA_VERSION = 1
#: the tables a state must hold, with their columns
EXPECTED_TABLES = {
    "reviews": {"id", "url", "content_hash", "first_seen", "last_changed", "last_emitted_run"},
    "fetches": {"url", "id", "etag", "last_modified", "emitted_run"},
    "outputs": {"path", "run_id", "pid", "host", "started"},
    "watermarks": {"key", "value"},
    "runs": {"seq", "run_id", "mode", "finished", "summary"},
}


class StateDamaged(Exception):
    """The state file cannot be trusted; ``str(exc)`` says why and what to do."""

    def __init__(self, path: Path, reason: str):
        reason = " ".join(reason.split())  # one line
        self.path, self.reason = path, reason
        super().__init__(
            f"the state store {path} is unusable: {reason}. Nothing was crawled. Restore it from a backup, "
            f"or rebuild it from the output manifests: crawler state rebuild {path} --from OUTPUT_FOLDER "
            f"(the damaged file is kept beside it), then rerun")


def check_state_file(path: str | os.PathLike) -> None:
    """Raise :class:`StateDamaged` unless *path* is absent (a new state) or a healthy state file:
    not a directory, not empty, ``quick_check`` ok, a known schema version, every expected table
    with its columns."""
    path = Path(path)
    if path.is_dir():
        raise StateDamaged(path, "a directory is at the state path")
    if not path.exists():
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


class SQLiteStateStore(StateStore):
    """The embedded default: one SQLite file (WAL journal, ``synchronous=FULL``), safe against
    ``kill -9`` at any point (every write is one transaction)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists() and not self.path.is_symlink():
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
            self.db.execute(f"PRAGMA user_version = {STATE_SCHEMA_VERSION}")  # a state from before versions

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
        now = utc_now()
        n = 0
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for row in rows:
                rid, url, chash = row["id"], row["url"], row["content_hash"]
                cur.execute(
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
                    (rid, url, chash, now, now, run_id,
                     json.dumps(row["field_hashes"], sort_keys=True) if row.get("field_hashes") else None),
                )
                if row.get("fetch_url"):
                    cur.execute(
                        """INSERT INTO fetches (url, id, etag, last_modified, emitted_run) VALUES (?, ?, ?, ?, ?)
                           ON CONFLICT(url) DO UPDATE SET id = excluded.id, etag = excluded.etag,
                             last_modified = excluded.last_modified, emitted_run = excluded.emitted_run""",
                        (row["fetch_url"], rid, row.get("etag"), row.get("last_modified"), run_id),
                    )
                n += 1
            if output is not None:
                cur.execute("DELETE FROM outputs WHERE path = ?", (str(output),))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return n

    def forget_run(self, run_id: str, keep: set[str]) -> int:
        n = 0
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            ids = [r[0] for r in cur.execute("SELECT id FROM reviews WHERE last_emitted_run = ?", (run_id,)).fetchall() if r[0] not in keep]
            for rid in ids:
                n += cur.execute("DELETE FROM reviews WHERE id = ? AND last_emitted_run = ?", (rid, run_id)).rowcount
                cur.execute("DELETE FROM fetches WHERE id = ? AND emitted_run = ?", (rid, run_id))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return n

    def get_fetch(self, url: str) -> dict | None:
        row = self.db.execute("SELECT * FROM fetches WHERE url = ?", (url,)).fetchone()
        return dict(row) if row else None

    # output journal -----------------------------------------------------
    def begin_output(self, path: str, run_id: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO outputs (path, run_id, pid, host, started) VALUES (?, ?, ?, ?, ?)",
            (str(path), run_id, os.getpid(), socket.gethostname(), utc_now()),
        )

    def pending_outputs(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM outputs ORDER BY started, path")]

    # watermarks and runs ------------------------------------------------
    def get_watermark(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM watermarks WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_watermark(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO watermarks (key, value) VALUES (?, ?)", (key, value))

    def add_run(self, summary: Mapping[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO runs (run_id, mode, finished, summary) VALUES (?, ?, ?, ?)",
            (summary.get("run_id", ""), summary.get("mode"), summary.get("finished"), json.dumps(dict(summary), sort_keys=True)),
        )

    def recent_runs(self, limit: int = 10, mode: str | None = None) -> list[dict]:
        if mode is None:
            cur = self.db.execute("SELECT summary FROM runs ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            cur = self.db.execute("SELECT summary FROM runs WHERE mode = ? ORDER BY seq DESC LIMIT ?", (mode, limit))
        return [json.loads(r[0]) for r in cur]

    def count(self) -> int:
        """Reviews in the store (SQLite extra, used by tests and the summary)."""
        return self.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None  # type: ignore[assignment]
