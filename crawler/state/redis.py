"""The crawl state in Redis, shared by every worker of a distributed run.

Same interface and contract as :class:`crawler.state.sqlite.SQLiteStateStore` (see
:mod:`crawler.state.base`); chosen by :func:`crawler.state.open.open_state` for a ``redis://`` /
``rediss://`` / ``unix://`` location. In distributed mode (:mod:`crawler.distributed.addon`) the add-on
points ``STATE_PATH`` at the run's Redis unless a state location is given explicitly, so all
workers read and write one ledger.

Keys, under ``crawler:state:<spider>:`` (separate from the run's queue keys, which the last
worker out deletes; the state lives on between runs): ``reviews`` (hash id -> JSON row),
``fetches`` (hash url -> JSON), ``outputs`` (hash path -> JSON, the output journal),
``watermarks`` (hash), ``runs`` (list of JSON summaries, newest first). Each write is one
atomic Redis call (a Lua script for :meth:`mark_emitted` and :meth:`forget_run`), so a worker
killed at any point leaves the ledger consistent. (There is no journal: Redis persistence, RDB or
AOF, and its replicas are the second copy of this state.) Use a separate Redis database per
environment (``redis://host:6379/1``).
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Mapping
from typing import Any

import redis

from crawler.state.base import StateStore, parts, utc_now

REVIEW_FIELDS = ("id", "url", "content_hash", "first_seen", "last_changed", "last_emitted_run")
FETCH_FIELDS = ("url", "id", "etag", "last_modified", "emitted_run")
OUTPUT_FIELDS = ("path", "run_id", "pid", "host", "started")
BATCH = 500

# KEYS: reviews, fetches, outputs   ARGV: now, run_id, output ('' for none), rows as JSON...
MARK_LUA = """
local now, run = ARGV[1], ARGV[2]
for i = 4, #ARGV do
  local row = cjson.decode(ARGV[i])
  local first, changed = now, now
  local old = redis.call('HGET', KEYS[1], row['id'])
  if old then
    local o = cjson.decode(old)
    first = o['first_seen']
    if o['content_hash'] == row['content_hash'] then changed = o['last_changed'] end
  end
  redis.call('HSET', KEYS[1], row['id'], cjson.encode({id = row['id'], url = row['url'],
    content_hash = row['content_hash'], first_seen = first, last_changed = changed, last_emitted_run = run}))
  local fu = row['fetch_url']
  if fu and fu ~= cjson.null and fu ~= '' then
    redis.call('HSET', KEYS[2], fu, cjson.encode({url = fu, id = row['id'], etag = row['etag'],
      last_modified = row['last_modified'], emitted_run = run}))
  end
end
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[3], ARGV[3]) end
return #ARGV - 3
"""


# KEYS: reviews, fetches   ARGV: run_id, ids to keep...
# One script, so atomic: every review whose last emitting run is ARGV[1] and that is not kept is
# deleted, with the fetches of those reviews recorded by that run (as the SQLite store does). It
# reads the two hashes with HSCAN inside the script (Redis >= 5 replicates a script's effects).
FORGET_LUA = """
local run = ARGV[1]
local keep = {}
for i = 2, #ARGV do keep[ARGV[i]] = true end
local gone = {}
local n = 0
local cursor = '0'
repeat
  local page = redis.call('HSCAN', KEYS[1], cursor, 'COUNT', 1000)
  cursor = page[1]
  local kv = page[2]
  for i = 1, #kv, 2 do
    local id = kv[i]
    if not keep[id] and not gone[id] and cjson.decode(kv[i + 1])['last_emitted_run'] == run then
      gone[id] = true
      n = n + redis.call('HDEL', KEYS[1], id)
    end
  end
