"""A small HTTP server for the fixture sites in ``fixtures/<site>/`` (loopback only).

Used by ``crawler demo`` and the tests. URL ``/a/b`` is served from, in order,
``<root>/a/b/page.html``, ``<root>/a/b/index.html`` or the file ``<root>/a/b``; ``/`` from
``<root>/index.html``. A ``headers.json`` beside ``page.html`` adds response headers (for
example a ``Content-Type`` with a charset). In ``.xml`` and ``.txt`` files ``{{BASE}}`` is
replaced by the server's base URL, since sitemaps and robots.txt need absolute URLs.
Every file is sent with ``Last-Modified`` (its mtime); ``If-Modified-Since`` gets a 304.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"


def resolve(root: Path, url_path: str) -> Path | None:
    """The file serving *url_path* under *root*, or None (never a path outside *root*)."""
    rel = unquote(urlsplit(url_path).path).strip("/")
    parts = [p for p in rel.split("/") if p]
    if any(p in (".", "..") or "\\" in p for p in parts):
        return None
    base = root.joinpath(*parts) if parts else root
    for cand in (base / "page.html", base / "index.html", base):
        if cand.is_file():
            try:
                cand.resolve().relative_to(root.resolve())
            except ValueError:
                return None
            return cand
    return None


def _not_modified_since(header: str | None, mtime: int) -> bool:
    if not header:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    return since is not None and since.timestamp() >= mtime


class FixtureHandler(BaseHTTPRequestHandler):
    """Serves one fixture site directory (``server.root``)."""

    server_version = "fixture-server/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - silence per-request logging
        pass

    def do_GET(self):  # noqa: N802
        self.server.hits.append(self.path)
        path = resolve(self.server.root, self.path)
        if path is None:
            body = b"<html><body><h1>Not found</h1></body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        data = path.read_bytes()
        headers = {}
        if path.suffix in (".xml", ".txt"):
            data = data.replace(b"{{BASE}}", self.server.base_url.encode())
        if path.suffix == ".html":
            headers["Content-Type"] = "text/html"
            extra = path.parent / "headers.json"
            if path.name == "page.html" and extra.is_file():
                headers.update(json.loads(extra.read_text("utf-8")))
        else:
            headers["Content-Type"] = (mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        # Conditional requests: Last-Modified from the file's mtime, 304 for If-Modified-Since.
        mtime = int(path.stat().st_mtime)
        headers.setdefault("Last-Modified", formatdate(mtime, usegmt=True))
        if _not_modified_since(self.headers.get("If-Modified-Since"), mtime):
            self.send_response(304)
            self.send_header("Last-Modified", headers["Last-Modified"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FixtureServer(ThreadingHTTPServer):
    """``with FixtureServer(root) as srv: srv.base_url`` serves *root* on 127.0.0.1."""

    daemon_threads = True

    def __init__(self, root: Path | str, port: int = 0, handler=FixtureHandler):
        super().__init__(("127.0.0.1", port), handler)
        self.root = Path(root)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.hits: list[str] = []
        self._thread: threading.Thread | None = None

    def start(self) -> "FixtureServer":
        self._thread = threading.Thread(target=self.serve_forever, name="fixture-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> "FixtureServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
