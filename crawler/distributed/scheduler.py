"""The scrapy-redis side of distributed mode (loaded only when a Redis URL is set; see
:mod:`crawler.distributed.addon` for the settings and the overall design).

scrapy-redis 0.9.1 gives the shared priority queue (``scrapy_redis.queue.PriorityQueue``: requests
in a sorted set, here as JSON, see :mod:`crawler.distributed.serialize`), the shared seen-set (``scrapy_redis.dupefilter.RFPDupeFilter``) and the
scheduler. What it does not do, and this module adds:

- **Nothing lost when a worker dies, at most one batch re-read.** scrapy-redis pops a request
  and forgets it: a killed worker loses everything it had taken. Here a pop moves the request
  atomically (Lua) from the queue into the worker's *pending* set. A request leaves the pending
  set (is acknowledged) when its callback has finished and each of its reviews is in a batch
  file about to land or was dropped (:mod:`crawler.distributed.batches`,
  :mod:`crawler.distributed.storage`; :meth:`WorkerScheduler.commit_batch` also commits the
  batch's claims on review ids, just before the rename); requests whose callback never ran
  (download errors, redirects, retries) stay pending until the worker's feeds are closed. A
  worker whose heartbeat stops for ``DISTRIBUTED_WORKER_TIMEOUT`` is declared dead by any other
  worker: its pending requests go back to the queue (Lua, so two reapers never both requeue),
  its uncommitted claims are released and its rate-limit leases returned; its landed batches
  stay, and their reviews stay claimed, so the re-read pages write each review exactly once in
  the union of all landed files.
- **Seeding once.** :class:`crawler.distributed.seed.SeedOnceMiddleware` (``process_start``) lets only the first worker
  run the spider's ``start()`` (``SET NX`` lock, released if that worker dies before it is done);
  the others wait for the seed to finish, then take work from the queue.
- **Waiting, not exiting, and stopping together.** scrapy-redis' own spider idling is tied to
  ``RedisSpider`` and ``start_requests`` (deprecated since Scrapy 2.13; our spiders use
  ``async def start()``). Instead :class:`WorkerScheduler` keeps the spider open while the run is
  busy and polls the queue (``engine.crawl`` wakes the engine at once instead of its 5-second
  heartbeat); it stops when the queue is empty and every live worker is idle for
  ``DISTRIBUTED_IDLE_TIMEOUT``.
- **Persistence.** scrapy-redis flushes the queue and seen-set when a worker closes unless
  ``SCHEDULER_PERSIST``; here the first worker to finish never flushes: only the last registered
  worker out, with the queue empty, deletes the run's keys (so the next run starts fresh), and a
  run whose last worker died stays in Redis and is resumed by the next worker started.
- **No deprecated calls**: stats without the ``spider`` argument (scrapy-redis passes it, which
  Scrapy 2.19 deprecates), no ``start_requests``, no ``RedisSpider``.

Redis keys, under ``<DISTRIBUTED_KEY_PREFIX>:<run>`` (run = ``DISTRIBUTED_RUN`` or the spider
name): ``requests`` (queue), ``dupefilter`` (seen-set), ``workers`` (zset: worker -> last
heartbeat, Redis server time), ``state`` (hash: worker -> busy/idle), ``pending:<worker>``
(zset like the queue), ``seed`` (lock: worker id, then ``done``), ``items`` (hash: review id ->
worker), ``claims:<worker>`` (set of review ids not yet in a landed batch), ``run`` (hash: run
id, start time), ``refused`` (list: queue entries that were not JSON requests, last 1000),
``sites`` (set of ``host:port`` the run fetched from, see :mod:`crawler.distributed.ratelimit`),
``landing:<worker>`` (the batch being renamed into place).

Settings: those in :mod:`crawler.distributed.addon`.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import weakref
from collections import deque
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as ScrapyRedisScheduler
from itemadapter import ItemAdapter
from twisted.internet.task import LoopingCall, deferLater

from crawler.distributed.serialize import RequestRefused, decode_request, encode_request


logger = logging.getLogger(__name__)

#: the scheduler of each running crawler (the middleware and pipeline find it here)
_SCHEDULERS: "weakref.WeakKeyDictionary[Any, WorkerScheduler]" = weakref.WeakKeyDictionary()

SEED_DONE = b"done"

# KEYS: queue, pending, state[, workers: nothing for a worker no longer registered]   ARGV: worker
POP_LUA = """
if KEYS[4] and not redis.call('ZSCORE', KEYS[4], ARGV[1]) then return false end
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('ZADD', KEYS[2], r[2], r[1])
redis.call('HSET', KEYS[3], ARGV[1], 'busy')
return r[1]
"""

# KEYS: seen-set, queue   ARGV: fingerprint ('' for dont_filter), score, request
# (one step: a worker killed between "seen" and "queued" would lose the request)
PUSH_LUA = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: pending, queue   ARGV: members to move back (none: all of them)
REQUEUE_LUA = """
local moved = 0
local members = ARGV
if #members == 0 then members = redis.call('ZRANGE', KEYS[1], 0, -1) end
for _, m in ipairs(members) do
  local s = redis.call('ZSCORE', KEYS[1], m)
  if s then
    redis.call('ZADD', KEYS[2], s, m)
    redis.call('ZREM', KEYS[1], m)
    moved = moved + 1
  end
