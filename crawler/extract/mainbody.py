"""Main-text (article body) extraction from an already parsed page.

:func:`extract_body` reads the article's body paragraphs out of an lxml HTML tree without
changing the tree (the page object shares one parse between all fields) and without
recursion (one iterative walk; hostile deep nesting cannot exhaust the stack).

How it works:

1. One walk over ``<body>`` cuts the text into *blocks*: runs of text between block
   boundaries (``<p>``, headings, list items, ``<div>``, table rows..., and a double
   ``<br>``; a single ``<br>`` is a space; ``<dt>`` and its ``<dd>`` make one ``Label: value``
   block). Never entered: scripts, form controls, media, ``figure``, hidden inline elements.
   Chrome tags (``nav``/``aside``/``footer``/``header``/``button``..., ``BODY_MARKED_TAGS``),
   hidden blocks (but not React streaming chunks ``<div hidden id="S:1">``) and containers
   whose class/id names furniture (ads, share bars, related stories, newsletters, comments,
   captions, bylines...: :func:`crawler.extract.boilerplate.is_boilerplate_attr`; not inside
   ``<pre>``/``<code>``, where classes are syntax highlighting) are entered, since the article
   may be inside one (a template's ``<header>``, ``id="__next"`` around whole pages), but
   marked.
2. Each block gets a value: its characters, minus link characters beyond a free share, minus
   a fixed cost per block, so prose counts for and menus, link lists and scraps count against.
   Prose that stands alone under its parent (a teaser's summary beside its linked headline)
   counts for less than prose among sibling paragraphs (an article).
3. Every element's subtree value is summed (a replay of the walk, no recursion); a marked
   element passes up none of its positive value and cannot be the container, unless its only
   furniture word also names parts of articles and it holds prose (:func:`_prose_hint`: a
   ``read-more`` part, a ``toc`` layout class). The element with the highest sum is the body
   container: big enough to take every paragraph, small enough to leave the link lists and
   teasers around the article out. Nothing inside a comment section can be it, and when it
   holds several ``<article>`` elements, the one with the ``<h1>`` is taken. When the article is
   split over sibling sections (ads between them keep their parent from winning), the
   container's peers join it (:func:`_ranges`).
4. The container's blocks are the paragraphs, except those under a marked element inside it,
   link lists, chrome text (:func:`crawler.extract.boilerplate.is_chrome_text`,
   :func:`~crawler.extract.boilerplate.is_furniture_text`), the ``<h1>``, the title or dek,
   bylines / datelines, a spec box and a credits or grade header at the start, and the critic's
   bio or follow prompt at the end.
5. Given a container (``within=``: a site's body selector matched it), steps 1 and 4 run on it
   alone; the page object weighs the two results with :func:`choose_body`, and structured
   data's ``articleBody`` against the winner with :func:`structured_body_wins`.
   :func:`extract_bodies` gives both results from one walk (the container's blocks are the
   page's blocks in its range).

Accuracy and speed are measured by ``bench/body_benchmark.py`` (see the README).
"""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

from crawler.extract.boilerplate import (
    is_boilerplate_attr,
    is_chrome_text,
    is_discussion_attr,
    is_furniture_text,
    is_weak_boilerplate_attr,
)
from crawler.normalize.credits import credit_role
from crawler.normalize.dates import has_date
from crawler.normalize.grades import parse_grade
from crawler.normalize.text import clean_text, html_to_text, looks_like_html
from crawler.extract.tags import BODY_BLOCK_TAGS, BODY_MARKED_TAGS, BODY_SKIP_TAGS, NON_BODY_PROPS, STRUCTURAL_TAGS

__all__ = ["choose_body", "extract_body", "extract_bodies", "structured_paragraphs", "structured_body_wins"]

_STREAM_CHUNK_RE = re.compile(r"^[SPB]:[0-9a-fA-F]+$")
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BYLINE_RE = re.compile(
    r"^(?:by|words by|written by|review(?:ed)? by|posted by|story by|reporting by)\s+\S.{0,80}$", re.IGNORECASE
)
_DATELINE_RE = re.compile(
    r"^(?:(?:published|posted|updated|last updated|first published)\b.{0,60}|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)\w*,?\s.{0,50}\d{4}.{0,20}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d{1,2},?\s+\d{4}.{0,30}|"
    r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?,?\s+\d{4}.{0,30}|"
    r"\d{4}-\d\d-\d\d.{0,30}|\d{1,2}/\d{1,2}/\d{2,4}.{0,30})$",
    re.IGNORECASE,
)

