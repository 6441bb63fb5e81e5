"""The item path alone: what the crawl process spends per item after extraction (issue 15).

A real ``scrapy crawl`` of the ``avclub`` spider with the project's settings, where no page is
fetched: the pages of a generated site are read (``read_page``, the extraction worker's job)
before the crawl starts, and the spider's ``start()`` yields their items. What the crawl then
spends is the item path: the spider middlewares, the item pipelines (normalize, validate, state,
version, dedup), stats, the feed export (atomic JSONL), the state commit and the manifest.
Reported as CPU-ms per item (user + system of the process between the first item and the end
of the close) and items/s, median over ``--rounds`` crawls, each with a fresh output folder.

``python bench/item_path.py --pages 2000 --rounds 3``

Generated pages come from ``tests/support/sitegen.py`` (``make_bench_page``), in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def crawl_once(pages: int, out_dir: Path, settings: list[str]) -> dict:
    """One crawl in this process (run in a child by :func:`main`): ``{items, cpu_s, wall_s}``."""
    os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.sites.read import read_page
    from crawler.spiders.avclub import AvClubSpider
    from tests.support.sitegen import make_bench_page

    outcomes = []
    for i in range(pages):
        slug, html, _, _ = make_bench_page(i)
        url = f"https://www.avclub.com/{slug}"
        outcomes.append((url, read_page(url, html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}, site="avclub")))

    marks: dict[str, float] = {}

    class ReplaySpider(AvClubSpider):
        name = "avclub"

        async def start(self):
            marks["cpu0"], marks["wall0"] = _cpu(), time.perf_counter()
            for url, outcome in outcomes:
                for item in self.apply_outcome(url, outcome):
                    yield item

    s = get_project_settings()
    s.set("RUN_CONTROLLER_ENABLED", True, priority="cmdline")  # as `scrapy crawl`: state, manifest, monitors
    s.set("EXTRACT_WORKERS", 0, priority="cmdline")  # nothing to extract in the crawl
    s.set("LOG_LEVEL", "WARNING", priority="cmdline")
    s.set("PROGRESS_INTERVAL", 0, priority="cmdline")
    s.set("REPORT_ENABLED", False, priority="cmdline")
    for kv in settings:
        k, v = kv.split("=", 1)
        s.set(k, v, priority="cmdline")
    feed = out_dir / "reviews.jsonl"
    s.set("FEEDS", {str(feed): {"format": "jsonl", "encoding": "utf-8", "overwrite": True}}, priority="cmdline")
    s.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(s)
    crawler = process.create_crawler(ReplaySpider)

    def closed(*_a, **_k):
        marks["cpu1"], marks["wall1"] = _cpu(), time.perf_counter()

    crawler.signals.connect(closed, signal=signals.engine_stopped)
    process.crawl(crawler, mode="full", state=str(out_dir / "state.sqlite"))
    process.start()
    items = sum(1 for _ in feed.open("rb")) if feed.exists() else 0
    return {"items": items, "cpu_s": marks["cpu1"] - marks["cpu0"], "wall_s": marks["wall1"] - marks["wall0"],
            "scraped": crawler.stats.get_value("item_scraped_count", 0),
            "stats": {k: v for k, v in crawler.stats.get_stats().items() if k.startswith(("reviews/", "state/", "output/"))}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("-s", dest="settings", action="append", default=[], help="NAME=VALUE Scrapy setting")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        with tempfile.TemporaryDirectory(prefix="item-path-") as tmp:
            args.child.write_text(json.dumps(crawl_once(args.pages, Path(tmp), args.settings)), "utf-8")
        return 0
    runs = []
    with tempfile.TemporaryDirectory(prefix="item-path-res-") as tmp:
        for n in range(args.rounds):
            res = Path(tmp) / f"{n}.json"
            cmd = [sys.executable, __file__, "--pages", str(args.pages), "--child", str(res)]
            for kv in args.settings:
                cmd += ["-s", kv]
            subprocess.run(cmd, check=True, cwd=REPO)
            run = json.loads(res.read_text("utf-8"))
            if run["items"] != run["scraped"] or not run["items"]:
                print(f"round {n + 1}: {run['items']} lines exported for {run['scraped']} items", file=sys.stderr)
                return 1
            runs.append(run)
            print(f"round {n + 1}: {run['items']} items, {1000 * run['cpu_s'] / run['items']:.2f} CPU-ms/item, "
                  f"{run['items'] / run['wall_s']:.0f} items/s", file=sys.stderr)
    ms = statistics.median(1000 * r["cpu_s"] / r["items"] for r in runs)
    rate = statistics.median(r["items"] / r["wall_s"] for r in runs)
    print(json.dumps({"pages": args.pages, "items": runs[0]["items"], "rounds": args.rounds,
                      "cpu_ms_per_item_median": round(ms, 3), "items_per_s_median": round(rate, 1),
                      "per_round_cpu_ms": [round(1000 * r["cpu_s"] / r["items"], 3) for r in runs]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
