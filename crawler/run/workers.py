"""Page extraction off the reactor thread: worker processes running
:func:`crawler.sites.read.read_page`.

Scrapy's engine runs on one core; extraction (parse, read fields, normalize, validate) is CPU
work that can run on another. With the setting ``EXTRACT_WORKERS = N`` (N >= 1) the spider sends
each article response's read arguments -- URL, body, headers, the site key (plain values, for
every spider and every site) -- to one of N worker processes, which run ``read_page`` and send
back its :class:`~crawler.sites.read.ReadOutcome` (records already normalized and validated,
stats, rejects). The spider applies the outcome exactly as it applies an inline one, so output,
stats and reject files are the same as without the pool (the order of lines may differ).

``EXTRACT_WORKERS = "auto"`` (the default): ``cores - 1`` workers (at least 1) when the
crawl is CPU-bound -- no AutoThrottle and no download delay, as in backfills and benchmarks at
high concurrency -- and inline otherwise (and in distributed mode, which scales by workers): a polite crawl fetches a few pages per second, where a
worker only costs memory (~55 MB). The choice is logged. ``EXTRACT_WORKERS = 0`` reads pages inline.

When a worker fails on a page, that page is read inline instead: the same result, or the same
error as without the pool. When a worker dies (or cannot be started or fed) the pool is broken:
its pages, and every later one, are read inline (``extract/inline_fallback`` counts the pages
read inline; the error is logged once). ``extract/max_in_flight`` is the most pages that were
handed to the pool at once (waiting or being read).

Memory stays bounded when the workers fall behind the downloads: when ``EXTRACT_BACKLOG`` pages
per worker are waiting or being read (default 48), the engine stops starting downloads (``engine.pause()``;
those already under way still arrive) until the backlog is down to half
(``extract/downloads_paused`` counts the pauses). Scrapy's own limit on the bytes being
processed (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``) is 64 MB here, for the sitemaps, too high for pages:
780 pages and 375 MB once, before this bound.

How pages travel (the crawl process does as little as it can per page): each worker has two
pipes, read and written by the reactor's own event loop without blocking (no feeder or result
thread contending for the GIL with the engine). A page is pickled once, when its worker has
room -- up to ``EXTRACT_BACKLOG`` pages are sent to a worker ahead of its answers (the rest wait
unpickled), so a worker keeps reading through the reactor's own stalls (a state commit's fsync,
a sitemap's parse), which left it idle a fifth of the time with 3 pages ahead -- and each frame
is a length (8 bytes) and a pickle. A worker is a new Python process
(:mod:`crawler.run.extract_worker`, no fork of a running reactor) that imports the extraction
only, not Scrapy or the command line (39 MB resident before its first page, where a
``multiprocessing`` ``spawn`` worker imported the ``crawler`` command: 111 MB). Workers ignore
SIGINT (a Ctrl-C stops the crawl, which lets the workers finish the pages in flight), exit when
their pipe closes (the crawl process closed the pool, or died), and are stopped when the spider
closes.

Settings (a bad value refuses the run before it starts, exit 2:
:func:`crawler.run.controller.check_settings`): ``EXTRACT_WORKERS`` (``"auto"``, or a whole
number >= 0), ``EXTRACT_BACKLOG`` (pages per worker, a whole number >= 1, default 48), ``AUTOTHROTTLE_ENABLED`` and
``DOWNLOAD_DELAY`` (for ``auto``; in distributed mode ``DISTRIBUTED_AUTOTHROTTLE`` and
``DISTRIBUTED_DOWNLOAD_DELAY``, where the addon moves them).
"""

from __future__ import annotations

import asyncio
import collections
import fcntl
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

from scrapy import signals

import crawler
from crawler.run.extract_worker import LENGTH as _LENGTH
from crawler.run.extract_worker import PIPE_BYTES
from crawler.sites.read import ReadOutcome, read_page

logger = logging.getLogger(__name__)

#: how long a closing pool waits for a worker to exit before it is terminated
STOP_SECONDS = 10.0
#: the directory the worker imports ``crawler`` from: the crawl process's own package
PACKAGE_ROOT = str(Path(crawler.__file__).resolve().parent.parent)


