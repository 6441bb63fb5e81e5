"""``RedisStateStore.forget_run`` (crawler/state/redis.py) against a real ``redis-server``: the
semantics of the SQLite store's, checked side by side, and atomic (one Lua script)."""

from __future__ import annotations

import pytest

from crawler.state import SQLiteStateStore, open_state
from tests.support.redis_fixture import redis_srv  # noqa: F401 - pytest fixture

pytestmark = pytest.mark.redis


def _row(i: int, h: str = "h1", fetch: bool = True) -> dict:
    row = {"id": f"id{i}", "url": f"https://x/{i}", "content_hash": h}
    return {**row, "fetch_url": f"http://m/{i}", "etag": f'"e{i}"'} if fetch else row


def _scenario(store) -> dict:
    """Run killed emits 0-9 (some fetched under a second URL too); id3 was emitted again by a
    later run, id4's fetch URL taken over by a later run; id0 and id1 are in an intact file."""
    store.mark_emitted([_row(i) for i in range(10)], "killed")
    store.mark_emitted([{**_row(5), "fetch_url": "http://m/5-alt"}], "killed")
    store.mark_emitted([_row(3, "h2")], "later")
    store.mark_emitted([{**_row(40), "fetch_url": "http://m/4"}], "later")
    store.mark_emitted([_row(20)], "other")
    n = store.forget_run("killed", keep={"id0", "id1", "id20"})
    again = store.forget_run("killed", keep={"id0", "id1"})
    ids = [f"id{i}" for i in (*range(10), 20, 40)]
    urls = [f"http://m/{i}" for i in (*range(10), 20)] + ["http://m/5-alt"]
    return {
        "forgotten": n, "again": again,
        "reviews": {i: (r["content_hash"], r["last_emitted_run"]) for i in ids if (r := store.get(i)) is not None},
        "fetches": {u: (f["id"], f["emitted_run"]) for u in urls if (f := store.get_fetch(u)) is not None},
    }


def test_redis_forget_run_has_the_semantics_of_the_sqlite_one(redis_srv, tmp_path):  # noqa: F811
    with SQLiteStateStore(tmp_path / "s.sqlite") as sqlite_store:
        expected = _scenario(sqlite_store)
    store = open_state(redis_srv.url, "avclub")
    other = open_state(redis_srv.url, "frameline")  # another spider's keys are not touched
    other.mark_emitted([_row(2)], "killed")
    try:
        got = _scenario(store)
        assert got == expected
        assert got["forgotten"] == 7 and got["again"] == 0  # id2, id4-id9: not kept, last emitted by the killed run
        assert got["reviews"] == {"id0": ("h1", "killed"), "id1": ("h1", "killed"), "id3": ("h2", "later"),
                                  "id20": ("h1", "other"), "id40": ("h1", "later")}
        assert got["fetches"] == {"http://m/0": ("id0", "killed"), "http://m/1": ("id1", "killed"), "http://m/3": ("id3", "later"),
                                  "http://m/4": ("id40", "later"), "http://m/20": ("id20", "other")}
        assert other.get("id2") is not None and other.get_fetch("http://m/2") is not None
    finally:
        store.close()
        other.close()


def test_redis_forget_run_is_one_script_call(redis_srv):  # noqa: F811
    """Atomic: the whole forget is one EVALSHA (no other client sees half of it)."""
    store = open_state(redis_srv.url, "avclub")
    try:
        store.mark_emitted([_row(i) for i in range(3000)], "killed")
        assert store.forget_run("nobody", keep=set()) == 0  # loads the script (redis-py: EVALSHA, NOSCRIPT, SCRIPT LOAD)
        client = redis_srv.client()
        before = client.info("commandstats")
        assert store.forget_run("killed", keep={"id7"}) == 2999
        after = client.info("commandstats")
        calls = {k: after[k]["calls"] - before.get(k, {"calls": 0})["calls"] for k in after}
        assert {k: v for k, v in calls.items() if v and k not in ("cmdstat_info", "cmdstat_hdel", "cmdstat_hscan")} == {"cmdstat_evalsha": 1}
        assert store.count() == 1 and store.get("id7") is not None and store.get_fetch("http://m/7") is not None
        assert store.get_fetch("http://m/8") is None
    finally:
        store.close()
