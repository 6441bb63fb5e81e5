"""The ``crawler`` command: ``demo``, ``validate``, ``extract``, ``serve``, ``capture``, ``report``,
``fleet``, ``reextract``, ``schema``, ``state rebuild``.

- ``crawler demo``: serve the bundled A.V. Club fixture site on 127.0.0.1 and run the real
  ``avclub`` spider against it; prints a one-screen summary.
- ``crawler validate FILE.jsonl [...]``: check output files against the record schema
  (exit 0 when every line is valid, 1 otherwise with the count, 2 when a path is not a file;
  one ``PATH:LINE: reason`` line per invalid line, whatever the file holds: see
  :func:`validate_file`).
- ``crawler extract PATH [--url URL] [--site KEY] [--schema-version 1|2]``: print the record for
  a saved page (a ``page.html`` or a fixture folder): the version 1 extraction view, the form of a
  fixture's ``expected.json`` (``--schema-version 2``: the loader form a crawl writes). The URL decides the page
  class (the configured site owning its host); a fixture folder's ``expected.json`` gives it;
  without either the page is read by the generic page class (said on stderr). Never touches a
  state store.
- ``crawler serve [SITE] [--port N]``: serve a fixture site (``fixtures/SITE``) for manual
  crawls; an unknown site is refused with the list of known ones.
- ``crawler report [--state PATH ...] [--site KEY] [--runs N] [-o report.html]``: the HTML run
  report (:mod:`crawler.run.report`) of state stores (default: every
  ``output/*/*.state.sqlite``); exit 0, 1 when there is no run to report (the file is still
  written), 2 when a state store cannot be found or read.
- ``crawler fleet --redis URL [--run NAME] [--json]``: the distributed runs on that Redis:
  workers alive, queue, pending per worker, pages/s per worker and per site, the shared rate
  per site (:mod:`crawler.distributed.fleet`; exit 2 when Redis cannot be read).
- ``crawler reextract WARC... -O out.jsonl [--diff PREVIOUS.jsonl] [--workers N] [--schema-version 2|1]``:
  rebuild records (schema version 2 unless told 1) from WARC archives with today's extractor (:mod:`crawler.run.reextract`).
- ``crawler schema [--version 1|2] [--ddl postgres|bigquery|duckdb] [--table NAME]``: the
  record's JSON Schema, or a table definition generated from it (:mod:`crawler.record.ddl`).
- ``crawler state rebuild STATE [--journal PATH | --no-journal] [--from FOLDER ...] [--spider NAME] [--force]``:
  a new SQLite state from the state's journal (``STATE.journal`` when there is one, or
  ``--journal PATH``), replayed, and/or from the output manifests of ``--from`` folders (after a
  journal, the exported reviews it lacks); the damaged state is moved aside (see
  :mod:`crawler.run.rebuild`). Prints which sources were used and how many journal lines were
  bad. Exit 0 when every journal line and manifest's file was used, 1 when some were bad or
  skipped (listed), 2 when the state is healthy (without ``--force``), in use, or there is
  nothing to rebuild it from.
- ``crawler capture URL --site KEY [--case PATH] [--force]``: fetch one live page (the crawler's
  User-Agent, ``DOWNLOAD_TIMEOUT``), save it as a fixture case ``fixtures/<site>/<case>/``
  (``page.html`` as received, ``headers.json`` with its ``Content-Type``/``Content-Language``)
  and print the record the crawl would export, in schema version 1 (the fixtures' form), as a draft ``expected.json`` (also saved as
  ``expected.draft.json``) for a person to check and save as ``expected.json``. Exit 0 when
  saved; 1 when the page cannot be fetched or is not HTML; 2 for a usage error (unknown site,
  a case that exists without ``--force``, a URL that is not http(s)). Nothing is written
  unless everything was fetched and read.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

from crawler.devserver import FIXTURES, FixtureServer
from crawler.record.ddl import ddl, duckdb_columns
from crawler.record.validate import load_schema
from crawler.run.reextract import reextract


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


def validate_file(path: Path, out=None) -> int:
    """Validate one JSON Lines file (``.gz``: gzip); print one line per problem
    (``PATH:LINE: reason``) and return how many there were. Never raises on the file's content:
    a line that is not UTF-8, not JSON, nested too deeply or not a valid record is reported and
    the next line is read; a UTF-16/32 file, or a gzip stream that is corrupt or cut short, is
    reported at the line where reading stopped."""
    out = out if out is not None else sys.stdout
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


#: formats whose records keep their JSON types: checked record by record (JSON Lines by line)
RECORD_FORMATS = (".json", ".parquet")
#: formats whose cells hold text: not checkable against the record's JSON Schema
TEXT_FORMATS = (".csv", ".xml")


def validate_records(path: Path, out=None) -> int:
    """Validate a JSON array or Parquet output file record by record (``PATH:#N: reason``);
    return how many problems there were. Never raises on the file's content."""
    out = out if out is not None else sys.stdout  # looked up at call time (a test may replace it)
    from crawler.output.manifest import read_records
    from crawler.record.validate import record_errors

    bad = n = 0
    try:
        for n, record in enumerate(read_records(path), 1):
            if record is None:
                bad += 1
                print(f"{path}:#{n}: not a readable record", file=out)
                continue
            errors = record_errors(record)
            if errors:
                bad += 1
                print(f"{path}:#{n}: {'; '.join(errors)[:1000]}", file=out)
    except Exception as exc:  # noqa: BLE001 - any damaged file: reported, the other files are checked
        print(f"{path}:#{n + 1}: cannot read: {type(exc).__name__}: {str(exc)[:200]}", file=out)
        return bad + 1
    return bad


def validate_files(paths: list[Path], out=None) -> int:
    """Validate output files against the schema (JSON Lines by line; JSON arrays and Parquet by
    record); return the number of invalid lines or records."""
    out = out if out is not None else sys.stdout
    return sum(validate_records(path, out) if path.name.removesuffix(".gz").endswith(RECORD_FORMATS)
               else validate_file(path, out) for path in paths)


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
    settings.set("RUN_CONTROLLER_ENABLED", True, priority="cmdline")  # a crawl: state, manifest, monitors
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


#: the URL a page is read under when neither --url nor a fixture's expected.json gives one: an
#: unconfigured host, so the generic page class reads it (its canonical URL may still name a site)
GENERIC_URL = "http://localhost/{name}"


def extract_path(path: Path, url: str | None, site: str | None, err=sys.stderr, schema_version: int = 1) -> dict | None:
    """The record of a saved page or fixture folder (``crawler extract``) in *schema_version*
    (1: the form of a fixture's ``expected.json``)."""
    from crawler.api import extract_review

    folder = path if path.is_dir() else path.parent
    page = path / "page.html" if path.is_dir() else path
    if url is None:
        expected = folder / "expected.json"
        if expected.is_file():
            data = json.loads(expected.read_text("utf-8"))
            url = data.get("url") if isinstance(data, dict) else None
    if url is None:
        url = GENERIC_URL.format(name=(folder.name if page.name == "page.html" else page.stem))
        if site is None:
            print(f"no --url given: reading {page} as {url}: the generic page class (or the configured site its canonical URL names) "
                  "(give --url URL or --site KEY to read it as a configured site)", file=err)
    headers = None
    if (folder / "headers.json").is_file():
        headers = json.loads((folder / "headers.json").read_text("utf-8"))
    return extract_review(page.read_bytes(), url, site=site, headers=headers, schema_version=schema_version)


def run_report(states: list[str], site: str | None, runs: int, out: Path, spider: str | None = None) -> int:
    """``crawler report``: write the report of *states*; see the module docstring for the exit codes."""
    from crawler.run.report import load_history, render_report, write_report

    if not states:
        states = [str(p) for p in sorted(Path("output").glob("*/*.state.sqlite"))]
    if not states:
        print("no state store found (give --state PATH; default output/*/*.state.sqlite)", file=sys.stderr)
        return 2
    try:
        history = load_history(states, site=site, runs=runs, spider=spider)
    except Exception as exc:  # noqa: BLE001 - any unreadable store: say which, exit 2
        print(f"cannot read the state store: {exc}", file=sys.stderr)
        return 2
    write_report(out, render_report(history, sources=states))
    n = sum(len(v) for v in history.values())
    print(f"{out}: {n} run(s) of {len(history)} site(s)" + (f" (site {site})" if site else ""), file=sys.stderr)
    return 0 if n else 1


def _fixture_sites() -> list[str]:
    """The fixture sites ``crawler serve`` can serve (folders of ``fixtures/``)."""
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))) if FIXTURES.is_dir() else []


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


