"""``element_text`` reads an element as ``iter_text`` does, also where lxml reads it in one call
(no skipped, block or ``<br>`` element inside), and ``iter_text`` enters a skipped tag only when
it holds *stop*."""

from __future__ import annotations

from pathlib import Path

import parsel
import pytest
from lxml import etree

from crawler.extract.dom import element_text, iter_text

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"

CASES = [
    "<h1>Harbor <em>Lights</em><!-- c -->!</h1>",
    "<p>one<br>two</p>",
    "<span>a<script>x()</script>b</span>",
    "<div>a<p>b</p>c</div>",
    "<a href='/x'>Ann <b>Lee</b></a> tail",
    "<script>var a;</script>",
    "<td>cell</td>",
    "<span>caf\u00e9 <?pi x?>after</span>",
]


def _elements(html: str):
    root = parsel.Selector(text=f"<html><body>{html}</body></html>").root
    return [el for el in root.iter(etree.Element)]


@pytest.mark.parametrize("html", CASES)
def test_same_as_iter_text(html):
    for el in _elements(html):
        assert element_text(el) == "".join(iter_text(el)), el.tag


def test_values():
    h1 = _elements(CASES[0])[2]
    assert element_text(h1) == "\nHarbor Lights!\n"
    assert element_text(_elements(CASES[1])[2]) == "\none\ntwo\n"
    assert element_text(_elements(CASES[2])[2]) == "ab"


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("page.html"))[:60], ids=lambda p: "/".join(p.parts[-3:-1]))
def test_same_on_fixtures(page):
    root = parsel.Selector(text=page.read_text("utf-8", "replace")).root
    for el in root.iter(etree.Element):
        assert element_text(el) == "".join(iter_text(el))


def test_stop_inside_a_skipped_tag_is_reached():
    root = parsel.Selector(text="<html><body><p>grade A</p><button><span><h1>T</h1></span></button><p>after</p></body></html>").root
    h1 = root.find(".//h1")
    assert "".join(iter_text(root.find("body"), stop=h1)) == "\ngrade A\n"
    # without stop the button is skipped
    assert "".join(iter_text(root.find("body"))) == "\ngrade A\n\nafter\n"


# texts that clean to nothing (whitespace, invisible and control characters, Unicode spaces)
# and texts that do not (a combining mark alone, NEL's neighbours, a letter after a soft hyphen)
_PIECES = ["", " ", "\n\t", "\u200b", "\u00ad", "\ufeff", "\x01", "\x7f", "\x1c", "\x85", "\u00a0", "\u2003",
           "\u2028", "\u202e", "\u0301", "e\u0301", "x", "\u00adx", "\u3000", "\u1fef", "\u2000"]


def _has_text_cases():
    from hypothesis import strategies as st

    from tests.support.markup import html_trees

    text = st.lists(st.sampled_from(_PIECES), max_size=3).map("".join)
    return st.lists(html_trees(["div", "p", "span", "a", "script", "br", "h1", "td", "noscript"], ["", ' class="x"'],
                               _PIECES), min_size=1, max_size=3).map("".join), text


def test_has_text_is_whether_the_cleaned_text_is_empty():
    from hypothesis import given, settings

    from crawler.extract.dom import has_text
    from crawler.normalize.text import clean_text

    markup, text = _has_text_cases()

    @settings(max_examples=300, deadline=None)
    @given(markup, text)
    def check(html, tail):
        for el in _elements(html + tail):
            assert has_text(el) == bool(clean_text(element_text(el))), (el.tag, html)

    check()
    for piece in _PIECES:  # each piece alone, and every pair joined in one text
        for other in _PIECES:
            el = _elements(f"<div><p>{piece}</p><span>{other}</span>{piece}{other}</div>")[2]
            assert has_text(el) == bool(clean_text(element_text(el))) == bool(clean_text(piece + other))
    assert [has_text(el) for el in _elements("<div><p>\u200b</p><p> \u00a0</p></div><p>x</p>")] == [
        True, True, False, False, False, True]


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("page.html")), ids=lambda p: "/".join(p.parts[-4:-1]))
def test_has_text_on_every_fixture(page):
    from crawler.extract.dom import has_text
    from crawler.normalize.text import clean_text

    from crawler.sites.registry import page_for

    root = page_for("https://fixture.invalid/x", page.read_bytes()).root
    for el in list(root.iter(etree.Element))[:600]:
        assert has_text(el) == bool(clean_text(element_text(el))), el.tag
