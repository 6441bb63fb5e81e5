"""The state store (SQLite), the run filters and the output journal's recovery."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from crawler.output.manifest import manifest_path_for, scan_output
from crawler.output.recovery import recover
from crawler.output.uri_params import uri_params
from crawler.run.options import RunFilter, RunOptions, parse_when
from crawler.state import SQLiteStateStore, StateStore, default_state_path, open_state
from tests.support.crawl import REPO


def _row(i: int, h: str = "h1", **extra) -> dict:
    return {"id": f"id{i}", "url": f"https://x/{i}", "content_hash": h, **extra}


def test_new_store_knows_nothing(tmp_path):
    with open_state(tmp_path / "s.sqlite", "avclub") as st:
        assert isinstance(st, StateStore)
        assert st.get("id1") is None
        assert st.is_unchanged("id1", "h1") is False
        assert st.get_fetch("https://x/1") is None
        assert st.pending_outputs() == []
        assert st.get_watermark("k") is None
        assert st.recent_runs() == []


def test_mark_emitted_then_unchanged_then_changed(tmp_path):
    st = SQLiteStateStore(tmp_path / "s.sqlite")
    assert st.mark_emitted([_row(1), _row(2)], "run-a") == 2
    assert st.is_unchanged("id1", "h1") is True
    assert st.is_unchanged("id1", "h2") is False
    first = st.get("id1")
    assert first["url"] == "https://x/1" and first["last_emitted_run"] == "run-a"
    assert first["first_seen"] == first["last_changed"]
    # Same content again: idempotent; changed content: hash and last_emitted_run move.
    st.mark_emitted([_row(1)], "run-b")
    assert st.get("id1")["content_hash"] == "h1"
    st.mark_emitted([_row(1, "h2")], "run-c")
    row = st.get("id1")
    assert (row["content_hash"], row["last_emitted_run"], row["first_seen"]) == ("h2", "run-c", first["first_seen"])
    assert st.count() == 2
    st.close()


def test_fetch_validators_are_recorded_with_the_emission(tmp_path):
    st = SQLiteStateStore(tmp_path / "s.sqlite")
    st.mark_emitted([_row(1, fetch_url="http://127.0.0.1:1/a", etag='"e1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")], "r1")
    assert st.get_fetch("http://127.0.0.1:1/a") == {"url": "http://127.0.0.1:1/a", "id": "id1", "etag": '"e1"',
                                                     "last_modified": "Mon, 01 Jan 2024 00:00:00 GMT", "emitted_run": "r1"}
    st.close()


def test_state_survives_reopen_and_is_per_spider(tmp_path):
    with open_state(tmp_path, "avclub") as st:  # a folder: <spider>.state.sqlite inside
        st.mark_emitted([_row(1)], "r1")
        st.set_watermark("lastmod:x", "2025-01-01T00:00:00Z")
        st.add_run({"run_id": "r1", "mode": "incremental", "exit_code": 0, "reviews_seen": 5})
        st.add_run({"run_id": "r2", "mode": "backfill", "exit_code": 0, "reviews_seen": 7})
    assert (tmp_path / "avclub.state.sqlite").is_file()
    with open_state(tmp_path, "avclub") as st:
        assert st.is_unchanged("id1", "h1")
        assert st.get_watermark("lastmod:x") == "2025-01-01T00:00:00Z"
        assert [r["run_id"] for r in st.recent_runs()] == ["r2", "r1"]
        assert [r["run_id"] for r in st.recent_runs(mode="incremental")] == ["r1"]
    with open_state(tmp_path, "other") as st:
        assert st.get("id1") is None
    with open_state(str(tmp_path / "%(name)s-state.db"), "tv") as st:
        assert st.path == tmp_path / "tv-state.db"


def test_default_state_path_follows_the_output_folder(tmp_path):
    assert default_state_path("avclub", [tmp_path / "out" / "x.jsonl"]) == tmp_path / "out" / "avclub.state.sqlite"
    assert default_state_path("avclub") == Path("output/avclub/avclub.state.sqlite")


def test_kill_during_a_write_loses_nothing_committed(tmp_path):
    """A process killed with SIGKILL in the middle of marking leaves the committed rows only."""
    path = tmp_path / "s.sqlite"
    with open_state(path, "avclub") as st:
        st.mark_emitted([_row(i) for i in range(100)], "r1")
    code = f"""
import os, sys
sys.path.insert(0, {str(REPO)!r})
from crawler.state.sqlite import SQLiteStateStore
st = SQLiteStateStore({str(path)!r})
rows = ({{"id": f"new{{i}}", "url": "u", "content_hash": "h"}} for i in range(10**9) if i < 5000 or os.kill(os.getpid(), 9))
st.mark_emitted(rows, "r2")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == -9
    with open_state(path, "avclub") as st:
        assert st.count() == 100
        assert st.get("new1") is None