def state_rebuild(args) -> int:
    """``crawler state rebuild`` (see the module docstring)."""
    from crawler.run.rebuild import RebuildRefused, rebuild_state
    from crawler.state import LockHeld

    missing = [f for f in args.folders if not f.is_dir()]
    if missing:
        print(f"not a folder: {missing[0]}", file=sys.stderr)
        return 2
    try:
        result = rebuild_state(args.state, args.folders, spider=args.spider, force=args.force, journal=args.journal,
                               use_journal=not args.no_journal)
    except (RebuildRefused, LockHeld) as exc:
        print(f"REBUILD REFUSED: {exc}", file=sys.stderr)
        return 2
    if result["moved_to"]:
        print(f"moved the old state to {result['moved_to']}")
    journal = result["journal"]
    if journal is not None:
        print(f"source: the journal {journal['journal']}: {journal['ops']} write(s) replayed from {journal['entries']} good line(s), "
              f"{journal['bad_lines']} bad line(s) not replayed, {journal['missing']} entries missing")
        if result["journal_moved_to"]:
            print(f"moved the old journal to {result['journal_moved_to']}")
        if (journal["bad_lines"] or journal["missing"]) and not args.folders:
            print("the bad lines' writes are lost: rebuild with --force --journal ... --from OUTPUT_FOLDER to add the "
                  "exported reviews the output manifests hold")
    if args.folders:
        for path, reason in result["skipped"]:
            print(f"skipped {path}: {reason} (its reviews will be emitted again)")
        added = f", {result['added']} not in the journal" if journal is not None else ""
        print(f"source: the output manifests: {result['records']} record(s) from {result['files']} file(s), "
              f"{len(result['skipped'])} skipped{added}")
    print(f"rebuilt {args.state}: {result['reviews']} review(s), {result['fetches']} fetch(es), {result['runs']} run(s), "
          f"watermarks {result['watermarks'] or '-'}")
    bad = journal is not None and (journal["bad_lines"] or journal["missing"])
    return 1 if result["skipped"] or bad else 0