class PoolBroken(RuntimeError):
    """A worker died, or could not be started or fed: pages are read inline from now on."""


class WorkerFailed(RuntimeError):
    """``read_page`` raised in a worker (the page is read again inline, for the same error)."""


# ------------------------------------------------------------------- the crawl process's side
def _grow_pipe(fd: int) -> None:
    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:  # not Linux, or above the system's pipe-max-size: the default buffer works too
        pass


def worker_command(tasks_fd: int, results_fd: int) -> list[str]:
    """The command line of a worker (:mod:`crawler.run.extract_worker`) reading its tasks from
    *tasks_fd* and answering on *results_fd*: this Python, without the current directory in
    front of its path (``-P``, Python 3.11+), so that it imports this crawl's ``crawler``."""
    safe_path = ["-P"] if sys.version_info >= (3, 11) else []
    return [sys.executable, *safe_path, "-m", "crawler.run.extract_worker", str(tasks_fd), str(results_fd)]


class WorkerProcess:
    """A worker's process (:class:`subprocess.Popen` of :func:`worker_command`), with the
    calls the pool makes of it. Not a ``multiprocessing`` process: ``spawn`` imports the parent's
    ``__main__`` -- the whole ``crawler`` command -- into every worker."""

    def __init__(self, name: str, tasks_fd: int, results_fd: int):
        self.name = name
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self.popen = subprocess.Popen(worker_command(tasks_fd, results_fd), pass_fds=(tasks_fd, results_fd),
                                      stdin=subprocess.DEVNULL, env=env)
        self.pid = self.popen.pid

    @property
    def exitcode(self) -> int | None:
        """None while it runs; its exit code, or ``-N`` when signal N ended it."""
        return self.popen.poll()

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    def terminate(self) -> None:
        if self.is_alive():
            self.popen.terminate()


class _Worker:
    """One worker process and the crawl process's ends of its pipes."""

    def __init__(self, pool: ExtractPool, number: int):
        self.pool = pool
        tasks_r, self.out_fd = os.pipe()
        self.in_fd, results_w = os.pipe()
        try:
            self.process = WorkerProcess(f"crawler-extract-{number}", tasks_r, results_w)
        except BaseException:
            for fd in (self.out_fd, self.in_fd):
                os.close(fd)
            raise
        finally:  # the worker's ends (it has its own copies)
            os.close(tasks_r)
            os.close(results_w)
        for fd in (self.out_fd, self.in_fd):
            _grow_pipe(fd)
            os.set_blocking(fd, False)
        self.sent: dict[int, asyncio.Future] = {}  # task id -> the future of its answer
        self.pages_sent = 0  # (how the pool spread the pages)
        self.outbox: collections.deque = collections.deque()  # frames not fully written yet
        self.inbox = bytearray()
        self.writing = False
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.in_fd, self._readable)

    # writing
    def send(self, task_id: int, args: dict, future: asyncio.Future) -> None:
        frame = pickle.dumps((task_id, args), protocol=pickle.HIGHEST_PROTOCOL)
        self.sent[task_id] = future
        self.pages_sent += 1
        self.outbox.append(memoryview(_LENGTH.pack(len(frame)) + frame))
        if not self.writing:
            self._writable()

    def _writable(self) -> None:
        try:
            while self.outbox:
                view = self.outbox[0]
                written = os.write(self.out_fd, view)
                if written < len(view):
                    self.outbox[0] = view[written:]
                    break
                self.outbox.popleft()
        except BlockingIOError:
            pass
        except OSError as exc:  # the worker is gone (EPIPE)
            self.pool.broke(f"cannot feed {self.process.name}: {exc}")
            return
        if self.outbox and not self.writing:
            self.loop.add_writer(self.out_fd, self._writable)
            self.writing = True
        elif not self.outbox and self.writing:
            self.loop.remove_writer(self.out_fd)
            self.writing = False

    # reading
    def _readable(self) -> None:
        try:
            while True:
                chunk = os.read(self.in_fd, PIPE_BYTES)
                if not chunk:
                    self.pool.broke(f"{self.process.name} exited (code {self._exitcode()})")
                    return
                self.inbox += chunk
                if len(chunk) < PIPE_BYTES:
                    break
        except BlockingIOError:
            pass
        except OSError as exc:
            self.pool.broke(f"cannot read {self.process.name}: {exc}")
            return
        inbox, start = self.inbox, 0
        while len(inbox) - start >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(inbox, start)
            end = start + _LENGTH.size + size
            if len(inbox) < end:
                break
            task_id, ok, value = pickle.loads(memoryview(inbox)[start + _LENGTH.size:end])
            start = end
            future = self.sent.pop(task_id, None)
            if future is not None and not future.done():
                future.set_result(value) if ok else future.set_exception(WorkerFailed(value))
        if start:
            del inbox[:start]
        self.pool.dispatch()

    def _exitcode(self):
        self.process.join(0.5)
        return self.process.exitcode

    # stopping
    def detach(self) -> list[asyncio.Future]:
        """Stop watching the pipes; the futures still waiting for this worker."""
        for fd, remove in ((self.in_fd, self.loop.remove_reader), (self.out_fd, self.loop.remove_writer)):
            try:
                remove(fd)
            except (ValueError, OSError, RuntimeError):  # a closed loop or fd
                pass
        self.writing = False
        waiting, self.sent = list(self.sent.values()), {}
        self.outbox.clear()
        return waiting

    def stop(self, timeout: float) -> None:
        """Close the task pipe (the worker reads its end and exits), wait *timeout* seconds for
        the worker, terminate it if it is still there; idempotent (a broken pool is closed too)."""
        self.detach()
        if self.out_fd >= 0:
            os.close(self.out_fd)
            self.out_fd = -1
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
        if self.in_fd >= 0:
            os.close(self.in_fd)
            self.in_fd = -1


