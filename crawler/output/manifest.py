"""The manifest beside each output file (pure: no Scrapy).

:func:`scan_output` reads a closed output file (rows for the state, count, coverage, sha256);
:func:`build_manifest` makes ``<file>.manifest.json``'s content; :func:`write_json_atomic` writes
it. The run (:mod:`crawler.run.context`) writes the manifest when a file is stored and rewrites
it with the exit status when the run ends; :mod:`crawler.output.recovery` writes one for a file a
killed run left.

Manifest keys: ``manifest_version``, ``file``, ``run_id``, ``spider``, ``mode``, ``arguments``,
``started``, ``finished``, ``pid`` and ``host`` (the process that wrote the file), ``status``
(``complete``, ``recovered``: a later run checked it, ``damaged``: the file no longer matches its
sha256, ``missing``: the file is gone), ``exit_status`` (``running``, ``ok``, ``monitor_failed``,
``incomplete``, ``failed``, ``killed``), ``exit_code``, ``recovered_by`` (the run that marked it),
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
import socket
from pathlib import Path
from typing import Any

from crawler.output.atomic import AtomicFile
from crawler.record.coverage import COVERAGE_KEYS, missing_fields
from crawler.record.item import SCHEMA_VERSION

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1


def manifest_path_for(path: str | os.PathLike) -> Path:
    """``out.jsonl`` -> ``out.jsonl.manifest.json``."""
    p = Path(path)
    return p.with_name(p.name + ".manifest.json")


def scan_output(path: str | os.PathLike) -> dict[str, Any]:
    """Read a closed output file: its rows for the state (``id``, ``url``, ``content_hash``),
    line count, per-field coverage, sha256 and size. Unparsable lines are counted as
    ``bad_lines`` (there should be none: files are written atomically)."""
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
    coverage = {f: (round(1 - missing.get(f, 0) / n, 4) if n else None) for f in COVERAGE_KEYS}
    return {"rows": rows, "item_count": n, "bad_lines": bad, "coverage": coverage,
            "sha256": digest.hexdigest(), "bytes": size}


def write_json_atomic(path: Path, obj: Any) -> None:
    f = AtomicFile(path, append=False)
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
        "pid": os.getpid() if run is not None else None,
        "host": socket.gethostname() if run is not None else None,
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
