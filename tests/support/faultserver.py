"""A fault-injecting HTTP server for tests (loopback only), built on :mod:`crawler.devserver`.

:class:`FaultServer` serves a fixture site like :class:`~crawler.devserver.FixtureServer`, but a
URL path can be given a scripted fault (or a list of them, applied in order)::

    with FaultServer(FIXTURES / "avclub") as srv:
        srv.script("/flaky", Status(503, times=2, retry_after=1), Content(review_html("Flaky")))
        srv.script("/gone", Status(410))
        ... crawl srv.base_url ...
        assert srv.count("/flaky") == 3

A fault with ``times=N`` answers the first N requests for its path and then lets the next fault
in the list (or the fixture file) answer; ``times=None`` answers every request. Faults:

- :class:`Status` an error status (429, 5xx, 404, 410, ...) with an optional ``Retry-After``;
- :class:`Reset` the connection is reset (TCP RST) before any response;
- :class:`Stall` nothing is sent for ``seconds`` (past the crawler's download timeout);
- :class:`Truncate` a ``Content-Length`` larger than the body sent, then the connection closes;
- :class:`CorruptGzip` ``Content-Encoding: gzip`` with a body that is not gzip;
- :class:`Big` a page of ``size`` bytes (streamed, never held in memory);
- :class:`Redirect` a redirect to ``location`` (a path, or a full URL on another host name);
- :class:`Content` any bytes with any headers and status (pages, robots.txt, sitemaps);
- :class:`Paused` a 200 body sent in parts with a silence between them (a slow sitemap); it
  records when each part was sent;
- :class:`OnceAfter` another fault, given to many paths, that answers only the first request
  arriving after the server's first ``after`` requests (whichever path it is: a fault in the
  middle of a crawl whose order is not known ahead); it records the path it answered.

Every request is logged in :attr:`FaultServer.requests` as ``(host header, path)``, in
:attr:`FaultServer.log` as ``(arrival time, path)`` and, like
the fixture server, its path in :attr:`FaultServer.hits`; :meth:`FaultServer.count` counts hits
of one path. ``srv.other_host_url`` is the same server under the host name ``localhost``: a
different site for the crawler (off-site), whose requests the log shows.

The server binds 127.0.0.1 only and every stall is bounded, so a test can never hang on it.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from crawler.devserver import FixtureHandler, FixtureServer

#: longest a :class:`Stall` may sleep (a safety bound for tests)
MAX_STALL = 30.0


class Fault:
    """Base class: ``times`` is how many requests the fault answers (``None``: all)."""

    times: int | None = None

    def respond(self, handler: FaultHandler) -> bool:
        """Answer the request; return False to let the next fault or the fixture answer."""
        raise NotImplementedError


def _send(handler: FaultHandler, status: int, body: bytes, headers: dict[str, str] | None = None, *, length: int | None = None, close: bool = False) -> None:
    handler.send_response(status)
    hdrs = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    for k, v in hdrs.items():
        handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    if close:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


@dataclass
class Status(Fault):
    status: int
    times: int | None = None
    retry_after: int | str | None = None
    body: bytes = b"<html><body><h1>Error</h1></body></html>"

    def respond(self, handler):
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        _send(handler, self.status, self.body, headers)
        return True


@dataclass
class Reset(Fault):
    times: int | None = None

    def respond(self, handler):
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        handler.connection.close()
        return True


@dataclass
class Stall(Fault):
    seconds: float = 5.0
    times: int | None = None

    def respond(self, handler):
        time.sleep(min(self.seconds, MAX_STALL))
        handler.close_connection = True
        return True


@dataclass
class Truncate(Fault):
    body: bytes = b""
    missing: int = 1000
    times: int | None = None

    def respond(self, handler):
        _send(handler, 200, self.body, length=len(self.body) + self.missing, close=True)
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
        return True


@dataclass
class CorruptGzip(Fault):
    body: bytes = b"\x1f\x8b\x08\x00 this is not gzip data at all " * 20
    times: int | None = None

    def respond(self, handler):
        _send(handler, 200, self.body, {"Content-Encoding": "gzip"})
        return True


@dataclass
class Big(Fault):
    size: int = 10 * 1024 * 1024
    times: int | None = None
    send_length: bool = True

    def respond(self, handler):
        head = b"<html><head><title>Big</title></head><body><h1>Big page</h1><p>Grade: B</p>"
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if self.send_length:
            handler.send_header("Content-Length", str(self.size))
        handler.send_header("Connection", "close")
        handler.close_connection = True
        handler.end_headers()
        chunk = b"<p>" + b"x" * 65530 + b"</p>\n"
        sent = 0
        try:
            handler.wfile.write(head)
            sent = len(head)
            while sent < self.size:
                part = chunk[: self.size - sent]
                handler.wfile.write(part)
                sent += len(part)
        except OSError:  # the client gave up (DOWNLOAD_MAXSIZE): expected
            pass
        return True


@dataclass
class Redirect(Fault):
    location: str = "/"
    status: int = 301
    times: int | None = None

    def respond(self, handler):
        _send(handler, self.status, b"", {"Location": self.location})
        return True


@dataclass
class Content(Fault):
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    status: int = 200
    times: int | None = None

    def respond(self, handler):
        body = self.body.replace(b"{{BASE}}", handler.server.base_url.encode())
        handler.send_response(self.status)
        for k, v in self.headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)
        return True


@dataclass
class Paused(Fault):
    """A 200 response whose body *parts* are sent one after the other, ``seconds`` of silence
    between them (``Content-Length`` is the whole body). ``sent`` holds the ``time.monotonic()``
    at which each part was sent (the last: the response finished sending)."""

    parts: tuple[bytes, ...] = ()
    seconds: float = 3.0
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/xml"})
    times: int | None = None
    sent: list[float] = field(default_factory=list)

    def respond(self, handler):
        handler.send_response(200)
        for k, v in self.headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(sum(map(len, self.parts))))
        handler.end_headers()
        for i, part in enumerate(self.parts):
            if i:
                time.sleep(min(self.seconds, MAX_STALL))
            handler.wfile.write(part)
            handler.wfile.flush()
            self.sent.append(time.monotonic())
        return True


@dataclass
class OnceAfter(Fault):
    """*fault* for the first request that arrives after the server's first *after* requests, on
    any path this one object is scripted for; every other request falls through. ``answered`` is
    that request's path (``None`` until then)."""

    fault: Fault
    after: int
    times: int | None = None
    answered: str | None = None

    def respond(self, handler):
        with handler.server.lock:
            if self.answered is not None or len(handler.server.log) <= self.after:
                return False
            self.answered = handler.path
        return self.fault.respond(handler)


