"""Which taken requests a batch file covers: the request fingerprint of every review yielded.

:class:`BatchTrackerMiddleware` (spider middleware, order 5: it sees the spider's output last,
after every filter; added by :class:`crawler.distributed.addon.DistributedAddon` in distributed
mode only) tells the worker's scheduler (:class:`crawler.distributed.scheduler.WorkerScheduler`)
which review ids the callback of each request yielded, and when the callback has finished (its
new requests are then in the shared queue). The scheduler acknowledges a request -- takes it
out of the worker's pending set -- once its callback has finished and each of its reviews is
in a batch file that landed, or was dropped (unchanged, duplicate, invalid). A request whose
callback never ran (a download error, a redirect, a retry) stays pending until the worker
finishes; if the worker dies it is read again, which writes nothing twice (the reviews of landed
batches stay claimed by the dead worker).
"""

from __future__ import annotations

from itemadapter import ItemAdapter, is_item

from crawler.distributed.scheduler import _SCHEDULERS


class BatchTrackerMiddleware:
    """See the module docstring."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_spider_output(self, response, result):
        scheduler = _SCHEDULERS.get(self.crawler)
        if scheduler is None or response is None or response.request is None:
            async for out in result:
                yield out
            return
        fp = scheduler.fingerprint(response.request)
        async for out in result:
            if is_item(out):
                scheduler.item_yielded(fp, ItemAdapter(out).get("id") or None)
            yield out
        scheduler.callback_done(fp)
