"""Write the crawl's final stats to a JSON file (for tests, monitors and scripts).

Setting ``STATS_DUMP_PATH``: when set, the extension :class:`StatsDump` writes every stats
value of the crawl (``pages/failed/<reason>``, ``rejects/<reason>``, ``reviews/...``, Scrapy's
own counters) as one JSON object to that path when the engine stops, atomically (temporary
file + rename). Datetimes are written as ISO 8601 strings. Unset (the default): nothing is
written. ``scrapy crawl avclub -s STATS_DUMP_PATH=stats.json``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from scrapy import signals


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class StatsDump:
    """See the module docstring."""

    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.path = Path(path)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        path = crawler.settings.get("STATS_DUMP_PATH")
        if not path:
            raise NotConfigured
        return cls(crawler, str(path))

    def engine_stopped(self) -> None:
        stats = {k: _jsonable(v) for k, v in sorted(self.crawler.stats.get_stats().items())}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        temp.write_text(json.dumps(stats, indent=1, ensure_ascii=False) + "\n", "utf-8")
        os.replace(temp, self.path)
