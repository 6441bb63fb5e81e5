"""Recovery after a kill: finish what a killed run left in its state and output folders.

After a ``kill -9`` between "file renamed into place" and "state written", :func:`recover`
(called by the next run when it opens its state) finds the output journal entry, reads the file
and marks its records, so a resumed run neither re-emits nor loses them (and writes the file's
manifest, ``status: recovered``, when there is none). Stale temporary files (``.NAME.PID.part``
of a process that no longer exists) in the output folders are deleted; they are hidden and end
in ``.part``, so a loader's ``*.jsonl`` glob never sees them anyway.
"""

from __future__ import annotations

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


def recover(state, folders: list[Path], stats=None) -> dict[str, int]:
    """Finish what a killed run left: mark the records of files it renamed into place but did
    not record in the state, and delete stale temporary files of dead processes in *folders*."""
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
