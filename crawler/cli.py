"""The ``crawler`` command: ``demo``, ``validate``, ``extract``, ``serve``.

- ``crawler demo``: serve the bundled A.V. Club fixture site on 127.0.0.1 and run the real
  ``avclub`` spider against it; prints a one-screen summary.
- ``crawler validate FILE.jsonl [...]``: check output files against the record schema
  (exit 0 when every line is valid, 1 otherwise; one line per invalid record).
- ``crawler extract PATH [--url URL] [--site KEY]``: print the record for a saved page (a
  ``page.html`` or a fixture folder), as the crawl would export it.
- ``crawler serve [SITE] [--port N]``: serve a fixture site for manual crawls.
- ``crawler reextract WARC... -O out.jsonl [--diff PREVIOUS.jsonl] [--workers N]``: rebuild
  records from WARC archives with today's extractor (:mod:`crawler.run.reextract`).
- ``crawler schema [--version 1|2] [--ddl postgres|bigquery|duckdb] [--table NAME]``: the
  record's JSON Schema, or a table definition generated from it (:mod:`crawler.record.ddl`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from crawler.devserver import FIXTURES, FixtureServer
from crawler.record.ddl import ddl, duckdb_columns
from crawler.record.validate import load_schema
from crawler.run.reextract import reextract


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")


def validate_files(paths: list[Path], out=sys.stdout) -> int:
    """Validate JSON Lines files against the schema; return the number of invalid lines."""
    from crawler.record.validate import record_errors

    bad = 0
    for path in paths:
        with _open_text(path) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.endswith("\n"):
                    bad += 1
                    print(f"{path}:{lineno}: torn last line (no newline)", file=out)
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    bad += 1
                    print(f"{path}:{lineno}: not JSON: {exc}", file=out)
                    continue
                errors = record_errors(record)
                if errors:
                    bad += 1
                    print(f"{path}:{lineno}: {record.get('url') if isinstance(record, dict) else ''}: {'; '.join(errors)}", file=out)
    return bad


def run_demo(out_dir: Path, site: str = "avclub") -> int:
    """Serve ``fixtures/<site>`` on loopback and crawl it with the real spider in this process."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    root = FIXTURES / site
    if not root.is_dir():
        print(f"no fixture site at {root} (run the demo from a clone of the repository)", file=sys.stderr)
        return 2
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S")
    out = out_dir / f"{site}-{stamp}.jsonl"
    settings = get_project_settings()
    settings.set("FEEDS", {str(out): {"format": "jsonl", "overwrite": True}}, priority="cmdline")
    # Loopback is not a real site: no politeness delay needed.
    settings.set("AUTOTHROTTLE_START_DELAY", 0, priority="cmdline")
    settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    with FixtureServer(root) as server:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(site)
        process.crawl(crawler, base_url=server.base_url, mode="full")  # every review, each demo run
        process.start()
        stats = crawler.stats.get_stats()
    reviews = stats.get("reviews/emitted", 0)
    invalid = validate_files([out], out=sys.stderr) if out.exists() else 0
    print(f"Demo crawl of the bundled {site} fixture site on {server.base_url}")
    print(f"  pages fetched      {stats.get('response_received_count', 0)}")
    print(f"  reviews written    {reviews}")
    print(f"  non-review pages   {stats.get('pages/skipped/not_review', 0)} (skipped)")
    print(f"  rejects            {stats.get('rejects/total', 0)}" + (f"  -> {stats['rejects/path']}" if stats.get("rejects/path") else ""))
    missing = {k.removeprefix("reviews/missing/"): v for k, v in stats.items() if k.startswith("reviews/missing/")}
    if missing:
        print("  missing fields     " + ", ".join(f"{k}={v}" for k, v in sorted(missing.items())))
    print(f"  invalid lines      {invalid}")
    print(f"  output             {out}")
    return 0 if out.exists() and reviews > 0 and invalid == 0 else 1


