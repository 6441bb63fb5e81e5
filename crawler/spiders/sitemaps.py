"""Sitemaps read as a stream: the XML parser, and the reader of a sitemap download.

:class:`SitemapParser` takes a sitemap's bytes in pieces of any size and gives each
``<url>``/``<sitemap>`` entry as ``{"loc", "lastmod"}`` once its end tag is read, then frees it
(lxml's pull parser: entities never resolved, no network, no DTD, no huge text nodes), so a
50,000-entry sitemap never becomes a tree in memory; the entries do not depend on where the
pieces are cut. :class:`SitemapEntries` reads a whole body with it (the sitemap callback).

:class:`SitemapStream` reads one sitemap *download* with it as its bytes arrive (Scrapy's
``bytes_received`` signal, before any downloader middleware): ``Content-Encoding: gzip`` and a
gzip file (``.xml.gz``) are decompressed on the way, each at most *max_size* bytes (the
protocol's 50 MB), the body must start with ``<`` like the callback wants it. Whatever it cannot
read the same way as the callback (another content encoding, a broken gzip, a body too large,
not a sitemap) stops it (``live`` False): the callback then reads the body itself.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

GZIP_MAGIC = b"\x1f\x8b\x08"
#: pieces a whole body is parsed in (lxml's ``iterparse`` reads 32 KB at a time too)
PIECE = 32 * 1024
_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
                   "remove_comments": True, "remove_pis": True, "recover": True}


class SitemapParser:
    """A sitemap parsed from pieces (:meth:`feed`, then :meth:`close`), each call returning the
    entries completed by it. ``kind`` is ``urlset`` or ``sitemapindex`` once the root element is
    read; ``invalid`` is set when the document has no root or another one; ``error`` when the
    XML breaks off after the root (the entries before it were given; nothing after)."""

    def __init__(self) -> None:
        self._parser = etree.XMLPullParser(events=("start", "end"), **_PARSER_OPTIONS)
        self._root = None
        self._entry_tag = ""
        self.kind: str | None = None
        self.invalid = False
        self.error: str | None = None

    def feed(self, data: bytes) -> list[dict[str, str]]:
        return self._push(self._parser.feed, data)

    def close(self) -> list[dict[str, str]]:
        entries = self._push(self._parser.close)
        if self._root is None:
            self.invalid = True
        return entries

    def _push(self, step, *args) -> list[dict[str, str]]:
        if self.invalid or self.error:
            return []
        try:
            step(*args)
        except etree.XMLSyntaxError as exc:
            entries = self._entries()
            if self._root is None:
                self.invalid = True
            elif not self.error:
                self.error = str(exc)[:200]
            return entries
        return self._entries()

    def _entries(self) -> list[dict[str, str]]:
        entries: list[dict[str, str]] = []
        try:
            for event, el in self._parser.read_events():
                root = self._root
                if root is None:
                    self._root = el
                    kind = etree.QName(el).localname.lower() if isinstance(el.tag, str) else None
                    if kind not in ("urlset", "sitemapindex"):
                        self.invalid = True
                        return entries
                    self.kind, self._entry_tag = kind, ("url" if kind == "urlset" else "sitemap")
                    continue
                if event != "end" or el.getparent() is not root:
                    continue
                if isinstance(el.tag, str) and etree.QName(el).localname == self._entry_tag:
                    entry = {}
                    for child in el:
                        if isinstance(child.tag, str) and child.text:
                            name = etree.QName(child).localname
                            if name in ("loc", "lastmod"):
                                entry[name] = child.text.strip()
                    entries.append(entry)
                el.clear()
                while el.getprevious() is not None:
                    del root[0]
        except etree.XMLSyntaxError as exc:
            self.error = str(exc)[:200]
        return entries


class SitemapEntries:
    """The entries of a whole sitemap *body*, parsed as they are iterated (:class:`SitemapParser`
    fed :data:`PIECE` bytes at a time). ``kind`` is None when the body is not a sitemap;
    ``error`` is set once iteration stopped at broken XML."""

    def __init__(self, body: bytes) -> None:
        self._body, self._pos = body, 0
        self._parser = SitemapParser()
        self._ready: deque[dict[str, str]] = deque()
        while self._parser.kind is None and not self._parser.invalid:
            self._more()

    @property
    def kind(self) -> str | None:
        return None if self._parser.invalid else self._parser.kind

    @property
    def error(self) -> str | None:
        return self._parser.error

    def _more(self) -> bool:
        if self._body is None:
            return False
        if self._pos < len(self._body):
            self._ready.extend(self._parser.feed(self._body[self._pos:self._pos + PIECE]))
            self._pos += PIECE
        else:
            self._ready.extend(self._parser.close())
            self._body = None  # the parser holds what it still needs
        return True

    def __iter__(self) -> Iterator[dict[str, str]]:
        while self._ready or self._more():
            while self._ready:
                yield self._ready.popleft()


class StreamStopped(Exception):
    """The stream cannot read on the way the callback will (the message says why)."""


class _Gunzip:
    """A gzip stream decompressed as it arrives, at most *max_size* bytes out, in pieces of at
    most :data:`PIECE` bytes (a gzip bomb never expands in memory). One member only: anything
    after it stops the stream (the callback's ``gunzip`` reads on)."""

    def __init__(self, max_size: int) -> None:
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._max, self._out = max_size, 0

    def decompress(self, data: bytes) -> Iterator[bytes]:
        z, pending = self._z, False
        while data or (pending and not z.eof):
            if z.eof:
                raise StreamStopped("data after the gzip stream")
            try:
                piece = z.decompress(data, PIECE)
            except zlib.error as exc:
                raise StreamStopped(f"broken gzip ({exc})") from None
            self._out += len(piece)
            if self._max and self._out > self._max:
                raise StreamStopped(f"larger than {self._max} bytes uncompressed")
            data, pending = z.unconsumed_tail, len(piece) == PIECE  # zlib may hold more output
            if z.eof and z.unused_data:
                raise StreamStopped("data after the gzip stream")
            if piece:
                yield piece

    def complete(self) -> bool:
        return self._z.eof


@dataclass
class SitemapRead:
    """Where the reading of one sitemap stands: ``done`` entries (with a ``loc``) handled, by the
    stream or an earlier attempt of the same request; ``index`` entries met by this parse."""

    url: str
    depth: int
    kind: str | None = None
    done: int = 0
    index: int = 0

    def take(self, entry: dict[str, str]) -> bool:
        """Whether *entry* is one to handle now: it has a ``loc`` and was not handled before."""
        if not entry.get("loc"):
            return False
        self.index += 1
        return self.index > self.done


class SitemapStream:
    """One sitemap download read as its bytes arrive (see the module docstring); *headers*: the
    response's. :meth:`for_headers` gives None for a ``Content-Encoding`` other than gzip (the
    callback alone reads that body)."""

    def __init__(self, read: SitemapRead, headers, gunzip_body: bool, max_size: int) -> None:
        self.read = read
        self.headers = headers
        self.parser = SitemapParser()
        self.live = True
        self.stopped = ""  # why it stopped
        self.decoded = 0  # bytes after the Content-Encoding: the length of the callback's body
        self._max = max_size
        self._encoded = _Gunzip(max_size) if gunzip_body else None
        self._magic: bytes | None = b""  # the first bytes, until they tell whether it is a gzip file
        self._gzip_file: _Gunzip | None = None
        self._started = False  # the first byte that is not blank was read (and was "<")

    @classmethod
    def for_headers(cls, read: SitemapRead, headers, max_size: int) -> SitemapStream | None:
        encodings = [e.strip().lower() for value in headers.getlist(b"Content-Encoding") for e in value.split(b",")]
        if encodings not in ([], [b"gzip"], [b"x-gzip"]):
            return None
        return cls(read, headers, bool(encodings), max_size)

    def stop(self, reason: str) -> None:
        self.live, self.stopped = False, reason

    def feed(self, data: bytes) -> list[dict[str, str]]:
        """The entries completed by *data* (bytes as received); the stream stops on trouble."""
        entries: list[dict[str, str]] = []
        try:
            for piece in self._encoded.decompress(data) if self._encoded is not None else (data,):
                self.decoded += len(piece)
                entries += self._parse(piece)
        except StreamStopped as exc:
            self.stop(str(exc))
        return entries

    def finish(self) -> list[dict[str, str]] | None:
        """The last entries once the download is complete, or None when the stream cannot end
        the reading the way the callback would (which then reads the whole body)."""
        if self.live and (self._encoded is not None and not self._encoded.complete()
                          or self._gzip_file is not None and not self._gzip_file.complete()):
            self.stop("gzip stream cut short")
        if self.live and not (self._magic is None and self._started and self.parser.kind):
            self.stop("the start of the sitemap is missing")
        return self.parser.close() if self.live else None

    def _parse(self, piece: bytes) -> list[dict[str, str]]:
        if self._magic is not None:  # the callback gunzips a body that starts with the gzip magic number
            self._magic += piece
            if len(self._magic) < len(GZIP_MAGIC):
                return []
            piece, self._magic = self._magic, None
            if piece.startswith(GZIP_MAGIC):
                self._gzip_file = _Gunzip(self._max)
        if self._gzip_file is not None:
            return [entry for p in self._gzip_file.decompress(piece) for entry in self._parse_xml(p)]
        return self._parse_xml(piece)

    def _parse_xml(self, piece: bytes) -> list[dict[str, str]]:
        if not self._started:  # ... and wants it to start with "<"
            start = piece.lstrip()[:1]
            if start and start != b"<":
                raise StreamStopped("not XML")
            self._started = bool(start)
        entries = self.parser.feed(piece)
        if self.parser.invalid:
            raise StreamStopped("not a sitemap")
        self.read.kind = self.parser.kind
        return entries
