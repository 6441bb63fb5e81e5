"""inc_values/add_values: many stats counted with one call, the same counts as inc_value's."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector, StatsCollector

from crawler.run.counting import add_values, inc_values


class _Crawler:
    class settings:  # noqa: N801 - what a stats collector reads
        @staticmethod
        def getbool(name, default=False):
            return False


class Logging(StatsCollector):
    """A collector with its own counting: it must be called, key by key."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.calls = []

    def inc_value(self, key, count=1, start=0, spider=None):
        self.calls.append((key, count))
        super().inc_value(key, count, start)


def test_a_scrapy_collector_counts_every_key_as_inc_value_does():
    stats = MemoryStatsCollector(_Crawler())
    stats.set_value("a", 5)
    inc_values(stats, ["a", "b", "b", "c"])
    add_values(stats, {"c": 3, "d": 2, "a": 0})
    assert stats.get_stats() == {"a": 5 + 1, "b": 2, "c": 1 + 3, "d": 2}
    same = MemoryStatsCollector(_Crawler())
    same.set_value("a", 5)
    for key in ["a", "b", "b", "c"]:
        same.inc_value(key)
    for key, n in {"c": 3, "d": 2, "a": 0}.items():
        same.inc_value(key, n)
    assert list(same.get_stats().items()) == list(stats.get_stats().items())  # same values, same key order


def test_a_collector_that_overrides_inc_value_is_called_for_each_key():
    stats = Logging(_Crawler())
    inc_values(stats, iter(["x", "y", "x"]))
    add_values(stats, {"z": 4})
    assert stats.calls == [("x", 1), ("y", 1), ("x", 1), ("z", 4)]
    assert stats.get_stats() == {"x": 2, "y": 1, "z": 4}