_SENTENCE_END_RE = re.compile(r"[.!?…][\"”’')]*$")

# Block value: characters count for, link characters beyond a free share against, each
# block costs (so scraps of text count against).
_LINK_WEIGHT = 3.0
_FREE_LINK_SHARE = 0.4
_BLOCK_COST = 25.0
# Prose blocks (at least this long, few links) that share a parent make an article; a lone
# one (a teaser's summary beside its linked headline) counts for less.
_PROSE_MIN = 30
_CLUSTER_FACTOR = (0.25, 0.25, 0.7, 0.85)
_WRAPPER_CLIMB = 3
# Share of a negative value that a hinted element (ads, related links) passes up.
_HINTED_NEGATIVE_SHARE = 0.5
# Sibling sections of one article: how far up from the container to look, and the share of the
# container's value a sibling needs (one with the container's signature needs any value).
_SIBLING_CLIMB = 4
_SIBLING_SHARE = 0.2
# A hinted element inside the body holding this many characters of prose is article text.
_HINT_PROSE_CHARS = 150
# A kept block has at most this share of its characters in links (longer prose may cite more).
_MAX_LINK_DENSITY = 0.5


class _Block:
    __slots__ = ("owner", "parts", "link", "text", "hint")

    def __init__(self, owner, hint: int):
        self.owner = owner
        self.parts: list[str] = []
        self.link = 0
        self.text = ""
        #: preorder number of the innermost element with a boilerplate class/id around the
        #: block (-1: none)
        self.hint = hint


def _is_hidden(el) -> bool:
    """Hidden by an attribute or an inline style; a React streaming chunk
    (``<div hidden id="S:1">``, moved into the page by a script) is page content."""
    if el.get("hidden") is not None:
        return _STREAM_CHUNK_RE.match(el.get("id") or "") is None
    if el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE_RE.search(style))


# the attributes _is_hidden and _hinted read
_WALK_ATTRS = frozenset({"hidden", "aria-hidden", "style", "itemprop", "property", "class", "id"})


def _skip_element(el, tag: str) -> bool:
    """Elements never entered: non-text tags, hidden inline elements (a hidden block is
    entered but marked: :func:`_hinted`)."""
    if tag in BODY_SKIP_TAGS:
        return True
    if tag in STRUCTURAL_TAGS or tag in BODY_BLOCK_TAGS or tag in BODY_MARKED_TAGS:
        return False
    return _is_hidden(el)


def _hinted(el, tag: str) -> int:
    """0, or 1 when the element is page chrome (``<nav>``, ``<header>``, ``<aside>``... a
    hidden block) or its class/id names page furniture (ads, share bars, related stories, ...),
    2 when it names a comment section."""
    if tag in STRUCTURAL_TAGS:
        return 0
    if tag in BODY_MARKED_TAGS or _is_hidden(el):
        return 1
    prop = el.get("itemprop") or el.get("property")
    if prop and not NON_BODY_PROPS.isdisjoint(prop.split()):
        return 1
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return 0
    attrs = f"{cls or ''} {ident or ''}"
    if not is_boilerplate_attr(attrs):
        return 0
    return 2 if is_discussion_attr(attrs) else 1


