"""Issue #18: many workers, one polite crawler. Real ``redis-server`` (tests/support/redis_fixture.py),
real ``scrapy crawl`` workers (helpers from tests/e2e/test_distributed.py), real HTTP on loopback.

- JSON requests in Redis: a planted pickle is refused and counted, never executed;
- the fleet-wide per-site rate limit (crawler/distributed/ratelimit.py): the server's own request
  log bounds the rate across all workers; a Retry-After seen by one worker pauses all;
- batches in distributed mode: a worker killed after 3 batches keeps them, nothing twice;
- ``crawler fleet`` status.
"""

from __future__ import annotations

import json
import pickle
import time

from crawler.devserver import FixtureServer
from tests.e2e.test_distributed import run_keys, start_worker, wait_all
from tests.support.crawl import FIXTURES, read_jsonl
from tests.support.redis_fixture import redis_srv  # noqa: F401 - pytest fixture


class Planted:
    """Unpickling this creates a file (``open(path, "w")``)."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_planted_pickle_is_refused_counted_and_never_run(redis_srv, tmp_path):
    client = redis_srv.client()
    target = tmp_path / "pwned-by-pickle"
    planted = pickle.dumps({"url": "http://127.0.0.1:9/", "callback": Planted(str(target))}, protocol=4)
    client.zadd("crawler:avclub:requests", {planted: -1000})  # best priority: popped first
    stats_path = tmp_path / "stats.json"
    with FixtureServer(FIXTURES / "avclub") as site:
        proc = start_worker(tmp_path, site.base_url, redis_srv.url, "solo", tmp_path / "out" / "r.jsonl",
                            "-s", f"STATS_DUMP_PATH={stats_path}")
        codes = wait_all({"solo": proc}, 90)
    log = (tmp_path / "solo.log").read_text()
    assert codes == {"solo": 0}, log[-3000:]
    assert not target.exists(), "the pickle was executed"
    stats = json.loads(stats_path.read_text())
    assert stats["distributed/refused_requests"] == 1
    assert "Refused a queue entry" in log and "not a JSON request" in log
    assert len(read_jsonl(tmp_path / "out" / "r.solo.jsonl")) == 12  # the crawl itself went on
    # kept for inspection, out of the queue and out of every pending set
    assert client.lrange("crawler:avclub:refused", 0, -1) == [planted]
    assert run_keys(client) == ["crawler:avclub:refused"]
    # what the queue holds while a crawl runs is JSON (the state ledger is JSON too)
    assert not target.exists()
