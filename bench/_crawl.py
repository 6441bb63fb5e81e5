"""One benchmark crawl in its own process (run by ``bench/run_bench.py``).

``python bench/_crawl.py SPIDER BASE_URL RESULT.json [--feed OUT.jsonl] [--milestones 10000,100000]
[-s NAME=VALUE ...]``: runs ``avclub`` or ``reviews`` (the full pipeline; ``reviews`` as
``-a site=avclub -a base_url=BASE_URL``, a mirror of a configured site) or ``bench_noop`` (fetch only) with the
project's settings plus the given overrides, then writes the crawl's stats, its duration and
the memory seen at each milestone (pages fetched) to RESULT.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"

from bench.procmem import child_pids, proc_kb  # noqa: E402


def memory_now() -> dict:
    me = os.getpid()
    kids = child_pids(me)
    return {
        "main_rss_mb": round(proc_kb(me, "VmRSS") / 1024, 1),
        "main_peak_mb": round(proc_kb(me, "VmHWM") / 1024, 1),
        "workers_rss_mb": round(sum(proc_kb(p, "VmRSS") for p in kids) / 1024, 1),
        "workers_peak_mb": round(sum(proc_kb(p, "VmHWM") for p in kids) / 1024, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("spider", choices=["avclub", "reviews", "bench_noop"])
    ap.add_argument("base_url")
    ap.add_argument("result", type=Path)
    ap.add_argument("--feed", type=Path)
    ap.add_argument("--milestones", default="")
    ap.add_argument("-s", dest="settings", action="append", default=[])
    args = ap.parse_args()

    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for kv in args.settings:
        k, v = kv.split("=", 1)
        settings.set(k, v, priority="cmdline")
    if args.feed:
        settings.set("FEEDS", {str(args.feed): {"format": "jsonl", "encoding": "utf-8", "overwrite": True}}, priority="cmdline")
    spider_args = {"base_url": args.base_url}
    if args.spider == "avclub":
        from crawler.spiders.avclub import AvClubSpider as spider_cls
    elif args.spider == "reviews":
        from crawler.spiders.reviews import ReviewsSpider as spider_cls

        spider_args["site"] = "avclub"
    else:
        from bench.noop_spider import NoopSpider as spider_cls

    milestones = sorted(int(x) for x in args.milestones.split(",") if x)
    seen = {"responses": 0, "marks": {}, "t_open": None, "t_close": None}
    settings.set("RUN_CONTROLLER_ENABLED", True, priority="cmdline")  # as `scrapy crawl`
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)

    def on_response(response, request, spider):
        seen["responses"] += 1
        n = seen["responses"]
        if milestones and n == milestones[0]:
            milestones.pop(0)
            seen["marks"][n] = {"seconds": round(time.perf_counter() - seen["t_open"], 1), **memory_now()}
            print(f"[bench] {n} responses: {seen['marks'][n]}", file=sys.stderr, flush=True)

    def on_open(spider):
        seen["t_open"] = time.perf_counter()

    def on_close(spider, reason):
        seen["t_close"] = time.perf_counter()
        seen["memory_at_close"] = memory_now()

    crawler.signals.connect(on_response, signal=signals.response_received)
    crawler.signals.connect(on_open, signal=signals.spider_opened)
    crawler.signals.connect(on_close, signal=signals.spider_closed)
    process.crawl(crawler, **spider_args)
    process.start()

    stats = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in crawler.stats.get_stats().items()}
    import resource

    me = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "spider": args.spider,
        "main_cpu_seconds": me.ru_utime + me.ru_stime,
        "seconds": seen["t_close"] - seen["t_open"],
        "responses": seen["responses"],
        "milestones": seen["marks"],
        "memory_at_close": seen.get("memory_at_close"),
        "stats": stats,
    }
    args.result.write_text(json.dumps(result, indent=1, default=str), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