class _Walk:
    """The result of the walk: blocks in document order, the body container, and the value
    and range of every block-level or hinted element scored."""

    __slots__ = ("blocks", "best", "best_range", "best_value", "info", "prose_hints", "tracked", "_prose_prefix")

    def __init__(self, blocks, best, best_range, best_value=0.0, info=None):
        self.blocks = blocks
        self.best = best
        #: (first block index, end block index, preorder number, last preorder number)
        self.best_range = best_range
        self.best_value = best_value
        #: element -> (value, range, hinted) of the elements outside comment sections
        self.info = info if info is not None else {}
        #: preorder numbers of the hinted elements that hold article prose (:func:`_prose_hint`)
        self.prose_hints: set[int] = set()
        #: the block range of the element the walk was asked to track (:func:`_collect`)
        self.tracked: tuple | None = None
        self._prose_prefix = None

    @property
    def prose_prefix(self) -> list[tuple[int, int]]:
        """``[(prose blocks, prose characters)]`` before each block index (and at the end)."""
        if self._prose_prefix is None:
            out = [(0, 0)]
            count = chars = 0
            for b in self.blocks:
                n = len(b.text)
                if n >= _PROSE_MIN and b.link < _FREE_LINK_SHARE * n and _SENTENCE_END_RE.search(b.text):
                    count += 1
                    chars += n
                out.append((count, chars))
            self._prose_prefix = out
        return self._prose_prefix


# Replay events recorded by _collect.
_START, _END, _BLOCK_EVENT = 0, 1, 2


def _collect(body, track=None) -> tuple[list[_Block], list[tuple], tuple | None]:
    """One iterative walk over *body*: its text blocks in document order, the events
    (start/end of every block-level or hinted element, each block) to score them with, and the
    range ``(first block, end block, preorder, last preorder)`` of the element *track* when a
    walk of *track* alone would cut the same blocks (see :func:`_track_start`), else None."""
    tracked: list = []  # [first block, preorder] once *track* has started as a clean boundary
    found: tuple | None = None
    blocks: list[_Block] = []
    events: list[tuple] = []
    owners: list = []  # the open block-level elements
    hint_stack: list[int] = [-1]  # preorder numbers of the open hinted elements
    closes: list[int] = []  # per open element: 0 inline, 1 block, 2 hinted block
    skipping = 0
    in_link = 0
    preorder = 0
    current: _Block | None = None
    pending_br = False
    after_dt = False  # a <dt>'s text is open, waiting for its <dd>
    in_code = 0  # open <pre>/<code> elements

    def flush() -> None:
        nonlocal current, pending_br
        pending_br = False
        block = current
        current = None
        if block is None:
            return
        text = clean_text("".join(block.parts))
        if not text:
            return
        block.text = text
        block.parts = []
        events.append((_BLOCK_EVENT, len(blocks)))
        blocks.append(block)

    def add(text: str, link: bool) -> None:
        nonlocal current, pending_br
        if not text:
            return
        if current is None:
            if not text.strip():
                return
            current = _Block(owners[-1] if owners else body, hint_stack[-1])
        elif pending_br and text.strip():
            pending_br = False
        current.parts.append(text)
        if link:
            current.link += len(text.strip())

    for event, el in etree.iterwalk(body, events=("start", "end", "comment", "pi")):
        tag = el.tag
        if not isinstance(tag, str):  # comment or processing instruction: only its tail is text
            if not skipping and el is not body:
                add(el.tail, in_link > 0)
            continue
        if event == "start":
            if skipping:
                skipping += 1
                continue
            # Only an element with one of these attributes can be hidden or hinted by them.
            keys = el.keys()
            attrs = bool(keys) and not _WALK_ATTRS.isdisjoint(keys)
            if tag in BODY_SKIP_TAGS or (attrs and _skip_element(el, tag)):
                skipping = 1
                if tag in BODY_BLOCK_TAGS or tag in BODY_SKIP_TAGS:
                    flush()
                continue
            preorder += 1
            # Inside code, class names are syntax highlighting (``hljs-comment``), not furniture.
            hinted = _hinted(el, tag) if not in_code and (attrs or tag in BODY_MARKED_TAGS) else 0
            if tag == "pre" or tag == "code":
                in_code += 1
            if tag in BODY_BLOCK_TAGS or hinted:
                clean_start = el is track and _track_start(tag, after_dt, hinted, in_link, in_code)
                if not (after_dt and tag == "dd" and not hinted):
                    flush()
                if clean_start:
                    tracked = [len(blocks), preorder]
                after_dt = False
                owners.append(el)
                events.append((_START, el, hinted, preorder, len(blocks)))
                if hinted:
                    hint_stack.append(preorder)
                    closes.append(2)
                else:
                    closes.append(1)
            else:
                closes.append(0)
                if tag == "br":
                    if pending_br:
                        flush()
                    elif current is not None:
                        current.parts.append(" ")
                        pending_br = True
                elif tag == "a":
                    in_link += 1
                elif (tag == "td" or tag == "th") and current is not None:
                    current.parts.append(" ")
            if el.text:
                add(el.text, in_link > 0)
        else:
            if skipping:
                skipping -= 1
                if skipping == 0 and el is not body:
                    add(el.tail, in_link > 0)
                continue
            kind = closes.pop()
            if tag == "pre" or tag == "code":
                in_code -= 1
            if kind:
                if tag == "dt" and kind == 1 and current is not None:
                    # ``<dt>Label</dt><dd>value</dd>`` is one line: ``Label: value``
                    current.parts.append(" " if "".join(current.parts).rstrip().endswith((":", "：")) else ": ")
                    after_dt = True
                else:
                    flush()
                owners.pop()
                if kind == 2:
                    hint_stack.pop()
                events.append((_END, len(blocks), preorder))
                if el is track and tracked:
                    found = (tracked[0], len(blocks), tracked[1], preorder)
            elif tag == "a":
                in_link -= 1
            if el is not body and el.tail:
                add(el.tail, in_link > 0)
    flush()
    return blocks, events, found


