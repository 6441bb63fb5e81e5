"""Damage a file the way a bad disk block does: one 4 KB page overwritten with random bytes
(SQLite numbers pages from 1: page N is bytes ``(N-1)*4096`` to ``N*4096``)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

PAGE = 4096


def overwrite_page(path: Path, n: int, *, seed: int = 0, newlines: bool = True) -> bytes:
    """Overwrite page *n* of *path* with random bytes (without ``\\n`` when *newlines* is false);
    returns the file's new content."""
    data = bytearray(path.read_bytes())
    start = (n - 1) * PAGE
    assert 0 <= start < len(data), f"{path} has no page {n}"
    noise = bytearray(random.Random(seed).randbytes(PAGE))
    if not newlines:
        noise = noise.replace(b"\n", b"\x00")
    end = min(start + PAGE, len(data))
    data[start:end] = noise[:end - start]
    path.write_bytes(bytes(data))
    return bytes(data)


def table_pages(path: Path, table: str | None = None, pagetype: str | None = None) -> list[int]:
    """The pages of *table* (every page in use when None) in the SQLite file at *path*
    (``pagetype``: ``leaf``, ``internal``)."""
    where = [(c, v) for c, v in (("name", table), ("pagetype", pagetype)) if v is not None]
    sql = "SELECT pageno FROM dbstat" + (" WHERE " + " AND ".join(f"{c} = ?" for c, _ in where) if where else "") + " ORDER BY pageno"
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in db.execute(sql, [v for _, v in where])]
    finally:
        db.close()