class FaultHandler(FixtureHandler):
    """The fixture handler with the server's scripted faults in front of it."""

    def do_GET(self):  # noqa: N802
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            n = self.server.counts[path]
            self.server.counts[path] += 1
            self.server.requests.append((self.headers.get("Host", ""), self.path))
            self.server.log.append((time.monotonic(), self.path))
        used = 0
        for fault in self.server.faults.get(path, ()):
            if fault.times is None or n < used + fault.times:
                if fault.respond(self):
                    self.server.hits.append(self.path)
                    return
            used += fault.times or 0
        # No fault answered: the fixture file (the parent also logs the path in ``hits``).
        super().do_GET()

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionError, OSError):
            self.close_connection = True


class FaultServer(FixtureServer):
    """``with FaultServer(root) as srv`` serves *root* with the faults given by :meth:`script`."""

    def __init__(self, root: Path | str, port: int = 0, handler=FaultHandler):
        super().__init__(root, port, handler)
        self.port = self.server_address[1]
        self.other_host_url = f"http://localhost:{self.port}"
        self.faults: dict[str, list[Fault]] = {}
        self.counts: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []
        #: ``(time.monotonic() on arrival, path)`` of every request, in arrival order
        self.log: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    def script(self, path: str, *faults: Fault) -> str:
        """Give *path* its faults (in order); returns the full URL of *path*."""
        self.faults[path] = list(faults)
        return self.base_url + path

    def count(self, path: str) -> int:
        """How many requests asked for *path* (any host)."""
        return sum(1 for _, p in self.requests if p.split("?", 1)[0] == path)

    def hosts(self) -> set[str]:
        """The host names (without port) requests were made for."""
        return {h.rsplit(":", 1)[0] for h, _ in self.requests}


def review_html(title: str, *, grade: str = "B+", director: str = "Ana Lima", body: str | None = None, charset: str | None = "utf-8", extra_head: str = "") -> str:
    """A small review page the ``avclub`` page class reads: headline, grade line, credits and
    body paragraphs (``body=""`` gives a page with no body text)."""
    meta = f'<meta charset="{charset}">' if charset else ""
    if body is None:
        body = (
            f"{title} is a patient film about a family that keeps a lighthouse running long after the ships stopped coming.\n"
            "The director lets scenes breathe, and the cast rewards that trust with quiet, precise performances."
        )
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n") if p)
    return (
        f'<!doctype html><html lang="en"><head>{meta}<title>{title} review | The A.V. Club</title>{extra_head}</head>'
        f'<body><main><article><h1>{title}</h1>'
        f'<div class="review-grade">Grade: {grade}</div>'
        f'<ul class="credits"><li>Director: {director}</li><li>Starring: Rui Costa, Maria Vaz</li></ul>'
        f'<div class="article-body">{paras}</div></article></main></body></html>'
    )


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never sends a byte (an FTP or
    any other server that never greets). ``connections`` counts the accepted connections; each
    is closed after :data:`MAX_STALL` seconds at the latest, so a test can never hang on it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._open: list[tuple[float, socket.socket]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                self._open.append((time.monotonic(), conn))
            except OSError:
                pass
            for started, conn in list(self._open):
                if time.monotonic() - started > MAX_STALL:
                    conn.close()
                    self._open.remove((started, conn))

    def __enter__(self) -> "SilentServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        for _, conn in self._open:
            conn.close()
        self.sock.close()
