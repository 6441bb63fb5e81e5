"""End to end: the real ``avclub`` spider in a subprocess against the fixture site over HTTP."""

from __future__ import annotations

import json

from crawler.normalize.urls import record_id
from crawler.record.v2 import FIELDS_V2
from crawler.record.validate import record_errors
from tests.support.crawl import FAST, FIXTURES, as_written, fixture_cases, load_expected, read_jsonl, run_scrapy

REVIEW_CASES = [c for c in fixture_cases("avclub") if load_expected(c) is not None]
NON_REVIEW_CASES = [c for c in fixture_cases("avclub") if load_expected(c) is None]


def _strip(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "fetched_at"}


def served_expected(case, base_url: str) -> dict:
    """The record a first crawl from *base_url* writes for a case (schema version 2, change
    ``new``): a page without a canonical link keeps the URL it was fetched from (and the id
    derived from it)."""
    expected = dict(load_expected(case))
    if 'rel="canonical"' not in (case / "page.html").read_text("utf-8", errors="replace"):
        expected["url"] = f"{base_url}/{case.relative_to(FIXTURES / 'avclub').as_posix()}"
        expected["id"] = record_id(expected["url"])
    return as_written(expected)


def test_full_crawl_writes_every_review_once(avclub_server, tmp_path):
    out = tmp_path / "out.jsonl"
    proc = run_scrapy(["crawl", "avclub", "-a", f"base_url={avclub_server.base_url}", "-O", str(out), *FAST])
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = read_jsonl(out)
    for rec in records:
        assert list(rec) == list(FIELDS_V2)
        assert record_errors(rec) == []
    by_url = {r["url"]: r for r in records}
    assert len(by_url) == len(records), "no duplicates"
    expected = {e["url"]: e for e in (served_expected(c, avclub_server.base_url) for c in REVIEW_CASES)}
    assert set(by_url) == set(expected)
    for url, exp in expected.items():
        assert _strip(by_url[url]) == exp, url
    # Non-review pages were fetched but skipped; off-site and robots-disallowed URLs never asked for.
    hits = set(avclub_server.hits)
    for case in NON_REVIEW_CASES:
        assert f"/{case.relative_to(FIXTURES / 'avclub').as_posix()}" in hits
    assert not any(h.startswith("/private") for h in hits)
    assert proc.stats["pages/skipped/not_review"] == len(NON_REVIEW_CASES)
    # No temporary files left beside the output (its manifest and the run state and its journal sit beside it).
    # (-O is a fresh dump, mode full: its pages are archived in warc/, README "WARC capture")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["avclub.state.sqlite", "avclub.state.sqlite.journal", "out.jsonl",
                                                          "out.jsonl.manifest.json", "warc"]
    assert [p.name for p in (tmp_path / "warc").iterdir() if p.name.startswith(".")] == []


def test_exact_urls_fetch_only_those_pages(avclub_server, tmp_path):
    out = tmp_path / "one.jsonl"
    url = f"{avclub_server.base_url}/lost-in-starlight"
    proc = run_scrapy(["crawl", "avclub", "-a", f"urls={url}", "-O", str(out), *FAST])
    assert proc.returncode == 0, proc.stderr[-3000:]
    [record] = read_jsonl(out)
    assert record["grade"] == {"raw": "C+", "scale": "letter", "value": 58.0, "best": 100.0, "score": 58, "letter": "C+"}
    assert isinstance(record["grade"]["value"], float) and record["schema_version"] == 2
    assert record["credits"]["director"] == ["Han Ji-won"]
    assert record["credits"]["writer"] == ["Han Ji-won", "Kang Hyun-joo"]
    assert record["credits"]["starring"] == ["Kim Tae-ri", "Hong Kyung"]
    assert record["credits"]["release_date"] == "2025-05-30"
    assert record["credits"]["platform"] == "Netflix"
    assert _strip(record) == as_written(load_expected(FIXTURES / "avclub" / "lost-in-starlight"))


def test_non_review_url_is_rejected_with_reason(avclub_server, tmp_path):
    non_review = NON_REVIEW_CASES[0].relative_to(FIXTURES / "avclub").as_posix()
    out = tmp_path / "x.jsonl"
    urls = f"{avclub_server.base_url}/{non_review},{avclub_server.base_url}/no-such-page"
    proc = run_scrapy(["crawl", "avclub", "-a", f"urls={urls}", "-O", str(out), *FAST])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert read_jsonl(out) == []
    rejects = {r["url"].rsplit("/", 1)[-1]: r["reason"] for r in read_jsonl(tmp_path / "x.rejects.jsonl")}
    assert rejects == {non_review.rsplit("/", 1)[-1]: "not_review", "no-such-page": "http_404"}


def test_gzip_output(avclub_server, tmp_path):
    import gzip

    out = tmp_path / "out.jsonl.gz"
    url = f"{avclub_server.base_url}/lost-in-starlight"
    proc = run_scrapy(["crawl", "avclub", "-a", f"urls={url}", "-O", str(out), *FAST])
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = gzip.decompress(out.read_bytes()).decode("utf-8").splitlines()
    assert [json.loads(x)["credits"]["platform"] for x in lines] == ["Netflix"]


def test_demo_writes_version_2_records(tmp_path):
    """``crawler demo``: the bundled site crawled in-process, records in the default schema version 2."""
    import subprocess
    import sys

    from tests.support.crawl import REPO, crawl_env

    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--out", str(tmp_path)], cwd=REPO, env=crawl_env(),
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [out] = [p for p in tmp_path.glob("avclub-*.jsonl") if not p.name.endswith(".rejects.jsonl")]
    records = read_jsonl(out)
    assert len(records) == len(REVIEW_CASES) and "invalid lines      0" in proc.stdout
    assert all(list(r) == list(FIELDS_V2) and r["change"] == "new" and record_errors(r) == [] for r in records)