def _track_start(tag: str, after_dt: bool, hinted: int, in_link: int, in_code: int) -> bool:
    """Whether a block-level element starting in this state of the walk is cut into the blocks
    a walk of it alone would give: a block boundary before and after it (not a ``<dt>``, whose
    text runs on into its ``<dd>``, nor a ``<dd>`` continuing one), and no link or code around
    it (they change link counts and hints)."""
    return tag != "dt" and not (after_dt and tag == "dd" and not hinted) and not in_link and not in_code


def _values(blocks: list[_Block]) -> list[float]:
    """The value of each block: its characters, minus link characters beyond a free share,
    minus a fixed cost; positive values are discounted for prose that stands alone (a teaser's
    summary) rather than among sibling paragraphs (an article)."""
    prose: dict = {}
    keys = []
    lone: dict = {}  # element -> holds exactly one child (len() walks the children in lxml)
    for b in blocks:
        # The paragraph's parent, above wrappers that hold only it (<div><p>...</p></div>).
        node = b.owner
        parent = node.getparent()
        for _ in range(_WRAPPER_CLIMB):
            if parent is None:
                break
            one = lone.get(parent)
            if one is None:
                one = lone[parent] = len(parent) == 1
            if not one:
                break
            node, parent = parent, parent.getparent()
        key = parent if parent is not None else node
        keys.append(key)
        n = len(b.text)
        if n >= _PROSE_MIN and b.link < _FREE_LINK_SHARE * n:
            prose[key] = prose.get(key, 0) + 1
    out = []
    for b, key in zip(blocks, keys):
        n = len(b.text)
        link = min(b.link, n)
        value = n - _BLOCK_COST - _LINK_WEIGHT * max(0.0, link - _FREE_LINK_SHARE * n)
        if value > 0:
            count = prose.get(key, 0)
            if count < len(_CLUSTER_FACTOR):
                value *= _CLUSTER_FACTOR[count]
        out.append(value)
    return out


