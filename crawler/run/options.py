"""Run options and the pre-download filter: pure (no Scrapy).

Spider arguments (parsed by :class:`RunOptions`, validated when the spider is created):

- ``mode``: ``incremental`` (emit only new or changed reviews; the default, setting
  ``RUN_MODE``), ``backfill`` (a date range, resumable: skips what this state already
  exported) or ``full`` (emit every review found; the default when ``urls``/``urls_file`` is
  given). Every mode records what it emitted in the state store.
- ``since`` / ``until``: ``YYYY-MM-DD``, inclusive, on ``published_at`` (UTC); any mode.
- ``state``: the state store path or URI (see :mod:`crawler.state`).

:class:`RunFilter` holds the decisions taken before download (``lastmod`` cut-off, date range);
:class:`crawler.middlewares.conditional.ConditionalMiddleware` applies it to every request,
whatever the spider, and :class:`crawler.pipelines.state.StatePipeline` after download.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any


MODES = ("incremental", "backfill", "full")


def make_run_id(now: datetime | None = None) -> str:
    """``20251124T010203Z-1a2b3c``: sortable by start time, unique across runs."""
    now = now or datetime.now(timezone.utc)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def parse_day(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def parse_when(value: Any) -> datetime | None:
    """A sitemap ``lastmod`` / ISO 8601 string as an aware UTC datetime (None when unreadable)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


@dataclass
class RunOptions:
    """The spider arguments of a run (``mode`` None means: decided from settings)."""

    mode: str | None = None
    since: date | None = None
    until: date | None = None
    state: str | None = None
    run_id: str = field(default_factory=make_run_id)

    @classmethod
    def from_args(cls, mode: str | None = None, since: str | None = None, until: str | None = None, state: str | None = None) -> "RunOptions":
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        s, u = parse_day(since, "since"), parse_day(until, "until")
        if s and u and s > u:
            raise ValueError(f"since ({s}) is after until ({u})")
        return cls(mode=mode, since=s, until=u, state=state or None)

    def as_dict(self) -> dict:
        return {"mode": self.mode, "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "state": self.state}


@dataclass
class RunFilter:
    """Decisions taken before download (pure; the spider's ``want_sitemap*`` hooks call it)."""

    mode: str = "full"
    since: date | None = None
    until: date | None = None
    #: incremental: skip entries whose lastmod is older than this (watermark minus overlap)
    modified_after: datetime | None = None

    @property
    def lastmod_cutoff(self) -> datetime | None:
        """Entries with a ``lastmod`` before this are skipped. ``since`` gets a day of slack for
        time zones: a page modified before the range starts cannot be published in it."""
        cuts = []
        if self.since:
            cuts.append(datetime(self.since.year, self.since.month, self.since.day, tzinfo=timezone.utc) - timedelta(days=1))
        if self.modified_after:
            cuts.append(self.modified_after)
        return max(cuts) if cuts else None

    def want_lastmod(self, lastmod: Any) -> bool:
        cutoff = self.lastmod_cutoff
        if cutoff is None:
            return True
        when = parse_when(lastmod)
        return when is None or when >= cutoff

    def want_sitemap_lastmod(self, lastmod: Any) -> bool:
        """Child sitemaps of an index are skipped by ``since`` only (a sitemap is cheap, and its
        URLs count as seen for the monitors when the watermark skips them)."""
        if not self.since:
            return True
        when = parse_when(lastmod)
        return when is None or when >= datetime(self.since.year, self.since.month, self.since.day, tzinfo=timezone.utc) - timedelta(days=1)

    def in_range(self, published_at: Any) -> bool | None:
        """Whether a review's ``published_at`` is within ``since``/``until``; None when undated."""
        if not (self.since or self.until):
            return True
        when = parse_when(published_at)
        if when is None:
            return None
        day = when.date()
        return not ((self.since and day < self.since) or (self.until and day > self.until))
