"""Run modes: ``full``, ``incremental`` and ``backfill``, and the components that apply them.

Spider arguments (parsed by :class:`RunOptions`, validated when the spider is created):

- ``mode``: ``incremental`` (emit only new or changed reviews; the default, setting
  ``RUN_MODE``), ``backfill`` (a date range, resumable: skips what this state already
  exported) or ``full`` (emit every review found; the default when ``urls``/``urls_file`` is
  given). Every mode records what it emitted in the state store.
- ``since`` / ``until``: ``YYYY-MM-DD``, inclusive, on ``published_at`` (UTC); any mode.
- ``state``: the state store path or URI (see :mod:`crawler.state`).

Components (enabled in ``crawler.settings``):

- :class:`StateSpiderMiddleware`: before download, skips sitemap entries by ``lastmod``
  (incremental: older than the watermark minus ``INCREMENTAL_OVERLAP_HOURS``; date range:
  modified before ``since``), skips pages a backfill already exported, and adds conditional
  request headers (``If-None-Match`` / ``If-Modified-Since``) in incremental mode. Remembers
  each review's fetch URL and validators for the state.
- :class:`StatePipeline` (item pipeline, after validation): counts per-kind field coverage
  of every review read (for the monitors), drops reviews outside ``since``/``until``
  (``reviews/skipped/out_of_range``) and, in incremental and backfill mode, reviews already
  exported with the same ``content_hash`` (``reviews/dropped/unchanged``).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.pipelines import StatsPipeline, missing_fields

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


def _id_for_raw_url(raw_url: Any) -> str | None:
    """The record id :func:`crawler.normalize.record.normalize_record` will derive."""
    from crawler.normalize.text import clean_text
    from crawler.normalize.urls import record_id

    url = clean_text(raw_url or "") if isinstance(raw_url, str) else ""
    return record_id(url) if url else None


class StateSpiderMiddleware(BaseSpiderMiddleware):
    """Pre-download filters and conditional requests (see the module docstring)."""

    def _run(self):
        from crawler.extensions import get_run

        return get_run(self.crawler)

    def get_processed_request(self, request: Request, response) -> Request | None:
        run = self._run()
        if run.state is None or request.callback is None or getattr(request.callback, "__name__", "") != "parse_page":
            return request
        stats = self.crawler.stats
        known = run.state.get_fetch(request.url)
        if known is None:
            return request
        if run.mode == "backfill":
            stats.inc_value("pages/skipped/already_exported")
            stats.inc_value("reviews/seen")
            return None
        if run.mode == "incremental" and (known.get("etag") or known.get("last_modified")):
            headers = {}
            if known.get("etag"):
                headers["If-None-Match"] = known["etag"]
            if known.get("last_modified"):
                headers["If-Modified-Since"] = known["last_modified"]
            for k, v in headers.items():
                request.headers.setdefault(k, v)
            request.meta.setdefault("handle_httpstatus_list", [304])
            stats.inc_value("pages/conditional_requests")
        return request

    def get_processed_item(self, item: Any, response) -> Any:
        run = self._run()
        if run.state is not None and response is not None:
            rid = _id_for_raw_url(ItemAdapter(item).get("url"))
            if rid:
                headers = response.headers
                etag = headers.get(b"ETag")
                lm = headers.get(b"Last-Modified")
                run.fetch_info[rid] = {
                    "fetch_url": response.request.url if response.request is not None else response.url,
                    "etag": etag.decode("latin-1") if etag else None,
                    "last_modified": lm.decode("latin-1") if lm else None,
                }
        return item


class StatePipeline(StatsPipeline):
    """Coverage counts, date range and unchanged filtering (see the module docstring)."""

    def process_item(self, item):
        from crawler.extensions import get_run

        run = get_run(self.crawler)
        record = ItemAdapter(item)
        kind = record.get("kind") or "none"
        self.stats.inc_value("reviews/seen")
        missing = missing_fields(record.asdict())
        for scope in ("all", kind):
            self.stats.inc_value(f"coverage/{scope}/reviews")
            for name in missing:
                self.stats.inc_value(f"coverage/{scope}/missing/{name}")
        ok = run.filter.in_range(record.get("published_at"))
        if ok is False:
            run.fetch_info.pop(record.get("id"), None)
            self.stats.inc_value("reviews/skipped/out_of_range")
            raise DropItem(f"published_at {record.get('published_at')} outside the date range", log_level="DEBUG")
        if ok is None:
            self.stats.inc_value("reviews/undated_kept")
        if run.mode in ("incremental", "backfill") and run.state is not None:
            if run.state.is_unchanged(record.get("id"), record.get("content_hash")):
                run.fetch_info.pop(record.get("id"), None)
                self.stats.inc_value("reviews/dropped/unchanged")
                raise DropItem(f"unchanged since last emitted: {record.get('url')}", log_level="DEBUG")
        return item


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
