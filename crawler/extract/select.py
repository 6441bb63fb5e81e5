"""CSS selection on a page's one tree without a whole-tree XPath scan per query.

A page object asks the same tree for many selectors (a field's selectors are tried in order,
most match nothing), and each ``parsel`` ``css()`` call is an XPath scan of every element (about
0.2 ms on an 80 KB page). :class:`PageSelector` answers the simple selectors the page classes and
``sites.toml`` use -- a compound of a tag, ``.class``, ``#id``, ``[attr]``, ``[attr=value]``,
``[attr~=value]``, and descendant combinators (``article h1``, ``[itemprop=author]
[itemprop=name]``) -- from an index of the tree's classes, ids and attributes read from lxml's
XPath attribute searches (:class:`ElementIndex`), with parsel's exact semantics (its HTML
translator: names lower-cased, classes split on XML whitespace, case-sensitive values) and in
document order.
Anything else (groups, pseudo-classes, ``::attr()``, other combinators, escapes) goes to parsel.

Selectors other than the page's root selector (a result's ``.css()``) go to parsel too.
"""

from __future__ import annotations

import re

import parsel
from lxml import etree

from crawler.extract.dom import attr_tokens, attribute_search

_IDENT = r"-?[_a-zA-Z][_a-zA-Z0-9-]*"
_VALUE = rf"(?:{_IDENT}|\"[^\"\\\n]*\"|'[^'\\\n]*')"
_PART_RE = re.compile(rf"(\.{_IDENT})|(#{_IDENT})|\[\s*({_IDENT})\s*(?:(~?=)\s*({_VALUE})\s*)?\]")
_TAG_RE = re.compile(rf"{_IDENT}|\*")
_MAX_PARTS = 4


class _Compound:
    """One compound selector: a tag (or None), classes, an id, attribute tests."""

    __slots__ = ("tag", "classes", "ident", "attrs")

    def __init__(self, tag, classes, ident, attrs):
        self.tag = tag
        self.classes = classes
        self.ident = ident
        #: (name, op, value): op None (present), "=" (equal) or "~=" (one of its tokens)
        self.attrs = attrs

    def matches(self, el) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.ident is not None and el.get("id") != self.ident:
            return False
        if self.classes:
            tokens = attr_tokens(el.get("class"))
            if not all(c in tokens for c in self.classes):
                return False
        for name, op, value in self.attrs:
            got = el.get(name)
            if got is None or (op == "=" and got != value) or (op == "~=" and value not in attr_tokens(got)):
                return False
        return True


def _compound(text: str) -> _Compound | None:
    m = _TAG_RE.match(text)
    tag, pos = None, 0
    if m:
        tag = None if m.group() == "*" else m.group().lower()
        pos = m.end()
    classes, ident, attrs = [], None, []
    while pos < len(text):
        m = _PART_RE.match(text, pos)
        if m is None:
            return None
        cls, hash_, name, op, value = m.groups()
        if cls:
            classes.append(cls[1:])
        elif hash_:
            if ident is not None:
                return None
            ident = hash_[1:]
        else:
            if value and value[0] in "\"'":
                value = value[1:-1]
            if op == "~=" and (not value or attr_tokens(value) != [value]):
                return None  # (cssselect's own rule for such values; leave it to parsel)
            attrs.append((name.lower(), op, value))
        pos = m.end()
    if tag is None and not classes and ident is None and not attrs:
        return None
    return _Compound(tag, tuple(classes), ident, tuple(attrs))


def parse_simple(query: str) -> list[_Compound] | None:
    """The compounds of a descendant-combinator selector, or None when *query* is not one."""
    parts = query.split()
    if not parts or len(parts) > _MAX_PARTS:
        return None
    out = []
    for part in parts:
        found = _compound(part)
        if found is None:
            return None
        out.append(found)
    return out


_PARSED: dict[str, list[_Compound] | None] = {}


def _parsed(query: str) -> list[_Compound] | None:
    found = _PARSED.get(query, False)
    if found is False:
        found = parse_simple(query)
        if len(_PARSED) < 4096:
            _PARSED[query] = found
    return found


#: the class and id attributes of a subtree (its root included), in document order
_CLASS_OR_ID = etree.XPath("descendant-or-self::*/@class | descendant-or-self::*/@id")


