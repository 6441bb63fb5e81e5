"""``crawler reextract WARC... -O out.jsonl [--diff PREVIOUS.jsonl]``: records rebuilt from the archive.

Reads the pages a crawl archived (:func:`crawler.output.warc.iter_responses`: the 2xx responses
the crawl read as candidate reviews, with the crawl's own read arguments) and reads each with
today's extractor through the crawl's one page -> record function,
:func:`crawler.sites.read.read_page` (classification, fields, ``normalize_record``, schema
check), with ``fetched_at`` set to the record's ``WARC-Date``. No network. Then as the crawl's
pipelines: a record failing the schema is a reject (``invalid``), a second record for one ``id``
is dropped (``reviews/dropped/duplicate``; the most recently fetched one is kept, so archives
of several runs give each review's latest version), a page the crawl expected to be a review and
is not is a reject with the crawl's reason. Not applied: the run's date range and the state
(a re-extraction is a full dump; change events belong to crawls).

Output: ``-O FILE`` written with :class:`crawler.output.atomic.AtomicFile` (hidden ``.part``,
renamed on success; ``.gz`` compressed) and :func:`crawler.output.jsonl.dumps_record`, a
``<FILE>.manifest.json`` (:mod:`crawler.output.manifest`; spider ``reextract``, mode
``reextract``, ``warc_files`` = the inputs), rejects in ``<name>.rejects.jsonl`` (the crawl's
reject line format) when there are any. Records are written in schema version 2
(:func:`crawler.record.v2.to_v2`; ``change`` is ``null``: no state), ``--schema-version 1`` for
the superseded version 1. Pages are read by ``--workers`` processes (default:
every core, ``os.cpu_count()``); a progress line every ``--progress`` seconds (5) on stderr and a
summary with pages/s at the end. ``--diff PREVIOUS.jsonl`` prints per field how many records
changed, appeared or vanished against a previous output (:mod:`crawler.record.diff`).

Exit codes (:mod:`crawler.run.context`): 0 success; 2 bad arguments (a missing input, no
``-O``); 3 not finished -- an input is not a whole WARC file, or the run was interrupted: the
output and its manifest are left as they were (nothing committed).
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import signal
import sys
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO

from warcio.exceptions import ArchiveLoadFailed

from crawler.output.atomic import AtomicFile, fsync_dir
from crawler.output.jsonl import dumps_record
from crawler.output.manifest import build_manifest, manifest_path_for, summarize, write_json_atomic
from crawler.output.rejects import reject_line, rejects_path_for
from crawler.output.warc import ArchivedPage, iter_responses
from crawler.record.diff import diff_records, format_diff
from crawler.record.build import versioned
from crawler.record.v2 import OUTPUT_SCHEMA_VERSION, OUTPUT_VERSIONS
from crawler.run.context import EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE
from crawler.run.options import make_run_id
from crawler.sites.read import ReadOutcome, read_page
from crawler.state import utc_now

CHUNK = 8                # pages per task sent to a worker
WINDOW_PER_WORKER = 4    # chunks in flight per worker: the archive is read while workers parse


def read_archived(page: ArchivedPage) -> ReadOutcome:
    """One archived page through :func:`read_page` with the crawl's arguments (runs in a worker)."""
    args = dict(page.read_args)
    args["sites_files"] = tuple(args.get("sites_files") or ())
    return read_page(page.url, page.body, page.headers, fetched_at=page.date or None, **args)


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def read_chunk(pages: list[ArchivedPage]) -> list[ReadOutcome]:
    return [read_archived(p) for p in pages]


@dataclass
class _Run:
    """What :func:`build_manifest` reads of a run."""

    warc_files: list[str]
    arguments: dict
    schema_version: int = OUTPUT_SCHEMA_VERSION
    run_id: str = field(default_factory=make_run_id)
    spider_name: str = "reextract"
    mode: str = "reextract"
    started: str = field(default_factory=utc_now)


def _read_jsonl(path: Path) -> list[dict]:
    with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _pages(paths: list[Path]):
    for path in paths:
        yield from iter_responses(path)


