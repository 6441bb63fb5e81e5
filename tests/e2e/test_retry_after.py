"""``Retry-After`` on 429/503 pauses the whole domain (crawler/middlewares/domain_pause.py).

Behaviour check on recorded request times with a generous tolerance (not a benchmark): after a
429 with ``Retry-After: 2`` no request reaches that domain for about 2 s, then the page is
retried and ends up in the output.

A small ``DOWNLOAD_DELAY`` makes the slot start one request at a time (as in production, where
it is 0.5 s): with no delay, Scrapy 2.19 starts every request queued in a slot at once, and
requests already on the wire when the 429 arrives cannot be held back."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from crawler.devserver import FixtureHandler, FixtureServer
from crawler.middlewares.retry_after import retry_after_seconds as parse_retry_after
from tests.support.crawl import read_jsonl
from tests.support.sitegen import crawl, generate_site


class ThrottlingHandler(FixtureHandler):
    """The first page request gets ``429 Retry-After: 2``; every request's time is recorded."""

    def do_GET(self):  # noqa: N802
        server = self.server
        with server.lock:
            server.times.append((time.monotonic(), self.path))
            first = not server.throttled and self.path.startswith("/review-")
            if first:
                server.throttled = self.path
        if first:
            body = b"slow down"
            self.send_response(429)
            self.send_header("Retry-After", "2")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def test_429_with_retry_after_pauses_the_domain(tmp_path):
    pages = generate_site(tmp_path / "site", n_reviews=4, n_news=0, seed=2, listings=False)
    server = FixtureServer(tmp_path / "site", handler=ThrottlingHandler)
    server.lock, server.times, server.throttled = threading.Lock(), [], None
    urls = ",".join(f"{server.base_url}/{p.slug}" for p in pages)
    with server:
        proc = crawl(server.base_url, tmp_path / "o.jsonl", tmp_path / "s.sqlite", "-a", f"urls={urls}",
                     "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
                     "-s", "PROGRESS_INTERVAL=0.5")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(read_jsonl(tmp_path / "o.jsonl")) == 4  # the throttled page was retried and read
    t429 = next(t for t, path in server.times if path == server.throttled)
    later = [(t - t429, path) for t, path in server.times if t > t429]
    assert len(later) == 4  # the retry and the three other pages
    assert all(1.8 <= dt for dt, _ in later), later  # nothing reached the domain during the pause
    retry = next(dt for dt, path in later if path == server.throttled)
    assert retry < 15, later
    assert proc.stats["retry_after/domain_paused"] == 1
    # The run lasted over 2 s: the periodic progress line was logged, and the final summary.
    assert "Progress: " in proc.stderr and " pages fetched, " in proc.stderr
    assert "Run summary " in proc.stderr


def test_parse_retry_after_seconds_and_http_dates():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after(b"2") == 2.0
    assert parse_retry_after(" 120 ") == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0.0
    for junk in (None, b"", "soon", "-5", "1.5e9999"):
        assert parse_retry_after(junk) is None
