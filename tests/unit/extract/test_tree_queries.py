"""The page's fixed tree queries read by lxml's tag filters (:mod:`crawler.extract.dom`) give
what the XPath queries they replace give, on every fixture and on edge cases."""

from __future__ import annotations

from pathlib import Path

import parsel
import pytest

from crawler.extract.dom import canonical_href, dating_times, jsonld_scripts, title_text

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"

EDGE = """<html><head><title></title><title>Second</title><link rel="alternate canonical" href="/a">
<link rel="canonical"><link rel="Canonical" href="/b"><link rel="canonical" href="/c">
<script type="application/ld+json">{"a": 1}</script><script type="application/ld+json"></script>
<script type="application/LD+json">{}</script></head><body>
<article><p><time datetime="2025-01-02">Jan 2</time><time>Jan 3</time></p></article>
<time itemprop="datePublished">May 1</time><time class="published-at" datetime="2025-05-01">x</time>
<time class="published">no datetime</time><div class="post-byline"><span><time datetime="2025-06-01">y</time></span></div>
<div class="dateline"><time>June 2</time></div><time datetime="2025-07-01">outside</time></body></html>"""


def _check(sel: parsel.Selector) -> None:
    root = sel.root
    assert jsonld_scripts(root) == sel.xpath('//script[@type="application/ld+json"]/text()').getall()
    assert title_text(root) == sel.xpath("//title/text()").get()
    assert canonical_href(root) == sel.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href').get()
    dated = ('//article//time[@datetime] | //time[@itemprop="datePublished"] | //time[contains(@class,"publish")]'
             ' | //*[contains(@class,"byline") or contains(@class,"dateline")]//time[@datetime]')
    assert dating_times(root, with_datetime=True) == [s.root for s in sel.xpath(dated) if s.root.get("datetime") is not None]
    undated = ('//article//time[not(@datetime)] | //time[@itemprop="datePublished"][not(@datetime)]'
               ' | //*[contains(@class,"byline") or contains(@class,"dateline")]//time[not(@datetime)]')
    assert dating_times(root, with_datetime=False) == [s.root for s in sel.xpath(undated)]


def test_edge_cases():
    sel = parsel.Selector(text=EDGE)
    _check(sel)
    assert canonical_href(sel.root) == "/a" and title_text(sel.root) == "Second"
    assert [t.text for t in dating_times(sel.root, with_datetime=True)] == ["Jan 2", "x", "y"]
    assert [t.text for t in dating_times(sel.root, with_datetime=False)] == ["Jan 3", "May 1", "June 2"]


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("page.html")), ids=lambda p: "/".join(p.parts[-4:-1]))
def test_every_fixture(page):
    _check(parsel.Selector(text=page.read_text("utf-8", "replace")))


def test_attribute_tokens_split_on_xml_space_only():
    from crawler.extract.dom import attr_tokens

    assert attr_tokens("a") == ["a"]
    assert attr_tokens(" a  b\tc\r\nd ") == ["a", "b", "c", "d"]
    assert attr_tokens("a\u00a0b") == ["a\u00a0b"]  # a no-break space is no separator
    assert attr_tokens("") == [] and attr_tokens(None) == [] and attr_tokens("   ") == []


def test_node_text_is_xpaths_string_of_every_element():
    """``node_text`` (libxml2's node content) is XPath's ``string()`` of any element: text
    nodes only (no comment, no tail), on every fixture and on edge markup."""
    from lxml import etree

    from crawler.extract.dom import node_text
    from crawler.sites.registry import page_for

    xpath = etree.XPath("string()", smart_strings=False)
    edge = ("<html><body><p>a<!-- no --><b>b<?pi no?></b>c<script>s</script>&amp;&nbsp;&#x1F600;"
            "<br>d</p>tail<div><![CDATA[x]]>e\u00e9</div></body></html>")
    roots = [parsel.Selector(text=edge).root]
    roots += [page_for("https://fixture.invalid/x", p.read_bytes()).root for p in sorted(FIXTURES.rglob("page.html"))]
    checked = 0
    for root in roots:
        for el in root.iter(etree.Element):
            assert node_text(el) == xpath(el), etree.tostring(el)[:80]
            checked += 1
    assert checked > 1000
