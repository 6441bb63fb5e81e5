"""A feed storage whose disk fills up: the real :class:`crawler.output.atomic.AtomicFileFeedStorage`
over a raw file that raises ``ENOSPC`` ("No space left on device") once the process has written
``FULL_DISK_AFTER_BYTES`` bytes (environment variable) to output files, counted over every file
of the run, as a filling disk would. For the output-integrity tests
(``-s FEED_STORAGES='{"": "tests.support.fulldisk.FullDiskFeedStorage", ...}'``).

The same for the WARC archive: :class:`FullDiskWarcCaptureMiddleware` is the real capture
middleware whose :class:`crawler.output.warc.WarcFileWriter` writes through that raw file
(``-s DOWNLOADER_MIDDLEWARES=`` with :data:`WARC_MIDDLEWARES`)."""

from __future__ import annotations

import errno
import os

from crawler.middlewares.warc import WarcCaptureMiddleware
from crawler.output.atomic import AtomicFile, AtomicFileFeedStorage
from crawler.output.warc import WarcFileWriter

_written = 0


class FullDiskFile:
    """A raw binary file that runs out of space after the process-wide budget."""

    def __init__(self, raw):
        self.raw = raw

    def write(self, data) -> int:
        global _written
        budget = int(os.environ.get("FULL_DISK_AFTER_BYTES", "0"))
        if _written + len(data) > budget:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        _written += len(data)
        return self.raw.write(data)

    def __getattr__(self, name):
        return getattr(self.raw, name)


class FullDiskAtomicFile(AtomicFile):
    def _open_raw(self):
        return FullDiskFile(super()._open_raw())


class FullDiskFeedStorage(AtomicFileFeedStorage):
    file_class = FullDiskAtomicFile


class FullDiskWarcFileWriter(WarcFileWriter):
    def _open_raw(self, path):
        return FullDiskFile(super()._open_raw(path))


class FullDiskWarcCaptureMiddleware(WarcCaptureMiddleware):
    writer_class = FullDiskWarcFileWriter


#: ``DOWNLOADER_MIDDLEWARES`` with the full-disk capture in place of the real one
WARC_MIDDLEWARES = {"crawler.middlewares.warc.WarcCaptureMiddleware": None,
                    "tests.support.fulldisk.FullDiskWarcCaptureMiddleware": 950}
