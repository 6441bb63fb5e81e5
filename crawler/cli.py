"""The ``crawler`` command: ``demo``, ``validate``, ``extract``, ``serve``.

- ``crawler demo``: serve the bundled A.V. Club fixture site on 127.0.0.1 and run the real
  ``avclub`` spider against it; prints a one-screen summary.
- ``crawler validate FILE.jsonl [...]``: check output files against the record schema
  (exit 0 when every line is valid, 1 otherwise with the count, 2 when a path is not a file;
  one ``PATH:LINE: reason`` line per invalid line, whatever the file holds: see
  :func:`validate_file`).
- ``crawler extract PATH [--url URL] [--site KEY]``: print the record for a saved page (a
  ``page.html`` or a fixture folder), as the crawl would export it.
- ``crawler serve [SITE] [--port N]``: serve a fixture site for manual crawls.
- ``crawler state rebuild STATE --from FOLDER [--from FOLDER ...] [--spider NAME] [--force]``:
  a new SQLite state from the output manifests (a damaged state is moved aside first; see
  :mod:`crawler.run.rebuild`). Exit 0 when every manifest's file was used, 1 when some were
  skipped (listed), 2 when the state is healthy (without ``--force``) or in use.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import zlib
from datetime import datetime, timezone
from pathlib import Path

from crawler.devserver import FIXTURES, FixtureServer


_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def line_problem(raw: bytes) -> str | None:
    """Why one line of an output file is not a valid record (``None`` when it is). The reason
    never quotes the line's bytes; the schema's messages name the offending field values."""
    from crawler.record.validate import record_errors

    if not raw.endswith(b"\n"):
        return "torn last line (no newline)"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
    try:
        record = json.loads(text)
    except RecursionError:
        return "not JSON: nested too deeply"
    except json.JSONDecodeError as exc:
        return f"not JSON: {exc.msg} at column {exc.colno}"
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        return f"not JSON: {str(exc)[:100]}"
    if not isinstance(record, dict):
        return f"not a JSON object (a JSON {type(record).__name__})"
    try:
        errors = record_errors(record)
    except RecursionError:
        return "nested too deeply"
    if errors:
        return f"{record.get('url')}: {'; '.join(errors)}"[:2000]
    return None


def validate_file(path: Path, out=sys.stdout) -> int:
    """Validate one JSON Lines file (``.gz``: gzip); print one line per problem
    (``PATH:LINE: reason``) and return how many there were. Never raises on the file's content:
    a line that is not UTF-8, not JSON, nested too deeply or not a valid record is reported and
    the next line is read; a UTF-16/32 file, or a gzip stream that is corrupt or cut short, is
    reported at the line where reading stopped."""
    bad = 0
    lineno = 0
    try:
        with path.open("rb") as raw_file:
            head = raw_file.read(4)
            for bom, name in _BOMS.items():
                if head.startswith(bom):
                    print(f"{path}:1: the file is {name} (byte-order mark), not UTF-8; not read further", file=out)
                    return 1
            raw_file.seek(0)
            fh = gzip.open(raw_file, "rb") if path.suffix == ".gz" else raw_file
            while True:
                try:
                    raw = fh.readline()
                except (OSError, EOFError, zlib.error) as exc:
                    print(f"{path}:{lineno + 1}: unreadable gzip ({type(exc).__name__}: {str(exc)[:100]}); rest of the file not read", file=out)
                    return bad + 1
                if not raw:
                    return bad
                lineno += 1
                problem = line_problem(raw)
                if problem is not None:
                    bad += 1
                    print(f"{path}:{lineno}: {problem}", file=out)
    except OSError as exc:
        print(f"{path}:{lineno}: cannot read: {exc.strerror or type(exc).__name__}", file=out)
        return bad + 1


def validate_files(paths: list[Path], out=sys.stdout) -> int:
    """Validate JSON Lines files against the schema; return the number of invalid lines."""
    return sum(validate_file(path, out) for path in paths)


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


def state_rebuild(args) -> int:
    """``crawler state rebuild`` (see the module docstring)."""
    from crawler.run.rebuild import RebuildRefused, rebuild_state
    from crawler.state import LockHeld

    missing = [f for f in args.folders if not f.is_dir()]
    if missing:
        print(f"not a folder: {missing[0]}", file=sys.stderr)
        return 2
    try:
        result = rebuild_state(args.state, args.folders, spider=args.spider, force=args.force)
    except (RebuildRefused, LockHeld) as exc:
        print(f"REBUILD REFUSED: {exc}", file=sys.stderr)
        return 2
    if result["moved_to"]:
        print(f"moved the old state to {result['moved_to']}")
    for path, reason in result["skipped"]:
        print(f"skipped {path}: {reason} (its reviews will be emitted again)")
    print(f"rebuilt {args.state}: {result['records']} record(s) from {result['files']} file(s), "
          f"{len(result['skipped'])} skipped, watermarks {result['watermarks'] or '-'}")
    return 1 if result["skipped"] else 0


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
    p_state = sub.add_parser("state", help="state store maintenance")
    state_sub = p_state.add_subparsers(dest="state_command", required=True)
    p_rebuild = state_sub.add_parser("rebuild", help="rebuild a state from the output manifests")
    p_rebuild.add_argument("state", type=Path)
    p_rebuild.add_argument("--from", dest="folders", type=Path, action="append", required=True, help="an output folder (repeatable)")
    p_rebuild.add_argument("--spider", help="only the manifests of this spider")
    p_rebuild.add_argument("--force", action="store_true", help="rebuild a healthy state too (it is moved aside)")
    args = parser.parse_args(argv)

    if args.command == "demo":
        return run_demo(args.out)
    if args.command == "validate":
        missing = [p for p in args.files if not p.is_file()]
        if missing:
            print(f"{'not a file' if missing[0].exists() else 'no such file'}: {missing[0]}", file=sys.stderr)
            return 2
        bad = validate_files(args.files)
        print(f"{'OK' if not bad else 'INVALID'}: {bad} invalid line(s) in {len(args.files)} file(s) checked", file=sys.stderr)
        return 1 if bad else 0
    if args.command == "extract":
        record = extract_path(args.path, args.url, args.site)
        if record is not None:
            record.pop("fetched_at", None)
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    if args.command == "state":
        return state_rebuild(args)
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
