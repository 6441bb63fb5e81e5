"""The manifest beside each output file (pure: no Scrapy).

:func:`scan_output` reads a closed JSON Lines file (rows for the state, count, coverage, sha256:
used by recovery after a kill); :func:`summarize` makes the counts of a file whose records the
exporter counted as it wrote them (:class:`crawler.output.atomic.Ledger`);
:func:`build_manifest` makes ``<file>.manifest.json``'s content; :func:`write_json_atomic` writes
it. The run (:mod:`crawler.run.context`) writes the manifest when a file is stored and rewrites
it with the exit status when the run ends; :mod:`crawler.output.recovery` writes one for a file a
killed run left.

Manifest keys: ``manifest_version``, ``file``, ``run_id``, ``spider``, ``mode``, ``arguments``,
``started``, ``finished``, ``status`` (``complete``, ``recovered``), ``exit_status``
(``running``, ``ok``, ``monitor_failed``, ``incomplete``, ``killed``), ``exit_code``,
``item_count`` (records this run wrote to the file, counted by the exporter; with ``-o`` the
file also holds earlier runs' records), ``rejects_count`` and ``rejects_file`` (the run's),
``coverage`` (per field, share of the file's records where it is not empty),
``sha256``, ``bytes``, ``schema_version``, ``monitor_failures``, ``warc_files`` (the run's WARC
archive files, :mod:`crawler.output.warc`; ``[]`` without WARC capture).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from crawler.output.atomic import AtomicFile
from crawler.output.parquet import iter_parquet_records
from crawler.record.build import field_hashes
from crawler.record.coverage import COVERAGE_KEYS, missing_fields
from crawler.record.item import SCHEMA_VERSION

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1


def manifest_path_for(path: str | os.PathLike) -> Path:
    """``out.jsonl`` -> ``out.jsonl.manifest.json``."""
    p = Path(path)
    return p.with_name(p.name + ".manifest.json")


def scan_output(path: str | os.PathLike) -> dict[str, Any]:
    """Read a closed output file: its rows for the state (``id``, ``url``, ``content_hash``,
    ``field_hashes``),
    line count, per-field coverage, sha256 and size. Unparsable lines are counted as
    ``bad_lines`` (there should be none: files are written atomically)."""
    p = Path(path)
    rows: list[dict] = []
    missing: dict[str, int] = {}
    versions: set = set()
    bad = 0

    def lines():  # one line at a time, split on "\n" only (U+2028 inside a string is not a line end)
        with (gzip.open(p, "rb") if p.suffix == ".gz" else p.open("rb")) as f:
            for line in f:
                yield line.decode("utf-8", "replace")

    # a Parquet output (crawler/output/parquet.py) is read back through pyarrow
    source = (json.dumps(r) for r in iter_parquet_records(p)) if p.suffix == ".parquet" else lines()
    for line in source:
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
        versions.add(rec.get("schema_version"))
        rows.append({"id": rec["id"], "url": rec.get("url") or "", "content_hash": rec["content_hash"],
                     "field_hashes": field_hashes(rec)})
        for name in missing_fields(rec):
            missing[name] = missing.get(name, 0) + 1
    summary = summarize(p, len(rows), missing, versions.pop() if len(versions) == 1 else None)
    return {"rows": rows, **summary, "bad_lines": bad}


def file_digest(path: str | os.PathLike) -> tuple[str, int]:
    """(sha256 hex, size) of a file, streamed."""
    digest, size = hashlib.sha256(), 0
    with Path(path).open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def summarize(path: str | os.PathLike, item_count: int, missing: dict[str, int], schema_version: int | None = None) -> dict[str, Any]:
    """The manifest's counts of a file: ``item_count``, per-field ``coverage`` from the missing
    counts, ``sha256`` and ``bytes`` of the file as it is on disk."""
    n = item_count
    coverage = {f: (round(1 - missing.get(f, 0) / n, 4) if n else None) for f in COVERAGE_KEYS}
    sha, size = file_digest(path)
    return {"item_count": n, "coverage": coverage, "sha256": sha, "bytes": size, "schema_version": schema_version}


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
        "status": status,
        "exit_status": exit_status,
        "exit_code": exit_code,
        "item_count": scan["item_count"],
        "rejects_count": rejects[0],
        "rejects_file": rejects[1],
        "coverage": scan["coverage"],
        "sha256": scan["sha256"],
        "bytes": scan["bytes"],
        # the records' own version (a Parquet file is always version 2), else the run's setting
        "schema_version": scan.get("schema_version") or getattr(run, "schema_version", None) or SCHEMA_VERSION,
        "monitor_failures": failures or [],
        "warc_files": list(getattr(run, "warc_files", None) or []),
    }
