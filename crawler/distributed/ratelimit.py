"""One politeness budget per site for the whole fleet, kept in Redis.

Without it every worker applies ``DOWNLOAD_DELAY``, AutoThrottle and
``CONCURRENT_REQUESTS_PER_DOMAIN`` on its own, so N workers hit one site N times as hard.
:class:`FleetRateLimitMiddleware` (downloader middleware, order 950: the last step before the
download; enabled by :class:`crawler.distributed.addon.DistributedAddon` in distributed mode only)
makes every worker take a *lease* from Redis before a request goes out, with one atomic Lua
script per site (:data:`ACQUIRE_LUA`, Redis server time: one clock for every machine):

- at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` leases per site are out at a time, fleet-wide
  (a lease is returned when the response or the error comes back; a lease of a worker that died
  goes back when the worker is reaped, or after ``DOWNLOAD_TIMEOUT`` + 5 s at the latest);
- two leases for one site start at least the site's delay apart, fleet-wide: the configured
  ``DOWNLOAD_DELAY`` (fixed, not randomized: the bound holds for every pair of requests) plus
  ``DISTRIBUTED_RATE_MARGIN`` (default 0.1, i.e. 10 %: between the lease and the request
  reaching the site a busy worker may lose tens of milliseconds, which would otherwise let
  two requests arrive closer than the delay), or with
  AutoThrottle on, AutoThrottle's own rule fed by the latency every worker sees (one shared
  delay per site: ``max(DOWNLOAD_DELAY, latency / AUTOTHROTTLE_TARGET_CONCURRENCY)``, smoothed,
  capped by ``AUTOTHROTTLE_MAX_DELAY``, never lowered by an error response);
- a 429/503 with ``Retry-After`` seen by any worker pauses that site for every worker (capped at
  ``RETRY_AFTER_MAX``, as :mod:`crawler.middlewares.domain_pause` does within one process).

A site is its ``host:port``. The add-on moves the configured ``DOWNLOAD_DELAY`` and
``AUTOTHROTTLE_ENABLED`` here (``DISTRIBUTED_DOWNLOAD_DELAY``, ``DISTRIBUTED_AUTOTHROTTLE``) and
turns the per-worker ones off, so the fleet budget is the only delay (the per-worker concurrency
limit stays, and is never reached). ``DISTRIBUTED_RATE_LIMIT = False`` keeps the old per-worker
politeness instead.

Redis keys (shared by every run on the same Redis, so two runs on one site share its budget):
``<DISTRIBUTED_KEY_PREFIX>:site:<host:port>`` (hash: ``delay``, ``next``, ``concurrency``,
``paused_until``, ``granted``, ``pauses``), ``...:leases`` (zset lease -> expiry), ``...:recent``
(zset ``worker|lease`` -> start time, the last 60 s, for ``crawler fleet``); they expire an hour
after the site's last request. The run's ``<base>:sites`` set names the sites it used.

Stats: ``fleet_rate/granted``, ``fleet_rate/waited`` (requests that had to wait),
``fleet_rate/wait_seconds`` (total), ``fleet_rate/max_wait``, ``fleet_rate/waits/<delay|busy|paused>``
(wait rounds by cause), ``fleet_rate/pauses_set`` (Retry-After pauses this worker announced).

Settings: ``DISTRIBUTED_RATE_LIMIT`` (True), ``DISTRIBUTED_RATE_MARGIN`` (0.1), ``DISTRIBUTED_DOWNLOAD_DELAY``,
``DISTRIBUTED_AUTOTHROTTLE`` (set by the add-on), ``CONCURRENT_REQUESTS_PER_DOMAIN``,
``AUTOTHROTTLE_START_DELAY``, ``AUTOTHROTTLE_MAX_DELAY``, ``AUTOTHROTTLE_TARGET_CONCURRENCY``,
``DOWNLOAD_TIMEOUT``, ``RETRY_AFTER_MAX``, ``REDIS_URL``, ``WORKER_ID``.
"""

from __future__ import annotations

import itertools
import logging
import time

import redis
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.distributed.scheduler import _SCHEDULERS
from crawler.middlewares.domain_pause import PAUSE_STATUSES, _sleep
from crawler.middlewares.retry_after import retry_after_seconds

