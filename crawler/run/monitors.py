"""End-of-run monitors: counts, per-field coverage, error rates and a drop versus history.

Pure functions over the run's stats (no Scrapy imports), evaluated by
:class:`crawler.run.controller.RunController` when the spider closes. A failing check makes the
crawl exit with code 1 and prints one line per failure, e.g.
``MONITOR FAILED: grade coverage 0.00 < 0.80 (film reviews, 40 read)``.

Why not spidermon: its field coverage counts the items *emitted* (an incremental run that finds
nothing new emits none, so coverage would be unknowable) and cannot condition on the kind of
review (grades are required of film reviews only). Our coverage counts every review *read* this
run, before the incremental and date filters (stats ``coverage/<kind>/reviews`` and
``coverage/<kind>/missing/<field>``, written by :class:`crawler.run.options.StatePipeline`), and a
field is missing when it is ``None``, ``""``, ``[]`` or ``{}``.

Settings (defaults in :data:`DEFAULTS`):

- ``MONITOR_ENABLED``: run the checks (default True).
- ``MONITOR_MIN_REVIEWS_SEEN``: at least this many reviews seen: read, or known unchanged
  without download (304, skipped by ``lastmod``, already exported). Counts pages seen, not items
  emitted, so a quiet incremental run passes. Not applied to ``urls`` runs; a ``urls`` run in
  which every page failed is a failed run (``no review from the N pages given with urls``;
  stat ``run/exact_urls`` is N).
- ``MONITOR_COVERAGE``: ``{"field": min, "field@kind": min}``; ``field`` is a record field or
  ``credits/<role>``; ``@film``/``@tv`` restricts it to that kind. Checked when at least
  ``MONITOR_COVERAGE_MIN_SAMPLE`` reviews of that scope were read.
- ``MONITOR_MAX_ERROR_RATE``: failed pages / (pages fetched + failed).
- ``MONITOR_MAX_INVALID_RATE``: records failing the schema / reviews read.
- ``MONITOR_RATE_MIN_SAMPLE``: the two rates are judged from this many pages / reviews on
  (a handful of ``urls`` is not a rate).
- ``MONITOR_MAX_DROP``: fail when reviews seen fall below ``(1 - MAX_DROP)`` x the median of
  the last ``MONITOR_HISTORY_RUNS`` successful runs of the same mode (needs 2 such runs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

DEFAULTS: dict[str, Any] = {
    "MONITOR_ENABLED": True,
    "MONITOR_MIN_REVIEWS_SEEN": 1,
    "MONITOR_COVERAGE": {"title": 1.0, "body": 0.9, "grade@film": 0.8},
    "MONITOR_COVERAGE_MIN_SAMPLE": 10,
    "MONITOR_MAX_ERROR_RATE": 0.2,
    "MONITOR_RATE_MIN_SAMPLE": 20,
    "MONITOR_MAX_INVALID_RATE": 0.05,
    "MONITOR_MAX_DROP": 0.5,
    "MONITOR_HISTORY_RUNS": 5,
}


@dataclass(frozen=True)
class Failure:
    check: str
    message: str

    def line(self) -> str:
        return f"MONITOR FAILED: {self.message}"


def reviews_seen(stats: Mapping[str, Any]) -> int:
    """Distinct reviews seen this run (stat ``reviews/seen``): read, or known unchanged without
    reading them (304, skipped by ``lastmod``, already exported), each review once however many
    ways it was reached (sitemap and listing)."""
    return int(stats.get("reviews/seen", 0))


def failed_pages(stats: Mapping[str, Any]) -> int:
    return sum(int(v) for k, v in stats.items() if k.startswith("pages/failed/") and isinstance(v, (int, float)))


def coverage(stats: Mapping[str, Any], field: str, kind: str = "all") -> tuple[float | None, int]:
    """(share of reviews of *kind* read this run where *field* is not empty, sample size)."""
    n = int(stats.get(f"coverage/{kind}/reviews", 0))
    if not n:
        return None, 0
    return 1 - int(stats.get(f"coverage/{kind}/missing/{field}", 0)) / n, n


def evaluate(stats: Mapping[str, Any], settings: Mapping[str, Any] | None = None, history: Sequence[Mapping[str, Any]] = (),
             *, exact_urls: bool = False) -> list[Failure]:
    """The failed checks of a finished run (empty when all pass)."""
    conf = dict(DEFAULTS)
    conf.update({k: v for k, v in (settings or {}).items() if k in DEFAULTS and v is not None})
    if not conf["MONITOR_ENABLED"]:
        return []
    out: list[Failure] = []
    seen = reviews_seen(stats)
    failed = failed_pages(stats)
    given = int(stats.get("run/exact_urls", 0)) or failed
    if exact_urls and seen == 0 and failed > 0 and failed >= given:
        out.append(Failure("urls_failed", f"no review from the {given} pages given with urls ({failed} failed)"))
    if not exact_urls and seen < int(conf["MONITOR_MIN_REVIEWS_SEEN"]):
        out.append(Failure("min_reviews", f"reviews seen {seen} < {int(conf['MONITOR_MIN_REVIEWS_SEEN'])} (MONITOR_MIN_REVIEWS_SEEN)"))
    min_sample = int(conf["MONITOR_COVERAGE_MIN_SAMPLE"])
    for spec, minimum in dict(conf["MONITOR_COVERAGE"] or {}).items():
        field, _, kind = str(spec).partition("@")
        cov, n = coverage(stats, field, kind or "all")
        if cov is None or n < min_sample:
            continue
        if cov + 1e-9 < float(minimum):
            scope = f"{kind} reviews" if kind else "reviews"
            out.append(Failure(f"coverage/{spec}", f"{field} coverage {cov:.2f} < {float(minimum):.2f} ({scope}, {n} read)"))
    fetched = int(stats.get("response_received_count", 0))
    if failed + fetched >= max(int(conf["MONITOR_RATE_MIN_SAMPLE"]), 1):
        rate = failed / (failed + fetched)
        if rate > float(conf["MONITOR_MAX_ERROR_RATE"]):
            out.append(Failure("error_rate", f"error rate {rate:.2f} > {float(conf['MONITOR_MAX_ERROR_RATE']):.2f} ({failed} failed pages)"))
    read = int(stats.get("reviews/normalized", 0))
    invalid = int(stats.get("reviews/dropped/invalid", 0))
    if read >= max(int(conf["MONITOR_RATE_MIN_SAMPLE"]), 1) and invalid / read > float(conf["MONITOR_MAX_INVALID_RATE"]):
        out.append(Failure("invalid_rate", f"invalid records {invalid}/{read} > {float(conf['MONITOR_MAX_INVALID_RATE']):.2f} of reviews read"))
    past = [int(h.get("reviews_seen", 0)) for h in history[: int(conf["MONITOR_HISTORY_RUNS"])] if h.get("exit_code") == 0]
    if not exact_urls and len(past) >= 2:
        base = median(past)
        floor = (1 - float(conf["MONITOR_MAX_DROP"])) * base
        if seen < floor:
            out.append(Failure("history_drop", f"reviews seen {seen} < {floor:.0f} ({1 - float(conf['MONITOR_MAX_DROP']):.0%} of the median {base:.0f} of the last {len(past)} runs)"))
    return out
