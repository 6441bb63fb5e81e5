"""Distributed mode: many workers share one crawl through Redis (scrapy-redis underneath).

Switched on by a Redis URL: the setting ``REDIS_URL`` (usually ``-s REDIS_URL=redis://host:6379/0``
on the command line) or the environment variable ``CRAWLER_REDIS_URL``. Without one this module
changes nothing and neither ``redis`` nor ``scrapy_redis`` is imported.

``-s`` options are invisible to ``crawler/settings.py``, so the switch is made by the Scrapy
add-on :class:`DistributedAddon` (listed in ``ADDONS``), which runs once the final settings are
known. In distributed mode it sets:

- ``SCHEDULER``: :class:`crawler.distributed.scheduler.WorkerScheduler`, scrapy-redis' scheduler with
  a shared priority queue and the shared seen-set (``scrapy_redis.dupefilter.RFPDupeFilter``), plus
  what scrapy-redis lacks: a per-worker *pending* set (requests taken but not yet durably in an
  output file; re-queued when the worker dies), a worker registry with heartbeats, and a shutdown
  rule (stop when the queue is empty and every worker is idle for ``DISTRIBUTED_IDLE_TIMEOUT``;
  only the last worker out clears the run's keys);
- a spider middleware so that only the first worker runs the spider's ``start()`` (a Redis lock);
  the others wait for work;
- an item pipeline dropping a review ``id`` already emitted by another worker of the run;
- the worker id in every feed file name (``out.jsonl`` -> ``out.<worker>.jsonl``), so workers
  started at the same second never overwrite each other's files (the reject file follows);
- batches as in a single-machine run for one local file feed (``batch_item_count``), each
  landed batch acknowledging the requests it covers (:mod:`crawler.distributed.batches`, the
  feed storage :mod:`crawler.distributed.storage` in ``FEED_STORAGES``); with
  several feeds or a remote one, no batches (one file per feed per worker, landing when the
  worker finishes);
- the state store (``STATE_PATH``) in the same Redis (:mod:`crawler.state.redis`) unless given;
- one politeness budget per site for the whole fleet (:mod:`crawler.distributed.ratelimit`):
  the configured ``DOWNLOAD_DELAY`` and ``AUTOTHROTTLE_ENABLED`` move to
  ``DISTRIBUTED_DOWNLOAD_DELAY`` / ``DISTRIBUTED_AUTOTHROTTLE`` and the per-worker ones are
  turned off (``DISTRIBUTED_RATE_LIMIT = False``: per-worker politeness, as before).

Settings (all optional):

``REDIS_URL`` / env ``CRAWLER_REDIS_URL``
    the Redis server shared by the workers (must be private: requests are plain JSON, never pickles
    (:mod:`crawler.distributed.serialize`), but a writer can still queue URLs)
``WORKER_ID`` / env ``CRAWLER_WORKER_ID``
    this worker's name (default ``<hostname>-<pid>``; letters, digits, ``.``, ``_``, ``-``)
``DISTRIBUTED_RUN``
    name of the shared run (default: the spider name); workers with the same run share a queue
``DISTRIBUTED_KEY_PREFIX``
    prefix of every Redis key (default ``crawler``)
``DISTRIBUTED_IDLE_TIMEOUT``
    seconds the whole run must stay idle (queue empty, every worker idle) before workers stop (30)
``DISTRIBUTED_HEARTBEAT``
    seconds between heartbeats and queue polls (1.0)
``DISTRIBUTED_WORKER_TIMEOUT``
    a worker silent for this many seconds is dead: its pending requests go back to the queue (30)
``DISTRIBUTED_RATE_LIMIT``
    one request budget per site for the whole fleet (True), see :mod:`crawler.distributed.ratelimit`
    (also ``DISTRIBUTED_RATE_MARGIN``, 0.1: the fleet delay is ``DOWNLOAD_DELAY`` plus 10 %)
"""

from __future__ import annotations

import os
import re
import socket
from typing import Any

REDIS_URL_ENV = "CRAWLER_REDIS_URL"
WORKER_ID_ENV = "CRAWLER_WORKER_ID"

SCHEDULER_PATH = "crawler.distributed.scheduler.WorkerScheduler"
QUEUE_PATH = "crawler.distributed.scheduler.ReliablePriorityQueue"
DUPEFILTER_PATH = "scrapy_redis.dupefilter.RFPDupeFilter"
START_MIDDLEWARE_PATH = "crawler.distributed.seed.SeedOnceMiddleware"
DEDUP_PIPELINE_PATH = "crawler.distributed.dedup.RunDedupPipeline"
RATE_LIMIT_PATH = "crawler.distributed.ratelimit.FleetRateLimitMiddleware"
BATCH_TRACKER_PATH = "crawler.distributed.batches.BatchTrackerMiddleware"
BATCH_STORAGE_PATH = "crawler.distributed.storage.BatchCommitFeedStorage"

DEFAULTS = {
    "DISTRIBUTED_KEY_PREFIX": "crawler",
    "DISTRIBUTED_IDLE_TIMEOUT": 30.0,
    "DISTRIBUTED_HEARTBEAT": 1.0,
    "DISTRIBUTED_WORKER_TIMEOUT": 30.0,
    "DISTRIBUTED_RATE_LIMIT": True,
}

#: compound suffixes kept at the end of a feed name when the worker id is inserted
_FEED_SUFFIXES = (".jsonl.gz", ".jsonlines.gz", ".json.gz", ".csv.gz", ".jsonl", ".jsonlines", ".json", ".csv", ".xml", ".gz")


def _local_uri(uri: str) -> bool:
    return "://" not in uri or uri.startswith("file:")


