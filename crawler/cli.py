"""The ``crawler`` command: ``demo``, ``validate``, ``extract``, ``serve``.

- ``crawler demo``: serve the bundled A.V. Club fixture site on 127.0.0.1 and run the real
  ``avclub`` spider against it; prints a one-screen summary.
- ``crawler validate FILE.jsonl [...]``: check output files against the record schema
  (exit 0 when every line is valid, 1 otherwise; one line per invalid record).
- ``crawler extract PATH [--url URL] [--site KEY]``: print the record for a saved page (a
  ``page.html`` or a fixture folder), as the crawl would export it.
- ``crawler serve [SITE] [--port N]``: serve a fixture site for manual crawls.
- ``crawler fleet --redis URL [--run NAME] [--json]``: the distributed runs on that Redis:
  workers alive, queue, pending per worker, pages/s per worker and per site, the shared rate
  per site (:mod:`crawler.distributed.fleet`; exit 2 when Redis cannot be read).
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


def run_fleet(args) -> int:
    if not args.redis:
        print("crawler fleet: --redis URL (or env CRAWLER_REDIS_URL) is required", file=sys.stderr)
        return 2
    try:
        from crawler.distributed.fleet import fleet_status, format_status

        status = fleet_status(args.redis, prefix=args.prefix, run=args.run, window=args.window, timeout=args.timeout)
    except ImportError as exc:
        print(f"crawler fleet needs the redis extra (pip install -e '.[redis]'): {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - redis.RedisError and friends: report, exit 2
        print(f"crawler fleet: cannot read {args.redis}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(status, indent=2) if args.json else format_status(status))
    return 0


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
    p_fleet = sub.add_parser("fleet", help="status of the distributed runs on a Redis server")
    p_fleet.add_argument("--redis", default=os.environ.get("CRAWLER_REDIS_URL"), help="Redis URL (default env CRAWLER_REDIS_URL)")
    p_fleet.add_argument("--run", help="only this run (DISTRIBUTED_RUN, default every run)")
    p_fleet.add_argument("--prefix", default="crawler", help="DISTRIBUTED_KEY_PREFIX (default crawler)")
    p_fleet.add_argument("--window", type=float, default=10.0, help="seconds the rates are measured over (default 10, at most 60)")
    p_fleet.add_argument("--timeout", type=float, default=30.0, help="a worker silent this long is not alive (default 30)")
    p_fleet.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

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
    if args.command == "fleet":
        return run_fleet(args)
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