def _walk(body, track=None) -> _Walk:
    """The text blocks of *body* and the element whose subtree has the highest value.

    An element with a boilerplate class/id is entered (the hint may be wrong: ``id="__next"``,
    a Blogger ``widget`` holding the post) but passes no positive value up and cannot be the
    container itself; blocks under it are dropped later unless the container is inside it.
    Nothing inside a comment section can be the container. *track*: an element whose block
    range is kept as ``walk.tracked`` (None when it cannot be read from this walk).
    """
    blocks, events, tracked = _collect(body, track)
    values = _values(blocks)
    best, best_value, best_range = None, 0.0, (0, 0, 0, 0)
    stack: list[list] = []  # [element, hinted, preorder, first block, running value]
    in_discussion = 0
    articles: list[tuple] = []  # (element, value, range) of every <article> outside comments
    info: dict = {}
    prose_hints: set[int] = set()
    walk = _Walk(blocks, None, (0, 0, 0, 0))
    prose = walk.prose_prefix
    for ev in events:
        kind = ev[0]
        if kind == _BLOCK_EVENT:
            if stack:
                stack[-1][4] += values[ev[1]]
        elif kind == _START:
            stack.append([ev[1], ev[2], ev[3], ev[4], 0.0])
            if ev[2] == 2:
                in_discussion += 1
        else:
            el, hinted, pre, first, value = stack.pop()
            if hinted == 1 and _prose_hint(el, prose, first, ev[1]):
                hinted = 0  # article prose under a weak furniture word: an ordinary element
                prose_hints.add(pre)
            if not in_discussion:
                info[el] = (value, (first, ev[1], pre, ev[2]), hinted)
            if hinted:
                if hinted == 2:
                    in_discussion -= 1
                # Its blocks are dropped unless the container is inside it; a link list
                # still counts somewhat against the elements around it.
                if stack and value < 0:
                    stack[-1][4] += _HINTED_NEGATIVE_SHARE * value
            else:
                if stack:
                    stack[-1][4] += value
                if not in_discussion:
                    if value > best_value:
                        best, best_value = el, value
                        best_range = (first, ev[1], pre, ev[2])
                    if el.tag == "article":
                        articles.append((el, value, (first, ev[1], pre, ev[2])))
    if best is not None and len(articles) > 1:
        best, best_range = _headline_article(blocks, articles, best, best_range)
    if best is not None:
        best_value = info[best][0]
    walk.best, walk.best_range, walk.best_value, walk.info, walk.prose_hints = best, best_range, best_value, info, prose_hints
    walk.tracked = tracked
    return walk


def _headline_article(blocks, articles, best, best_range):
    """When the container holds several ``<article>`` elements (the story and teasers or
    "you may like" posts), the one holding the page's first ``<h1>`` is the story."""
    first, end, pre, last = best_range
    inside = [a for a in articles if pre < a[2][2] <= last]
    if len(inside) < 2:
        return best, best_range
    h1 = next((i for i in range(first, end) if blocks[i].owner.tag == "h1"), None)
    if h1 is None:
        return best, best_range
    holding = [a for a in inside if a[2][0] <= h1 < a[2][1]]
    if not holding:
        return best, best_range
    # The innermost article around the h1 that still has positive value.
    holding.sort(key=lambda a: a[2][1] - a[2][0])
    for el, value, rng in holding:
        if value > 0:
            return el, rng
    return best, best_range


def _signature(el) -> tuple[str, str] | None:
    """What repeated sections of one guide share: the tag and the first class token
    (``<section class="step">`` ... ``<section class="step last">``); ``None`` for an element
    that says nothing of itself (a bare ``<div>``)."""
    cls = (el.get("class") or "").split()
    if cls:
        return (el.tag, cls[0])
    return (el.tag, "") if el.tag == "section" else None


def _ranges(walk: _Walk) -> list[tuple]:
    """The block ranges of the body: the container's, or, when the article is split over
    sibling elements (a guide's or listicle's ``<section>``s with ads or link lists between
    them, which keep their common parent from winning), the container's and its peers'.

    Going up from the container (at most :data:`_SIBLING_CLIMB` levels, never to ``<body>``),
    the first level where the node has peers decides (the climb stops at a level where the node
    has other siblings of positive value that are no peers): siblings with at least
    :data:`_SIBLING_SHARE` of the container's value, or with the node's signature
    (:func:`_signature`) and a prose paragraph. Hinted siblings and ``<article>`` siblings
    (another story) are never peers."""
    node, info, best_value = walk.best, walk.info, walk.best_value
    prose = walk.prose_prefix
    for _ in range(_SIBLING_CLIMB):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if node not in info:  # an inline element: look one level up
            node = parent
            continue
        sig = _signature(node)
        peers = []
        for child in parent:
            found = info.get(child) if isinstance(child.tag, str) else None
            if child is node:
                peers.append(found[1])
            elif found is not None and not found[2] and child.tag != "article":
                first, end = found[1][0], found[1][1]
                if found[0] >= _SIBLING_SHARE * best_value or (
                    sig is not None and _signature(child) == sig and prose[end][0] > prose[first][0]
                ):
                    peers.append(found[1])
        if len(peers) > 1:
            return peers
        if any(isinstance(c.tag, str) and c is not node and (info.get(c) or (0,))[0] > 0 for c in parent):
            break  # the node has positive siblings that are no peers: the container stands
        node = parent
    return [walk.best_range]


