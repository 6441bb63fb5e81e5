"""HTML helpers shared by the page objects: decoding bytes, text of elements, structured data.

Nothing here imports the Scrapy engine: a page object is built from a URL and HTML alone.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Collection, Iterator
from typing import Any

from lxml import etree
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding

from crawler.extract.tags import BLOCK_TAGS, SKIP_TAGS
from crawler.normalize.text import clean_text, has_surrogates, surrogates_to_bytes

_UTF8_MULTIBYTE_RE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_SINGLE_BYTE_LATIN = {"cp1252", "latin-1", "latin_1", "iso8859-1", "iso-8859-1", "windows-1252", "ascii"}
# Biggest JSON-LD script we parse; larger ones are page junk, not article metadata.
MAX_JSONLD_CHARS = 1_000_000


_CP1252_BYTES = [bytes([i]).decode("cp1252", errors="ignore") for i in range(256)]  # "" when undefined
_HIGH_BYTE_RE = re.compile(rb"[\x80-\xff]")
_MIXED = "crawler-utf8-cp1252"


def _cp1252_for_invalid_utf8(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not valid UTF-8 are read as windows-1252."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "".join(_CP1252_BYTES[b] for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(_MIXED, _cp1252_for_invalid_utf8)


def _mostly_utf8(body: bytes) -> bool:
    """True when most non-ASCII bytes sit in well-formed UTF-8 multi-byte sequences (a UTF-8
    page with a few stray windows-1252 bytes, not a windows-1252 page)."""
    in_sequences = sum(len(m) for m in _UTF8_MULTIBYTE_RE.findall(body))
    return in_sequences * 2 >= len(_HIGH_BYTE_RE.findall(body))


def decode_html(body: bytes | str, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML document the way Scrapy does (BOM, HTTP header, ``<meta charset>``,
    then detection), correcting the two usual mislabels.

    - bytes labelled UTF-8 that are not valid UTF-8 are decoded with the page's ``<meta>``
      encoding, else as UTF-8 where they are well-formed and windows-1252 where they are not
      (a windows-1252 page, or a UTF-8 page with pasted windows-1252 bytes; no U+FFFD);
    - the same for unlabelled bytes, and for bytes labelled windows-1252 whose non-ASCII bytes
      are mostly well-formed UTF-8;
    - bytes labelled windows-1252/latin-1 that are valid UTF-8 with multi-byte sequences are
      decoded as UTF-8 (instead of mojibake such as ``â€™``).

    A ``str`` is taken as it is, unless it holds lone surrogates (text read with
    ``surrogateescape``): then it is encoded back to the bytes it came from (other lone
    surrogates as U+FFFD) and decoded as bytes.

    Returns ``(text, encoding)``. Never raises.
    """
    if isinstance(body, str):
        if not has_surrogates(body):
            return body, "unicode"
        body = surrogates_to_bytes(body)
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
            if meta_enc and meta_enc not in ("utf-8", "utf8"):
                return body.decode(meta_enc, errors="replace"), meta_enc
            # UTF-8 with stray windows-1252 bytes (or all windows-1252): each sequence by itself.
            return body.decode("utf-8", errors=_MIXED), "utf-8+cp1252"
    if declared in _SINGLE_BYTE_LATIN and _UTF8_MULTIBYTE_RE.search(body):
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            if _mostly_utf8(body):
                return body.decode("utf-8", errors=_MIXED), "utf-8+cp1252"
    if not declared:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            if _mostly_utf8(body):
                return body.decode("utf-8", errors=_MIXED), "utf-8+cp1252"
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