class ExtractPool:
    """The worker pool of one crawl (see the module docstring)."""

    #: pages handed to the workers and not back yet, and the most there were at once
    in_flight = 0
    max_in_flight = 0

    def __init__(self, crawler, workers: int):
        self.crawler = crawler
        self.workers = workers
        self.broken = False
        self.closed = False
        self.per_worker = backlog_per_worker(crawler.settings)
        self.backlog = self.per_worker * workers
        self.paused = False
        self._started: list[_Worker] | None = None
        self._queue: collections.deque = collections.deque()  # (task id, args, future) not sent yet
        self._next_id = 0
        crawler.signals.connect(self.close, signal=signals.spider_closed)
        crawler.stats.set_value("extract/workers", workers)

    def _start(self) -> list[_Worker]:
        self._started = []
        for number in range(self.workers):
            self._started.append(_Worker(self, number + 1))
        return self._started

    def close(self, spider=None, reason=None) -> None:
        self.closed = True
        if self.paused:
            self._resume_downloads()
        for worker in self._started or ():
            for future in worker.detach():
                future.cancel()
            worker.stop(STOP_SECONDS)
        for _task_id, _args, future in self._queue:
            future.cancel()
        self._queue.clear()
        self._started = []

    def broke(self, why: str) -> None:
        """A worker is gone: every page waiting for the pool is read inline, and every later one."""
        if self.broken:
            return
        self.broken = True
        logger.error("Extraction worker pool broken (%s); reading pages in the crawl process", why)
        error = PoolBroken(why)
        for worker in self._started or ():
            for future in worker.detach():
                if not future.done():
                    future.set_exception(error)
        while self._queue:
            _task_id, _args, future = self._queue.popleft()
            if not future.done():
                future.set_exception(error)
        for worker in self._started or ():
            worker.stop(0)

    def _pause_downloads(self) -> None:
        try:
            engine = self.crawler.engine
        except RuntimeError:  # no crawl running (Scrapy 2.19 raises before the engine exists)
            engine = None
        if engine is not None:
            engine.pause()
            self.paused = True
            self.crawler.stats.inc_value("extract/downloads_paused")

    def _resume_downloads(self) -> None:
        self.paused = False
        engine = self.crawler.engine
        engine.unpause()
        # unpause() leaves the next download to the engine's heartbeat (5 s): start it now
        nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def dispatch(self) -> None:
        """Send waiting pages to the workers with room, each to the one with the fewest pages
        (at most ``per_worker`` each)."""
        queue, workers = self._queue, self._started
        while queue and workers and not self.broken:
            worker = min(workers, key=lambda w: len(w.sent))
            if len(worker.sent) >= self.per_worker:
                return
            task_id, args, future = queue.popleft()
            if future.done():  # cancelled while it waited
                continue
            try:
                worker.send(task_id, args, future)
            except Exception as exc:  # noqa: BLE001 - arguments that do not pickle: read inline
                future.set_exception(WorkerFailed(f"cannot send the page: {type(exc).__name__}: {exc}"))

    async def read(self, args: dict) -> ReadOutcome:
        """:func:`read_page` ``(**args)`` in a worker; inline when the worker fails or the pool is broken."""
        if self.closed:  # (nothing reads pages after the spider closed; inline if something does)
            return read_page(**args)
        try:
            if self.broken:
                raise PoolBroken("an extraction worker died earlier")
            if self._started is None:
                self._start()
            future = asyncio.get_running_loop().create_future()
            self._next_id += 1
            self._queue.append((self._next_id, args, future))
            self.in_flight += 1
            if self.in_flight > self.max_in_flight:  # the backlog's high mark (pages waiting or being read)
                self.max_in_flight = self.in_flight
                self.crawler.stats.set_value("extract/max_in_flight", self.in_flight)
            if self.in_flight >= self.backlog and not self.paused:
                self._pause_downloads()
            try:
                self.dispatch()
                return await future
            finally:
                self.in_flight -= 1
                if self.paused and self.in_flight <= self.backlog // 2:
                    self._resume_downloads()
        except (PoolBroken, WorkerFailed, OSError) as exc:
            if isinstance(exc, OSError):  # a worker could not be started
                self.broke(f"{type(exc).__name__}: {exc}")
            self.crawler.stats.inc_value("extract/inline_fallback")
            return read_page(**args)  # the same result, or the same error as without the pool


