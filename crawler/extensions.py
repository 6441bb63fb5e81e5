"""The run controller: state, recovery, progress line, monitors, run summary and exit code.

:class:`RunController` (extension, enabled in ``crawler.settings``):

- when the spider opens: resolves the mode (see :mod:`crawler.runmode`) and the state path,
  opens the state store, finishes what a killed run left (:func:`crawler.manifest.recover`) and
  sets the pre-download filter (``lastmod`` watermark for incremental runs, ``since``);
- every ``PROGRESS_INTERVAL`` seconds (default 60, 0 = off): one progress line (pages fetched,
  reviews read and emitted, queue size, rate, ETA once the sitemaps are read);
- when the feeds are closed: evaluates the monitors (:mod:`crawler.monitors`), records the run
  in the state's history, advances the incremental watermark after a successful run, rewrites
  the run's manifests with the exit status and logs a one-screen summary.

Exit codes (applied by the project's ``scrapy crawl`` command, :mod:`crawler.commands.crawl`):
``0`` success (also an incremental run that found nothing new), ``1`` a monitor failed (one
``MONITOR FAILED: ...`` line per failed check on stderr), ``2`` bad arguments, the crawl could
not start or the state store could not be opened, ``3`` the run did not finish (stopped by a signal, a close-spider limit, an error).
"""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from pathlib import Path

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call

from crawler import monitors
from crawler.runmode import RunFilter, RunOptions, parse_when
from crawler.state import StateStore, default_state_path, open_state, utc_now

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_MONITOR, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


def _feed_file_paths(settings, spider_name: str) -> list[Path]:
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
        self.arguments = {**self.options.as_dict(), "mode": self.mode,
                          "base_url": getattr(spider, "base_url", None),
                          "urls": len(getattr(spider, "exact_urls", None) or [])}

    # state -------------------------------------------------------------
    def open_state(self) -> None:
        settings = self.crawler.settings
        location = self.options.state or settings.get("STATE_PATH")
        if not location:
            location = str(default_state_path(self.spider_name, _feed_file_paths(settings, self.spider_name)))
        self.state_location = str(location)
        self.state = open_state(location, self.spider_name)
        self.arguments["state"] = self.state_location
        stats = self.crawler.stats
        stats.set_value("run/id", self.run_id)
        stats.set_value("run/mode", self.mode)
        stats.set_value("run/state", self.state_location)
        from crawler.manifest import recover

        folders = sorted({p.parent for p in _feed_file_paths(settings, self.spider_name)})
        recover(self.state, folders, stats)
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
        """Called by :class:`crawler.manifest.ManifestFeedStorage` once *path* is durably in place."""
        from crawler.manifest import build_manifest, manifest_path_for, scan_output, write_json_atomic

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
        from crawler.manifest import build_manifest, manifest_path_for, write_json_atomic

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