class ElementIndex:
    """A tree's elements by class token and id, those with a non-empty class or id
    (:attr:`with_class_or_id`), all in document order, read from the class and id attributes
    lxml's XPath finds (one search in C; most elements have neither); and by the value of any
    other attribute asked for (:meth:`with_attr`, one search each, on first use)."""

    def __init__(self, root):
        self.root = root
        self.by_class: dict[str, list] = {}
        self.by_id: dict[str, list] = {}
        #: the elements whose class or id is not empty, in document order
        self.with_class_or_id: list = []
        #: ``"<class> <id>"`` of each of :attr:`with_class_or_id` (``""`` for one it lacks)
        self.class_and_id: list[str] = []
        self._by_attr: dict[str, dict[str, list]] = {}
        self._with_attributes: list | None = None
        by_class, by_id = self.by_class, self.by_id
        with_class_or_id, class_and_id = self.with_class_or_id, self.class_and_id
        # An element's class and id come one after the other: the last element's are kept.
        el = cls = ident = None
        for attr in _CLASS_OR_ID(root):
            parent = attr.getparent()
            if parent is not el:
                if cls or ident:
                    with_class_or_id.append(el)
                    class_and_id.append(f"{cls or ''} {ident or ''}")
                el, cls, ident = parent, None, None
            if attr.attrname == "class":
                cls = str(attr)
                for token in attr_tokens(cls):
                    found = by_class.get(token)
                    if found is None:
                        by_class[token] = [el]
                    elif found[-1] is not el:  # (a token given twice)
                        found.append(el)
            else:
                ident = str(attr)
                found = by_id.get(ident)
                if found is None:
                    by_id[ident] = [el]
                else:
                    found.append(el)
        if cls or ident:
            with_class_or_id.append(el)
            class_and_id.append(f"{cls or ''} {ident or ''}")

    @property
    def with_attributes(self) -> list:
        """The elements with at least one attribute, in document order (one pass, on first use)."""
        if self._with_attributes is None:
            self._with_attributes = [el for el in self.root.iter(etree.Element) if el.attrib]
        return self._with_attributes

    def with_attr(self, name: str) -> dict[str, list]:
        """Value -> the elements with attribute *name* of that value (one search, on first use)."""
        found = self._by_attr.get(name)
        if found is None:
            found = self._by_attr[name] = {}
            search = attribute_search(name)
            if search is not None:
                for attr in search(self.root):
                    found.setdefault(str(attr), []).append(attr.getparent())
            else:
                for el in self.with_attributes:
                    value = el.get(name)
                    if value is not None:
                        found.setdefault(value, []).append(el)
        return found

    def candidates(self, c: _Compound) -> list:
        """A superset of the elements matching *c*, in document order."""
        if c.ident is not None:
            return self.by_id.get(c.ident, [])
        if c.classes:
            return self.by_class.get(c.classes[0], [])
        for name, op, value in c.attrs:
            by_value = self.with_attr(name)
            if op == "=":
                return by_value.get(value, [])
            return [el for el in self.with_attributes if el.get(name) is not None] if by_value else []
        return list(self.root.iter(c.tag))

    def select(self, query: str) -> list | None:
        """The elements *query* selects (as parsel's ``css()`` from the root), or None when the
        query is not a simple one."""
        compounds = _parsed(query)
        if compounds is None:
            return None
        last = compounds[-1]
        found = [el for el in self.candidates(last) if last.matches(el)]
        if len(compounds) == 1:
            return found
        return [el for el in found if _ancestors_match(el, compounds[:-1])]


def _ancestors_match(el, compounds: list[_Compound]) -> bool:
    """Whether *el*'s ancestors hold *compounds* in order, innermost last (``A B C``)."""
    need = len(compounds) - 1
    for anc in el.iterancestors():
        if compounds[need].matches(anc):
            need -= 1
            if need < 0:
                return True
    return False


class PageSelector(parsel.Selector):
    """The page's root selector: ``css()`` answers simple selectors from an
    :class:`ElementIndex` of the tree (see the module docstring)."""

    __slots__ = ("_index",)

    @property
    def index(self) -> ElementIndex | None:
        """The :class:`ElementIndex` of the tree (built on first use), or None when this selector
        is not an HTML document's root."""
        index = getattr(self, "_index", None)
        if index is None and self.type == "html" and isinstance(self.root, etree._Element) and self.root.getparent() is None:
            index = self._index = ElementIndex(self.root)
        return index

    def css(self, query: str):
        index = self.index
        if index is not None:
            found = index.select(query)
            if found is not None:
                # (the results parsel's own css() would build)
                return self.selectorlist_cls(
                    [self.__class__(root=el, _expr=query, namespaces=self.namespaces, type="html") for el in found]
                )
        return super().css(query)
