"""The state journal (crawler/state/journal.py, crawler/state/sqlite.py): every write of a SQLite
state in ``<state>.journal``, self-checking lines, replayed by ``crawler state rebuild``."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import crawler.state.sqlite as sqlite_module
from crawler.cli import main
from crawler.output.manifest import build_manifest, manifest_path_for, scan_output, write_json_atomic
from crawler.run.rebuild import rebuild_state
from crawler.state import SQLiteStateStore, StateDamaged, check_state_file, journal_path_for, replay_journal, scan_journal
from crawler.state.journal import BadLine, decode_line, encode_line, replay_entries
from tests.support.corrupt import PAGE, overwrite_page, table_pages
from tests.support.crawl import REPO


def _row(i: int, h: str = "h1", **extra) -> dict:
    return {"id": f"id{i:05d}", "url": f"https://www.avclub.com/review-{i}", "content_hash": h, **extra}


def busy_state(path: Path, n: int = 300) -> SQLiteStateStore:
    """A state that went through every kind of write: batches of reviews with field hashes and
    validators, changed and unchanged content, a forgotten run, pending outputs, watermarks, runs."""
    st = SQLiteStateStore(path)
    for b in range(0, n, 50):
        out = f"/out/{b:04d}.jsonl"
        st.begin_output(out, f"run-{b}")
        st.mark_emitted([_row(i, field_hashes={"title": f"t{i}", "body": f"b{i}"}, fetch_url=f"http://127.0.0.1:1/r/{i}",
                              etag=f'"e{i}"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT") for i in range(b, min(b + 50, n))],
                        f"run-{b}", output=out)
    st.mark_emitted([_row(1, "h2"), _row(2)], "run-changed")  # a changed review (field hashes unknown), an unchanged one
    st.mark_emitted([_row(i) for i in range(n, n + 10)], "run-killed")
    assert st.forget_run("run-killed", keep={_row(n)["id"]}) == 9
    st.begin_output("/out/pending.jsonl", "run-last")  # left pending
    st.set_watermark("lastmod:http://a", "2025-01-01T00:00:00Z")
    st.set_watermark("lastmod:http://a", "2025-02-01T00:00:00Z")
    for k in range(3):
        st.add_run({"run_id": f"r{k}", "mode": "incremental", "finished": f"2025-0{k + 1}-01T00:00:00Z", "exit_code": 0,
                    "fields": {"title": 1.0, "grade": 0.5}})
    return st


def replayed(journal: Path, tmp: Path) -> dict:
    """The state a replay of *journal* gives (in a new state under *tmp*)."""
    n = len(list(tmp.glob("replayed-*.sqlite")))
    with SQLiteStateStore(tmp / f"replayed-{n}.sqlite", journal=False) as new:
        replay_journal(new, journal)
        return new.dump()


# ---------------------------------------------------------------- lines
def test_a_journal_line_is_its_seq_a_crc32_and_ascii_json():
    op = {"op": "watermark", "key": "lastmod:é", "value": "\ud800 \n"}  # non-ASCII, a lone surrogate, a newline
    line = encode_line(42, op)
    seq, crc, payload = line.split(b" ", 2)
    assert seq == b"42" and line.endswith(b"\n") and line.count(b"\n") == 1
    assert payload == b'{"op":"watermark","key":"lastmod:\\u00e9","value":"\\ud800 \\n"}\n'
    assert int(crc, 16) == zlib.crc32(b"42 " + payload[:-1])
    assert decode_line(line) == (42, op)
    # any one byte changed, anywhere: the line fails its check (never replayed)
    for i in range(len(line) - 1):
        damaged = bytearray(line)
        damaged[i] ^= 0x20
        with pytest.raises(BadLine):
            decode_line(bytes(damaged))
    with pytest.raises(BadLine):
        decode_line(line[:-10] + b"\n")  # cut short
    with pytest.raises(BadLine):
        decode_line(encode_line(1, {"no": "op"}))


def test_replay_drops_entries_a_later_line_supersedes():
    """A line whose seq is not above the previous one's: the entries from that seq on were never
    committed (a kill between the journal's fsync and the commit)."""
    w = lambda v: {"op": "watermark", "key": "k", "value": v}  # noqa: E731
    entries = [(1, {"op": "journal", "id": "x"}), (2, w("a")), (3, w("orphan")), (3, w("b")), (4, w("c")), (5, w("orphan2")),
               (5, {"op": "rewind", "dropped": 1}), (6, w("d"))]
    assert [op["value"] for op in replay_entries(entries)] == ["a", "b", "c", "d"]


def test_replay_drops_a_last_write_cut_short_between_its_lines():
    """A write of many lines (a big ``mark``, in parts): every line but its last says ``more``.
    A journal ending in ``more`` lines ends in a write never committed (the writer was killed
    before its last line; the state file lost too, so no rewind was written): it is dropped."""
    w = lambda v, **more: {"op": "watermark", "key": "k", "value": v, **more}  # noqa: E731
    entries = [(1, {"op": "journal", "id": "x"}), (2, w("a", more=True)), (3, w("b")), (4, w("c", more=True)), (5, w("d", more=True))]
    assert [op["value"] for op in replay_entries(entries)] == ["a", "b"]
    # superseded (same seq again), the next write's lines count
    entries += [(4, w("e", more=True)), (5, w("f"))]
    assert [op["value"] for op in replay_entries(entries)] == ["a", "b", "e", "f"]


def test_a_big_mark_is_written_in_parts_with_bounded_memory(tmp_path):
    """mark_emitted streams its rows: the journal gets a line per ``MARK_ROWS`` rows (every one
    but the last says ``more``; the output entry is completed by the last), applied as they come,
    so a 20,000-row file's close does not hold every row's encoding and one 7 MB line at once."""
    import tracemalloc

    n = 20_000
    path = tmp_path / "s.sqlite"
    st = SQLiteStateStore(path)
    st.begin_output("/out/big.jsonl", "run-big")
    rows = (_row(i, f"{i:064x}", field_hashes={"title": f"t{i}", "body": f"b{i}"}, fetch_url=f"http://127.0.0.1:1/review-{i}")
            for i in range(n))
    tracemalloc.start()
    try:
        assert st.mark_emitted(rows, "run-big", output="/out/big.jsonl") == n
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    state = st.dump()
    st.close()
    assert peak < 8_000_000, f"{peak / 1e6:.1f} MB traced while marking {n} rows"  # all at once: ~22 MB
    assert len(state["reviews"]) == n and len(state["fetches"]) == n and state["outputs"] == []
    marks = [op for _, op in scan_journal(journal_path_for(path), keep=lambda s: True).entries if op["op"] == "mark"]
    assert [len(op["rows"]) for op in marks] == [sqlite_module.MARK_ROWS] * (n // sqlite_module.MARK_ROWS)
    assert [op.get("more") for op in marks] == [True] * (len(marks) - 1) + [None]
    assert [op["output"] for op in marks] == [None] * (len(marks) - 1) + ["/out/big.jsonl"]
    assert replayed(journal_path_for(path), tmp_path) == state


def test_a_big_mark_cut_short_in_the_journal_rebuilds_the_state_before_it(tmp_path):
    """The journal of a big mark killed after its first parts (the state lost with it): the
    rebuilt state is the one before that write, never a part of it."""
    path = tmp_path / "s.sqlite"
    with SQLiteStateStore(path) as st:
        st.mark_emitted([_row(0)], "run-1")
        before = st.dump()
        st.begin_output("/out/big.jsonl", "run-2")
        st.mark_emitted((_row(i) for i in range(1, 3 * sqlite_module.MARK_ROWS)), "run-2", output="/out/big.jsonl")
    journal = journal_path_for(path)
    lines = journal.read_bytes().splitlines(keepends=True)
    assert [decode_line(x)[1].get("more") for x in lines[-3:]] == [True, True, None]
    cut = tmp_path / "cut.journal"
    cut.write_bytes(b"".join(lines[:-1]))  # the last part never written
    after = replayed(cut, tmp_path)
    assert after["reviews"] == before["reviews"] and after["fetches"] == before["fetches"]
    assert [o[0] for o in after["outputs"]] == ["/out/big.jsonl"]  # still pending: recovery reads its manifest


def test_a_big_mark_that_fails_between_its_parts_leaves_the_state_and_its_replay_as_they_were(tmp_path, monkeypatch):
    """A mark's rows that raise after a part was applied and journaled (each line written at
    once here): the transaction is rolled back, the lines written ahead (``more``) are never
    replayed, the next open rewinds them, and later writes replay exactly."""
    import crawler.state.journal as journal_module

    monkeypatch.setattr(journal_module, "WRITE_BYTES", 1)  # every line written as it is made
    path = tmp_path / "s.sqlite"
    st = SQLiteStateStore(path)
    st.mark_emitted([_row(0)], "run-1")
    before = st.dump()

    def rows():
        yield from (_row(i) for i in range(1, 2 * sqlite_module.MARK_ROWS + 1))
        raise RuntimeError("the output could not be read back")

    with pytest.raises(RuntimeError, match="read back"):
        st.mark_emitted(rows(), "run-2", output="/out/x.jsonl")
    assert st.dump() == before
    journal = journal_path_for(path)
    # the first part was applied and journaled; reading the second's follower raised
    last, ahead = [op for _, op in scan_journal(journal, keep=lambda s: True).entries][-2:]
    assert (last["run"], last.get("more")) == ("run-1", None)
    assert (ahead["op"], ahead["run"], ahead["more"], len(ahead["rows"])) == ("mark", "run-2", True, sqlite_module.MARK_ROWS)
    assert replayed(journal, tmp_path) == before
    st.close()
    with SQLiteStateStore(path) as st:
        assert st.journal_status["event"] == "ahead"
        st.mark_emitted([_row(7)], "run-3")
        state = st.dump()
    assert replayed(journal, tmp_path) == state and [r[0] for r in state["reviews"]] == ["id00000", "id00007"]


# ---------------------------------------------------------------- every write, replayed exactly
def test_every_write_is_journaled_and_its_replay_is_the_same_state(tmp_path):
    st = busy_state(tmp_path / "s.sqlite")
    before = st.dump()
    st.close()
    scan = scan_journal(journal_path_for(tmp_path / "s.sqlite"), keep=lambda seq: True)
    assert scan.healthy and scan.torn_tail == 0 and scan.bad == 0
    kinds = [op["op"] for _, op in scan.entries]
    assert kinds == ["journal"] + ["output", "mark"] * 6 + [
        "mark", "mark", "forget", "output", "watermark", "watermark", "run", "run", "run"]
    assert [seq for seq, _ in scan.entries] == list(range(1, len(kinds) + 1))
    mark = scan.entries[2][1]
    assert mark["rows"][0] == ["id00000", "https://www.avclub.com/review-0", "h1", '{"body": "b0", "title": "t0"}',
                               "http://127.0.0.1:1/r/0", '"e0"', "Mon, 01 Jan 2024 00:00:00 GMT"]
    assert scan.entries[-7][1] == {"op": "forget", "run": "run-killed", "ids": [f"id{i:05d}" for i in range(301, 310)]}
    after = replayed(journal_path_for(tmp_path / "s.sqlite"), tmp_path)
    assert after == before
    assert len(after["reviews"]) == 301 and len(after["fetches"]) == 300 and len(after["runs"]) == 3
    assert after["outputs"] == [before["outputs"][0]] and after["outputs"][0][0] == "/out/pending.jsonl"
    assert after["watermarks"] == [("lastmod:http://a", "2025-02-01T00:00:00Z")]
    changed = next(r for r in after["reviews"] if r[0] == "id00001")
    assert (changed[2], changed[5], changed[6]) == ("h2", "run-changed", None)
    unchanged = next(r for r in after["reviews"] if r[0] == "id00002")
    assert (unchanged[5], unchanged[6]) == ("run-changed", '{"body": "b2", "title": "t2"}')
    # the state counts its journal's lines
    db = sqlite3.connect(tmp_path / "s.sqlite")
    assert dict(db.execute("SELECT key, value FROM meta"))["journal_seq"] == str(len(kinds))
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    db.close()


def test_any_one_damaged_page_of_the_state_is_rebuilt_exactly_from_the_journal(tmp_path):
    """Every page of the SQLite file in turn overwritten with random bytes: the state is refused
    (when the page is in use) and the rebuild from the journal is the state as it was."""
    good = tmp_path / "good"
    good.mkdir()
    st = busy_state(good / "s.sqlite")
    before = st.dump()
    st.close()
    pages = (good / "s.sqlite").stat().st_size // PAGE
    in_use = set(table_pages(good / "s.sqlite"))
    assert pages >= 20 and len(table_pages(good / "s.sqlite", "reviews", "leaf")) >= 5 and len(in_use) >= pages - 2
    refused = set()
    for n in range(1, pages + 1):
        case = tmp_path / f"page{n}"
        shutil.copytree(good, case)
        overwrite_page(case / "s.sqlite", n, seed=n)
        try:
            check_state_file(case / "s.sqlite")
        except StateDamaged:
            refused.add(n)
        result = rebuild_state(case / "s.sqlite", [], force=True)
        assert (result["journal"]["bad_lines"], result["journal"]["missing"]) == (0, 0)
        with SQLiteStateStore(case / "s.sqlite") as rebuilt:
            assert rebuilt.dump() == before, f"page {n}"
        shutil.rmtree(case)
    assert in_use <= refused  # every page in use (the header, tables, indexes) is found damaged


# ---------------------------------------------------------------- kills
KILL_AFTER_JOURNAL = """
import os, sys
sys.path.insert(0, {repo!r})
from crawler.state import journal
from crawler.state.sqlite import SQLiteStateStore
st = SQLiteStateStore({path!r})
st.mark_emitted([{{"id": "a", "url": "u", "content_hash": "h"}}], "r1")
append = journal.JournalFile.append
def append_then_die(self, lines):
    append(self, lines)
    os.kill(os.getpid(), 9)  # the line is fsynced, the transaction not committed
journal.JournalFile.append = append_then_die
st.mark_emitted([{{"id": "b", "url": "u", "content_hash": "h"}}], "r2")
"""


def test_a_write_killed_between_its_journal_line_and_its_commit_is_marked_not_committed(tmp_path):
    path = tmp_path / "s.sqlite"
    proc = subprocess.run([sys.executable, "-c", KILL_AFTER_JOURNAL.format(repo=str(REPO), path=str(path))], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    journal = journal_path_for(path)
    assert [op["op"] for op in replay_entries(scan_journal(journal, keep=lambda s: True).entries)] == ["mark", "mark"]  # one ahead
    with SQLiteStateStore(path) as st:
        assert st.journal_status["event"] == "ahead"
        assert st.get("a") is not None and st.get("b") is None
        st.mark_emitted([{"id": "c", "url": "u", "content_hash": "h"}], "r3")
        state = st.dump()
    scan = scan_journal(journal, keep=lambda s: True)
    assert [(seq, op["op"]) for seq, op in scan.entries][-3:] == [(3, "mark"), (3, "rewind"), (4, "mark")]
    assert replayed(journal, tmp_path) == state
    assert [r[0] for r in state["reviews"]] == ["a", "c"]


def test_a_torn_last_line_is_removed_when_the_state_is_opened(tmp_path):
    path = tmp_path / "s.sqlite"
    with SQLiteStateStore(path) as st:
        st.mark_emitted([_row(1)], "r1")
    journal = journal_path_for(path)
    size = journal.stat().st_size
    with open(journal, "ab") as f:
        f.write(encode_line(3, {"op": "watermark", "key": "k", "value": "v"})[:-7])  # a line cut short
    with SQLiteStateStore(path) as st:
        assert st.journal_status["event"] == "torn"
        st.set_watermark("k", "w")
        state = st.dump()
    assert journal.read_bytes()[size:].startswith(b"3 ")
    assert replayed(journal, tmp_path) == state and scan_journal(journal).healthy


def test_a_state_restored_from_a_backup_rewinds_its_journal(tmp_path):
    path = tmp_path / "s.sqlite"
    with SQLiteStateStore(path) as st:
        st.mark_emitted([_row(1)], "r1")
    shutil.copy(path, tmp_path / "backup.sqlite")
    with SQLiteStateStore(path) as st:
        st.mark_emitted([_row(2)], "r2")
        st.add_run({"run_id": "r2"})
    shutil.copy(tmp_path / "backup.sqlite", path)
    with SQLiteStateStore(path) as st:
        assert st.journal_status["event"] == "ahead"
        state = st.dump()
    assert [r[0] for r in state["reviews"]] == ["id00001"]
    assert replayed(journal_path_for(path), tmp_path) == state


# ---------------------------------------------------------------- the journal's own damage
def _oracle(original: bytes, damaged: bytes) -> tuple[int, int]:
    """(bad lines, lines lost) by comparing the lines of two files, independently of the scanner."""
    def lines(data: bytes) -> list[bytes]:
        parts = data.split(b"\n")
        return [p + b"\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])

    before, after = lines(original), lines(damaged)
    return sum(1 for line in after if line not in set(before)), sum(1 for line in before if line not in set(after))


@pytest.mark.parametrize("newlines", [False, True])
def test_a_damaged_page_of_the_journal_is_counted_and_never_replayed(tmp_path, newlines):
    path = tmp_path / "s.sqlite"
    with SQLiteStateStore(path) as st:
        for i in range(0, 480, 4):
            st.mark_emitted([_row(k, fetch_url=f"http://127.0.0.1:1/r/{k}") for k in range(i, i + 4)], f"run-{i}")
        state = st.dump()
    journal = journal_path_for(path)
    original = journal.read_bytes()
    pages = len(original) // PAGE
    assert pages >= 10
    damaged = overwrite_page(journal, pages // 2, seed=7, newlines=newlines)
    bad, lost = _oracle(original, damaged)
    assert bad >= 1 and lost >= 2
    scan = scan_journal(journal)
    assert (scan.bad, scan.missing) == (bad, lost)
    # replayed alone (the state lost too): the bad lines are not replayed, the rest is
    rebuilt = replayed(journal, tmp_path)
    lost_ids = {r[0] for r in state["reviews"]} - {r[0] for r in rebuilt["reviews"]}
    assert len(lost_ids) == 4 * lost and {r for r in rebuilt["reviews"]} < set(state["reviews"])
    # the state is intact: opening it reports the journal, moves it aside, starts a new one from the state
    with SQLiteStateStore(path) as st:
        status = st.journal_status
        assert (status["event"], status["bad_lines"], status["missing"]) == ("damaged", bad, lost)
        assert Path(status["moved_to"]).read_bytes() == damaged
        st.mark_emitted([_row(9999)], "after")  # still usable
        state = st.dump()
    assert scan_journal(journal).healthy and replayed(journal, tmp_path) == state


@pytest.mark.parametrize("page", ["first", "last"])
def test_a_damaged_first_or_last_page_of_the_journal_is_damage_not_a_foreign_journal_or_a_torn_line(tmp_path, page):
    path = tmp_path / "s.sqlite"
    with SQLiteStateStore(path) as st:
        for i in range(0, 120, 4):
            st.mark_emitted([_row(k) for k in range(i, i + 4)], f"run-{i}")
        state = st.dump()
    journal = journal_path_for(path)
    original = journal.read_bytes()
    n = 1 if page == "first" else -(-len(original) // PAGE)
    damaged = overwrite_page(journal, n, seed=11, newlines=False)
    bad, lost = _oracle(original, damaged)
    assert bad == 1
    with SQLiteStateStore(path) as st:
        status = st.journal_status
        assert (status["event"], status["bad_lines"]) == ("damaged", 1)
        assert status["missing"] == lost  # at the end: counted from the state's count of its journal lines
        assert Path(status["moved_to"]).read_bytes() == damaged
        assert st.dump() == state
    assert replayed(journal, tmp_path) == state


def test_a_journal_page_damaged_with_the_state_is_reported_by_rebuild_with_its_count(tmp_path, capsys):
    """Both files damaged (a double fault): ``crawler state rebuild`` replays what is good, says
    how many lines were bad, and exits 1."""
    path = tmp_path / "s.sqlite"
    with SQLiteStateStore(path) as st:
        for i in range(300):
            st.mark_emitted([_row(i)], f"run-{i}")
    journal = journal_path_for(path)
    original = journal.read_bytes()
    damaged = overwrite_page(journal, 5, seed=3, newlines=False)
    bad, lost = _oracle(original, damaged)
    overwrite_page(path, 1, seed=1)
    assert main(["state", "rebuild", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"source: the journal {journal}: {300 - lost} write(s) replayed from {301 - lost} good line(s), " \
           f"{bad} bad line(s) not replayed, {lost} entries missing" in out
    assert "--from OUTPUT_FOLDER" in out
    assert f"rebuilt {path}: {300 - lost} review(s)" in out
    with SQLiteStateStore(path) as st:
        assert st.count() == 300 - lost and st.journal_status["event"] == "ok"


def test_rebuild_from_a_damaged_journal_and_the_manifests_gets_every_exported_review_back(tmp_path, capsys):
    """A double fault with ``--from``: the journal's good lines first (validators and all), then
    the output files' reviews the journal lost (their manifests' runs)."""
    path, out = tmp_path / "s.sqlite", tmp_path / "out"
    out.mkdir()
    with SQLiteStateStore(path) as st:
        for k in range(30):
            f = out / f"{k:03d}.jsonl"
            f.write_text("".join(json.dumps(_row(i)) + "\n" for i in range(4 * k, 4 * k + 4)), "utf-8")
            scan = scan_output(f)
            write_json_atomic(manifest_path_for(f), build_manifest(f, scan, None, run_id=f"run-{k}", exit_status="ok"))
            st.mark_emitted([{**row, "fetch_url": row["url"], "etag": f'"{row["id"]}"'} for row in scan["rows"]], f"run-{k}")
    journal = journal_path_for(path)
    original = journal.read_bytes()
    bad, lost = _oracle(original, overwrite_page(journal, 3, seed=5, newlines=False))
    assert lost >= 2
    overwrite_page(path, 2, seed=2)
    assert main(["state", "rebuild", str(path), "--from", str(out)]) == 1  # bad lines: exit 1
    printed = capsys.readouterr().out
    assert f"{bad} bad line(s) not replayed, {lost} entries missing" in printed
    assert f"source: the output manifests: 120 record(s) from 30 file(s), 0 skipped, {4 * lost} not in the journal" in printed
    with SQLiteStateStore(path) as st:
        assert st.count() == 120
        etags = [st.get_fetch(_row(i)["url"])["etag"] for i in range(120)]
        runs = [st.get(_row(i)["id"])["last_emitted_run"] for i in range(120)]
    assert etags.count(None) == 4 * lost  # from the manifests: no validators
    assert runs == [f"run-{i // 4}" for i in range(120)]


def test_a_missing_or_foreign_journal_is_replaced_by_a_snapshot_of_the_state(tmp_path):
    path, other = tmp_path / "s.sqlite", tmp_path / "o.sqlite"
    with SQLiteStateStore(path) as st, SQLiteStateStore(other) as o:
        st.mark_emitted([_row(1), _row(2)], "r1")
        o.mark_emitted([_row(3)], "r1")
    journal_path_for(path).unlink()
    with SQLiteStateStore(path) as st:
        assert st.journal_status["event"] == "missing"
        state = st.dump()
    assert replayed(journal_path_for(path), tmp_path) == state
    shutil.copy(journal_path_for(other), journal_path_for(path))
    with SQLiteStateStore(path) as st:
        assert st.journal_status["event"] == "foreign"
        assert Path(st.journal_status["moved_to"]).read_bytes() == journal_path_for(other).read_bytes()
    assert replayed(journal_path_for(path), tmp_path) == state


def test_an_older_state_is_upgraded_and_its_journal_started_from_a_snapshot(tmp_path):
    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.executescript(sqlite_module._SCHEMA.split("CREATE TABLE IF NOT EXISTS meta")[0])
    db.execute("PRAGMA user_version = 1")
    db.executemany("INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(f"id{i}", f"u{i}", "h", "t0", "t0", "r0", None) for i in range(sqlite_module.SNAPSHOT_ROWS + 5)])
    db.execute("INSERT INTO runs (run_id, mode, finished, summary) VALUES ('r0', 'full', 't', '{}')")
    db.commit()
    db.close()
    with SQLiteStateStore(path) as st:
        assert st.journal_status["event"] == "new"
        state = st.dump()
    scan = scan_journal(journal_path_for(path), keep=lambda s: True)
    assert [(op["op"], op.get("table"), len(op.get("rows", []))) for _, op in scan.entries] == [
        ("journal", None, 0), ("snapshot", "reviews", sqlite_module.SNAPSHOT_ROWS), ("snapshot", "reviews", 5), ("snapshot", "runs", 1)]
    assert replayed(journal_path_for(path), tmp_path) == state


def test_a_journal_much_larger_than_its_state_is_compacted(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    with SQLiteStateStore(path) as st:
        for k in range(200):
            st.mark_emitted([_row(i, f"h{k}") for i in range(10)], f"run-{k}")
        state = st.dump()
    size = journal_path_for(path).stat().st_size
    monkeypatch.setattr(sqlite_module, "COMPACT_MIN_BYTES", 1000)
    monkeypatch.setattr(sqlite_module, "COMPACT_RATIO", 1)
    with SQLiteStateStore(path) as st:
        assert st.journal_status["event"] == "compact"
    assert journal_path_for(path).stat().st_size < size / 10
    assert replayed(journal_path_for(path), tmp_path) == state


# ---------------------------------------------------------------- a lost state, the message
def test_a_lost_state_whose_journal_is_there_is_refused_and_rebuilt(tmp_path, capsys):
    path = tmp_path / "s.sqlite"
    st = busy_state(path, n=60)
    state = st.dump()
    st.close()
    path.unlink()
    with pytest.raises(StateDamaged) as refused:
        SQLiteStateStore(path)
    message = str(refused.value)
    assert "the file is missing but its journal" in message
    assert f"crawler state rebuild {path} --journal {journal_path_for(path)}" in message
    assert not path.exists()  # never a silent fresh start
    assert main(["state", "rebuild", str(path)]) == 0
    out = capsys.readouterr().out
    assert "source: the journal" in out and ", 0 bad line(s) not replayed, 0 entries missing" in out
    assert "moved the old state" not in out and "moved the old journal to" in out
    with SQLiteStateStore(path) as st:
        assert st.dump() == state


def test_the_damaged_state_message_names_the_journal_when_there_is_one(tmp_path):
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"")
    assert "--from OUTPUT_FOLDER" in str(StateDamaged(path, "x")) and "--journal" not in str(StateDamaged(path, "x"))
    journal_path_for(path).write_bytes(encode_line(1, {"op": "journal", "id": "x"}))
    message = str(StateDamaged(path, "x"))
    assert f"crawler state rebuild {path} --journal {journal_path_for(path)} (add --from OUTPUT_FOLDER" in message


def test_rebuild_without_a_journal_needs_the_manifests(tmp_path, capsys):
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"")
    assert main(["state", "rebuild", str(path)]) == 2
    assert f"REBUILD REFUSED: no journal at {journal_path_for(path)}: give --from OUTPUT_FOLDER" in capsys.readouterr().err
    assert main(["state", "rebuild", str(path), "--journal", str(tmp_path / "nope")]) == 2
    assert path.read_bytes() == b""


def test_journal_lines_are_json_a_loader_can_read(tmp_path):
    with SQLiteStateStore(tmp_path / "s.sqlite") as st:
        st.set_watermark("k", "v")
    lines = journal_path_for(tmp_path / "s.sqlite").read_bytes().splitlines()
    assert [json.loads(line.split(b" ", 2)[2])["op"] for line in lines] == ["journal", "watermark"]
