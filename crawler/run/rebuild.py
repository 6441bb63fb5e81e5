"""``crawler state rebuild``: a new SQLite state from the output files and their manifests.

The output files are the journal of the state: every review the state records as exported is
in an output file whose manifest gives its run, mode, arguments and sha256. :func:`rebuild_state`
moves a damaged state aside (``<state>.damaged-<UTC time>``, with its ``-wal``/``-shm``), creates a
new one and, for each manifest in the given folders (oldest run first), marks the records of its
file as exported by its run -- only when the file's sha256 is the manifest's (a file changed or
cut short since is skipped and reported: its reviews are emitted again by the next run). The
incremental watermark is the start of the last run that ended ``ok`` over the whole site
(incremental or full, no ``urls``, no date range). Each record's URL is recorded as its fetched URL
(a backfill skips it before download; a page fetched under another URL than its canonical one
is fetched again, and not emitted again). What the files cannot give is left empty: the
fetch validators (the next run fetches those pages without ``If-None-Match``), the run history
(the ``MONITOR_MAX_DROP`` check has no history until runs accumulate again).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from crawler.output.manifest import scan_output
from crawler.state import RunLock, SQLiteStateStore, StateDamaged, check_state_file


class RebuildRefused(Exception):
    """The state is healthy (use ``--force`` to rebuild it anyway)."""


def move_aside(path: Path) -> Path:
    """Rename a damaged state (and its ``-wal``/``-shm``) to ``<name>.damaged-<UTC time>``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("-wal", "-shm", ""):
        src = path.with_name(path.name + suffix)
        if src.exists() or src.is_symlink():
            os.replace(src, target.with_name(target.name + suffix))
    return target


def rebuild_state(state_path: Path, folders: list[Path], *, spider: str | None = None, force: bool = False) -> dict:
    """Rebuild the state at *state_path* from the manifests in *folders* (see the module
    docstring). Returns ``{"moved_to", "files", "records", "skipped": [(file, reason)], "watermarks"}``."""
    lock = RunLock(state_path.with_name(state_path.name + ".lock"), spider=spider or "", run_id="state-rebuild").acquire()
    try:
        moved = None
        if state_path.exists() or state_path.is_dir():
            try:
                check_state_file(state_path)
            except StateDamaged:
                moved = move_aside(state_path)
            else:
                if not force:
                    raise RebuildRefused(f"the state store {state_path} is healthy; give --force to rebuild it anyway")
                moved = move_aside(state_path)
        manifests = []
        skipped: list[tuple[str, str]] = []
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
        store = SQLiteStateStore(state_path)
        result = {"moved_to": str(moved) if moved else None, "files": 0, "records": 0, "skipped": skipped, "watermarks": {}}
        try:
            for started, _, folder, manifest in manifests:
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
                rows = [{**row, "fetch_url": row["url"]} for row in scan["rows"] if row["url"]]
                store.mark_emitted(rows, str(manifest.get("run_id") or "rebuilt"))
                result["files"] += 1
                result["records"] += len(scan["rows"])
                args = manifest.get("arguments") or {}
                if (manifest.get("exit_status") == "ok" and manifest.get("mode") in ("incremental", "full")
                        and not args.get("urls") and not args.get("since") and not args.get("until") and started):
                    key = f"lastmod:{args.get('base_url') or manifest.get('spider')}"
                    result["watermarks"][key] = max(result["watermarks"].get(key, ""), started)
            for key, value in result["watermarks"].items():
                store.set_watermark(key, value)
        finally:
            store.close()
        return result
    finally:
        lock.release()
