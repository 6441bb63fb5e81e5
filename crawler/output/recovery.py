"""Recovery after a kill: finish what a killed run left in its state and output folders.

After a ``kill -9`` between "file renamed into place" and "state written", :func:`recover`
(called by the next run when it opens its state) finds the output journal entry, reads the file
and marks its records, so a resumed run neither re-emits nor loses them (and writes the file's
manifest, ``status: recovered``, when there is none). Stale temporary files (``.NAME.PID.part``
of a process that no longer exists) in the output folders are deleted; they are hidden and end
in ``.part``, so a loader's ``*.jsonl`` glob never sees them anyway.

A manifest left ``exit_status: running`` by a run that died (another run id; its pid gone on
this host, or any writer when this run holds the folder's lock) is rewritten by
:func:`mark_killed_manifests`: ``exit_status: killed`` and ``status: recovered`` when the file's
sha256 is still the manifest's (its reviews are exported: the state is completed with any it
lacks), ``status: damaged`` (or ``missing``) otherwise -- its reviews are then forgotten by the
state (:meth:`~crawler.state.base.StateStore.forget_run`: every review of that run that no intact
file holds), so the next run emits them again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
from pathlib import Path

from crawler.output.manifest import build_manifest, manifest_path_for, scan_output, write_json_atomic

logger = logging.getLogger(__name__)

_TEMP_RE = re.compile(r"^\..+\.(\d+)\.part$")


def pid_alive(pid: int) -> bool:
    """Whether a process *pid* exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _writer_dead(manifest: dict, exclusive: bool) -> bool:
    pid, host = manifest.get("pid"), manifest.get("host")
    if host == socket.gethostname() and isinstance(pid, int):
        return pid != os.getpid() and not pid_alive(pid)
    return exclusive  # another host, or a manifest from before pids: dead if nobody else can write here


def mark_killed_manifests(state, folders: list[Path], run_id: str | None, *, exclusive: bool) -> dict[str, int]:
    """Rewrite the manifests of dead runs still saying ``running`` (module docstring).
    *exclusive*: this run holds the folders' locks (no other live run writes there)."""
    counts = {"manifests_killed": 0, "manifests_damaged": 0, "rows_forgotten": 0, "rows_completed": 0}
    manifests: list[tuple[Path, Path, dict]] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for mpath in sorted(folder.glob("*.manifest.json")):
            try:
                manifest = json.loads(mpath.read_text("utf-8"))
            except (OSError, ValueError):
                logger.warning("Unreadable manifest %s (left as it is)", mpath)
                continue
            if isinstance(manifest, dict):
                manifests.append((mpath, folder / Path(str(manifest.get("file") or "")).name, manifest))
    scans: dict[Path, dict | None] = {}

    def intact(path: Path, manifest: dict) -> dict | None:
        if path not in scans:
            scans[path] = scan_output(path) if path.is_file() else None
        scan = scans[path]
        return scan if scan is not None and scan["sha256"] == manifest.get("sha256") else None

    damaged_runs: set[str] = set()
    for mpath, path, manifest in manifests:
        if manifest.get("exit_status") != "running" or manifest.get("run_id") == run_id or not _writer_dead(manifest, exclusive):
            continue
        killed_run = str(manifest.get("run_id") or "")
        scan = intact(path, manifest)
        if scan is not None:
            status = "recovered"
            if state is not None:
                missing = [row for row in scan["rows"] if state.get(row["id"]) is None]
                if missing:
                    state.mark_emitted(missing, killed_run)
                    counts["rows_completed"] += len(missing)
        else:
            status = "damaged" if path.is_file() else "missing"
            counts["manifests_damaged"] += 1
            damaged_runs.add(killed_run)
        manifest.update({"exit_status": "killed", "status": status, "recovered_by": run_id})
        write_json_atomic(mpath, manifest)
        counts["manifests_killed"] += 1
        logger.warning("Manifest %s: its run %s died (pid %s); marked killed, file %s", mpath, killed_run, manifest.get("pid"),
                       "matches its sha256" if status == "recovered" else status)
    # A damaged file's reviews (even a torn line's, whose id cannot be read) are exported only if
    # another intact file of the same run holds them: every other review of that run is forgotten.
    for killed_run in sorted(damaged_runs):
        if state is None:
            break
        keep: set[str] = set()
        for _, path, manifest in manifests:
            if manifest.get("run_id") == killed_run and (scan := intact(path, manifest)) is not None:
                keep.update(row["id"] for row in scan["rows"])
        try:
            counts["rows_forgotten"] += state.forget_run(killed_run, keep)
        except NotImplementedError:
            logger.error("The state cannot forget the reviews of run %s: those of its damaged files stay exported", killed_run)
    return counts


def recover(state, folders: list[Path], stats=None, *, run_id: str | None = None, exclusive: bool = False) -> dict[str, int]:
    """Finish what a killed run left: mark the records of files it renamed into place but did
    not record in the state, mark the manifests it left ``running`` (:func:`mark_killed_manifests`),
    and delete stale temporary files of dead processes in *folders*."""
    counts = {"recovered_files": 0, "recovered_rows": 0, "dropped_journal": 0, "stale_temp_removed": 0}
    if state is not None:
        me = os.getpid()
        host = socket.gethostname()
        for entry in state.pending_outputs():
            path = Path(entry["path"])
            if entry.get("host") == host and entry.get("pid") not in (None, me) and pid_alive(int(entry["pid"])):
                continue  # another live run is writing it
            if path.is_file():
                scan = scan_output(path)
                mpath = manifest_path_for(path)
                if not mpath.exists():
                    write_json_atomic(mpath, build_manifest(path, scan, None, status="recovered", exit_status="killed", run_id=entry["run_id"]))
                state.mark_emitted(scan["rows"], entry["run_id"], output=str(path))
                counts["recovered_files"] += 1
                counts["recovered_rows"] += len(scan["rows"])
                logger.warning("Recovered %s (%d records) left by killed run %s", path, len(scan["rows"]), entry["run_id"])
            else:
                state.mark_emitted([], entry["run_id"], output=str(path))
                counts["dropped_journal"] += 1
    counts.update(mark_killed_manifests(state, folders, run_id, exclusive=exclusive))
    for folder in folders:
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            m = _TEMP_RE.match(p.name)
            if m and p.is_file() and int(m.group(1)) != os.getpid() and not pid_alive(int(m.group(1))):
                p.unlink(missing_ok=True)
                counts["stale_temp_removed"] += 1
                logger.info("Removed stale temporary file %s", p)
    if stats is not None:
        for k, v in counts.items():
            if v:
                stats.set_value(f"outputs/{k}", v)
    return counts
