"""Item pipelines, one per module, each a thin wrapper over a pure function, with stats.

Order (``ITEM_PIPELINES`` in :mod:`crawler.settings`): normalize (100), validate (200),
state (250), dedup (300). Distributed mode adds :class:`crawler.distributed.dedup.RunDedupPipeline` (310).
"""
