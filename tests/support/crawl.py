"""Shared test helpers: the repository paths and a crawl runner (``scrapy`` in a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Crawls against loopback need no politeness delay.
FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO"]


def fixture_cases(site: str) -> list[Path]:
    """Case folders of a fixture site: folders holding an ``expected.json``."""
    return sorted(p.parent for p in (FIXTURES / site).rglob("expected.json"))


def load_expected(case: Path):
    """A case's ``expected.json``: the version 1 record of the page (``fetched_at`` left out), or null."""
    return json.loads((case / "expected.json").read_text("utf-8"))


#: the change event of a review a crawl emits for the first time (a new state)
NEW = {"change": "new", "previous_hash": None, "changed_fields": []}


def as_written(expected: dict, change: dict | None = NEW) -> dict:
    """What a crawl writes (schema version 2, the default; ``fetched_at`` left out) for a version 1
    *expected* record, with the *change* event (None: outside a crawl, all ``null``)."""
    from crawler.record.v2 import to_v2

    record = to_v2(expected, change)
    del record["fetched_at"]
    return record


def crawl_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


def run_scrapy(args: list[str], cwd: Path = REPO, timeout: float = 180, **kwargs) -> subprocess.CompletedProcess:
    """Run ``scrapy <args>`` in a subprocess from the repository (its scrapy.cfg).

    For ``crawl`` the final stats are written with ``STATS_DUMP_PATH`` (unless the test sets it)
    and returned as ``proc.stats`` (a dict; ``{}`` when the crawl wrote none): tests assert on
    them, never on the log's stats dump."""
    dump = None
    if args and args[0] == "crawl" and not any(str(a).startswith("STATS_DUMP_PATH=") for a in args):
        fd, dump = tempfile.mkstemp(prefix="stats-", suffix=".json")
        os.close(fd)
        os.unlink(dump)
        args = [*args, "-s", f"STATS_DUMP_PATH={dump}"]
    env = kwargs.pop("env", None) or crawl_env()
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, **kwargs,
    )
    proc.stats = {}
    if dump is not None and os.path.exists(dump):
        proc.stats = json.loads(Path(dump).read_text("utf-8"))
        os.unlink(dump)
    return proc


def stop_process(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate a server started by a test; kill it when it does not stop in *timeout* s."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def read_jsonl(path: Path) -> list[dict]:
    text = path.read_text("utf-8")
    assert text == "" or text.endswith("\n"), "torn last line"
    return [json.loads(line) for line in text.splitlines()]


