"""Extraction in worker processes (``EXTRACT_WORKERS``, crawler/run/workers.py): the same
records, stats and rejects as reading pages on the reactor thread."""

from __future__ import annotations

from tests.support.crawl import FAST, FIXTURES, as_written, fixture_cases, load_expected, read_jsonl, run_scrapy

REVIEW_CASES = [c for c in fixture_cases("avclub") if load_expected(c) is not None]
NON_REVIEW_CASES = [c for c in fixture_cases("avclub") if load_expected(c) is None]


def _crawl(args: list[str], out, workers: int):
    out.parent.mkdir(parents=True, exist_ok=True)  # one folder per crawl: its own state store
    proc = run_scrapy(["crawl", "avclub", *args, "-O", str(out), *FAST, "-s", f"EXTRACT_WORKERS={workers}"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = {k: v for k, v in proc.stats.items() if k.startswith(("pages/", "reviews/", "rejects/")) and k != "rejects/path"}
    records = sorted(({k: v for k, v in r.items() if k != "fetched_at"} for r in read_jsonl(out)), key=lambda r: r["url"])
    return records, stats, proc.stats


def test_pool_gives_the_same_records_and_stats(avclub_server, tmp_path):
    base = ["-a", f"base_url={avclub_server.base_url}"]
    inline, inline_stats, _ = _crawl(base, tmp_path / "inline" / "out.jsonl", 0)
    pooled, pooled_stats, pooled_all = _crawl(base, tmp_path / "pooled" / "out.jsonl", 1)
    assert len(pooled) == len(REVIEW_CASES) == 12
    assert pooled == inline
    assert pooled_stats == inline_stats
    assert pooled_stats["reviews/extracted"] == 12
    assert pooled_stats["reviews/emitted"] == 12
    assert pooled_stats["pages/skipped/not_review"] == len(NON_REVIEW_CASES)
    assert pooled_all["extract/workers"] == 1
    # the backlog's high mark: at least one page, at most every page read
    assert 1 <= pooled_all["extract/max_in_flight"] <= len(REVIEW_CASES) + len(NON_REVIEW_CASES)


def test_pool_rejects_and_counts_like_inline(avclub_server, tmp_path):
    non_review = NON_REVIEW_CASES[0].relative_to(FIXTURES / "avclub").as_posix()
    urls = f"{avclub_server.base_url}/{non_review},{avclub_server.base_url}/lost-in-starlight"
    records, stats, _ = _crawl(["-a", f"urls={urls}"], tmp_path / "x.jsonl", 1)
    assert [r["url"] for r in records] == ["https://www.avclub.com/lost-in-starlight"]
    assert records[0] == as_written(load_expected(FIXTURES / "avclub" / "lost-in-starlight"))
    rejects = read_jsonl(tmp_path / "x.rejects.jsonl")
    assert [(r["url"].rsplit("/", 1)[-1], r["reason"]) for r in rejects] == [(non_review.rsplit("/", 1)[-1], "not_review")]
    assert stats["rejects/not_review"] == 1
    assert stats["pages/skipped/not_review"] == 1
    assert stats["reviews/emitted"] == 1


def test_broken_pool_falls_back_to_reading_inline():
    import asyncio
    from concurrent.futures.process import BrokenProcessPool

    from scrapy.utils.test import get_crawler

    from crawler.run.workers import ExtractPool

    class Executor:
        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("worker died")

    crawler = get_crawler()
    crawler.stats.open_spider()
    pool = ExtractPool.__new__(ExtractPool)
    pool.crawler, pool.executor, pool.broken = crawler, Executor(), False
    case = FIXTURES / "avclub" / "lost-in-starlight"
    args = {"url": load_expected(case)["url"], "body": (case / "page.html").read_bytes(),
            "headers": {"Content-Type": "text/html; charset=utf-8"}, "site": "avclub"}
    for _ in range(2):
        outcome = asyncio.run(pool.read(args))
        (record, errors), = outcome.records
        assert errors == [] and {k: v for k, v in record.items() if k != "fetched_at"} == load_expected(case)
    assert pool.broken is True
    assert crawler.stats.get_value("extract/inline_fallback") == 2
