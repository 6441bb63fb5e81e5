"""The run controller: state, recovery, progress line, monitors, run summary and exit code.

:class:`RunController` (extension, enabled in ``crawler.settings``):

- when the spider opens: resolves the mode (see :mod:`crawler.run.options`) and the state path,
  opens the state store, finishes what a killed run left (:func:`crawler.output.recovery.recover`) and
  sets the pre-download filter (``lastmod`` watermark for incremental runs, ``since``);
- every ``PROGRESS_INTERVAL`` seconds (default 60, 0 = off): one progress line (pages fetched,
  reviews read and emitted, queue size, rate, ETA once the sitemaps are read);
- when a storage opens a file (the :data:`~crawler.output.atomic.output_opened` signal): the
  path is announced in the state's output journal;
- when a feed slot is closed (Scrapy's ``feed_slot_closed``) and its storage stored the file:
  the file's manifest is written and its records are marked exported in the state
  (:meth:`crawler.run.context.RunContext.output_stored`); storages only store;
- when the feeds are closed: evaluates the monitors (:mod:`crawler.run.monitors`), records the run
  in the state's history, advances the incremental watermark after a successful run, rewrites
  the run's manifests with the exit status and logs a one-screen summary.

Run locks and the state check: when the extension is built (:meth:`RunController.check_start`); the locks are released when
the run has finished its state and manifests.

Exit codes (applied by the project's ``scrapy crawl`` command, :mod:`crawler.commands.crawl`):
``0`` success (also an incremental run that found nothing new), ``1`` a monitor failed (one
``MONITOR FAILED: ...`` line per failed check on stderr), ``2`` bad arguments, the crawl could
not start or the state store could not be opened, ``3`` the run did not finish (stopped by a signal, a close-spider limit, an error).
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call

from crawler.output.atomic import output_opened
from crawler.run import monitors
from crawler.run.context import EXIT_INCOMPLETE, EXIT_MONITOR, EXIT_OK, EXIT_USAGE, RunContext, StartError, get_run
from crawler.run.progress import progress_line
from crawler.state import LockHeld, StateDamaged, utc_now

logger = logging.getLogger(__name__)


class RunRefused(Exception):
    """The crawl must not start (another run holds its lock, the state is damaged): the message is the reason line."""


class RunController:
    """See the module docstring."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 60.0)
        self.task = None
        self._finalized = False
        self._last = (time.monotonic(), 0)
        self.check_start()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.output_opened, signal=output_opened)
        crawler.signals.connect(self.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(self.feed_exporter_closed, signal=signals.feed_exporter_closed)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def check_start(self) -> None:
        """Run when the extension is built: after the spider exists, before any feed file is
        opened. Takes the run locks (:meth:`crawler.run.context.RunContext.take_locks`) and
        checks the state file (:func:`crawler.state.check_state_file`). A lock held by another
        run, or a damaged, empty or directory state, stops the crawl before it starts
        (:class:`RunRefused`, exit 2, one ``RUN FAILED: ...`` line): no request, no output."""
        if not hasattr(self.crawler.spider, "run_options"):
            return  # not a crawl of ours (scrapy shell/fetch with Scrapy's default spider)
        run = get_run(self.crawler)
        try:
            run.take_locks()
            run.check_state()
        except (LockHeld, StateDamaged, StartError) as exc:
            run.release_locks()
            run.exit_code = EXIT_USAGE
            run.failures = [f"RUN FAILED: {exc}"]
            raise RunRefused(run.failures[0]) from None

    def spider_opened(self, spider) -> None:
        run = get_run(self.crawler)
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
        if self.interval > 0:
            self.task = create_looping_call(self.progress)
            self.task.start(self.interval, now=False)

    # progress ----------------------------------------------------------
    def progress(self) -> str:
        line = progress_line(self.crawler.stats.get_stats(), time.monotonic() - get_run(self.crawler).t0)
        logger.info(line)
        return line

    # outputs -----------------------------------------------------------
    def output_opened(self, path) -> None:
        run = get_run(self.crawler)
        if run.state is not None:
            run.state.begin_output(str(path.resolve()), run.run_id)

    def feed_slot_closed(self, slot) -> None:
        storage = slot.storage
        if getattr(storage, "stored", False):
            get_run(self.crawler).output_stored(storage.path)

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
        run.release_locks()

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
