"""Table-driven and property tests for crawler.normalize.grades (invented examples only)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.grades import LETTER_SCORES, grade_from_rating, parse_grade

KEYS = ["raw", "scale", "value", "best", "score", "letter"]


def letter(raw, score, canon):
    return {"raw": raw, "scale": "letter", "value": score, "best": 100, "score": score, "letter": canon}


def num(raw, scale, value, best, score):
    return {"raw": raw, "scale": scale, "value": value, "best": best, "score": score, "letter": None}


def binary(raw, value):
    return {"raw": raw, "scale": "binary", "value": value, "best": 1, "score": None, "letter": None}


@pytest.mark.parametrize("text,expected", [
    ("B+", letter("B+", 83, "B+")),
    ("B", letter("B", 75, "B")),
    ("C+", letter("C+", 58, "C+")),
    ("b-", letter("b-", 67, "B-")),
    ("c", letter("c", 50, "C")),
    ("B<sup>+</sup>", letter("B +", 83, "B+")),
    ("Grade: B-", letter("B-", 67, "B-")),
    ("GRADE: A-", letter("A-", 91, "A-")),
    ("GRADE: A–", letter("A–", 91, "A-")),
    ("Criticwire grade: A-", letter("A-", 91, "A-")),
    ("The A.V. Club grade: C", letter("C", 50, "C")),
    ("Grade B+", letter("B+", 83, "B+")),
    ("Grade\nB+", letter("B+", 83, "B+")),
    ("A\u2212", letter("A\u2212", 91, "A-")),
    ("A\u2013", letter("A\u2013", 91, "A-")),
    ("A\u2012", letter("A\u2012", 91, "A-")),
    ("A\u2011", letter("A\u2011", 91, "A-")),
    ("A&minus;", letter("A\u2212", 91, "A-")),
    ("A&#8211;", letter("A\u2013", 91, "A-")),
    ("B\uff0b", letter("B\uff0b", 83, "B+")),
    ("C-/D+", letter("C-/D+", 38, "C-/D+")),
    ("B+/A-", letter("B+/A-", 87, "B+/A-")),
    ("A+", letter("A+", 100, "A+")),
    ("F", letter("F", 0, "F")),
    ("F+", letter("F+", 8, "F+")),
    ("F-", letter("F-", 0, "F-")),
    ("D-", letter("D-", 16, "D-")),
    ("B plus", letter("B plus", 83, "B+")),
    ("  B+  ", letter("B+", 83, "B+")),
    ("Grade: B+.", letter("B+.", 83, "B+")),
    ("Our verdict - C", letter("C", 50, "C")),
    ('<span class="grade">B+</span>', letter("B+", 83, "B+")),
    ("<span>Grade</span><span>A-</span>", letter("A-", 91, "A-")),
])
def test_letters(text, expected):
    got = parse_grade(text)
    assert got == expected
    assert list(got) == KEYS


def test_letter_table_complete():
    assert LETTER_SCORES == {
        "A+": 100, "A": 100, "A-": 91, "B+": 83, "B": 75, "B-": 67, "C+": 58, "C": 50,
        "C-": 42, "D+": 33, "D": 25, "D-": 16, "F+": 8, "F": 0, "F-": 0,
    }
    for key, score in LETTER_SCORES.items():
        assert parse_grade(key)["score"] == score


@pytest.mark.parametrize("text,kwargs,expected", [
    ("3/5", {}, num("3/5", "numeric", 3, 5, 60)),
    ("3.5/4", {}, num("3.5/4", "numeric", 3.5, 4, 88)),
    ("7.8/10", {}, num("7.8/10", "numeric", 7.8, 10, 78)),
    ("8/10", {}, num("8/10", "numeric", 8, 10, 80)),
    ("4/5", {}, num("4/5", "numeric", 4, 5, 80)),
    ("4,5/5", {}, num("4,5/5", "numeric", 4.5, 5, 90)),
    ("0/5", {}, num("0/5", "numeric", 0, 5, 0)),
    ("10/10", {}, num("10/10", "numeric", 10, 10, 100)),
    ("85/100", {}, num("85/100", "numeric", 85, 100, 85)),
    ("85%", {}, num("85%", "numeric", 85, 100, 85)),
    ("4 out of 5 stars", {}, num("4 out of 5 stars", "stars", 4, 5, 80)),
    ("Four out of five stars", {}, num("Four out of five stars", "stars", 4, 5, 80)),
    ("3 stars (out of 4)", {}, num("3 stars (out of 4)", "stars", 3, 4, 75)),
    ("Rated 3.5 out of 5 stars", {}, num("3.5 out of 5 stars", "stars", 3.5, 5, 70)),
    ("Rating: 4/5", {}, num("4/5", "numeric", 4, 5, 80)),
    ("★★★☆☆", {}, num("★★★☆☆", "stars", 3, 5, 60)),
    ("★★★½☆", {}, num("★★★½☆", "stars", 3.5, 5, 70)),
    ("★ ★ ★ ☆ ☆", {}, num("★ ★ ★ ☆ ☆", "stars", 3, 5, 60)),
    ("☆☆☆☆☆", {}, None),
    ("⭐️⭐️⭐️☆☆", {}, num("⭐️⭐️⭐️☆☆", "stars", 3, 5, 60)),
    ("Our rating: ★★★★☆", {}, num("★★★★☆", "stars", 4, 5, 80)),
    ("★★★★☆ (4/5)", {}, num("★★★★☆ (4/5)", "stars", 4, 5, 80)),
    ("★★★½", {"best": 4}, num("★★★½", "stars", 3.5, 4, 88)),
    ("★½", {"best": 4}, num("★½", "stars", 1.5, 4, 38)),
    ("***1/2", {"best": 4}, num("***1/2", "stars", 3.5, 4, 88)),
    ("*** 1/2", {"best": 4}, num("*** 1/2", "stars", 3.5, 4, 88)),
    ("3½ stars", {"best": 5}, num("3½ stars", "stars", 3.5, 5, 70)),
    ("3 1/2 stars", {"best": 5}, num("3 1/2 stars", "stars", 3.5, 5, 70)),
    ("Three and a half stars", {"best": 4}, num("Three and a half stars", "stars", 3.5, 4, 88)),
    ("Half a star", {"best": 4}, num("Half a star", "stars", 0.5, 4, 13)),
    ("0 stars", {"best": 5}, num("0 stars", "stars", 0, 5, 0)),
    ("⭐⭐⭐⭐", {"best": 5}, num("⭐⭐⭐⭐", "stars", 4, 5, 80)),
    ("🌟🌟", {"best": 5}, num("🌟🌟", "stars", 2, 5, 40)),
    ("7.8", {"best": 10}, num("7.8", "numeric", 7.8, 10, 78)),
    ("★★★½", {"best": 4}, num("★★★½", "stars", 3.5, 4, 88)),
    ("5/5", {"best": 4}, num("5/5", "numeric", 5, 5, 100)),  # explicit denominator wins
])
def test_stars_and_numbers(text, kwargs, expected):
    assert parse_grade(text, **kwargs) == expected


@pytest.mark.parametrize("text", ["★★★½", "3½ stars", "Three and a half stars", "7.8", "***1/2", "⭐⭐⭐"])
def test_unknown_scale_is_not_guessed(text):
    assert parse_grade(text) is None


@pytest.mark.parametrize("text,kwargs", [
    ("7/5", {}), ("11/10", {}), ("6 stars", {"best": 5}), ("★★★★★★", {"best": 5}),
    ("12", {"best": 10}), ("2025", {"best": 100}), ("3.5½ stars", {"best": 5}), ("1/2", {}),
])
def test_out_of_range_rejected(text, kwargs):
    assert parse_grade(text, **kwargs) is None


@pytest.mark.parametrize("text,value", [
    ("Thumbs up", 1), ("thumbs down", 0), ("Thumbs-Up", 1), ("👍", 1), ("👎", 0),
    ("Fresh", 1), ("Rotten", 0), ("Recommended", 1), ("Not recommended", 0),
    ("Verdict: Skip it", 0), ("Stream it", 1),
])
def test_binary(text, value):
    got = parse_grade(text)
    assert got["scale"] == "binary"
    assert got["value"] == value and got["best"] == 1
    assert got["score"] is None and got["letter"] is None


@pytest.mark.parametrize("text", [
    "PG-13", "Rating: R for violence", "Rated R", "Rating: PG", "TV-MA", "NC-17", "A24", "B-movie",
    "an A-list cast", "2025", "1999", "Chapter 1", "4K UHD", "Critic's Pick", "Critic’s Pick",
    "Metascore: 85", "Metascore 85/100", "Audience score: 90%", "User rating: 4/5",
    "Readers' rating: ★★★★☆", "Select a star to rate", "Rate this movie: ★★★★★",
    "Join the discussion...", "", "   ", "Scoreb", "GradeB", "The film is a B-movie with an A-list cast.",
    "B+ Join the discussion...", "Stars: Jane Doe, John Roe", "Grade:", "Season 2", "Part B",
    "Certified Fresh", "E", "G", "Episode 4", "B.", "B+ (Netflix)", "Plan B", "Grade A beef",
])
def test_not_grades(text):
    assert parse_grade(text) is None


def test_not_grade_types():
    for value in (None, 5, 4.5, [], {}, b"\xff\xfe"):
        assert parse_grade(value) is None


def test_bytes_input():
    assert parse_grade("B+".encode())["letter"] == "B+"


@pytest.mark.parametrize("html,expected", [
    (
        '<div class="stars"><i class="fa fa-star"></i><i class="fa fa-star"></i>'
        '<i class="fa fa-star-half-o"></i><i class="fa fa-star-o"></i><i class="fa fa-star-o"></i></div>',
        num("★★½☆☆", "stars", 2.5, 5, 50),
    ),
    (
        '<span class="star star-full"></span><span class="star star-full"></span>'
        '<span class="star star-full"></span><span class="star star-empty"></span>',
        num("★★★☆", "stars", 3, 4, 75),
    ),
    (
        '<span><i class="fas fa-star"></i><i class="fas fa-star"></i><i class="far fa-star"></i></span>',
        num("★★☆", "stars", 2, 3, 67),
    ),
    (
        '<div class="star-rating" aria-label="Rated 4 out of 5"><span class="star"></span></div>',
        num("4 out of 5", "stars", 4, 5, 80),
    ),
    ('<img src="/img/stars-4.png" alt="4 out of 5 stars">', num("4 out of 5 stars", "stars", 4, 5, 80)),
    ('<p>&#9733;&#9733;&#9733;&#9734;&#9734;</p>', num("★★★☆☆", "stars", 3, 5, 60)),
    (
        '<div><span class="sr-only">3.5 stars</span><i class="icon-star-full"></i><i class="icon-star-full">'
        '</i><i class="icon-star-full"></i><i class="icon-star-half"></i><i class="icon-star-empty"></i></div>',
        num("3.5 stars", "stars", 3.5, 5, 70),
    ),
])
def test_html_star_icons(html, expected):
    assert parse_grade(html) == expected


def test_html_icons_without_empties_need_a_scale():
    html = '<i class="fa fa-star"></i><i class="fa fa-star"></i><i class="fa fa-star"></i>'
    assert parse_grade(html) is None
    assert parse_grade(html, best=4) == num("★★★", "stars", 3, 4, 75)


def test_html_user_rating_widget_rejected():
    assert parse_grade('<div class="rate">Select a star to rate <i class="star"></i></div>') is None


@pytest.mark.parametrize("args,expected", [
    ((4.5,), num("4.5/5", "numeric", 4.5, 5, 90)),
    (("4.5",), num("4.5/5", "numeric", 4.5, 5, 90)),
    (("4,5",), num("4.5/5", "numeric", 4.5, 5, 90)),
    ((8, 10), num("8/10", "numeric", 8, 10, 80)),
    (("8", "10", "1"), num("8/10", "numeric", 8, 10, 80)),
    ((0, 5, 0), num("0/5", "numeric", 0, 5, 0)),
    ((3, 5, 1, "★★★☆☆"), num("★★★☆☆", "stars", 3, 5, 60)),
    ((3.5, 4, None, "3.5 stars"), num("3.5 stars", "stars", 3.5, 4, 88)),
    (("B+",), letter("B+", 83, "B+")),
])
def test_grade_from_rating(args, expected):
    assert grade_from_rating(*args) == expected


@pytest.mark.parametrize("args", [
    (6, 5), ("7", None), (-1, 5), (0, 5, 1), (True,), (None,), ("abc",), ("nan",), ("inf",),
    (3, 0), (3, "x"), ([],), (3, 5, "low"),
])
def test_grade_from_rating_rejects(args):
    assert grade_from_rating(*args) is None


# --- properties -------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_and_score_in_range(s):
    for kwargs in ({}, {"best": 5}, {"best": 10}, {"best": 4}):
        g = parse_grade(s, **kwargs)
        if g is not None:
            assert list(g) == KEYS
            assert g["scale"] in ("letter", "stars", "numeric", "binary")
            if g["score"] is not None:
                assert 0 <= g["score"] <= 100


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ABCDFabcdf+-−–/ ★☆½*0123456789.,%⭐️ofutsarGrade:<>", max_size=30),
       st.sampled_from([None, 4, 5, 10]))
def test_idempotent_on_raw(s, best):
    g = parse_grade(s, best=best)
    if g is not None:
        again = parse_grade(g["raw"], best=g["best"])
        assert again == g


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_binary_input_never_raises(b):
    parse_grade(b)
    parse_grade(b.decode("latin-1"))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.floats(allow_nan=True), st.integers(), st.text(max_size=10)),
       st.one_of(st.none(), st.floats(allow_nan=True), st.integers(), st.text(max_size=5)),
       st.one_of(st.none(), st.integers(), st.text(max_size=5)))
def test_grade_from_rating_never_raises(v, b, w):
    g = grade_from_rating(v, b, w)
    if g is not None and g["score"] is not None:
        assert 0 <= g["score"] <= 100


def test_huge_inputs_are_fast_and_safe():
    for s in ("A" * 1_000_000, "★" * 1_000_000, "1/" * 500_000, "<i class='star'>" * 60_000,
              "\x00" * 1_000_000, "Grade: " * 150_000):
        assert parse_grade(s) is None
