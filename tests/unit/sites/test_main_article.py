"""Fields come from the main article only (issue 14): title, grade, credits, authors and dates
ignore teasers, rails, related and "latest from" modules, comments and footers; authors are
names; a time without a zone takes the page's offset from another source or stays a date.

Whole invented pages (our own prose), read through ``extract_review`` as the crawl reads them."""

from __future__ import annotations

import json

import pytest

from crawler.api import extract_review, page_for
from crawler.extract.page import author_names

P = ("Marguerite Oyelaran's film follows a lighthouse keeper through one long winter, and it "
     "trusts its audience to sit with the silence between the storms. ")
BODY = "".join(f"<p>{P * 2}Paragraph {i}.</p>" for i in range(6))


def _page(*, head: str = "", before: str = "", article: str = "", after: str = "", title: str = "Pier Weekly") -> str:
    return (f"<html lang='en'><head><title>{title}</title>{head}</head><body>"
            f"<nav class='site-nav'><a href='/'>Home</a></nav>{before}"
            f"<main>{article}{after}</main>"
            "<footer class='site-footer'><p>Director: Nobody Real</p><span class='author-name'>Site Staff</span></footer>"
            "</body></html>")


def _ld(node: dict) -> str:
    return f"<script type='application/ld+json'>{json.dumps(node)}</script>"


REVIEW_LD = {"@context": "https://schema.org", "@type": "Review", "name": "The Lantern Winter",
             "itemReviewed": {"@type": "Movie", "name": "The Lantern Winter"},
             "reviewRating": {"@type": "Rating", "ratingValue": 4, "bestRating": 5}}

TEASER_RAIL = """
<section class="latest-reviews"><h2>Latest From Reviews</h2>
  <article class="teaser"><h1>Copper Sky review: a western that forgets its horses</h1>
    <div class="grade">B</div><span class="rating">★★★☆☆</span>
    <p>Director: Tamsin Hale</p><p>Starring: Ivo Brandt, Lale Koru</p>
    <div class="byline"><span class="author">Rail Writer</span></div>
    <time class="publish" datetime="2019-03-03T10:00:00Z">March 3, 2019</time>
  </article>
</section>"""


def test_a_teaser_rail_before_the_article_feeds_no_field_avclub():
    # An article page that is not a review: the rail's teaser has an <article><h1> and a grade.
    html = _page(
        before=TEASER_RAIL,
        article=("<div class='post'><h1 class='headline'>Why lighthouse films keep coming back</h1>"
                 f"<div class='byline'>By <span class='author'>Juno Farrow</span></div>{BODY}</div>"),
    )
    page = page_for(html, "https://www.avclub.com/why-lighthouse-films-keep-coming-back")
    assert page.title() == "Why lighthouse films keep coming back"
    assert page.grade() is None
    assert page.credits()["director"] == [] and page.credits()["starring"] == []
    assert page.authors() == ["Juno Farrow"]
    assert page.published_at() is None
    assert extract_review(html, "https://www.avclub.com/why-lighthouse-films-keep-coming-back") is None


def test_a_generic_review_keeps_its_own_fields_beside_a_latest_from_module():
    html = _page(
        head=_ld(REVIEW_LD) + "<meta property='article:published_time' content='2025-06-01T08:00:00-04:00'>",
        article=("<article><h1>The Lantern Winter review: a keeper's long dark</h1>"
                 f"<div class='byline'>By <span class='author'>Juno Farrow</span></div>{BODY}"
                 "<p>Director: Marguerite Oyelaran</p></article>"),
        after=TEASER_RAIL,
    )
    rec = extract_review(html, "https://pier-weekly.example/reviews/the-lantern-winter")
    assert rec["title"] == "The Lantern Winter review: a keeper's long dark"
    assert rec["grade"]["score"] == 80  # the structured 4/5, not the teaser's B or three stars
    assert rec["credits"]["director"] == ["Marguerite Oyelaran"] and rec["credits"]["starring"] == []
    assert rec["authors"] == ["Juno Farrow"]
    assert rec["published_at"] == "2025-06-01T12:00:00Z"


