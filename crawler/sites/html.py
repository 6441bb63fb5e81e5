"""HTML helpers shared by the page objects: decoding bytes, text of elements, structured data.

Nothing here imports the Scrapy engine: a page object is built from a URL and HTML alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding

# Tags whose text is never page text.
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "head", "select", "button"})
# Tags that break a line when text is read out of an element.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul",
    }
)
_UTF8_MULTIBYTE_RE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_SINGLE_BYTE_LATIN = {"cp1252", "latin-1", "latin_1", "iso8859-1", "iso-8859-1", "windows-1252", "ascii"}
# Biggest JSON-LD script we parse; larger ones are page junk, not article metadata.
MAX_JSONLD_CHARS = 1_000_000


def decode_html(body: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML document the way Scrapy does (BOM, HTTP header, ``<meta charset>``,
    then detection), correcting the two usual mislabels.

    - bytes labelled UTF-8 that are not valid UTF-8 are decoded with the page's ``<meta>``
      encoding, else windows-1252 (instead of U+FFFD replacement characters);
    - bytes labelled windows-1252/latin-1 that are valid UTF-8 with multi-byte sequences are
      decoded as UTF-8 (instead of mojibake such as ``â€™``).

    Returns ``(text, encoding)``. Never raises.
    """
    if isinstance(body, str):
        return body, "unicode"
    body = body or b""
    header_enc = http_content_type_encoding(content_type) if content_type else None
    if body[:3] == b"\xef\xbb\xbf" or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        enc, text = html_to_unicode(None, body)
        return text, enc
    declared = header_enc or html_body_declared_encoding(body)
    if declared in ("utf-8", "utf8"):
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            meta_enc = html_body_declared_encoding(body)
            fallback = meta_enc if meta_enc and meta_enc not in ("utf-8", "utf8") else "cp1252"
            return body.decode(fallback, errors="replace"), fallback
    if declared in _SINGLE_BYTE_LATIN and _UTF8_MULTIBYTE_RE.search(body):
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    enc, text = html_to_unicode(
        f"text/html; charset={header_enc}" if header_enc else None, body, auto_detect_fun=_detect_encoding
    )
    return text, enc


def _detect_encoding(body: bytes) -> str:
    """Undeclared encoding: UTF-8 when the bytes are valid UTF-8, else windows-1252."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def iter_text(el: etree._Element, *, skip=SKIP_TAGS, blocks=BLOCK_TAGS) -> Iterator[str]:
    """Yield the text of *el* in document order; ``<br>`` and block boundaries yield ``"\\n"``.

    Iterative (no recursion), so arbitrarily deep markup cannot exhaust the stack.
    """
    skipping = 0
    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "start":
            if skipping or tag in skip or not tag:
                skipping += 1
                continue
            if tag == "br" or tag in blocks:
                yield "\n"
            if node.text:
                yield node.text
        else:
            if skipping:
                skipping -= 1
                if skipping == 0 and node is not el and node.tail:
                    yield node.tail
                continue
            if tag in blocks:
                yield "\n"
            if node is not el and node.tail:
                yield node.tail


def element_text(el: etree._Element) -> str:
    """Text of an element with line breaks for ``<br>`` and block elements (not cleaned)."""
    return "".join(iter_text(el))


def _walk_jsonld(node: Any, out: list[dict], depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(node, list):
        for x in node[:200]:
            _walk_jsonld(x, out, depth + 1)
    elif isinstance(node, dict):
        if "@graph" in node:
            _walk_jsonld(node["@graph"], out, depth + 1)
        if "@type" in node:
            out.append(node)


def parse_jsonld(scripts: list[str]) -> tuple[list[dict], int]:
    """Parse JSON-LD script bodies into a flat list of typed nodes (``@graph`` and arrays
    unwrapped). Returns ``(nodes, errors)``; invalid or oversized scripts count as errors."""
    nodes: list[dict] = []
    errors = 0
    for raw in scripts:
        if not raw or not raw.strip():
            continue
        if len(raw) > MAX_JSONLD_CHARS:
            errors += 1
            continue
        try:
            data = json.loads(raw.strip().removeprefix("<!--").removesuffix("-->"), strict=False)
        except (ValueError, RecursionError):
            errors += 1
            continue
        _walk_jsonld(data, nodes)
    return nodes, errors


def jsonld_types(node: dict) -> set[str]:
    """The ``@type`` of a JSON-LD node as a set of plain names (``schema:Review`` -> ``Review``)."""
    t = node.get("@type")
    types = t if isinstance(t, list) else [t]
    return {str(x).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for x in types if isinstance(x, str)}


def jsonld_names(value: Any) -> list[str]:
    """Names out of a JSON-LD person/organization value: a string, an object with ``name``,
    or a list of either."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:100]:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, str):
                names.append(name)
            elif isinstance(name, list):
                names.extend(n for n in name if isinstance(n, str))
    return names
