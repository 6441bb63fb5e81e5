"""The state store interface. Crawl state: what was exported, when, and with which content — one store per spider.

The state store is the ledger behind incremental runs and resumable backfills. It is written
**only after an item is durably in a closed output file** (the output storage calls
:meth:`StateStore.mark_emitted` after the file was fsynced and renamed into place), so a run
killed at any point re-emits rather than loses: at-least-once. To also avoid duplicates after
a kill between "file renamed" and "state written", every output file is announced first with
:meth:`StateStore.begin_output`; a later run finds it in :meth:`StateStore.pending_outputs`
and marks the file's records (see :mod:`crawler.output.recovery`).

Interface (implemented by :class:`crawler.state.sqlite.SQLiteStateStore`, which also appends every
write to its journal, :mod:`crawler.state.journal`, and by the Redis store in
``crawler/state/redis.py`` for distributed runs); all methods are synchronous and cheap:

- ``get(id) -> dict | None``: ``{id, url, content_hash, first_seen, last_changed,
  last_emitted_run, field_hashes}`` of a review, or None when never emitted. ``field_hashes``
  (``{field: hash}``, :func:`crawler.record.build.field_hashes`) says which fields a changed
  review changed; SQLite keeps it, the Redis store does not (None: not known).
- ``is_unchanged(id, content_hash) -> bool``: True when the review was emitted before with
  exactly this ``content_hash``.
- ``mark_emitted(rows, run_id, output=None) -> int``: record reviews that are now in a closed
  output file. ``rows``: dicts with ``id``, ``url``, ``content_hash`` and optionally ``field_hashes``,
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

:func:`crawler.state.open.open_state` picks the implementation from a URI or path. Settings: ``STATE_PATH``
(``%(name)s`` filled in with the spider name); spider argument ``-a state=PATH`` wins. Default:
``<folder of the first output file>/<spider>.state.sqlite``, so test runs that write to a
temporary folder never touch production state.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from itertools import islice
from typing import Any


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parts(items: Iterable, size: int) -> Iterator[tuple[list, bool]]:
    """*items* in lists of *size* (the last may be shorter), each with whether it is the last;
    read as they are asked for, so a long iterable is never all in memory. No items: one
    empty last part (a write that has no rows still completes its output)."""
    it = iter(items)
    part = list(islice(it, size))
    while True:
        following = list(islice(it, size))
        yield part, not following
        if not following:
            return
        part = following


class StateStore(ABC):
    """The state interface (see the module docstring for the contract of each method)."""

    @abstractmethod
    def get(self, id: str) -> dict | None: ...  # noqa: A002

    def is_unchanged(self, id: str, content_hash: str) -> bool:  # noqa: A002
        row = self.get(id)
        return bool(row) and row.get("content_hash") == content_hash

    @abstractmethod
    def mark_emitted(self, rows: Iterable[Mapping[str, Any]], run_id: str, output: str | None = None) -> int: ...

    def forget_run(self, run_id: str, keep: set[str]) -> int:
        """Un-export the reviews *run_id* was the last to emit, but those in *keep* (an output
        file of that run was lost or damaged): the next run emits them again. Returns how many
        were forgotten. Both stores do it atomically; a store that cannot do it raises
        ``NotImplementedError`` (reported)."""
        raise NotImplementedError

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
