"""What one run shares between its components, and the exit codes (defined once, here).

:class:`RunContext` (one per crawler, :func:`get_run`): the run's options, mode, filter, state
store, the outputs it committed and its exit code. The run controller
(:mod:`crawler.run.controller`) opens and closes it; the conditional middleware, the state
pipeline and the output commit read it.

Exit codes (applied by the project's ``scrapy crawl`` command, :mod:`crawler.commands.crawl`):
:data:`EXIT_OK` 0 success (also an incremental run that found nothing new),
:data:`EXIT_MONITOR` 1 a monitor failed, :data:`EXIT_USAGE` 2 bad arguments, the crawl could not
start, another run holding the state's or an output folder's lock, a damaged state, the state
store could not be opened or an output cannot be written, :data:`EXIT_INCOMPLETE` 3 the run did
not finish, :data:`EXIT_OUTPUT` 4 an output failed (its reviews are not marked exported: the next
run emits them again) or the WARC archive stopped on a write error (the outputs are committed).

The ``-O`` rule (README "Output"): a feed with ``overwrite`` (``-O FILE``, ``-O -``) is a fresh
dump, so the mode is ``full`` unless ``-a mode`` says otherwise; the file replaces the previous
one only when the run finished (a signal, a close-spider limit, a state or start failure, a
failed write keep the previous file as it was; a failed monitor does not: the records are valid
and the manifest says ``monitor_failed``); ``-a mode=incremental|backfill`` with ``-O`` onto an existing
non-empty file is refused (it would replace exported reviews with this run's changes only).
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import time
from datetime import timedelta
from pathlib import Path, PureWindowsPath
from urllib.parse import urlparse

from scrapy.utils.misc import load_object

from crawler.output.atomic import describe_os_error
from crawler.output.exporters import LedgerMixin
from crawler.output.manifest import build_manifest, manifest_path_for, summarize, write_json_atomic
from crawler.output.recovery import recover
from crawler.record.v2 import OUTPUT_SCHEMA_VERSION
from crawler.run import monitors
from crawler.run.counting import inc_values
from crawler.run.options import RunFilter, RunOptions, parse_when
from crawler.state import (LockHeld, RunLock, StateStore, check_state_file, default_state_path, open_state,
                           state_file_path, utc_now)

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_MONITOR, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_OUTPUT = 0, 1, 2, 3, 4


class StartError(Exception):
    """The run cannot take what it needs to start (a lock file cannot be created): the message
    is the reason line."""


#: the lock file of an output folder (:meth:`RunContext.take_locks`)
OUTPUT_LOCK_NAME = ".crawler-output.lock"
#: what each exit code means (``scrapy crawl -h``, the README, the run summary)
EXIT_MEANINGS = {
    EXIT_OK: "success",
    EXIT_MONITOR: "a monitor failed",
    EXIT_USAGE: "bad arguments, or the crawl could not start (unknown spider, unwritable output, another run holds the lock, damaged state)",
    EXIT_INCOMPLETE: "the run did not finish: a signal (SIGINT/SIGTERM, once or twice) or a limit (rerun to resume)",
    EXIT_OUTPUT: "an output could not be written (its reviews were not marked exported; the next run emits them), "
                 "or the WARC archive stopped on a write error",
}


def feed_scheme(uri: str) -> str:
    """``""`` for a local path (also ``C:\\...``), else the URI scheme (``file``, ``stdout``, ``s3``)."""
    if PureWindowsPath(uri).drive:
        return ""
    return urlparse(uri).scheme


def _fill(uri: str, spider_name: str) -> str:
    return re.sub(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-z]", lambda m: spider_name if m.group(1) == "name" else "X", uri)


def feed_file_paths(settings, spider_name: str) -> list[Path]:
    """Local paths of the configured file feeds, placeholders other than the name filled."""
    out = []
    for uri in (settings.getdict("FEEDS") or {}):
        uri = str(uri)
        if feed_scheme(uri) not in ("", "file"):
            continue
        uri = uri.removeprefix("file://").removeprefix("file:")
        out.append(Path(_fill(uri, spider_name)))
    return out


def did_you_mean(word: str, known) -> str:
    """`` (did you mean 'mode'?)`` or ``""``."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_feeds(settings, spider_name: str, explicit_mode: str | None) -> str | None:
    """Why the configured feeds cannot be written with a state the run can trust, or None.

    Refused: a URI scheme other than a local file or stdout (the state cannot confirm a remote
    write), a format whose exporter does not count what it writes, a local target that is a
    folder or whose folder cannot be written (probed with a hidden file), and ``-O`` onto an
    existing non-empty file with ``-a mode=incremental|backfill``."""
    exporters = settings.getwithbase("FEED_EXPORTERS")
    for uri, options in (settings.getdict("FEEDS") or {}).items():
        uri, options = str(uri), dict(options or {})
        scheme = feed_scheme(uri)
        if scheme not in ("", "file", "stdout"):
            return (f"cannot write the output {uri}: {scheme}:// feeds are not supported (the state cannot confirm "
                    "a remote write); write a local file and copy it")
        fmt = options.get("format") or ""
        path = exporters.get(fmt)
        if not path:
            return f"cannot write the output {uri}: unknown feed format {fmt!r}{did_you_mean(fmt, exporters)}"
        cls = load_object(path) if isinstance(path, str) else path
        if not (isinstance(cls, type) and issubclass(cls, LedgerMixin)):
            return f"cannot write the output {uri}: the {fmt} exporter {path} does not count what it writes (crawler.output.exporters)"
        if scheme == "stdout":
            continue
        raw = uri.removeprefix("file://").removeprefix("file:")
        target = Path(_fill(raw, spider_name))
        if target.is_dir():
            return f"cannot write the output {target}: it is a folder"
        folder = target.parent
        ancestor = folder
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            return f"cannot write the output {target}: {ancestor} is not a folder"
        if re.search(r"%\((?!name\))", str(Path(raw).parent)):
            folder = ancestor  # a folder named by a run parameter: probe where it will be created
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".write-probe.{os.getpid()}.part"
            with probe.open("wb") as fh:
                fh.write(b"probe")
                fh.flush()
                os.fsync(fh.fileno())
            probe.unlink()
        except OSError as exc:
            return f"cannot write the output {target}: {describe_os_error(exc)}"
        whole_file = fmt in ("json", "csv", "xml", "parquet", "pickle", "marshal")  # one document: no appending
        if (not options.get("overwrite") and whole_file and "%(" not in uri and target.is_file() and target.stat().st_size > 0):
            return (f"-o {target} would append {fmt} records to an existing {fmt} file, which breaks it (a second "
                    f"{'header' if fmt == 'csv' else 'document'}): use -O {target} for a fresh dump, another file name, or JSON Lines")
        if (options.get("overwrite") and explicit_mode in ("incremental", "backfill") and "%(" not in uri
                and target.is_file() and target.stat().st_size > 0):
            return (f"-O {target} with -a mode={explicit_mode} would replace the reviews already in it with this "
                    f"run's new ones: use -o {target} to append, another file name, or -a mode=full")
    return None


