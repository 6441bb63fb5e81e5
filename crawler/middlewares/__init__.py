"""Downloader and spider middlewares, one per module.

- :mod:`~crawler.middlewares.conditional` (spider): ``lastmod``, date-range and backfill filters
  and conditional requests, keyed on request meta;
- :mod:`~crawler.middlewares.retry_after` (downloader): retries honouring ``Retry-After``;
- :mod:`~crawler.middlewares.domain_pause` (downloader): a 429/503 with ``Retry-After`` pauses
  the whole domain;
- :mod:`~crawler.middlewares.credentials` (downloader): no URL credentials on the wire.
"""
