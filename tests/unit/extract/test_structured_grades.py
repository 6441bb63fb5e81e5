"""A review's schema.org ``Rating`` read by the page, in every shape the format allows, through
JSON-LD, microdata and RDFa (issue 14). Each page is a small invented document read through
``crawler.api.extract_review``; the grade must be the rating's or, when the rating is not sure
(a scale that disagrees with its value, a scale not starting at 0 or 1), missing: never guessed.
"""

from __future__ import annotations

import json

import pytest

from crawler.api import extract_review
from crawler.extract.page import ReviewPage

BODY = " ".join(["The lighthouse keeper counts the ships at night and writes their names in a book."] * 12)
URL = "https://critic.example/reviews/harbor-lights"


def num(raw, value, best, score, scale="numeric"):
    return {"raw": raw, "scale": scale, "value": value, "best": best, "score": score, "letter": None}


def letter(raw, score, key):
    return {"raw": raw, "scale": "letter", "value": score, "best": 100, "score": score, "letter": key}


def jsonld_page(rating) -> str:
    node = {"@context": "https://schema.org", "@type": "Review", "name": "Harbor Lights review",
            "itemReviewed": {"@type": "Movie", "name": "Harbor Lights"},
            "author": {"@type": "Person", "name": "Pia Vance"}, "reviewRating": rating}
    return (f'<html lang="en"><head><title>Harbor Lights review</title>'
            f'<script type="application/ld+json">{json.dumps(node)}</script></head><body><article>'
            f'<h1>Harbor Lights review</h1><div class="article-body"><p>{BODY}</p></div></article></body></html>')


def _props(attr: str, props: dict) -> str:
    return "".join(f'<meta {attr}="{k}" content="{v}">' for k, v in props.items())


def microdata_page(rating) -> str:
    """*rating*: a dict of Rating properties (an itemscope) or a string (the property's value)."""
    if isinstance(rating, dict):
        inner = (f'<div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
                 f'{_props("itemprop", rating)}</div>')
    else:
        inner = f'<meta itemprop="reviewRating" content="{rating}">'
    return ('<html lang="en"><head><title>Harbor Lights review</title></head><body>'
            '<article itemscope itemtype="https://schema.org/Review">'
            '<h1 itemprop="name">Harbor Lights review</h1>'
            '<div itemprop="itemReviewed" itemscope itemtype="https://schema.org/Movie"><meta itemprop="name" content="Harbor Lights"></div>'
            '<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Pia Vance</span></span>'
            f'{inner}<div itemprop="reviewBody"><p>{BODY}</p></div></article></body></html>')


def rdfa_page(rating) -> str:
    if isinstance(rating, dict):
        inner = f'<div property="reviewRating" typeof="Rating">{_props("property", rating)}</div>'
    else:
        inner = f'<span property="reviewRating">{rating}</span>'
    return ('<html lang="en"><head><title>Harbor Lights review</title></head><body>'
            '<article vocab="https://schema.org/" typeof="Review"><h1 property="name">Harbor Lights review</h1>'
            '<div property="itemReviewed" typeof="Movie"><span property="name">Harbor Lights</span></div>'
            '<span property="author" typeof="Person"><span property="name">Pia Vance</span></span>'
            f'{inner}<div property="reviewBody"><p>{BODY}</p></div></article></body></html>')


# (rating as a dict of properties, the grade) -- the same table is read as JSON-LD, microdata, RDFa
SHAPES = [
    ({"ratingValue": "B+", "bestRating": "A", "worstRating": "F"}, letter("B+", 83, "B+")),
    ({"ratingValue": "C-", "bestRating": "A+", "worstRating": "F"}, letter("C-", 42, "C-")),
    ({"ratingValue": "85%"}, num("85%", 85, 100, 85)),
    ({"ratingValue": "62 %", "bestRating": "100"}, num("62 %", 62, 100, 62)),
    ({"ratingValue": "4 / 5"}, num("4 / 5", 4, 5, 80)),
    ({"ratingValue": "7 / 10", "bestRating": "10"}, num("7 / 10", 7, 10, 70)),
    ({"ratingValue": "3", "bestRating": "5", "worstRating": "1"}, num("3/5", 3, 5, 60)),
    ({"ratingValue": "4"}, num("4/5", 4, 5, 80)),  # no bestRating: out of 5
    ({"ratingValue": "3,5", "bestRating": "4"}, num("3.5/4", 3.5, 4, 88)),
    ({"ratingValue": "4 out of 5"}, num("4 out of 5", 4, 5, 80)),
    ({"ratingValue": "★★★★☆"}, num("★★★★☆", 4, 5, 80, "stars")),
    ({"ratingValue": "3 stars", "bestRating": "4"}, num("3 stars", 3, 4, 75, "stars")),
]
# ratings that are not sure: the grade is missing (and the page, a review, is still exported)
UNSURE = [
    {"ratingValue": "B", "bestRating": "5"},  # a letter on a number scale
    {"ratingValue": "3", "bestRating": "A+", "worstRating": "F"},  # a number on a letter scale
    {"ratingValue": "4 / 5", "bestRating": "10"},  # the text's scale and bestRating disagree
    {"ratingValue": "85%", "bestRating": "5"},
    {"ratingValue": "6", "bestRating": "10", "worstRating": "5"},  # a scale starting at 5
    {"ratingValue": "8"},  # out of 5 by default: out of range, never clamped
    {"ratingValue": "★★★"},  # glyphs with no scale
]


