"""Shared fixtures (helpers are in ``tests/support/``)."""

from __future__ import annotations

import pytest

from tests.support.crawl import FIXTURES
from crawler.devserver import FixtureServer


@pytest.fixture(scope="session")
def avclub_server():
    with FixtureServer(FIXTURES / "avclub") as server:
        yield server