end
return moved
"""

# KEYS: workers   ARGV: worker, now   -> 0 when the worker is no longer registered (evicted)
HEARTBEAT_LUA = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
"""

# KEYS: workers, state, queue, items, seed   ARGV: deadline, pending prefix, claims prefix
# [, run sites set, site key prefix: the dead workers' rate-limit leases are given back
#  [, landing prefix: a batch a dead worker was landing is returned as 'worker record']]
# -> {dead, requeued, landing records...}
REAP_LUA = """
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local requeued = 0
local landings = {}
local sites = {}
if ARGV[4] then sites = redis.call('SMEMBERS', ARGV[4]) end
for _, w in ipairs(dead) do
  for _, s in ipairs(sites) do
    local lk = ARGV[5] .. s .. ':leases'
    for _, l in ipairs(redis.call('ZRANGE', lk, 0, -1)) do
      if string.sub(l, 1, #w + 1) == w .. '|' then redis.call('ZREM', lk, l) end
    end
  end
  local pk = ARGV[2] .. w
  local p = redis.call('ZRANGE', pk, 0, -1, 'WITHSCORES')
  for i = 1, #p, 2 do
    redis.call('ZADD', KEYS[3], p[i + 1], p[i])
    requeued = requeued + 1
  end
  redis.call('DEL', pk)
  local ck = ARGV[3] .. w
  for _, id in ipairs(redis.call('SMEMBERS', ck)) do
    if redis.call('HGET', KEYS[4], id) == w then redis.call('HDEL', KEYS[4], id) end
  end
  redis.call('DEL', ck)
  redis.call('ZREM', KEYS[1], w)
  redis.call('HDEL', KEYS[2], w)
  if redis.call('GET', KEYS[5]) == w then redis.call('DEL', KEYS[5]) end
  if ARGV[6] then
    local rec = redis.call('GET', ARGV[6] .. w)
    if rec then table.insert(landings, w .. ' ' .. rec); redis.call('DEL', ARGV[6] .. w) end
  end
end
local out = {#dead, requeued}
for _, l in ipairs(landings) do table.insert(out, l) end
return out
"""

# KEYS: workers, state, queue, pending, claims, then the run's keys to delete when last out
# ARGV: worker   -> 1 when this was the last worker and the run's keys were deleted
LEAVE_LUA = """
redis.call('DEL', KEYS[4], KEYS[5])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[3]) == 0 then
  for i = 6, #KEYS do redis.call('DEL', KEYS[i]) end
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
"""

# KEYS: items, claims[, workers: never for a worker no longer registered]   ARGV: review id, worker
# -> 1 when this worker may emit it
CLAIM_LUA = """
if KEYS[3] and not redis.call('ZSCORE', KEYS[3], ARGV[2]) then return 0 end
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if not owner then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  return 1
end
if owner == ARGV[2] then return 1 end
return 0
"""


