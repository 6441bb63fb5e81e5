"""Counting several stats at once, for the per-item path (issue 15: the crawl process does
almost nothing per page).

Scrapy's ``stats.inc_value`` costs a few microseconds a call (a deprecation wrapper, an
attribute hook that raises and catches an AttributeError for each attribute the collector
reads); a review used to cost twenty of them. :func:`inc_values` and
:func:`add_values` count many keys with one call: straight into the dict ``get_stats()``
returns when the collector is Scrapy's own (``inc_value`` and ``get_stats`` not overridden:
the live dict ``inc_value`` writes, the same result; a test holds Scrapy to it), else through
``inc_value`` one key at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scrapy.statscollectors import StatsCollector


_PLAIN: dict[type, bool] = {}  # per collector class: is its counting Scrapy's own


def _plain_dict(stats) -> dict | None:
    """The live stats dict of a collector whose counting is Scrapy's own, else None."""
    cls = type(stats)
    plain = _PLAIN.get(cls)
    if plain is None:
        plain = _PLAIN[cls] = (getattr(cls, "inc_value", None) is StatsCollector.inc_value
                               and getattr(cls, "get_stats", None) is StatsCollector.get_stats)
    if not plain:
        return None
    return stats.get_stats()  # Scrapy's collector hands out its live dict (tests/unit/run/test_counting.py)


def inc_values(stats, keys: Iterable[str]) -> None:
    """``stats.inc_value(key)`` for each of *keys*, in order (a key listed twice counts twice)."""
    d = _plain_dict(stats)
    if d is None:
        for key in keys:
            stats.inc_value(key)
        return
    for key in keys:
        d[key] = d.get(key, 0) + 1


def add_values(stats, counts: Mapping[str, int]) -> None:
    """``stats.inc_value(key, n)`` for each *key*, *n* of *counts*, in order."""
    d = _plain_dict(stats)
    if d is None:
        for key, n in counts.items():
            stats.inc_value(key, n)
        return
    for key, n in counts.items():
        d[key] = d.get(key, 0) + n
