"""Run outputs: the manifest beside each output file, state updates after a durable close, and
recovery after a kill.

:class:`ManifestFeedStorage` (feed storages ``""`` and ``file``) extends the atomic file
storage of :mod:`crawler.exporters`:

1. ``open``: the output path is announced in the state's journal (``begin_output``).
2. ``store``: the temporary file is fsynced and renamed into place (the commit point), the
   folder is fsynced, then the file is read back and its records are marked emitted in the
   state (``mark_emitted(..., output=path)`` also clears the journal entry), then
   ``<file>.manifest.json`` is written (atomically). At the end of the run every manifest of
   the run is rewritten with the finish time and exit status.

After a ``kill -9`` between rename and state update, :func:`recover` (called when the next run
opens) finds the journal entry, reads the file and marks its records, so a resumed run neither
re-emits nor loses them. Stale temporary files (``.NAME.PID.part`` of a process that no longer
exists) in the output folders are deleted; they are hidden and end in ``.part``, so a loader's
``*.jsonl`` glob never sees them anyway.

Manifest keys: ``manifest_version``, ``file``, ``run_id``, ``spider``, ``mode``, ``arguments``,
``started``, ``finished``, ``status`` (``complete``, ``recovered``), ``exit_status``
(``running``, ``ok``, ``monitor_failed``, ``incomplete``, ``killed``), ``exit_code``,
``item_count`` (lines in the file), ``rejects_count`` and ``rejects_file`` (the run's),
``coverage`` (per field, share of the file's records where it is not empty),
``sha256``, ``bytes``, ``schema_version``, ``monitor_failures``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
from pathlib import Path
from typing import IO, Any

from crawler.exporters import AtomicFileFeedStorage, _AtomicFile
from crawler.items import SCHEMA_VERSION

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1
_TEMP_RE = re.compile(r"^\..+\.(\d+)\.part$")


def manifest_path_for(path: str | os.PathLike) -> Path:
    """``out.jsonl`` -> ``out.jsonl.manifest.json``."""
    p = Path(path)
    return p.with_name(p.name + ".manifest.json")


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def scan_output(path: str | os.PathLike) -> dict[str, Any]:
    """Read a closed output file: its rows for the state (``id``, ``url``, ``content_hash``),
    line count, per-field coverage, sha256 and size. Unparsable lines are counted as
    ``bad_lines`` (there should be none: files are written atomically)."""
    from crawler.pipelines import TRACKED_CREDITS, TRACKED_FIELDS, missing_fields

    p = Path(path)
    digest, size = hashlib.sha256(), 0
    with p.open("rb") as raw:  # streamed: a 100k-record output is ~700 MB (it was read whole)
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    rows: list[dict] = []
    missing: dict[str, int] = {}
    bad = 0

    def lines():  # one line at a time, split on "\n" only (U+2028 inside a string is not a line end)
        with (gzip.open(p, "rb") if p.suffix == ".gz" else p.open("rb")) as f:
            for line in f:
                yield line.decode("utf-8", "replace")

    for line in lines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if not isinstance(rec, dict) or not rec.get("id") or not rec.get("content_hash"):
            bad += 1
            continue
        rows.append({"id": rec["id"], "url": rec.get("url") or "", "content_hash": rec["content_hash"]})
        for name in missing_fields(rec):
            missing[name] = missing.get(name, 0) + 1
    n = len(rows)
    fields = list(TRACKED_FIELDS) + [f"credits/{k}" for k in TRACKED_CREDITS]
    coverage = {f: (round(1 - missing.get(f, 0) / n, 4) if n else None) for f in fields}
    return {"rows": rows, "item_count": n, "bad_lines": bad, "coverage": coverage,
            "sha256": digest.hexdigest(), "bytes": size}


def write_json_atomic(path: Path, obj: Any) -> None:
    f = _AtomicFile(path, append=False)
    try:
        f.write((json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    except BaseException:
        f.discard()
        raise
    f.close()


def build_manifest(path: Path, scan: dict, run: Any | None, *, status: str = "complete", exit_status: str = "running",
                   exit_code: int | None = None, finished: str | None = None, run_id: str | None = None,
                   failures: list[str] | None = None, rejects: tuple[int, str | None] = (0, None)) -> dict:
    return {
        "manifest_version": MANIFEST_VERSION,
        "file": path.name,
        "run_id": run.run_id if run is not None else run_id,
        "spider": run.spider_name if run is not None else None,
        "mode": run.mode if run is not None else None,
        "arguments": run.arguments if run is not None else {},
        "started": run.started if run is not None else None,
        "finished": finished,
        "status": status,
        "exit_status": exit_status,
        "exit_code": exit_code,
        "item_count": scan["item_count"],
        "rejects_count": rejects[0],
        "rejects_file": rejects[1],
        "coverage": scan["coverage"],
        "sha256": scan["sha256"],
        "bytes": scan["bytes"],
        "schema_version": SCHEMA_VERSION,
        "monitor_failures": failures or [],
    }


class ManifestFeedStorage(AtomicFileFeedStorage):
    """Atomic file storage that updates the state and writes the manifest (module docstring)."""

    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler=None):
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict[str, Any] | None = None):
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def _run(self):
        if self.crawler is None:
            return None
        from crawler.extensions import get_run

        return get_run(self.crawler)

    def open(self, spider: Any) -> IO[bytes]:
        run = self._run()
        if run is not None and run.state is not None:
            run.state.begin_output(str(self.path.resolve()), run.run_id)
        return super().open(spider)

    def store(self, file: IO[bytes]) -> None:
        super().store(file)  # fsync + rename: the commit point
        fsync_dir(self.path.parent)
        run = self._run()
        if run is not None:
            run.output_stored(self.path)
        return None


def recover(state, folders: list[Path], stats=None) -> dict[str, int]:
    """Finish what a killed run left: mark the records of files it renamed into place but did
    not record in the state, and delete stale temporary files of dead processes in *folders*."""
    from crawler.runmode import pid_alive

    counts = {"recovered_files": 0, "recovered_rows": 0, "dropped_journal": 0, "stale_temp_removed": 0}
    if state is not None:
        me = os.getpid()
        import socket

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


def uri_params(params: dict, spider: Any) -> dict:
    """``FEED_URI_PARAMS``: adds ``%(run_id)s`` (the run's id) and writes ``%(batch_time)s`` as
    ``20251124T010203.123456Z`` (UTC, microseconds: batch files never collide)."""
    bt = str(params.get("batch_time") or "")
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)(\.\d+)?", bt)
    if m:
        params["batch_time"] = f"{''.join(m.group(1, 2, 3))}T{''.join(m.group(4, 5, 6))}{m.group(7) or '.000000'}Z"
    params["run_id"] = getattr(spider, "run_id", None) or params.get("time")
    return params
