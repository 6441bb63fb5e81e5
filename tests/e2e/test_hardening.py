"""Hardening (issue #13): the edges a hostile site, a second operator or a crash leaves.

Each test runs the real spider in a subprocess against local servers on 127.0.0.1
(tests/support/faultserver.py) and asserts the exit code, the servers' request logs, the time
taken (the test's own timeout), and the files and state left on disk.
"""

from __future__ import annotations

import gzip
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import zlib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from crawler.devserver import FixtureServer
from crawler.state import SQLiteStateStore, replay_journal
from tests.support.corrupt import overwrite_page, table_pages
from tests.support.crawl import FAST, REPO, crawl_env, read_jsonl, run_scrapy
from tests.support.faultserver import Content, FaultServer, Paused, Redirect, SilentServer, Stall, Truncate, review_html
from tests.support.sitegen import generate_site

QUIET = ["-s", "MONITOR_MAX_ERROR_RATE=1", "-s", "MONITOR_COVERAGE={}", "-s", "DOWNLOAD_TIMEOUT=3",
         "-s", "RETRY_TIMES=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


def page(title: str, extra_head: str = "") -> Content:
    return Content(review_html(title, extra_head=extra_head).encode())


def xml(body: str) -> Content:
    return Content(body.encode(), headers={"Content-Type": "application/xml"})


def urlset(*locs: str) -> Content:
    return xml('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + "".join(f"<url><loc>{u}</loc></url>" for u in locs) + "</urlset>")


def crawl(tmp: Path, spider: str, args: list[str], name: str = "out", timeout: float = 120, extra: list[str] = ()):
    out = tmp / f"{name}.jsonl"
    stats = tmp / f"{name}.stats.json"
    t0 = time.monotonic()
    proc = run_scrapy(["crawl", spider, *args, "-O", str(out), "-a", f"state={tmp / 'state.sqlite'}", *FAST, *QUIET,
                       "-s", f"STATS_DUMP_PATH={stats}", *extra], timeout=timeout)
    return {"proc": proc, "seconds": time.monotonic() - t0, "out": out,
            "records": read_jsonl(out) if out.exists() else [],
            "stats": json.loads(stats.read_text("utf-8")) if stats.exists() else {}}


# ---------------------------------------------------------------- 2, 3: the site is scheme + host + port
def test_another_port_or_scheme_of_the_same_host_is_another_site(tmp_path):
    """Why #2 and #3: a robots ``Sitemap:`` line, sitemap entries, listing links, a 302, a meta
    refresh and a canonical URL pointing to another port of 127.0.0.1, and an ``ftp://`` entry
    on a server that never greets: none is requested, each is counted, the crawl ends quickly."""
    site_root, other_root = tmp_path / "site", tmp_path / "other"
    site_root.mkdir()
    other_root.mkdir()
    with FaultServer(site_root) as srv, FaultServer(other_root) as other, SilentServer() as ftp:
        o = other.base_url
        srv.script("/robots.txt", Content(f"User-agent: *\nAllow: /\nSitemap: {o}/sitemap.xml\nSitemap: {{{{BASE}}}}/sitemap.xml\n".encode(),
                                          headers={"Content-Type": "text/plain"}))
        srv.script("/sitemap.xml", urlset(f"{srv.base_url}/film/one", f"{o}/film/two", f"ftp://127.0.0.1:{ftp.port}/film/three",
                                          f"{srv.base_url}/film/moved", f"{srv.base_url}/film/refresh",
                                          f"https://127.0.0.1:{srv.port}/film/tls", f"{srv.base_url}/film/canonical",
                                          f"file:///etc/passwd", f"data:text/html,<h1>x</h1>"))
        srv.script("/film/one", page("One"))
        srv.script("/film/moved", Redirect(f"{o}/film/four", status=302))
        srv.script("/film/refresh", Content(f'<html><head><meta http-equiv="refresh" content="0; url={o}/film/five"></head><body></body></html>'.encode()))
        srv.script("/film/canonical", page("Canonical", extra_head=f'<link rel="canonical" href="{o}/film/six">'))
        srv.script("/film/reviews", Content(f'<html><body><article><h2><a href="{o}/film/seven">Seven</a></h2></article>'
                                            f'<article><h2><a href="/film/one">One</a></h2></article></body></html>'.encode()))
        for path in ("/sitemap.xml", "/film/two", "/film/four", "/film/five", "/film/six", "/film/seven", "/robots.txt"):
            other.script(path, page("Other site"))
        result = crawl(tmp_path, "avclub", ["-a", f"base_url={srv.base_url}", "-a", "mode=full"], timeout=90)
        proc, stats = result["proc"], result["stats"]
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert other.requests == []  # nothing asked of the other port, not even its robots.txt
        assert ftp.connections == 0  # nor of the ftp server
        assert srv.count("/film/tls") == 0
    assert result["seconds"] < 60
    assert sorted(r["title"] for r in result["records"]) == ["Canonical", "One"]
    # counted: 2 sitemap entries (another port; https on this port) + the robots Sitemap line +
    # the listing link; 2 redirects; one request per other scheme
    assert stats.get("pages/skipped/offsite") == 4, stats
    assert stats.get("pages/failed/offsite_redirect") == 2, stats
    assert stats.get("pages/skipped/scheme/ftp") == 1
    assert stats.get("pages/skipped/scheme/file") == 1
    assert stats.get("pages/skipped/scheme/data") == 1


def test_the_reviews_spider_follows_links_on_its_own_port_only(tmp_path):
    site_root, other_root = tmp_path / "site", tmp_path / "other"
    site_root.mkdir()
    other_root.mkdir()
    with FaultServer(site_root) as srv, FaultServer(other_root) as other:
        srv.script("/robots.txt", Content(b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}))
        srv.script("/", Content(f'<html><body><a href="/r/one">one</a> <a href="{other.base_url}/r/two">two</a>'
                                f'<link rel="alternate" type="application/rss+xml" href="{other.base_url}/feed.xml"></body></html>'.encode()))
        srv.script("/r/one", page("One"))
        other.script("/r/two", page("Two"))
        result = crawl(tmp_path, "reviews", ["-a", f"url={srv.base_url}/", "-a", "mode=full"], timeout=90)
        assert result["proc"].returncode == 0, result["proc"].stderr[-3000:]
        assert other.requests == []
    assert [r["title"] for r in result["records"]] == ["One"]


# ---------------------------------------------------------------- 8: attack surface
def test_no_remote_control_or_telnet_server(tmp_path):
    with FaultServer(tmp_path) as srv:
        srv.script("/r/one", page("One"))
        result = crawl(tmp_path, "avclub", ["-a", f"urls={srv.base_url}/r/one"], timeout=90)
    log = result["proc"].stderr
    assert result["proc"].returncode == 0, log[-3000:]
    enabled = log[log.index("Enabled extensions"):][:2000]
    assert "RemoteControl" not in enabled and "TelnetConsole" not in enabled
    assert "remote control" not in log.lower() and "Telnet console listening" not in log


def test_a_bad_urls_file_is_refused_without_echoing_its_content(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("# my list\nhttps://www.avclub.com/ok\nsecret-line-one hunter2\n\njavascript:alert(1)\n", "utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00secret-bytes\x00\n")
    for path, expected in ((urls, "urls_file line(s) 3, 5: not http(s) URLs"), (binary, "not a UTF-8 text file")):
        proc = run_scrapy(["crawl", "avclub", "-a", f"urls_file={path}", "-O", str(tmp_path / "o.jsonl"), *FAST], timeout=60)
        assert proc.returncode == 2, proc.stderr[-2000:]
        assert expected in proc.stderr
        assert "secret" not in proc.stderr and "hunter2" not in proc.stderr and "alert" not in proc.stderr
    assert not (tmp_path / "o.jsonl").exists()


# ---------------------------------------------------------------- 1: one run at a time
def start_crawl(tmp: Path, url: str, out: Path, state: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scrapy", "crawl", "avclub", "-a", f"urls={url}", "-O", str(out),
                             "-a", f"state={state}", *FAST, *QUIET, "-s", "DOWNLOAD_TIMEOUT=30"],
                            cwd=REPO, env=crawl_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for(check, timeout: float = 60) -> None:
    t0 = time.monotonic()
    while not check():
        assert time.monotonic() - t0 < timeout, "timed out"
        time.sleep(0.1)


def test_a_second_run_on_the_same_state_or_folder_exits_2_at_once(tmp_path):
    """Why #1: two runs at once on one state (or one output folder) duplicated reviews."""
    with FaultServer(tmp_path) as srv:
        slow = srv.script("/r/slow", Stall(25, times=1), page("Slow"))  # holds the first run ~25 s
        first = start_crawl(tmp_path, slow, tmp_path / "a.jsonl", tmp_path / "state.sqlite")
        try:
            wait_for(lambda: srv.count("/r/slow") >= 1)  # the first run is mid-crawl, holding its locks
            asked = len(srv.requests)
            holder = json.loads((tmp_path / "state.sqlite.lock").read_text())
            assert holder["pid"] == first.pid
            (tmp_path / "b").mkdir()
            for out, state in ((tmp_path / "b" / "b.jsonl", tmp_path / "state.sqlite"),      # same state
                               (tmp_path / "c.jsonl", tmp_path / "b" / "other.sqlite")):     # same output folder
                t0 = time.monotonic()
                proc = run_scrapy(["crawl", "avclub", "-a", f"urls={slow}", "-O", str(out), "-a", f"state={state}", *FAST, *QUIET], timeout=60)
                assert proc.returncode == 2, proc.stderr[-3000:]
                assert time.monotonic() - t0 < 30
                last = proc.stderr.strip().splitlines()[-1]
                assert last.startswith("RUN FAILED: another run holds ") and f"pid {first.pid} on {socket.gethostname()} since 20" in last
                assert "Traceback" not in proc.stderr
                assert not out.exists()
            assert sorted(p.name for p in (tmp_path / "b").iterdir()) == []  # no state, no temporary file
            assert srv.requests[asked:] == []  # the refused runs asked nothing (the first run is still stalled)
        finally:
            _, err = first.communicate(timeout=90)
        assert first.returncode == 0, err[-3000:]
    assert [r["title"] for r in read_jsonl(tmp_path / "a.jsonl")] == ["Slow"]
    assert not list(tmp_path.glob("*.lock"))  # released: no lock file left


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    with FaultServer(tmp_path) as srv:
        slow = srv.script("/r/slow", Stall(6))
        fast = srv.script("/r/fast", page("Fast"))
        killed = start_crawl(tmp_path, slow, tmp_path / "a.jsonl", tmp_path / "state.sqlite")
        wait_for(lambda: srv.count("/r/slow") >= 1)
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
        killed.stderr.close()
        assert json.loads((tmp_path / "state.sqlite.lock").read_text())["pid"] == killed.pid  # left behind
        proc = run_scrapy(["crawl", "avclub", "-a", f"urls={fast}", "-O", str(tmp_path / "a.jsonl"),
                           "-a", f"state={tmp_path / 'state.sqlite'}", *FAST, *QUIET], timeout=90)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"Took over the run lock {tmp_path / 'state.sqlite.lock'} left by pid {killed.pid}" in proc.stderr
    assert [r["title"] for r in read_jsonl(tmp_path / "a.jsonl")] == ["Fast"], proc.stderr[-4000:]
    assert not list(tmp_path.glob("*.lock")) and not (tmp_path / ".crawler-output.lock").exists()


# ---------------------------------------------------------------- 4: a damaged state stops the run
def state_run(tmp: Path, srv=None, mode: str = "backfill", target: list[str] | None = None) -> subprocess.CompletedProcess:
    """A run on ``tmp/state.sqlite`` writing into ``tmp/out`` (stats in ``tmp/stats.json``) of the
    spider arguments *target* (default: ``/r/0``-``/r/2`` of *srv*)."""
    if target is None:
        target = ["-a", "urls=" + ",".join(f"{srv.base_url}/r/{i}" for i in range(3))]
    # one file per run (a backfill resumes into new files: -O onto a non-empty file is refused in backfill mode)
    return run_scrapy(["crawl", "avclub", *target, "-a", f"mode={mode}", "-o", f"{tmp / 'out'}/%(batch_time)s-%(run_id)s.jsonl:jsonl",
                       "-a", f"state={tmp / 'state.sqlite'}", *FAST, *QUIET, "-s", f"STATS_DUMP_PATH={tmp / 'stats.json'}"], timeout=90)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_damaged_empty_or_directory_state_stops_the_run_and_rebuild_restores_it(tmp_path):
    """Why #4: a corrupted page, an empty file or a directory at the state path was taken as a
    fresh state (reviews re-emitted, exit 0). Now: exit 2 at once, nothing fetched or written,
    and ``crawler state rebuild`` from the manifests gives a state the backfill resumes from."""
    with FaultServer(tmp_path) as srv:
        for i in range(3):
            srv.script(f"/r/{i}", page(f"Review {i}"))
        first = state_run(tmp_path, srv)
        assert first.returncode == 0, first.stderr[-3000:]
        written = [p for p in (tmp_path / "out").glob("*.jsonl") if not p.name.endswith(".rejects.jsonl")]
        assert len(written) == 1 and len(read_jsonl(written[0])) == 3
        outputs = snapshot(tmp_path / "out")
        good_state = (tmp_path / "state.sqlite").read_bytes()
        assert not (tmp_path / "state.sqlite-wal").exists()  # checkpointed when the run closed it
        fetched = len(srv.requests)

        def refused(expect: str):
            t0 = time.monotonic()
            proc = state_run(tmp_path, srv)
            assert proc.returncode == 2, proc.stderr[-3000:]
            assert time.monotonic() - t0 < 30
            last = proc.stderr.strip().splitlines()[-1]
            assert last.startswith("RUN FAILED: the state store ") and expect in last, last
            assert "crawler state rebuild" in last and "Traceback" not in proc.stderr
            assert len(srv.requests) == fetched  # nothing fetched
            assert snapshot(tmp_path / "out") == outputs  # committed output as it was

        # one 4 KB page of the state overwritten
        damaged = overwrite_page(tmp_path / "state.sqlite", 3)
        assert damaged != good_state
        refused("")
        assert (tmp_path / "state.sqlite").read_bytes() == damaged  # left as it was, for inspection
        # zero-length, then a directory
        (tmp_path / "state.sqlite").write_bytes(b"")
        refused("empty")
        (tmp_path / "state.sqlite").unlink()
        (tmp_path / "state.sqlite").mkdir()
        refused("a directory is at the state path")
        (tmp_path / "state.sqlite").rmdir()
        (tmp_path / "state.sqlite").write_bytes(damaged)

        rebuild = subprocess.run([sys.executable, "-m", "crawler.cli", "state", "rebuild", str(tmp_path / "state.sqlite"),
                                  "--no-journal", "--from", str(tmp_path / "out")],  # the manifests only (the journal: the next test)
                                 capture_output=True, text=True, env=crawl_env(), cwd=REPO, timeout=60)
        assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
        assert "source: the output manifests: 3 record(s) from 1 file(s), 0 skipped\n" in rebuild.stdout
        assert "source: the journal" not in rebuild.stdout
        assert len(list(tmp_path.glob("state.sqlite.damaged-*"))) == 1
        again = state_run(tmp_path, srv)  # the backfill resumes: everything already exported
        assert again.returncode == 0, again.stderr[-3000:]
        stats = json.loads((tmp_path / "stats.json").read_text())
        assert stats.get("pages/skipped/already_exported") == 3 and stats.get("reviews/emitted", 0) == 0
        assert len(srv.requests) == fetched  # nothing fetched again


def jsonl_ids(folder: Path) -> Counter:
    """How many times each review id is in the output files of *folder*."""
    return Counter(r["id"] for f in folder.glob("*.jsonl") if not f.name.endswith(".rejects.jsonl") for r in read_jsonl(f))


def test_a_damaged_page_of_the_state_is_rebuilt_from_its_journal_losing_and_duplicating_nothing(tmp_path):
    """Why #4 (the journal): a backfill exports the 2024-2025 reviews of a generated site; one
    4 KB page of its state is overwritten (the header page, a page inside the reviews table, a page
    of the fetches table); the next run exits 2; ``crawler state rebuild`` replays the journal into
    the state as it was; the backfill over the whole range then emits exactly the reviews not
    exported yet: none lost, none twice."""
    reviews = [p for p in generate_site(tmp_path / "site", n_reviews=80, n_news=4, seed=5, listings=False) if p.is_review]
    late = {p.id for p in reviews if p.published.date() >= date(2024, 1, 1)}
    early = {p.id for p in reviews if p.id not in late}
    assert len(late) > 20 and len(early) > 20
    good = tmp_path / "good"
    with FixtureServer(tmp_path / "site") as server:
        site = ["-a", f"base_url={server.base_url}"]
        first = state_run(good, target=[*site, "-a", "since=2024-01-01"])
        assert first.returncode == 0, first.stderr[-3000:]
        assert jsonl_ids(good / "out") == Counter(late)
        with SQLiteStateStore(good / "state.sqlite") as st:
            before = st.dump()
        assert len(before["reviews"]) == len(late) == len(before["fetches"]) and len(before["runs"]) == 1
        reviews_pages = table_pages(good / "state.sqlite", "reviews", "leaf")
        fetches_pages = table_pages(good / "state.sqlite", "fetches", "leaf")
        assert len(reviews_pages) >= 3
        for n in (1, reviews_pages[len(reviews_pages) // 2], fetches_pages[-1]):
            case = tmp_path / f"page-{n}"
            shutil.copytree(good, case)
            outputs = snapshot(case / "out")
            overwrite_page(case / "state.sqlite", n, seed=n)
            asked = len(server.hits)
            refused = state_run(case, target=site)
            assert refused.returncode == 2, refused.stderr[-3000:]
            last = refused.stderr.strip().splitlines()[-1]
            assert last.startswith(f"RUN FAILED: the state store {case / 'state.sqlite'} is unusable: "), last
            assert f"crawler state rebuild {case / 'state.sqlite'} --journal {case / 'state.sqlite.journal'}" in last
            assert len(server.hits) == asked and snapshot(case / "out") == outputs  # nothing fetched or written
            rebuild = subprocess.run([sys.executable, "-m", "crawler.cli", "state", "rebuild", str(case / "state.sqlite")],
                                     capture_output=True, text=True, env=crawl_env(), cwd=REPO, timeout=60)
            assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
            # 3 writes: the output file announced, its reviews marked, the run recorded
            assert f"source: the journal {case / 'state.sqlite.journal'}: 3 write(s) replayed" in rebuild.stdout, rebuild.stdout
            assert ", 0 bad line(s) not replayed, 0 entries missing" in rebuild.stdout
            assert f"rebuilt {case / 'state.sqlite'}: {len(late)} review(s), {len(late)} fetch(es), 1 run(s)" in rebuild.stdout
            with SQLiteStateStore(case / "state.sqlite") as st:
                assert st.dump() == before, f"page {n}"
            again = state_run(case, target=site)  # the whole range
            assert again.returncode == 0, again.stderr[-3000:]
            stats = json.loads((case / "stats.json").read_text())
            assert (stats.get("reviews/emitted"), stats.get("pages/skipped/already_exported")) == (len(early), len(late))
            assert jsonl_ids(case / "out") == Counter(early | late)  # every review once: 0 lost, 0 duplicated


def test_a_damaged_page_of_the_journal_is_reported_and_the_run_goes_on_from_the_intact_state(tmp_path):
    """The journal's own damage: the run reports it (log, stats), moves it aside, starts a new
    journal from the state (intact) and runs as usual."""
    with FaultServer(tmp_path) as srv:
        for i in range(3):
            srv.script(f"/r/{i}", page(f"Review {i}"))
        first = state_run(tmp_path, srv)
        assert first.returncode == 0, first.stderr[-3000:]
        journal = tmp_path / "state.sqlite.journal"
        lines = journal.read_bytes().count(b"\n")
        assert 0 < journal.stat().st_size < 4096  # one page: all of it damaged
        damaged = overwrite_page(journal, 1, newlines=False)
        asked = len(srv.requests)
        again = state_run(tmp_path, srv)
        assert again.returncode == 0, again.stderr[-3000:]
        assert len(srv.requests) == asked  # the state knew all three were exported
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert (stats.get("pages/skipped/already_exported"), stats.get("reviews/emitted", 0)) == (3, 0)
    assert (stats["state/journal/event"], stats["state/journal/bad_lines"], stats["state/journal/missing"]) == ("damaged", 1, lines)
    [moved] = tmp_path.glob("state.sqlite.journal.damaged-*")
    assert moved.read_bytes() == damaged
    assert f"State journal {journal} is damaged: 1 bad line(s), {lines} entries missing (moved to {moved}" in again.stderr
    with SQLiteStateStore(tmp_path / "state.sqlite", journal=False) as st, \
            SQLiteStateStore(tmp_path / "replayed.sqlite", journal=False) as replayed:
        replay_journal(replayed, journal)
        assert replayed.dump() == st.dump() and st.count() == 3


# ---------------------------------------------------------------- 5: manifests of a killed run
def test_manifests_left_running_by_a_killed_run_are_marked_killed(tmp_path):
    """Why #5: after SIGKILL the manifests stayed ``running`` forever. The next run marks them
    ``killed``: ``recovered`` when the file still matches its sha256 (its reviews stay exported),
    ``damaged`` when not (its reviews are emitted again)."""
    out = tmp_path / "out"
    with FaultServer(tmp_path) as srv:
        urls = [srv.script(f"/r/{i}", page(f"Review {i}")) for i in range(6)] + [srv.script("/r/slow", Stall(20, times=1), page("Slow"))]
        args = ["crawl", "avclub", "-a", f"urls={','.join(urls)}", "-a", "mode=backfill", "-o", f"{out}/%(batch_time)s-%(run_id)s.jsonl:jsonl",
                "-a", f"state={tmp_path / 'state.sqlite'}", *FAST, *QUIET, "-s", "DOWNLOAD_TIMEOUT=30", "-s", "FEED_EXPORT_BATCH_ITEM_COUNT=2",
                "-s", "CONCURRENT_REQUESTS=1"]
        killed = subprocess.Popen([sys.executable, "-m", "scrapy", *args], cwd=REPO, env=crawl_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: len(list(out.glob("*.manifest.json"))) >= 2 and srv.count("/r/slow") >= 1, timeout=90)
            time.sleep(1)  # the second batch's state write is done (the slow page holds the run)
        finally:
            killed.send_signal(signal.SIGKILL)
            killed.wait(30)
        manifests = sorted(out.glob("*.manifest.json"))
        before = [json.loads(m.read_text()) for m in manifests]
        assert len(before) >= 2 and {m["exit_status"] for m in before} == {"running"} and before[0]["pid"] == killed.pid
        kept = [out / m["file"] for m in before[:-1]]
        tampered = out / before[-1]["file"]
        tampered_ids = {r["id"] for r in read_jsonl(tampered)}
        tampered.write_bytes(tampered.read_bytes()[:-40] + b"\n")  # the file no longer matches its manifest
        resumed = run_scrapy(args[:-4] + ["-s", "FEED_EXPORT_BATCH_ITEM_COUNT=100"], timeout=120)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = [json.loads(m.read_text()) for m in manifests]
    assert [(m["exit_status"], m["status"]) for m in after] == [("killed", "recovered")] * len(kept) + [("killed", "damaged")]
    assert [m["sha256"] for m in after[:-1]] == [m["sha256"] for m in before[:-1]]
    assert len({m["recovered_by"] for m in after}) == 1 and after[0]["recovered_by"] != before[0]["run_id"]
    # the resumed run emitted the damaged file's reviews again, and none of the intact files'
    new = [f for f in out.glob("*.jsonl") if f not in (*kept, tampered) and not f.name.endswith(".rejects.jsonl")]
    emitted = [r["id"] for f in new for r in read_jsonl(f)]
    assert tampered_ids <= set(emitted)
    assert not ({r["id"] for f in kept for r in read_jsonl(f)} & set(emitted))
    assert len(emitted) == len(set(emitted)) == 7 - 2 * len(kept)
    for f in new:
        assert json.loads((f.with_name(f.name + ".manifest.json")).read_text())["exit_status"] == "ok"


# ---------------------------------------------------------------- 7: sitemaps at the protocol's limits
def test_a_sitemap_at_the_protocols_limits_is_read_streamed(tmp_path):
    """Why #7: a valid 50,000-URL sitemap of 10.5 MB was dropped as too large. Now it is read to
    its last entry (gzip too) with bounded memory; entries before ``since`` are not fetched."""
    pad = "x" * 160  # long URLs: 50,000 entries make about 10.5 MB
    entries = []
    for i in range(50_000):
        lastmod = "2025-01-10" if i in (0, 49_999) else "2020-01-01"
        entries.append(f"<url><loc>{{{{BASE}}}}/film/{i}-{pad}</loc><lastmod>{lastmod}</lastmod></url>")
    body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(entries) + "</urlset>").encode()
    assert len(body) > 10_000_000
    with FaultServer(tmp_path) as srv:
        body = body.replace(b"{{BASE}}", srv.base_url.encode())
        srv.script("/robots.txt", Content(b"User-agent: *\nSitemap: {{BASE}}/big.xml\nSitemap: {{BASE}}/big.xml.gz\n", headers={"Content-Type": "text/plain"}))
        srv.script("/big.xml", xml(body.decode()))
        srv.script("/big.xml.gz", Content(gzip.compress(body.replace(b"/film/", b"/film/gz")), headers={"Content-Type": "application/x-gzip"}))
        for i in (0, 49_999):
            srv.script(f"/film/{i}-{pad}", page(f"Plain {i}"))
            srv.script(f"/film/gz{i}-{pad}", page(f"Gzip {i}"))
        result = crawl(tmp_path, "avclub", ["-a", f"base_url={srv.base_url}", "-a", "mode=backfill", "-a", "since=2025-01-01"], timeout=240,
                       extra=["-s", "DOWNLOAD_TIMEOUT=60", "-s", "MEMUSAGE_CHECK_INTERVAL_SECONDS=0.2"])
        fetched = [p for _, p in srv.requests if p.startswith("/film/") and "reviews" not in p]
    assert result["proc"].returncode == 0, result["proc"].stderr[-3000:]
    stats = result["stats"]
    assert sorted(r["title"] for r in result["records"]) == ["Gzip 0", "Gzip 49999", "Plain 0", "Plain 49999"]
    assert stats["sitemap/fetched"] == 2 and stats["sitemap/urls"] == 100_000 and stats["sitemap/urls_skipped"] == 99_996
    assert len(fetched) == 4
    assert stats["memusage/max"] < 400_000_000, stats["memusage/max"]  # peak RSS sampled by Scrapy


def test_sitemap_urls_past_the_limit_and_index_chains_past_the_depth_are_not_followed(tmp_path):
    """Why #7: a 3,001-level chain of sitemap indexes was followed to its end (27 s)."""
    with FaultServer(tmp_path) as srv:
        srv.script("/robots.txt", Content(b"User-agent: *\nSitemap: {{BASE}}/index-0.xml\nSitemap: {{BASE}}/many.xml\n", headers={"Content-Type": "text/plain"}))
        for level in range(3001):
            srv.script(f"/index-{level}.xml", xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{srv.base_url}/index-{level + 1}.xml</loc></sitemap></sitemapindex>'))
        srv.script("/many.xml", urlset(*(f"{srv.base_url}/film/m{i}" for i in range(60))))
        result = crawl(tmp_path, "avclub", ["-a", f"base_url={srv.base_url}", "-a", "mode=full"], timeout=120,
                       extra=["-s", "SITEMAP_MAX_URLS=50", "-s", "SITEMAP_QUEUE_MAX=3", "-s", "MONITOR_MIN_REVIEWS_SEEN=0"])
        indexes = sorted(int(p.split("-")[1].split(".")[0]) for _, p in srv.requests if p.startswith("/index-"))
        films = [p for _, p in srv.requests if p.startswith("/film/m")]
    assert result["proc"].returncode == 0, result["proc"].stderr[-3000:]
    stats = result["stats"]
    assert indexes == [0, 1, 2, 3, 4, 5]  # the start index and SITEMAP_MAX_DEPTH=5 levels below it
    assert stats["sitemap/too_deep"] == 1
    assert len(films) == 50 and stats["sitemap/urls_over_limit"] == 10
    assert stats["sitemap/paused"] > 0  # reading waited for the queue: pages were fetched meanwhile


def test_a_crawl_stopped_while_a_sitemap_reader_waits_ends_promptly(tmp_path):
    """A sitemap reader waiting for the queue to drain must not keep a closing crawl open (the
    engine takes nothing more from the queue once it closes): a close-spider limit ends the run
    (exit 3) in seconds, the rest of the sitemap unread."""
    with FaultServer(tmp_path) as srv:
        srv.script("/robots.txt", Content(b"User-agent: *\nSitemap: {{BASE}}/many.xml\n", headers={"Content-Type": "text/plain"}))
        srv.script("/many.xml", urlset(*(f"{srv.base_url}/film/m{i}" for i in range(3000))))
        result = crawl(tmp_path, "avclub", ["-a", f"base_url={srv.base_url}", "-a", "mode=full"], timeout=90,
                       extra=["-s", "SITEMAP_QUEUE_MAX=5", "-s", "CLOSESPIDER_PAGECOUNT=15"])
        films = [p for _, p in srv.requests if p.startswith("/film/m")]
    assert result["proc"].returncode == 3, result["proc"].stderr[-3000:]
    assert "RUN INCOMPLETE" in result["proc"].stderr.strip().splitlines()[-1]
    assert result["seconds"] < 60
    assert result["stats"]["sitemap/abandoned"] == 1 and len(films) < 100


SLOW_WANTED = (0, 1, 150, 250, 399)  # entries modified after ``since``: the only pages fetched


def slow_sitemap(base_url: str) -> tuple[bytes, bytes]:
    """A 400-entry sitemap in two parts of 200 entries; only the :data:`SLOW_WANTED` ones are
    modified after 2025-01-01."""
    entries = [f"<url><loc>{base_url}/film/s{i}</loc><lastmod>{'2025-01-10' if i in SLOW_WANTED else '2020-01-01'}</lastmod></url>"
               for i in range(400)]
    return (('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(entries[:200])).encode(),
            ("".join(entries[200:]) + "</urlset>").encode())


@pytest.mark.parametrize("variant", ["xml", "xml.gz", "content-encoding-gzip"])
def test_a_sitemaps_pages_are_fetched_while_it_is_still_downloading(tmp_path, variant):
    """Why #7: a sitemap's pages were fetched only once Scrapy had downloaded all of it. The
    server sends its first 200 entries, stays silent 3 s, then sends the other 200: the pages
    of the first part are requested during the silence (plain, ``.xml.gz``, and
    ``Content-Encoding: gzip``), each review is exported once and each entry counted once."""
    with FaultServer(tmp_path) as srv:
        first, rest = slow_sitemap(srv.base_url)
        path, headers = "/slow.xml", {"Content-Type": "application/xml"}
        if variant != "xml":  # one gzip stream, flushed after the first part (as a streaming server does)
            gz = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            first, rest = gz.compress(first) + gz.flush(zlib.Z_SYNC_FLUSH), gz.compress(rest) + gz.flush()
            if variant == "xml.gz":
                path, headers = "/slow.xml.gz", {"Content-Type": "application/x-gzip"}
            else:
                headers["Content-Encoding"] = "gzip"
        slow = Paused(parts=(first, rest), seconds=3.0, headers=headers)
        srv.script("/robots.txt", Content(f"User-agent: *\nSitemap: {{{{BASE}}}}{path}\n".encode(), headers={"Content-Type": "text/plain"}))
        srv.script(path, slow)
        for i in SLOW_WANTED:
            srv.script(f"/film/s{i}", page(f"Slow {i}"))
        result = crawl(tmp_path, "avclub", ["-a", f"base_url={srv.base_url}", "-a", "mode=backfill", "-a", "since=2025-01-01"],
                       extra=["-s", "DOWNLOAD_TIMEOUT=30"])
        pages = [(t, p) for t, p in srv.log if p.startswith("/film/s")]
    assert result["proc"].returncode == 0, result["proc"].stderr[-3000:]
    assert len(slow.sent) == 2 and srv.count(path) == 1
    # only the wanted pages, each requested once; those of the first part before the sitemap ended
    assert sorted(p for _, p in pages) == sorted(f"/film/s{i}" for i in SLOW_WANTED)
    early = {p for t, p in pages if t < slow.sent[-1]}
    assert early and early <= {"/film/s0", "/film/s1", "/film/s150"}, (early, pages, slow.sent)
    records = result["records"]
    assert sorted(r["title"] for r in records) == sorted(f"Slow {i}" for i in SLOW_WANTED)
    assert len({r["id"] for r in records}) == len(records)
    stats = result["stats"]
    assert stats["sitemap/fetched"] == 1 and stats["sitemap/urls"] == 400 and stats["sitemap/urls_skipped"] == 395
    assert stats["sitemap/streamed"] == 400  # every entry read while downloading, none again after
    assert "dupefilter/filtered" not in stats  # no page scheduled twice


def test_a_sitemap_broken_off_while_downloading_is_retried_without_reading_its_entries_twice(tmp_path):
    """The connection drops after the first 200 entries (read, their pages scheduled); the retry
    reads on after them: each entry counted once, each page requested once."""
    with FaultServer(tmp_path) as srv:
        first, rest = slow_sitemap(srv.base_url)
        srv.script("/robots.txt", Content(b"User-agent: *\nSitemap: {{BASE}}/slow.xml\n", headers={"Content-Type": "text/plain"}))
        srv.script("/slow.xml", Truncate(first + rest[:50], missing=len(rest) - 50, times=1), xml((first + rest).decode()))
        for i in SLOW_WANTED:
            srv.script(f"/film/s{i}", page(f"Slow {i}"))
        result = crawl(tmp_path, "avclub", ["-a", f"base_url={srv.base_url}", "-a", "mode=backfill", "-a", "since=2025-01-01"],
                       extra=["-s", "RETRY_TIMES=1"])
        pages = sorted(p for _, p in srv.log if p.startswith("/film/s"))
    assert result["proc"].returncode == 0, result["proc"].stderr[-3000:]
    assert srv.count("/slow.xml") == 2
    assert pages == sorted(f"/film/s{i}" for i in SLOW_WANTED)
    assert sorted(r["title"] for r in result["records"]) == sorted(f"Slow {i}" for i in SLOW_WANTED)
    stats = result["stats"]
    assert stats["sitemap/fetched"] == 1 and stats["sitemap/urls"] == 400 and stats["sitemap/urls_skipped"] == 395
    assert stats["sitemap/streamed"] == 400 and "dupefilter/filtered" not in stats
