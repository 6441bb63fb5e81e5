"""Output you can trust in every setup a user can type (README "Output", "Production runs").

Real ``scrapy crawl`` subprocesses against a generated site on 127.0.0.1. Each test asserts the
exit code, the files left on disk (previous output intact), the manifest counts, and that the next
run emits exactly the reviews not yet durably exported (0 lost, 0 duplicated).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.state.sqlite import SQLiteStateStore
from tests.support.crawl import REPO, crawl_env, run_scrapy
from tests.support.sitegen import FAST_PROD, generate_site, stat

N = 12


@pytest.fixture()
def site(tmp_path):
    pages = generate_site(tmp_path / "site", n_reviews=N, n_news=2, seed=23)
    with FixtureServer(tmp_path / "site") as server:
        yield server, {p.id for p in pages if p.is_review}


def scrapy_crawl(server, *args, spider="avclub", cwd=REPO, env=None, timeout=180):
    full_env = None
    if env:
        full_env = {**crawl_env(), **env}
    return run_scrapy(["crawl", spider, "-a", f"base_url={server.base_url}", *args, *FAST_PROD], cwd=cwd,
                      env=full_env or crawl_env(), timeout=timeout)


def last_line(proc) -> str:
    return proc.stderr.strip().splitlines()[-1]


def exported(state: Path) -> int:
    with SQLiteStateStore(state) as st:
        return st.count()


def watermark(state: Path) -> str | None:
    with SQLiteStateStore(state) as st:
        rows = st.db.execute("SELECT value FROM watermarks").fetchall()
    return rows[0][0] if rows else None


def manifest(path: Path) -> dict:
    return json.loads(manifest_path_for(path).read_text("utf-8"))


def records(path: Path) -> list[dict]:
    """The records of an output file, read by its format."""
    data = path.read_bytes()
    name = path.name
    if name.endswith(".gz"):
        data = gzip.decompress(data)
        name = name[:-3]
    text = data.decode("utf-8")
    if name.endswith((".jsonl", ".jsonlines")):
        assert text == "" or text.endswith("\n")
        return [json.loads(line) for line in text.splitlines()]
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        return [{k: (json.loads(v) if v[:1] and v[:1] in "[{" else v) for k, v in row.items()} for row in rows]
    if name.endswith(".xml"):
        root = ElementTree.fromstring(data)
        return [{child.tag: child.text for child in item} for item in root]
    raise AssertionError(name)


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.endswith(".part")]


# ---------------------------------------------------------------- 1. commit only what a storage confirmed

FULL_DISK = json.dumps({"": "tests.support.fulldisk.FullDiskFeedStorage", "file": "tests.support.fulldisk.FullDiskFeedStorage"})


def test_full_disk_in_the_second_batch_commits_the_first_exits_4_and_the_next_run_emits_the_rest(site, tmp_path):
    server, ids = site
    state = tmp_path / "state.sqlite"
    out = tmp_path / "out"
    feeds = json.dumps({str(out / "%(batch_id)03d.jsonl"): {"format": "jsonl", "batch_item_count": 5}})
    proc = scrapy_crawl(server, "-a", f"state={state}", "-s", f"FEEDS={feeds}", "-s", f"FEED_STORAGES={FULL_DISK}",
                        env={"FULL_DISK_AFTER_BYTES": "15000"})
    assert proc.returncode == 4, proc.stderr[-3000:]
    last_two = proc.stderr.strip().splitlines()[-2:]  # one line per failed file, the last ones on stderr
    for line, name in zip(last_two, ("002.jsonl", "003.jsonl")):
        assert line.startswith(f"OUTPUT FAILED: {out / name}: No space left on device"), line
    # The first batch is committed (file + manifest + state); the failed batches left nothing.
    assert sorted(p.name for p in out.iterdir()) == ["001.jsonl", "001.jsonl.manifest.json"]
    assert len(records(out / "001.jsonl")) == 5 and manifest(out / "001.jsonl")["item_count"] == 5
    assert exported(state) == 5
    assert watermark(state) is None  # a failed run does not move the incremental watermark
    assert proc.stderr.count("Traceback") <= 2  # one per failed store, not one per item

    again = scrapy_crawl(server, "-a", f"state={state}", "-O", str(tmp_path / "rest.jsonl"), "-a", "mode=incremental")
    assert again.returncode == 0, again.stderr[-3000:]
    rest = {r["id"] for r in records(tmp_path / "rest.jsonl")}
    first = {r["id"] for r in records(out / "001.jsonl")}
    assert len(rest) == N - 5 and rest | first == ids and not rest & first  # 0 lost, 0 duplicated
    assert manifest(tmp_path / "rest.jsonl")["item_count"] == N - 5


def test_full_disk_with_O_keeps_the_previous_file_and_state(site, tmp_path):
    server, ids = site
    state = tmp_path / "state.sqlite"
    out = tmp_path / "reviews.jsonl"
    out.write_text('{"previous": true}\n', "utf-8")
    before = out.read_bytes()
    proc = scrapy_crawl(server, "-a", f"state={state}", "-O", str(out), "-s", f"FEED_STORAGES={FULL_DISK}",
                        env={"FULL_DISK_AFTER_BYTES": "10000"})
    assert proc.returncode == 4, proc.stderr[-3000:]
    assert last_line(proc).startswith(f"OUTPUT FAILED: {out}: ") and "No space left on device" in last_line(proc)
    assert out.read_bytes() == before and not manifest_path_for(out).exists() and no_temp_files(tmp_path)
    assert exported(state) == 0 and watermark(state) is None
    manifest_runs = SQLiteStateStore(state).recent_runs(5)
    assert [r["exit_code"] for r in manifest_runs] == [4]


def test_a_real_full_disk_keeps_the_previous_file_and_exits_4(site, tmp_path):
    """A 16 KB tmpfs (needs root with CAP_SYS_ADMIN; elsewhere the FullDiskFeedStorage tests above
    cover the same code path)."""
    server, ids = site
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        out = small / "reviews.jsonl"
        out.write_text('{"previous": true}\n', "utf-8")
        state = tmp_path / "state.sqlite"
        # (the JSON Lines output alone on the small disk: WARC capture off, it has its own test)
        proc = scrapy_crawl(server, "-a", f"state={state}", "-O", str(out), "-s", "WARC_ENABLED=False")
        assert proc.returncode == 4, proc.stderr[-3000:]
        assert last_line(proc).startswith(f"OUTPUT FAILED: {out}: No space left on device"), last_line(proc)
        assert out.read_text("utf-8") == '{"previous": true}\n' and sorted(p.name for p in small.iterdir()) == ["reviews.jsonl"]
        assert exported(state) == 0 and watermark(state) is None
    finally:
        subprocess.run(["umount", str(small)], check=True)
    nxt = tmp_path / "next.jsonl"
    again = scrapy_crawl(server, "-a", f"state={state}", "-a", "mode=incremental", "-O", str(nxt))
    assert again.returncode == 0 and {r["id"] for r in records(nxt)} == ids  # 0 lost


def test_unwritable_output_folder_is_refused_before_the_first_request(site, tmp_path):
    server, _ = site
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", "utf-8")
    before = len(server.hits)
    proc = scrapy_crawl(server, "-a", f"state={tmp_path / 'state.sqlite'}", "-O", str(blocker / "out.jsonl"))
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert last_line(proc).startswith(f"RUN FAILED: cannot write the output {blocker / 'out.jsonl'}"), last_line(proc)
    assert len(server.hits) == before  # not even robots.txt
    assert blocker.read_text("utf-8") == "x"
    # a target that is a folder
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    proc = scrapy_crawl(server, "-a", f"state={tmp_path / 'state.sqlite'}", "-O", str(folder))
    assert proc.returncode == 2 and "is a folder" in last_line(proc), proc.stderr[-2000:]
    assert len(server.hits) == before and list(folder.iterdir()) == []


# ---------------------------------------------------------------- 2. formats

@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz", "out.json", "out.csv", "out.csv.gz", "out.xml"])
def test_every_format_has_exact_counts_and_commits_the_state(site, tmp_path, name):
    server, ids = site
    state = tmp_path / "state.sqlite"
    out = tmp_path / name
    proc = scrapy_crawl(server, "-a", f"state={state}", "-O", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    recs = records(out)
    assert {r["id"] for r in recs} == ids and len(recs) == N
    m = manifest(out)
    assert m["item_count"] == N and m["mode"] == "full" and m["exit_status"] == "ok"
    assert m["coverage"]["title"] == 1.0
    assert exported(state) == N
    if ".csv" in name:  # nested fields are JSON-encoded in their cell
        film = next(r for r in recs if r["kind"] == "film")
        assert isinstance(film["grade"], dict) and isinstance(film["credits"]["director"], list)
        assert isinstance(film["authors"], list)
    nxt = tmp_path / ("next-" + name)
    again = scrapy_crawl(server, "-a", f"state={state}", "-a", "mode=incremental", "-O", str(nxt))
    assert again.returncode == 0, again.stderr[-3000:]
    assert records(nxt) == [] and manifest(nxt)["item_count"] == 0 and exported(state) == N


def test_gzip_postprocessing_is_not_gzipped_twice(site, tmp_path):
    server, ids = site
    out = tmp_path / "out.jsonl.gz"
    feeds = json.dumps({str(out): {"format": "jsonl", "postprocessing": ["scrapy.extensions.postprocessing.GzipPlugin"]}})
    proc = scrapy_crawl(server, "-a", f"state={tmp_path / 's.sqlite'}", "-a", "mode=full", "-s", f"FEEDS={feeds}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {r["id"] for r in records(out)} == ids  # one gzip layer: decompresses once to JSON Lines
    assert manifest(out)["item_count"] == N and exported(tmp_path / "s.sqlite") == N


def test_stdout_is_a_full_dump_that_the_state_does_not_record(site, tmp_path):
    server, ids = site
    state = tmp_path / "state.sqlite"
    proc = scrapy_crawl(server, "-a", f"state={state}", "-O", "-")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert {r["id"] for r in lines} == ids and len(lines) == N
    assert exported(state) == 0 and watermark(state) is None
    nxt = tmp_path / "next.jsonl"
    again = scrapy_crawl(server, "-a", f"state={state}", "-a", "mode=incremental", "-O", str(nxt))
    assert again.returncode == 0 and {r["id"] for r in records(nxt)} == ids


@pytest.mark.parametrize("uri", ["ftp://127.0.0.1:9/out.jsonl", "s3://bucket/out.jsonl"])
def test_remote_feed_uris_are_refused_before_the_crawl(site, tmp_path, uri):
    server, _ = site
    before = len(server.hits)
    proc = scrapy_crawl(server, "-a", f"state={tmp_path / 's.sqlite'}", "-O", uri)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert last_line(proc).startswith("RUN FAILED: ") and uri.split(":")[0] in last_line(proc)
    assert "Traceback" not in proc.stderr and len(server.hits) == before


# ---------------------------------------------------------------- 3. -O never destroys committed data

def test_O_twice_writes_the_full_dump_both_times(site, tmp_path):
    server, ids = site
    state = tmp_path / "state.sqlite"
    out = tmp_path / "reviews.jsonl"
    for _ in range(2):
        proc = scrapy_crawl(server, "-a", f"state={state}", "-O", str(out))
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert {r["id"] for r in records(out)} == ids and manifest(out)["item_count"] == N


def test_O_incremental_onto_an_existing_file_is_refused(site, tmp_path):
    server, _ = site
    out = tmp_path / "reviews.jsonl"
    assert scrapy_crawl(server, "-a", f"state={tmp_path / 's.sqlite'}", "-O", str(out)).returncode == 0
    before = out.read_bytes()
    proc = scrapy_crawl(server, "-a", f"state={tmp_path / 's.sqlite'}", "-a", "mode=incremental", "-O", str(out))
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "-O" in last_line(proc) and "mode=incremental" in last_line(proc)
    assert out.read_bytes() == before


def _interrupt(cmd_args, server, signals_to_send, after_items, tmp_path):
    env = {**crawl_env(), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "avclub", "-a", f"base_url={server.base_url}", *cmd_args, *FAST_PROD,
           "-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.3", "-s", "LOG_LEVEL=DEBUG"]
    log = tmp_path / f"log-{time.monotonic_ns()}.txt"
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=fh, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and log.read_text().count("Scraped from") < after_items:
            time.sleep(0.05)
        for sig in signals_to_send:
            proc.send_signal(sig)
            time.sleep(0.2)
        proc.wait(timeout=60)
    return proc.returncode, log.read_text()


def test_O_after_ctrl_c_keeps_the_previous_file_and_the_advice_resumes(site, tmp_path):
    server, ids = site
    state = tmp_path / "state.sqlite"
    out = tmp_path / "reviews.jsonl"
    assert scrapy_crawl(server, "-a", f"state={state}", "-O", str(out)).returncode == 0
    before, before_manifest = out.read_bytes(), manifest_path_for(out).read_bytes()
    rc, err = _interrupt(["-a", f"state={state}", "-O", str(out)], server, [signal.SIGINT], 4, tmp_path)
    assert rc == 3, err[-3000:]
    assert "RUN INCOMPLETE" in err.strip().splitlines()[-1] and "rerun the same command" in err.strip().splitlines()[-1]
    assert out.read_bytes() == before and manifest_path_for(out).read_bytes() == before_manifest and no_temp_files(tmp_path)
    proc = scrapy_crawl(server, "-a", f"state={state}", "-O", str(out))  # the advice: the same command
    assert proc.returncode == 0 and {r["id"] for r in records(out)} == ids


@pytest.mark.parametrize("sigs", [[signal.SIGINT, signal.SIGINT], [signal.SIGTERM], [signal.SIGTERM, signal.SIGTERM]],
                         ids=["int-int", "term", "term-term"])
def test_first_O_run_interrupted_exits_3_and_leaves_nothing(site, tmp_path, sigs):
    server, ids = site
    state = tmp_path / "state.sqlite"
    out = tmp_path / "reviews.jsonl"
    rc, err = _interrupt(["-a", f"state={state}", "-O", str(out)], server, sigs, 3, tmp_path)
    assert rc == 3, err[-3000:]
    assert not out.exists() and exported(state) == 0
    proc = scrapy_crawl(server, "-a", f"state={state}", "-O", str(out))
    assert proc.returncode == 0 and {r["id"] for r in records(out)} == ids and no_temp_files(tmp_path)


def test_O_with_a_corrupt_state_keeps_the_previous_file(site, tmp_path):
    server, _ = site
    state = tmp_path / "state.sqlite"
    out = tmp_path / "reviews.jsonl"
    assert scrapy_crawl(server, "-a", f"state={state}", "-O", str(out)).returncode == 0
    before = out.read_bytes()
    for p in tmp_path.glob("state.sqlite*"):
        p.unlink()
    state.write_bytes(b"this is not a database" * 100)
    proc = scrapy_crawl(server, "-a", f"state={state}", "-O", str(out))
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert last_line(proc).startswith("RUN FAILED: the state store ") and "is unusable" in last_line(proc)  # (#13: checked when opened)
    assert out.read_bytes() == before and no_temp_files(tmp_path)


# ---------------------------------------------------------------- 4. exit codes

def test_unknown_spider_exits_2_with_one_line(tmp_path):
    proc = run_scrapy(["crawl", "avclu", "-O", str(tmp_path / "x.jsonl")])
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert last_line(proc) == "RUN FAILED: unknown spider 'avclu' (known: avclub, reviews)"


def test_misspelled_argument_exits_2_with_did_you_mean(site, tmp_path):
    server, _ = site
    proc = scrapy_crawl(server, "-a", "mdoe=full", "-O", str(tmp_path / "x.jsonl"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert last_line(proc) == "RUN FAILED: bad argument: unknown argument 'mdoe' (did you mean 'mode'?)"
    bad = scrapy_crawl(server, "-a", "since=yesterday", "-O", str(tmp_path / "x.jsonl"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert last_line(bad) == "RUN FAILED: bad argument: since must be a date YYYY-MM-DD, got 'yesterday'"
    assert not (tmp_path / "x.jsonl").exists()


def test_urls_run_where_every_page_failed_is_a_failed_run(site, tmp_path):
    server, _ = site
    out = tmp_path / "x.jsonl"
    urls = f"{server.base_url}/missing-1,{server.base_url}/missing-2"
    proc = run_scrapy(["crawl", "avclub", "-a", f"urls={urls}", "-a", f"state={tmp_path / 's.sqlite'}", "-O", str(out), *FAST_PROD])
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert last_line(proc) == "MONITOR FAILED: no review from the 2 pages given with urls (2 failed)"
    assert records(out) == [] and manifest(out)["exit_code"] == 1


# ---------------------------------------------------------------- 5. only crawl touches state

def test_debug_commands_never_touch_state_or_run_monitors(site, tmp_path):
    server, _ = site
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(REPO / "scrapy.cfg", work / "scrapy.cfg")
    page = f"{server.base_url}/{sorted(p.name for p in (tmp_path / 'site').iterdir() if p.name.startswith('review-'))[0]}"
    for args in (["parse", "--spider", "avclub", page], ["shell", "-c", "response.status", page], ["fetch", "--nolog", page],
                 ["check", "avclub"]):
        proc = run_scrapy(args, cwd=work)
        assert proc.returncode == 0, (args, proc.stderr[-3000:])
        assert "MONITOR FAILED" not in proc.stderr and "Run summary" not in proc.stderr, args
        assert sorted(p.name for p in work.iterdir()) == ["scrapy.cfg"], args


# ---------------------------------------------------------------- 6. state per site

def test_two_sites_in_one_state_keep_their_own_history_and_seen_counts_each_review_once(tmp_path):
    big = generate_site(tmp_path / "big", n_reviews=N, n_news=2, seed=31)
    small = generate_site(tmp_path / "small", n_reviews=3, n_news=1, seed=32)
    state = tmp_path / "state.sqlite"
    with FixtureServer(tmp_path / "big") as a, FixtureServer(tmp_path / "small") as b:
        for i in range(2):
            proc = scrapy_crawl(a, "-a", f"state={state}", "-a", "mode=incremental", "-O", str(tmp_path / f"a{i}.jsonl"))
            assert proc.returncode == 0, proc.stderr[-3000:]
        assert stat(proc, "reviews/seen") == N  # each review once (sitemap + listing)
        proc = scrapy_crawl(b, "-a", f"state={state}", "-a", "mode=incremental", "-O", str(tmp_path / "b.jsonl"))
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert {r["id"] for r in records(tmp_path / "b.jsonl")} == {p.id for p in small if p.is_review}
        proc = scrapy_crawl(a, "-a", f"state={state}", "-a", "mode=incremental", "-O", str(tmp_path / "a2.jsonl"))
        assert proc.returncode == 0 and stat(proc, "reviews/seen") == N
    assert len(records(tmp_path / "a0.jsonl")) == N and records(tmp_path / "a1.jsonl") == []


# ---------------------------------------------------------------- 7. CLI honesty

def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=cwd, env=crawl_env(), capture_output=True, text=True, timeout=120)


def test_cli_extract_without_url_says_generic_and_serve_refuses_unknown_sites(tmp_path):
    case = REPO / "fixtures" / "avclub" / "bright-acre-farm-comedy-prime-video"
    saved = tmp_path / "saved.html"
    saved.write_bytes((case / "page.html").read_bytes())
    proc = _cli("extract", str(saved), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith(f"no --url given: reading {saved} as http://localhost/saved: the generic page class")
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    record = json.loads(proc.stdout)
    assert (record["url"], record["grade"]) == (expected["url"], expected["grade"])  # its canonical URL names the site
    with_url = _cli("extract", str(saved), "--url", expected["url"], cwd=tmp_path)
    assert with_url.returncode == 0 and with_url.stderr == "" and json.loads(with_url.stdout)["grade"] == expected["grade"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved.html"]  # no state, no output
    serve = _cli("serve", "nosuchsite", cwd=tmp_path)
    assert serve.returncode == 2
    assert serve.stderr.strip() == "unknown site 'nosuchsite': no fixtures/nosuchsite (known: avclub, frameline, northgazette, pictureshow, reelverdict)"
    for sub in ("demo", "validate", "extract", "serve"):
        helptext = _cli(sub, "--help", cwd=tmp_path).stdout
        assert "example: crawler " + sub in helptext and "default" in helptext or sub == "validate", sub
    crawl_help = " ".join(run_scrapy(["crawl", "-h"]).stdout.split())
    for code in ("0 = success;", "1 = a monitor failed;", "2 = bad arguments", "3 = the run did not finish", "4 = an output could not be written"):
        assert code in crawl_help, code
