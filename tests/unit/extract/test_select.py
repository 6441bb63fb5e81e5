"""The page's CSS fast path (:mod:`crawler.extract.select`) selects exactly what parsel selects,
in the same order, for every selector the page classes and ``sites.toml`` use and for edge cases
of the grammar; selectors it does not read go to parsel."""

from __future__ import annotations

import tomllib
from pathlib import Path

import parsel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from crawler.extract.page import ReviewPage
from crawler.extract.dom import attr_tokens
from crawler.extract.select import ElementIndex, PageSelector, parse_simple
from crawler.sites.registry import page_for
from tests.support.sitegen import make_bench_page

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures"


def _site_selectors() -> set[str]:
    out: set[str] = set()
    from crawler.sites import avclub, generic

    for cls in (ReviewPage, avclub.AvClubPage, generic.GenericPage):
        for name in dir(cls):
            if name.endswith("_css") and isinstance(getattr(cls, name), tuple):
                out.update(getattr(cls, name))
    conf = tomllib.loads((REPO / "crawler/sites/sites.toml").read_text("utf-8"))

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and any(c in node for c in ".#[") and " " not in node.strip()[:1]:
            out.add(node)

    walk(conf.get("sites", conf))
    return {s for s in out if not s.startswith("xpath:")}


EDGE = [
    "p", "div p", "h1", "*", ".a", ".a.b", "div.a", "#main", "div#main.a", "[hidden]", "[data-x=1]",
    "[rel=author]", "[rel~=author]", "[itemprop=author] [itemprop=name]", 'a[href="/x"]', "[class~=a]",
    "article h1", "main h1", ".byline .author", "body div section p", "DIV.A", "[ITEMPROP=name]",
    # not simple: parsel answers
    "a, b", "p:first-child", "a::attr(href)", "div > p", "div + p", ".a\\:b", "[x^=a]", ":not(p)", "",
]
HTML = """<html><body id="main" class="a">
<div class="a  b	c" id="main"><p class="x">one</p><section><p>two</p></section></div>
<div class="A b"><p data-x="1" hidden>three</p><a rel="author nofollow" href="/x">Ann</a></div>
<span itemprop="author" itemscope><b itemprop="name">Bo</b><span itemprop="author"><i itemprop="name">Cy</i></span></span>
<article><h1>t</h1><div class="byline"><span class="author">D</span></div></article><main><h1>u</h1></main>
<p class="a\u00a0b">nbsp</p><div class="b a a">dup</div><!-- c --><p rel="author">p</p><p class="" id="">e</p><p -x="1" _y="2">o</p>
</body></html>"""


def _same(root, queries):
    fast = PageSelector(root=root, type="html")
    slow = parsel.Selector(root=root, type="html")
    for q in queries:
        try:
            want = [s.root for s in slow.css(q)]
        except Exception as exc:  # noqa: BLE001 - the same error either way
            with pytest.raises(type(exc)):
                fast.css(q)
            continue
        got = [s.root for s in fast.css(q)]
        assert len(got) == len(want) and all(a is b or (isinstance(a, str) and a == b) for a, b in zip(got, want)), q


def test_edge_selectors_on_handwritten_markup():
    _same(parsel.Selector(text=HTML).root, EDGE + sorted(_site_selectors()))


def test_what_is_simple():
    assert parse_simple(".a.b #c [x=y]") is not None
    for q in ("a, b", "p:first-child", "a::attr(href)", "div > p", "", "[x~='a b']", "*"):
        assert parse_simple(q) is None, q


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("page.html")), ids=lambda p: "/".join(p.parts[-4:-1]))
def test_site_selectors_on_every_fixture(page):
    _same(page_for("https://fixture.invalid/x", page.read_bytes()).root, sorted(_site_selectors()) + EDGE)


def test_site_selectors_on_generated_pages():
    for i in range(0, 40, 7):
        _, html, _, _ = make_bench_page(i)
        _same(parsel.Selector(text=html).root, sorted(_site_selectors()))


_TAGS = st.sampled_from(["div", "p", "span", "a", "section", "article", "h1", "b"])
_ATTRS = st.sampled_from(["", ' class="a"', ' class="a b"', ' class=" b\ta "', ' id="x"', ' rel="author"',
                          ' itemprop="author"', ' itemprop="name"', ' class="A"', " hidden"])


@st.composite
def _tree(draw, depth=0):
    tag = draw(_TAGS)
    children = "" if depth >= 3 else "".join(draw(st.lists(_tree(depth + 1), max_size=3)))
    return f"<{tag}{draw(_ATTRS)}>t{children}</{tag}>"


@settings(max_examples=100, deadline=None)
@given(st.lists(_tree(), min_size=1, max_size=3))
def test_generated_markup(parts):
    _same(parsel.Selector(text="<html><body>" + "".join(parts) + "</body></html>").root, EDGE)


def test_results_are_selectors_of_the_same_kind():
    root = parsel.Selector(text=HTML).root
    sel = PageSelector(root=root, type="html")
    found = sel.css(".byline .author")
    assert found.getall() == ['<span class="author">D</span>'] and found[0].css("::text").get() == "D"
    assert isinstance(found[0], PageSelector)
    assert ElementIndex(root).by_class["a"][0] is root.find("body")


def _index_as_one_pass_over_every_element_makes_it(root):
    """The index (built over the elements with attributes) against one made from every element."""
    index = ElementIndex(root)
    every = list(root.iter(etree.Element))
    assert index.with_attributes == [el for el in every if el.attrib]
    by_id: dict = {}
    for el in every:
        if el.get("id") is not None:
            by_id.setdefault(el.get("id"), []).append(el)
    assert index.by_id == by_id
    assert index.with_class_or_id == [el for el in every if el.get("class") or el.get("id")]
    assert index.class_and_id == [f"{el.get('class') or ''} {el.get('id') or ''}" for el in index.with_class_or_id]
    assert {t: [el for el in every if t in attr_tokens(el.get("class"))] for t in index.by_class} == index.by_class
    assert all(token in index.by_class for el in every for token in attr_tokens(el.get("class")))
    for name in ("itemprop", "rel", "hidden", "data-x", "absent", "class", "id", "-x", "_y", "a.b"):  # (-x, a.b: no XPath name)
        want: dict = {}
        for el in every:
            if el.get(name) is not None:
                want.setdefault(el.get(name), []).append(el)
        assert index.with_attr(name) == want


def test_index_on_handwritten_markup_and_fixtures():
    root = parsel.Selector(text=HTML).root
    _index_as_one_pass_over_every_element_makes_it(root)
    index = ElementIndex(root)
    assert [el.tag for el in index.with_attr("itemprop")["name"]] == ["b", "i"]
    assert [el.tag for el in index.with_attributes][:3] == ["body", "div", "p"]
    for page in sorted(FIXTURES.rglob("page.html")):
        _index_as_one_pass_over_every_element_makes_it(page_for("https://fixture.invalid/x", page.read_bytes()).root)


@settings(max_examples=100, deadline=None)
@given(st.lists(_tree(), min_size=1, max_size=3))
def test_index_on_generated_markup(parts):
    _index_as_one_pass_over_every_element_makes_it(parsel.Selector(text="<html><body>" + "".join(parts) + "</body></html>").root)
