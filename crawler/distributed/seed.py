"""Seeding once: only the first worker of a distributed run runs the spider's ``start()`` (a
Redis ``SET NX`` lock held by :class:`crawler.distributed.scheduler.WorkerScheduler`)."""

from __future__ import annotations

from crawler.distributed.scheduler import _SCHEDULERS


class SeedOnceMiddleware:
    """Spider middleware: only the first worker of a run runs the spider's ``start()``."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        scheduler = _SCHEDULERS.get(self.crawler)
        if scheduler is None:  # not in distributed mode
            async for item_or_request in start:
                yield item_or_request
            return
        if not await scheduler.wait_for_seed_turn():
            return
        async for item_or_request in start:
            yield item_or_request
        scheduler.seed_done()
