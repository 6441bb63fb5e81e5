"""Plain-text cleaning shared by every field (pure functions, no Scrapy).

* :func:`clean_text` turns one run of text into a single clean line: NFC, no zero-width
  characters, soft hyphens, byte-order marks or control characters, every Unicode space
  (non-breaking, thin, ideographic, ...) as an ASCII space, whitespace collapsed, stripped.
* :func:`clean_body` turns paragraphs into the record's ``body``: each paragraph cleaned,
  empty ones dropped, joined by exactly one blank line (``"\\n\\n"``).
* :func:`html_to_text` turns an HTML fragment into text, ``<br>`` and block elements as line
  breaks, entities decoded. It never raises.

Typographic punctuation (curly quotes, dashes, ellipses) is kept as written.
"""

from __future__ import annotations

import html
import re
import unicodedata

from .guard import never_raises

__all__ = ["clean_text", "clean_body", "html_to_text", "looks_like_html", "text_lines", "has_surrogates", "surrogates_to_bytes"]

# Invisible characters removed outright: zero-width space/non-joiner/joiner, LRM/RLM,
# word joiner and invisible operators, BOM / ZWNBSP, soft hyphen, Mongolian vowel separator,
# bidi embeddings and isolates, lone surrogates, and C0/C1 controls except whitespace.
_INVISIBLE_RE = re.compile(
    "[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]"
)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Surrogates a ``surrogateescape`` reader makes of bytes that are not UTF-8 (0x80-0xFF); any
# other lone surrogate stands for nothing.
_NOT_ESCAPE_RE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def has_surrogates(text: str) -> bool:
    """Whether *text* holds a lone surrogate (it cannot be encoded as UTF-8)."""
    return _SURROGATE_RE.search(text) is not None


def surrogates_to_bytes(text: str) -> bytes:
    """*text* as UTF-8 bytes, the surrogates of ``surrogateescape`` (U+DC80-U+DCFF) back as the
    bytes they were and any other lone surrogate as U+FFFD. Never raises."""
    return _NOT_ESCAPE_RE.sub("\ufffd", text).encode("utf-8", "surrogateescape")


# Every Unicode space separator that is not an ASCII space, plus tabs and odd line breaks
# (clean_text works on one line).
_SPACES_RE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_WS_RE = re.compile(r"\s+")
# The ASCII characters _INVISIBLE_RE removes (clean_text's fast path for ASCII text).
_ASCII_DROP_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f]")
# A blank line: a newline, optional horizontal whitespace, another newline (paragraph break).
_PARA_SPLIT_RE = re.compile(r"\n[^\S\n]*\n\s*|\u2029")
_NEWLINES_RE = re.compile(r"\r\n?|[\u2028\x85\x0b\x0c]")
_MANY_BLANKS_RE = re.compile(r"\n{3,}")


def _unify_newlines(s: str) -> str:
    """``\r\n``, ``\r`` and the other line separators as ``\n`` (the regex runs only when one
    is there: the scans for them are much cheaper than the regex on most text)."""
    if "\r" in s or "\u2028" in s or "\x85" in s or "\x0b" in s or "\x0c" in s:
        return _NEWLINES_RE.sub("\n", s)
    return s

# Heuristics deciding whether a string is HTML (has a tag) or has character references.
_TAG_RE = re.compile(r"<(?:/?[a-zA-Z][a-zA-Z0-9:-]{0,30}[\s/>]|!--)")
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?")

# Elements rendered as a paragraph break (blank line) or a line break.
_PARA_TAGS = frozenset(
    "p blockquote h1 h2 h3 h4 h5 h6 pre table ul ol dl figure section article aside header "
    "footer address hr main nav details summary".split()
)
_LINE_TAGS = frozenset(
    "br div li dt dd tr th td caption figcaption option legend fieldset form label center".split()
)
_BREAKS = {**{t: 1 for t in _LINE_TAGS}, **{t: 2 for t in _PARA_TAGS}}
_SKIP_TAGS = frozenset("script style noscript template head title iframe object svg math select".split())
_FALLBACK_BLOCK_RE = re.compile(
    r"<\s*(?:br|/?(?:p|div|li|dt|dd|tr|h[1-6]|blockquote|ul|ol|dl|table|section|article|figure|figcaption|hr))\b[^<>]{0,2000}>",
    re.IGNORECASE,
)
_FALLBACK_SKIP_OPEN_RE = re.compile(r"<(script|style|noscript|template)\b", re.IGNORECASE)
_FALLBACK_TAG_RE = re.compile(r"<[^<>]{0,2000}>")


def _strip_invisible(s: str) -> str:
    """Remove invisible/control characters and map Unicode spaces to ASCII spaces."""
    s = _INVISIBLE_RE.sub("", s)
    return _SPACES_RE.sub(" ", s)


