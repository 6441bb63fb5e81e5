"""The reject file: every page that should have become a review and did not, with the reason.

Components report a reject by sending the :data:`page_rejected` signal
(``url``, ``reason``, optional ``detail`` and ``record``); :class:`RejectsWriter` counts it in
stats (``rejects/<reason>``) and writes one JSON line to the reject file, atomically renamed
into place when the crawl closes.

Settings: ``REJECTS_URI`` — the reject file path (``%(name)s`` and ``%(time)s`` are filled in).
Default: ``<first feed file>.rejects.jsonl`` next to the output; with no file feed,
``output/<spider>/<time>.rejects.jsonl``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from w3lib.url import file_uri_to_path

from crawler.security import redact
from crawler.output.atomic import AtomicFile
from crawler.output.jsonl import dumps_record

logger = logging.getLogger(__name__)

#: signal sent with ``url``, ``reason``, ``detail`` (str) and ``record`` (dict or None)
page_rejected = object()


def rejects_path_for(feed_uri: str) -> Path:
    """``out.jsonl`` -> ``out.rejects.jsonl`` (``out.jsonl.gz`` -> ``out.rejects.jsonl``)."""
    path = Path(file_uri_to_path(feed_uri) if feed_uri.startswith("file:") else feed_uri)
    name = path.name
    for suffix in (".gz", ".jsonl", ".jsonlines", ".json"):
        name = name.removesuffix(suffix)
    return path.with_name(f"{name}.rejects.jsonl")


def reject_line(url: str, reason: str, detail: str = "", record: dict | None = None) -> bytes:
    """One line of a reject file (``url``, ``reason``, ``detail``, ``at``, ``record``), credentials redacted."""
    url, detail = redact(url), redact(detail or "")  # no credentials in the reject file
    line = {"url": url, "reason": reason, "detail": detail or None,
            "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "record": record}
    return (dumps_record(line) + "\n").encode("utf-8", "surrogatepass")


class RejectsWriter:
    """Writes the reject file and counts rejects (see the module docstring)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.file: AtomicFile | None = None
        self.path: Path | None = None
        self.count = 0
        crawler.signals.connect(self.page_rejected, signal=page_rejected)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _resolve_path(self, spider) -> Path:
        settings = self.crawler.settings
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace(":", "-").replace("+00-00", "")
        configured = settings.get("REJECTS_URI")
        if configured:
            return Path(str(configured) % {"name": spider.name, "time": now})
        for uri in (settings.getdict("FEEDS") or {}):
            uri = str(uri)
            if "://" not in uri or uri.startswith("file:"):
                feed_path = uri % {"name": spider.name, "time": now, "batch_time": now, "batch_id": 1, "run_id": getattr(spider, "run_id", now)}
                return rejects_path_for(feed_path)
        return Path("output") / spider.name / f"{now}.rejects.jsonl"

    def page_rejected(self, url: str, reason: str, detail: str = "", record: dict | None = None, spider=None) -> None:
        spider = spider or self.crawler.spider
        self.count += 1
        self.stats.inc_value(f"rejects/{reason}")
        self.stats.inc_value("rejects/total")
        if self.file is None:
            self.path = self._resolve_path(spider)
            self.file = AtomicFile(self.path, append=False)
            self.stats.set_value("rejects/path", str(self.path))
        self.file.write(reject_line(url, reason, detail, record))
        logger.info("Rejected %s: %s %s", redact(url), reason, redact(detail or ""))

    def spider_closed(self, spider, reason) -> None:
        if self.file is not None:
            self.file.close()
