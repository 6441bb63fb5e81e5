"""Crawl state: what was exported, when, and with which content — one store per spider.

The state store is the ledger behind incremental runs and resumable backfills. It is written
**only after an item is durably in a closed output file** (the output storage calls
:meth:`StateStore.mark_emitted` after the file was fsynced and renamed into place), so a run
killed at any point re-emits rather than loses: at-least-once. To also avoid duplicates after
a kill between "file renamed" and "state written", every output file is announced first with
:meth:`StateStore.begin_output`; a later run finds it in :meth:`StateStore.pending_outputs`
and marks the file's records (see :mod:`crawler.manifest`).

Interface (implemented by :class:`SQLiteStateStore` here and by the Redis store in
``crawler/state_redis.py`` for distributed runs); all methods are synchronous and cheap:

- ``get(id) -> dict | None``: ``{id, url, content_hash, first_seen, last_changed,
  last_emitted_run}`` of a review, or None when never emitted.
- ``is_unchanged(id, content_hash) -> bool``: True when the review was emitted before with
  exactly this ``content_hash``.
- ``mark_emitted(rows, run_id, output=None) -> int``: record reviews that are now in a closed
  output file. ``rows``: dicts with ``id``, ``url``, ``content_hash`` and optionally
  ``fetch_url``, ``etag``, ``last_modified`` (the validators of the response, for conditional
  requests). ``output`` (a path) completes that file's :meth:`begin_output` entry in the same
  transaction. Idempotent. Returns the number of rows.
- ``get_fetch(url) -> dict | None``: ``{url, id, etag, last_modified, emitted_run}`` for a
  fetched URL whose review was emitted (used for conditional requests and to skip pages a
  backfill already exported).
- ``begin_output(path, run_id)`` / ``pending_outputs() -> list[dict]``: the output journal
  (``{path, run_id, pid, host, started}`` of files opened but not yet marked).
- ``get_watermark(key) -> str | None`` / ``set_watermark(key, value)``: ISO 8601 UTC strings
  (the incremental watermark per site: the start of the last successful run).
- ``add_run(summary: dict)`` / ``recent_runs(limit=10, mode=None) -> list[dict]``: run
  summaries, newest first (for the history monitor).
- ``close()``.

:func:`open_state` picks the implementation from a URI or path. Settings: ``STATE_PATH``
(``%(name)s`` filled in with the spider name); spider argument ``-a state=PATH`` wins. Default:
``<folder of the first output file>/<spider>.state.sqlite``, so test runs that write to a
temporary folder never touch production state.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["StateStore", "SQLiteStateStore", "open_state", "default_state_path", "utc_now"]


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StateStore(ABC):
    """The state interface (see the module docstring for the contract of each method)."""

    @abstractmethod
    def get(self, id: str) -> dict | None: ...  # noqa: A002

    def is_unchanged(self, id: str, content_hash: str) -> bool:  # noqa: A002
        row = self.get(id)
        return bool(row) and row.get("content_hash") == content_hash

    @abstractmethod
    def mark_emitted(self, rows: Iterable[Mapping[str, Any]], run_id: str, output: str | None = None) -> int: ...

    @abstractmethod
    def get_fetch(self, url: str) -> dict | None: ...

    @abstractmethod
    def begin_output(self, path: str, run_id: str) -> None: ...

    @abstractmethod
    def pending_outputs(self) -> list[dict]: ...

    @abstractmethod
    def get_watermark(self, key: str) -> str | None: ...

    @abstractmethod
    def set_watermark(self, key: str, value: str) -> None: ...

    @abstractmethod
    def add_run(self, summary: Mapping[str, Any]) -> None: ...

    @abstractmethod
    def recent_runs(self, limit: int = 10, mode: str | None = None) -> list[dict]: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    last_emitted_run TEXT NOT NULL
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


class SQLiteStateStore(StateStore):
    """The embedded default: one SQLite file (WAL journal, ``synchronous=FULL``), safe against
    ``kill -9`` at any point (every write is one transaction)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    # reviews ------------------------------------------------------------
    def get(self, id: str) -> dict | None:  # noqa: A002
        row = self.db.execute("SELECT * FROM reviews WHERE id = ?", (id,)).fetchone()
        return dict(row) if row else None

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
                    """INSERT INTO reviews (id, url, content_hash, first_seen, last_changed, last_emitted_run)
                       VALUES (?, ?, ?, ?, ?, ?)
                       ON CONFLICT(id) DO UPDATE SET
                         url = excluded.url,
                         last_changed = CASE WHEN reviews.content_hash = excluded.content_hash
                                             THEN reviews.last_changed ELSE excluded.last_changed END,
                         content_hash = excluded.content_hash,
                         last_emitted_run = excluded.last_emitted_run""",
                    (rid, url, chash, now, now, run_id),
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


def default_state_path(spider_name: str, feed_paths: Iterable[str | os.PathLike] = ()) -> Path:
    """``<folder of the first output file>/<spider>.state.sqlite``, else
    ``output/<spider>/<spider>.state.sqlite``."""
    for p in feed_paths:
        return Path(p).parent / f"{spider_name}.state.sqlite"
    return Path("output") / spider_name / f"{spider_name}.state.sqlite"


def open_state(uri_or_path: str | os.PathLike, spider_name: str) -> StateStore:
    """Open the state store for *spider_name*.

    - ``redis://...`` / ``rediss://...`` / ``unix://...``:
      ``crawler.state_redis.RedisStateStore(uri, spider_name)`` (keys namespaced by spider name;
      same interface, implemented in ``crawler/state_redis.py``).
    - ``sqlite:///path`` or a plain path: :class:`SQLiteStateStore`. ``%(name)s`` in the path
      is replaced by the spider name; an existing directory gets ``<spider>.state.sqlite`` in it.
    """
    text = os.fspath(uri_or_path)
    if text.startswith(("redis://", "rediss://", "unix://")):
        from crawler import state_redis  # type: ignore[attr-defined]

        return state_redis.RedisStateStore(text, spider_name)  # type: ignore[attr-defined]
    text = text.removeprefix("sqlite://")
    if "%(" in text:
        text = text % {"name": spider_name}
    path = Path(text)
    if path.is_dir():
        path = path / f"{spider_name}.state.sqlite"
    return SQLiteStateStore(path)