class CaptureError(Exception):
    """A capture that cannot be done; ``code`` is the exit code (1 fetch, 2 usage)."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


#: response headers a fixture keeps (the fixture server sends them back; the page's decoding
#: and language depend on them). Transport headers (length, encoding, cookies) are left out.
CAPTURE_HEADERS = ("Content-Type", "Content-Language")
CAPTURE_MAX_BYTES = 20 * 1024 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def case_from_url(url: str) -> str:
    """The default case path of a page: its URL path (``/film/glass-tides-review/`` ->
    ``film/glass-tides-review``), so ``crawler serve KEY`` serves the case at the same path."""
    from urllib.parse import unquote, urlsplit

    return "/".join(p for p in unquote(urlsplit(url).path).split("/") if p)


def fetch_page(url: str, timeout: float | None = None) -> tuple[bytes, dict[str, str], str]:
    """``(body, headers, final URL)`` of one page fetched with the crawler's User-Agent.

    Raises :class:`CaptureError` (code 1) on HTTP errors, network errors, a body that is not
    HTML or is larger than ``CAPTURE_MAX_BYTES``."""
    import urllib.error
    import urllib.request

    from crawler import settings

    req = urllib.request.Request(url, headers={
        "User-Agent": settings.USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
        "Accept-Encoding": "gzip, deflate",
    })
    try:
        with urllib.request.urlopen(req, timeout=timeout or settings.DOWNLOAD_TIMEOUT) as resp:  # noqa: S310 - http(s) checked
            raw = resp.read(CAPTURE_MAX_BYTES + 1)
            headers = {k: v for k, v in resp.headers.items()}
            final_url = resp.geturl()
    except urllib.error.HTTPError as exc:
        raise CaptureError(f"{url}: HTTP {exc.code} {exc.reason}", 1) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CaptureError(f"{url}: cannot fetch: {getattr(exc, 'reason', exc)}", 1) from None
    if len(raw) > CAPTURE_MAX_BYTES:
        raise CaptureError(f"{url}: larger than {CAPTURE_MAX_BYTES} bytes", 1)
    encoding = next((v for k, v in headers.items() if k.lower() == "content-encoding"), "identity").strip().lower()
    try:
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
        elif encoding not in ("identity", ""):
            raise CaptureError(f"{url}: unsupported Content-Encoding {encoding!r}", 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise CaptureError(f"{url}: bad {encoding} body: {exc}", 1) from None
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if ctype and not ctype.split(";")[0].strip().lower() in _HTML_TYPES:
        raise CaptureError(f"{url}: not an HTML page (Content-Type {ctype})", 1)
    return raw, headers, final_url


def capture(url: str, site: str, *, case: str | None = None, fixtures: Path = FIXTURES, force: bool = False,
            out=None, err=None) -> int:
    """``crawler capture``: fetch *url*, save it as the fixture case ``<fixtures>/<site>/<case>/``
    and print the draft ``expected.json``; returns the exit code (see the module docstring)."""
    from urllib.parse import urlsplit

    from crawler.api import extract_review
    from crawler.security import safe_component
    from crawler.sites.registry import known_sites

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise CaptureError(f"not an http(s) URL: {url}", 2)
        if site not in known_sites():
            raise CaptureError(f"unknown site {site!r}; known: {', '.join(known_sites())}", 2)
        parts = [p for p in (case if case is not None else case_from_url(url)).split("/") if p]
        if not parts or any(safe_component(p) != p or p.startswith(".") for p in parts):
            raise CaptureError("give a case path (--case NAME): the URL has no usable path", 2)
        folder = Path(fixtures) / site / Path(*parts)
        if folder.exists() and not force:
            raise CaptureError(f"{folder} exists (--force replaces its files)", 2)
        body, headers, final_url = fetch_page(url)
        kept = {k: v for k, v in headers.items() if k.lower() in {h.lower() for h in CAPTURE_HEADERS}}
        record = extract_review(body, final_url, site=site, headers=kept or None, schema_version=1)  # expected.json's form
    except CaptureError as exc:
        print(f"crawler capture: {exc}", file=err)
        return exc.code
    if record is not None:
        record.pop("fetched_at", None)
    draft = json.dumps(record, ensure_ascii=False, indent=2) + "\n"
    files = {"page.html": body, "headers.json": (json.dumps(kept, indent=2) + "\n").encode("utf-8"),
             "expected.draft.json": draft.encode("utf-8")}
    _write_case(folder, files)
    print(draft, end="", file=out)
    what = "a review" if record is not None else "NOT a review (draft is null)"
    print(f"saved {folder}/page.html and headers.json ({len(body)} bytes; {what}).\n"
          f"Check every field of the draft above (also in {folder}/expected.draft.json), correct it by hand and "
          f"save it as {folder}/expected.json: tests/fixtures_test.py then checks the case.", file=err)
    return 0


def _write_case(folder: Path, files: dict[str, bytes]) -> None:
    """Write a case's files so that a failure leaves no half-written case: a new folder is
    written beside and renamed into place; an existing one (``--force``) file by file."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists():
        for name, data in files.items():
            tmp = folder / f".{name}.part"
            tmp.write_bytes(data)
            os.replace(tmp, folder / name)
        return
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        for name, data in files.items():
            (tmpdir / name).write_bytes(data)
        os.replace(tmpdir, folder)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crawler", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    raw = argparse.RawDescriptionHelpFormatter
    p_demo = sub.add_parser("demo", help="crawl the bundled fixture site over loopback HTTP", formatter_class=raw,
                            description="Serve fixtures/avclub on 127.0.0.1 and crawl it with the real avclub spider "
                                        "(mode full); print a summary. Exit 0 when reviews were written and all are valid.",
                            epilog="example: crawler demo --out /tmp/demo")
    p_demo.add_argument("--out", type=Path, default=Path("output/demo"), help="output folder (default output/demo)")
    p_val = sub.add_parser("validate", help="validate JSONL output files against the schema", formatter_class=raw,
                           description="Check output files against the record schema: JSON Lines (.jsonl, .jsonl.gz) line by "
                                       "line, JSON arrays and Parquet record by record; one line per problem; exit 0 when all are "
                                       "valid, 1 otherwise, 2 for a missing file or a CSV/XML file (not checkable: text cells).",
                           epilog="example: crawler validate output/avclub/*.jsonl")
    p_val.add_argument("files", nargs="+", type=Path, help="output files")
    p_ext = sub.add_parser("extract", help="print the record for a saved page or fixture folder", formatter_class=raw,
                           description="Print the record the crawl would export for a saved page (a page.html, or a "
                                       "fixture folder with page.html and expected.json). The page class follows the URL "
                                       "(--url, else the fixture's expected.json); without one the generic page class reads "
                                       "it (said on stderr). Prints null for a page that is not a review. Touches no state. "
                                       "Prints the version 1 extraction view by default (the form of a fixture's "
                                       "expected.json, to compare the two); --schema-version 2 prints the loader form "
                                       "the crawl writes by default.",
                           epilog="example: crawler extract page.html --url https://www.avclub.com/some-review")
    p_ext.add_argument("path", type=Path, help="a page.html or a fixture case folder")
    p_ext.add_argument("--url", help="the URL the page was fetched from (default: the fixture's, else generic)")
    p_ext.add_argument("--site", help="read as this configured site (a key of crawler/sites/sites.toml)")
    p_ext.add_argument("--schema-version", type=int, choices=(1, 2), default=1,
                       help="record schema version (default 1: the form of the fixtures' expected.json; 2: as the crawl writes)")
    p_srv = sub.add_parser("serve", help="serve a fixture site on 127.0.0.1", formatter_class=raw,
                           description="Serve fixtures/SITE on 127.0.0.1 for manual crawls until Ctrl-C "
                                       f"(known sites: {', '.join(_fixture_sites())}; default avclub, port 8765).",
                           epilog="example: crawler serve reelverdict --port 8766, then\n"
                                  "         scrapy crawl reviews -a site=reelverdict -a base_url=http://127.0.0.1:8766")
    p_srv.add_argument("site", nargs="?", default="avclub", help="a fixture site (default avclub)")
    p_srv.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    p_rep = sub.add_parser("report", help="write the HTML run report of state stores")
    p_rep.add_argument("--state", action="append", default=[], help="a state store (SQLite path or redis:// URI); repeatable; "
                       "default: every output/*/*.state.sqlite")
    p_rep.add_argument("--site", help="only this site")
    p_rep.add_argument("--runs", type=int, default=10, help="runs per site (default 10)")
    p_rep.add_argument("--spider", help="the spider name of a redis:// state (its key namespace; default --site)")
    p_rep.add_argument("-o", "--output", type=Path, default=Path("report.html"), help="the HTML file (default report.html)")
    p_fleet = sub.add_parser("fleet", help="status of the distributed runs on a Redis server")
    p_fleet.add_argument("--redis", default=os.environ.get("CRAWLER_REDIS_URL"), help="Redis URL (default env CRAWLER_REDIS_URL)")
    p_fleet.add_argument("--run", help="only this run (DISTRIBUTED_RUN, default every run)")
    p_fleet.add_argument("--prefix", default="crawler", help="DISTRIBUTED_KEY_PREFIX (default crawler)")
    p_fleet.add_argument("--window", type=float, default=10.0, help="seconds the rates are measured over (default 10, at most 60)")
    p_fleet.add_argument("--timeout", type=float, default=30.0, help="a worker silent this long is not alive (default 30)")
    p_fleet.add_argument("--json", action="store_true", help="print JSON")
    p_rx = sub.add_parser("reextract", help="rebuild records from WARC archives with today's extractor (no network)")
    p_rx.add_argument("warcs", nargs="+", type=Path, metavar="WARC")
    p_rx.add_argument("-O", "--output", dest="output", type=Path, required=True, help="output JSON Lines file (replaced)")
    p_rx.add_argument("--diff", type=Path, help="a previous output: print per field what changed")
    p_rx.add_argument("--workers", type=int, default=None, help="worker processes (default: every core)")
    p_rx.add_argument("--progress", type=float, default=5.0, help="seconds between progress lines (0: off)")
    p_rx.add_argument("--schema-version", type=int, choices=(1, 2), default=2,
                      help="record schema version of the output (default 2; 1: the superseded version 1)")
    p_sch = sub.add_parser("schema", help="print the record's JSON Schema or a table definition generated from it")
    p_sch.add_argument("--ddl", choices=("postgres", "bigquery", "duckdb"), help="a CREATE TABLE (duckdb: read_json columns)")
    p_sch.add_argument("--version", type=int, choices=(1, 2), default=2, dest="schema_version")
    p_sch.add_argument("--table", default="reviews")
    p_state = sub.add_parser("state", help="state store maintenance")
    state_sub = p_state.add_subparsers(dest="state_command", required=True)
    p_rebuild = state_sub.add_parser("rebuild", help="rebuild a state from its journal and/or the output manifests")
    p_rebuild.add_argument("state", type=Path)
    source = p_rebuild.add_mutually_exclusive_group()
    source.add_argument("--journal", type=Path, help="the state's journal to replay (default: STATE.journal when there is one)")
    source.add_argument("--no-journal", action="store_true", help="do not replay the journal (the manifests only)")
    p_rebuild.add_argument("--from", dest="folders", type=Path, action="append", default=[],
                           help="an output folder whose manifests to use (repeatable; required without a journal)")
    p_rebuild.add_argument("--spider", help="only the manifests of this spider")
    p_rebuild.add_argument("--force", action="store_true", help="rebuild a healthy state too (it is moved aside)")
    p_cap = sub.add_parser("capture", help="save a live page as a fixture case and print its draft expected.json")
    p_cap.add_argument("url")
    p_cap.add_argument("--site", required=True, help="site key (sites.toml or a page class)")
    p_cap.add_argument("--case", help="case path under fixtures/<site>/ (default: the URL's path)")
    p_cap.add_argument("--fixtures", type=Path, default=FIXTURES, help="fixtures folder (default: the repository's)")
    p_cap.add_argument("--force", action="store_true", help="replace the files of an existing case")
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
            print(f"{'not a file' if missing[0].exists() else 'no such file'}: {missing[0]}", file=sys.stderr)
            return 2
        text = [p for p in args.files if p.name.removesuffix(".gz").endswith(TEXT_FORMATS)]
        if text:
            print(f"cannot check {text[0]}: CSV and XML cells hold text, not the record's JSON types; crawler validate "
                  "checks JSON Lines, JSON and Parquet files (the manifest's item_count and sha256 vouch for the others)",
                  file=sys.stderr)
            return 2
        bad = validate_files(args.files)
        print(f"{'OK' if not bad else 'INVALID'}: {bad} invalid line(s) in {len(args.files)} file(s) checked", file=sys.stderr)
        return 1 if bad else 0
    if args.command == "extract":
        page = args.path / "page.html" if args.path.is_dir() else args.path
        if not page.is_file():
            print(f"no such file: {page}", file=sys.stderr)
            return 2
        try:
            record = extract_path(args.path, args.url, args.site, schema_version=args.schema_version)
        except ValueError as exc:  # an unknown --site
            print(str(exc), file=sys.stderr)
            return 2
        if record is not None:
            record.pop("fetched_at", None)
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0
    if args.command == "report":
        return run_report(args.state, args.site, max(args.runs, 1), args.output, args.spider)
    if args.command == "fleet":
        return run_fleet(args)
    if args.command == "state":
        return state_rebuild(args)
    if args.command == "capture":
        return capture(args.url, args.site, case=args.case, fixtures=args.fixtures, force=args.force)
    if args.command == "serve":
        if args.site not in _fixture_sites():
            print(f"unknown site {args.site!r}: no fixtures/{args.site} (known: {', '.join(_fixture_sites())})", file=sys.stderr)
            return 2
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