class RunController:
    """See the module docstring."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 60.0)
        self.task = None
        self._finalized = False
        self._last = (time.monotonic(), 0)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.feed_exporter_closed, signal=signals.feed_exporter_closed)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        run = get_run(self.crawler)
        try:
            run.open_state()
        except Exception as exc:  # noqa: BLE001 - an unusable state must stop the run, loudly
            logger.exception("Cannot open the state store %s", run.state_location)
            run.state_error = f"RUN FAILED: cannot open the state store {run.state_location}: {exc}"
            run.state = None
            self.crawler.engine.close_spider(spider, "state_error")
            return
        spider.run_filter = run.filter
        logger.info("Run %s: mode %s, state %s", run.run_id, run.mode, run.state_location)
        if self.interval > 0:
            self.task = create_looping_call(self.progress)
            self.task.start(self.interval, now=False)

    # progress ----------------------------------------------------------
    def progress(self) -> str:
        stats = self.crawler.stats
        now = time.monotonic()
        run = get_run(self.crawler)
        fetched = int(stats.get_value("response_received_count", 0))
        queued = max(int(stats.get_value("scheduler/enqueued", 0)) - int(stats.get_value("scheduler/dequeued", 0)), 0)
        elapsed = max(now - run.t0, 1e-6)
        rate = fetched / elapsed * 60
        eta = ""
        if stats.get_value("sitemap/fetched") and rate > 0:
            eta = f", ETA {queued / rate:.0f} min"
        line = (f"Progress: {fetched} pages fetched, {int(stats.get_value('reviews/seen', 0))} reviews read, "
                f"{int(stats.get_value('reviews/emitted', 0))} emitted, {queued} queued, {rate:.1f} pages/min"
                f"{', sitemap URLs ' + str(stats.get_value('sitemap/urls')) if stats.get_value('sitemap/urls') else ''}{eta}")
        logger.info(line)
        return line

    # end of run --------------------------------------------------------
    def feed_exporter_closed(self) -> None:
        self.finalize()

    def spider_closed(self, spider, reason) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        feed_exporter = any(type(e).__name__ == "FeedExporter" for e in self.crawler.extensions.middlewares)
        if not feed_exporter:
            self.finalize(reason)

    def finalize(self, reason: str | None = None) -> None:
        if self._finalized:
            return
        self._finalized = True
        run = get_run(self.crawler)
        stats = self.crawler.stats
        reason = reason or stats.get_value("finish_reason") or "finished"
        settings = self.crawler.settings
        history = run.state.recent_runs(20, mode=run.mode) if run.state is not None else []
        history = [h for h in history if bool(h.get("exact_urls")) == run.exact_urls and h.get("since") == run.arguments.get("since")
                   and h.get("until") == run.arguments.get("until")]
        if run.state_error:
            run.exit_code = EXIT_USAGE
            run.failures = [run.state_error]
            exit_status = "failed"
        elif reason != "finished":
            run.exit_code = EXIT_INCOMPLETE
            run.failures = [f"RUN INCOMPLETE: finish reason {reason} (rerun the same command to resume)"]
            exit_status = "incomplete"
        else:
            conf = monitor_settings(settings)
            failed = monitors.evaluate(stats.get_stats(), conf, history, exact_urls=run.exact_urls)
            run.failures = [f.line() for f in failed]
            run.exit_code = EXIT_MONITOR if failed else EXIT_OK
            exit_status = "monitor_failed" if failed else "ok"
        stats.set_value("run/exit_code", run.exit_code)
        for line in run.failures:
            logger.error(line)
        summary = {
            "run_id": run.run_id, "mode": run.mode, "started": run.started, "finished": utc_now(),
            "exit_code": run.exit_code, "finish_reason": reason, "exact_urls": run.exact_urls,
            "since": run.arguments.get("since"), "until": run.arguments.get("until"),
            "reviews_seen": monitors.reviews_seen(stats.get_stats()),
            "emitted": int(stats.get_value("reviews/emitted", 0)),
            "pages_fetched": int(stats.get_value("response_received_count", 0)),
        }
        if run.state is not None:
            run.state.add_run(summary)
            if (run.exit_code == EXIT_OK and run.mode in ("incremental", "full") and not run.exact_urls
                    and not (run.options.since or run.options.until)):
                run.state.set_watermark(run.watermark_key, run.started)
        try:
            run.finalize_manifests(exit_status)
        except OSError:
            logger.exception("Could not rewrite the manifests")
        logger.info(self.summary(run, reason))
        if run.state is not None:
            run.state.close()

    def summary(self, run: RunContext, reason: str) -> str:
        s = self.crawler.stats.get_stats()
        g = lambda k: int(s.get(k, 0))  # noqa: E731
        failed = {k.removeprefix("pages/failed/"): v for k, v in s.items() if k.startswith("pages/failed/")}
        cov = []
        for spec in (self.crawler.settings.getdict("MONITOR_COVERAGE") or monitors.DEFAULTS["MONITOR_COVERAGE"]):
            field, _, kind = spec.partition("@")
            value, n = monitors.coverage(s, field, kind or "all")
            if value is not None:
                cov.append(f"{spec} {value:.2f} (n={n})")
        lines = [
            f"Run summary {run.run_id} ({run.spider_name}, mode {run.mode}, {time.monotonic() - run.t0:.0f} s, finish reason {reason})",
            f"  pages fetched        {g('response_received_count')}  (not modified {g('pages/not_modified')}, skipped by lastmod {g('sitemap/urls_skipped')}, already exported {g('pages/skipped/already_exported')})",
            f"  reviews read         {g('reviews/normalized')}  (seen {monitors.reviews_seen(s)})",
            f"  reviews emitted      {g('reviews/emitted')}  (unchanged {g('reviews/dropped/unchanged')}, out of range {g('reviews/skipped/out_of_range')}, invalid {g('reviews/dropped/invalid')})",
            f"  non-review pages     {g('pages/skipped/not_review')}",
            f"  failed pages         {sum(failed.values())}" + (f"  ({', '.join(f'{k}={v}' for k, v in sorted(failed.items()))})" if failed else ""),
            f"  rejects              {g('rejects/total')}" + (f"  -> {s['rejects/path']}" if s.get("rejects/path") else ""),
            f"  coverage             {', '.join(cov) or '-'}",
            f"  outputs              {len(run.outputs)} file(s), {sum(sc['item_count'] for _, sc in run.outputs)} lines" + (f"  -> {run.outputs[-1][0].parent}" if run.outputs else ""),
            f"  state                {run.state_location}",
            f"  exit                 {run.exit_code}" + (f"  {run.failures[0]}" if run.failures else ""),
        ]
        return "\n".join(lines)


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
