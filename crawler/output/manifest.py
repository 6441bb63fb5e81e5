"""The manifest beside each output file (pure: no Scrapy).

:func:`scan_output` reads a closed output file of any format (rows for the state, count,
coverage, sha256: used by recovery after a kill); :func:`summarize` makes the counts of a file whose records the
exporter counted as it wrote them (:class:`crawler.output.atomic.Ledger`);
:func:`build_manifest` makes ``<file>.manifest.json``'s content; :func:`write_json_atomic` writes
it. The run (:mod:`crawler.run.context`) writes the manifest when a file is stored and rewrites
it with the exit status when the run ends; :mod:`crawler.output.recovery` writes one for a file a
killed run left.

Manifest keys: ``manifest_version``, ``file``, ``run_id``, ``spider``, ``mode``, ``arguments``,
``started``, ``finished``, ``pid`` and ``host`` (the process that wrote the file), ``status``
(``complete``, ``recovered``: a later run checked it, ``damaged``: the file no longer matches its
sha256, ``missing``: the file is gone), ``exit_status`` (``running``, ``ok``, ``monitor_failed``,
``incomplete``, ``output_failed``, ``failed``, ``killed``), ``exit_code``, ``recovered_by`` (the
run that marked it), ``item_count`` (records this run wrote to the file, counted by the exporter;
with ``-o`` the file also holds earlier runs' records), ``rejects_count`` and ``rejects_file`` (the run's),
``coverage`` (per field, share of the file's records where it is not empty),
``sha256``, ``bytes``, ``schema_version``, ``monitor_failures``, ``warc_files`` (the run's WARC
archive files, :mod:`crawler.output.warc`; ``[]`` without WARC capture).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import os
import socket
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from crawler.output.atomic import AtomicFile
from crawler.output.parquet import iter_parquet_records
from crawler.record.build import field_hashes
from crawler.record.coverage import COVERAGE_KEYS, missing_fields
from crawler.record.v2 import OUTPUT_SCHEMA_VERSION

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1


def manifest_path_for(path: str | os.PathLike) -> Path:
    """``out.jsonl`` -> ``out.jsonl.manifest.json``."""
    p = Path(path)
    return p.with_name(p.name + ".manifest.json")


def read_records(path: str | os.PathLike):
    """The records of a closed output file, by its format (the name without ``.gz``): JSON Lines
    (split on ``\\n`` only: U+2028 inside a string is not a line end), a JSON array, CSV (cells
    holding a JSON list or object decoded), XML (``<item>`` children as text), Parquet; pickle and marshal
    files are not read back (one ``None``: their records are emitted again after a kill).
    Yields a dict per record, or ``None`` for a record it cannot read."""
    p = Path(path)
    name = p.name.removesuffix(".gz")
    if name.endswith(".parquet"):  # crawler/output/parquet.py, read back through pyarrow
        yield from iter_parquet_records(p)
        return
    with (gzip.open(p, "rb") if p.suffix == ".gz" else p.open("rb")) as f:
        if name.endswith(".json"):
            try:
                data = json.loads(f.read().decode("utf-8", "replace") or "[]")
            except ValueError:
                yield None
                return
            yield from (r if isinstance(r, dict) else None for r in (data if isinstance(data, list) else [data]))
        elif name.endswith(".csv"):
            for row in csv.DictReader(io.TextIOWrapper(f, encoding="utf-8", newline="")):
                yield {k: _cell(v) for k, v in row.items()}
        elif name.endswith(".xml"):
            try:
                root = ElementTree.parse(f).getroot()
            except ElementTree.ParseError:
                yield None
                return
            for item in root:
                yield {child.tag: _xml_value(child) for child in item}
        elif name.endswith((".pickle", ".marshal")):
            yield None  # never unpickled here (it could run code): recovery re-emits, never loses
        else:
            for line in f:
                text = line.decode("utf-8", "replace")
                if not text.strip():
                    continue
                try:
                    rec = json.loads(text)
                except ValueError:
                    yield None
                    continue
                yield rec if isinstance(rec, dict) else None


def _xml_value(el):
    """Scrapy's XML exporter: a list is ``<value>`` children, a dict named children."""
    if len(el) == 0:
        return el.text
    if all(c.tag == "value" for c in el):
        return [_xml_value(c) for c in el]
    return {c.tag: _xml_value(c) for c in el}


def _cell(value: str | None):
    if value and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value if value != "" else None


def scan_output(path: str | os.PathLike) -> dict[str, Any]:
    """Read a closed output file of any format (:func:`read_records`; used by recovery after a
    kill): its rows for the state (``id``, ``url``, ``content_hash``, ``field_hashes``), record
    count, per-field coverage, sha256 and size. Unreadable records are counted as ``bad_lines``
    (there should be none: files are written atomically)."""
    p = Path(path)
    rows: list[dict] = []
    missing: dict[str, int] = {}
    versions: set = set()
    bad = 0
    for rec in read_records(p):
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
        # the records' own version (a Parquet file is always version 2), else the run's setting
        "schema_version": scan.get("schema_version") or getattr(run, "schema_version", None) or OUTPUT_SCHEMA_VERSION,
        "monitor_failures": failures or [],
        "warc_files": list(getattr(run, "warc_files", None) or []),
    }
