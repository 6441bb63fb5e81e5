"""Every test here runs real crawls: marked ``e2e`` (``-m "not e2e"`` runs the unit tests alone);
the Redis ones ``redis``, the kill-and-resume ones ``kill``."""

from __future__ import annotations

import pytest

_REDIS = ("test_distributed.py",)
_KILL = ("test_backfill_resume.py", "test_distributed.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" not in item.nodeid.replace("\\", "/"):
            continue
        item.add_marker(pytest.mark.e2e)
        name = item.nodeid.split("::")[0].rsplit("/", 1)[-1]
        if name in _REDIS:
            item.add_marker(pytest.mark.redis)
        if name in _KILL:
            item.add_marker(pytest.mark.kill)
