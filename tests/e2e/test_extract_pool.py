"""Extraction in worker processes (``EXTRACT_WORKERS``, crawler/run/workers.py): the same
records, stats and rejects as reading pages on the reactor thread."""

from __future__ import annotations

import os

from tests.support.crawl import (
    FAST,
    FIXTURES,
    as_written,
    fixture_cases,
    load_expected,
    read_jsonl,
    run_scrapy,
)

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


def test_a_backlog_above_extract_backlog_pauses_downloads(avclub_server, tmp_path):
    """With EXTRACT_BACKLOG=1 the pages arriving while the worker starts fill the backlog: the
    engine stops starting downloads until it is half done, then resumes; the backlog never grows
    past the bound plus the downloads already under way, and every review is exported."""
    base = ["-a", f"base_url={avclub_server.base_url}", "-s", "EXTRACT_BACKLOG=1", "-s", "CONCURRENT_REQUESTS=3",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=3", "-s", "AUTOTHROTTLE_ENABLED=False"]
    inline, inline_stats, _ = _crawl(base, tmp_path / "inline" / "out.jsonl", 0)
    pooled, pooled_stats, pooled_all = _crawl(base, tmp_path / "pooled" / "out.jsonl", 1)
    assert pooled == inline and len(pooled) == len(REVIEW_CASES)
    assert pooled_stats == inline_stats
    assert pooled_all["extract/downloads_paused"] >= 1
    assert 1 <= pooled_all["extract/max_in_flight"] <= 1 + 3


import pytest


@pytest.mark.parametrize(("setting", "expected"), [
    ("EXTRACT_BACKLOG=lots", "EXTRACT_BACKLOG must be a whole number of pages >= 1, got 'lots'"),
    ("EXTRACT_BACKLOG=0", "EXTRACT_BACKLOG must be a whole number of pages >= 1, got '0'"),
    ("EXTRACT_WORKERS=many", "EXTRACT_WORKERS must be \"auto\" or a whole number >= 0, got 'many'"),
    ("WARC_GZIP_LEVEL=10", "WARC_GZIP_LEVEL must be a gzip level 0-9, got '10'"),
    ("WARC_COMPRESSOR=brotli", "WARC_COMPRESSOR must be one of auto, isal, zlib, got 'brotli'"),
])
def test_a_bad_performance_setting_refuses_the_run(avclub_server, tmp_path, setting, expected):
    """A bad value stops the run before it starts (exit 2, one RUN FAILED line naming the
    setting): nothing fetched, no output, instead of every page failing on it."""
    out = tmp_path / "out.jsonl"
    proc = run_scrapy(["crawl", "avclub", "-a", f"base_url={avclub_server.base_url}", "-O", str(out), *FAST,
                       "-s", setting, "-s", "AUTOTHROTTLE_ENABLED=False"], timeout=60)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert f"RUN FAILED: {expected}" in proc.stderr, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert "downloader/request_count" not in proc.stats
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == []


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


def _pool(workers: int = 1, backlog: int | None = None):
    from scrapy.utils.test import get_crawler

    from crawler.run.workers import ExtractPool

    crawler = get_crawler(settings_dict={"EXTRACT_BACKLOG": backlog} if backlog else None)
    crawler.stats.open_spider()
    return ExtractPool(crawler, workers), crawler.stats


def _args(name: str) -> dict:
    case = FIXTURES / "avclub" / name
    return {"url": load_expected(case)["url"] if load_expected(case) else f"https://www.avclub.com/{name}",
            "body": (case / "page.html").read_bytes(), "headers": {"Content-Type": "text/html; charset=utf-8"},
            "site": "avclub"}


def _same(outcome, expected):
    assert outcome.stats == expected.stats and outcome.rejects == expected.rejects
    strip = [({k: v for k, v in r.items() if k != "fetched_at"}, e) for r, e in outcome.records]
    assert strip == [({k: v for k, v in r.items() if k != "fetched_at"}, e) for r, e in expected.records]


def test_many_pages_at_once_each_get_their_own_answer():
    """More pages than the workers take ahead (EXTRACT_BACKLOG each), one of them bigger than the
    pipes' buffer (written in parts): every answer reaches the page it belongs to, and the pages
    are spread over both workers (each to the one with the fewest)."""
    import asyncio

    from crawler.run.workers import PIPE_BYTES
    from crawler.sites.read import read_page

    names = [c.relative_to(FIXTURES / "avclub").as_posix() for c in fixture_cases("avclub")]
    pages = [_args(n) for n in names]
    big = dict(pages[0], body=pages[0]["body"].replace(b"</body>", b"<div>" + b"<p>filler words here</p>" * (3 * PIPE_BYTES // 24) + b"</div></body>"))
    pages.append(big)
    assert len(big["body"]) > 2 * PIPE_BYTES

    async def go():
        pool, stats = _pool(2, backlog=3)
        assert len(pages) > 2 * pool.per_worker == 6
        try:
            outcomes = await asyncio.gather(*(pool.read(a) for a in pages))
            return outcomes, pool, stats, list(pool._started)
        finally:
            pool.close()

    outcomes, pool, stats, workers = asyncio.run(go())
    for args, outcome in zip(pages, outcomes):
        _same(outcome, read_page(**args))
    assert stats.get_value("extract/inline_fallback") is None and not pool.broken
    assert stats.get_value("extract/max_in_flight") == len(pages)
    assert pool._started == []
    assert sum(w.pages_sent for w in workers) == len(pages) and min(w.pages_sent for w in workers) >= 3
    assert all(not w.process.is_alive() for w in workers)


def test_pages_go_to_the_worker_with_the_fewest():
    """Pages handed over while the workers start (no answer yet) alternate between them, however
    much room each has (EXTRACT_BACKLOG 48): not all to the first."""
    import asyncio

    args = _args("lost-in-starlight")

    async def go():
        pool, _stats = _pool(2)
        try:
            await asyncio.gather(*(pool.read(dict(args)) for _ in range(10)))
            return [w.pages_sent for w in pool._started]
        finally:
            pool.close()

    assert asyncio.run(go()) == [5, 5]


def test_a_dead_worker_breaks_the_pool_and_pages_are_read_inline(caplog):
    """A worker killed (SIGKILL) between pages: the page handed to it and every later one are read
    in the crawl process, with the same result; counted, logged once."""
    import asyncio
    import signal

    from crawler.sites.read import read_page

    args = _args("lost-in-starlight")

    async def go():
        pool, stats = _pool(1)
        try:
            first = await pool.read(args)  # the worker is up and answered
            (worker,) = pool._started
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.join(10)
            after = [await pool.read(args) for _ in range(2)]
            return first, after, pool, stats, worker
        finally:
            pool.close()

    with caplog.at_level("ERROR", logger="crawler.run.workers"):
        first, after, pool, stats, worker = asyncio.run(go())
    expected = read_page(**args)
    for outcome in (first, *after):
        _same(outcome, expected)
    assert worker.process.exitcode == -9
    assert pool.broken is True
    assert stats.get_value("extract/inline_fallback") == 2
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["Extraction worker pool broken"]


def test_a_page_that_fails_in_the_worker_is_read_inline_for_the_same_error():
    """``read_page`` raising in a worker: the page is read again here and raises the same; the pool
    stays up for the next page."""
    import asyncio

    import pytest

    from crawler.sites.read import read_page

    good, bad = _args("lost-in-starlight"), dict(_args("lost-in-starlight"), no_such_argument=1)

    async def go():
        pool, stats = _pool(1)
        try:
            with pytest.raises(TypeError, match="no_such_argument"):
                await pool.read(bad)
            return await pool.read(good), pool, stats
        finally:
            pool.close()

    outcome, pool, stats = asyncio.run(go())
    _same(outcome, read_page(**good))
    assert pool.broken is False
    assert stats.get_value("extract/inline_fallback") == 1


def test_workers_ignore_ctrl_c_and_exit_when_the_pool_closes():
    """SIGINT (a Ctrl-C reaches the whole process group) leaves a worker reading; closing the pool
    ends it; a page read after the close is read inline."""
    import asyncio
    import signal

    from crawler.sites.read import read_page

    args = _args("lost-in-starlight")

    async def go():
        pool, stats = _pool(1)
        await pool.read(args)
        (worker,) = pool._started
        os.kill(worker.process.pid, signal.SIGINT)
        await asyncio.sleep(0.3)
        alive = worker.process.is_alive()
        again = await pool.read(args)
        pool.close()
        return alive, again, worker, pool, stats, await pool.read(args)

    alive, again, worker, pool, stats, late = asyncio.run(go())
    assert alive is True
    _same(again, read_page(**args))
    _same(late, read_page(**args))
    assert worker.process.exitcode == 0  # it read the end of its pipe and returned
    assert stats.get_value("extract/inline_fallback") is None and pool.broken is False


def test_a_worker_imports_the_extraction_only(tmp_path, monkeypatch):
    """A worker is ``python -m crawler.run.extract_worker``: it imports neither Scrapy, Twisted nor
    the command line (a ``multiprocessing`` spawn worker imported the parent's ``__main__``, the
    ``crawler`` command: 111 MB resident where the extraction needs ~40), and it imports this
    crawl's ``crawler`` even when the working directory holds another package of that name."""
    import asyncio
    import subprocess
    import sys

    from crawler.run.workers import worker_command
    from crawler.sites.read import read_page

    probe = ("import sys\n"
             "import crawler.run.extract_worker\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted') or m == 'crawler.cli'))")
    cmd = worker_command(0, 1)
    assert cmd[-4:] == ["-m", "crawler.run.extract_worker", "0", "1"]
    proc = subprocess.run([*cmd[:-4], "-c", probe], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(FIXTURES.parent)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"

    decoy = tmp_path / "crawler"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the decoy crawler package was imported')\n")
    monkeypatch.chdir(tmp_path)
    args = _args("lost-in-starlight")

    async def go():
        pool, stats = _pool(1)
        try:
            outcome = await pool.read(args)
            (worker,) = pool._started
            cmdline = open(f"/proc/{worker.process.pid}/cmdline", "rb").read().split(b"\0")
            return outcome, stats, cmdline
        finally:
            pool.close()

    outcome, stats, cmdline = asyncio.run(go())
    _same(outcome, read_page(**args))
    assert stats.get_value("extract/inline_fallback") is None  # the worker answered
    assert b"crawler.run.extract_worker" in cmdline
