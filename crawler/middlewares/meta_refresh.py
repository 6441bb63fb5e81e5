"""Meta refresh redirects without decoding every page in the crawl process.

Scrapy's ``MetaRefreshMiddleware`` looks for ``<meta http-equiv="refresh">`` in
``response.text[0:4096]`` of every HTML response: that decodes the whole body (an 83 KB page:
about 0.2 ms of the reactor thread, and the decoded copy stays on the response) although the
page is read from its bytes by the extraction worker. :func:`may_declare_refresh` rules a
refresh out from the bytes; only a page it cannot rule out goes through Scrapy's middleware,
which decides as it always did.

A refresh needs the letters ``refresh`` in the ``http-equiv`` attribute (Scrapy's reading,
w3lib's ``get_meta_refresh``, matches them as written, in any case, before entities are
replaced). So when Scrapy would decode the page with an encoding that writes ASCII as ASCII and
only as ASCII, the first 4,096 characters cannot hold a refresh when the first
:data:`PREFIX_BYTES` bytes do not hold ``refresh`` in any case. The encoding is found as
Scrapy's ``TextResponse.encoding`` finds it: a byte order mark, the ``Content-Type`` charset,
the ``<meta>`` charset, else the bytes are ASCII or UTF-8, else Scrapy guesses
(charset-normalizer), and the page is left to it. Encodings that do not write ASCII as ASCII,
or not only as ASCII, are left to Scrapy too: UTF-16/32, the EBCDIC code pages, UTF-7, the
ISO-2022 and HZ shifting encodings.

Settings: Scrapy's ``METAREFRESH_ENABLED``, ``METAREFRESH_IGNORE_TAGS``, ``METAREFRESH_MAXDELAY``
(read by Scrapy's middleware, which this one extends; ``crawler/settings.py`` puts this one in
its place).
"""

from __future__ import annotations

import codecs

from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware,
)
from scrapy.http import HtmlResponse, Request, Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

#: Scrapy reads 4,096 characters; no ASCII-compatible encoding takes more than 4 bytes for one
#: (and a byte order mark may come first)
PREFIX_BYTES = 4 * 4096 + 4
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


#: encodings that write ASCII as ASCII but can also spell it otherwise (UTF-7's base64 runs) or
#: switch to a mode where ASCII bytes mean other characters
_SHIFTING = ("utf-7", "hz", "iso2022")


def _writes_ascii(encoding: str) -> bool:
    """Whether *encoding* (a charset label) writes ASCII as ASCII, and ASCII only as ASCII."""
    try:
        name = codecs.lookup(encoding).name
        return not name.startswith(_SHIFTING) and "refresh <meta".encode(name) == b"refresh <meta"
    except (LookupError, UnicodeError, ValueError):
        return False


def may_declare_refresh(body: bytes, content_type: bytes | str | None = None) -> bool:
    """Whether the first 4,096 characters of the HTML document *body* (served with the
    ``Content-Type`` *content_type*) may hold a meta refresh: False only when its first
    :data:`PREFIX_BYTES` bytes hold no ``refresh`` (any case) and Scrapy would decode it in an
    encoding that writes ASCII as ASCII (see the module docstring). Never raises."""
    body = bytes(body or b"")
    head = body[:PREFIX_BYTES]
    if b"refresh" in head.lower():  # (bytes.lower() is ASCII only; 8x faster than a regex ignoring case)
        return True
    if head.startswith(codecs.BOM_UTF8):
        return False
    if head.startswith(_WIDE_BOMS) or b"\x00" in head:
        return True
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    declared = (http_content_type_encoding(content_type) if content_type else None) or html_body_declared_encoding(body)
    if declared:
        return not _writes_ascii(declared)
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True  # Scrapy guesses the encoding
    return False


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Downloader middleware: Scrapy's meta refresh redirects, for the HTML responses that
    :func:`may_declare_refresh` does not rule out (see the module docstring)."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if isinstance(response, HtmlResponse) and not may_declare_refresh(response.body, response.headers.get(b"Content-Type")):
            return response
        return super().process_response(request, response)
