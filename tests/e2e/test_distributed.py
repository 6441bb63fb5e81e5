"""Distributed mode (crawler/distributed/addon.py, crawler/distributed/scheduler.py, crawler/state/redis.py)
against a real ``redis-server`` on loopback (tests/redis_fixture.py).

Workers are real ``scrapy crawl`` subprocesses, run from a temporary folder (with
``SCRAPY_SETTINGS_MODULE``) so that nothing they write lands in the repository.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.devserver import FixtureServer
from crawler.distributed.addon import DistributedAddon, clean_worker_id, with_worker_id
from crawler.record.validate import record_errors
from tests.support.crawl import FAST, FIXTURES, REPO, crawl_env, read_jsonl
from tests.support.redis_fixture import redis_srv  # noqa: F401 - pytest fixture
from tests.support.sitegen import generate_site

#: short timings so that the tests stay fast (production defaults: 1 s, 30 s, 30 s)
QUICK = ["-s", "DISTRIBUTED_HEARTBEAT=0.2", "-s", "DISTRIBUTED_IDLE_TIMEOUT=1.5", "-s", "DISTRIBUTED_WORKER_TIMEOUT=3",
         "-s", "PROGRESS_INTERVAL=0"]


def worker_env() -> dict[str, str]:
    env = crawl_env()
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    env.pop("CRAWLER_REDIS_URL", None)
    env.pop("CRAWLER_WORKER_ID", None)
    return env


def start_worker(cwd: Path, base_url: str, redis_url: str, worker: str, out: Path, *extra: str) -> subprocess.Popen:
    log = (cwd / f"{worker}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "avclub", "-a", f"base_url={base_url}", "-O", str(out),
         "-s", f"REDIS_URL={redis_url}", "-s", f"WORKER_ID={worker}", *FAST, *QUICK, *extra],
        cwd=cwd, env=worker_env(), stdout=subprocess.DEVNULL, stderr=log,
    )


def wait_all(procs: dict[str, subprocess.Popen], timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    codes = {}
    for name, proc in procs.items():
        try:
            codes[name] = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for p in procs.values():
                p.kill()
            pytest.fail(f"worker {name} did not stop in time")
    return codes


def run_keys(client) -> list[str]:
    return sorted(k.decode() for k in client.keys("crawler:avclub:*"))


# ---------------------------------------------------------------- unit level


@pytest.mark.parametrize(("uri", "expected"), [
    ("output/%(name)s/%(time)s.jsonl", "output/%(name)s/%(time)s.w1.jsonl"),
    ("/tmp/out.jsonl.gz", "/tmp/out.w1.jsonl.gz"),
    ("reviews.json", "reviews.w1.json"),
    ("s3://bucket/x/%(batch_time)s", "s3://bucket/x/%(batch_time)s.w1"),
    ("out/%(worker_id)s/r.jsonl", "out/w1/r.jsonl"),
    ("file:///data/run.jsonl", "file:///data/run.w1.jsonl"),
])
def test_worker_id_goes_into_feed_names(uri, expected):
    assert with_worker_id(uri, "w1") == expected


def test_worker_ids_are_cleaned():
    assert clean_worker_id("host.example:1234/a b") == "host.example-1234-a-b"
    with pytest.raises(ValueError):
        clean_worker_id("///")


def _settings(**values):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_addon_switches_components_only_with_a_redis_url(monkeypatch):
    monkeypatch.delenv("CRAWLER_REDIS_URL", raising=False)
    plain = _settings()
    before = {k: plain.get(k) for k in ("SCHEDULER", "DUPEFILTER_CLASS", "STATE_PATH")}
    before_feeds = plain.getdict("FEEDS")
    DistributedAddon().update_settings(plain)
    assert {k: plain.get(k) for k in before} == before
    assert plain.getdict("FEEDS") == before_feeds
    assert "crawler.distributed.dedup.RunDedupPipeline" not in plain["ITEM_PIPELINES"]

    # -s REDIS_URL=... and -O out.jsonl, as the crawl command sets them
    dist = _settings(REDIS_URL="redis://127.0.0.1:1/0", WORKER_ID="w-7", FEEDS={"out/r.jsonl": {"format": "jsonl"}})
    addon = DistributedAddon()
    addon.update_settings(dist)
    assert addon.enabled and addon.worker_id == "w-7"
    assert dist["SCHEDULER"] == "crawler.distributed.scheduler.WorkerScheduler"
    assert dist["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert dist["SCHEDULER_QUEUE_KEY"] == "crawler:%(spider)s:requests"
    assert dist.getbool("SCHEDULER_PERSIST") is True
    # one local feed: batches as configured, committed through the distributed storage
    assert dist.getdict("FEEDS") == {"out/r.w-7.jsonl": {"format": "jsonl"}}
    assert dist.getpriority("FEEDS") == 40
    assert dist["FEED_STORAGES"]["file"] == dist["FEED_STORAGES"][""] == "crawler.distributed.storage.BatchCommitFeedStorage"
    assert dist["SPIDER_MIDDLEWARES"]["crawler.distributed.batches.BatchTrackerMiddleware"] == 5
    # the fleet's rate limit replaces the per-worker delay and AutoThrottle
    assert dist["DOWNLOADER_MIDDLEWARES"]["crawler.distributed.ratelimit.FleetRateLimitMiddleware"] == 950
    assert dist.getfloat("DISTRIBUTED_DOWNLOAD_DELAY") == 0.5 and dist.getbool("DISTRIBUTED_AUTOTHROTTLE") is True
    assert dist.getfloat("DOWNLOAD_DELAY") == 0 and dist.getbool("AUTOTHROTTLE_ENABLED") is False
    # two feeds: no batches (one file per feed per worker, landing when the worker finishes)
    two = _settings(REDIS_URL="redis://127.0.0.1:1/0", WORKER_ID="w-7", FEED_EXPORT_BATCH_ITEM_COUNT=5,
                    FEEDS={"a.jsonl": {"format": "jsonl"}, "b.jsonl": {"format": "jsonl", "batch_item_count": 3}})
    DistributedAddon().update_settings(two)
    assert two.getdict("FEEDS") == {"a.w-7.jsonl": {"format": "jsonl", "batch_item_count": 0},
                                    "b.w-7.jsonl": {"format": "jsonl", "batch_item_count": 0}}
    assert two.getint("FEED_EXPORT_BATCH_ITEM_COUNT") == 0
    assert two["FEED_STORAGES"]["file"] == "crawler.output.atomic.AtomicFileFeedStorage"
    off = _settings(REDIS_URL="redis://127.0.0.1:1/0", DISTRIBUTED_RATE_LIMIT=False, DOWNLOAD_DELAY=0.3)
    DistributedAddon().update_settings(off)
    assert off.getfloat("DOWNLOAD_DELAY") == 0.3 and "crawler.distributed.ratelimit.FleetRateLimitMiddleware" not in off["DOWNLOADER_MIDDLEWARES"]
    assert dist["STATE_PATH"] == "redis://127.0.0.1:1/0"
    assert dist["ITEM_PIPELINES"]["crawler.distributed.dedup.RunDedupPipeline"] == 310
    assert dist["SPIDER_MIDDLEWARES"]["crawler.distributed.seed.SeedOnceMiddleware"] == 10

    # the environment variable works the same, and a named run gets its own keys
    monkeypatch.setenv("CRAWLER_REDIS_URL", "redis://127.0.0.1:2/3")
    env = _settings(DISTRIBUTED_RUN="backfill-2024", STATE_PATH="/tmp/s.sqlite")
    DistributedAddon().update_settings(env)
    assert env["REDIS_URL"] == "redis://127.0.0.1:2/3"
    assert env["SCHEDULER_QUEUE_KEY"] == "crawler:backfill-2024:requests"
    assert env["STATE_PATH"] == "/tmp/s.sqlite"


def test_without_redis_url_redis_is_never_imported():
    code = (
        "import sys\n"
        "from scrapy.settings import Settings\n"
        "s = Settings(); s.setmodule('crawler.settings', priority='project')\n"
        "from crawler.distributed.addon import DistributedAddon\n"
        "DistributedAddon().update_settings(s)\n"
        "print(sorted(m for m in sys.modules if m == 'redis' or m.startswith('scrapy_redis')))\n"
    )
    env = worker_env()
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_redis_state_store_has_the_sqlite_contract(redis_srv):
    from crawler.state import open_state

    store = open_state(redis_srv.url, "avclub")
    other = open_state(redis_srv.url, "frameline")
    assert type(store).__name__ == "RedisStateStore"
    assert store.get("a") is None and not store.is_unchanged("a", "h1")
    store.begin_output("/o/1.jsonl", "run1")
    assert [(p["path"], p["run_id"]) for p in store.pending_outputs()] == [("/o/1.jsonl", "run1")]
    rows = [{"id": "a", "url": "https://x/a", "content_hash": "h1", "fetch_url": "http://m/a", "etag": '"e1"', "last_modified": None},
            {"id": "b", "url": "https://x/b", "content_hash": "h2"}]
    assert store.mark_emitted(rows, "run1", output="/o/1.jsonl") == 2
    assert store.pending_outputs() == []
    a = store.get("a")
    assert list(a) == ["id", "url", "content_hash", "first_seen", "last_changed", "last_emitted_run"]
    assert (a["content_hash"], a["last_emitted_run"]) == ("h1", "run1")
    assert store.is_unchanged("a", "h1") and not store.is_unchanged("a", "h9")
    assert store.get_fetch("http://m/a") == {"url": "http://m/a", "id": "a", "etag": '"e1"', "last_modified": None, "emitted_run": "run1"}
    assert store.get_fetch("https://x/b") is None
    # same content again: last_changed kept; new content: changed; first_seen never moves
    assert store.mark_emitted([{"id": "a", "url": "https://x/a", "content_hash": "h1"}], "run2") == 1
    assert store.get("a")["last_changed"] == a["last_changed"] and store.get("a")["last_emitted_run"] == "run2"
    store.mark_emitted([{"id": "a", "url": "https://x/a", "content_hash": "h3"}], "run3")
    assert store.get("a")["content_hash"] == "h3" and store.get("a")["first_seen"] == a["first_seen"]
    assert store.count() == 2 and other.count() == 0 and other.get("a") is None
    store.set_watermark("avclub", "2025-01-01T00:00:00Z")
    assert store.get_watermark("avclub") == "2025-01-01T00:00:00Z" and store.get_watermark("x") is None
    for n, mode in enumerate(("full", "incremental", "incremental")):
        store.add_run({"run_id": f"r{n}", "mode": mode, "finished": f"t{n}"})
    assert [r["run_id"] for r in store.recent_runs()] == ["r2", "r1", "r0"]
    assert [r["run_id"] for r in store.recent_runs(limit=1, mode="incremental")] == ["r2"]
    # many rows go in batches, the journal entry with the last one
    store.begin_output("/o/2.jsonl", "run4")
    many = [{"id": f"id{i}", "url": f"https://x/{i}", "content_hash": "h"} for i in range(1203)]
    assert store.mark_emitted(many, "run4", output="/o/2.jsonl") == 1203
    assert store.count() == 1205 and store.pending_outputs() == []
    store.close()
    other.close()


# ---------------------------------------------------------------- with real workers


def test_one_worker_crawls_the_fixture_site_like_a_plain_run(redis_srv, tmp_path):
    client = redis_srv.client()
    with FixtureServer(FIXTURES / "avclub") as site:
        proc = start_worker(tmp_path, site.base_url, redis_srv.url, "solo", tmp_path / "out" / "r.jsonl")
        codes = wait_all({"solo": proc}, 90)
    log = (tmp_path / "solo.log").read_text()
    assert codes == {"solo": 0}, log[-3000:]
    records = read_jsonl(tmp_path / "out" / "r.solo.jsonl")
    assert len(records) == 12 and len({r["id"] for r in records}) == 12
    assert all(record_errors(r) == [] for r in records)
    assert "'distributed/seeded': 1" in log
    assert run_keys(client) == []  # last worker out cleared the run's queue, seen-set, registry
    assert client.hlen("crawler:state:avclub:reviews") == 12  # the state ledger stays


def test_three_workers_one_killed_every_review_exactly_once(redis_srv, tmp_path):
    site_root = tmp_path / "site"
    expected = {p.canonical for p in generate_site(site_root, n_reviews=270, n_news=30) if p.is_review}
    assert len(expected) == 270
    client = redis_srv.client()
    out = tmp_path / "out"
    names = ["w1", "w2", "w3"]
    victim = "w3"
    with FixtureServer(site_root) as site:
        procs = {n: start_worker(tmp_path, site.base_url, redis_srv.url, n, out / "reviews.jsonl") for n in names}
        # kill the victim once it holds taken-but-unacknowledged work and the run is far from done
        deadline = time.monotonic() + 60
        pending = queued = 0
        while time.monotonic() < deadline:
            pending = client.zcard(f"crawler:avclub:pending:{victim}")
            queued = client.zcard("crawler:avclub:requests")
            if pending >= 15 and queued >= 20:
                break
            time.sleep(0.05)
        else:
            for p in procs.values():
                p.kill()
            pytest.fail(f"victim never took enough work (pending {pending}, queued {queued})")
        os.kill(procs[victim].pid, signal.SIGKILL)
        procs[victim].wait(timeout=10)
        survivors = {n: p for n, p in procs.items() if n != victim}
        codes = wait_all(survivors, 100)
    logs = {n: (tmp_path / f"{n}.log").read_text() for n in names}
    assert codes == {"w1": 0, "w2": 0}, {n: logs[n][-3000:] for n in survivors}
    assert procs[victim].returncode == -signal.SIGKILL

    # the victim's output never landed (only its hidden temporary file); survivors wrote theirs
    finals = sorted(p.name for p in out.iterdir() if p.name.endswith(".jsonl") and not p.name.startswith("."))
    assert [f for f in finals if "rejects" not in f] == ["reviews.w1.jsonl", "reviews.w2.jsonl"]
    per_worker = {n: read_jsonl(out / f"reviews.{n}.jsonl") for n in ("w1", "w2")}
    assert all(per_worker.values()), "every surviving worker exported some reviews"
    union = [r for recs in per_worker.values() for r in recs]
    urls = [r["url"] for r in union]
    assert len(urls) == len(set(urls)), "no review twice"
    assert set(urls) == expected, f"missing {sorted(expected - set(urls))[:5]}"
    assert all(record_errors(r) == [] for r in union)
    # the victim's taken work was given back by a survivor
    requeued = sum(int(line.split(":")[1].strip(" ,")) for log in logs.values() for line in log.splitlines()
                   if "'distributed/requeued_from_dead'" in line)
    assert requeued >= pending
    assert sum(log.count("seeds the run") for log in logs.values()) == 1
    assert run_keys(client) == []


def test_a_run_whose_only_worker_died_is_resumed_by_the_next(redis_srv, tmp_path):
    site_root = tmp_path / "site"
    expected = {p.canonical for p in generate_site(site_root, n_reviews=108, n_news=12) if p.is_review}
    client = redis_srv.client()
    out = tmp_path / "out"
    with FixtureServer(site_root) as site:
        first = start_worker(tmp_path, site.base_url, redis_srv.url, "first", out / "r.jsonl")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and client.zcard("crawler:avclub:pending:first") < 10:
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert client.zcard("crawler:avclub:pending:first") >= 10
        time.sleep(3.2)  # past DISTRIBUTED_WORKER_TIMEOUT: the next worker reaps it at once
        second = start_worker(tmp_path, site.base_url, redis_srv.url, "second", out / "r.jsonl")
        codes = wait_all({"second": second}, 90)
    log = (tmp_path / "second.log").read_text()
    assert codes == {"second": 0}, log[-3000:]
    assert "Run already seeded" in log
    urls = [r["url"] for r in read_jsonl(out / "r.second.jsonl")]
    assert len(urls) == len(set(urls)) and set(urls) == expected
    assert not (out / "r.first.jsonl").exists()
    assert run_keys(client) == []


def test_lua_steps_pop_reap_leave(redis_srv):
    """The atomic steps of the scheduler, on Redis directly: a pop parks the request in the
    worker's pending set; reaping a silent worker gives its requests and review ids back (and
    its seed lock); the first worker to leave keeps the run, the last one clears it (not the state)."""
    from crawler.distributed import scheduler as dr

    r = redis_srv.client()
    pop, push = r.register_script(dr.POP_LUA), r.register_script(dr.PUSH_LUA)
    reap, leave, claim = r.register_script(dr.REAP_LUA), r.register_script(dr.LEAVE_LUA), r.register_script(dr.CLAIM_LUA)
    b = "crawler:t"
    r.set("crawler:state:t:reviews", "kept")
    r.zadd(f"{b}:workers", {"a": 100.0, "b": 100.0})
    assert push(keys=[f"{b}:dupefilter", f"{b}:requests"], args=["fp1", -1, "req1"]) == 1
    assert push(keys=[f"{b}:dupefilter", f"{b}:requests"], args=["fp1", -1, "req1-again"]) == 0  # seen
    assert push(keys=[f"{b}:dupefilter", f"{b}:requests"], args=["fp2", 0, "req2"]) == 1
    assert push(keys=[f"{b}:dupefilter", f"{b}:requests"], args=["", 0, "retry"]) == 1  # dont_filter
    assert pop(keys=[f"{b}:requests", f"{b}:pending:a", f"{b}:state"], args=["a"]) == b"req1"  # best priority first
    assert r.zrange(f"{b}:pending:a", 0, -1, withscores=True) == [(b"req1", -1.0)]
    assert r.hget(f"{b}:state", "a") == b"busy"
    assert claim(keys=[f"{b}:items", f"{b}:claims:a"], args=["id1", "a"]) == 1
    assert claim(keys=[f"{b}:items", f"{b}:claims:b"], args=["id1", "b"]) == 0  # a emitted it
    r.set(f"{b}:seed", "a")
    # 'a' last beat at 100, 'b' is refreshed: at 131 with a 30 s timeout only 'a' is dead
    r.zadd(f"{b}:workers", {"b": 130.0})
    assert reap(keys=[f"{b}:workers", f"{b}:state", f"{b}:requests", f"{b}:items", f"{b}:seed"],
                args=["101", f"{b}:pending:", f"{b}:claims:"]) == [1, 1]
    assert r.zscore(f"{b}:requests", "req1") == -1.0 and not r.exists(f"{b}:pending:a")
    assert claim(keys=[f"{b}:items", f"{b}:claims:b"], args=["id1", "b"]) == 1  # released
    assert not r.exists(f"{b}:seed") and r.zrange(f"{b}:workers", 0, -1) == [b"b"]
    # 'c' joins and leaves first: the run stays; the queue is not empty, so 'b' leaving keeps it too
    r.zadd(f"{b}:workers", {"c": 130.0})
    run_keys_ = [f"{b}:requests", f"{b}:dupefilter", f"{b}:seed", f"{b}:items", f"{b}:run"]
    leave_keys = lambda w: [f"{b}:workers", f"{b}:state", f"{b}:requests", f"{b}:pending:{w}", f"{b}:claims:{w}", *run_keys_]  # noqa: E731
    assert leave(keys=leave_keys("c"), args=["c"]) == 0
    assert r.exists(f"{b}:dupefilter") and r.zcard(f"{b}:requests") == 3
    assert leave(keys=leave_keys("b"), args=["b"]) == 0  # last, but work is left: kept for a resume
    r.delete(f"{b}:requests")
    r.zadd(f"{b}:workers", {"d": 140.0})
    assert leave(keys=leave_keys("d"), args=["d"]) == 1
    assert sorted(k.decode() for k in r.keys("crawler:*")) == ["crawler:state:t:reviews"]