def _prose_hint(el, prose: list[tuple[int, int]], first: int, end: int) -> bool:
    """An element whose class/id names furniture only with a word that also names parts of
    articles (:func:`crawler.extract.boilerplate.is_weak_boilerplate_attr`: a collapsed
    ``read-more`` part, a ``toc`` layout class, a listicle item's ``header``) and which holds
    article prose (blocks *first* to *end*: at least two prose paragraphs and
    :data:`_HINT_PROSE_CHARS` characters of prose) is article text. Chrome tags (``<aside>``,
    ``<nav>``...) and hidden blocks are never such."""
    if el.tag in BODY_MARKED_TAGS or _is_hidden(el):
        return False
    if prose[end][0] - prose[first][0] < 2 or prose[end][1] - prose[first][1] < _HINT_PROSE_CHARS:
        return False
    return is_weak_boilerplate_attr(f"{el.get('class') or ''} {el.get('id') or ''}")


def _keep(block: _Block, drop: set[str]) -> bool:
    text = block.text
    n = len(text)
    if block.owner.tag == "h1" or text in drop:
        return False
    if block.link > _MAX_LINK_DENSITY * n:
        return False
    if n <= 500 and (is_chrome_text(text) or is_furniture_text(text)):
        return False
    return True


def extract_body(root, *, title: str | None = None, subtitle: str | None = None, within=None) -> list[str]:
    """The article's body paragraphs (plain text, each cleaned with ``clean_text``) from a
    parsed HTML tree *root*; ``[]`` when there is no article text.

    *title* and *subtitle* are left out of the body when they appear in it. *within*: the body
    container is given (a site's body selector matched it) and is not searched for; its text is
    cut into paragraphs and cleaned the same way. Structured data's ``articleBody`` is the page
    object's business (:meth:`crawler.extract.page.ReviewPage.body`, with
    :func:`structured_body_wins`).
    """
    if within is not None:
        walk = _walk(within)
        return _paragraphs(walk, [(0, len(walk.blocks), 1, _NO_END)] if walk.blocks else [], title, subtitle)
    if root is None:
        return []
    walk = _walk(_body_of(root))
    return _paragraphs(walk, _ranges(walk) if walk.best is not None else [], title, subtitle)


def extract_bodies(root, *, within, title: str | None = None, subtitle: str | None = None) -> tuple[list[str], list[str]]:
    """``(extract_body(root, within=within, ...), extract_body(root, ...))`` from one walk over
    the page: the blocks of the container *within* are the page's blocks in its range whenever
    a walk of it alone would cut the same ones (else it is walked again), so both results are
    exactly those of the two calls."""
    if root is None:
        return extract_body(root, title=title, subtitle=subtitle, within=within), []
    walk = _walk(_body_of(root), track=within)
    page = _paragraphs(walk, _ranges(walk) if walk.best is not None else [], title, subtitle)
    if walk.tracked is None:
        return extract_body(root, title=title, subtitle=subtitle, within=within), page
    first, end, pre, last = walk.tracked
    return _paragraphs(walk, [walk.tracked] if end > first else [], title, subtitle), page


def _body_of(root):
    """The element the main-text walk reads: ``<body>``, else the whole tree."""
    body = root.find("body") if root.tag != "body" else root
    return root if body is None else body


