"""Table-driven and property tests for crawler.normalize.dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.dates import datetime_offset, find_dates, parse_date, parse_datetime


@pytest.mark.parametrize("text,expected", [
    ("May 30, 2025", "2025-05-30"),
    ("May 30 2025", "2025-05-30"),
    ("may 30, 2025", "2025-05-30"),
    ("Sept. 5, 2025", "2025-09-05"),
    ("Sep 5, 2025", "2025-09-05"),
    ("Aug. 1, 2025", "2025-08-01"),
    ("September 5th, 2025", "2025-09-05"),
    ("May 1st, 2025", "2025-05-01"),
    ("June 22nd 2025", "2025-06-22"),
    ("Friday, May 30, 2025", "2025-05-30"),
    ("10 October 2025", "2025-10-10"),
    ("10th of October, 2025", "2025-10-10"),
    ("3 Feb. 2025", "2025-02-03"),
    ("11/14/2025", "2025-11-14"),
    ("5/30/2025", "2025-05-30"),
    ("14/11/2025", "2025-11-14"),
    ("2025-05-30", "2025-05-30"),
    ("2025-05-30T15:00:00+02:00", "2025-05-30"),
    ("2025/05/30", "2025-05-30"),
    ("Release Date: May 30, 2025 (Netflix)", "2025-05-30"),
    ("Updated Sept. 5, 2025 at 3:00 p.m.", "2025-09-05"),
    ("Feb 29, 2024", "2024-02-29"),
    # not dates
    ("Feb 29, 2025", None),
    ("Feb 30, 2025", None),
    ("13/14/2025", None),
    ("May 2025", None),
    ("2025", None),
    ("May 30", None),
    ("5/30/25", None),
    ("TBA", None),
    ("Now in theaters", None),
    ("1 hr 38 min", None),
    ("they may 3 times", None),
    ("", None),
    (None, None),
    (20250530, None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text,published,expected", [
    ("May 30", "2025-05-20", "2025-05-30"),
    ("Friday, May 30", dt.date(2025, 5, 1), "2025-05-30"),
    ("Sept. 5", dt.datetime(2025, 9, 1, 12, 0), "2025-09-05"),
    ("Jan. 5", "2025-12-20", "2026-01-05"),
    ("Dec. 28", "2026-01-03", "2025-12-28"),
    ("May 30", "2025-12-20", "2025-05-30"),
    ("June 1", "2025-05-25T10:00:00Z", "2025-06-01"),
    ("Feb 29", "2025-03-01", None),
    ("May 30", "not a date", None),
    ("May 30, 2024", "2025-05-20", "2024-05-30"),
])
def test_missing_year_from_published(text, published, expected):
    assert parse_date(text, published=published) == expected


def test_date_objects():
    assert parse_date(dt.date(2025, 5, 30)) == "2025-05-30"
    assert parse_date(dt.datetime(2025, 5, 30, 23, 0)) == "2025-05-30"


def test_find_dates_order_and_overlap():
    got = find_dates("May 30, 2025 in theaters; June 27, 2025 on Netflix")
    assert [iso for _, _, iso in got] == ["2025-05-30", "2025-06-27"]


@pytest.mark.parametrize("text,expected", [
    ("2025-05-30T15:00:00+02:00", "2025-05-30T13:00:00Z"),
    ("2025-05-30T15:00:00Z", "2025-05-30T15:00:00Z"),
    ("2025-05-30T15:00:00z", "2025-05-30T15:00:00Z"),
    ("2025-05-30T15:00:00.123456Z", "2025-05-30T15:00:00Z"),
    ("2025-05-30T15:00:00-0400", "2025-05-30T19:00:00Z"),
    ("2025-05-30T23:30:00-05:00", "2025-05-31T04:30:00Z"),
    ("2025-05-30T15:00:00", "2025-05-30T15:00:00Z"),
    ("2025-05-30 15:00", "2025-05-30T15:00:00Z"),
    ("2025-05-30T15:00+01:00", "2025-05-30T14:00:00Z"),
    ("20250530T150000Z", "2025-05-30T15:00:00Z"),
    ("2025-05-30", "2025-05-30"),
    ("  2025-05-30  ", "2025-05-30"),
    ("Fri, 30 May 2025 13:00:00 GMT", "2025-05-30T13:00:00Z"),
    ("Fri, 30 May 2025 15:00:00 +0200", "2025-05-30T13:00:00Z"),
    ("30 May 2025 09:00 EDT", "2025-05-30T13:00:00Z"),
    ("May 30, 2025", "2025-05-30"),
    # not datetimes
    ("2025-13-30T15:00:00Z", None),
    ("2025-05-30T25:00:00Z", None),
    ("2025-05-30T15:00:00+25:00", None),
    ("0001-01-01T00:00:00+01:00", None),
    ("yesterday", None),
    ("3 hours ago", None),
    ("", None),
    (None, None),
    (1748610000, None),
])
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


def test_parse_datetime_objects():
    tz = dt.timezone(dt.timedelta(hours=2))
    assert parse_datetime(dt.datetime(2025, 5, 30, 15, 0, tzinfo=tz)) == "2025-05-30T13:00:00Z"
    assert parse_datetime(dt.datetime(2025, 5, 30, 15, 0)) == "2025-05-30T15:00:00Z"
    assert parse_datetime(dt.date(2025, 5, 30)) == "2025-05-30"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises(s):
    for value in (parse_date(s), parse_date(s, published="2025-06-01"), parse_datetime(s)):
        assert value is None or isinstance(value, str)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_iso_date_is_stable(d):
    iso = d.isoformat()
    assert parse_date(iso) == iso
    assert parse_datetime(iso) == iso
    assert parse_date(parse_date(iso)) == iso


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1001, 1, 1), max_value=dt.datetime(9998, 12, 31)),
       st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_datetime_round_trip(value, offset_minutes):
    tz = dt.timezone(dt.timedelta(minutes=offset_minutes))
    aware = value.replace(tzinfo=tz, microsecond=0)
    out = parse_datetime(aware.isoformat())
    assert out == aware.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert parse_datetime(out) == out


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)),
       st.sampled_from(["%B %d, %Y", "%b. %d, %Y", "%d %B %Y", "%m/%d/%Y", "%A, %B %d, %Y", "%Y/%m/%d"]))
def test_written_dates_round_trip(d, fmt):
    assert parse_date(d.strftime(fmt)) == d.isoformat()


def test_huge_inputs():
    for s in ("May " * 250_000, "1/" * 500_000, "2025-" * 200_000, "\x00" * 1_000_000, "9" * 1_000_000):
        parse_date(s)
        parse_datetime(s)
        parse_date(s, published="2025-01-01")


@pytest.mark.parametrize("text,offset", [
    ("2025-05-30T15:00:00-04:00", "-04:00"),
    ("2025-05-30T15:00:00+0530", "+05:30"),
    ("2025-05-30T15:00:00.250Z", "+00:00"),
    ("Fri, 30 May 2025 13:00:00 GMT", "+00:00"),
    ("30 May 2025 15:00 EDT", "-04:00"),
    ("2025-05-30T15:00:00", ""),
    ("2025-05-30 15:00", ""),
    ("20250530T150000", ""),
    ("2025-05-30", None),
    ("May 30, 2025", None),
    ("", None),
    (None, None),
    ("2025-05-30T15:00:00+99:00", None),
])
def test_datetime_offset(text, offset):
    assert datetime_offset(text) == offset


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_datetime_offset_never_raises(s):
    assert datetime_offset(s) in (None, "") or datetime_offset(s).startswith(("+", "-"))
