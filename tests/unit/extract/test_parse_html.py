"""One parse per page: :func:`crawler.extract.dom.parse_html` gives the tree parsel gives
(``parsel.Selector(...).root``), byte for byte, with lxml's plain element classes for HTML."""

from __future__ import annotations

from pathlib import Path

import parsel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from crawler.extract.dom import ascii_space_ends, parse_html
from tests.support.sitegen import make_bench_page

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"

CASES = [
    "<html><head><title>T</title></head><body><p>Hello <b>world</b></p><!-- c --></body></html>",
    "  \n<!doctype html><p>unclosed<div>soup",
    "<p>caf\u00e9 \u2014 na\u00efve</p>",
    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>',
    '{"a": 1}',
    "plain text, no markup",
    "",
    "\ufeff<html><body>bom</body></html>",
]


def _reference(text: str, body: bytes | None):
    if body is not None:
        return parsel.Selector(body=body, encoding="utf-8", base_url="https://x.invalid/").root
    return parsel.Selector(text=text or "<html></html>", base_url="https://x.invalid/").root


def _same(a, b) -> None:
    if isinstance(b, etree._Element):
        assert etree.tostring(a, encoding="unicode") == etree.tostring(b, encoding="unicode")
    else:
        assert a == b


@pytest.mark.parametrize("text", CASES)
def test_same_tree_as_parsel_from_text_and_bytes(text):
    _same(parse_html(text, "https://x.invalid/"), _reference(text, None))
    if text:
        _same(parse_html(text, "https://x.invalid/", text.encode("utf-8")), _reference(text, text.encode("utf-8")))


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("page.html"))[:40], ids=lambda p: "/".join(p.parts[-3:-1]))
def test_same_tree_on_fixtures(page):
    body = page.read_bytes()
    text = body.decode("utf-8", "replace")
    _same(parse_html(text, "https://x.invalid/", body if body.decode("utf-8", "replace") == text else None),
          _reference(text, None))


def test_html_gets_plain_elements():
    _, html, _, _ = make_bench_page(1)
    root = parse_html(html, "https://x.invalid/", html.encode("utf-8"))
    assert type(root) is etree._Element
    assert all(type(el) in (etree._Element, etree._Comment, etree._ProcessingInstruction, etree._Entity) for el in root.iter())
    # what parsel's root would hold, without lxml.html's classes
    ref = _reference(html, html.encode("utf-8"))
    assert etree.tostring(root) == etree.tostring(ref)


_SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u2003", "\u3000", "\x1c", "\x85", "x", "<p>", "é"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_SPACES), max_size=30), st.integers(0, 700), st.lists(st.sampled_from(_SPACES), max_size=30),
       st.sampled_from(["x", " ", "\u2003"]))
def test_ascii_space_ends_is_the_two_strips(head, middle, tail, fill):
    """Read from the ends of a page (short and long, ends of spaces longer than 256 included),
    the answer of comparing its two strips."""
    for text in ("".join(head) + fill * middle + "".join(tail), "".join(head) * 20 + "x" * middle + "".join(tail) * 20):
        assert ascii_space_ends(text) == (len(text.strip()) == len(text.strip(" \t\n\r\x0b\x0c"))), repr(text[:40])
