"""WARC capture: every response the downloader returns, with its request, into the run's WARC files.

:class:`WarcCaptureMiddleware` (downloader middleware, priority 950 in ``crawler.settings``:
next to the download handler, so it sees every response -- redirects, error statuses, 304s --
before ``HttpCompressionMiddleware`` decompresses it and before retries or redirects replace
it). The files are written by :class:`crawler.output.warc.WarcFileWriter` (format, rotation,
``.part`` names, what "as received" means); the WARC paths go into every output manifest
(``warc_files``) and into stats (``warc/files``, ``warc/records``, ``warc/sealed``).

Settings:

- ``WARC_ENABLED``: ``None`` (default) = on for ``backfill`` and ``full`` runs, off for
  ``incremental`` ones; ``True``/``False`` force it.
- ``WARC_DIR``: the folder (``%(name)s`` = spider name); default ``<folder of the first output
  file>/warc``. Stale ``.part`` files of killed runs in it are sealed when a run opens it
  (:func:`crawler.output.warc.seal_stale`).
- ``WARC_MAX_BYTES``: rotate after a file reaches this size (default 1,000,000,000).
- ``WARC_COMPRESSOR``: ``auto`` (default: ISA-L when the ``isal`` package is installed, else
  zlib), ``isal`` or ``zlib`` (:func:`crawler.output.warc.gzip_choice`).
- ``WARC_GZIP_LEVEL``: the records' gzip level; unset (default): the compressor's own (ISA-L 1,
  zlib 6); with ``auto`` a level is zlib's 0-9, with ``isal`` ISA-L's 0-3. A value the compressor
  cannot honour refuses the run (exit 2). ISA-L 1 costs a tenth of zlib 6's CPU on the reactor
  thread for archives 8-17 % bigger (:mod:`crawler.output.warc`).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path

from scrapy import signals

from crawler.output.warc import WarcFileWriter, seal_stale
from crawler.output.atomic import describe_os_error
from crawler.run.context import feed_file_paths, get_run

logger = logging.getLogger(__name__)

WARC_MODES = ("backfill", "full")
#: what a stopped archive means for the run (the ``OUTPUT FAILED`` line)
WARC_STOPPED = ("the pages fetched after it are not archived; the completed WARC files and the outputs "
                "are in place and the reviews exported")


def _pairs(headers) -> list[tuple[str, str]]:
    out = []
    for key, values in headers.items():
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        for value in values:
            out.append((name, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return out


class WarcCaptureMiddleware:
    """See the module docstring."""

    #: writes the files (a test gives one whose disk fills up: ``tests/support/fulldisk.py``)
    writer_class = WarcFileWriter

    def __init__(self, crawler):
        self.crawler = crawler
        self.writer: WarcFileWriter | None = None
        self._decided = False
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def enabled(self) -> bool:
        setting = self.crawler.settings.get("WARC_ENABLED")
        if setting is None or setting == "":
            return get_run(self.crawler).mode in WARC_MODES
        return self.crawler.settings.getbool("WARC_ENABLED")

    def folder(self) -> Path:
        name = getattr(self.crawler.spider, "name", "") or ""
        configured = self.crawler.settings.get("WARC_DIR")
        if configured:
            return Path(str(configured) % {"name": name})
        feeds = feed_file_paths(self.crawler.settings, name)
        return (feeds[0].parent if feeds else Path("output") / name) / "warc"

    def _start(self) -> None:
        self._decided = True
        if not self.enabled():
            return
        run = get_run(self.crawler)
        folder = self.folder()
        sealed = seal_stale(folder)
        if sealed:
            self.crawler.stats.set_value("warc/sealed", len(sealed))
        self.writer = self.writer_class(folder, f"{run.spider_name}-{run.run_id}",
                                     max_bytes=self.crawler.settings.getint("WARC_MAX_BYTES", 1_000_000_000),
                                     gzip_level=self.crawler.settings.get("WARC_GZIP_LEVEL"),
                                     compressor=self.crawler.settings.get("WARC_COMPRESSOR", "auto"),
                                     info={"run_id": run.run_id, "spider": run.spider_name, "mode": run.mode})
        run.warc = self.writer  # the run lists its files in the manifests and closes it before the last one
        logger.info("WARC capture into %s (gzip: %s level %d)", folder, self.writer.gzip.name, self.writer.gzip.level)

    def process_response(self, request, response, spider=None):
        if not self._decided:
            self._start()
        if self.writer is None or self.writer.closed:
            return response
        read_args = None
        if request.meta.get("review_page") and 200 <= response.status < 300:
            reader = getattr(self.crawler.spider, "read_options", None)
            if reader is not None:  # the spider's own arguments (the response has no request yet: its meta is the request's)
                read_args = {k: (list(v) if isinstance(v, tuple) else v) for k, v in reader(response.url, request.meta).items()}
        reason = ""
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            pass
        try:
            self.writer.write_exchange(url=response.url, method=request.method, request_headers=_pairs(request.headers),
                                       status=response.status, reason=reason, response_headers=_pairs(response.headers),
                                       body=response.body, read_args=read_args,
                                       protocol=(getattr(response, "protocol", None) or "HTTP/1.1").upper())
        except OSError as exc:  # a full or read-only disk: the archive stops, the run exits 4, pages go on
            self._stopped(exc)
            return response
        self.crawler.stats.inc_value("warc/records", 2)
        return response

    def _stopped(self, exc: OSError) -> None:
        """A write error on the archive: the open file stays hidden (``.part``, sealed by the next
        run), nothing more is archived, the crawl and its outputs go on, the run exits 4."""
        where = self.writer.current or self.writer.folder
        self.writer.abandon()
        self.crawler.stats.inc_value("warc/failed")
        logger.error("WARC capture stopped: cannot write %s: %s", where, describe_os_error(exc))
        get_run(self.crawler).output_failed(where, f"WARC capture stopped: {describe_os_error(exc)}", WARC_STOPPED)

    def spider_closed(self, spider, reason) -> None:
        if self.writer is not None:
            try:
                self.writer.close()
            except OSError as exc:  # the last file could not be put in place
                self._stopped(exc)
            self.crawler.stats.set_value("warc/files", len(self.writer.files))