def _nfc(s: str) -> str:
    """NFC-normalize, never raising (lone surrogates are already removed)."""
    try:
        return unicodedata.normalize("NFC", s)
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return s


def _to_str(s: object) -> str:
    """Coerce *s* to ``str``: bytes are decoded as UTF-8 (invalid bytes replaced), None is ``""``."""
    if s is None:
        return ""
    if isinstance(s, str):
        return s
    if isinstance(s, (bytes, bytearray, memoryview)):
        return bytes(s).decode("utf-8", errors="replace")
    return str(s)


def is_clean_line(s: str) -> bool:
    """Whether :func:`clean_text` returns *s* (a ``str``) unchanged, at the cost of a few scans.

    Every character clean_text removes or rewrites is unprintable for ``str.isprintable`` (C0
    and C1 controls, format characters, surrogates, line and paragraph separators, every
    whitespace character but the ASCII space: categories ``Cc Cf Cs Zl Zp Zs``); so a printable
    string with no double space, no space at either end and in NFC is clean already
    (``tests/unit/normalize/test_text.py`` holds both facts over every code point)."""
    return (s.isprintable() and "  " not in s and s[0] != " " and s[-1] != " "
            and (s.isascii() or unicodedata.is_normalized("NFC", s)))


def clean_text(s: object) -> str:
    """Return *s* as one clean line of plain text.

    NFC-normalized; zero-width characters, soft hyphens, BOMs and control characters removed;
    non-breaking and other Unicode spaces turned into ASCII spaces; all whitespace (including
    newlines) collapsed to single spaces; stripped. HTML is *not* interpreted (see
    :func:`html_to_text`). ``None`` gives ``""``; bytes are decoded as UTF-8. Never raises.

    >>> clean_text("  Jane\\u00a0Doe\\u200b \\n and  more ")
    'Jane Doe and more'
    """
    s = _to_str(s)
    if not s:
        return ""
    if is_clean_line(s):  # already clean (text the extractors made, cleaned again): unchanged
        return s
    return _clean_line(s)


def _clean_line(s: str) -> str:
    """:func:`clean_text` of a non-empty ``str``, every step done."""
    if s.isascii():  # fast path (most text): only C0 controls and DEL can need removing
        if _ASCII_DROP_RE.search(s):
            s = _ASCII_DROP_RE.sub("", s)
        return " ".join(s.split())
    s = _nfc(_strip_invisible(s))
    # str.split() and the regex \s agree on what whitespace is; split/join is ~4x faster
    return " ".join(s.split())


def text_lines(s: object) -> list[str]:
    """Split *s* into cleaned, non-empty lines (each line as :func:`clean_text` makes it)."""
    s = _unify_newlines(_to_str(s)).replace("\u2029", "\n")
    out = []
    for line in s.split("\n"):
        line = clean_text(line)
        if line:
            out.append(line)
    return out


def body_word_count(body: str | None) -> int:
    """``len(body.split())`` of a body :func:`clean_body` made, without splitting it: its
    paragraphs are clean lines (words joined by single ASCII spaces: every other whitespace
    character is unprintable, so cleaning turns it into one) joined by ``"\\n\\n"``."""
    return body.count(" ") + body.count("\n\n") + 1 if body else 0


def clean_body(paragraphs: object) -> str | None:
    """Return the record's ``body`` from *paragraphs*, or None when no text is left.

    *paragraphs* is a list of paragraph strings or one string; a string is split into
    paragraphs on blank lines (single newlines inside a paragraph become spaces). Each
    paragraph is cleaned with :func:`clean_text`, empty ones are dropped, and the rest are
    joined by exactly one blank line (``"\\n\\n"``). Never raises.

    >>> clean_body(["First  paragraph.", "", " Second\\u00a0one. "])
    'First paragraph.\\n\\nSecond one.'
    """
    if paragraphs is None:
        return None
    if isinstance(paragraphs, (str, bytes, bytearray, memoryview)):
        s = _unify_newlines(_to_str(paragraphs))
        # Paragraphs joined by blank lines and no other newline (a body as the crawl writes it):
        # str.split gives the regex's paragraphs, up to whitespace that cleaning drops.
        parts: list = s.split("\n\n")
        if "\u2029" in s or any("\n" in p for p in parts):
            parts = _PARA_SPLIT_RE.split(s)
    else:
        try:
            parts = list(paragraphs)  # type: ignore[call-overload]
        except TypeError:
            return None
    cleaned = []
    for p in parts:
        if p is None:
            continue
        p = clean_text(p)
        if p:
            cleaned.append(p)
    return "\n\n".join(cleaned) if cleaned else None


def looks_like_html(s: str) -> bool:
    """True when *s* contains an HTML tag or a character reference (``&amp;``, ``&#8211;``)."""
    if "<" not in s and "&" not in s:
        return False
    return bool(_TAG_RE.search(s) or _ENTITY_RE.search(s))


