"""Which state store a run opens: :func:`open_state` from a path or URI, and the default path."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from crawler.state.base import StateStore
from crawler.state.sqlite import SQLiteStateStore


def default_state_path(spider_name: str, feed_paths: Iterable[str | os.PathLike] = ()) -> Path:
    """``<folder of the first output file>/<spider>.state.sqlite``, else
    ``output/<spider>/<spider>.state.sqlite``."""
    for p in feed_paths:
        return Path(p).parent / f"{spider_name}.state.sqlite"
    return Path("output") / spider_name / f"{spider_name}.state.sqlite"


def open_state(uri_or_path: str | os.PathLike, spider_name: str) -> StateStore:
    """Open the state store for *spider_name*.

    - ``redis://...`` / ``rediss://...`` / ``unix://...``:
      ``crawler.state.redis.RedisStateStore(uri, spider_name)`` (keys namespaced by spider name;
      same interface, implemented in ``crawler/state/redis.py``).
    - ``sqlite:///path`` or a plain path: :class:`SQLiteStateStore`. ``%(name)s`` in the path
      is replaced by the spider name; an existing directory gets ``<spider>.state.sqlite`` in it
      (unless it is named like a state file, ``*.sqlite``: that is a damaged state). The file
      is checked when opened (:func:`crawler.state.sqlite.check_state_file`).
    """
    text = os.fspath(uri_or_path)
    if text.startswith(REDIS_SCHEMES):
        from crawler.state.redis import RedisStateStore  # needs the optional redis extra

        return RedisStateStore(text, spider_name)
    return SQLiteStateStore(state_file_path(text, spider_name))


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def state_file_path(uri_or_path: str | os.PathLike, spider_name: str) -> Path | None:
    """The SQLite file :func:`open_state` opens for *uri_or_path* (``None`` for a Redis URI)."""
    text = os.fspath(uri_or_path)
    if text.startswith(REDIS_SCHEMES):
        return None
    text = text.removeprefix("sqlite://")
    if "%(" in text:
        text = text % {"name": spider_name}
    path = Path(text)
    if path.is_dir() and path.suffix not in STATE_SUFFIXES:  # a folder named like a state file is an error
        path = path / f"{spider_name}.state.sqlite"
    return path


#: a directory with one of these suffixes at the state path is a damaged state, not a folder for it
STATE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
