"""Structured data read from the page's one tree: microdata and RDFa at any size."""

from __future__ import annotations

import pytest

from crawler.api import extract_review
from crawler.extract.structured import MAX_ITEMS, microdata_items, rdfa_items
from crawler.sites.registry import page_for

_REVIEW = ('<div itemscope itemtype="https://schema.org/Review"><h1 itemprop="name">Harbor Lights review</h1>'
           '<span itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
           '<meta itemprop="ratingValue" content="4"><meta itemprop="bestRating" content="5"></span>'
           '<div itemprop="reviewBody"><p>' + "A quiet and careful film about a lighthouse keeper. " * 20 + '</p></div></div>')


@pytest.mark.parametrize("n", [1_001, 5_000])
def test_thousands_of_microdata_items_give_a_record_or_none(n):
    """More scopes than are read, nested in one list: no exception (it was a KeyError)."""
    entry = '<div itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><b itemprop="name">x</b></div>'
    html = (f'<html><body><article>{_REVIEW}<div itemscope itemtype="https://schema.org/ItemList">{entry * n}</div>'
            "</article></body></html>")
    record = extract_review(html, "https://micro.example/review/harbor-lights")
    assert record is None or record["grade"]["score"] == 80


def test_items_past_the_limit_are_not_read():
    html = "<html><body>" + '<div itemscope itemtype="https://schema.org/Thing"><b itemprop="name">x</b></div>' * (MAX_ITEMS * 6) + "</body></html>"
    import lxml.html

    assert len(microdata_items(lxml.html.fromstring(html))) == MAX_ITEMS


def test_markup_written_in_capitals_is_read():
    """HTML attribute names are case-insensitive (the parser lowers them): ``ITEMSCOPE`` and
    ``TYPEOF`` open items as their lower-case spellings do."""
    import lxml.html

    upper = _REVIEW.replace("itemscope", "ITEMSCOPE").replace("itemprop", "ItemProp").replace("itemtype", "ITEMTYPE")
    page = page_for("https://micro.example/r/1", f"<html><body><article>{upper}</article></body></html>")
    assert page.review_node == page_for("https://micro.example/r/1", _REVIEW).review_node
    assert page.review_node["reviewRating"]["ratingValue"] == "4"
    page.to_item()
    assert page.sources["grade"] == "microdata"
    rdfa = lxml.html.fromstring('<div TYPEOF="Review"><span PROPERTY="name">Harbor</span></div>')
    assert rdfa_items(rdfa) == [
        {"@source": "rdfa", "@type": "Review", "name": "Harbor"}]


def test_items_of_a_subtree_are_its_own():
    import lxml.html

    root = lxml.html.fromstring('<html><body><div id="a"><p itemscope itemtype="https://schema.org/Person">'
                                '<b itemprop="name">Ann</b></p></div><div id="b" itemscope '
                                'itemtype="https://schema.org/Thing"><b itemprop="name">x</b></div></body></html>')
    (a,) = root.xpath("//div[@id='a']")
    (b,) = root.xpath("//div[@id='b']")
    assert microdata_items(a) == [{"@source": "microdata", "@type": "Person", "name": "Ann"}]
    assert microdata_items(b) == [{"@source": "microdata", "@type": "Thing", "name": "x"}]
    assert [i["@type"] for i in microdata_items(root)] == ["Person", "Thing"]


def test_items_are_read_when_the_attribute_search_cache_is_full(monkeypatch):
    """The compiled searches are cached for at most 256 names; a name past that is still
    searched (compiled for the call), never None: structured data is read on every page."""
    import lxml.html
    from lxml import etree

    from crawler.extract import dom

    full = {f"data-x{i}": etree.XPath(f"descendant-or-self::*/@data-x{i}") for i in range(256)}
    monkeypatch.setattr(dom, "_ATTRIBUTE_SEARCHES", full)
    root = lxml.html.fromstring('<div typeof="Review"><span property="name">Harbor</span></div>')
    assert [str(a) for a in dom.attribute_search("typeof")(root)] == ["Review"]
    assert "typeof" not in full  # (the cache keeps its bound)
    assert rdfa_items(root) == [{"@source": "rdfa", "@type": "Review", "name": "Harbor"}]
    assert dom.attribute_search("not a name") is None
