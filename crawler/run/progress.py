"""Progress: the progress line (pure: a function of the run's stats and its age) and the live
one-line bar shown instead of the lines when stderr is a terminal.

:class:`crawler.run.controller.RunController` logs :func:`progress_line` every
``PROGRESS_INTERVAL`` seconds or every ``PROGRESS_PAGES`` pages fetched, whichever comes first;
with ``PROGRESS_BAR`` (default: when stderr is a terminal) it draws a :class:`ProgressBar`
(tqdm) instead, and log lines written meanwhile appear above the bar.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from typing import Any, TextIO

from tqdm import tqdm


def progress_counts(stats: Mapping[str, Any]) -> tuple[int, int, bool]:
    """(pages fetched, requests queued, whether the sitemaps have been read)."""
    fetched = int(stats.get("response_received_count", 0))
    queued = max(int(stats.get("scheduler/enqueued", 0)) - int(stats.get("scheduler/dequeued", 0)), 0)
    return fetched, queued, bool(stats.get("sitemap/fetched"))


def progress_line(stats: Mapping[str, Any], elapsed: float) -> str:
    """``Progress: N pages fetched, R reviews read, E emitted, Q queued, X pages/min[, sitemap
    URLs S][, ETA M min]`` (the ETA once sitemaps are read)."""
    fetched, queued, sitemaps = progress_counts(stats)
    rate = fetched / max(elapsed, 1e-6) * 60
    eta = f", ETA {queued / rate:.0f} min" if sitemaps and rate > 0 else ""
    sitemap = f", sitemap URLs {stats.get('sitemap/urls')}" if stats.get("sitemap/urls") else ""
    return (f"Progress: {fetched} pages fetched, {int(stats.get('reviews/seen', 0))} reviews read, "
            f"{int(stats.get('reviews/emitted', 0))} emitted, {queued} queued, {rate:.1f} pages/min{sitemap}{eta}")


class _AboveTheBar:
    """A log handler's stream that clears the bar, writes the log line, and redraws the bar."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        with tqdm.external_write_mode(file=self.stream):
            n = self.stream.write(text)
            self.stream.flush()
        return n

    def flush(self) -> None:
        self.stream.flush()


class ProgressBar:
    """A live one-line bar on *stream*: pages fetched (of fetched + queued once the sitemaps are
    read: then tqdm shows the share, the rate and an ETA), reviews read and emitted, queue size.
    Log handlers writing to the same stream are redirected above the bar until :meth:`close`."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        # the size from COLUMNS/LINES or the terminal, 80x24 when it reports none (a pty without a
        # size: tqdm would draw nothing)
        size = shutil.get_terminal_size()
        self.bar = tqdm(total=None, desc="crawl", unit=" pages", file=stream, ncols=size.columns, nrows=max(size.lines, 2),
                        leave=False, mininterval=0.2, smoothing=0.1)
        self._handlers: list[tuple[logging.StreamHandler, Any]] = []
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is stream:
                self._handlers.append((handler, handler.setStream(_AboveTheBar(stream))))

    def update(self, stats: Mapping[str, Any]) -> None:
        fetched, queued, sitemaps = progress_counts(stats)
        self.bar.ncols = shutil.get_terminal_size().columns  # follows a resized terminal
        if sitemaps and self.bar.total != fetched + queued:
            self.bar.total = fetched + queued
        self.bar.set_postfix_str(f"{int(stats.get('reviews/seen', 0))} read, {int(stats.get('reviews/emitted', 0))} emitted, "
                                 f"{queued} queued", refresh=False)
        if fetched > self.bar.n:
            self.bar.update(fetched - self.bar.n)
        else:
            self.bar.refresh()

    def close(self) -> None:
        for handler, old in self._handlers:
            handler.setStream(old)
        self._handlers = []
        self.bar.close()
