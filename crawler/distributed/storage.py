"""The feed storage of distributed mode: a batch's reviews are committed in Redis just before
its file is renamed into place.

:class:`BatchCommitFeedStorage` (``FEED_STORAGES`` ``""`` and ``file`` in distributed mode with
batches, set by :class:`crawler.distributed.addon.DistributedAddon`) is
:class:`crawler.output.atomic.AtomicFileFeedStorage` plus one step between "temporary file
complete and fsynced" and "rename" (:attr:`crawler.output.atomic.AtomicFile.before_rename`): the
worker's scheduler reads the batch's review ids from the temporary file and, in one Lua call,
commits their claims (a dead worker's committed reviews stay its own, so nobody writes them
again), acknowledges the requests the batch covers and records the batch as *landing*; the
record is deleted once the rename is done. A worker killed in between (microseconds) leaves the
record: whoever reaps it logs the batch as in doubt (``distributed/batches_in_doubt``), naming
both paths. When the rename itself fails, the batch's requests and review ids go back to the
worker's pending work, which a worker whose feed storage failed gives back to the run. A worker that was declared dead before its commit never renames the batch: it
deletes the temporary file and exits (status 70).
"""

from __future__ import annotations

from crawler.distributed.scheduler import _SCHEDULERS
from crawler.output.atomic import AtomicFileFeedStorage


class BatchCommitFeedStorage(AtomicFileFeedStorage):
    """See the module docstring."""

    def open(self, spider):
        file = super().open(spider)
        scheduler = _SCHEDULERS.get(self.crawler) if self.crawler is not None else None
        if scheduler is not None:
            file.before_rename = lambda temp: scheduler.commit_batch(temp, self.path)
        return file

    def store(self, file) -> None:
        scheduler = _SCHEDULERS.get(self.crawler) if self.crawler is not None else None
        try:
            super().store(file)
        except BaseException:
            if scheduler is not None:
                scheduler.batch_not_landed(self.path)
            raise
        if scheduler is not None:
            scheduler.batch_landed(self.path)
