"""The run controller: state, recovery, progress line, monitors, run summary and exit code.

:class:`RunController` (extension, enabled in ``crawler.settings``):

- when the spider opens: resolves the mode (see :mod:`crawler.run.options`) and the state path,
  opens the state store, finishes what a killed run left (:func:`crawler.output.recovery.recover`) and
  sets the pre-download filter (``lastmod`` watermark for incremental runs, ``since``);
- every ``PROGRESS_INTERVAL`` seconds (default 60, 0 = off) or every ``PROGRESS_PAGES`` pages
  fetched (default 100, 0 = off), whichever comes first: one progress line (pages fetched,
  reviews read and emitted, queue size, rate, ETA once the sitemaps are read); with
  ``PROGRESS_BAR`` (default ``None``: when stderr is a terminal) a live one-line bar
  (:class:`crawler.run.progress.ProgressBar`) instead of the lines (a ``LOG_FILE`` still gets them);
- before anything is fetched: the feeds are checked (:func:`crawler.run.context.check_feeds`:
  a local file or stdout, an exporter that counts, a writable folder, the ``-O`` rule); a
  refused feed stops the run with exit 2 before the first request;
- when a storage opens a file (the :data:`~crawler.output.atomic.output_opened` signal): the
  path is announced in the state's output journal and the storage gets the run's veto (an
  ``-O`` file replaces its target only when the run finished);
- when a feed slot is closed (Scrapy's ``feed_slot_closed``): if its storage confirmed the file
  (``stored``), the manifest is written and exactly the records the exporter wrote are marked
  exported (:meth:`crawler.run.context.RunContext.output_stored`); if the storage failed
  (``error``), nothing is marked and the run exits 4 with ``OUTPUT FAILED: <file>: <reason>``;
- when the feeds are closed: evaluates the monitors (:mod:`crawler.run.monitors`), records the run
  in the state's history (with :func:`crawler.run.report.history_fields`: coverage, failures,
  rejects and outputs per run), advances the incremental watermark after a successful run,
  rewrites the run's manifests with the exit status, writes the HTML report of the state's
  history beside the outputs when ``REPORT_ENABLED`` (default ``None``: for scheduled runs, those
  writing the default feed; ``REPORT_RUNS`` runs per site, default 20) and makes the one-screen
  summary (logged; ``scrapy crawl`` prints it last instead).

Run locks and the state check: when the extension is built (:meth:`RunController.check_start`); the locks are released when
the run has finished its state and manifests.

Exit codes (applied by the project's ``scrapy crawl`` command, :mod:`crawler.commands.crawl`):
``0`` success (also an incremental run that found nothing new), ``1`` a monitor failed (one
``MONITOR FAILED: ...`` line per failed check on stderr), ``2`` bad arguments, the crawl could
not start, the state store could not be opened or an output cannot be written, ``3`` the run
did not finish (stopped by a signal, a close-spider limit, an error), ``4`` an output failed.
The watermark moves only after a run that exits 0 and whose outputs the state recorded.

Enabled only when ``RUN_CONTROLLER_ENABLED`` is true: the project's ``scrapy crawl`` and
``crawler demo`` set it; ``scrapy parse``, ``shell``, ``fetch`` and ``check`` never open a
state store or run monitors.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.output.atomic import output_opened
from crawler.output.manifest import manifest_path_for
from crawler.output.warc import gzip_choice
from crawler.run import monitors
from crawler.run.context import (
    EXIT_INCOMPLETE,
    EXIT_MEANINGS,
    EXIT_MONITOR,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_USAGE,
    RunContext,
    StartError,
    check_feeds,
    feed_file_paths,
    get_run,
)
from crawler.run.progress import ProgressBar, progress_line
from crawler.run.report import group_by_site, history_fields, render_report, report_enabled, report_path_for, write_report
from crawler.run.workers import backlog_per_worker, workers_for
from crawler.state import LockHeld, StateDamaged, utc_now

logger = logging.getLogger(__name__)
#: runs read from the state for the report (grouped by site, the last REPORT_RUNS of each)
REPORT_SCAN_RUNS = 500
#: output files named one by one in the run summary (more: the rest on one line)
SUMMARY_MAX_FILES = 12


class RunRefused(Exception):
    """The crawl must not start (another run holds its lock, the state is damaged): the message is the reason line."""


def check_settings(settings) -> None:
    """Raise :class:`StartError` for a setting the crawl would fail on page after page:
    ``EXTRACT_WORKERS``, ``EXTRACT_BACKLOG`` (:mod:`crawler.run.workers`), ``WARC_COMPRESSOR``
    and ``WARC_GZIP_LEVEL`` (:func:`crawler.output.warc.gzip_choice`)."""
    try:
        workers_for(settings)
        backlog_per_worker(settings)
        gzip_choice(settings.get("WARC_COMPRESSOR", "auto"), settings.get("WARC_GZIP_LEVEL"))
    except ValueError as exc:
        raise StartError(str(exc)) from None


class RunController:
    """See the module docstring."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 60.0)
        self.pages_every = crawler.settings.getint("PROGRESS_PAGES", 0)
        bar = crawler.settings.get("PROGRESS_BAR")
        self.use_bar = sys.stderr.isatty() if bar is None else crawler.settings.getbool("PROGRESS_BAR")
        # the bar replaces the log lines on stderr; a LOG_FILE still gets them
        self.log_lines = (self.interval > 0 or self.pages_every > 0) and (not self.use_bar or bool(crawler.settings.get("LOG_FILE")))
        self.bar: ProgressBar | None = None
        self.task = None
        self._finalized = False
        self._last = (time.monotonic(), 0)  # (time, pages fetched) of the last progress line
        self.check_start()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.output_opened, signal=output_opened)
        crawler.signals.connect(self.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(self.feed_exporter_closed, signal=signals.feed_exporter_closed)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("RUN_CONTROLLER_ENABLED"):
            raise NotConfigured("the run controller runs for `scrapy crawl` only (RUN_CONTROLLER_ENABLED)")
        return cls(crawler)

    def check_start(self) -> None:
        """Run when the extension is built: after the spider exists, before any feed file is
        opened. Takes the run locks (:meth:`crawler.run.context.RunContext.take_locks`) and
        checks the state file (:func:`crawler.state.check_state_file`) and the settings a crawl
        would fail on page after page (:func:`check_settings`). A lock held by another run, a
        damaged, empty or directory state, or a bad ``EXTRACT_WORKERS``, ``EXTRACT_BACKLOG``,
        ``WARC_COMPRESSOR`` or ``WARC_GZIP_LEVEL``, stops the crawl before it starts
        (:class:`RunRefused`, exit 2, one ``RUN FAILED: ...`` line): no request, no output."""
        if not hasattr(self.crawler.spider, "run_options"):
            return  # not a crawl of ours (scrapy shell/fetch with Scrapy's default spider)
        run = get_run(self.crawler)
        try:
            check_settings(self.crawler.settings)
            run.take_locks()
            run.check_state()
        except (LockHeld, StateDamaged, StartError) as exc:
            run.release_locks()
            run.exit_code = EXIT_USAGE
            run.failures = [f"RUN FAILED: {exc}"]
            raise RunRefused(run.failures[0]) from None

    def spider_opened(self, spider) -> None:
        run = get_run(self.crawler)
        refused = check_feeds(self.crawler.settings, run.spider_name, run.options.mode)
        if refused:
            run.start_error = f"RUN FAILED: {refused}"
            logger.error(run.start_error)
            self.crawler.engine.close_spider(spider, "output_error")
            return
        try:
            run.open_state()
        except StateDamaged as exc:
            run.state_error = f"RUN FAILED: {exc}"
            run.state = None
            self.crawler.engine.close_spider(spider, "state_error")
            return
        except Exception as exc:  # noqa: BLE001 - an unusable state must stop the run, loudly
            logger.exception("Cannot open the state store %s", run.state_location)
            run.state_error = f"RUN FAILED: cannot open the state store {run.state_location}: {exc}"
            run.state = None
            self.crawler.engine.close_spider(spider, "state_error")
            return
        logger.info("Run %s: mode %s, state %s", run.run_id, run.mode, run.state_location)
        if self.use_bar:
            self.bar = ProgressBar(sys.stderr)
        if self.bar is not None or self.log_lines:
            self._last = (time.monotonic(), 0)
            self.crawler.signals.connect(self.response_received, signal=signals.response_received)
            self.task = create_looping_call(self.tick)
            self.task.start(min(self.interval, 1.0) if self.interval > 0 else 1.0, now=False)

    # progress ----------------------------------------------------------
    def progress(self) -> str:
        """Log the progress line now (and restart the interval and page count)."""
        stats = self.crawler.stats.get_stats()
        line = progress_line(stats, time.monotonic() - get_run(self.crawler).t0)
        self._last = (time.monotonic(), int(stats.get("response_received_count", 0)))
        logger.info(line)
        return line

    def tick(self) -> None:
        if self.bar is not None:
            self.bar.update(self.crawler.stats.get_stats())
        if self.log_lines and self.interval > 0 and time.monotonic() - self._last[0] >= self.interval:
            self.progress()

    def response_received(self, response, request, spider) -> None:
        if self.bar is not None:
            self.bar.update(self.crawler.stats.get_stats())
        if self.log_lines and self.pages_every > 0:
            # this response is counted by CoreStats' own handler, which may run after this one
            fetched = max(int(self.crawler.stats.get_value("response_received_count", 0)), self._last[1] + 1)
            if fetched - self._last[1] >= self.pages_every:
                self.progress()

    # outputs -----------------------------------------------------------
    def output_opened(self, path, storage=None) -> None:
        run = get_run(self.crawler)
        if storage is not None:
            storage.veto = run.output_veto
        if run.state is not None and getattr(storage, "durable", True) and not run.output_veto(storage):
            run.state.begin_output(str(path.resolve()), run.run_id)

    def feed_slot_closed(self, slot) -> None:
        storage = slot.storage
        run = get_run(self.crawler)
        if getattr(storage, "stored", False):
            run.output_stored(storage)
        elif getattr(storage, "error", None):
            run.output_failed(getattr(storage, "path", slot.uri), storage.error)
        elif not hasattr(storage, "stored"):  # a storage that cannot say (refused up front; never here)
            run.output_failed(slot.uri, f"{type(storage).__name__} cannot confirm the write")

    # end of run --------------------------------------------------------
    def feed_exporter_closed(self) -> None:
        self.finalize()

    def spider_closed(self, spider, reason) -> None:
        get_run(self.crawler).close_reason = reason
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
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
        failed: list[monitors.Failure] = []
        settings = self.crawler.settings
        if run.start_error or run.state_error:
            run.exit_code = EXIT_USAGE
            run.failures = [run.start_error or run.state_error]
            exit_status = "failed"
        elif run.output_errors:
            run.exit_code = EXIT_OUTPUT
            run.failures = list(run.output_errors)
            exit_status = "output_failed"
        elif reason != "finished":
            run.exit_code = EXIT_INCOMPLETE
            kept = "; every -O file was kept as it was" if run.fresh_dump else ""
            run.failures = [f"RUN INCOMPLETE: finish reason {reason}{kept}; rerun the same command to resume"]
            exit_status = "incomplete"
        else:
            failed = run.monitor_failures()
            run.failures = [f.line() for f in failed]
            run.exit_code = EXIT_MONITOR if failed else EXIT_OK
            exit_status = "monitor_failed" if failed else "ok"
        stats.set_value("run/exit_code", run.exit_code)
        for line in run.failures:
            logger.error(line)
        summary = {
            "run_id": run.run_id, "mode": run.mode, "started": run.started, "finished": utc_now(),
            "exit_code": run.exit_code, "finish_reason": reason, "exact_urls": run.exact_urls,
            "since": run.arguments.get("since"), "until": run.arguments.get("until"), "site": run.site,
            "reviews_seen": monitors.reviews_seen(stats.get_stats()),
            "emitted": int(stats.get_value("reviews/emitted", 0)),
            "pages_fetched": int(stats.get_value("response_received_count", 0)),
        }
        summary.update(history_fields(run, stats.get_stats(), settings.getdict("MONITOR_COVERAGE") or monitors.DEFAULTS["MONITOR_COVERAGE"], failed))
        if run.state is not None:
            try:
                self.record_run(run, summary)
            except Exception as exc:  # noqa: BLE001 - a full or broken state disk: loud, exit 4
                logger.exception("Could not record the run in the state %s", run.state_location)
                run.exit_code = EXIT_OUTPUT
                run.failures.append(f"OUTPUT FAILED: {run.state_location}: the run could not be recorded in the state: {exc}")
                exit_status = "output_failed"
                stats.set_value("run/exit_code", run.exit_code)
        try:
            run.finalize_manifests(exit_status)
        except OSError:
            logger.exception("Could not rewrite the manifests")
        if run.state is not None:
            self.write_report(run)
        run.summary_text = self.summary(run, reason)
        # `scrapy crawl` (crawler.commands.crawl) prints it last on stderr, after Scrapy's stats dump
        printed = getattr(self.crawler, "print_run_summary", False) and not settings.get("LOG_FILE")
        logger.log(logging.DEBUG if printed else logging.INFO, run.summary_text)
        if run.state is not None:
            run.state.close()
        run.release_locks()

    def write_report(self, run: RunContext) -> None:
        """The HTML report of this state's history beside the run's outputs (``REPORT_ENABLED``);
        a report that cannot be written is logged, never a failed run."""
        settings = self.crawler.settings
        default_feed = settings.getdict("FEEDS") == settings.getdict("DEFAULT_FEEDS")
        if not report_enabled(settings, default_feed):
            return
        if run.outputs:
            path = report_path_for(run.outputs[0][0])
        else:
            feeds = feed_file_paths(settings, run.spider_name)
            path = (feeds[0].parent if feeds else Path("output") / run.spider_name) / f"{run.run_id}.report.html"
        try:
            history = group_by_site(run.state.recent_runs(REPORT_SCAN_RUNS), runs=settings.getint("REPORT_RUNS", 20))
            write_report(path, render_report(history, sources=[str(run.state_location)]))
        except Exception:  # noqa: BLE001 - the report is a view of the run, not part of its result
            logger.exception("Could not write the run report %s", path)
            return
        run.report_path = path
        self.crawler.stats.set_value("report/path", str(path))
    def record_run(self, run: RunContext, summary: dict) -> None:
        """The run in the state's history; the watermark after a successful run whose outputs the
        state recorded."""
        run.state.add_run(summary)
        if (run.exit_code == EXIT_OK and run.mode in ("incremental", "full") and not run.exact_urls
                and not (run.options.since or run.options.until) and not run.undurable_outputs):
            run.state.set_watermark(run.watermark_key, run.started)

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
            f"  outputs              {len(run.outputs)} file(s), {sum(sc['item_count'] for _, sc in run.outputs)} records",
        ]
        shown = run.outputs if len(run.outputs) <= SUMMARY_MAX_FILES else run.outputs[: SUMMARY_MAX_FILES - 1]
        for path, sc in shown:
            lines.append(f"    {path.resolve()}  {sc['item_count']} records  manifest {manifest_path_for(path).name}")
        if len(shown) < len(run.outputs):
            rest = run.outputs[len(shown):]
            lines.append(f"    ... and {len(rest)} more file(s), {sum(sc['item_count'] for _, sc in rest)} records, in {rest[-1][0].resolve().parent}")
        if getattr(run, "report_path", None):
            lines.append(f"  report               {run.report_path.resolve()}")
        lines += [
            f"  state                {run.state_location}",
            f"  exit                 {run.exit_code}  {EXIT_MEANINGS.get(run.exit_code, '')}",
        ]
        return "\n".join(lines)