_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
# A start tag longer than this many characters is checked for its number of attributes.
_LONG_TAG_RE = re.compile(r"<[A-Za-z][^<>]{20000,}>")
_ATTR_RE = re.compile(r"""[^\s"'=<>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
#: most attributes kept on one tag: libxml2's parser is quadratic in a tag's attribute count
MAX_ATTRIBUTES = 1000


def _trim_tag(m: re.Match) -> str:
    tag = m.group(0)
    for i, attr in enumerate(_ATTR_RE.finditer(tag, 1)):
        if i > MAX_ATTRIBUTES:  # match 0 is the tag name: keep it and MAX_ATTRIBUTES attributes
            return tag[: attr.start()].rstrip() + ">"
    return tag


def limit_markup(text: str) -> str:
    """*text* with hostile markup defused before parsing: a start tag with more than
    :data:`MAX_ATTRIBUTES` attributes keeps only the first ones (lxml takes quadratic time on
    such tags; no real page has them). Linear time; other text is returned unchanged."""
    if len(text) < 20000:
        return text
    # Such a tag holds a run of 20,000 characters without "<" or ">", and so one of the aligned
    # 10,000-character blocks (the scans are ~20x cheaper than the regex).
    # The regex runs only when that run is a tag's (a script or a style is a long run too).
    step, k, n = 10000, 0, len(text)
    while k + step <= n:
        if text.find("<", k, k + step) >= 0 or text.find(">", k, k + step) >= 0:
            k += step
            continue
        # the run around the block: from the last mark before it to the first one after it
        start = max(text.rfind("<", 0, k), text.rfind(">", 0, k))
        ends = [e for e in (text.find("<", k + step), text.find(">", k + step)) if e >= 0]
        end = min(ends) if ends else n
        if (start >= 0 and text[start] == "<" and end < n and text[end] == ">"
                and text[start + 1:start + 2] in _ASCII_LETTERS and end - start - 2 >= 20000):
            return _LONG_TAG_RE.sub(_trim_tag, text)
        k = (end // step + 1) * step  # (the next run starts after this one's end)
    return text


def iter_text(
    el: etree._Element, *, skip=SKIP_TAGS, blocks=BLOCK_TAGS, stop: etree._Element | None = None, img_alt: bool = False,
    exclude: Collection[etree._Element] = (),
) -> Iterator[str]:
    """Yield the text of *el* in document order; ``<br>`` and block boundaries yield ``"\\n"``.

    *stop*: end at this element (a skipped tag that holds it is entered, not skipped).
    *img_alt*: an image's ``alt`` text counts as a line of text.
    *exclude*: elements skipped with their content, like a *skip* tag.
    Iterative (no recursion), so arbitrarily deep markup cannot exhaust the stack.
    """
    skipping = 0
    # a skipped tag is entered when it holds *stop*: when it is one of stop's ancestors
    holds_stop = frozenset(stop.iterancestors()) if stop is not None else frozenset()
    for event, node in etree.iterwalk(el, events=("start", "end", "comment", "pi")):
        tag = node.tag if isinstance(node.tag, str) else ""
        if event == "comment" or event == "pi":  # only its tail is text (``a<!-- -->b``)
            if not skipping and node is not el and node.tail:
                yield node.tail
            continue
        if event == "start":
            if node is stop:
                return
            if skipping or not tag or ((tag in skip or node in exclude) and node not in holds_stop):
                skipping += 1
                continue
            if tag == "br" or tag in blocks:
                yield "\n"
            if img_alt and tag == "img" and node.get("alt"):
                yield "\n" + node.get("alt") + "\n"
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


_LINE_TAGS = tuple(SKIP_TAGS | BLOCK_TAGS | {"br"})


def node_text(el: etree._Element) -> str:
    """The text of *el* and its descendants, its text nodes alone, without its tail (XPath's
    ``string()``, ``HtmlElement.text_content()``: libxml2's node content, in one call; 3x cheaper
    than an XPath call)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


#: an attribute name lxml's XPath can spell (an NCName without ``.``)
_XPATH_NAME_RE = re.compile(r"[_a-zA-Z][_a-zA-Z0-9-]*")
_ATTRIBUTE_SEARCHES: dict[str, etree.XPath] = {}


def attribute_search(name: str) -> etree.XPath | None:
    """The compiled ``descendant-or-self::*/@name``: a subtree's attributes *name* (its root's
    included), in document order, each with ``getparent()`` its element. lxml's attribute axis
    runs in C, 4x cheaper than a ``*[@name]`` predicate and 5x cheaper than a Python pass over
    the elements. None for a name XPath cannot spell. At most 256 names are kept compiled; a
    name past those is compiled for the call."""
    found = _ATTRIBUTE_SEARCHES.get(name)
    if found is None and _XPATH_NAME_RE.fullmatch(name):
        found = etree.XPath(f"descendant-or-self::*/@{name}")
        if len(_ATTRIBUTE_SEARCHES) < 256:
            _ATTRIBUTE_SEARCHES[name] = found
    return found


def element_text(el: etree._Element) -> str:
    """Text of an element with line breaks for ``<br>`` and block elements (not cleaned):
    ``"".join(iter_text(el))``. An element with no skipped, block or ``<br>`` element inside (a
    headline, a link, a byline) is read by lxml in one call."""
    tag = el.tag
    if not isinstance(tag, str) or tag in SKIP_TAGS:
        return "".join(iter_text(el))
    if next(el.iterdescendants(*_LINE_TAGS), None) is not None:
        return "".join(iter_text(el))
    text = node_text(el)
    return f"\n{text}\n" if tag in BLOCK_TAGS else ("\n" + text if tag == "br" else text)


def has_text(el: etree._Element) -> bool:
    """Whether ``clean_text(element_text(el))`` is not empty, read only up to the first piece of
    text that is not empty cleaned (the first paragraph of a body, not the whole body): cleaning
    drops characters one at a time and keeps the others or turns them into spaces, so a text is
    empty cleaned exactly when every piece of it is."""
    return any(clean_text(piece) for piece in iter_text(el))


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


def jsonld_scripts(root) -> list[str]:
    """The text of every ``<script type="application/ld+json">`` (XPath
    ``//script[@type="application/ld+json"]/text()``, by lxml's tag filter)."""
    return [el.text for el in root.iter("script") if el.get("type") == "application/ld+json" and el.text is not None]


def title_text(root) -> str | None:
    """The first ``<title>``'s text (XPath ``//title/text()``, first)."""
    return next((el.text for el in root.iter("title") if el.text is not None), None)


_XML_SPACE_RE = re.compile(r"[ \t\n\r]+")


def attr_tokens(value: str | None) -> list[str]:
    """An attribute's whitespace-separated tokens (``class``, ``rel``) as XPath's
    ``normalize-space`` and CSS's ``~=`` split them: on ASCII space, tab, CR and LF only."""
    if not value:
        return []
    if "\t" in value or "\n" in value or "\r" in value:
        return [t for t in _XML_SPACE_RE.split(value) if t]
    if " " not in value:
        return [value]
    return [t for t in value.split(" ") if t]


def canonical_href(root) -> str | None:
    """The first ``<link rel="canonical">``'s ``href`` (``rel`` read as tokens)."""
    for el in root.iter("link"):
        href = el.get("href")
        if href is not None and "canonical" in attr_tokens(el.get("rel")):
            return href
    return None


def dating_times(root, *, with_datetime: bool) -> list:
    """The ``<time>`` elements that date an article, in document order, with (or without) a
    ``datetime`` attribute: inside an ``<article>``, marked ``itemprop="datePublished"``
    (or, with one, a class naming ``publish``), or inside a byline or dateline element."""
    out = []
    for el in root.iter("time"):
        if (el.get("datetime") is not None) != with_datetime:
            continue
        if (
            el.get("itemprop") == "datePublished"
            or (with_datetime and "publish" in (el.get("class") or ""))
            or next(el.iterancestors("article"), None) is not None
            or any("byline" in (a.get("class") or "") or "dateline" in (a.get("class") or "") for a in el.iterancestors())
        ):
            out.append(el)
    return out


_XML_DECLARATION_RE = re.compile(r"[\s\ufeff]*<\?xml\s")


def parse_html(text: str, base_url: str, body: bytes | None = None):
    """The page's lxml tree, as parsel would parse it (``parsel.Selector(text=...).root``).
    When *body* is the UTF-8 encoding of *text* (the usual case), lxml parses the bytes as they
    are: the same tree as parsing *text*, without copying and re-encoding the whole document
    (about 0.4 ms on a 100 KB page).

    An HTML document is parsed with lxml's plain ``etree.HTMLParser``: the same tree as
    parsel's (``lxml.html.HTMLParser``), without ``lxml.html``'s Python element-class lookup,
    which runs for every element the extraction touches (5x cheaper tree walks). A document
    that is not HTML to parsel (an XML declaration, a JSON body) takes parsel's own path."""
    import parsel
    from parsel.selector import create_root_node

    if body and b"\x00" not in body:  # (parsel refuses an empty body)
        try:
            same = body.decode("utf-8") == text
        except UnicodeDecodeError:
            same = False
        # parsel strips the text (any Unicode space) and bytes (ASCII spaces): same ends only
        if same and ascii_space_ends(text):
            if _plain_html(text):
                return create_root_node("", etree.HTMLParser, base_url=base_url, body=body, encoding="utf-8")
            return parsel.Selector(body=body, encoding="utf-8", base_url=base_url).root
    text = text or "<html></html>"
    if _plain_html(text):
        return create_root_node(text, etree.HTMLParser, base_url=base_url)
    return parsel.Selector(text=text, base_url=base_url).root


_ASCII_SPACES = " \t\n\r\x0b\x0c"


def ascii_space_ends(text: str) -> bool:
    """Whether ``text.strip()`` strips what ``text.strip(" \\t\\n\\r\\x0b\\x0c")`` strips (the
    whitespace at its ends is ASCII), read from its first and last 256 characters when its
    ends hold other text (no copy of a whole page)."""
    if len(text) > 512:
        head, tail = text[:256], text[-256:]
        if head.strip(_ASCII_SPACES) and tail.strip(_ASCII_SPACES):  # (each end's spaces lie within)
            return (len(head.lstrip()) == len(head.lstrip(_ASCII_SPACES))
                    and len(tail.rstrip()) == len(tail.rstrip(_ASCII_SPACES)))
    return len(text.strip()) == len(text.strip(_ASCII_SPACES))


def _plain_html(text: str) -> bool:
    """Whether parsel reads *text* as HTML: it starts with markup (not JSON) and no XML declaration."""
    return text.lstrip()[:1] == "<" and _XML_DECLARATION_RE.match(text[:256]) is None