# KEYS: workers, pending, claims, landing   ARGV: worker, number of pending members, landing record
# ('' none), members..., review ids...   -> 0 when this worker is no longer registered (evicted:
# nothing acknowledged), else 1
ACK_LUA = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local n = tonumber(ARGV[2])
for i = 4, 3 + n do redis.call('ZREM', KEYS[2], ARGV[i]) end
for i = 4 + n, #ARGV do redis.call('SREM', KEYS[3], ARGV[i]) end
if ARGV[3] ~= '' then redis.call('SET', KEYS[4], ARGV[3]) end
return 1
"""

# KEYS: items, claims   ARGV: worker   -> review ids released (claimed by this worker, never committed)
RELEASE_CLAIMS_LUA = """
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HGET', KEYS[1], id) == ARGV[1] then redis.call('HDEL', KEYS[1], id); n = n + 1 end
end
redis.call('DEL', KEYS[2])
return n
"""


def _review_ids(path: Path, gz: bool) -> list[str]:
    """The ``id`` of every line of a JSON Lines output file (gzip-compressed when *gz*)."""
    ids = []
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as f:
        for line in f:
            if line.strip():
                item_id = json.loads(line).get("id")
                if item_id:
                    ids.append(item_id)
    return ids


def _sleep(seconds: float):
    from twisted.internet import reactor

    return maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class ReliablePriorityQueue(PriorityQueue):
    """scrapy-redis' priority queue with a pop that parks the request in a pending set, and
    requests stored as JSON (:mod:`crawler.distributed.serialize`), never pickled: a pickle
    or any other entry found in the queue is refused (:class:`RequestRefused`), not run."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self._pop_script = server.register_script(POP_LUA)
        self._push_script = server.register_script(PUSH_LUA)

    def _encode_request(self, request):
        return encode_request(request, self.spider)

    def _decode_request(self, encoded_request):
        return decode_request(encoded_request, self.spider)

    def push_unseen(self, request, seen_key: str, fingerprint: str | None) -> bool:
        """Mark *fingerprint* seen and queue *request* in one atomic step; False when it was
        seen already (``fingerprint`` None: no filtering, as for ``dont_filter``)."""
        data = self._encode_request(request)
        return bool(self._push_script(keys=[seen_key, self.key], args=[fingerprint or "", -request.priority, data]))

    def pop_to_pending(self, pending_key: str, state_key: str, worker_id: str, workers_key: str | None = None):
        """Take the best request; returns ``(request, raw)`` or None. Atomically: out of the
        queue, into *pending_key*, and the worker marked busy; nothing when *workers_key* is
        given and no longer lists *worker_id* (the others declared it dead and took its work)."""
        raw = self._pop_script(keys=[self.key, pending_key, state_key, *([workers_key] if workers_key else [])], args=[worker_id])
        if not raw:
            return None
        try:
            return self._decode_request(raw), raw
        except RequestRefused as exc:
            exc.raw = raw
            raise