logger = logging.getLogger(__name__)

#: longest single sleep while waiting (then the lease is asked for again)
MAX_STEP = 1.0
#: re-ask interval while the site's concurrency is used up (doubling up to BUSY_POLL_MAX)
BUSY_POLL = 0.02
BUSY_POLL_MAX = 0.08
RECENT_WINDOW = 60
KEY_TTL = 3600

# KEYS: site, leases, recent, run sites   ARGV: lease, worker, site, min delay, start delay, concurrency, lease ttl
# -> {'ok', 0} or {'delay'|'busy'|'paused', seconds to wait}
ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused_until') or '0')
if paused > now then return {'paused', tostring(paused - now)} end
local conc = tonumber(ARGV[6])
redis.call('HSET', KEYS[1], 'concurrency', conc)
if redis.call('ZCARD', KEYS[2]) >= conc then return {'busy', tostring(0)} end
local mind = tonumber(ARGV[4])
local delay = tonumber(redis.call('HGET', KEYS[1], 'delay') or '-1')
if delay < 0 then delay = math.max(mind, tonumber(ARGV[5])) end
delay = math.max(delay, mind)
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if nxt > now then return {'delay', tostring(nxt - now)} end
redis.call('HSET', KEYS[1], 'next', tostring(now + delay), 'delay', tostring(delay), 'last_grant', tostring(now))
redis.call('HINCRBY', KEYS[1], 'granted', 1)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[7]), ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[2] .. '|' .. ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 60)
redis.call('SADD', KEYS[4], ARGV[3])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], 3600) end
return {'ok', '0'}
"""

# KEYS: site, leases   ARGV: lease, latency ('' none), status, autothrottle (0/1), target concurrency, min delay, max delay
# AutoThrottle's rule (scrapy.extensions.throttle), on the one shared delay of the site
RELEASE_LUA = """
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[4] == '1' and ARGV[2] ~= '' then
  local target = tonumber(ARGV[2]) / tonumber(ARGV[5])
  local cur = tonumber(redis.call('HGET', KEYS[1], 'delay') or ARGV[6])
  local new = math.max(target, (cur + target) / 2)
  new = math.min(math.max(tonumber(ARGV[6]), new), tonumber(ARGV[7]))
  if ARGV[3] == '200' or new > cur then
    redis.call('HSET', KEYS[1], 'delay', tostring(new))
    local nxt = tonumber(redis.call('HGET', KEYS[1], 'last_grant') or '0') + new
    if nxt > tonumber(redis.call('HGET', KEYS[1], 'next') or '0') then redis.call('HSET', KEYS[1], 'next', tostring(nxt)) end
  end
end
return 1
"""

# KEYS: site   ARGV: seconds   -> the pause end (server time)
PAUSE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local untl = now + tonumber(ARGV[1])
if untl > tonumber(redis.call('HGET', KEYS[1], 'paused_until') or '0') then
  redis.call('HSET', KEYS[1], 'paused_until', tostring(untl))
  redis.call('HINCRBY', KEYS[1], 'pauses', 1)
  redis.call('EXPIRE', KEYS[1], 3600)
  return 1
end
return 0
"""


def site_of(request: Request) -> str:
    """``host:port`` of *request* (the default port of its scheme when none is given)."""
    parts = urlparse_cached(request)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def site_key(prefix: str, site: str) -> str:
    return f"{prefix}:site:{site}"