@pytest.mark.parametrize("rating,expected", SHAPES)
def test_jsonld_rating_shapes(rating, expected):
    rec = extract_review(jsonld_page({"@type": "Rating", **rating}), URL)
    assert rec is not None and rec["grade"] == expected


@pytest.mark.parametrize("rating,expected", SHAPES)
def test_jsonld_rating_as_json_text(rating, expected):
    rec = extract_review(jsonld_page(json.dumps({"@type": "Rating", **rating})), URL)
    assert rec is not None and rec["grade"] == expected


@pytest.mark.parametrize("rating,expected", SHAPES)
def test_microdata_rating_shapes(rating, expected):
    rec = extract_review(microdata_page(rating), URL)
    assert rec is not None and rec["grade"] == expected


@pytest.mark.parametrize("rating,expected", SHAPES)
def test_rdfa_rating_shapes(rating, expected):
    rec = extract_review(rdfa_page(rating), URL)
    assert rec is not None and rec["grade"] == expected


@pytest.mark.parametrize("make", [jsonld_page, lambda r: jsonld_page(json.dumps(r)), microdata_page, rdfa_page],
                         ids=["jsonld", "jsonld-text", "microdata", "rdfa"])
@pytest.mark.parametrize("rating", UNSURE, ids=[json.dumps(r, ensure_ascii=False) for r in UNSURE])
def test_unsure_ratings_give_no_grade(make, rating):
    rec = extract_review(make(rating), URL)
    assert rec is not None and rec["grade"] is None


@pytest.mark.parametrize("make", [jsonld_page, microdata_page, rdfa_page], ids=["jsonld", "microdata", "rdfa"])
@pytest.mark.parametrize("text,expected", [
    ("4/5", num("4/5", 4, 5, 80)),
    ("8 / 10", num("8 / 10", 8, 10, 80)),
    ("B-", letter("B-", 67, "B-")),
    ("70%", num("70%", 70, 100, 70)),
])
def test_rating_given_as_a_plain_string(make, text, expected):
    rec = extract_review(make(text), URL)
    assert rec is not None and rec["grade"] == expected


def test_json_text_with_escaped_letter_scale():
    """The issue's own shape: ``"reviewRating": "{\\"ratingValue\\": \\"B+\\", ...}"``."""
    node = ('{"@context": "https://schema.org", "@type": "Review", "author": {"@type": "Person", "name": "Pia Vance"},'
            ' "itemReviewed": {"@type": "Movie", "name": "Harbor Lights"},'
            ' "reviewRating": "{\\"ratingValue\\": \\"B+\\", \\"bestRating\\": \\"A\\", \\"worstRating\\": \\"F\\"}"}')
    html = (f'<html><head><title>Harbor Lights review</title><script type="application/ld+json">{node}</script></head>'
            f'<body><article><h1>Harbor Lights review</h1><p>{BODY}</p></article></body></html>')
    rec = extract_review(html, URL)
    assert rec is not None and rec["grade"] == letter("B+", 83, "B+")


def test_aggregate_rating_is_no_grade_in_any_syntax():
    rec = extract_review(jsonld_page({"@type": "AggregateRating", "ratingValue": "4", "bestRating": "5"}), URL)
    assert rec is not None and rec["grade"] is None
    rec = extract_review(jsonld_page(json.dumps({"@type": "AggregateRating", "ratingValue": "4", "bestRating": "5"})), URL)
    assert rec is not None and rec["grade"] is None


def test_site_scale_is_the_default_for_a_bare_number_only():
    """A site that grades out of 4: a bare ``ratingValue`` is out of 4, a fraction keeps its own scale."""
    page = ReviewPage(URL, jsonld_page({"ratingValue": "3"}))
    page.grade_best = 4
    assert page.grade()["best"] == 4 and page.grade()["score"] == 75
    page = ReviewPage(URL, jsonld_page({"ratingValue": "4/5"}))
    page.grade_best = 4
    assert page.grade()["best"] == 5
    page = ReviewPage(URL, jsonld_page({"ratingValue": "★★★½"}))
    page.grade_best = 4
    assert page.grade()["score"] == 88


def test_rating_outside_a_review_item_microdata_and_rdfa():
    """A ``reviewRating`` property on an element of its own (not inside a Review item)."""
    for attr in ("itemprop", "property"):
        scope = 'itemscope itemtype="https://schema.org/Rating"' if attr == "itemprop" else 'typeof="Rating"'
        rating = (f'<div {attr}="reviewRating" {scope}><meta {attr}="ratingValue" content="B">'
                  f'<meta {attr}="bestRating" content="5"></div>')
        html = (f'<html><head><title>Harbor Lights review</title></head><body><article><h1>Harbor Lights review</h1>'
                f'{rating}<p>Director: Cy Moon</p><div class="article-body"><p>{BODY}</p></div></article></body></html>')
        rec = extract_review(html, URL)
        assert rec is None or rec["grade"] is None, attr  # "B" on a 5-point scale: contradictory
