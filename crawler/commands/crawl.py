"""``scrapy crawl`` that exits non-zero when a run fails (Scrapy's own exits 0).

Same options as Scrapy's ``crawl``. Without ``-o``/``-O`` or a ``FEEDS`` setting the feed is
``DEFAULT_FEEDS`` (Scrapy would merge a project ``FEEDS`` into every ``-o``/``-O`` run). The
spider name and its ``-a`` arguments are checked before anything starts (one ``RUN FAILED: ...``
line, exit 2). After the crawl has fully stopped (feeds stored, state closed) the exit code is
the run controller's (:mod:`crawler.run.controller`, switched on here with
``RUN_CONTROLLER_ENABLED``); the codes are :data:`crawler.run.context.EXIT_MEANINGS`. The last
block on stderr (after Scrapy's stats dump) is the run summary: each output file with its record
count and manifest, the report, the exit code and its meaning; the reason of a failed run is its
last line(s), e.g. ``MONITOR FAILED: grade coverage 0.00 < 0.80 (film reviews, 40 read)``.
"""

from __future__ import annotations

import logging
import signal
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.run.context import EXIT_INCOMPLETE, EXIT_MEANINGS, EXIT_USAGE, check_feeds, run_exit_code
from crawler.run.controller import RunRefused
from crawler.security import redact

logger = logging.getLogger(__name__)


def _with_format(uri: str) -> str:
    """``-`` -> ``-:jsonl``; ``x.csv.gz`` -> ``x.csv.gz:csv``; anything else as given."""
    if uri == "-":
        return "-:jsonl"
    name = uri.rsplit("/", 1)[-1]
    parts = name.split(".")
    if len(parts) >= 3 and parts[-1] == "gz" and ":" not in name:
        return f"{uri}:{parts[-2]}"
    return uri


def _quiet_refusal(done) -> None:
    """A crawl refused before it started (another run holds its lock, :class:`RunRefused`): its
    reason line is printed by :meth:`Command.run`, without a traceback. Any other failure is
    left to Scrapy (an asyncio task or a Deferred, depending on the reactor)."""
    if hasattr(done, "addErrback"):
        done.addErrback(lambda failure: None if failure.check(RunRefused) else failure)
    elif hasattr(done, "add_done_callback"):
        def retrieved(task) -> None:
            exc = None if task.cancelled() else task.exception()  # marks it retrieved: we report it
            if exc is not None and not isinstance(exc, RunRefused):
                logger.error("The crawl could not start", exc_info=(type(exc), exc, exc.__traceback__))
        done.add_done_callback(retrieved)


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider (exit codes: 0 ok, 1 monitor, 2 arguments, 3 incomplete, 4 output)"

    def long_desc(self) -> str:
        codes = "; ".join(f"{code} = {meaning}" for code, meaning in EXIT_MEANINGS.items())
        return (
            "Run a spider; its reviews go to the default feed (output/<spider>/<batch time>-<run id>.jsonl, "
            "one file per 500 reviews) or to -o/-O FILE (.jsonl, .jsonl.gz, .json, .csv, .xml; -O - is stdout). "
            "-O FILE is a fresh dump: mode full unless -a mode says otherwise, and the previous file is kept "
            "until the run finishes. Exit codes: " + codes
            + ". Example: scrapy crawl avclub -a state=/var/lib/crawler/avclub.sqlite"
        )

    def process_options(self, args, opts) -> None:
        # -O - / -o -: standard output as JSON Lines unless a format is given (-O -:csv);
        # -O x.csv.gz: CSV, gzip-compressed (Scrapy would take the format from ".gz")
        for attr in ("output", "overwrite_output"):
            if getattr(opts, attr, None):
                setattr(opts, attr, [_with_format(o) for o in getattr(opts, attr)])
        super().process_options(args, opts)
        # The default feed only when nothing else is configured: Scrapy merges FEEDS into -o/-O.
        if not self.settings.getdict("FEEDS"):
            self.settings.set("FEEDS", self.settings.getdict("DEFAULT_FEEDS"), priority="project")
        self.settings.set("RUN_CONTROLLER_ENABLED", True, priority="cmdline")

    def _refuse(self, line: str) -> None:
        self.exitcode = EXIT_USAGE
        print(f"RUN FAILED: {line}", file=sys.stderr)

    def run(self, args, opts) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        loader = self.crawler_process.spider_loader
        name = args[0]
        try:
            spidercls = loader.load(name)
        except KeyError:
            known = ", ".join(sorted(loader.list()))
            self._refuse(f"unknown spider {name!r} (known: {known})")
            return
        check = getattr(spidercls, "check_arguments", None)
        if check is not None:
            try:
                check(opts.spargs)
            except (ValueError, TypeError, OSError) as exc:
                self._refuse(f"bad argument: {exc}")
                return
        refused = check_feeds(self.settings, name, opts.spargs.get("mode"))
        if refused:  # before the reactor starts: nothing is fetched, nothing is written
            self._refuse(refused)
            return
        crawler = self._create_crawler(name)
        crawler.print_run_summary = True  # printed below, last (crawler.run.controller logs it at DEBUG)
        _quiet_refusal(self.crawler_process.crawl(crawler, **opts.spargs))
        self.crawler_process.start()
        # The run is over and its exit code decided: a late Ctrl-C or SIGTERM (the second of two
        # sent while the run closed) must not turn it into a KeyboardInterrupt or a kill by signal
        # (the reactor gave SIGINT back to Python's default handler when it stopped).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        run = getattr(crawler, "_review_run", None)
        if self.crawler_process.bootstrap_failed or getattr(crawler, "spider", None) is None:
            refused = run.failures if run is not None and run.exit_code == EXIT_USAGE else []
            if refused:  # refused before it started (a lock, a damaged state): the reason, already worded
                self.exitcode = EXIT_USAGE
                print("\n".join(redact(line) for line in refused), file=sys.stderr)
            else:
                self._refuse("the crawl could not start (see the error above)")
            return
        self.exitcode = run_exit_code(crawler)
        if run is not None and run.exit_code is None:
            self.exitcode = EXIT_INCOMPLETE
            print("RUN INCOMPLETE: stopped by a second signal before the run closed (files not yet stored were "
                  "not committed); rerun the same command to resume", file=sys.stderr)
            return
        if run is not None:
            # printed, not logged: redacted here (a redis:// state URI may carry a password)
            if getattr(run, "summary_text", None):
                print("\n" + redact(run.summary_text), file=sys.stderr)
            for line in run.failures:
                print(redact(line), file=sys.stderr)
