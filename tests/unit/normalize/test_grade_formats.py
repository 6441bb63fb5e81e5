"""Grade formats from issue 14, written from the format (invented titles and names only)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.text import clean_text
from crawler.normalize.grades import grade_from_lines, grade_from_rating, grade_from_rating_node, is_grade_label, parse_grade


def num(raw, scale, value, best, score):
    return {"raw": raw, "scale": scale, "value": value, "best": best, "score": score, "letter": None}


def letter(raw, score, key):
    return {"raw": raw, "scale": "letter", "value": score, "best": 100, "score": score, "letter": key}


# ------------------------------------------------------------------ schema.org Rating, object or JSON text
@pytest.mark.parametrize("rating,expected", [
    ({"@type": "Rating", "ratingValue": "B+", "bestRating": "A+", "worstRating": "F"}, letter("B+", 83, "B+")),
    ({"@type": "Rating", "ratingValue": "C-", "bestRating": "A", "worstRating": "F"}, letter("C-", 42, "C-")),
    ({"ratingValue": "85%"}, num("85%", "numeric", 85, 100, 85)),
    ({"ratingValue": "62 %", "bestRating": "100"}, num("62 %", "numeric", 62, 100, 62)),
    ({"ratingValue": "4 / 5"}, num("4 / 5", "numeric", 4, 5, 80)),
    ({"ratingValue": "7 / 10", "bestRating": 10}, num("7 / 10", "numeric", 7, 10, 70)),
    ({"ratingValue": "6.2/10"}, num("6.2/10", "numeric", 6.2, 10, 62)),
    ({"ratingValue": 3, "bestRating": 5, "worstRating": 1}, num("3/5", "numeric", 3, 5, 60)),
    ({"ratingValue": "3", "bestRating": "5", "worstRating": "1"}, num("3/5", "numeric", 3, 5, 60)),
    ({"ratingValue": 2.5, "bestRating": 4, "worstRating": 0.5}, num("2.5/4", "numeric", 2.5, 4, 63)),
    ({"ratingValue": 4}, num("4/5", "numeric", 4, 5, 80)),  # no bestRating: out of 5
    ({"ratingValue": {"@value": "4"}, "bestRating": [{"@value": "5"}]}, num("4/5", "numeric", 4, 5, 80)),
    ([{"@type": "Rating", "ratingValue": 8, "bestRating": 10}], num("8/10", "numeric", 8, 10, 80)),
    ('{"@type": "Rating", "ratingValue": "4", "bestRating": "5"}', num("4/5", "numeric", 4, 5, 80)),
    (json.dumps({"ratingValue": "A-", "bestRating": "A+", "worstRating": "F"}), letter("A-", 91, "A-")),
    ("4/5", num("4/5", "numeric", 4, 5, 80)),
])
def test_rating_nodes(rating, expected):
    assert grade_from_rating_node(rating) == expected


@pytest.mark.parametrize("rating", [
    {"ratingValue": 8},  # no bestRating means out of 5: 8 is out of range, never clamped
    {"ratingValue": "B", "bestRating": "5"},  # a letter on a number scale: contradictory
    {"ratingValue": "3", "bestRating": "A+", "worstRating": "F"},  # a number on a letter scale
    {"ratingValue": "4 / 5", "bestRating": "10"},  # the text and bestRating disagree
    {"ratingValue": "85%", "bestRating": "5"},
    {"ratingValue": 6, "bestRating": 10, "worstRating": 5},  # a scale not starting at 0 or 1: unsure
    {"ratingValue": 3, "bestRating": 5, "worstRating": 5},
    {"ratingValue": 0, "bestRating": 5, "worstRating": 1},
    {"@type": "AggregateRating", "ratingValue": 4, "bestRating": 5},
    '{"ratingValue": ',  # broken JSON text
    "[1, 2",
    {"ratingValue": None},
    {},
    None,
    42,
])
def test_rating_nodes_rejected(rating):
    assert grade_from_rating_node(rating) is None


def test_rating_node_site_default_best():
    assert grade_from_rating_node({"ratingValue": 3.5}, best=4) == num("3.5/4", "numeric", 3.5, 4, 88)
    assert grade_from_rating_node({"ratingValue": 3.5, "bestRating": 5}, best=4)["best"] == 5


@pytest.mark.parametrize("value,best,default,expected", [
    ("4 out of 5", None, None, num("4 out of 5", "numeric", 4, 5, 80)),
    ("4 von 5 Sternen", "5", None, num("4 von 5 Sternen", "stars", 4, 5, 80)),
    ("★★★★☆", None, None, num("★★★★☆", "stars", 4, 5, 80)),
    ("★★★½", "4", None, num("★★★½", "stars", 3.5, 4, 88)),
    ("★★★½", None, 4, num("★★★½", "stars", 3.5, 4, 88)),  # the site's scale when there is no bestRating
    ("3 stars", "4", None, num("3 stars", "stars", 3, 4, 75)),
    ("4/5", None, 4, num("4/5", "numeric", 4, 5, 80)),  # a fraction keeps its own scale
    (3, None, 4, num("3/4", "numeric", 3, 4, 75)),
    (3, "10", 4, num("3/10", "numeric", 3, 10, 30)),  # bestRating wins over the site's scale
])
def test_rating_text_values_with_their_scale(value, best, default, expected):
    assert grade_from_rating(value, best, default_best=default) == expected


@pytest.mark.parametrize("value,best,default", [
    ("★★★½", None, None),  # stars with no scale anywhere
    ("3 stars", None, None),
    ("★★★★☆", "4", None),  # five glyphs on a 4-point scale
    ("4 out of 5", "4", None),
    ("Fresh", None, None),  # a verdict is no Rating value
    ("Fresh", "5", None),
])
def test_rating_text_values_rejected(value, best, default):
    assert grade_from_rating(value, best, default_best=default) is None


def test_grade_from_rating_takes_text_values():
    assert grade_from_rating("85%") == num("85%", "numeric", 85, 100, 85)
    assert grade_from_rating("4 / 5") == num("4 / 5", "numeric", 4, 5, 80)
    assert grade_from_rating("B", "A+", "F") == letter("B", 75, "B")
    assert grade_from_rating("B", "5") is None
    assert grade_from_rating(6, 10, 5) is None


# ------------------------------------------------------------------ capsule lines
@pytest.mark.parametrize("text,best,expected", [
    ("Glass Tides (R) B+", None, letter("B+", 83, "B+")),
    ("Glass Tides (PG-13) — B-", None, letter("B-", 67, "B-")),
    ("Glass Tides (R) ★★★☆", None, num("★★★☆", "stars", 3, 4, 75)),
    ("Glass Tides (NR) 3/4", None, num("3/4", "numeric", 3, 4, 75)),
    ("Glass Tides (PG) ★★½", 4, num("★★½", "stars", 2.5, 4, 63)),
])
def test_grade_after_title_and_mpa_rating(text, best, expected):
    assert parse_grade(text, best=best) == expected


@pytest.mark.parametrize("text", [
    "Plan B", "Plan B (R)", "Glass Tides (R)", "Glass Tides (R) is a B-movie", "Glass Tides (2024) B+",
    "The sea (R) and the sky B", "Glass Tides (R) A24",
])
def test_capsule_near_misses(text):
    assert parse_grade(text) is None


# ------------------------------------------------------------------ a grade label with a bracketed name
@pytest.mark.parametrize("text,expected", [
    ("Grade (Pia Vance): B+", letter("B+", 83, "B+")),
    ("Grade [Pia Vance]: A-", letter("A-", 91, "A-")),
    ("Grade [Pia Vance] B", letter("B", 75, "B")),
    ("Rating (Quin Hale): 4/5", num("4/5", "numeric", 4, 5, 80)),
    ("Grade: B+ (Pia Vance)", letter("B+", 83, "B+")),
])
def test_grade_label_with_bracketed_name(text, expected):
    assert parse_grade(text) == expected


@pytest.mark.parametrize("text", ["Grade (readers): B+", "Grade (average): B", "Grade (out of five): 4", "Grade [a]: B"])
def test_bracketed_non_names_are_not_skipped(text):
    assert parse_grade(text) is None


# ------------------------------------------------------------------ a score then a verdict word
@pytest.mark.parametrize("text,best,expected", [
    ("8/10\nGreat", None, num("8/10", "numeric", 8, 10, 80)),
    ("4.5/5 Excellent", None, num("4.5/5", "numeric", 4.5, 5, 90)),
    ("7.5\nGood", 10, num("7.5", "numeric", 7.5, 10, 75)),
    ("★★★★☆\nVery good", None, num("★★★★☆", "stars", 4, 5, 80)),
    ("6/10 Mediocre", None, num("6/10", "numeric", 6, 10, 60)),
    ("8/10\nSehr gut", None, num("8/10", "numeric", 8, 10, 80)),
])
def test_score_then_verdict_word(text, best, expected):
    assert parse_grade(text, best=best) == expected


@pytest.mark.parametrize("text,best", [
    ("A great", None), ("A Masterpiece", None), ("B good", None), ("2 good", 5), ("8/10 great fun", None),
    ("Great 8/10", None), ("8/10 Nobody", None),
])
def test_verdict_near_misses(text, best):
    assert parse_grade(text, best=best) is None


# ------------------------------------------------------------------ German, French, Spanish grade words
@pytest.mark.parametrize("text,best,expected", [
    ("Bewertung: 4/5", None, num("4/5", "numeric", 4, 5, 80)),
    ("Wertung: 8/10", None, num("8/10", "numeric", 8, 10, 80)),
    ("4 von 5 Sternen", None, num("4 von 5 Sternen", "stars", 4, 5, 80)),
    ("Note : 4/5", None, num("4/5", "numeric", 4, 5, 80)),
    ("Notre note : 3,5/5", None, num("3,5/5", "numeric", 3.5, 5, 70)),
    ("4 étoiles sur 5", None, num("4 étoiles sur 5", "stars", 4, 5, 80)),
    ("3 sur 5", None, num("3 sur 5", "numeric", 3, 5, 60)),
    ("Calificación: 4 de 5", None, num("4 de 5", "numeric", 4, 5, 80)),
    ("Puntuación: 7/10", None, num("7/10", "numeric", 7, 10, 70)),
    ("Valoración: 4 sobre 5", None, num("4 sobre 5", "numeric", 4, 5, 80)),
    ("Nota: 8/10", None, num("8/10", "numeric", 8, 10, 80)),
    ("3 estrellas", 5, num("3 estrellas", "stars", 3, 5, 60)),
    ("4 Sterne", 5, num("4 Sterne", "stars", 4, 5, 80)),
])
def test_foreign_grade_words(text, best, expected):
    assert parse_grade(text, best=best) == expected


@pytest.mark.parametrize("text,best,expected", [
    ("Bewertung: vier von fünf Sternen", None, num("vier von fünf Sternen", "stars", 4, 5, 80)),
    ("Wertung: drei von fünf", None, num("drei von fünf", "numeric", 3, 5, 60)),
    ("Note : quatre étoiles sur cinq", None, num("quatre étoiles sur cinq", "stars", 4, 5, 80)),
    ("trois sur cinq", None, num("trois sur cinq", "numeric", 3, 5, 60)),
    ("Valoración: tres de cinco estrellas", None, num("tres de cinco estrellas", "stars", 3, 5, 60)),
    ("cuatro sobre cinco", None, num("cuatro sobre cinco", "numeric", 4, 5, 80)),
    ("Nota: cuatro de cinco", None, num("cuatro de cinco", "numeric", 4, 5, 80)),
    ("drei Sterne", 5, num("drei Sterne", "stars", 3, 5, 60)),
    ("8/10 Sehenswert", None, num("8/10", "numeric", 8, 10, 80)),
    ("4/5 Décevant", None, num("4/5", "numeric", 4, 5, 80)),
    ("7/10 Recomendable", None, num("7/10", "numeric", 7, 10, 70)),
])
def test_foreign_number_and_verdict_words(text, best, expected):
    assert parse_grade(text, best=best) == expected


@pytest.mark.parametrize("text", [
    "eine von fünf", "una de cinco", "one of five",  # words of a sentence, unless a label or a unit says grade
    "drei Sterne",  # no scale
    "Sehenswert 8/10",
])
def test_foreign_number_words_near_misses(text):
    assert parse_grade(text) is None


@pytest.mark.parametrize("first,second,best,expected", [
    ("Bewertung", "4/5", None, num("4/5", "numeric", 4, 5, 80)),
    ("Note :", "3/5", None, num("3/5", "numeric", 3, 5, 60)),
    ("Unsere Wertung:", "★★★★☆", None, num("★★★★☆", "stars", 4, 5, 80)),
    ("Calificación", "cuatro de cinco", None, num("cuatro de cinco", "numeric", 4, 5, 80)),
    ("Grade", "B+", None, letter("B+", 83, "B+")),
    ("Rating:", "★★★½", 4, num("★★★½", "stars", 3.5, 4, 88)),
    ("8/10", "Great", None, num("8/10", "numeric", 8, 10, 80)),
    ("8/10", "Sehr gut", None, num("8/10", "numeric", 8, 10, 80)),
    ("4 von 5 Sternen", "Sehenswert", None, num("4 von 5 Sternen", "stars", 4, 5, 80)),
    ("7.5", "Good", 10, num("7.5", "numeric", 7.5, 10, 75)),
])
def test_grade_over_two_lines(first, second, best, expected):
    assert grade_from_lines(first, second, best=best) == expected


@pytest.mark.parametrize("first,second", [
    ("8/10", "Weiterlesen"), ("3/4", "cup of flour"), ("8", "Great"),  # a bare integer is no score
    ("Great", "8/10"), ("Bewertung der Leser", "4/5"), ("Note des lecteurs :", "4/5"), ("User rating", "4/5"),
    ("Bewertung:", "Das ist ein schöner Film, der lange nachwirkt."), ("Note", "see below"),
    ("Our verdict on the film", "8/10"), ("B", "Good"), ("Rating", "PG-13"), ("", "4/5"), (None, "4/5"),
    ("Die Bewertung", "4/5 Sterne hier"),
])
def test_grade_over_two_lines_near_misses(first, second):
    assert grade_from_lines(first, second) is None


@pytest.mark.parametrize("line,ok", [
    ("Grade: B+", True), ("Bewertung: 4/5", True), ("Note : 4 étoiles sur 5", True), ("Calificación: 4 de 5", True),
    ("Our rating: 8/10", True), ("Bewertung der Leser: 4/5", False), ("Note: see below", False), ("B+", False),
    ("Grade B+", False), ("Rating: PG-13", False), (None, False),
])
def test_is_grade_label(line, ok):
    assert is_grade_label(line) is ok


@pytest.mark.parametrize("text", [
    "Note: 4 of the cast are new", "Nota: de 5 a 7", "Bewertung der Leser: 4/5", "Note des lecteurs : 4/5",
    "Valoración de los usuarios: 4/5",
])
def test_foreign_non_grades(text):
    assert parse_grade(text) is None


# ------------------------------------------------------------------ properties
_SOUP = st.text(alphabet="ABCDFabcdf+-/ ★☆½*0123456789.,%()[]:\nGradeNotvonsurde PiaVance RPG13Great", max_size=40)


@settings(max_examples=400, deadline=None)
@given(_SOUP, st.one_of(st.none(), st.sampled_from([4, 5, 10])))
def test_new_formats_idempotent_on_raw(s, best):
    g = parse_grade(s, best=best)
    if g is not None:
        assert parse_grade(g["raw"], best=g["best"]) == g
        assert g["score"] is None or 0 <= g["score"] <= 100


@settings(max_examples=300, deadline=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=True), st.text(max_size=12)),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(
        st.sampled_from(["@type", "ratingValue", "bestRating", "worstRating", "@value"]), c, max_size=4)),
    max_leaves=8,
))
def test_rating_node_never_raises(node):
    g = grade_from_rating_node(node)
    if g is not None and g["score"] is not None:
        assert 0 <= g["score"] <= 100
    grade_from_rating_node(json.dumps(node) if not isinstance(node, float) else "{}")


@settings(max_examples=400, deadline=None)
@given(_SOUP, _SOUP, st.one_of(st.none(), st.sampled_from([4, 5, 10])))
def test_grade_from_lines_unguarded_never_raises(a, b, best):
    g = grade_from_lines.unguarded(a, b, best=best)
    if g is not None:
        assert g["score"] is None or 0 <= g["score"] <= 100
        assert g["raw"] in (a + " " + b) or g["raw"] == clean_text(b) or clean_text(a).startswith(g["raw"])