def pack_fetch_info(fetch_url: str, etag: str | None, last_modified: str | None) -> str | tuple:
    """A review's fetch -- the URL fetched and the response's ``ETag`` and ``Last-Modified``
    (None: not sent) -- as kept until its file is stored: one string ``url NUL etag NUL
    last_modified`` (~165 bytes, where a tuple of three strings was ~310), or the tuple when
    that would not come back exactly (a NUL in a value, an empty validator)."""
    values = (fetch_url, etag, last_modified)
    if all(v is None or (type(v) is str and v and "\0" not in v) for v in values) and fetch_url:
        return "\0".join(v or "" for v in values)
    return values


def unpack_fetch_info(packed: str | tuple) -> tuple:
    """``(fetch_url, etag, last_modified)`` of :func:`pack_fetch_info`."""
    if isinstance(packed, tuple):
        return packed
    return tuple(v or None for v in packed.split("\0"))


class RunContext:
    """Everything one run shares between the extension, storage, middleware and pipeline."""

    def __init__(self, crawler):
        self.crawler = crawler
        spider = crawler.spider
        self.spider_name: str = getattr(spider, "name", "") or ""
        self.options: RunOptions = getattr(spider, "run_options", None) or RunOptions()
        self.run_id: str = getattr(spider, "run_id", None) or self.options.run_id
        self.exact_urls = bool(getattr(spider, "exact_urls", None))
        feeds = crawler.settings.getdict("FEEDS") or {}
        #: -O FILE / -O -: a fresh dump (the -O rule, module docstring)
        self.fresh_dump = any((o or {}).get("overwrite") or feed_scheme(str(u)) == "stdout" for u, o in feeds.items())
        self.mode: str = self.options.mode or ("full" if self.exact_urls or self.fresh_dump else crawler.settings.get("RUN_MODE", "incremental"))
        self.filter = RunFilter(mode=self.mode, since=self.options.since, until=self.options.until)
        self.state: StateStore | None = None
        self.state_location: str | None = None
        #: review id -> its fetch (:func:`pack_fetch_info`) until its file is stored
        self.fetch_info: dict[str, str | tuple] = {}
        self.outputs: list[tuple[Path, dict]] = []
        self.started = utc_now()
        self.t0 = time.monotonic()
        self.exit_code: int | None = None
        self.failures: list[str] = []
        self.state_error: str | None = None
        #: why the run could not start (unwritable output, refused feed): exit 2
        self.start_error: str | None = None
        #: ``OUTPUT FAILED: ...`` lines (exit 4)
        self.output_errors: list[str] = []
        #: outputs the state could not record (stdout): the watermark stays where it was
        self.undurable_outputs = 0
        #: the spider's close reason, once it is closing (the -O rule)
        self.close_reason: str | None = None
        #: review ids seen this run (each counted once in ``reviews/seen``)
        self.seen_ids: set[str] = set()
        #: the record schema version of the output (crawler.pipelines.version), for the manifests
        self.schema_version = crawler.settings.getint("RECORD_SCHEMA_VERSION", OUTPUT_SCHEMA_VERSION)
        #: the run's WARC writer (crawler.middlewares.warc), None without WARC capture
        self.warc = None
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
        if self.exact_urls:
            stats.set_value("run/exact_urls", int(self.arguments.get("urls") or 0))
        stats.set_value("run/state", self.state_location)
        journal = getattr(self.state, "journal_status", None) or {}  # a SQLite state's journal check (logged by the store)
        if journal.get("event") not in (None, "ok", "new"):
            stats.set_value("state/journal/event", journal["event"])
            for key in ("bad_lines", "missing"):
                if journal.get(key):
                    stats.set_value(f"state/journal/{key}", journal[key])
        folders = sorted({p.parent for p in feed_file_paths(settings, self.spider_name)})
        recover(self.state, folders, stats, run_id=self.run_id, exclusive=bool(self.locks))
        if self.mode == "incremental" and not self.exact_urls:
            mark = parse_when(self.state.get_watermark(self.watermark_key))
            if mark is not None:
                hours = settings.getfloat("INCREMENTAL_OVERLAP_HOURS", 24.0)
                self.filter.modified_after = mark - timedelta(hours=hours)
                stats.set_value("run/lastmod_cutoff", self.filter.modified_after.strftime("%Y-%m-%dT%H:%M:%SZ"))

    @property
    def site(self) -> str:
        """The site this run crawls (its base URL): run history and watermark are kept per site."""
        return str(self.arguments.get("base_url") or self.spider_name)

    @property
    def watermark_key(self) -> str:
        return f"lastmod:{self.arguments.get('base_url') or self.spider_name}"

    def see(self, review_id: str | None) -> None:
        """Count a review as seen this run (``reviews/seen``), once per review."""
        if review_id and review_id not in self.seen_ids:
            self.seen_ids.add(review_id)
            inc_values(self.crawler.stats, ("reviews/seen",))

    # outputs -----------------------------------------------------------
    def output_veto(self, storage) -> str | None:
        """Why *storage*'s file must not replace its target (the -O rule), or None."""
        if self.start_error or self.state_error:
            return "the run could not start"
        if not getattr(storage, "overwrite", False):
            return None
        reason = self.close_reason or self.crawler.stats.get_value("finish_reason")
        if reason is not None and reason != "finished":
            return f"the run did not finish ({reason})"
        # A finished run whose monitor fails still replaces the file: its records are valid
        # (a missing grade is null, never wrong) and the manifest says what failed.
        return None

    # monitors ----------------------------------------------------------
    def run_history(self) -> list[dict]:
        """Earlier runs of the same site, mode, range and kind (``urls`` or not), newest first."""
        history = self.state.recent_runs(50, mode=self.mode) if self.state is not None else []
        return [h for h in history if bool(h.get("exact_urls")) == self.exact_urls and h.get("since") == self.arguments.get("since")
                and h.get("until") == self.arguments.get("until") and h.get("site", self.site) == self.site]

    def monitor_failures(self) -> list:
        """The monitors' verdict on this run's stats (:func:`crawler.run.monitors.evaluate`)."""
        return monitors.evaluate(self.crawler.stats.get_stats(), monitor_settings(self.crawler.settings),
                                 self.run_history(), exact_urls=self.exact_urls)

    def output_stored(self, storage) -> None:
        """Called on ``feed_slot_closed`` once the storage has put its file durably in place
        (:class:`crawler.output.atomic.AtomicFileFeedStorage`): the manifest, then the state,
        with the records the exporter wrote (the file's ledger)."""
        path: Path = storage.path
        ledger = storage.ledger
        stats = self.crawler.stats
        if not getattr(storage, "durable", True):
            self.undurable_outputs += 1
            stats.inc_value("outputs/undurable_items", ledger.item_count if ledger else 0)
            return
        try:
            summary = summarize(path, ledger.item_count, ledger.missing, ledger.schema_version)
            # The manifest first: a kill after it leaves the journal entry, and recovery marks the rows.
            write_json_atomic(manifest_path_for(path), build_manifest(path, summary, self))
        except OSError as exc:
            self.output_failed(manifest_path_for(path), describe_os_error(exc))
            return
        if self.state is not None:
            def rows():  # one at a time: a file of 95,000 records held a second copy of its rows at the close
                for row in ledger.iter_rows():
                    info = self.fetch_info.pop(row["id"], None)
                    if info:
                        row["fetch_url"], row["etag"], row["last_modified"] = unpack_fetch_info(info)
                    yield row
            try:
                self.state.mark_emitted(rows(), self.run_id, output=str(path.resolve()))
            except Exception as exc:  # noqa: BLE001 - a full or broken state disk: loud, exit 4
                # The file is in place and in the journal: the next run's recovery marks it.
                self.output_failed(path, f"the state {self.state_location} could not record it: {exc}")
                return
        stats.inc_value("outputs/files")
        stats.inc_value("outputs/items", summary["item_count"])
        self.outputs.append((path, summary))

    def output_failed(self, path, reason: str, consequence: str = "its reviews were not marked exported; the next run emits them") -> None:
        """An output that could not be written (exit 4): by default a file whose records stay
        unexported; *consequence* says otherwise (the WARC archive: the records are exported)."""
        self.crawler.stats.inc_value("outputs/failed")
        self.output_errors.append(f"OUTPUT FAILED: {path}: {reason} ({consequence})")
    @property
    def warc_files(self) -> list[str]:
        """The run's WARC files so far (completed, then the one being written), for the manifests."""
        if self.warc is None:
            return []
        return [str(p) for p in [*self.warc.files, *([self.warc.current] if self.warc.current else [])]]

    def finalize_manifests(self, exit_status: str) -> None:
        if self.warc is not None:
            self.warc.close()  # the last WARC file lands before the last manifest names it
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
    """The exit code of a finished crawl: the run's; :data:`EXIT_INCOMPLETE` when the run was
    stopped before it closed (a second SIGINT/SIGTERM); 0 when the run controller did not run."""
    run = getattr(crawler, "_review_run", None)
    if run is None:
        return 0
    return EXIT_INCOMPLETE if run.exit_code is None else run.exit_code


def monitor_settings(settings) -> dict:
    """The ``MONITOR_*`` settings typed like their defaults (``-s`` gives strings:
    ``MONITOR_ENABLED=False`` must switch the monitors off)."""
    getters = {bool: settings.getbool, int: settings.getint, float: settings.getfloat, dict: settings.getdict}
    conf = {}
    for key, default in monitors.DEFAULTS.items():
        if settings.get(key) is None:
            conf[key] = None if isinstance(default, dict) else default
        else:
            conf[key] = getters.get(type(default), settings.get)(key)
    return conf
