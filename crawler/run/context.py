"""What one run shares between its components, and the exit codes (defined once, here).

:class:`RunContext` (one per crawler, :func:`get_run`): the run's options, mode, filter, state
store, the outputs it committed and its exit code. The run controller
(:mod:`crawler.run.controller`) opens and closes it; the conditional middleware, the state
pipeline and the output commit read it.

Exit codes (applied by the project's ``scrapy crawl`` command, :mod:`crawler.commands.crawl`):
:data:`EXIT_OK` 0 success (also an incremental run that found nothing new),
:data:`EXIT_MONITOR` 1 a monitor failed, :data:`EXIT_USAGE` 2 bad arguments, another run holding the
state's or an output folder's lock, a damaged state, the crawl could not
start or the state store could not be opened, :data:`EXIT_INCOMPLETE` 3 the run did not finish.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from pathlib import Path

from crawler.output.manifest import build_manifest, manifest_path_for, scan_output, write_json_atomic
from crawler.output.recovery import recover
from crawler.run.options import RunFilter, RunOptions, parse_when
from crawler.state import (LockHeld, RunLock, StateStore, check_state_file, default_state_path, open_state,
                           state_file_path, utc_now)

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_MONITOR, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


class StartError(Exception):
    """The run cannot take what it needs to start (a lock file cannot be created): the message
    is the reason line."""


#: the lock file of an output folder (:meth:`RunContext.take_locks`)
OUTPUT_LOCK_NAME = ".crawler-output.lock"
#: what each exit code means (``scrapy crawl -h``, the README, the run summary)
EXIT_MEANINGS = {
    EXIT_OK: "success",
    EXIT_MONITOR: "a monitor failed",
    EXIT_USAGE: "bad arguments, the crawl could not start, another run holds the lock, or the state is damaged",
    EXIT_INCOMPLETE: "the run did not finish (rerun to resume)",
}


def feed_file_paths(settings, spider_name: str) -> list[Path]:
    """Local paths of the configured file feeds, placeholders other than the name filled."""
    out = []
    for uri in (settings.getdict("FEEDS") or {}):
        uri = str(uri)
        if "://" in uri and not uri.startswith("file:"):
            continue
        uri = uri.removeprefix("file://").removeprefix("file:")
        out.append(Path(re.sub(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-z]", lambda m: spider_name if m.group(1) == "name" else "X", uri)))
    return out


class RunContext:
    """Everything one run shares between the extension, storage, middleware and pipeline."""

    def __init__(self, crawler):
        self.crawler = crawler
        spider = crawler.spider
        self.spider_name: str = getattr(spider, "name", "") or ""
        self.options: RunOptions = getattr(spider, "run_options", None) or RunOptions()
        self.run_id: str = getattr(spider, "run_id", None) or self.options.run_id
        self.exact_urls = bool(getattr(spider, "exact_urls", None))
        self.mode: str = self.options.mode or ("full" if self.exact_urls else crawler.settings.get("RUN_MODE", "incremental"))
        self.filter = RunFilter(mode=self.mode, since=self.options.since, until=self.options.until)
        self.state: StateStore | None = None
        self.state_location: str | None = None
        self.fetch_info: dict[str, dict] = {}
        self.outputs: list[tuple[Path, dict]] = []
        self.started = utc_now()
        self.t0 = time.monotonic()
        self.exit_code: int | None = None
        self.failures: list[str] = []
        self.state_error: str | None = None
        self.locks: list[RunLock] = []
        self.arguments = {**self.options.as_dict(), "mode": self.mode,
                          "base_url": getattr(spider, "base_url", None),
                          "urls": len(getattr(spider, "exact_urls", None) or [])}

    # state -------------------------------------------------------------
    def resolve_state_location(self) -> str:
        """``-a state``, else ``STATE_PATH``, else the default beside the first output file."""
        settings = self.crawler.settings
        location = self.options.state or settings.get("STATE_PATH")
        if not location:
            location = str(default_state_path(self.spider_name, feed_file_paths(settings, self.spider_name)))
        return str(location)

    # locks -------------------------------------------------------------
    def take_locks(self) -> None:
        """One run at a time per state and per output folder (:mod:`crawler.state.lock`):
        ``<state>.lock`` beside a SQLite state and :data:`OUTPUT_LOCK_NAME` in each local output
        folder. Raises :class:`~crawler.state.LockHeld` (naming the holder) when another live run
        holds one; a lock left by a dead run is taken over and logged. Distributed runs
        (``DISTRIBUTED_BASE_KEY`` set by :mod:`crawler.distributed.addon`) coordinate through
        Redis and take none."""
        settings = self.crawler.settings
        if settings.get("DISTRIBUTED_BASE_KEY"):
            return
        paths = []
        location = self.resolve_state_location()
        state_file = state_file_path(location, self.spider_name)
        if state_file is not None:
            paths.append((state_file.with_name(state_file.name + ".lock"), f"cannot open the state store {location}"))
        paths += [(folder / OUTPUT_LOCK_NAME, f"cannot lock the output folder {folder}")
                  for folder in sorted({p.parent for p in feed_file_paths(settings, self.spider_name)})]
        try:
            for path, what in paths:
                try:
                    lock = RunLock(path, spider=self.spider_name, run_id=self.run_id).acquire()
                except OSError as exc:
                    raise StartError(f"{what}: {exc}") from None
                self.locks.append(lock)
                if lock.took_over:
                    old = lock.took_over
                    logger.warning("Took over the run lock %s left by pid %s on %s (run %s, started %s): that run died without releasing it",
                                   path, old.get("pid"), old.get("host"), old.get("run_id"), old.get("started"))
                    self.crawler.stats.inc_value("run/stale_locks_taken_over")
        except (LockHeld, StartError):
            self.release_locks()
            raise

    def check_state(self) -> None:
        """Raise :class:`~crawler.state.StateDamaged` when the SQLite state exists and is not a
        healthy state (checked again when it is opened; a Redis state is not checked here)."""
        path = state_file_path(self.resolve_state_location(), self.spider_name)
        if path is not None:
            check_state_file(path)

    def release_locks(self) -> None:
        for lock in reversed(self.locks):
            lock.release()
        self.locks = []

    def open_state(self) -> None:
        settings = self.crawler.settings
        self.state_location = self.resolve_state_location()
        location = self.state_location
        self.state = open_state(location, self.spider_name)
        self.arguments["state"] = self.state_location
        stats = self.crawler.stats
        stats.set_value("run/id", self.run_id)
        stats.set_value("run/mode", self.mode)
        stats.set_value("run/state", self.state_location)
        folders = sorted({p.parent for p in feed_file_paths(settings, self.spider_name)})
        recover(self.state, folders, stats, run_id=self.run_id, exclusive=bool(self.locks))
        if self.mode == "incremental" and not self.exact_urls:
            mark = parse_when(self.state.get_watermark(self.watermark_key))
            if mark is not None:
                hours = settings.getfloat("INCREMENTAL_OVERLAP_HOURS", 24.0)
                self.filter.modified_after = mark - timedelta(hours=hours)
                stats.set_value("run/lastmod_cutoff", self.filter.modified_after.strftime("%Y-%m-%dT%H:%M:%SZ"))

    @property
    def watermark_key(self) -> str:
        return f"lastmod:{self.arguments.get('base_url') or self.spider_name}"

    # outputs -----------------------------------------------------------
    def output_stored(self, path: Path) -> None:
        """Called on ``feed_slot_closed`` once the storage has put *path* durably in place
        (:class:`crawler.output.atomic.AtomicFileFeedStorage`): the manifest, then the state."""
        scan = scan_output(path)
        summary = {k: v for k, v in scan.items() if k != "rows"}
        # The manifest first: a kill after it leaves the journal entry, and recovery marks the rows.
        write_json_atomic(manifest_path_for(path), build_manifest(path, summary, self))
        if self.state is not None:
            rows = []
            for row in scan["rows"]:
                info = self.fetch_info.pop(row["id"], None)
                rows.append({**row, **info} if info else row)
            self.state.mark_emitted(rows, self.run_id, output=str(path.resolve()))
        self.crawler.stats.inc_value("outputs/files")
        self.crawler.stats.inc_value("outputs/items", summary["item_count"])
        self.outputs.append((path, summary))

    def finalize_manifests(self, exit_status: str) -> None:
        stats = self.crawler.stats
        rejects = (int(stats.get_value("rejects/total", 0)), stats.get_value("rejects/path"))
        finished = utc_now()
        for path, scan in self.outputs:
            write_json_atomic(manifest_path_for(path), build_manifest(
                path, scan, self, exit_status=exit_status, exit_code=self.exit_code, finished=finished,
                failures=self.failures, rejects=rejects))


def get_run(crawler) -> RunContext:
    """The :class:`RunContext` of *crawler* (created on first use)."""
    run = getattr(crawler, "_review_run", None)
    if run is None:
        run = RunContext(crawler)
        crawler._review_run = run
    return run


def run_exit_code(crawler) -> int:
    """The exit code of a finished crawl (0 when the run controller did not run)."""
    run = getattr(crawler, "_review_run", None)
    return (run.exit_code or 0) if run is not None else 0


