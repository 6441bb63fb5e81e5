"""The extraction worker process of :mod:`crawler.run.workers`:
``python -m crawler.run.extract_worker TASKS_FD RESULTS_FD``.

It reads frames from the file descriptor *TASKS_FD* -- a length (8 bytes, network order) and a
pickle of ``(task id, read_page arguments)`` -- and writes to *RESULTS_FD* a frame of
``(task id, True, ReadOutcome)``, or ``(task id, False, "what was raised")`` when
:func:`crawler.sites.read.read_page` raised, until the task pipe ends; then it exits 0. It
ignores SIGINT (the crawl process decides when to stop).

This module imports only the extraction (:mod:`crawler.sites.read`): no Scrapy, no Twisted, no
command line. A worker started as a ``multiprocessing`` ``spawn`` process imported the parent's
``__main__`` first -- the ``crawler`` command, with Scrapy, Twisted and every command -- 111 MB
of resident memory where the extraction needs 39 MB.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys

from crawler.sites.read import read_page

#: the pipes' kernel buffer, so that a page's frame is written in one call (Linux; capped by the system)
PIPE_BYTES = 1 << 20
LENGTH = struct.Struct("!Q")


def read_exact(fd: int, n: int) -> bytes | None:
    """*n* bytes from the blocking *fd*, or None at the end of the pipe."""
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, PIPE_BYTES))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def worker_main(tasks_fd: int, results_fd: int) -> None:
    """A worker's loop over its two pipes (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl process decides when to stop
    while True:
        header = read_exact(tasks_fd, LENGTH.size)
        if header is None:
            return
        frame = read_exact(tasks_fd, LENGTH.unpack(header)[0])
        if frame is None:
            return
        task_id, args = pickle.loads(frame)
        try:
            answer = pickle.dumps((task_id, True, read_page(**args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - the crawl process reads the page itself (same error)
            answer = pickle.dumps((task_id, False, f"{type(exc).__name__}: {exc}"[:500]), protocol=pickle.HIGHEST_PROTOCOL)
        write_all(results_fd, LENGTH.pack(len(answer)) + answer)


def main(argv: list[str] | None = None) -> int:
    tasks_fd, results_fd = (int(a) for a in (sys.argv[1:] if argv is None else argv))
    worker_main(tasks_fd, results_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