def _paragraphs(walk: _Walk, ranges: list[tuple], title, subtitle) -> list[str]:
    """The paragraphs of *walk*'s blocks in *ranges* (step 4 of the module docstring)."""
    drop = {t for t in (clean_text(title), clean_text(subtitle)) if t}
    kept = []
    for first, end, pre, last in ranges:
        keep_hints = walk.prose_hints
        kept.extend(
            b for b in walk.blocks[first:end]
            if (not (pre < b.hint <= last) or b.hint in keep_hints) and _keep(b, drop)
        )
    texts = [b.text for b in kept]
    # Bylines, datelines, spec boxes and credit/grade headers at the start, bios at the end
    # are page furniture.
    start = 0
    while start < len(texts) and (_edge_furniture(texts[start]) or _head_furniture(texts, start)):
        start += 1
    end = len(texts)
    while end > start and (_edge_furniture(texts[end - 1]) or _is_bio(texts[end - 1])):
        end -= 1
    paras = texts[start:end]
    return paras


_PARAGRAPH_BREAK_RE = re.compile(r"\n\s*\n|\r?\n")
_NO_END = 1 << 62
# A spec box's heading ("Need to know", "At a glance", "Key facts", "Specs"...).
_SPEC_HEAD_RE = re.compile(
    r"^(?:need\s+to\s+know|at\s+a\s+glance|key\s+(?:facts|info|details|specs)|fact\s*(?:box|file|sheet)|"
    r"quick\s+(?:facts|info|specs)|specs|specifications|the\s+facts|details|info)\b\s*[:.\-–—]?",
    re.IGNORECASE,
)
# One line of a spec box or credits header: ``Label: value`` (a short label, a short value).
_LABEL_LINE_RE = re.compile(r"^[^\W\d][\w’'&/().\- ]{0,38}(?:\?|\s*[:：])\s*\S.{0,150}$")
# A critic's bio after the review: a follow prompt, "X is a film critic ...".
_BIO_RE = re.compile(
    r"(?:\b(?i:follow)\s+(?:him|her|them|me|us|[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)\s+on\s+"
    r"(?i:twitter|x|instagram|bluesky|threads|mastodon|letterboxd|facebook|tiktok)\b|"
    r"^(?:[A-Z][\w.'’-]+\s+){1,4}(?:is|was)\s+(?:a|an|the)\s+(?:[\w’'-]+\s+){0,5}"
    r"(?:critic|writer|editor|journalist|contributor|reporter|columnist|freelancer|author|blogger)\b)",
)


def _head_furniture(texts: list[str], i: int) -> bool:
    """A block at the start of the body that is a spec box's heading or line, or a credits or
    grade header line (``Need to know``, ``Developer: X``, ``Grade: B+``, ``Director: X``)."""
    text = texts[i]
    if len(text) > 200:
        return False
    if _SPEC_HEAD_RE.match(text) and (len(text) <= 40 or _LABEL_LINE_RE.match(text)) and not _SENTENCE_END_RE.search(text):
        return True
    if len(text) <= 40 and parse_grade(text) is not None:
        return True
    if credit_role(text):
        return True
    # A label line among others at the top (a spec box without its heading): the next block
    # is a label line too, or the previous one was furniture.
    if _LABEL_LINE_RE.match(text) and not _SENTENCE_END_RE.search(text):
        nxt = texts[i + 1] if i + 1 < len(texts) else ""
        return bool(_LABEL_LINE_RE.match(nxt)) or i > 0
    return False


def _is_bio(text: str) -> bool:
    """The critic's bio or a follow prompt (``Follow them on Twitter``, ``Jane Doe is a film
    critic based in ...``): a short block at the end of the body."""
    return len(text) <= 400 and _BIO_RE.search(text) is not None


_TRUNCATED_RE = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")


def structured_paragraphs(value) -> list[str]:
    """A structured-data ``articleBody``/``reviewBody`` as paragraphs (HTML in it read as text,
    also when it is escaped again)."""
    if not isinstance(value, str) or not value.strip() or len(value) >= 2_000_000:
        return []
    text = value
    for _ in range(3):  # some sites put the HTML there, some escape it twice (``&amp;lt;p&amp;gt;``)
        if not looks_like_html(text):
            break
        text = html_to_text(text)
    return [p for p in (clean_text(x) for x in _PARAGRAPH_BREAK_RE.split(text)) if p]


# The body decision: a candidate shorter than this share of the other one is "much shorter".
_MUCH_SHORTER = 0.5


