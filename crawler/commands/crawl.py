"""``scrapy crawl`` that exits non-zero when a run fails (Scrapy's own exits 0).

Same options as Scrapy's ``crawl``. Without ``-o``/``-O`` or a ``FEEDS`` setting the feed is
``DEFAULT_FEEDS`` (Scrapy would merge a project ``FEEDS`` into every ``-o``/``-O`` run). After the crawl has fully stopped (feeds stored, state
closed) the exit code is the run controller's (:mod:`crawler.run.controller`): 0 success, 1 a
monitor failed, 2 bad arguments or the crawl could not start, 3 the run did not finish. The
last block on stderr (after Scrapy's stats dump) is the run summary: each output file with its
record count and manifest, the report, the exit code and its meaning; the reason of a failed
run is its last line(s), e.g. ``MONITOR FAILED: grade coverage 0.00 < 0.80 (film reviews, 40 read)``.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.run.context import EXIT_USAGE, run_exit_code
from crawler.security import redact


class Command(ScrapyCrawlCommand):
    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        # The default feed only when nothing else is configured: Scrapy merges FEEDS into -o/-O.
        if not self.settings.getdict("FEEDS"):
            self.settings.set("FEEDS", self.settings.getdict("DEFAULT_FEEDS"), priority="project")

    def run(self, args, opts) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        crawler.print_run_summary = True  # printed below, last (crawler.run.controller logs it at DEBUG)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or getattr(crawler, "spider", None) is None:
            self.exitcode = EXIT_USAGE
            print("RUN FAILED: the crawl could not start (see the error above)", file=sys.stderr)
            return
        self.exitcode = run_exit_code(crawler)
        run = getattr(crawler, "_review_run", None)
        if run is not None:
            # printed, not logged: redacted here (a redis:// state URI may carry a password)
            if getattr(run, "summary_text", None):
                print("\n" + redact(run.summary_text), file=sys.stderr)
            for line in run.failures:
                print(redact(line), file=sys.stderr)
