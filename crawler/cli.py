"""The ``crawler`` command: ``demo``, ``validate``, ``extract``, ``serve``, ``capture``.

- ``crawler demo``: serve the bundled A.V. Club fixture site on 127.0.0.1 and run the real
  ``avclub`` spider against it; prints a one-screen summary.
- ``crawler validate FILE.jsonl [...]``: check output files against the record schema
  (exit 0 when every line is valid, 1 otherwise; one line per invalid record).
- ``crawler extract PATH [--url URL] [--site KEY]``: print the record for a saved page (a
  ``page.html`` or a fixture folder), as the crawl would export it.
- ``crawler serve [SITE] [--port N]``: serve a fixture site for manual crawls.
- ``crawler capture URL --site KEY [--case PATH] [--force]``: fetch one live page (the crawler's
  User-Agent, ``DOWNLOAD_TIMEOUT``), save it as a fixture case ``fixtures/<site>/<case>/``
  (``page.html`` as received, ``headers.json`` with its ``Content-Type``/``Content-Language``)
  and print the record the crawl would export as a draft ``expected.json`` (also saved as
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
        record = extract_review(body, final_url, site=site, headers=kept or None)
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
    p_cap = sub.add_parser("capture", help="save a live page as a fixture case and print its draft expected.json")
    p_cap.add_argument("url")
    p_cap.add_argument("--site", required=True, help="site key (sites.toml or a page class)")
    p_cap.add_argument("--case", help="case path under fixtures/<site>/ (default: the URL's path)")
    p_cap.add_argument("--fixtures", type=Path, default=FIXTURES, help="fixtures folder (default: the repository's)")
    p_cap.add_argument("--force", action="store_true", help="replace the files of an existing case")
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
    if args.command == "capture":
        return capture(args.url, args.site, case=args.case, fixtures=args.fixtures, force=args.force)
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
