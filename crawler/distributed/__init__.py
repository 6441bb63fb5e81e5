"""Distributed mode: many workers share one crawl through Redis (scrapy-redis underneath).

:mod:`~crawler.distributed.addon` (the switch and the settings; imports no Redis),
:mod:`~crawler.distributed.scheduler` (queue, pending sets, heartbeats; loaded only with a Redis
URL), :mod:`~crawler.distributed.seed` (only the first worker seeds), and
:mod:`~crawler.distributed.dedup` (one record per id across workers).
"""
