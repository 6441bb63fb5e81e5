"""Modules beside the article (:func:`crawler.extract.page.module_elements`, found by tag filters
and among the elements with a class or id) are exactly the elements the one-element test below
(what the page tested on every element before) accepts, on every fixture, on the shared
benchmark pages and on generated markup; and the page's candidates (the prose rule) are those of
the old whole-tree computation."""

from __future__ import annotations

import gzip
from pathlib import Path

import parsel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from crawler.extract.boilerplate import is_module_attr, is_module_heading
from crawler.extract.dom import element_text
from crawler.extract.page import ReviewPage, module_elements
from crawler.extract.select import ElementIndex
from crawler.normalize.text import clean_text
from crawler.sites.registry import page_for
from tests.support.markup import html_trees
from tests.support.sitegen import make_bench_page

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
SHARED = Path("/work/shared/benchmarks/article-extraction/html")
_string_value = etree.XPath("string()", smart_strings=False)
P = "The keeper climbs the stairs at dusk and lights the lamp, as his father did before him."


def _looks_like_module(el) -> bool:
    """The reference: one element at a time."""
    tag = el.tag
    if tag == "nav":
        return True
    if tag in ("aside", "footer") and not any(a.tag == "article" for a in el.iterancestors()):
        return True
    if (el.get("class") or el.get("id")) and tag not in ("html", "body", "main") and is_module_attr(
            f"{el.get('class') or ''} {el.get('id') or ''}"):
        return True
    if tag in ("section", "div", "aside", "ul", "ol"):
        first = el.find("*")
        if first is not None and first.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and is_module_heading(
                clean_text(element_text(first))):
            return True
    return False


def _reference_candidates(root) -> frozenset:
    found = {el for el in root.iter(etree.Element) if _looks_like_module(el)}
    main = root.find(".//main")
    if main is not None:
        found -= set(main.iterancestors())
    if found:
        def prose(el):
            return sum(len(_string_value(p)) for p in el.iter("p"))

        total = prose(root)
        found = {el for el in found if not (total and prose(el) * 2 >= total)}
    return frozenset(found)


def _agree(root) -> set:
    expected = {el for el in root.iter(etree.Element) if _looks_like_module(el)}
    assert module_elements(root) == expected
    assert module_elements(root, ElementIndex(root).with_class_or_id) == expected
    assert module_elements(root, ElementIndex(root).with_class_or_id, ElementIndex(root).class_and_id) == expected
    assert module_elements(root, list(root.iter(etree.Element))) == expected  # (more elements are allowed)
    return expected


def _pages():
    pages = sorted(FIXTURES.rglob("page.html"))
    return pages + (sorted(SHARED.glob("*"))[:60] if SHARED.is_dir() else [])


@pytest.mark.parametrize("path", _pages(), ids=lambda p: "/".join(p.parts[-3:]))
def test_same_modules_and_candidates_on_real_pages(path):
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    page = page_for("https://fixture.invalid/x", data)
    _agree(page.root)
    assert page._module_candidates == _reference_candidates(page.root)


def test_same_on_a_generated_review_page():
    slug, html, _, _ = make_bench_page(3)
    page = page_for(f"https://www.avclub.com/{slug}", html)
    found = _agree(page.root)
    assert found and page._module_candidates == _reference_candidates(page.root)


def test_what_is_a_module():
    html = (
        "<html><body class='sidebar'><main class='related'><nav><a>Home</a></nav>"
        "<article><aside id='a1'>own aside</aside><footer>credits</footer><h1>T</h1></article>"
        "<aside id='a2'>rail</aside><footer>site</footer>"
        "<div class='has-sidebar'>x</div><div class='rail'>y</div><p id='recirc-1'>z</p><p class='   '>w</p>"
        "<section><!-- c --><h2>Latest From Reviews</h2></section><section><p>a</p><h2>Latest</h2></section>"
        "<ul><h3>More from Film</h3></ul><span><h2>Latest</h2></span></main></body></html>"
    )
    root = parsel.Selector(text=html).root
    found = _agree(root)
    names = sorted(f"{el.tag}{'#' + el.get('id') if el.get('id') else ''}{'.' + el.get('class') if el.get('class') else ''}"
                   for el in found)
    assert names == ["aside#a2", "div.rail", "footer", "nav", "p#recirc-1", "section", "ul"]
    index = ElementIndex(root)
    assert [el.get("class") or el.get("id") for el in index.with_class_or_id] == [
        "sidebar", "related", "a1", "a2", "has-sidebar", "rail", "recirc-1", "   "]


_TAGS = ["div", "p", "span", "a", "section", "article", "aside", "footer", "nav", "main", "ul", "ol", "li",
          "h1", "h2", "h3", "br", "em"]
_ATTRS = ["", ' class="related"', ' id="sidebar"', ' class="has-sidebar"', ' class="no-comments"', ' class=""',
           ' id=""', ' class=" "', ' class="comments list"', ' class="x" id="rail"', ' class="teaser\u00a0x"']
_TEXT = ["", P, "Latest From Reviews", "More from Film", "12 comments", "Harbor Lights", "x", " "]


@settings(max_examples=200, deadline=None)
@given(st.lists(html_trees(_TAGS, _ATTRS, _TEXT), min_size=1, max_size=4))
def test_same_on_generated_markup(parts):
    root = parsel.Selector(text="<html><body>" + "".join(parts) + "</body></html>").root
    _agree(root)
    page = ReviewPage("https://fixture.invalid/x", "<html><body>" + "".join(parts) + "</body></html>")
    assert page._module_candidates == _reference_candidates(page.root)
