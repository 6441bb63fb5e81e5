"""Dates and datetimes to ISO 8601 (pure functions, stdlib only, no dateparser).

* :func:`parse_date` finds the first calendar date in a string (``May 30, 2025``, AP
  ``Sept. 5, 2025``, ordinals, ``10 October 2025``, US ``11/14/2025``, ISO ``2025-05-30``;
  German, French and Spanish ``12. März 2025``, ``1er avril 2025``, ``12 de marzo de 2025``)
  and returns ``YYYY-MM-DD``. A date written without a year takes it from ``published``
  (the occurrence closest to the publication date), else None. Numeric dates are read
  day-first (``12.03.2025``, ``12/03/2025``) when the page's ``language`` is German, French,
  Spanish, Italian, Portuguese, Dutch, or English of a day-first country (``en-GB``, ``en-AU``,
  ...); otherwise ``11/14/2025`` is the US month-first form and a dotted date whose day and
  month could be swapped (``12.03.2025``) is no date: never guessed.
* :func:`parse_datetime` turns ISO 8601 and RFC 2822 / HTTP dates into the record's form:
  datetimes in UTC as ``YYYY-MM-DDTHH:MM:SSZ`` (naive ones are taken as UTC), a bare date
  stays ``YYYY-MM-DD``.

Everything is hand-written with precompiled, backtracking-safe regexes; nothing raises.
"""

from __future__ import annotations

import datetime as _dt
import re

from .guard import never_raises
from .patterns import alternation

__all__ = ["parse_date", "parse_datetime", "datetime_offset", "find_dates", "has_date", "coerce_date", "MONTHS",
           "FOREIGN_MONTHS", "DAY_FIRST_LANGUAGES"]

# Month names and abbreviations (AP style included: "Sept.", "Aug.") -> month number.
MONTHS: dict[str, int] = {
    "january": 1, "jan": 1,
    "february": 2, "feb": 2, "febr": 2,
    "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "may": 5,
    "june": 6, "jun": 6,
    "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
# German, French and Spanish month names and abbreviations -> month number. Read only in the
# forms those languages write with a year ("12. März 2025", "1er avril 2025", "12 de marzo de 2025").
FOREIGN_MONTHS: dict[str, int] = {
    # de
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mär": 3, "mai": 5, "juni": 6,
    "juli": 7, "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    # fr
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3, "avril": 4,
    "avr": 4, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10,
    "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
    # es
    "enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4, "mayo": 5, "junio": 6,
    "julio": 7, "agosto": 8, "ago": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12, "dic": 12,
}
#: languages whose numeric dates are day-first (``12.03.2025`` is 12 March)
DAY_FIRST_LANGUAGES = frozenset({"de", "fr", "es", "it", "pt", "nl"})
#: English outside the US writes them day-first too (``en-GB``: ``03/04/2025`` is 3 April)
DAY_FIRST_ENGLISH_REGIONS = frozenset({"gb", "uk", "au", "nz", "ie", "in", "za", "sg"})
_MONTH_ALT = alternation(MONTHS)
_FOREIGN_MONTH_ALT = alternation(sorted(set(MONTHS) | set(FOREIGN_MONTHS)))
_MONTH = rf"(?P<mon>{_MONTH_ALT})\b\.?"
_MONTH2 = rf"(?P<mon2>{_MONTH_ALT})\b\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[89]\d\d|2[01]\d\d)"

# "May 30, 2025" / "Sept. 5 2025" / "May 30th, 2025" / "May 30" (year optional).
_MDY_RE = re.compile(
    rf"\b{_MONTH}\s{{0,3}}{_DAY}(?![\d:])(?:(?:\s{{0,3}},\s{{0,3}}|\s{{1,3}}){_YEAR}(?!\d))?", re.IGNORECASE
)
# "30 May 2025" / "10th of October, 2025" / "30 May" (year optional).
_DMY_RE = re.compile(
    rf"\b{_DAY2}(?:\s{{1,3}}of)?\s{{0,3}}{_MONTH2}(?:,?\s{{0,3}}{_YEAR}(?!\d))?", re.IGNORECASE
)
# ISO date, optionally followed by a time we ignore here: "2025-05-30", "2025-05-30T15:00".
_ISO_DATE_RE = re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)")
# "2025/05/30" or "2025.05.30".
_YMD_SLASH_RE = re.compile(r"(?<![\d/.])(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})(?![\d/])")
# Numeric "11/14/2025", "12.03.2025": which number is the day depends on the page's language
# (see find_dates); "14/11/2025" can only be day-first.
_US_RE = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})(?![\d/])")
# "12. März 2025", "1er avril 2025", "12 de marzo de 2025", "1º de abril del 2025" (a year always).
_FOREIGN_DMY_RE = re.compile(
    rf"(?<![\w.])(?P<day>[0-3]?\d)(?:\.|er|º|°)?\s{{0,3}}(?:de\s{{1,3}})?(?P<mon>{_FOREIGN_MONTH_ALT})(?!\w)\.?,?"
    rf"\s{{1,3}}(?:del?\s{{1,3}})?{_YEAR}(?!\d)",
    re.IGNORECASE,
)

_WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\.?"
_TZ_OFFSET = r"(?P<tz>Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?"
# ISO 8601 date-time: "2025-05-30T15:00:00+02:00", "2025-05-30 15:00", "2025-05-30T15:00:00.123Z".
_ISO_DT_RE = re.compile(
    r"^\s*(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[Tt ]\s?(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d{1,9})?)?\s?"
    + _TZ_OFFSET
    + r")?\s*$"
)
# Basic ISO 8601: "20250530T150000Z".
_ISO_BASIC_RE = re.compile(
    r"^\s*(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
    r"[Tt](?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?(?:[.,]\d{1,9})?"
    + _TZ_OFFSET
    + r"\s*$"
)
# RFC 2822 / HTTP date: "Fri, 30 May 2025 13:00:00 GMT", "30 May 2025 15:00 +0200".
_RFC_RE = re.compile(
    rf"^\s*(?:{_WEEKDAYS},?\s{{1,3}})?(?P<day>\d{{1,2}})[\s-]{{1,3}}(?P<mon>[A-Za-z]{{3,9}})\.?[\s-]{{1,3}}(?P<year>\d{{4}})"
    r"\s{1,3}(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s{0,3}(?P<tz>[+-]\d{4}|UT|UTC|GMT|Z|[ECMP][SD]T))?\s*$",
    re.IGNORECASE,
)
_RFC_ZONES = {"ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
              "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}

_OFFSET_RE = re.compile(r"([+-])(\d{2}):?(\d{2})?")

_MAX_INPUT = 4096  # dates are short; longer text is only searched in its head


def coerce_date(value: object) -> _dt.date | None:
    """Return *value* as a :class:`datetime.date`: a date, a datetime, or an ISO-ish string.

    Used for the ``published`` arguments. Anything else gives None; never raises.
    """
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        m = _ISO_DATE_RE.search(value[:_MAX_INPUT])
        if m:
            return _make_date(int(m["year"]), int(m["month"]), int(m["day"]))
    return None


def _make_date(year: int, month: int, day: int) -> _dt.date | None:
    """A valid :class:`datetime.date` in the supported range, or None."""
    if not 1000 <= year <= 9999:
        return None
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def _with_published_year(month: int, day: int, published: _dt.date | None) -> _dt.date | None:
    """Date for *month*/*day* in *published*'s year (None if unknown).

    Around New Year the neighbouring year is used instead when it lands within 90 days of
    *published* while the same-year date would be more than 180 days away (a review
    published Dec. 20 of a film opening "Jan. 5" means the next January).
    """
    if published is None:
        return None
    same = _make_date(published.year, month, day)
    if same is None and (month, day) == (2, 29):
        return None
    if same is not None:
        gap = (same - published).days
        if gap < -180:
            other = _make_date(published.year + 1, month, day)
            if other is not None and (other - published).days <= 90:
                return other
        elif gap > 180:
            other = _make_date(published.year - 1, month, day)
            if other is not None and (published - other).days <= 90:
                return other
    return same


def _day_first(language: object) -> bool:
    """Whether *language* (``de``, ``fr-FR``, ``es_ES``, ``en-GB``, ...) writes numeric dates
    day-first. English without a region (``en``) and ``en-US`` are month-first."""
    if not isinstance(language, str) or not language or len(language) > 35:
        return False
    parts = language.strip().lower().replace("_", "-").split("-")
    if parts[0] == "en":
        return len(parts) > 1 and parts[1] in DAY_FIRST_ENGLISH_REGIONS
    return parts[0] in DAY_FIRST_LANGUAGES


def _numeric_date(m: re.Match, day_first: bool, ambiguous: bool) -> _dt.date | None:
    """The date of a numeric ``a/b/yyyy`` or ``a.b.yyyy`` match (see :func:`find_dates`)."""
    a, b, year = int(m["a"]), int(m["b"]), int(m["year"])
    if day_first:
        return _make_date(year, b, a)
    if a > 12:
        return _make_date(year, b, a)  # only day-first is possible
    if m["sep"] == "." and b <= 12 and a != b and not ambiguous:
        return None  # "12.03.2025": a day-first form, but the page does not say so
    return _make_date(year, a, b)


@never_raises(False)
def has_date(text: object, *, published: object = None) -> bool:
    """Whether *text* holds a date in any reading (an ambiguous ``12.03.2025`` included): a
    test for "this is a dateline, not a name", never a value. Never raises."""
    return bool(_find_dates(text, published, False, True))


def find_dates(text: object, *, published: object = None, language: object = None) -> list[tuple[int, int, str]]:
    """Return every date in *text* as ``(start, end, iso)`` in order of appearance.

    Overlapping matches are resolved in favour of the earliest (then longest) one. Dates
    without a year use *published* (see :func:`parse_date`); those that cannot be completed
    are skipped. *language* is the page's (``de``, ``fr``, ``es``: numeric dates day-first).
    Never raises.
    """
    return _find_dates(text, published, _day_first(language), False)


def _find_dates(text: object, published: object, day_first: bool, ambiguous: bool) -> list[tuple[int, int, str]]:
    if not isinstance(text, str) or not text:
        return []
    text = text[:_MAX_INPUT]
    pub = coerce_date(published)
    found: list[tuple[int, int, str]] = []

    def add(m: re.Match, d: _dt.date | None) -> None:
        """Record the span of *m* when it gave a valid date."""
        if d is not None:
            found.append((m.start(), m.end(), d.isoformat()))

    for m in _ISO_DATE_RE.finditer(text):
        add(m, _make_date(int(m["year"]), int(m["month"]), int(m["day"])))
    for m in _YMD_SLASH_RE.finditer(text):
        add(m, _make_date(int(m["year"]), int(m["month"]), int(m["day"])))
    for m in _US_RE.finditer(text):
        add(m, _numeric_date(m, day_first, ambiguous))
    for m in _FOREIGN_DMY_RE.finditer(text):
        key = m["mon"].lower()
        add(m, _make_date(int(m["year"]), FOREIGN_MONTHS.get(key) or MONTHS[key], int(m["day"])))
    for rx, mon_g, day_g in ((_MDY_RE, "mon", "day"), (_DMY_RE, "mon2", "day2")):
        for m in rx.finditer(text):
            month = MONTHS.get(m[mon_g].lower())
            if month is None:
                continue
            day = int(m[day_g])
            if m["year"]:
                add(m, _make_date(int(m["year"]), month, day))
            else:
                # "may 3" in lowercase prose is the verb, not the month.
                if m[mon_g].lower() == "may" and not m[mon_g][0].isupper():
                    continue
                add(m, _with_published_year(month, day, pub))
    found.sort(key=lambda t: (t[0], -t[1]))
    out: list[tuple[int, int, str]] = []
    for start, end, iso in found:
        if out and start < out[-1][1]:
            continue
        out.append((start, end, iso))
    return out


def parse_date(text: object, *, published: object = None, language: object = None) -> str | None:
    """Return the first calendar date in *text* as ISO ``YYYY-MM-DD``, or None.

    Accepts ``May 30, 2025``, ``Sept. 5, 2025``, ``May 30th, 2025``, ``Friday, May 30, 2025``,
    ``10 October 2025``, ``10th of October, 2025``, ``2025-05-30`` (also the date part of an
    ISO datetime), ``2025/05/30`` and US ``11/14/2025`` (``14/11/2025`` only because 14 cannot
    be a month); German, French and Spanish dates with a year (``12. März 2025``, ``Mittwoch,
    12. März 2025``, ``12 mars 2025``, ``1er avril 2025``, ``12 de marzo de 2025``). *language*
    is the page's: ``de``, ``fr`` or ``es`` read numeric dates day-first (``12.03.2025``,
    ``12/03/2025`` are 12 March; ``03/24/2025`` is then no date); without it a dotted date whose
    day and month could be swapped (``12.03.2025``) is None. Two-digit years, month-and-year
    only and impossible dates give None. A date without a year (``May 30``) takes the year from
    *published* (a date, datetime or ISO string), choosing the occurrence closest to it;
    without *published* it is None. Never raises.

    >>> parse_date("Release Date: Sept. 5, 2025 (Netflix)")
    '2025-09-05'
    """
    if isinstance(text, _dt.datetime):
        return text.date().isoformat()
    if isinstance(text, _dt.date):
        return text.isoformat()
    try:
        dates = find_dates(text, published=published, language=language)
    except Exception:  # noqa: BLE001 - defensive, must never raise
        return None
    return dates[0][2] if dates else None


def _offset(tz: str | None) -> _dt.timezone | None:
    """A :class:`datetime.timezone` for an ISO/RFC zone designator; None for naive/unknown."""
    if not tz:
        return None
    t = tz.strip().lower()
    if t in _RFC_ZONES:
        return _dt.timezone(_dt.timedelta(hours=_RFC_ZONES[t]))
    m = _OFFSET_RE.fullmatch(t)
    if not m:
        return None
    hours, minutes = int(m[2]), int(m[3] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("bad offset")
    delta = _dt.timedelta(hours=hours, minutes=minutes)
    return _dt.timezone(-delta if m[1] == "-" else delta)


def _format_utc(year, month, day, hour, minute, second, tz) -> str | None:
    """Build the datetime, convert to UTC and format it as ``YYYY-MM-DDTHH:MM:SSZ``."""
    try:
        second = int(second or 0)
        if second == 60:  # leap second: clamp
            second = 59
        zone = _offset(tz) or _dt.timezone.utc
        value = _dt.datetime(int(year), int(month), int(day), int(hour), int(minute), second, tzinfo=zone)
        value = value.astimezone(_dt.timezone.utc)
    except (ValueError, OverflowError):
        return None
    if not 1000 <= value.year <= 9999:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@never_raises(None)
def parse_datetime(text: object, *, language: object = None) -> str | None:
    """Return *text* as the record's ISO 8601 form, or None when it is not a date(time).

    * ISO 8601 datetimes (``2025-05-30T15:00:00+02:00``, ``2025-05-30 15:00``, ``...Z``,
      fractional seconds, basic ``20250530T150000Z``) become UTC ``2025-05-30T13:00:00Z``;
      naive ones are taken as UTC; fractions of a second are dropped.
    * A bare ISO date stays ``YYYY-MM-DD``.
    * RFC 2822 / HTTP dates (``Fri, 30 May 2025 13:00:00 GMT``, ``... +0200``) become UTC.
    * Anything else falls back to :func:`parse_date` (a bare date) when the whole string is
      a short date expression, e.g. ``May 30, 2025``, ``12. März 2025`` (*language* as there:
      ``12.03.2025`` is a date on a ``de``/``fr``/``es`` page only).

    Also accepts :class:`datetime.datetime` / :class:`datetime.date` objects. Never raises.

    >>> parse_datetime("2025-05-30T15:00:00+02:00")
    '2025-05-30T13:00:00Z'
    """
    if isinstance(text, _dt.datetime):
        value = text if text.tzinfo else text.replace(tzinfo=_dt.timezone.utc)
        return _format_utc(value.year, value.month, value.day, value.hour, value.minute,
                           value.second, value.strftime("%z") or None)
    if isinstance(text, _dt.date):
        return text.isoformat()
    if not isinstance(text, str):
        return None
    s = text.strip()
    if not s or len(s) > 80:
        return None
    m = _ISO_DT_RE.match(s) or _ISO_BASIC_RE.match(s)
    if m:
        if m["hour"] is None:
            d = _make_date(int(m["year"]), int(m["month"]), int(m["day"]))
            return d.isoformat() if d else None
        return _format_utc(m["year"], m["month"], m["day"], m["hour"], m["minute"], m["second"], m["tz"])
    m = _RFC_RE.match(s)
    if m:
        month = MONTHS.get(m["mon"].lower().rstrip("."))
        if month is None:
            return None
        return _format_utc(m["year"], month, m["day"], m["hour"], m["minute"], m["second"], m["tz"])
    dates = find_dates(s, language=language)
    if len(dates) == 1:
        return dates[0][2]
    return None


@never_raises(None)
def datetime_offset(text: object) -> str | None:
    """The UTC offset an ISO 8601 or RFC 2822 date-time string states, as ``+HH:MM``
    (``Z``/``GMT`` give ``+00:00``); ``""`` for a time without a zone (which
    :func:`parse_datetime` reads as UTC); None for anything else (a bare date, no date-time).
    Never raises.

    >>> datetime_offset("2025-05-30T15:00:00-04:00"), datetime_offset("2025-05-30T15:00")
    ('-04:00', '')
    """
    if not isinstance(text, str) or len(text) > 80:
        return None
    m = _ISO_DT_RE.match(text) or _ISO_BASIC_RE.match(text) or _RFC_RE.match(text)
    if not m or m["hour"] is None:
        return None
    if not m["tz"]:
        return ""
    zone = _offset(m["tz"]) or _dt.timezone.utc
    minutes = int(zone.utcoffset(None).total_seconds() // 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