def _whole(name: str, value, least: int, what: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = least - 1
    if number < least:
        raise ValueError(f"{name} must be {what}, got {str(value)!r}")
    return number


def backlog_per_worker(settings) -> int:
    """``EXTRACT_BACKLOG``: pages per worker (see the module docstring); ValueError when it is no
    whole number >= 1."""
    return _whole("EXTRACT_BACKLOG", settings.get("EXTRACT_BACKLOG", 48), 1, "a whole number of pages >= 1")


def workers_for(settings, cpus: int | None = None) -> int:
    """How many extraction workers ``EXTRACT_WORKERS`` asks for (see the module docstring);
    ValueError when it is neither ``auto`` nor a whole number >= 0."""
    value = str(settings.get("EXTRACT_WORKERS", "auto")).strip().lower()
    if value != "auto":
        return _whole("EXTRACT_WORKERS", settings.get("EXTRACT_WORKERS"), 0, '"auto" or a whole number >= 0')
    # distributed mode moves the politeness settings to the fleet-wide limit (crawler/distributed/addon.py)
    throttled = (settings.getbool("AUTOTHROTTLE_ENABLED") or settings.getfloat("DOWNLOAD_DELAY") > 0
                 or settings.getbool("DISTRIBUTED_AUTOTHROTTLE") or settings.getfloat("DISTRIBUTED_DOWNLOAD_DELAY") > 0)
    # distributed mode scales by workers; a pool per worker would hold more fetched pages unacknowledged
    distributed = "crawler.distributed" in str(settings.get("SCHEDULER") or "")
    if throttled or distributed:
        return 0
    return max((cpus if cpus is not None else (os.cpu_count() or 1)) - 1, 1)


def extract_pool_for(crawler) -> ExtractPool | None:
    """The crawl's pool when it has workers (created on first use), else None."""
    if crawler is None:
        return None
    pool = getattr(crawler, "_extract_pool", False)
    if pool is not False:
        return pool
    workers = workers_for(crawler.settings)
    if str(crawler.settings.get("EXTRACT_WORKERS", "auto")).strip().lower() == "auto":
        logger.info("EXTRACT_WORKERS=auto: %s", f"{workers} extraction worker(s)" if workers else
                    "pages read inline (a throttled crawl is not CPU-bound)")
    pool = ExtractPool(crawler, workers) if workers > 0 else None
    crawler._extract_pool = pool
    return pool
