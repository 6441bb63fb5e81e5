"""``scrapy crawl`` that exits non-zero when a run fails (Scrapy's own exits 0).

Same options as Scrapy's ``crawl``. Without ``-o``/``-O`` or a ``FEEDS`` setting the feed is
``DEFAULT_FEEDS`` (Scrapy would merge a project ``FEEDS`` into every ``-o``/``-O`` run). After the crawl has fully stopped (feeds stored, state
closed) the exit code is the run controller's (:mod:`crawler.run.controller`): 0 success, 1 a
monitor failed, 2 bad arguments or the crawl could not start, 3 the run did not finish. The
reason is repeated as the last line(s) on stderr, e.g.
``MONITOR FAILED: grade coverage 0.00 < 0.80 (film reviews, 40 read)``.
"""

from __future__ import annotations

import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.run.context import EXIT_USAGE, run_exit_code
from crawler.run.controller import RunRefused

logger = logging.getLogger(__name__)


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
        _quiet_refusal(self.crawler_process.crawl(crawler, **opts.spargs))
        self.crawler_process.start()
        run = getattr(crawler, "_review_run", None)
        if self.crawler_process.bootstrap_failed or getattr(crawler, "spider", None) is None:
            self.exitcode = EXIT_USAGE
            refused = run.failures if run is not None and run.exit_code == EXIT_USAGE else []
            print("\n".join(refused) or "RUN FAILED: the crawl could not start (see the error above)", file=sys.stderr)
            return
        self.exitcode = run_exit_code(crawler)
        if run is not None:
            for line in run.failures:
                print(line, file=sys.stderr)