def choose_body(selected: list[str], extracted: list[str], *, site_selector: bool) -> str:
    """``"selector"`` or ``"extractor"``: which of a body selector's paragraphs (*selected*)
    and the main-text extractor's (*extracted*) is the page's body.

    An empty body never wins over a non-empty one. A site's own selector wins unless its
    result is much shorter (less than half the characters) than the extractor's (it matched a
    teaser or a fragment); a generic selector (one that matches any site's markup) loses unless
    the extractor's result is much shorter than its own (the extractor took a fragment)."""
    if selected == extracted:
        return "selector" if selected else "extractor"  # the same text: the selector named it
    sel_len = sum(len(p) for p in selected)
    ext_len = sum(len(p) for p in extracted)
    if not sel_len or not ext_len:
        return "selector" if sel_len else "extractor"
    if site_selector:
        return "extractor" if sel_len < _MUCH_SHORTER * ext_len else "selector"
    return "selector" if ext_len < _MUCH_SHORTER * sel_len else "extractor"


def text_length_bound(root) -> int:
    """An upper bound of ``sum(len(p) for p in extract_body(root))`` (and of every subset of
    those paragraphs; *root* may be any element, for ``extract_body(..., within=root)``), read
    without the walk, in C: the characters of the text under the element the walk reads (less
    ``<script>``/``<style>`` text, which the walk never enters), plus two per node and one
    ``:`` per ``<dt>``.

    Why it bounds: every paragraph is a cleaned run of text pieces (an element's text or tail;
    at most two per node) and of the walk's own separators (a space, or ``": "`` after a
    ``<dt>``); cleaning only drops characters and collapses whitespace, so the paragraphs hold
    at most the pieces' characters plus one space per piece. NFC may lengthen a few
    characters (composition exclusions) and shorten pieces joined (a mark after a letter): on
    text it changes, the normalized text's length plus one per piece bounds it. ~10x cheaper
    than the walk's first step alone."""
    if root is None:
        return 0
    body = _body_of(root)
    text = etree.tostring(body, method="text", encoding=str)
    nodes = len(list(body.iter()))  # (2.5x faster than a generator's count; the proxies are freed at once)
    slack = 2 * nodes + 1 + sum(1 for _ in body.iter("dt"))
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        return len(unicodedata.normalize("NFC", text)) + slack + 2 * nodes
    skipped = sum(len(el.text) for el in body.iter("script", "style") if el.text)
    return len(text) - skipped + slack


def selector_body_decides(selected: list[str], extracted_bound: int, *, site_selector: bool) -> bool:
    """Whether :func:`choose_body` keeps *selected* whatever the main-text extractor reads, given
    an upper bound of the extractor's characters (:func:`text_length_bound`): a site's own
    selector whose body is at least :data:`_MUCH_SHORTER` of the bound cannot be "much
    shorter" than it, so the page's walk can be skipped."""
    sel_len = sum(len(p) for p in selected)
    return site_selector and sel_len > 0 and sel_len >= _MUCH_SHORTER * extracted_bound


def structured_body_wins(structured: list[str], html: list[str]) -> bool:
    """The one rule for structured data against the page's text: the structured body wins when
    it is the full text (not ending in an ellipsis), has at least 90% of the words the HTML body
    has, and is no worse split into paragraphs."""
    if not structured:
        return False
    sd_words = sum(len(p.split()) for p in structured)
    html_words = sum(len(p.split()) for p in html)
    truncated = _TRUNCATED_RE.search(structured[-1]) is not None
    return not truncated and sd_words >= 0.9 * html_words and (len(structured) >= len(html) or len(structured) > 1)


def _edge_furniture(text: str) -> bool:
    """A byline or dateline (``By Jane Doe``, ``Updated March 1, 2025``, ``Jane Doe Fri 2 May
    2025 06.00 BST``): short, and a byline form or a date with no sentence around it."""
    if len(text) > 120:
        return False
    if _BYLINE_RE.match(text) is not None or _DATELINE_RE.match(text) is not None:
        return True
    return (
        len(text) <= 80
        and text[0] not in "—–-―"  # a quote's attribution (``— Jane Doe (@jane) May 2, 2025``)
        and has_date(text)
        and not _SENTENCE_END_RE.search(text)
    )
