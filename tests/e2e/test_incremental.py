"""Incremental and date-range runs against a generated fixture site (real spider, subprocess)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.record.validate import record_errors
from tests.support.crawl import read_jsonl
from tests.support.sitegen import crawl, change_body, generate_site, stat


@pytest.fixture()
def site(tmp_path):
    pages = generate_site(tmp_path / "site", n_reviews=30, n_news=3, seed=11)
    with FixtureServer(tmp_path / "site") as server:
        yield server, pages


def _ids(path: Path) -> list[str]:
    return [r["id"] for r in read_jsonl(path)]


def test_second_run_emits_nothing_then_exactly_the_changed_page(site, tmp_path):
    server, pages = site
    reviews = {p.id for p in pages if p.is_review}
    state = tmp_path / "state.sqlite"
    run1 = crawl(server.base_url, tmp_path / "o1.jsonl", state)
    assert run1.returncode == 0, run1.stderr[-3000:]
    assert sorted(_ids(tmp_path / "o1.jsonl")) == sorted(reviews)

    run2 = crawl(server.base_url, tmp_path / "o2.jsonl", state)
    assert run2.returncode == 0, run2.stderr[-3000:]
    assert _ids(tmp_path / "o2.jsonl") == []
    # Listing links were asked conditionally and answered 304; sitemap entries skipped by lastmod.
    assert stat(run2, "pages/not_modified") == 30
    assert stat(run2, "sitemap/urls_skipped") == 33
    manifest = json.loads(manifest_path_for(tmp_path / "o2.jsonl").read_text("utf-8"))
    assert (manifest["item_count"], manifest["exit_code"], manifest["exit_status"], manifest["mode"]) == (0, 0, "ok", "incremental")

    # The body changes, the sitemap lastmod does not: found through the listing (Last-Modified
    # moved, so 200), and the content hash differs.
    changed = next(p for p in pages if p.is_review and p.kind == "film")
    change_body(tmp_path / "site", pages, changed.slug, seed=11, bump_lastmod=False)
    run3 = crawl(server.base_url, tmp_path / "o3.jsonl", state)
    assert run3.returncode == 0, run3.stderr[-3000:]
    [record] = read_jsonl(tmp_path / "o3.jsonl")
    assert record["id"] == changed.id
    assert record["body"].endswith("Update: this review was revised.")
    assert record_errors(record) == []
    assert stat(run3, "pages/not_modified") == 29

    run4 = crawl(server.base_url, tmp_path / "o4.jsonl", state)
    assert run4.returncode == 0 and _ids(tmp_path / "o4.jsonl") == []


def test_sitemap_lastmod_watermark_finds_the_changed_page_without_listings(tmp_path):
    pages = generate_site(tmp_path / "site", n_reviews=20, n_news=2, seed=5, listings=False)
    state = tmp_path / "state.sqlite"
    with FixtureServer(tmp_path / "site") as server:
        assert crawl(server.base_url, tmp_path / "o1.jsonl", state).returncode == 0
        assert len(_ids(tmp_path / "o1.jsonl")) == 20
        before = len(server.hits)
        run2 = crawl(server.base_url, tmp_path / "o2.jsonl", state)
        assert run2.returncode == 0 and _ids(tmp_path / "o2.jsonl") == []
        assert stat(run2, "sitemap/urls_skipped") == 22
        assert [h for h in server.hits[before:] if h.startswith(("/review-", "/news-"))] == []  # not even fetched
        target = [p for p in pages if p.is_review][3]
        change_body(tmp_path / "site", pages, target.slug, seed=5)  # new body and a new lastmod
        run3 = crawl(server.base_url, tmp_path / "o3.jsonl", state)
        assert run3.returncode == 0, run3.stderr[-3000:]
        assert _ids(tmp_path / "o3.jsonl") == [target.id]


def test_full_mode_emits_everything_and_a_date_range_filters_by_published_at(site, tmp_path):
    server, pages = site
    state = tmp_path / "state.sqlite"
    assert crawl(server.base_url, tmp_path / "o1.jsonl", state).returncode == 0
    full = crawl(server.base_url, tmp_path / "full.jsonl", state, "-a", "mode=full")
    assert full.returncode == 0
    assert len(_ids(tmp_path / "full.jsonl")) == 30
    since, until = "2023-06-01", "2024-06-30"
    expected = sorted(p.id for p in pages if p.is_review and since <= p.published.date().isoformat() <= until)
    assert 0 < len(expected) < 30
    ranged = crawl(server.base_url, tmp_path / "range.jsonl", tmp_path / "other.sqlite", "-a", "mode=full", "-a", f"since={since}", "-a", f"until={until}")
    assert ranged.returncode == 0, ranged.stderr[-3000:]
    assert sorted(_ids(tmp_path / "range.jsonl")) == expected
    # Pages were skipped before download by lastmod (before `since`), the rest after by published_at.
    skipped_before = stat(ranged, "sitemap/urls_skipped") or 0
    out_of_range = stat(ranged, "reviews/skipped/out_of_range") or 0
    assert skipped_before > 0 and out_of_range > 0
    assert "rejects/" not in ranged.stderr  # filtered pages are counted, not rejected


def test_default_state_lives_beside_the_output_and_manifest_matches_the_file(site, tmp_path):
    server, _ = site
    out = tmp_path / "out" / "reviews.jsonl"
    from tests.support.crawl import run_scrapy
    from tests.support.sitegen import FAST_PROD

    proc = run_scrapy(["crawl", "avclub", "-a", f"base_url={server.base_url}", "-O", str(out), *FAST_PROD])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "out" / "avclub.state.sqlite").is_file()
    manifest = json.loads(manifest_path_for(out).read_text("utf-8"))
    data = out.read_bytes()
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["bytes"] == len(data)
    assert manifest["item_count"] == 30 and manifest["schema_version"] == 2
    assert manifest["coverage"]["title"] == 1.0 and manifest["coverage"]["grade"] == 1.0
    assert manifest["arguments"]["state"] == str(tmp_path / "out" / "avclub.state.sqlite")
    assert manifest["status"] == "complete" and manifest["finished"] and manifest["started"]
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".part")]


def test_bad_arguments_exit_2(tmp_path):
    from tests.support.crawl import run_scrapy

    proc = run_scrapy(["crawl", "avclub", "-a", "mode=nightly", "-O", str(tmp_path / "x.jsonl")])
    assert proc.returncode == 2
    assert "mode must be one of" in proc.stderr


def test_an_unusable_state_path_stops_the_run_with_exit_2(site, tmp_path):
    server, _ = site
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    proc = crawl(server.base_url, tmp_path / "o.jsonl", blocker / "state.sqlite")
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1].startswith("RUN FAILED: cannot open the state store")
    assert not (tmp_path / "o.jsonl").exists() or read_jsonl(tmp_path / "o.jsonl") == []


def test_default_feed_applies_only_without_o_and_names_never_collide(site, tmp_path):
    server, _ = site
    from tests.support.crawl import run_scrapy
    from tests.support.sitegen import FAST_PROD

    template = str(tmp_path / "default" / "%(batch_time)s-%(run_id)s.jsonl")
    default = json.dumps({template: {"format": "jsonl", "batch_item_count": 500}})
    args = ["crawl", "avclub", "-a", f"base_url={server.base_url}", "-a", "mode=full", *FAST_PROD, "-s", f"DEFAULT_FEEDS={default}"]
    for _ in range(2):
        proc = run_scrapy([*args, "-a", f"state={tmp_path / 'state.sqlite'}"])
        assert proc.returncode == 0, proc.stderr[-3000:]
    files = sorted((tmp_path / "default").glob("*.jsonl"))
    assert len(files) == 2 and files[0].name != files[1].name  # two runs, two files
    assert all(len(read_jsonl(f)) == 30 and manifest_path_for(f).is_file() for f in files)
    # With -O only that file is written: the default feed is not added to it.
    proc = run_scrapy([*args, "-a", f"state={tmp_path / 'state2.sqlite'}", "-O", str(tmp_path / "only.jsonl")])
    assert proc.returncode == 0
    assert [line.split(" in: ")[1] for line in proc.stderr.splitlines() if "Stored jsonl feed" in line] == [str(tmp_path / "only.jsonl")]
    assert len(list((tmp_path / "default").glob("*.jsonl"))) == 2
