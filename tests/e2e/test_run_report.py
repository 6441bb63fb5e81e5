"""Run report, progress and the run summary, on real crawls of a generated site: a scheduled
run (the default feed) writes its report beside its outputs; the summary is the last block of
stderr and names every file; progress lines come every PROGRESS_PAGES pages; under a
pseudo-terminal a live bar replaces them."""

from __future__ import annotations

import json
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.state.sqlite import SQLiteStateStore
from tests.support.crawl import REPO, crawl_env, run_scrapy
from tests.support.sitegen import FAST_PROD, crawl, generate_site


def last_block(stderr: str) -> list[str]:
    return stderr.rstrip("\n").split("\n\n")[-1].splitlines()


def check_summary(block: list[str], files: list[Path], exit_line: str) -> None:
    assert block[0].startswith("Run summary "), block
    for path in files:
        n = sum(1 for _ in path.open(encoding="utf-8"))
        assert f"    {path}  {n} records  manifest {manifest_path_for(path).name}" in block, (path, block)
    assert exit_line in block, block


def test_a_scheduled_run_writes_its_report_and_the_summary_is_last(tmp_path):
    generate_site(tmp_path / "site", n_reviews=30, n_news=2, seed=9)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(REPO / "scrapy.cfg", work / "scrapy.cfg")
    state = tmp_path / "state.sqlite"
    with FixtureServer(tmp_path / "site") as server:
        # scheduled: no -o/-O, the default feed (batches of 12 -> three files)
        proc = run_scrapy(["crawl", "avclub", "-a", f"base_url={server.base_url}", "-a", f"state={state}", *FAST_PROD,
                           "-s", "PROGRESS_INTERVAL=3600", "-s", "PROGRESS_PAGES=10", "-s",
                           'DEFAULT_FEEDS={"output/%(name)s/%(batch_time)s-%(run_id)s.jsonl": {"format": "jsonl", "batch_item_count": 12}}'],
                          cwd=work)
        assert proc.returncode == 0, proc.stderr[-3000:]
        files = sorted((work / "output" / "avclub").glob("*.jsonl"))
        assert len(files) == 3
        block = last_block(proc.stderr)
        check_summary(block, files, "  exit                 0  success")
        assert proc.stderr.index("Dumping Scrapy stats") < proc.stderr.index("Run summary ")
        assert proc.stderr.count("Run summary ") == 1  # printed once, not logged too
        # the report beside the first output file
        [report] = list((work / "output" / "avclub").glob("*.report.html"))
        assert report.name == files[0].name.removesuffix(".jsonl") + ".report.html"
        assert f"  report               {report}" in block
        html = report.read_text("utf-8")
        for path in files:
            assert json.loads(manifest_path_for(path).read_text("utf-8"))["sha256"] in html
        # progress: a line every 10 pages (the interval is an hour); Scrapy's LogStats line is off
        lines = re.findall(r"Progress: (\d+) pages fetched", proc.stderr)
        assert [int(n) for n in lines] == [10, 20, 30, 40], lines
        assert "Crawled " not in proc.stderr

        # not scheduled (-O): no report unless REPORT_ENABLED; a site without grades fails its monitor
        generate_site(tmp_path / "site", n_reviews=30, n_news=2, seed=9, grades=False)
        out = tmp_path / "o.jsonl"
        failed = crawl(server.base_url, out, state, "-a", "mode=full")
        assert failed.returncode == 1, failed.stderr[-3000:]
        assert not list(tmp_path.glob("*.report.html"))
        block = last_block(failed.stderr)
        check_summary(block, [out], "  exit                 1  a monitor failed")
        assert block[-1] == "MONITOR FAILED: grade coverage 0.00 < 0.80 (film reviews, 20 read)"
        forced = crawl(server.base_url, tmp_path / "f.jsonl", state, "-a", "mode=full", "-s", "REPORT_ENABLED=True")
        assert forced.returncode == 1
    html = (tmp_path / "f.report.html").read_text("utf-8")
    runs = SQLiteStateStore(state).recent_runs(10)
    assert [r["exit_code"] for r in runs] == [1, 1, 0]
    # the run history has what the report draws
    assert runs[1]["coverage"]["grade@film"] == 0.0 and runs[2]["coverage"]["grade@film"] == 1.0
    assert runs[1]["coverage_thresholds"] == {"title": 1.0, "body": 0.9, "grade@film": 0.8}
    assert runs[1]["monitor_failures"] == [{"check": "coverage/grade@film",
                                            "message": "MONITOR FAILED: grade coverage 0.00 < 0.80 (film reviews, 20 read)"}]
    assert [o["items"] for o in runs[2]["outputs"]] == [12, 12, 6]
    assert runs[1]["outputs"][0]["sha256"] == json.loads(manifest_path_for(out).read_text("utf-8"))["sha256"]
    assert re.findall(r'class="monitor-failed" data-run="([^"]+)"', html) == [runs[1]["run_id"], runs[0]["run_id"]] * 3


