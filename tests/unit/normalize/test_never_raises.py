"""The normalizers never raise -- checked on the functions *without* their guard
(:func:`crawler.normalize.guard.never_raises`), so a bug the guard would hide fails here."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from lxml import html as lxml_html

from crawler.normalize.credits import credit_role, parse_credits
from crawler.normalize.dates import datetime_offset, parse_datetime
from crawler.normalize.grades import grade_from_lines, grade_from_rating, is_grade_label, parse_grade
from crawler.normalize.guard import never_raises
from crawler.normalize.text import html_to_text
from crawler.normalize.titles import clean_title, strip_site_suffix

GRADEISH = st.text(alphabet="ABCDF+-−–/ .,0123456789½★☆⭐%:()[]<>&;#xoutfofGradeRating stars", max_size=60)
ANY = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=80), GRADEISH,
                st.binary(max_size=40), st.booleans(), st.lists(st.integers(), max_size=3))
DATEISH = st.text(alphabet="0123456789-:TZ+ ./,WedFriMayJunGMTUTCESTam", max_size=40)


@settings(max_examples=600, deadline=None)
@given(text=st.one_of(ANY, GRADEISH), best=ANY)
def test_parse_grade_unguarded_never_raises(text, best):
    got = parse_grade.unguarded(text, best=best)
    assert got is None or 0 <= (got["score"] if got["score"] is not None else 0) <= 100


@settings(max_examples=600, deadline=None)
@given(value=st.one_of(ANY, GRADEISH), best=ANY, worst=ANY, raw=st.one_of(st.none(), GRADEISH))
def test_grade_from_rating_unguarded_never_raises(value, best, worst, raw):
    got = grade_from_rating.unguarded(value, best, worst, raw)
    assert got is None or isinstance(got, dict)


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(ANY, GRADEISH), best=ANY, default=ANY)
def test_grade_from_rating_with_a_default_scale_unguarded_never_raises(value, best, default):
    got = grade_from_rating.unguarded(value, best, default_best=default)
    assert got is None or 0 <= (got["score"] if got["score"] is not None else 0) <= 100


@settings(max_examples=400, deadline=None)
@given(first=st.one_of(ANY, GRADEISH), second=st.one_of(ANY, GRADEISH), best=ANY)
def test_grade_from_lines_unguarded_never_raises(first, second, best):
    got = grade_from_lines.unguarded(first, second, best=best)
    assert got is None or isinstance(got, dict)


@settings(max_examples=600, deadline=None)
@given(text=st.one_of(ANY, DATEISH, st.datetimes(), st.dates()))
def test_parse_datetime_unguarded_never_raises(text):
    got = parse_datetime.unguarded(text)
    assert got is None or isinstance(got, str)


def test_the_guard_is_the_only_difference():
    assert parse_grade("Grade: B-") == parse_grade.unguarded("Grade: B-")
    assert parse_datetime(dt.datetime(2025, 5, 30, 15, 0)) == parse_datetime.unguarded(dt.datetime(2025, 5, 30, 15, 0)) == "2025-05-30T15:00:00Z"


TITLEISH = st.text(alphabet="‘’“”\"'«»„ |•·-–—:/()!?.,&;#Review reviewFilmSeason 12 SpoilerThe Guardian.com", max_size=80)
CREDITISH = st.text(alphabet="Director:Writer:Starring:Release Date:Directed by With, and • · ;.\n()1234567890 RPG-13min", max_size=120)
HTMLISH = st.text(alphabet="<>/ p br div li b i script style !-- &amp; &#x41; text\n", max_size=80)
NAMES = st.one_of(st.just(()), st.lists(st.one_of(st.text(max_size=12), st.none(), st.integers()), max_size=4),
                  st.text(max_size=12), st.none(), st.integers())


@settings(max_examples=400, deadline=None)
@given(tag=st.one_of(ANY, TITLEISH), h1=st.one_of(ANY, TITLEISH), names=NAMES)
def test_titles_unguarded_never_raise(tag, h1, names):
    got = clean_title.unguarded(tag, h1, names)
    assert list(got) == ["title", "work_title", "season", "episode"] and isinstance(got["title"], str)
    assert isinstance(strip_site_suffix.unguarded(tag, names), str)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(ANY, CREDITISH, HTMLISH), published=st.one_of(ANY, st.dates()))
def test_credits_unguarded_never_raise(text, published):
    got = parse_credits.unguarded(text, published=published)
    assert list(got)[:5] == ["director", "writer", "starring", "release_date", "platform"]
    role = credit_role.unguarded(text)
    assert role is None or isinstance(role, str)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(ANY, HTMLISH, GRADEISH, DATEISH))
def test_text_dates_and_labels_unguarded_never_raise(text):
    assert isinstance(html_to_text.unguarded(text), str)
    assert datetime_offset.unguarded(text) in (None, "") or isinstance(datetime_offset.unguarded(text), str)
    assert is_grade_label.unguarded(text) in (True, False)


def test_html_to_text_takes_a_parsed_element_unguarded():
    assert html_to_text.unguarded(lxml_html.fromstring("<div><p>One</p><p>Two</p></div>")) == "One\n\nTwo"


def test_the_guard_gives_a_fresh_default_or_the_fallback():
    @never_raises({"names": []})
    def broken(x):
        raise RuntimeError(x)

    first = broken(1)
    first["names"].append("x")
    assert broken(2) == {"names": []}  # a fresh copy, not the one a caller changed

    @never_raises("default", fallback=lambda x: f"fallback {x}")
    def broken_with_fallback(x):
        raise RuntimeError(x)

    assert broken_with_fallback(3) == "fallback 3"

    @never_raises("default", fallback=lambda x: 1 / 0)
    def both_broken(x):
        raise RuntimeError(x)

    assert both_broken(4) == "default"


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(ANY, DATEISH), published=st.one_of(ANY, st.dates()))
def test_has_date_unguarded_never_raises(text, published):
    from crawler.normalize.dates import has_date

    assert has_date.unguarded(text, published=published) in (True, False)


def test_grade_from_lines_unguarded_reads_its_shapes():
    # the guard once hid a TypeError here (a stale call): the bare function must answer
    assert grade_from_lines.unguarded("8/10", "Sehr gut")["score"] == 80
    assert grade_from_lines.unguarded("Bewertung", "4/5")["score"] == 80
    assert grade_from_lines.unguarded("Bewertung", "4 Sterne", best=5)["score"] == 80