until cursor == '0'
if n > 0 then
  local urls = {}
  cursor = '0'
  repeat
    local page = redis.call('HSCAN', KEYS[2], cursor, 'COUNT', 1000)
    cursor = page[1]
    local kv = page[2]
    for i = 1, #kv, 2 do
      local f = cjson.decode(kv[i + 1])
      if gone[f['id']] and f['emitted_run'] == run then urls[#urls + 1] = kv[i] end
    end
  until cursor == '0'
  for i = 1, #urls do redis.call('HDEL', KEYS[2], urls[i]) end
end
return n
"""


def _ordered(raw: bytes | str | None, fields: tuple[str, ...]) -> dict | None:
    if raw is None:
        return None
    data = json.loads(raw)
    return {f: data.get(f) for f in fields}


class RedisStateStore(StateStore):
    """The state store of :mod:`crawler.state.sqlite` on a Redis server (see the module docstring)."""

    def __init__(self, url: str, spider_name: str, *, prefix: str = "crawler:state"):
        self.url = url
        self.server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30, retry_on_timeout=True)
        self.server.ping()
        base = f"{prefix}:{spider_name}"
        self.k_reviews = f"{base}:reviews"
        self.k_fetches = f"{base}:fetches"
        self.k_outputs = f"{base}:outputs"
        self.k_watermarks = f"{base}:watermarks"
        self.k_runs = f"{base}:runs"
        self._mark = self.server.register_script(MARK_LUA)
        self._forget = self.server.register_script(FORGET_LUA)

    # reviews ------------------------------------------------------------
    def get(self, id: str) -> dict | None:  # noqa: A002
        return _ordered(self.server.hget(self.k_reviews, id), REVIEW_FIELDS)

    def mark_emitted(self, rows: Iterable[Mapping[str, Any]], run_id: str, output: str | None = None) -> int:
        now = utc_now()
        n = 0
        for part, last in parts(rows, BATCH):  # read as they come: a file's rows never all encoded at once
            encoded = [
                json.dumps({"id": r["id"], "url": r["url"], "content_hash": r["content_hash"], "fetch_url": r.get("fetch_url"),
                            "etag": r.get("etag"), "last_modified": r.get("last_modified")})
                for r in part
            ]
            out = str(output) if (output is not None and last) else ""  # the journal entry goes with the last part
            n += int(self._mark(keys=[self.k_reviews, self.k_fetches, self.k_outputs], args=[now, run_id, out, *encoded]))
        return n

    def forget_run(self, run_id: str, keep: set[str]) -> int:
        """As :meth:`crawler.state.sqlite.SQLiteStateStore.forget_run`, in one Lua script (atomic;
        it reads the whole ``reviews`` and ``fetches`` hashes: a rare recovery step)."""
        return int(self._forget(keys=[self.k_reviews, self.k_fetches], args=[run_id, *sorted(keep)]))

    def get_fetch(self, url: str) -> dict | None:
        return _ordered(self.server.hget(self.k_fetches, url), FETCH_FIELDS)

    def count(self) -> int:
        return int(self.server.hlen(self.k_reviews))

    # output journal -----------------------------------------------------
    def begin_output(self, path: str, run_id: str) -> None:
        entry = {"path": str(path), "run_id": run_id, "pid": os.getpid(), "host": socket.gethostname(), "started": utc_now()}
        self.server.hset(self.k_outputs, str(path), json.dumps(entry))

    def pending_outputs(self) -> list[dict]:
        rows = [_ordered(v, OUTPUT_FIELDS) for v in self.server.hvals(self.k_outputs)]
        return sorted((r for r in rows if r), key=lambda r: (r["started"], r["path"]))

    # watermarks and runs ------------------------------------------------
    def get_watermark(self, key: str) -> str | None:
        value = self.server.hget(self.k_watermarks, key)
        return value.decode() if value is not None else None

    def set_watermark(self, key: str, value: str) -> None:
        self.server.hset(self.k_watermarks, key, value)

    def add_run(self, summary: Mapping[str, Any]) -> None:
        self.server.lpush(self.k_runs, json.dumps(dict(summary), sort_keys=True))

    def recent_runs(self, limit: int = 10, mode: str | None = None) -> list[dict]:
        found: list[dict] = []
        for raw in self.server.lrange(self.k_runs, 0, -1):
            run = json.loads(raw)
            if mode is None or run.get("mode") == mode:
                found.append(run)
                if len(found) >= limit:
                    break
        return found

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None  # type: ignore[assignment]