class FleetRateLimitMiddleware:
    """See the module docstring."""

    def __init__(self, crawler):
        settings = crawler.settings
        url = settings.get("REDIS_URL")
        if not url or not settings.getbool("DISTRIBUTED_RATE_LIMIT", True):
            raise NotConfigured("fleet rate limit: distributed mode only")
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30, retry_on_timeout=True)
        self.prefix = settings.get("DISTRIBUTED_KEY_PREFIX") or "crawler"
        self.base_template = settings.get("DISTRIBUTED_BASE_KEY") or f"{self.prefix}:%(spider)s"
        self.worker_id = settings.get("WORKER_ID") or "worker"
        margin = max(0.0, settings.getfloat("DISTRIBUTED_RATE_MARGIN", 0.1))
        self.configured_delay = max(0.0, settings.getfloat("DISTRIBUTED_DOWNLOAD_DELAY", settings.getfloat("DOWNLOAD_DELAY", 0.0)))
        self.min_delay = self.configured_delay * (1.0 + margin)
        self.autothrottle = settings.getbool("DISTRIBUTED_AUTOTHROTTLE", False)
        self.start_delay = settings.getfloat("AUTOTHROTTLE_START_DELAY", 5.0) if self.autothrottle else 0.0
        self.max_delay = settings.getfloat("AUTOTHROTTLE_MAX_DELAY", 60.0)
        self.target_concurrency = max(0.01, settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY", 1.0))
        self.concurrency = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8))
        self.lease_ttl = settings.getfloat("DOWNLOAD_TIMEOUT", 180.0) + 5.0
        self.pause_cap = settings.getfloat("RETRY_AFTER_MAX", 60.0)
        self._acquire = self.server.register_script(ACQUIRE_LUA)
        self._release = self.server.register_script(RELEASE_LUA)
        self._pause = self.server.register_script(PAUSE_LUA)
        self._seq = itertools.count(1)
        self.stats.set_value("fleet_rate/delay", self.min_delay)
        self.stats.set_value("fleet_rate/concurrency", self.concurrency)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _sites_key(self) -> str:
        scheduler = _SCHEDULERS.get(self.crawler)
        if scheduler is not None and hasattr(scheduler, "base"):
            return f"{scheduler.base}:sites"
        return f"{self.base_template % {'spider': getattr(self.crawler.spider, 'name', '')}}:sites"

    async def process_request(self, request: Request) -> None:
        site = site_of(request)
        key = site_key(self.prefix, site)
        lease = f"{self.worker_id}|{next(self._seq)}"
        keys = [key, f"{key}:leases", f"{key}:recent", self._sites_key()]
        args = [lease, self.worker_id, site, self.min_delay, self.start_delay, self.concurrency, self.lease_ttl]
        started = None
        busy = BUSY_POLL
        while True:
            status, wait = self._acquire(keys=keys, args=args)
            status = status.decode() if isinstance(status, bytes) else str(status)
            if status == "ok":
                break
            if started is None:
                started = time.monotonic()
            self.stats.inc_value(f"fleet_rate/waits/{status}")
            if status == "busy":
                seconds, busy = busy, min(BUSY_POLL_MAX, busy * 2)
            else:
                seconds = float(wait)
            await _sleep(min(MAX_STEP, max(0.001, seconds)))
        self.stats.inc_value("fleet_rate/granted")
        if started is not None:
            waited = time.monotonic() - started
            self.stats.inc_value("fleet_rate/waited")
            self.stats.inc_value("fleet_rate/wait_seconds", round(waited, 3))
            self.stats.max_value("fleet_rate/max_wait", round(waited, 3))
        request.meta["_fleet_lease"] = lease
        request.meta["_fleet_site"] = site
        return None

    def _give_back(self, request: Request, response: Response | None) -> None:
        lease = request.meta.pop("_fleet_lease", None)
        site = request.meta.pop("_fleet_site", None)
        if lease is None or site is None:
            return
        key = site_key(self.prefix, site)
        latency = request.meta.get("download_latency") if response is not None else None
        self._release(keys=[key, f"{key}:leases"], args=[
            lease, "" if latency is None else f"{float(latency):.6f}", response.status if response is not None else 0,
            1 if self.autothrottle else 0, self.target_concurrency, self.min_delay, self.max_delay])

    def process_response(self, request: Request, response: Response) -> Response:
        site = request.meta.get("_fleet_site") or site_of(request)
        self._give_back(request, response)
        if response.status in PAUSE_STATUSES:
            seconds = retry_after_seconds(response.headers.get(b"Retry-After"))
            if seconds is not None and seconds > 0:
                seconds = min(seconds, self.pause_cap)
                if self._pause(keys=[site_key(self.prefix, site)], args=[f"{seconds:.3f}"]):
                    self.stats.inc_value("fleet_rate/pauses_set")
                    logger.info("%s answered %d with Retry-After: pausing %s for %.1f s for every worker",
                                request.url, response.status, site, seconds)
        return response

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._give_back(request, None)
        return None
