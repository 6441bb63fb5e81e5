"""The progress line (pure: a function of the run's stats and its age)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def progress_line(stats: Mapping[str, Any], elapsed: float) -> str:
    """``Progress: N pages fetched, R reviews read, E emitted, Q queued, X pages/min[, sitemap
    URLs S][, ETA M min]`` (the ETA once sitemaps are read)."""
    fetched = int(stats.get("response_received_count", 0))
    queued = max(int(stats.get("scheduler/enqueued", 0)) - int(stats.get("scheduler/dequeued", 0)), 0)
    rate = fetched / max(elapsed, 1e-6) * 60
    eta = f", ETA {queued / rate:.0f} min" if stats.get("sitemap/fetched") and rate > 0 else ""
    sitemap = f", sitemap URLs {stats.get('sitemap/urls')}" if stats.get("sitemap/urls") else ""
    return (f"Progress: {fetched} pages fetched, {int(stats.get('reviews/seen', 0))} reviews read, "
            f"{int(stats.get('reviews/emitted', 0))} emitted, {queued} queued, {rate:.1f} pages/min{sitemap}{eta}")
