"""``crawler state rebuild``: a new SQLite state from the state's journal and/or the output
files and their manifests.

**The journal** (``<state>.journal``, :mod:`crawler.state.journal`) holds every write the state
committed: replayed, it gives the state as it was before the damage, validators, run history and
pending outputs included. Its bad lines (a damaged page of the journal too) are counted and
never replayed; the entries they held are lost from the rebuilt state (add ``--from`` to get the
exported reviews back from the manifests).

**The output files** are the other record of the state: every review the state records as
exported is in an output file whose manifest gives its run, mode, arguments and sha256. For each
manifest in the given folders (oldest run first), the records of its file are marked as exported
by its run -- only when the file's sha256 is the manifest's (a file changed or cut short since is
skipped and reported: its reviews are emitted again by the next run); after a journal replay,
only the records the journal did not have. The incremental watermark is the start of the last run
that ended ``ok`` over the whole site (incremental or full, no ``urls``, no date range), unless the
journal set it. Each record's URL is recorded as its fetched URL (a backfill skips it before
download; a page fetched under another URL than its canonical one is fetched again, and not
emitted again). What the files cannot give is left empty: the fetch validators (the next run
fetches those pages without ``If-None-Match``), the run history (the ``MONITOR_MAX_DROP`` check
has no history until runs accumulate again).

The new state is built under a temporary name and put in place only when complete: the damaged
state (with its ``-wal``/``-shm``) is moved to ``<state>.damaged-<UTC time>``, the new one renamed
into place, and then the old journal moved to ``<journal>.before-rebuild-<UTC time>``; the new
state starts a new journal from a snapshot of itself. A rebuild killed at any point leaves either
the old state and journal, or no state and the old journal (refused by the next run, rebuilt by
the next ``crawler state rebuild``), or the new state (whose journal is started when it is next
opened).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from crawler.output.manifest import scan_output
from crawler.state import RunLock, SQLiteStateStore, StateDamaged, check_state_file, journal_path_for, replay_journal
from crawler.state.journal import fsync_dir


class RebuildRefused(Exception):
    """The state is healthy (use ``--force`` to rebuild it anyway), or there is nothing to
    rebuild it from."""


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def move_aside(path: Path) -> Path:
    """Rename a damaged state (and its ``-wal``/``-shm``) to ``<name>.damaged-<UTC time>``."""
    target = path.with_name(f"{path.name}.damaged-{_stamp()}")
    for suffix in ("-wal", "-shm", ""):
        src = path.with_name(path.name + suffix)
        if src.exists() or src.is_symlink():
            os.replace(src, target.with_name(target.name + suffix))
    return target


def _read_manifests(folders: list[Path], spider: str | None, skipped: list[tuple[str, str]]) -> list[tuple[str, str, Path, dict]]:
    manifests = []
    for folder in folders:
        for mpath in sorted(folder.glob("*.manifest.json")):
            try:
                manifest = json.loads(mpath.read_text("utf-8"))
                if not isinstance(manifest, dict) or not isinstance(manifest.get("file"), str):
                    raise ValueError("not a manifest")
            except (OSError, ValueError) as exc:
                skipped.append((str(mpath), f"unreadable manifest ({type(exc).__name__})"))
                continue
            if spider and manifest.get("spider") not in (spider, None):
                continue
            manifests.append((str(manifest.get("started") or ""), str(mpath), folder, manifest))
    manifests.sort(key=lambda m: (m[0], m[1]))
    return manifests


def _from_manifests(store: SQLiteStateStore, folders: list[Path], spider: str | None, result: dict, known: set[str]) -> None:
    """Mark the records of the intact files the manifests in *folders* describe, but those whose
    id is in *known* (what a journal replay gave), and set the watermarks the state lacks."""
    skipped = result["skipped"]
    watermarks: dict[str, str] = {}
    for started, _, folder, manifest in _read_manifests(folders, spider, skipped):
        path = folder / Path(manifest["file"]).name
        if not path.is_file():
            skipped.append((str(path), "file missing"))
            continue
        scan = scan_output(path)
        if scan["sha256"] != manifest.get("sha256"):
            skipped.append((str(path), "sha256 differs from the manifest"))
            continue
        # The record's URL stands for the fetched URL (the same but for a canonical URL
        # elsewhere): a backfill skips it before download; validators are unknown.
        rows = [{**row, "fetch_url": row["url"]} for row in scan["rows"] if row["url"] and row["id"] not in known]
        if rows:
            store.mark_emitted(rows, str(manifest.get("run_id") or "rebuilt"))
        result["files"] += 1
        result["records"] += len(scan["rows"])
        result["added"] += len(rows)
        args = manifest.get("arguments") or {}
        if (manifest.get("exit_status") == "ok" and manifest.get("mode") in ("incremental", "full")
                and not args.get("urls") and not args.get("since") and not args.get("until") and started):
            key = f"lastmod:{args.get('base_url') or manifest.get('spider')}"
            watermarks[key] = max(watermarks.get(key, ""), started)
    for key, value in watermarks.items():
        if store.get_watermark(key) is None:
            store.set_watermark(key, value)


def rebuild_state(state_path: Path, folders: list[Path], *, spider: str | None = None, force: bool = False,
                  journal: Path | None = None, use_journal: bool = True) -> dict:
    """Rebuild the state at *state_path* from its journal (*journal*, default ``<state>.journal``
    when there is one; none with ``use_journal=False``) and the manifests in *folders* (see the
    module docstring). Returns ``{"moved_to", "journal_moved_to", "journal": {"journal", "entries",
    "bad_lines", "missing", "ops"} | None, "files", "records", "added", "skipped": [(file, reason)],
    "watermarks": {key: value}, "reviews", "fetches", "runs"}``."""
    lock = RunLock(state_path.with_name(state_path.name + ".lock"), spider=spider or "", run_id="state-rebuild").acquire()
    try:
        present = state_path.exists() or state_path.is_dir() or state_path.is_symlink()
        if present:
            try:
                check_state_file(state_path)
            except StateDamaged:
                pass
            else:
                if not force:
                    raise RebuildRefused(f"the state store {state_path} is healthy; give --force to rebuild it anyway")
        beside = journal_path_for(state_path)
        if journal is not None and not journal.is_file():
            raise RebuildRefused(f"no journal at {journal}")
        if journal is None and use_journal and beside.is_file() and beside.stat().st_size > 0:
            journal = beside
        if not use_journal:
            journal = None
        if journal is None and not folders:
            raise RebuildRefused(f"no journal at {beside}: give --from OUTPUT_FOLDER to rebuild the state from the output manifests")
        temp = state_path.with_name(f".{state_path.name}.rebuild-{os.getpid()}")
        for leftover in (temp, temp.with_name(temp.name + "-wal"), temp.with_name(temp.name + "-shm")):
            leftover.unlink(missing_ok=True)
        result = {"moved_to": None, "journal_moved_to": None, "journal": None, "files": 0, "records": 0, "added": 0,
                  "skipped": [], "watermarks": {}}
        store = SQLiteStateStore(temp, journal=False)
        try:
            if journal is not None:
                result["journal"] = replay_journal(store, journal)
            if folders:
                known = {row[0] for row in store.dump()["reviews"]} if journal is not None else set()
                _from_manifests(store, folders, spider, result, known)
            tables = store.dump()
            result.update(reviews=len(tables["reviews"]), fetches=len(tables["fetches"]), runs=len(tables["runs"]),
                          watermarks=dict(tables["watermarks"]))
        except BaseException:
            store.close()
            temp.unlink(missing_ok=True)
            raise
        store.close()  # checkpointed: the whole state is in the file
        with open(temp, "rb") as f:
            os.fsync(f.fileno())
        if present:
            result["moved_to"] = str(move_aside(state_path))
        os.replace(temp, state_path)
        if beside.exists():
            result["journal_moved_to"] = str(beside.with_name(f"{beside.name}.before-rebuild-{_stamp()}"))
            os.replace(beside, result["journal_moved_to"])
        fsync_dir(state_path.parent)
        SQLiteStateStore(state_path).close()  # starts its journal from a snapshot of the new state
        return result
    finally:
        lock.release()
