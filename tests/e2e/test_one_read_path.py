"""The restructure's bugs, each reproduced on the old tree and fixed by one read path:

1. ``reviews`` ignored ``-a since=`` (and the incremental ``lastmod`` watermark) for sitemap
   entries: a spider hook overrode the filter away. The filter is now the conditional spider
   middleware's, keyed on request meta, for every spider.
2. ``reviews -a url=... -s EXTRACT_WORKERS=1`` failed (``cannot 'yield from' a coroutine``).
3. For every config-only site the extraction pool switched itself off (unpicklable classes).
   The pool now ships ``(url, body, headers, site key)`` to :func:`crawler.sites.read.read_page`.
"""

from __future__ import annotations

import pytest

from crawler.devserver import FixtureServer
from tests.support.crawl import FAST, FIXTURES, read_jsonl, run_scrapy
from tests.support.sitegen import generate_site


def _crawl(spider: str, out, *args: str, workers: int = 0):
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = run_scrapy(["crawl", spider, *args, "-O", str(out), *FAST, "-s", f"EXTRACT_WORKERS={workers}",
                       "-s", "PROGRESS_INTERVAL=0"], timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return sorted(({k: v for k, v in r.items() if k != "fetched_at"} for r in read_jsonl(out)), key=lambda r: r["url"]), proc.stats


@pytest.mark.parametrize("spider", ["reviews", "avclub"])
def test_since_skips_sitemap_entries_modified_before_the_range(spider, tmp_path):
    pages = generate_site(tmp_path / "site", n_reviews=40, n_news=2, listings=False)
    since = "2024-06-01"
    with FixtureServer(tmp_path / "site") as server:
        args = ["-a", f"url={server.base_url}/"] if spider == "reviews" else ["-a", f"base_url={server.base_url}"]
        records, _ = _crawl(spider, tmp_path / "out" / "out.jsonl", *args, "-a", f"since={since}", "-a", "mode=full")
        hits = set(server.hits)
    old = [p for p in pages if p.published.strftime("%Y-%m-%d") < "2024-05-30"]  # lastmod = published + 3 h
    new = [p for p in pages if p.published.strftime("%Y-%m-%d") >= since]
    assert old and new
    assert not [p.slug for p in old if f"/{p.slug}" in hits], "a page modified before the range was requested"
    assert all(f"/{p.slug}" in hits for p in new)
    assert {r["url"] for r in records} == {p.canonical for p in new if p.is_review}


def test_pool_works_for_the_reviews_spider_from_a_url(tmp_path):
    """``-a url=`` start page (an HTML page that is read and followed) with one worker."""
    with FixtureServer(FIXTURES / "pictureshow") as server:
        args = ["-a", f"url={server.base_url}/"]
        inline, _ = _crawl("reviews", tmp_path / "inline" / "out.jsonl", *args, workers=0)
        pooled, log = _crawl("reviews", tmp_path / "pooled" / "out.jsonl", *args, workers=1)
    assert inline and pooled == inline
    assert log["extract/workers"] == 1 and "extract/inline_fallback" not in log


@pytest.mark.parametrize("site", ["avclub", "reelverdict", "frameline", "pictureshow", "northgazette"])
def test_pool_works_for_every_configured_site(site, tmp_path):
    with FixtureServer(FIXTURES / site) as server:
        args = ["-a", f"site={site}", "-a", f"base_url={server.base_url}"]
        inline, _ = _crawl("reviews", tmp_path / "inline" / "out.jsonl", *args, workers=0)
        pooled, log = _crawl("reviews", tmp_path / "pooled" / "out.jsonl", *args, workers=1)
    assert inline and pooled == inline
    assert log["extract/workers"] == 1
    assert "extract/pool_disabled" not in log and "extract/inline_fallback" not in log