def redis_url(settings: Any) -> str | None:
    """The Redis URL that switches on distributed mode, or None (setting first, then env)."""
    return (settings.get("REDIS_URL") or os.environ.get(REDIS_URL_ENV) or "").strip() or None


def clean_worker_id(value: str) -> str:
    """A worker id usable in file names and Redis keys."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", value).strip("-.")
    if not cleaned:
        raise ValueError(f"unusable worker id {value!r}")
    return cleaned[:80]


def default_worker_id() -> str:
    return clean_worker_id(f"{socket.gethostname()}-{os.getpid()}")


def with_worker_id(uri: str, worker_id: str) -> str:
    """``output/%(name)s/%(time)s.jsonl`` -> ``output/%(name)s/%(time)s.<worker_id>.jsonl``.

    The id goes before the format suffix of the last path segment (``.jsonl.gz`` kept whole),
    or at the end when there is no known suffix. A URI already naming ``%(worker_id)s`` is
    filled in instead.
    """
    if "%(worker_id)s" in uri:
        return uri.replace("%(worker_id)s", worker_id)
    head, sep, name = uri.rpartition("/")
    lower = name.lower()
    for suffix in _FEED_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            name = f"{name[: -len(suffix)]}.{worker_id}{name[-len(suffix):]}"
            break
    else:
        name = f"{name}.{worker_id}"
    return f"{head}{sep}{name}"


class DistributedAddon:
    """Scrapy add-on: switches the crawl to distributed mode when a Redis URL is configured.

    ``ADDONS = {"crawler.distributed.addon.DistributedAddon": 0}`` in ``crawler/settings.py``.
    """

    def __init__(self, crawler: Any = None):
        self.crawler = crawler
        self.enabled = False
        self.worker_id: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "DistributedAddon":
        return cls(crawler)

    def update_settings(self, settings: Any) -> None:
        url = redis_url(settings)
        if not url:
            return
        self.enabled = True
        worker_id = clean_worker_id(settings.get("WORKER_ID") or os.environ.get(WORKER_ID_ENV) or default_worker_id())
        self.worker_id = worker_id
        # cmdline priority so that nothing later (or lower) changes what the workers agree on
        settings.set("REDIS_URL", url, priority="cmdline")
        settings.set("WORKER_ID", worker_id, priority="cmdline")
        for name, value in DEFAULTS.items():
            if settings.get(name) is None:
                settings.set(name, value, priority="addon")
        prefix = settings.get("DISTRIBUTED_KEY_PREFIX")
        run = settings.get("DISTRIBUTED_RUN")
        base = f"{prefix}:{run}" if run else f"{prefix}:%(spider)s"
        settings.set("SCHEDULER", SCHEDULER_PATH, priority="addon")
        settings.set("SCHEDULER_QUEUE_CLASS", QUEUE_PATH, priority="addon")
        settings.set("DUPEFILTER_CLASS", DUPEFILTER_PATH, priority="addon")
        settings.set("SCHEDULER_QUEUE_KEY", f"{base}:requests", priority="addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", f"{base}:dupefilter", priority="addon")
        settings.set("DISTRIBUTED_BASE_KEY", base, priority="addon")
        # The shared queue outlives any one worker: only the last worker out clears it.
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        settings["SPIDER_MIDDLEWARES"][START_MIDDLEWARE_PATH] = 10
        settings["ITEM_PIPELINES"][DEDUP_PIPELINE_PATH] = 310
        if settings.getbool("DISTRIBUTED_RATE_LIMIT"):
            # the fleet's budget per site (crawler/distributed/ratelimit.py) is the only delay
            if settings.get("DISTRIBUTED_DOWNLOAD_DELAY") is None:
                settings.set("DISTRIBUTED_DOWNLOAD_DELAY", settings.getfloat("DOWNLOAD_DELAY"), priority="addon")
            if settings.get("DISTRIBUTED_AUTOTHROTTLE") is None:
                settings.set("DISTRIBUTED_AUTOTHROTTLE", settings.getbool("AUTOTHROTTLE_ENABLED"), priority="addon")
            settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
            settings["DOWNLOADER_MIDDLEWARES"][RATE_LIMIT_PATH] = 950
        settings["SPIDER_MIDDLEWARES"][BATCH_TRACKER_PATH] = 5
        # Batches as in a single-machine run when there is one local file feed: each landed batch
        # commits its reviews' claims and acknowledges the requests it covers (a kill costs at
        # most the open batch). Several feeds, or a remote one, are one file per feed per worker,
        # landing when the worker finishes (its pending requests are acknowledged only then).
        feeds = settings.getdict("FEEDS")
        if feeds:
            batches = len(feeds) == 1 and _local_uri(str(next(iter(feeds))))
            renamed = {with_worker_id(str(uri), worker_id): dict(options or {}) if batches else {**dict(options or {}), "batch_item_count": 0}
                       for uri, options in feeds.items()}
            settings.set("FEEDS", renamed, priority=settings.getpriority("FEEDS"))
            if batches:
                for scheme in ("", "file"):
                    settings["FEED_STORAGES"][scheme] = BATCH_STORAGE_PATH
            else:
                settings.set("FEED_EXPORT_BATCH_ITEM_COUNT", 0, priority="cmdline")
        # One state ledger for all workers (crawler/state/redis.py) unless a location is given.
        if not settings.get("STATE_PATH"):
            settings.set("STATE_PATH", url, priority=max(settings.getpriority("STATE_PATH") or 0, 15))
        rejects = settings.get("REJECTS_URI")
        if rejects:
            settings.set("REJECTS_URI", with_worker_id(str(rejects), worker_id), priority=settings.getpriority("REJECTS_URI"))