def test_a_star_teaser_in_a_sidebar_is_no_grade():
    html = _page(
        article=("<div class='post'><h1>The Lantern Winter review</h1>"
                 f"<div class='byline'>By <span class='author'>Juno Farrow</span></div>{BODY}"
                 "<p>Director: Marguerite Oyelaran</p></div>"),
        after=("<aside><h3>Most popular</h3><ul><li><a href='/r/1'>Copper Sky</a>"
               "<span class='rating' aria-label='Rated 2 out of 5'>★★☆☆☆</span></li></ul></aside>"),
    )
    page = page_for(html, "https://pier-weekly.example/reviews/the-lantern-winter")
    assert page.grade() is None and "grade_conflict" not in page.problems


def test_comments_and_the_site_footer_give_no_author_or_credits():
    html = _page(
        article=("<article><h1>The Lantern Winter review</h1>"
                 f"<p class='byline'>By <span class='author-name'>Juno Farrow</span></p>{BODY}</article>"),
        after=("<section id='comments'><h2>12 comments</h2>"
               "<div class='comment'><span class='author-name'>harbourfan77</span><p>Starring: me, obviously</p></div>"
               "<div class='comment'><span class='author-name'>Quill Ostrander</span><p>Loved it.</p></div></section>"),
    )
    page = page_for(html, "https://pier-weekly.example/reviews/the-lantern-winter")
    assert page.authors() == ["Juno Farrow"]
    assert page.credits()["starring"] == [] and page.credits()["director"] == []


def test_authors_are_names_without_separators_or_duplicates():
    html = _page(article=(
        "<article><h1>The Lantern Winter review</h1>"
        "<div class='byline'>By <a rel='author' href='/authors/juno-farrow'>Juno Farrow,</a> "
        "<a rel='author' href='/authors/olu-brandt'>and Olu Brandt</a></div>"
        f"{BODY}<div class='bio'><a rel='author' href='/authors/juno-farrow'>Juno Farrow</a></div></article>"))
    page = page_for(html, "https://pier-weekly.example/reviews/the-lantern-winter")
    assert page.authors() == ["Juno Farrow", "Olu Brandt"]


def test_one_byline_element_with_two_names_gives_two_names():
    html = _page(article=("<article><h1>The Lantern Winter review</h1>"
                          "<div class='byline'><span class='author'>By Juno Farrow and Olu Brandt</span></div>"
                          f"{BODY}</article>"))
    assert page_for(html, "https://pier-weekly.example/r").authors() == ["Juno Farrow", "Olu Brandt"]


def test_an_author_url_is_never_a_name():
    # microdata: itemprop=author on a link reads its href; JSON-LD may give the author page's URL.
    html = _page(article=("<article itemscope itemtype='https://schema.org/Review'>"
                          "<h1 itemprop='name'>The Lantern Winter review</h1>"
                          "<a itemprop='author' href='https://pier-weekly.example/authors/juno-farrow'></a>"
                          f"{BODY}</article>"))
    assert page_for(html, "https://pier-weekly.example/r").authors() == []
    ld = {**REVIEW_LD, "author": ["https://pier-weekly.example/authors/juno-farrow", {"@type": "Person", "name": "Olu Brandt"}]}
    html = _page(head=_ld(ld), article=f"<article><h1>The Lantern Winter review</h1>{BODY}</article>")
    assert page_for(html, "https://pier-weekly.example/r").authors() == ["Olu Brandt"]