def extract_path(path: Path, url: str | None, site: str | None) -> dict | None:
    from crawler.api import extract_review

    folder = path if path.is_dir() else path.parent
    page = path / "page.html" if path.is_dir() else path
    if url is None:
        expected = folder / "expected.json"
        if expected.is_file():
            data = json.loads(expected.read_text("utf-8"))
            url = data.get("url") if isinstance(data, dict) else None
        url = url or f"https://www.avclub.com/{folder.name}"
    if site is None and folder.parent.name in ("avclub",):
        site = folder.parent.name
    headers = None
    if (folder / "headers.json").is_file():
        headers = json.loads((folder / "headers.json").read_text("utf-8"))
    return extract_review(page.read_bytes(), url, site=site, headers=headers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crawler", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="crawl the bundled fixture site over loopback HTTP")
    p_demo.add_argument("--out", type=Path, default=Path("output/demo"), help="output folder (default output/demo)")
    p_val = sub.add_parser("validate", help="validate JSONL output files against the schema")
    p_val.add_argument("files", nargs="+", type=Path)
    p_ext = sub.add_parser("extract", help="print the record for a saved page or fixture folder")
    p_ext.add_argument("path", type=Path)
    p_ext.add_argument("--url")
    p_ext.add_argument("--site")
    p_srv = sub.add_parser("serve", help="serve a fixture site on 127.0.0.1")
    p_srv.add_argument("site", nargs="?", default="avclub")
    p_srv.add_argument("--port", type=int, default=8765)
    p_rx = sub.add_parser("reextract", help="rebuild records from WARC archives with today's extractor (no network)")
    p_rx.add_argument("warcs", nargs="+", type=Path, metavar="WARC")
    p_rx.add_argument("-O", "--output", dest="output", type=Path, required=True, help="output JSON Lines file (replaced)")
    p_rx.add_argument("--diff", type=Path, help="a previous output: print per field what changed")
    p_rx.add_argument("--workers", type=int, default=None, help="worker processes (default: every core)")
    p_rx.add_argument("--progress", type=float, default=5.0, help="seconds between progress lines (0: off)")
    p_rx.add_argument("--schema-version", type=int, choices=(1, 2), default=1, help="record schema version of the output")
    p_sch = sub.add_parser("schema", help="print the record's JSON Schema or a table definition generated from it")
    p_sch.add_argument("--ddl", choices=("postgres", "bigquery", "duckdb"), help="a CREATE TABLE (duckdb: read_json columns)")
    p_sch.add_argument("--version", type=int, choices=(1, 2), default=2, dest="schema_version")
    p_sch.add_argument("--table", default="reviews")
    args = parser.parse_args(argv)

    if args.command == "schema":
        if args.ddl == "duckdb":
            print(json.dumps(duckdb_columns(args.schema_version), indent=2))
        elif args.ddl:
            print(ddl(args.ddl, args.table, args.schema_version))
        else:
            print(json.dumps(load_schema(args.schema_version), indent=2, ensure_ascii=False))
        return 0

    if args.command == "reextract":
        return reextract(args.warcs, args.output, diff=args.diff, workers=args.workers, progress=args.progress,
                         schema_version=args.schema_version)

    if args.command == "demo":
        return run_demo(args.out)
    if args.command == "validate":
        missing = [p for p in args.files if not p.is_file()]
        if missing:
            print(f"no such file: {missing[0]}", file=sys.stderr)
            return 2
        bad = validate_files(args.files)
        print(f"{'OK' if not bad else 'INVALID'}: {bad} invalid line(s)", file=sys.stderr)
        return 1 if bad else 0
    if args.command == "extract":
        record = extract_path(args.path, args.url, args.site)
        if record is not None:
            record.pop("fetched_at", None)
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    if args.command == "serve":
        server = FixtureServer(FIXTURES / args.site, port=args.port)
        print(f"Serving {FIXTURES / args.site} on {server.base_url} (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