class WorkerScheduler(ScrapyRedisScheduler):
    """scrapy-redis' scheduler as one worker of a shared run (see the module docstring)."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = cls.from_settings(crawler.settings)  # scrapy-redis: connects and pings
        scheduler.stats = crawler.stats
        scheduler._setup(crawler)
        return scheduler

    def _setup(self, crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.worker_id: str = settings.get("WORKER_ID")
        self.heartbeat = max(0.05, settings.getfloat("DISTRIBUTED_HEARTBEAT", 1.0))
        self.worker_timeout = settings.getfloat("DISTRIBUTED_WORKER_TIMEOUT", 30.0)
        self.idle_timeout = settings.getfloat("DISTRIBUTED_IDLE_TIMEOUT", 30.0)
        self.base_template: str = settings.get("DISTRIBUTED_BASE_KEY")
        self.prefix: str = settings.get("DISTRIBUTED_KEY_PREFIX") or "crawler"
        # requests a worker may hold in its downloader: more would sit in its per-domain queue
        # (politeness delay) while other workers starve
        self.prefetch = settings.getint("DISTRIBUTED_PREFETCH") or 2 * max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8))
        self.idle = False
        self.closing = False
        self.finishing = False
        self.quiet_since: float | None = None
        self._local: deque = deque()
        self._inject = None
        self._loop: LoopingCall | None = None
        self._left = False
        self._requeue = self.server.register_script(REQUEUE_LUA)
        self._heartbeat = self.server.register_script(HEARTBEAT_LUA)
        self._reap = self.server.register_script(REAP_LUA)
        self._leave = self.server.register_script(LEAVE_LUA)
        self._claim = self.server.register_script(CLAIM_LUA)
        self._ack = self.server.register_script(ACK_LUA)
        self._release_claims = self.server.register_script(RELEASE_CLAIMS_LUA)
        # acknowledgement per committed batch (see "Batches" in the module docstring)
        self._taken: dict[str, list] = {}      # fingerprint -> pending members taken for it
        self._open: dict[str, int] = {}        # fingerprint -> its items not yet committed or dropped
        self._done: set[str] = set()           # fingerprints whose callback has finished
        self._fp_of_id: dict[str, list[str]] = {}  # review id -> fingerprints that yielded it
        self._landing: tuple[list, list] | None = None  # (requests, review ids) of the batch being renamed
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        _SCHEDULERS[crawler] = self

    # ------------------------------------------------------------------ keys and time
    def _keys(self, spider) -> None:
        base = self.base_template % {"spider": spider.name}
        self.base = base
        self.k_workers = f"{base}:workers"
        self.k_state = f"{base}:state"
        self.k_pending = f"{base}:pending:{self.worker_id}"
        self.k_claims = f"{base}:claims:{self.worker_id}"
        self.k_seed = f"{base}:seed"
        self.k_items = f"{base}:items"
        self.k_run = f"{base}:run"
        self.k_refused = f"{base}:refused"
        self.k_sites = f"{base}:sites"
        self.k_landing = f"{base}:landing:{self.worker_id}"

    def now(self) -> float:
        """Redis server time: one clock for every machine of the run."""
        sec, usec = self.server.time()
        return sec + usec / 1e6

    # ------------------------------------------------------------------ lifecycle
    def open(self, spider):
        super().open(spider)  # queue and dupefilter from scrapy-redis
        self._keys(spider)
        now = self.now()
        pipe = self.server.pipeline(transaction=True)
        pipe.zadd(self.k_workers, {self.worker_id: now})
        pipe.hset(self.k_state, self.worker_id, "busy")
        pipe.hsetnx(self.k_run, "id", f"{int(now)}-{self.worker_id}")
        pipe.hsetnx(self.k_run, "started_at", f"{now:.3f}")
        pipe.hget(self.k_run, "id")
        run_id = pipe.execute()[-1]
        self.run_id = run_id.decode() if isinstance(run_id, bytes) else str(run_id)
        self.stats.set_value("distributed/worker_id", self.worker_id)
        self.stats.set_value("distributed/run_id", self.run_id)
        logger.info("Distributed worker %s joined run %s (%s)", self.worker_id, self.run_id, self.base)
        self._reap_dead(now)  # a previous run's dead workers: their work comes back first
        self._loop = LoopingCall(self._tick)
        self._loop.start(self.heartbeat, now=False).addErrback(lambda f: logger.error("Worker loop failed: %s", f.getTraceback()))

    def close(self, reason):
        """Called after in-flight requests finished; the feeds are not closed yet, so nothing is
        acknowledged here (see :meth:`engine_stopped`). Never flushes (unlike scrapy-redis)."""
        self.closing = True
        leftovers = [raw for _, raw in self._local]
        self._local.clear()
        if leftovers:
            moved = self._requeue(keys=[self.k_pending, self.queue.key], args=leftovers)
            self.stats.inc_value("distributed/requeued_unstarted", moved)

    def engine_stopped(self) -> None:
        """Feeds are closed (atomically renamed) by now: acknowledge this worker's work and leave
        the run; the last worker out deletes the run's keys."""
        if self._left or not hasattr(self, "k_pending"):  # already left, or never opened
            return
        self._left = True
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        failed = {k: v for k, v in self.stats.get_stats().items() if k.startswith("feedexport/failed_count/") and v}
        if failed:
            moved = self._requeue(keys=[self.k_pending, self.queue.key], args=[])
            released = self._release_claims(keys=[self.k_items, self.k_claims], args=[self.worker_id])
            logger.error("Feed storage failed (%s): %d requests given back to the shared queue, %d review ids released",
                         failed, moved, released)
        flush_keys = [self.queue.key, self.df.key, self.k_seed, self.k_items, self.k_run, self.k_sites]
        last = self._leave(keys=[self.k_workers, self.k_state, self.queue.key, self.k_pending, self.k_claims, *flush_keys], args=[self.worker_id])
        logger.info("Distributed worker %s left run %s%s", self.worker_id, self.run_id, " (last out: run keys cleared)" if last else "")

    # ------------------------------------------------------------------ scheduler interface
    def enqueue_request(self, request):
        if request is self._inject:  # a request this worker already took (see _pump)
            self._inject = None
            self._local.append((request, self._inject_raw))
            return True
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        try:
            pushed = self.queue.push_unseen(request, self.df.key, fingerprint)
        except RequestRefused as exc:
            self.stats.inc_value("distributed/requests_unserializable")
            logger.error("Request not queued (it cannot be stored as plain JSON): %s", exc)
            return False
        if not pushed:
            self.df.log(request, self.spider)
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self._local:
            return self._local.popleft()[0]
        if self.closing or len(self.crawler.engine.downloader.active) >= self.prefetch:
            return None
        popped = self._pop()
        if popped is None:
            return None
        self._took()
        return popped[0]

    def _pop(self):
        """``(request, raw)`` of the best queued request, or None. An entry that is not a JSON
        request of this project (a planted pickle, say) is never decoded as code: it is taken out
        of the pending set into the run's ``refused`` list (the last 1000 kept, for inspection),
        counted in ``distributed/refused_requests`` and logged."""
        while True:
            try:
                popped = self.queue.pop_to_pending(self.k_pending, self.k_state, self.worker_id, self.k_workers)
            except RequestRefused as exc:
                raw = exc.raw
                pipe = self.server.pipeline(transaction=True)
                pipe.zrem(self.k_pending, raw)
                pipe.lpush(self.k_refused, raw)
                pipe.ltrim(self.k_refused, 0, 999)
                pipe.execute()
                self.stats.inc_value("distributed/refused_requests")
                logger.error("Refused a queue entry (%d bytes), moved to %s: %s", len(raw), self.k_refused, exc)
                continue
            if popped is not None:
                self._note_taken(*popped)
            return popped

    # ------------------------------------------------------------------ batches
    def fingerprint(self, request) -> str:
        return self.df.request_fingerprint(request)

    def _note_taken(self, request, raw) -> None:
        """Remember which pending entry *request* came from (acknowledged per batch)."""
        self._taken.setdefault(self.fingerprint(request), []).append(raw)

    def item_yielded(self, fingerprint: str, item_id: str | None) -> None:
        """The callback of the request *fingerprint* yielded the review *item_id*
        (:class:`crawler.distributed.batches.BatchTrackerMiddleware`); an item without an id
        keeps its request pending until the worker finishes."""
        self._open[fingerprint] = self._open.get(fingerprint, 0) + 1
        if item_id:
            self._fp_of_id.setdefault(item_id, []).append(fingerprint)

    def callback_done(self, fingerprint: str) -> None:
        """The callback of *fingerprint* has finished: its new requests are in the shared queue."""
        self._done.add(fingerprint)
        self._maybe_ack([fingerprint], [])

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        item_id = ItemAdapter(item).get("id") if item is not None else None
        fps = self._fp_of_id.get(item_id) if item_id else None
        if not fps or len(fps) != 1:  # unknown, or two requests yielded it: keep both pending
            return
        del self._fp_of_id[item_id]
        fp = fps[0]
        self._open[fp] = self._open.get(fp, 1) - 1
        self._maybe_ack([fp], [])

    def commit_batch(self, temp: Path, path: Path) -> None:
        """Called with a batch's complete temporary file just before it is renamed to *path*
        (:class:`crawler.distributed.storage.BatchCommitFeedStorage`): commit its reviews'
        claims and acknowledge the requests whose every review is in it (or was dropped)."""
        ids = _review_ids(temp, gz=Path(path).suffix == ".gz")
        touched = []
        for item_id in ids:
            fps = self._fp_of_id.get(item_id)
            if not fps:
                continue
            fp = fps.pop(0)
            if not fps:
                del self._fp_of_id[item_id]
            self._open[fp] = self._open.get(fp, 1) - 1
            touched.append(fp)
        landing = json.dumps({"path": str(path), "temp": str(temp), "reviews": len(ids)})
        members: list = []
        if not self._maybe_ack(touched, ids, landing=landing, acked=members):
            Path(temp).unlink(missing_ok=True)
            logger.critical("Batch %s not landed: this worker was declared dead before it was committed", path)
            self._evicted()
        self._landing = (members, ids)
        self.stats.inc_value("distributed/batches_committed")
        self.stats.inc_value("distributed/reviews_committed", len(ids))

    def batch_landed(self, path: Path) -> None:
        """The batch committed by :meth:`commit_batch` is renamed into place."""
        self._landing = None
        self.server.delete(self.k_landing)

    def batch_not_landed(self, path: Path) -> None:
        """Storing the batch failed after :meth:`commit_batch` (the rename): put its requests back
        in the pending set and its review ids back among the uncommitted claims, so that they
        are given back to the run like the rest of a failed worker's work."""
        members, ids = self._landing or ([], [])
        self._landing = None
        pipe = self.server.pipeline(transaction=True)
        for raw in members:
            pipe.zadd(self.k_pending, {raw: -int(json.loads(raw).get("priority", 0))})
        if ids:
            pipe.sadd(self.k_claims, *ids)
        pipe.delete(self.k_landing)
        pipe.execute()
        logger.error("Batch %s did not land: %d requests and %d review ids returned to this worker's pending work",
                     path, len(members), len(ids))

    def _maybe_ack(self, fingerprints: list[str], ids: list[str], landing: str = "", acked: list | None = None) -> bool:
        """Acknowledge (take out of the pending set) the requests of *fingerprints* that are done
        with every item committed or dropped, and commit the claims on *ids*; False when this
        worker was evicted meanwhile."""
        members = []
        for fp in dict.fromkeys(fingerprints):
            if fp in self._done and self._open.get(fp, 0) <= 0:
                members.extend(self._taken.pop(fp, ()))
                self._done.discard(fp)
                self._open.pop(fp, None)
        if not members and not ids and not landing:
            return True
        ok = bool(self._ack(keys=[self.k_workers, self.k_pending, self.k_claims, self.k_landing],
                            args=[self.worker_id, len(members), landing, *members, *ids]))
        if ok and members:
            self.stats.inc_value("distributed/requests_acknowledged", len(members))
        if acked is not None:
            acked.extend(members)
        return ok

    def has_pending_requests(self):
        return bool(self._local) or len(self.queue) > 0

    def _took(self) -> None:
        self.idle = False
        self.quiet_since = None
        self.stats.inc_value("scheduler/dequeued/redis")

    # ------------------------------------------------------------------ seeding
    async def wait_for_seed_turn(self) -> bool:
        """True when this worker must run ``start()`` (it holds the seed lock), False when
        another worker has seeded the run."""
        while not self.closing:
            if self.server.set(self.k_seed, self.worker_id, nx=True):
                self.stats.set_value("distributed/seeded", 1)
                logger.info("Worker %s seeds the run", self.worker_id)
                return True
            holder = self.server.get(self.k_seed)
            if holder == SEED_DONE:
                logger.info("Run already seeded; waiting for work from the shared queue")
                return False
            if holder is not None and holder.decode() == self.worker_id:
                return True
            await _sleep(self.heartbeat)
        return False

    def seed_done(self) -> None:
        self.server.set(self.k_seed, SEED_DONE)

    # ------------------------------------------------------------------ idling and stopping
    def spider_idle(self) -> None:
        if not self.idle:
            self.idle = True
            self.server.hset(self.k_state, self.worker_id, "idle")
        if self.finishing:
            return
        raise DontCloseSpider

    def _tick(self) -> None:
        """Heartbeat, reaping of dead workers, waking the engine, deciding to stop."""
        if self._left:
            return
        try:
            now = self.now()
            if not self._heartbeat(keys=[self.k_workers], args=[self.worker_id, f"{now:.6f}"]):
                self._evicted()
                return
            self._reap_dead(now)
            if self.closing or self.finishing or not self.idle:
                return
            if len(self.queue) > 0:
                self.quiet_since = None
                self._pump()
            elif self._run_is_quiet(now):
                if self.quiet_since is None:
                    self.quiet_since = now
                elif now - self.quiet_since >= self.idle_timeout:
                    self._finish()
            else:
                self.quiet_since = None
        except Exception:  # noqa: BLE001 - Redis hiccups must not kill the loop
            logger.warning("Distributed worker tick failed", exc_info=True)

    def _reap_dead(self, now: float) -> None:
        dead, requeued, *landings = self._reap(
            keys=[self.k_workers, self.k_state, self.queue.key, self.k_items, self.k_seed],
            args=[f"{now - self.worker_timeout:.6f}", f"{self.base}:pending:", f"{self.base}:claims:",
                  self.k_sites, f"{self.prefix}:site:", f"{self.base}:landing:"],
        )
        for landing in landings:
            worker, _, record = landing.decode().partition(" ")
            info = json.loads(record)
            self.stats.inc_value("distributed/batches_in_doubt")
            logger.error("Worker %s died while renaming its batch %s into place (%d reviews, committed): if that machine "
                         "has only %s, rename it to %s", worker, info["path"], info["reviews"], info["temp"], info["path"])
        if dead:
            self.stats.inc_value("distributed/dead_workers_reaped", dead)
            self.stats.inc_value("distributed/requeued_from_dead", requeued)
            logger.warning("Reaped %d dead worker(s): %d requests back in the shared queue", dead, requeued)

    def _run_is_quiet(self, now: float) -> bool:
        """Queue empty, seed done, every other registered worker idle and recently alive."""
        pipe = self.server.pipeline(transaction=True)
        pipe.zcard(self.queue.key)
        pipe.get(self.k_seed)
        pipe.zrange(self.k_workers, 0, -1, withscores=True)
        pipe.hgetall(self.k_state)
        queued, seed, workers, states = pipe.execute()
        if queued or seed != SEED_DONE:
            return False
        stale = min(self.worker_timeout, max(3 * self.heartbeat, 1.0))
        me = self.worker_id.encode()
        for worker, beat in workers:
            if worker == me:
                continue
            if states.get(worker) != b"idle" or now - beat > stale:
                return False
        return True

    def _pump(self) -> None:
        """Take one request and hand it to the engine now (``engine.crawl`` wakes it at once;
        the engine's own heartbeat would only look again after 5 seconds)."""
        engine = self.crawler.engine
        if self._local or engine.needs_backout():
            return
        popped = self._pop()
        if popped is None:
            return
        self._took()
        request, raw = popped
        self._inject, self._inject_raw = request, raw
        engine.crawl(request)
        if self._inject is request:  # dropped by a request_scheduled handler: give it back
            self._inject = None
            self._requeue(keys=[self.k_pending, self.queue.key], args=[raw])

    def _finish(self) -> None:
        self.finishing = True
        logger.info("Run %s is done (queue empty, all workers idle for %.1fs): closing worker %s", self.run_id, self.idle_timeout, self.worker_id)
        d = deferred_from_coro(self.crawler.engine.close_spider_async(reason="finished"))
        d.addErrback(lambda f: logger.error("Closing the spider failed: %s", f.getTraceback()))

    def _evicted(self) -> None:
        """The other workers declared this one dead and re-queued its work: its output must not
        land (it would duplicate theirs), so stop at once as a dead worker would."""
        logger.critical(
            "Worker %s was declared dead by the other workers (no heartbeat for %ss) and its work re-queued; "
            "exiting without writing output", self.worker_id, self.worker_timeout,
        )
        logging.shutdown()
        os._exit(70)

    # ------------------------------------------------------------------ review ids
    def claim_item(self, item_id: str) -> bool:
        return bool(self._claim(keys=[self.k_items, self.k_claims, self.k_workers], args=[item_id, self.worker_id]))
