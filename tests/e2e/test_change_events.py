"""Change events in schema version 2 records (the default) across incremental runs with edits,
then a full run, and version 1 on request (real spider in subprocesses, generated site on 127.0.0.1)."""

from __future__ import annotations

import json

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.record.validate import record_errors
from crawler.state.sqlite import SQLiteStateStore
from tests.support.crawl import read_jsonl
from tests.support.sitegen import change_body, crawl, generate_site, stat

def test_new_changed_unchanged_across_three_incremental_runs_and_a_full_run(tmp_path):
    pages = generate_site(tmp_path / "site", n_reviews=10, n_news=1, seed=21)
    reviews = [p for p in pages if p.is_review]
    state = tmp_path / "state.sqlite"
    with FixtureServer(tmp_path / "site") as server:
        run1 = crawl(server.base_url, tmp_path / "o1.jsonl", state)
        assert run1.returncode == 0, run1.stderr[-3000:]
        first = {r["id"]: r for r in read_jsonl(tmp_path / "o1.jsonl")}
        assert set(first) == {p.id for p in reviews}
        for r in first.values():
            assert (r["schema_version"], r["change"], r["previous_hash"], r["changed_fields"]) == (2, "new", None, [])
            assert record_errors(r) == []
        assert stat(run1, "reviews/change/new") == 10
        assert json.loads(manifest_path_for(tmp_path / "o1.jsonl").read_text("utf-8"))["schema_version"] == 2
        with SQLiteStateStore(state) as st:
            assert set(st.get(reviews[0].id)["field_hashes"]) >= {"body", "title", "grade", "credits"}

        a, b = reviews[1], reviews[4]
        change_body(tmp_path / "site", pages, a.slug, seed=21)
        run2 = crawl(server.base_url, tmp_path / "o2.jsonl", state)
        assert run2.returncode == 0, run2.stderr[-3000:]
        [rec] = read_jsonl(tmp_path / "o2.jsonl")
        assert (rec["id"], rec["change"], rec["previous_hash"], rec["changed_fields"]) == (a.id, "changed", first[a.id]["content_hash"], ["body"])
        assert rec["content_hash"] != first[a.id]["content_hash"] and record_errors(rec) == []

        change_body(tmp_path / "site", pages, b.slug, note="A second revision.", seed=21)
        change_body(tmp_path / "site", pages, a.slug, note="And a third one.", seed=21)
        run3 = crawl(server.base_url, tmp_path / "o3.jsonl", state)
        assert run3.returncode == 0, run3.stderr[-3000:]
        got = {r["id"]: r for r in read_jsonl(tmp_path / "o3.jsonl")}
        assert set(got) == {a.id, b.id}
        assert (got[a.id]["change"], got[a.id]["previous_hash"], got[a.id]["changed_fields"]) == ("changed", rec["content_hash"], ["body"])
        assert (got[b.id]["change"], got[b.id]["previous_hash"], got[b.id]["changed_fields"]) == ("changed", first[b.id]["content_hash"], ["body"])
        assert stat(run3, "reviews/change/changed") == 2

        full = crawl(server.base_url, tmp_path / "full.jsonl", state, "-a", "mode=full")
        assert full.returncode == 0, full.stderr[-3000:]
        records = read_jsonl(tmp_path / "full.jsonl")
        assert len(records) == 10
        assert all((r["change"], r["previous_hash"], r["changed_fields"]) == ("unchanged", r["content_hash"], []) for r in records)

        # Version 1 (superseded) on request is unchanged: no change fields in its records.
        v1 = crawl(server.base_url, tmp_path / "v1.jsonl", tmp_path / "other.sqlite", "-s", "RECORD_SCHEMA_VERSION=1")
        assert v1.returncode == 0
        v1_records = read_jsonl(tmp_path / "v1.jsonl")
        assert len(v1_records) == 10 and all("change" not in r and r["schema_version"] == 1 and record_errors(r) == [] for r in v1_records)
        assert json.loads(manifest_path_for(tmp_path / "v1.jsonl").read_text("utf-8"))["schema_version"] == 1
