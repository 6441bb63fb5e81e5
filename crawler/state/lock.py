"""Run locks: one run at a time per state store and per output folder.

:class:`RunLock` is an exclusive ``flock`` on a lock file (``<state>.lock`` beside a SQLite
state, ``.crawler-output.lock`` in an output folder) holding one JSON line: the holder's pid,
host, start time, spider and run id. A second run on the same state or folder fails at once
with :class:`LockHeld`, whose message names the holder. The kernel releases the lock when its
process dies, whatever the signal (``kill -9`` too), so a lock file left by a dead run is stale:
the next run takes it over and says so (:attr:`RunLock.took_over` is the old holder). A clean
release deletes the file.

The lock works for processes on one host (and on file systems where ``flock`` is shared between
hosts); distributed runs (a Redis state) coordinate through Redis instead and take none.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from pathlib import Path

from crawler.state.base import utc_now


class LockHeld(Exception):
    """Another live run holds the lock: ``str(exc)`` names it (pid, host, start time)."""

    def __init__(self, path: Path, holder: dict):
        self.path = path
        self.holder = holder
        who = (f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} since {holder.get('started', '?')}"
               f" (spider {holder.get('spider', '?')}, run {holder.get('run_id', '?')})") if holder else "a process that has not written its name yet"
        super().__init__(f"another run holds {path}: {who}; wait for it to end or stop it, then rerun")


def _read_holder(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while len(data) < 65536:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    try:
        holder = json.loads(data.decode("utf-8", "replace") or "{}")
    except ValueError:
        return {"unreadable": True} if data.strip() else {}
    return holder if isinstance(holder, dict) else {}


class RunLock:
    """An exclusive lock on *path* for this process (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, *, spider: str = "", run_id: str = ""):
        self.path = Path(path)
        self.info = {"pid": os.getpid(), "host": socket.gethostname(), "started": utc_now(), "spider": spider, "run_id": run_id}
        self.fd: int | None = None
        #: the holder a dead run left in the file, when this lock took it over
        self.took_over: dict | None = None

    def acquire(self) -> "RunLock":
        """Take the lock or raise :class:`LockHeld` at once (never waits)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise LockHeld(self.path, holder) from None
            # The file may have been released and deleted between open() and flock(): then this
            # lock is on a deleted file, and another run may hold a new one. Retry on the new file.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        old = _read_holder(fd)
        self.took_over = old or None
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, (json.dumps(self.info, sort_keys=True) + "\n").encode("utf-8"))
        os.fsync(fd)
        self.fd = fd
        return self

    def release(self) -> None:
        """Delete the lock file and release the lock (the file is deleted while still held)."""
        if self.fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None
