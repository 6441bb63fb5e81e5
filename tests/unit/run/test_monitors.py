"""Monitors: unit checks over stats, and exit codes of real crawls (redesigned site, healthy
site, interrupted run)."""

from __future__ import annotations

import json

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.run.monitors import coverage, evaluate, reviews_seen
from tests.support.crawl import read_jsonl
from tests.support.sitegen import crawl, generate_site


def _stats(**kw) -> dict:
    base = {"reviews/seen": 20, "reviews/normalized": 20, "response_received_count": 25,
            "coverage/all/reviews": 20, "coverage/film/reviews": 12, "coverage/tv/reviews": 8}
    base.update({k.replace("__", "/"): v for k, v in kw.items()})
    return base


def test_healthy_stats_pass():
    assert evaluate(_stats()) == []


def test_grade_coverage_of_film_reviews_fails_with_the_field_named():
    failures = evaluate(_stats(coverage__film__missing__grade=12, coverage__all__missing__grade=12))
    assert [f.line() for f in failures] == ["MONITOR FAILED: grade coverage 0.00 < 0.80 (film reviews, 12 read)"]


def test_tv_reviews_without_grades_do_not_fail_the_film_grade_check():
    assert evaluate(_stats(coverage__tv__missing__grade=8, coverage__all__missing__grade=8)) == []


def test_empty_values_count_as_missing_through_the_pipeline_stats():
    # StatePipeline counts missing with crawler.pipelines.normalize.missing_fields: None, "", [] and {}.
    from crawler.record.coverage import missing_fields

    assert set(missing_fields({"title": "", "body": None, "authors": [], "grade": {}, "credits": {}})) >= {"title", "body", "authors", "grade"}
    assert evaluate(_stats(coverage__all__missing__body=2)) == []  # 0.90: the odd bodiless review passes
    failures = evaluate(_stats(coverage__all__missing__body=3))
    assert [f.check for f in failures] == ["coverage/body"]
    assert failures[0].line() == "MONITOR FAILED: body coverage 0.85 < 0.90 (reviews, 20 read)"


def test_small_samples_are_not_judged_and_thresholds_come_from_settings():
    small = {"reviews/seen": 3, "coverage/all/reviews": 3, "coverage/film/reviews": 3, "coverage/film/missing/grade": 3}
    assert evaluate(small) == []
    assert [f.check for f in evaluate(small, {"MONITOR_COVERAGE_MIN_SAMPLE": 1})] == ["coverage/grade@film"]
    assert evaluate(small, {"MONITOR_COVERAGE_MIN_SAMPLE": 1, "MONITOR_COVERAGE": {"grade@film": 0.0}}) == []
    assert evaluate(small, {"MONITOR_ENABLED": False, "MONITOR_COVERAGE_MIN_SAMPLE": 1}) == []


def test_counts_apply_to_pages_seen_not_items_emitted():
    # reviews/seen counts distinct reviews (read, 304, skipped by lastmod): 40 answered 304, 5 of
    # them also skipped as sitemap entries, are 40 reviews, not 45
    quiet = {"reviews/seen": 40, "pages/not_modified": 40, "sitemap/urls_skipped": 5, "response_received_count": 45}
    assert reviews_seen(quiet) == 40
    assert evaluate(quiet) == []  # nothing emitted, nothing read: still a success
    [f] = evaluate({"response_received_count": 3})
    assert f.line() == "MONITOR FAILED: reviews seen 0 < 1 (MONITOR_MIN_REVIEWS_SEEN)"
    assert evaluate({"response_received_count": 3}, exact_urls=True) == []


def test_a_urls_run_in_which_every_page_failed_fails():
    [f] = evaluate({"run/exact_urls": 2, "pages/failed/http_404": 2, "response_received_count": 2}, exact_urls=True)
    assert f.line() == "MONITOR FAILED: no review from the 2 pages given with urls (2 failed)"
    assert evaluate({"run/exact_urls": 2, "pages/failed/http_404": 1, "reviews/seen": 1}, exact_urls=True) == []
    assert evaluate({"run/exact_urls": 2, "pages/failed/http_404": 1, "pages/skipped/not_review": 1}, exact_urls=True) == []


def test_error_rate_invalid_rate_and_history_drop():
    [f] = evaluate(_stats(pages__failed__http_500=10))
    assert f.line() == "MONITOR FAILED: error rate 0.29 > 0.20 (10 failed pages)"
    assert evaluate({**_stats(pages__failed__http_500=10), "response_received_count": 5}) == []  # 15 pages: no rate
    [f] = evaluate(_stats(reviews__dropped__invalid=2))
    assert f.check == "invalid_rate"
    history = [{"reviews_seen": 100, "exit_code": 0}, {"reviews_seen": 90, "exit_code": 0}, {"reviews_seen": 5, "exit_code": 1}]
    [f] = evaluate(_stats(), history=history)
    assert f.line() == "MONITOR FAILED: reviews seen 20 < 48 (50% of the median 95 of the last 2 runs)"
    assert evaluate(_stats(), history=history[:1]) == []  # one run is not a history


def test_coverage_helper():
    assert coverage({"coverage/film/reviews": 4, "coverage/film/missing/grade": 1}, "grade", "film") == (0.75, 4)
    assert coverage({}, "grade") == (None, 0)


# ---------------------------------------------------------------- real crawls
def test_redesigned_site_without_grades_exits_non_zero_naming_the_field(tmp_path):
    generate_site(tmp_path / "site", n_reviews=30, n_news=2, seed=9, grades=False)
    with FixtureServer(tmp_path / "site") as server:
        proc = crawl(server.base_url, tmp_path / "o.jsonl", tmp_path / "state.sqlite")
    assert proc.returncode == 1, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last == "MONITOR FAILED: grade coverage 0.00 < 0.80 (film reviews, 20 read)"
    # Records are still written (grade null, never wrong) and the manifest says what failed.
    records = read_jsonl(tmp_path / "o.jsonl")
    assert len(records) == 30 and all(r["grade"] is None for r in records)
    manifest = json.loads(manifest_path_for(tmp_path / "o.jsonl").read_text("utf-8"))
    assert (manifest["exit_code"], manifest["exit_status"]) == (1, "monitor_failed")
    assert manifest["monitor_failures"] == [last]
    assert manifest["coverage"]["grade"] == 0.0


def test_healthy_site_exits_zero_and_a_stopped_run_exits_3(tmp_path):
    generate_site(tmp_path / "site", n_reviews=30, n_news=2, seed=9)
    with FixtureServer(tmp_path / "site") as server:
        ok = crawl(server.base_url, tmp_path / "o.jsonl", tmp_path / "state.sqlite")
        assert ok.returncode == 0, ok.stderr[-3000:]
        assert "MONITOR FAILED" not in ok.stderr
        assert "Run summary" in ok.stderr
        stopped = crawl(server.base_url, tmp_path / "s.jsonl", tmp_path / "state2.sqlite", "-s", "CLOSESPIDER_ITEMCOUNT=5", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    assert stopped.returncode == 3, stopped.stderr[-3000:]
    assert stopped.stderr.strip().splitlines()[-1].startswith("RUN INCOMPLETE: finish reason closespider_itemcount")


def test_an_empty_site_fails_the_count_monitor(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\n")
    with FixtureServer(site) as server:
        proc = crawl(server.base_url, tmp_path / "o.jsonl", tmp_path / "state.sqlite")
    assert proc.returncode == 1
    assert "MONITOR FAILED: reviews seen 0 < 1 (MONITOR_MIN_REVIEWS_SEEN)" in proc.stderr.strip().splitlines()
