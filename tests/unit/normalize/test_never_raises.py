"""The normalizers never raise -- checked on the functions *without* their guard
(:func:`crawler.normalize.guard.never_raises`), so a bug the guard would hide fails here."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.dates import parse_datetime
from crawler.normalize.grades import grade_from_lines, grade_from_rating, parse_grade

GRADEISH = st.text(alphabet="ABCDF+-−–/ .,0123456789½★☆⭐%:()[]<>&;#xoutfofGradeRating stars", max_size=60)
ANY = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=80), GRADEISH,
                st.binary(max_size=40), st.booleans(), st.lists(st.integers(), max_size=3))
DATEISH = st.text(alphabet="0123456789-:TZ+ ./,WedFriMayJunGMTUTCESTam", max_size=40)


@settings(max_examples=600, deadline=None)
@given(text=st.one_of(ANY, GRADEISH), best=ANY, hint=st.one_of(st.none(), st.text(max_size=12)))
def test_parse_grade_unguarded_never_raises(text, best, hint):
    got = parse_grade.unguarded(text, best=best, site_hint=hint)
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