def _finish(raw: str) -> str:
    """Clean text assembled from HTML: per-line cleaning, at most one blank line in a row."""
    raw = _unify_newlines(raw)
    lines = [clean_text(line) for line in raw.split("\n")]
    text = "\n".join(lines)
    text = _MANY_BLANKS_RE.sub("\n\n", text)
    return text.strip()


def _drop_between(s: str, start: str, end: str) -> str:
    """Remove every ``start ... end`` span from *s* (an unclosed span runs to the end)."""
    out = []
    pos = 0
    while True:
        i = s.find(start, pos)
        if i < 0:
            out.append(s[pos:])
            break
        out.append(s[pos:i])
        j = s.find(end, i + len(start))
        if j < 0:
            break
        pos = j + len(end)
    return " ".join(out)


def _fallback_html_to_text(s: str) -> str:
    """Regex-based tag stripping used when lxml cannot parse the fragment."""
    s = _drop_between(s, "<!--", "-->")
    low = s.lower()
    kept = []
    pos = 0
    m = _FALLBACK_SKIP_OPEN_RE.search(s)
    while m:  # drop script/style contents up to the matching close tag (linear scan)
        kept.append(s[pos : m.start()])
        close = low.find("</" + m.group(1).lower(), m.end())
        if close < 0:
            pos = len(s)
            break
        pos = close
        m = _FALLBACK_SKIP_OPEN_RE.search(s, close + 2)
    kept.append(s[pos:])
    s = " ".join(kept)
    s = _WS_RE.sub(" ", s)
    s = _FALLBACK_BLOCK_RE.sub("\n", s)
    s = _FALLBACK_TAG_RE.sub(" ", s)
    return _finish(html.unescape(s))


def _lxml_root(s: str):
    """Parse *s* as an HTML fragment with lxml and return a root element (or None)."""
    import lxml.html  # local import keeps module import cheap

    try:
        return lxml.html.fragment_fromstring(s, create_parent="div")
    except Exception:  # noqa: BLE001 - lxml raises a variety of errors on odd input
        pass
    try:
        return lxml.html.document_fromstring(s)
    except Exception:  # noqa: BLE001
        return None


def _fallback_from_any(fragment: object) -> str:
    return _fallback_html_to_text(_strip_invisible(_to_str(fragment)))


@never_raises("", fallback=_fallback_from_any)
def html_to_text(fragment: object) -> str:
    """Return the text of an HTML *fragment* with line structure kept.

    ``<br>`` and line-level blocks (``div``, ``li``, ``dt``, ``dd``, table cells) become line
    breaks, paragraph-level blocks (``p``, headings, lists, ``blockquote``) become blank
    lines; entities are decoded; ``script``/``style`` contents and comments are dropped; each
    line is cleaned with :func:`clean_text`. Plain text (no tags) comes back cleaned line by
    line with entities decoded. Accepts str, bytes or an lxml element; never raises.
    """
    from lxml import etree

    if isinstance(fragment, etree._Element):  # an already parsed element
        root = fragment
    else:
        s = _to_str(fragment)
        s = _strip_invisible(s)
        if not s.strip():
            return ""
        if "<" not in s:
            return _finish(html.unescape(s))
        root = _lxml_root(s)
        if root is None:
            return _fallback_html_to_text(s)
    parts: list[str] = []
    pending = 0  # line breaks owed before the next visible text (1 line, 2 paragraph)
    skip = 0

    def emit(text: str) -> None:
        """Append *text*, first paying any line breaks owed before visible text."""
        nonlocal pending
        text = _WS_RE.sub(" ", text)
        if pending and text.strip():
            parts.append("\n" * pending)
            pending = 0
        parts.append(text)

    breaks = _BREAKS
    skip_tags = _SKIP_TAGS
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event == "comment" or event == "pi":
            if not skip and el.tail:
                emit(el.tail)
            continue
        tag = el.tag
        if not isinstance(tag, str):
            tag = ""
        elif "}" in tag or not tag.islower():
            tag = tag.rsplit("}", 1)[-1].lower()
        if event == "start":
            if not tag or tag in skip_tags:
                skip += 1
                continue
            if skip:
                continue
            level = breaks.get(tag)
            if level is not None:
                if tag == "br":  # two <br> in a row break a paragraph
                    pending = min(2, pending + 1)
                elif level > pending:
                    pending = level
            if el.text:
                emit(el.text)
        else:
            if not tag or tag in skip_tags:
                skip -= 1
            elif not skip:
                level = breaks.get(tag)
                if level is not None and tag != "br" and level > pending:
                    pending = level
            if not skip and el.tail and el is not root:
                emit(el.tail)
    return _finish("".join(parts))