def test_under_a_terminal_a_live_bar_replaces_the_progress_lines(tmp_path):
    generate_site(tmp_path / "site", n_reviews=30, n_news=2, seed=9)
    with FixtureServer(tmp_path / "site") as server:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # 120 columns, like a terminal
        cmd = [sys.executable, "-m", "scrapy", "crawl", "avclub", "-a", f"base_url={server.base_url}",
               "-a", f"state={tmp_path / 'state.sqlite'}", "-O", str(tmp_path / "o.jsonl"), *FAST_PROD,
               "-s", "PROGRESS_INTERVAL=0.5", "-s", "PROGRESS_PAGES=5",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "DOWNLOAD_DELAY=0.05", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]
        proc = subprocess.Popen(cmd, cwd=REPO, env=crawl_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        chunks, deadline = [], time.monotonic() + 180
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        os.close(master)
        assert proc.wait(timeout=30) == 0
    text = b"".join(chunks).decode("utf-8", "replace")
    # tqdm redraws one line with carriage returns: share, count/total, rate, ETA, our counters
    bars = re.findall(r"crawl:\s+(\d+)%\|[^|\r\n]*\|\s*(\d+)/(\d+) \[\d\d:\d\d<\d\d:\d\d,\s+[\d.]+ pages/s, (\d+) read, (\d+) emitted", text)
    assert len(bars) >= 3, text[-3000:]
    assert "\r" in text
    assert int(bars[-1][1]) > int(bars[0][1])  # it moved
    assert "Progress: " not in text  # the bar instead of the log lines
    # the summary is still the last block
    after_bar = text.replace("\r\n", "\n").split("\r")[-1]  # what follows the bar's last redraw (it clears its line)
    assert "crawl:" not in after_bar and "Dumping Scrapy stats" in after_bar
    block = last_block(after_bar)
    assert block[0].startswith("Run summary ") and block[-1] == "  exit                 0  success", block


def test_a_report_that_cannot_be_written_is_logged_and_changes_nothing_else(tmp_path):
    generate_site(tmp_path / "site", n_reviews=12, n_news=1, seed=3)
    (tmp_path / "o.report.html").mkdir()  # the report's place is taken by a folder
    with FixtureServer(tmp_path / "site") as server:
        proc = crawl(server.base_url, tmp_path / "o.jsonl", tmp_path / "state.sqlite", "-s", "REPORT_ENABLED=True")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Could not write the run report {tmp_path / 'o.report.html'}" in proc.stderr
    assert (tmp_path / "o.report.html").is_dir() and not list((tmp_path / "o.report.html").iterdir())
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no temporary file left
    assert len((tmp_path / "o.jsonl").read_text("utf-8").splitlines()) == 12
    manifest = json.loads(manifest_path_for(tmp_path / "o.jsonl").read_text("utf-8"))
    assert (manifest["exit_status"], manifest["exit_code"]) == ("ok", 0)
    block = last_block(proc.stderr)
    assert block[-1] == "  exit                 0  success" and not any(line.startswith("  report ") for line in block)
