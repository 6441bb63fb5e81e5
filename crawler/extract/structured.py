"""Microdata and RDFa (schema.org) read into JSON-LD-shaped nodes, from an already parsed tree.

``microdata_items(root)`` and ``rdfa_items(root)`` return the page's top-level items as dicts
shaped like JSON-LD nodes (``{"@type": "Review", "author": {...}, "reviewRating": {...}}``) with an
extra ``"@source"`` key (``"microdata"`` or ``"rdfa"``), so the page object reads all three kinds
of structured data with the same code.

Hand-written rather than ``extruct``: extruct parses the document again (and loads rdflib for
RDFa), while these walk the lxml tree the page object already has, and only the schema.org
subset review pages use is needed. Iterative (no recursion); item count and depth are bounded.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from crawler.normalize.text import clean_text
from crawler.extract.dom import attribute_search, element_text

MAX_ITEMS = 200
MAX_DEPTH = 8
_URL_TAGS = {"a": "href", "area": "href", "link": "href", "img": "src", "audio": "src", "video": "src",
             "source": "src", "iframe": "src", "embed": "src", "track": "src", "object": "data"}
_URL_PROPS = frozenset({"url", "sameAs", "image", "logo", "thumbnailUrl", "contentUrl", "embedUrl", "mainEntityOfPage"})


def _type_names(value: str | None) -> list[str]:
    out = []
    for t in (value or "").split():
        name = t.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]
        if name:
            out.append(name)
    return out


def _prop_names(value: str | None) -> list[str]:
    return [p.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1] for p in (value or "").split() if p]


def _value(el: etree._Element, prop: str, *, rdfa: bool) -> str:
    content = el.get("content")
    if content is not None:
        return content
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "time" and el.get("datetime"):
        return el.get("datetime")
    if tag in ("data", "meter") and el.get("value") is not None:
        return el.get("value")
    attr = _URL_TAGS.get(tag)
    if attr and el.get(attr) is not None and (not rdfa or prop in _URL_PROPS):
        # microdata: a URL element's value is its URL; RDFa Lite readers usually want the text of
        # a link (``<a property="author" href="/a/x">Name</a>``) unless the property is a URL.
        if not rdfa or prop in _URL_PROPS or not clean_text(element_text(el)):
            return el.get(attr)
    return clean_text(element_text(el))


def _add(node: dict, name: str, value: Any) -> None:
    if name in node:
        old = node[name]
        node[name] = (old if isinstance(old, list) else [old]) + [value]
    else:
        node[name] = value


def _items(root: etree._Element, *, scope_attr: str, type_attr: str, prop_attr: str, source: str) -> list[dict]:
    rdfa = source == "rdfa"
    scopes = [attr.getparent() for attr in attribute_search(scope_attr)(root)]  # (in C: most pages have none)
    if not scopes:
        return []
    scopes = scopes[: MAX_ITEMS * 5]  # past that, page junk: not read (and never looked up)
    scope_set = set(scopes)
    nodes: dict[etree._Element, dict] = {}
    for el in scopes:
        node: dict[str, Any] = {"@source": source}
        types = _type_names(el.get(type_attr))
        if types:
            node["@type"] = types[0] if len(types) == 1 else types
        nodes[el] = node
    top: list[dict] = []
    for el, node in nodes.items():
        # Properties of this scope: descendants with the property attribute whose nearest
        # enclosing scope is this element.
        stack = [(child, 1) for child in reversed(el)]
        while stack:
            child, depth = stack.pop()
            if not isinstance(child.tag, str):
                continue
            props = _prop_names(child.get(prop_attr))
            is_scope = child in scope_set
            for prop in props:
                value = nodes[child] if is_scope else _value(child, prop, rdfa=rdfa)
                _add(node, prop, value)
            if is_scope or depth >= 50:
                continue
            stack.extend((c, depth + 1) for c in reversed(child))
        if el.get(prop_attr) is None or not any(a in scope_set for a in el.iterancestors()):
            top.append(node)
        if len(top) >= MAX_ITEMS:
            break
    return top


def microdata_items(root: etree._Element) -> list[dict]:
    """Top-level microdata items (``itemscope`` / ``itemtype`` / ``itemprop``)."""
    return _items(root, scope_attr="itemscope", type_attr="itemtype", prop_attr="itemprop", source="microdata")


def rdfa_items(root: etree._Element) -> list[dict]:
    """Top-level RDFa Lite items (``typeof`` / ``property``; ``vocab``/prefixes not resolved:
    the last path segment of a type or property is its name)."""
    return _items(root, scope_attr="typeof", type_attr="typeof", prop_attr="property", source="rdfa")
