"""Scheduled jobs on Scrapyd: build the egg (crawler/deploy.py), deploy it with scrapyd-client to
a real Scrapyd on loopback, schedule the ``avclub`` spider against the fixture site over
``schedule.json``, wait for it in ``listjobs.json`` and read its JSONL.

The fixture sites are not in the egg: the test serves ``fixtures/avclub`` itself and passes
``base_url``; the output path is a ``FEEDS`` setting given to ``schedule.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest

from crawler.deploy import build_egg, schedule_and_wait
from crawler.devserver import FixtureServer
from crawler.record.validate import record_errors
from tests.support.crawl import FIXTURES, REPO, read_jsonl, stop_process
from tests.support.redis_fixture import free_port

TIMEOUT = 120


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback only
        return json.loads(resp.read())


def _env() -> dict[str, str]:
    """Scrapyd's environment: the project comes from the egg only (not from this checkout)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT",
                                                             "CRAWLER_REDIS_URL", "CRAWLER_WORKER_ID")}
    return env


@pytest.fixture
def scrapyd(tmp_path):
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "items_dir =\n"
        "jobs_dir =\n"
        "poll_interval = 0.5\n"
        "max_proc = 2\n", "utf-8")
    log = (home / "scrapyd.out").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "scrapyd", "--nodaemon", "--pidfile="], cwd=home, env=_env(),
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if _get(f"{base}/daemonstatus.json")["status"] == "ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"scrapyd did not start: {(home / 'scrapyd.out').read_text()[-3000:]}")
        time.sleep(0.2)
    try:
        yield base, home
    finally:
        stop_process(proc, timeout=15)


def test_egg_has_the_entry_point_and_package_data(tmp_path):
    egg = build_egg(tmp_path / "dist")
    assert egg.name.startswith("review_crawler-") and egg.suffix == ".egg"
    with zipfile.ZipFile(egg) as z:
        names = set(z.namelist())
        entry_points = z.read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = crawler.settings" in entry_points
    assert {"crawler/settings.py", "crawler/spiders/avclub.py", "crawler/record/schema/review-v1.schema.json"} <= names
    assert not any(n.startswith("fixtures/") or n.startswith("tests/") for n in names)
    # nothing written into the checkout
    assert not (REPO / "setup.py").exists()


def test_scrapyd_deploy_schedule_and_collect(scrapyd, tmp_path):
    base, home = scrapyd
    egg = build_egg(tmp_path / "dist")
    # deploy with scrapyd-client, from a folder whose scrapy.cfg targets this Scrapyd
    project = tmp_path / "deploy"
    project.mkdir()
    (project / "scrapy.cfg").write_text(f"[settings]\ndefault = crawler.settings\n\n[deploy]\nurl = {base}/\nproject = crawler\n", "utf-8")
    dep = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "--egg", str(egg), "-v", "r1"],
                         cwd=project, env=_env(), capture_output=True, text=True, timeout=60)
    assert dep.returncode == 0, dep.stderr[-3000:]
    assert '"status": "ok"' in dep.stdout + dep.stderr, dep.stdout + dep.stderr
    assert _get(f"{base}/listversions.json?project=crawler")["versions"] == ["r1"]
    assert "avclub" in _get(f"{base}/listspiders.json?project=crawler")["spiders"]

    items = tmp_path / "items"
    feeds = json.dumps({str(items / "%(name)s.jsonl"): {"format": "jsonl", "overwrite": True}})
    with FixtureServer(FIXTURES / "avclub") as site:
        # schedule.json, then listjobs.json until finished, then the job's log for its exit status
        jobid, code, _ = schedule_and_wait(
            base, "avclub", args={"base_url": site.base_url},
            settings={"FEEDS": feeds, "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "PROGRESS_INTERVAL": "0"},
            timeout=TIMEOUT, poll=0.5,
        )
    log = (home / "logs" / "crawler" / "avclub" / f"{jobid}.log").read_text("utf-8")
    assert "Spider closed (finished)" in log, log[-3000:]
    assert code == 0, log[-3000:]
    records = read_jsonl(items / "avclub.jsonl")
    assert len(records) == 12, log[-3000:]
    assert len({r["id"] for r in records}) == 12
    assert all(record_errors(r) == [] for r in records)
