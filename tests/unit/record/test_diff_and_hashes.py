"""--diff's per-field counts, per-field hashes, and the state's field_hashes column (with migration)."""

from __future__ import annotations

import sqlite3

from crawler.record.build import changed_fields, field_hashes
from crawler.record.coverage import missing_fields
from crawler.record.diff import diff_records, format_diff
from crawler.record.v2 import to_v2
from crawler.state.sqlite import SQLiteStateStore


def _rec(i, **kw):
    base = {"schema_version": 1, "id": f"{i:024x}", "url": f"https://x.example/{i}", "title": f"T{i}", "body": "b",
            "grade": {"raw": "B", "scale": "letter", "value": 75, "best": 100, "score": 75, "letter": "B"},
            "credits": {"director": ["D"], "writer": [], "starring": ["A", "B"], "release_date": None, "platform": None},
            "published_at": "2025-01-01T10:00:00Z", "content_hash": "0" * 64, "fetched_at": "2026-01-01T00:00:00Z"}
    return {**base, **kw}


def test_diff_counts_changed_appeared_vanished_new_and_gone():
    prev = [_rec(1), _rec(2), _rec(3, subtitle=None), _rec(4)]
    cur = [_rec(1, fetched_at="2027-01-01T00:00:00Z"), _rec(2, title="New"), _rec(3, subtitle="S", body=None), _rec(5)]
    d = diff_records(prev, cur)
    assert (d["compared"], d["new"], d["gone"]) == (3, 1, 1)
    assert d["fields"]["title"] == {"changed": 1, "appeared": 0, "vanished": 0,
                                    "examples": [{"kind": "changed", "url": "https://x.example/2", "before": "T2", "after": "New"}]}
    assert (d["fields"]["subtitle"]["appeared"], d["fields"]["body"]["vanished"]) == (1, 1)
    assert "fetched_at" not in d["fields"]
    text = format_diff(d)
    assert text.splitlines()[0] == "records compared 3, new 1, gone 1"
    assert "title: changed 1, appeared 0, vanished 0" in text
    cur2 = [_rec(1, credits={**_rec(1)["credits"], "starring": ["B", "A"]})]
    assert list(diff_records([_rec(1)], cur2)["fields"]) == ["credits.starring"]


def test_diff_compares_version_1_with_version_2_and_ignores_the_change_event():
    """A version 2 re-extraction against a version 1 output (or a crawl's v2 output with its
    change events) shows only what changed in the reviews."""
    prev = [_rec(1, published_at="2025-01-01"), _rec(2)]
    cur = [to_v2(_rec(1, published_at="2025-01-01")), to_v2(_rec(2, title="New"), {"change": "new", "previous_hash": None, "changed_fields": []})]
    d = diff_records(prev, cur)
    assert list(d["fields"]) == ["title"] and d["compared"] == 2
    assert diff_records(cur, prev)["fields"]["title"]["changed"] == 1


def test_field_hashes_are_the_same_for_v1_and_v2_and_name_the_changed_fields():
    r = _rec(1)
    assert field_hashes(r) == field_hashes(to_v2(r))
    assert changed_fields(_rec(1, body="other", title="x"), field_hashes(r)) == ["title", "body"]
    assert changed_fields(r, field_hashes(r)) == []
    assert changed_fields(r, None) is None


def test_coverage_is_the_same_for_v1_and_v2():
    """A page that gives only a date: version 2 keeps it in published_date, not missing."""
    r = _rec(1, published_at="2025-01-01", subtitle=None, authors=[])
    assert missing_fields(r) == missing_fields(to_v2(r))
    assert "published_at" not in missing_fields(to_v2(r)) and "modified_at" in missing_fields(to_v2(r))


def test_state_keeps_field_hashes_and_migrates_an_old_database(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    # a state written before per-field hashes (and before schema versions): every table, no field_hashes
    from crawler.state.sqlite import _SCHEMA

    db.executescript(_SCHEMA.replace(",\n    field_hashes TEXT", ""))
    assert "field_hashes" not in {r[1] for r in db.execute("PRAGMA table_info(reviews)")}
    db.execute("INSERT INTO reviews VALUES ('a', 'u', 'h', 't', 't', 'r')")
    db.commit()
    db.close()
    with SQLiteStateStore(path) as st:
        assert st.get("a")["field_hashes"] is None
        st.mark_emitted([{"id": "b", "url": "u2", "content_hash": "h2", "field_hashes": {"body": "1234"}}], "run2")
        assert st.get("b")["field_hashes"] == {"body": "1234"}
        st.mark_emitted([{"id": "b", "url": "u2", "content_hash": "h2"}], "run3")  # none given, same content: kept
        assert st.get("b")["field_hashes"] == {"body": "1234"}
        st.mark_emitted([{"id": "b", "url": "u2", "content_hash": "h3"}], "run4")  # new content, no hashes: unknown
        assert st.get("b")["field_hashes"] is None and st.get("b")["content_hash"] == "h3"
