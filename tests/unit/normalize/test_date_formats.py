"""German, French and Spanish dates, and numeric dates read by the page's language (issue 14),
written from the formats. An ambiguous numeric date without a language that says how to read
it is no date: never guessed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.credits import parse_credits
from crawler.normalize.dates import find_dates, has_date, parse_date, parse_datetime


@pytest.mark.parametrize("text,iso", [
    ("12. März 2025", "2025-03-12"),
    ("12.März 2025", "2025-03-12"),
    ("Mittwoch, 12. März 2025", "2025-03-12"),
    ("1. Mai 2025", "2025-05-01"),
    ("3. Okt. 2025", "2025-10-03"),
    ("24. Dezember 2024", "2024-12-24"),
    ("7. Jänner 2026", "2026-01-07"),
    ("12 mars 2025", "2025-03-12"),
    ("1er avril 2025", "2025-04-01"),
    ("mercredi 12 mars 2025", "2025-03-12"),
    ("le 3 août 2025", "2025-08-03"),
    ("15 févr. 2025", "2025-02-15"),
    ("12 de marzo de 2025", "2025-03-12"),
    ("1 de abril del 2025", "2025-04-01"),
    ("1º de mayo de 2025", "2025-05-01"),
    ("miércoles, 12 de marzo de 2025", "2025-03-12"),
    ("3 dic. 2025", "2025-12-03"),
    ("Publié le 12 mars 2025 à 14h30", "2025-03-12"),
])
def test_foreign_month_names(text, iso):
    assert parse_date(text) == iso
    assert parse_date(text, language="de") == iso


@pytest.mark.parametrize("text", [
    "12. März", "mars 2025", "12 de marzo",  # no year: no date (a foreign month name needs its year)
    "32 mars 2025", "30. Februar 2025",  # impossible
    "10 years ago 2025", "Top 10 Mai", "le 3 août",
])
def test_foreign_near_misses(text):
    assert parse_date(text) is None


@pytest.mark.parametrize("text,language,iso", [
    ("12.03.2025", "de", "2025-03-12"),
    ("12.03.2025", "de-AT", "2025-03-12"),
    ("12/03/2025", "fr", "2025-03-12"),
    ("12/03/2025", "fr_FR", "2025-03-12"),
    ("05/04/2025", "es", "2025-04-05"),
    ("Kinostart: 01.02.2025", "de", "2025-02-01"),
    ("24.03.2025", None, "2025-03-24"),  # only one reading
    ("24.03.2025", "en", "2025-03-24"),
    ("03.03.2025", None, "2025-03-03"),  # both readings are the same date
    ("11/14/2025", None, "2025-11-14"),  # the US form
    ("03/04/2025", "en", "2025-03-04"),
    ("14/11/2025", None, "2025-11-14"),
    ("03/04/2025", "en-US", "2025-03-04"),
    ("03/04/2025", "en-GB", "2025-04-03"),  # English outside the US is day-first
    ("03/04/2025", "en_AU", "2025-04-03"),
    ("03.04.2025", "en-IE", "2025-04-03"),
    ("03/04/2025", "it", "2025-04-03"),
    ("03/04/2025", "pt-BR", "2025-04-03"),
    ("03/04/2025", "nl", "2025-04-03"),
])
def test_numeric_dates(text, language, iso):
    assert parse_date(text, language=language) == iso


@pytest.mark.parametrize("text,language", [
    ("12.03.2025", None),  # day-first or month-first: unknown, so no date
    ("05.04.2025", "en"),
    ("05.04.2025", "en-US"),  # month-first country, day-first punctuation: unknown
    ("04/24/2025", "en-GB"),  # not a day-first date, and a British page writes no other
    ("12.03.2025", "ja"),
    ("03/24/2025", "fr"),  # not a day-first date, and a French page writes no other
    ("13.13.2025", "de"),
    ("12/03.2025", "de"),  # mixed separators
])
def test_numeric_dates_that_stay_missing(text, language):
    assert parse_date(text, language=language) is None


def test_parse_datetime_reads_foreign_and_numeric_dates():
    assert parse_datetime("12. März 2025") == "2025-03-12"
    assert parse_datetime("12.03.2025", language="de") == "2025-03-12"
    assert parse_datetime("12.03.2025") is None
    assert parse_datetime("2025-03-12T10:00:00+01:00", language="de") == "2025-03-12T09:00:00Z"


def test_has_date_counts_every_reading():
    """A dateline test, not a value: ``12.03.2025`` is a date whichever way it is read."""
    assert has_date("12.03.2025") and has_date("12. März 2025") and has_date("May 30, 2025")
    assert not has_date("Pia Vance") and not has_date(None) and not has_date(12)
    assert find_dates("12.03.2025") == []


@pytest.mark.parametrize("text,language,release", [
    ("Regie: Cy Moon\nKinostart: 12. März 2025", None, "2025-03-12"),
    ("Regie: Cy Moon\nKinostart: 12.03.2025", "de", "2025-03-12"),
    ("Regie: Cy Moon\nKinostart: 12.03.2025", None, None),
    ("Réalisation : Cy Moon\nSortie : 1er avril 2025", "fr", "2025-04-01"),
    ("Réalisation : Cy Moon\nDate de sortie : 02/04/2025", "fr", "2025-04-02"),
    ("Dirección: Cy Moon\nEstreno: 12 de marzo de 2025", "es", "2025-03-12"),
    ("Director: Cy Moon\nRelease Date: 12. May 2025. Netflix June 2, 2025", None, "2025-05-12"),
])
def test_release_dates_in_credits(text, language, release):
    assert parse_credits(text, language=language)["release_date"] == release


# ------------------------------------------------------------------ properties
_DATEISH = st.text(alphabet="0123456789./- MärzMaiavrildemarzoDezer.º", max_size=40)
_LANG = st.one_of(st.none(), st.sampled_from(["de", "fr", "es", "en", "fr-CA", ""]), st.text(max_size=6), st.integers())


@settings(max_examples=500, deadline=None)
@given(_DATEISH, _LANG)
def test_dates_never_raise_and_are_idempotent(text, language):
    iso = parse_date(text, language=language)
    if iso is not None:
        assert parse_date(iso, language=language) == iso
        assert has_date(text)
    got = parse_datetime.unguarded(text, language=language)
    assert got is None or parse_datetime(got) == got


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 28), st.integers(1, 12), st.integers(1990, 2030), st.sampled_from([".", "/"]))
def test_day_first_languages_read_the_day_first(day, month, year, sep):
    text = f"{day:02d}{sep}{month:02d}{sep}{year}"
    for lang in ("de", "fr", "es"):
        assert parse_date(text, language=lang) == f"{year:04d}-{month:02d}-{day:02d}"
    got = parse_date(text)
    if sep == "." and day <= 12 and day != month:
        assert got is None  # ambiguous without a language
