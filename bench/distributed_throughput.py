"""Throughput of distributed mode: 1 worker vs N workers on the generated fixture site.

Starts a private ``redis-server`` and a fixture server on 127.0.0.1 (both stopped at the end),
generates a site with ``tests/support/sitegen.py`` and runs ``scrapy crawl avclub`` workers against it
in distributed mode, with an empty Redis for every measurement. Two profiles:

- ``polite``: each worker is throttled on its own (``CONCURRENT_REQUESTS_PER_DOMAIN=1``,
  ``DOWNLOAD_DELAY=0.1``, AutoThrottle off, ``DISTRIBUTED_RATE_LIMIT=False``): the crawl is bound
  by politeness per worker, which is what adding workers buys (N workers make N times the
  requests per second to the site);
- ``fleet``: the same limits as one budget for the whole fleet (the default,
  ``crawler/distributed/ratelimit.py``): more workers cannot go faster on one site;
- ``cpu``: no delay at all over loopback: bound by the machine's cores (parsing, extraction);
  ``cpu-local``: the same without the fleet rate limit (its cost: a few Redis calls per request).

Reported time: wall clock from starting the workers until the last one exits, minus the idle
timeout every worker waits at the end (``DISTRIBUTED_IDLE_TIMEOUT``); it includes process start-up.

``python bench/distributed_throughput.py --pages 300 --workers 1 2``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.devserver import FixtureServer  # noqa: E402
from tests.support.redis_fixture import redis_server  # noqa: E402
from tests.support.sitegen import generate_site  # noqa: E402

IDLE = 1.0
PROFILES = {
    "polite": ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "DISTRIBUTED_RATE_LIMIT=False"],
    "fleet": ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_ENABLED=False"],
    "cpu": ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"],
    "cpu-local": ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
                  "-s", "DISTRIBUTED_RATE_LIMIT=False"],
}


def run(workers: int, profile: str, site_url: str, redis, work: Path) -> dict:
    redis.client().flushall()
    out = work / f"{profile}-{workers}"
    out.mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(REPO), SCRAPY_SETTINGS_MODULE="crawler.settings")
    env.pop("CRAWLER_REDIS_URL", None)
    common = ["-a", f"base_url={site_url}", "-O", str(out / "r.jsonl"), "-s", f"REDIS_URL={redis.url}",
              "-s", "LOG_LEVEL=WARNING", "-s", "PROGRESS_INTERVAL=0", "-s", "DISTRIBUTED_HEARTBEAT=0.2",
              "-s", f"DISTRIBUTED_IDLE_TIMEOUT={IDLE}",
              *PROFILES[profile]]
    t0 = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "avclub", *common, "-s", f"WORKER_ID=w{i}"],
                              cwd=out, env=env, stdout=subprocess.DEVNULL, stderr=(out / f"w{i}.log").open("w"))
             for i in range(1, workers + 1)]
    codes = [p.wait(timeout=900) for p in procs]
    elapsed = time.monotonic() - t0 - IDLE
    per_worker = {}
    for i in range(1, workers + 1):
        f = out / f"r.w{i}.jsonl"
        per_worker[f"w{i}"] = sum(1 for _ in f.open()) if f.exists() else 0
    reviews = sum(per_worker.values())
    return {"profile": profile, "workers": workers, "exit_codes": codes, "seconds": round(elapsed, 2),
            "reviews": reviews, "reviews_per_s": round(reviews / elapsed, 1), "per_worker": per_worker}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--profiles", nargs="+", default=["polite", "cpu"], choices=sorted(PROFILES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dist-bench-") as tmp:
        work = Path(tmp)
        expected = sum(p.is_review for p in generate_site(work / "site", n_reviews=args.pages * 9 // 10, n_news=args.pages - args.pages * 9 // 10))
        results = []
        with redis_server(work / "redis") as redis, FixtureServer(work / "site") as site:
            for profile in args.profiles:
                for n in args.workers:
                    res = run(n, profile, site.base_url, redis, work)
                    res["expected_reviews"] = expected
                    results.append(res)
                    print(json.dumps(res), flush=True)
    print(f"\n{'profile':8} {'workers':>7} {'seconds':>8} {'reviews':>8} {'reviews/s':>10}  per worker")
    for r in results:
        print(f"{r['profile']:8} {r['workers']:>7} {r['seconds']:>8} {r['reviews']:>8} {r['reviews_per_s']:>10}  {r['per_worker']}")
    return 0 if all(r["reviews"] == r["expected_reviews"] and not any(r["exit_codes"]) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
