"""Structured data read from the page's one tree: microdata and RDFa at any size."""

from __future__ import annotations

import pytest

from crawler.api import extract_review
from crawler.extract.structured import MAX_ITEMS, microdata_items

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
