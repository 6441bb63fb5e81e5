"""End to end: the ``reviews`` spider in a subprocess against each generic fixture site over HTTP.

``scrapy crawl reviews -a url=http://127.0.0.1:PORT/`` must find the site's reviews by itself
(sitemaps from robots.txt, a feed announced by the home page, or in-site links) and write exactly
the expected records: the pages' canonical links name the configured site, so ``site`` and ``url``
are the ones in ``expected.json``.
"""

from __future__ import annotations

import pytest

from crawler.devserver import FixtureServer
from crawler.record.v2 import FIELDS_V2
from crawler.record.validate import record_errors
from tests.support.crawl import FAST, FIXTURES, as_written, fixture_cases, load_expected, read_jsonl, run_scrapy

# Each site is found a different way: sitemap from robots.txt, RSS feed, links, Atom feed.
SITES = {
    "reelverdict": "sitemap/fetched",
    "frameline": "feed/fetched",
    "pictureshow": "discovery/following_links",
    "northgazette": "feed/fetched",
}


def _strip(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "fetched_at"}


def _expected(site: str) -> dict[str, dict]:
    out = {}
    for case in fixture_cases(site):
        exp = load_expected(case)
        if exp is not None:
            out[exp["url"]] = as_written(exp)
    return out


def _crawl(tmp_path, *args: str):
    out = tmp_path / "out.jsonl"
    proc = run_scrapy(["crawl", "reviews", *args, "-O", str(out), *FAST], timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return read_jsonl(out), proc.stats


@pytest.mark.parametrize("site", sorted(SITES))
def test_url_crawl_writes_exactly_the_review_pages(site, tmp_path):
    with FixtureServer(FIXTURES / site) as server:
        records, log = _crawl(tmp_path, "-a", f"url={server.base_url}/")
        hits = set(server.hits)
    for rec in records:
        assert list(rec) == list(FIELDS_V2)
        assert record_errors(rec) == []
    by_url = {r["url"]: _strip(r) for r in records}
    assert len(by_url) == len(records), "no duplicates"
    assert by_url == _expected(site)
    # Every non-review page was fetched, read and skipped (counted), none written.
    non_reviews = [c for c in fixture_cases(site) if load_expected(c) is None]
    for case in non_reviews:
        assert f"/{case.relative_to(FIXTURES / site).as_posix()}" in hits
    assert log["pages/skipped/not_review"] >= 1
    assert log.get(SITES[site]), f"discovered through {SITES[site]}"
    assert not [k for k in log if k.startswith("pages/failed")], "nothing failed (robots-disallowed links are not even asked for)"
    assert log["reviews/emitted"] == 2
    # robots.txt is obeyed and off-site links are not followed.
    assert not any(h.startswith(("/private", "/account", "/search", "/wp-admin")) for h in hits)


def test_start_url_may_be_a_feed_or_a_sitemap(tmp_path):
    with FixtureServer(FIXTURES / "northgazette") as server:
        records, log = _crawl(tmp_path, "-a", f"url={server.base_url}/film/atom.xml")
        assert log["discovery/start_is_feed"] == 1
        assert {r["url"] for r in records} == set(_expected("northgazette"))
    with FixtureServer(FIXTURES / "reelverdict") as server:
        records, log = _crawl(tmp_path, "-a", f"url={server.base_url}/sitemap.xml")
        # robots.txt names the same sitemap: it is fetched once.
        assert log["sitemap/fetched"] == 1
        assert {r["url"] for r in records} == set(_expected("reelverdict"))


def test_configured_site_on_a_mirror_uses_its_listings(tmp_path):
    """``-a site=KEY -a base_url=MIRROR``: the config's listing pages and pagination, no link crawl."""
    with FixtureServer(FIXTURES / "pictureshow") as server:
        records, log = _crawl(tmp_path, "-a", "site=pictureshow", "-a", f"base_url={server.base_url}")
        hits = set(server.hits)
    assert {r["url"]: _strip(r) for r in records} == _expected("pictureshow")
    assert log["listing/pages"] == 2
    assert "discovery/following_links" not in log
    assert "/news/marigold-hours-box-office-record" not in hits  # only listed pages fetched


def test_exact_urls_and_rejects(tmp_path):
    with FixtureServer(FIXTURES / "frameline") as server:
        base = server.base_url
        urls = f"{base}/2025/04/salt-road-review,{base}/2025/04/festival-lineup-announced,{base}/missing"
        records, _ = _crawl(tmp_path, "-a", f"urls={urls}")
        assert set(server.hits) >= {"/2025/04/salt-road-review", "/2025/04/festival-lineup-announced", "/missing"}
        assert "/feed.xml" not in server.hits  # no discovery
    [record] = records
    assert _strip(record) == _expected("frameline")["https://frameline.example/2025/04/salt-road-review"]
    rejects = {r["url"].rsplit("/", 1)[-1]: r["reason"] for r in read_jsonl(tmp_path / "out.rejects.jsonl")}
    assert rejects == {"festival-lineup-announced": "not_review", "missing": "http_404"}


def test_unknown_site_records_are_keyed_by_host(tmp_path):
    """A page with no canonical link on an unconfigured host: generic class, ``site`` = host."""
    root = tmp_path / "site"
    (root / "reviews" / "moth-light").mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\n", "utf-8")
    (root / "index.html").write_text('<html><body><a href="/reviews/moth-light">Moth Light</a></body></html>', "utf-8")
    (root / "reviews" / "moth-light" / "page.html").write_text(
        "<html lang='en'><head><title>Moth Light review</title></head><body><article>"
        "<h1>Moth Light review: a small ghost story with a big heart</h1><p class='rating'>Rating: 3/5</p>"
        "<div class='entry-content'><p>" + "A quiet ghost story about a night watchman and a moth. " * 12 + "</p></div>"
        "</article></body></html>", "utf-8")
    with FixtureServer(root) as server:
        records, log = _crawl(tmp_path, "-a", f"url={server.base_url}/")
        assert log["discovery/following_links"] is True
    [record] = records
    assert record["site"] == "127.0.0.1"
    assert record["url"] == f"{server.base_url}/reviews/moth-light"
    assert record["work_title"] == "Moth Light"
    assert record["grade"] == {"raw": "3/5", "scale": "numeric", "value": 3, "best": 5, "score": 60, "letter": None}


def test_avclub_through_the_reviews_spider_matches_its_own_spider(avclub_server, tmp_path):
    """``-a site=avclub`` on the fixture mirror: the config's listings + robots.txt sitemaps and
    the site's own page class give the same records as ``scrapy crawl avclub``."""
    from tests.e2e.test_e2e_avclub import REVIEW_CASES, served_expected

    records, log = _crawl(tmp_path, "-a", "site=avclub", "-a", f"base_url={avclub_server.base_url}")
    expected = {e["url"]: e for e in (served_expected(c, avclub_server.base_url) for c in REVIEW_CASES)}
    got = {r["url"]: {**_strip(r), "site": r["site"]} for r in records}
    assert got == expected
    assert log["listing/pages"] == 3