def test_a_time_without_a_zone_takes_the_offset_the_page_states_elsewhere():
    ld = {**REVIEW_LD, "datePublished": "2025-06-01T08:00:00", "dateModified": "2025-06-02T09:30:00"}
    html = _page(head=_ld(ld) + "<meta property='article:modified_time' content='2025-06-02T09:30:00-04:00'>",
                 article=f"<article><h1>The Lantern Winter review</h1>{BODY}</article>")
    page = page_for(html, "https://pier-weekly.example/r")
    assert page.published_at() == "2025-06-01T12:00:00Z"  # -04:00 from the modified time's meta
    assert page.modified_at() == "2025-06-02T13:30:00Z"


def test_a_time_without_a_zone_and_no_offset_anywhere_stays_a_date():
    ld = {**REVIEW_LD, "datePublished": "2025-06-01T23:30:00"}
    html = _page(head=_ld(ld), article=f"<article><h1>The Lantern Winter review</h1>{BODY}</article>")
    rec = extract_review(html, "https://pier-weekly.example/r")
    assert rec["published_at"] == "2025-06-01"


def test_a_time_with_its_zone_is_read_as_given():
    ld = {**REVIEW_LD, "datePublished": "2025-06-01T23:30:00+02:00"}
    html = _page(head=_ld(ld), article=f"<article><h1>The Lantern Winter review</h1>{BODY}</article>")
    assert page_for(html, "https://pier-weekly.example/r").published_at() == "2025-06-01T21:30:00Z"


@pytest.mark.parametrize("raw,names", [
    (["Juno Farrow,", "and Olu Brandt"], ["Juno Farrow", "Olu Brandt"]),
    (["By Juno Farrow and Olu Brandt"], ["Juno Farrow", "Olu Brandt"]),
    (["Juno Farrow, Olu Brandt, and Ivo Kern"], ["Juno Farrow", "Olu Brandt", "Ivo Kern"]),
    (["Juno Farrow & Olu Brandt, Pier Weekly"], ["Juno Farrow", "Olu Brandt"]),
    (["By JUNO FARROW, Pier Weekly Film Writer"], ["JUNO FARROW"]),
    (["Review by Juno Farrow, PhD"], ["Juno Farrow"]),
    (["Juno Farrow", "juno farrow", "Juno Farrow"], ["Juno Farrow"]),
    (["https://pier-weekly.example/authors/juno-farrow", "www.pier-weekly.example/juno", "/authors/juno"], []),
    (["juno@pier-weekly.example"], []),
    (["JUNE 1, 2025 10:43"], []),
    ([", Pier Weekly"], ["Pier Weekly"]),
    (["", "  ", ","], []),
])
def test_author_names(raw, names):
    assert author_names(raw) == names


def test_a_layout_wrapper_named_like_a_sidebar_is_not_a_module():
    # No <main>: the whole content sits in a container whose class names a sidebar layout.
    html = ("<html lang='en'><head><title>The Lantern Winter review | Pier Weekly</title>"
            "<meta property='article:published_time' content='2025-06-01T08:00:00+02:00'></head><body>"
            "<div class='container single_sidebar'><div class='post'><h1>The Lantern Winter review</h1>"
            f"<div class='byline'>By <span class='author'>Juno Farrow</span></div>{BODY}"
            "<p>Director: Marguerite Oyelaran</p></div>"
            "<div id='sidebar'><p>Director: Tamsin Hale</p></div></div></body></html>")
    page = page_for(html, "https://pier-weekly.example/r")
    assert page.title() == "The Lantern Winter review" and page.authors() == ["Juno Farrow"]
    assert page.credits()["director"] == ["Marguerite Oyelaran"]
    assert page.published_at() == "2025-06-01T06:00:00Z"


def test_a_headline_in_a_column_classed_like_a_rail_counts_when_the_title_names_it():
    html = ("<html lang='en'><head><title>The Lantern Winter review - Pier Weekly</title></head><body><main>"
            "<div class='l-content-right-rail-companion'><h1>The Lantern Winter review</h1>"
            f"{BODY}</div><div class='right-rail'><h1>Copper Sky review</h1></div></main></body></html>")
    assert page_for(html, "https://pier-weekly.example/r").title() == "The Lantern Winter review"