def reextract(warcs: list[Path], out: Path, *, diff: Path | None = None, workers: int | None = None,
              progress: float = 5.0, schema_version: int = OUTPUT_SCHEMA_VERSION, stdout: IO[str] = sys.stdout, stderr: IO[str] = sys.stderr) -> int:
    """Rebuild records from *warcs* into *out* (see the module docstring); returns the exit code."""
    missing = [p for p in [*warcs, *([diff] if diff else [])] if not p.is_file()]
    if not warcs or missing:
        print(f"reextract: no such file: {missing[0] if missing else '(no WARC files given)'}", file=stderr)
        return EXIT_USAGE
    previous = None
    if diff is not None:
        try:
            previous = _read_jsonl(diff)
        except (OSError, ValueError) as exc:
            print(f"reextract: cannot read {diff}: {exc}", file=stderr)
            return EXIT_USAGE
    workers = max(1, workers or os.cpu_count() or 1)
    if schema_version not in OUTPUT_VERSIONS:
        print(f"reextract: --schema-version must be 1 or 2, got {schema_version}", file=stderr)
        return EXIT_USAGE
    run = _Run(warc_files=[str(p) for p in warcs], arguments={"warc": [str(p) for p in warcs], "out": str(out),
                                                              "diff": str(diff) if diff else None, "workers": workers},
               schema_version=schema_version)
    stats: dict[str, int] = {}
    records: dict[str, dict] = {}
    rejects: list[bytes] = []
    pages = 0
    t0 = last = time.monotonic()

    def count(key: str, n: int = 1) -> None:
        stats[key] = stats.get(key, 0) + n

    def apply(page: ArchivedPage, outcome: ReadOutcome) -> None:
        for key, n in outcome.stats.items():
            count(key, n)
        for reason, detail in outcome.rejects:
            count(f"rejects/{reason}")
            rejects.append(reject_line(page.url, reason, detail))
        for record, errors in outcome.records:
            count("reviews/normalized")
            if not errors:  # as RecordVersionPipeline; no state: change null
                record, errors = versioned(record, schema_version)
            if errors:
                count("reviews/dropped/invalid")
                count("rejects/invalid")
                rejects.append(reject_line(record.get("url") or page.url, "invalid", "; ".join(errors), record))
                continue
            old = records.get(record["id"])
            if old is not None:
                count("reviews/dropped/duplicate")
                if (old.get("fetched_at") or "") > (record.get("fetched_at") or ""):
                    continue
                del records[record["id"]]  # the newer fetch wins, in its own place
            records[record["id"]] = record

    # fork where there is one (no reactor, no threads here): workers start at once and read with
    # exactly this process's code; spawn elsewhere. Workers leave SIGINT to this process.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = multiprocessing.get_context(method).Pool(workers, initializer=_worker_init) if workers > 1 else None
    interrupted: list[int] = []
    old_term = signal.signal(signal.SIGTERM, lambda signum, frame: interrupted.append(signum))
    try:
        it = _pages(warcs)
        pending: deque = deque()  # (pages, result) in input order; at most WINDOW chunks in flight
        while True:
            while not interrupted and len(pending) < workers * WINDOW_PER_WORKER:
                chunk = list(islice(it, CHUNK))
                if not chunk:
                    break
                pending.append((chunk, pool.apply_async(read_chunk, (chunk,)) if pool is not None else read_chunk(chunk)))
            if not pending or interrupted:
                break
            chunk, result = pending.popleft()
            for page, outcome in zip(chunk, result.get() if pool is not None else result):
                apply(page, outcome)
            pages += len(chunk)
            now = time.monotonic()
            if progress > 0 and now - last >= progress:
                last = now
                print(f"reextract: {pages} pages, {len(records)} records, {sum(v for k, v in stats.items() if k.startswith('rejects/'))} rejects, "
                      f"{pages / max(now - t0, 1e-9):.1f} pages/s", file=stderr, flush=True)
    except (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError) as exc:
        print(f"reextract: RUN INCOMPLETE: unreadable WARC input ({type(exc).__name__}: {exc}); nothing written", file=stderr)
        return EXIT_INCOMPLETE
    except KeyboardInterrupt:
        interrupted.append(signal.SIGINT)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        signal.signal(signal.SIGTERM, old_term)
    if interrupted:
        print("reextract: RUN INCOMPLETE: interrupted; nothing written", file=stderr)
        return EXIT_INCOMPLETE
    elapsed = time.monotonic() - t0

    rejects_path = rejects_path_for(str(out)) if rejects else None
    f = AtomicFile(out, append=False)
    try:
        for record in records.values():
            f.write((dumps_record(record) + "\n").encode("utf-8", "surrogatepass"))
            f.ledger.add(record)  # counted as written, as the crawl's exporters do: the file is not read back
    except BaseException:
        f.discard()
        raise
    if rejects_path is not None:
        with AtomicFile(rejects_path, append=False) as rf:
            for line in rejects:
                rf.write(line)
    f.close()
    fsync_dir(out.parent)
    summary = summarize(out, f.ledger.item_count, f.ledger.missing, f.ledger.schema_version or schema_version)
    write_json_atomic(manifest_path_for(out), build_manifest(
        out, summary, run, exit_status="ok", exit_code=EXIT_OK, finished=utc_now(),
        rejects=(len(rejects), str(rejects_path) if rejects_path else None)))
    rate = pages / elapsed if elapsed > 0 else 0.0
    print(f"reextract: {pages} pages from {len(warcs)} WARC file(s) in {elapsed:.2f} s ({rate:.1f} pages/s, {workers} workers): "
          f"{len(records)} records -> {out}, {len(rejects)} rejects"
          + (f" -> {rejects_path}" if rejects_path else "")
          + f", duplicates {stats.get('reviews/dropped/duplicate', 0)}, not reviews {stats.get('pages/skipped/not_review', 0)}",
          file=stderr)
    if previous is not None:
        print(format_diff(diff_records(previous, records.values())), file=stdout)
    return EXIT_OK