def test_recover_marks_a_file_renamed_before_the_state_was_written(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    st = SQLiteStateStore(tmp_path / "s.sqlite")
    done = out / "a.jsonl"
    lost = out / "b.jsonl"
    st.begin_output(str(done), "dead-run")
    st.begin_output(str(lost), "dead-run")
    lines = [json.dumps({"id": f"id{i}", "url": f"u{i}", "content_hash": "h"}) for i in range(3)]
    done.write_text("\n".join(lines) + "\n", "utf-8")
    counts = recover(st, [out])
    assert counts["recovered_files"] == 1 and counts["recovered_rows"] == 3 and counts["dropped_journal"] == 1
    assert st.pending_outputs() == []
    assert all(st.is_unchanged(f"id{i}", "h") for i in range(3))
    manifest = json.loads(manifest_path_for(done).read_text("utf-8"))
    assert (manifest["status"], manifest["exit_status"], manifest["item_count"], manifest["run_id"]) == ("recovered", "killed", 3, "dead-run")
    st.close()


def test_recover_removes_stale_temp_files_of_dead_processes_only(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".x.jsonl.{dead}.part"
    live = tmp_path / f".y.jsonl.{os.getppid()}.part"
    mine = tmp_path / f".z.jsonl.{os.getpid()}.part"
    final = tmp_path / "x.jsonl"
    for p in (stale, live, mine, final):
        p.write_text("{}\n")
    counts = recover(None, [tmp_path])
    assert counts["stale_temp_removed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, mine.name, final.name])


def test_scan_output_counts_coverage_with_empty_values_missing(tmp_path):
    f = tmp_path / "o.jsonl"
    recs = [{"id": "a", "url": "u", "content_hash": "h", "title": "T", "grade": None, "body": ""},
            {"id": "b", "url": "u", "content_hash": "h", "title": "", "grade": {"raw": "A"}, "body": "x"}]
    f.write_text("".join(json.dumps(r) + "\n" for r in recs), "utf-8")
    scan = scan_output(f)
    assert scan["item_count"] == 2 and scan["bad_lines"] == 0
    assert (scan["coverage"]["title"], scan["coverage"]["grade"], scan["coverage"]["body"]) == (0.5, 0.5, 0.5)


def test_run_options_validate_arguments():
    opts = RunOptions.from_args("backfill", "2024-01-01", "2024-12-31", "s.db")
    assert (opts.mode, opts.since, opts.until, opts.state) == ("backfill", date(2024, 1, 1), date(2024, 12, 31), "s.db")
    assert RunOptions.from_args().mode is None
    for bad in ({"mode": "nightly"}, {"since": "2024-13-01"}, {"since": "2024-02-01", "until": "2024-01-01"}):
        with pytest.raises(ValueError):
            RunOptions.from_args(**bad)
    assert RunOptions().run_id != RunOptions().run_id


def test_run_filter_lastmod_and_range():
    f = RunFilter(mode="backfill", since=date(2024, 3, 10), until=date(2024, 3, 20))
    assert f.want_lastmod("2024-03-09T12:00:00+00:00") is True  # a day of slack for time zones
    assert f.want_lastmod("2024-03-08") is False
    assert f.want_lastmod(None) is True and f.want_lastmod("junk") is True
    assert f.want_sitemap_lastmod("2023-12-31") is False
    assert [f.in_range(v) for v in ("2024-03-10T00:00:00Z", "2024-03-20T23:59:59Z", "2024-03-21T00:00:00Z", "2024-03-09", None)] == [True, True, False, False, None]
    inc = RunFilter(mode="incremental", modified_after=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert inc.want_lastmod("2024-12-31T23:00:00-02:00") is True  # 2025-01-01T01:00Z
    assert inc.want_lastmod("2024-12-31T23:00:00Z") is False
    assert inc.want_sitemap_lastmod("2020-01-01") is True  # sitemaps themselves are not skipped by the watermark
    assert parse_when("2024-10-12T09:15:00-04:00") == datetime(2024, 10, 12, 13, 15, tzinfo=timezone.utc)


def test_uri_params_add_run_id_and_a_sortable_batch_time():
    class S:
        run_id = "20250101T000000Z-abc123"

    params = uri_params({"batch_time": "2025-01-02T03-04-05.000123+00-00", "time": "t"}, S())
    assert params["batch_time"] == "20250102T030405.000123Z"
    assert params["run_id"] == "20250101T000000Z-abc123"


def test_marking_many_rows_at_once_is_what_one_row_at_a_time_leaves(tmp_path):
    """_mark writes all the reviews' upserts, then all the fetches' (two executemany): the same
    rows as one review and its fetch at a time, also for a review marked twice in one batch."""
    import sqlite3 as _sqlite3

    from crawler.state.sqlite import SQLiteStateStore

    store = SQLiteStateStore(tmp_path / "s.sqlite")
    store.mark_emitted([{"id": "a", "url": "https://x/a", "content_hash": "h1", "field_hashes": {"title": "1", "body": "2"}},
                        {"id": "b", "url": "https://x/b", "content_hash": "h2", "fetch_url": "https://x/b?f", "etag": "E"}], "run1")
    store.mark_emitted([{"id": "a", "url": "https://x/a2", "content_hash": "h3"},
                        {"id": "c", "url": "https://x/c", "content_hash": "h4", "fetch_url": "https://x/b?f", "last_modified": "L"},
                        {"id": "c", "url": "https://x/c2", "content_hash": "h4", "field_hashes": {"body": "9"}}], "run2")
    db = _sqlite3.connect(tmp_path / "s.sqlite")
    reviews = {r[0]: r[1:] for r in db.execute("SELECT id, url, content_hash, last_emitted_run, field_hashes FROM reviews")}
    assert reviews == {"a": ("https://x/a2", "h3", "run2", None),  # changed, no new hashes: none kept
                       "b": ("https://x/b", "h2", "run1", None),
                       "c": ("https://x/c2", "h4", "run2", '{"body": "9"}')}
    assert db.execute("SELECT url, id, etag, last_modified, emitted_run FROM fetches").fetchall() == [
        ("https://x/b?f", "c", None, "L", "run2")]
    assert store.get("a")["field_hashes"] is None and store.get("c")["field_hashes"] == {"body": "9"}
