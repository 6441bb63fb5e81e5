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
