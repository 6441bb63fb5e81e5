"""WARC capture in real crawls, a SIGKILL in the middle, and ``crawler reextract`` of the archives
(scrapy and ``crawler`` in subprocesses, a generated site on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.output.warc import complete_prefix_length, seal_stale
from crawler.record.validate import record_errors
from crawler.state.sqlite import SQLiteStateStore
from tests.support.crawl import run_scrapy, REPO, crawl_env, read_jsonl
from tests.support.fulldisk import WARC_MIDDLEWARES
from tests.support.sitegen import FAST_PROD, crawl, generate_site, stat


class QuietServer(FixtureServer):
    def handle_error(self, request, client_address):  # a killed crawler resets its connections
        pass


#: a re-extraction has no state: its records' change event is null (a crawl's says new/changed/unchanged)
NO_CHANGE = {"change": None, "previous_hash": None, "changed_fields": None}


def _strip(records):
    return sorted(({k: v for k, v in r.items() if k != "fetched_at"} for r in records), key=lambda r: r["id"])


def _reextract(*args: str, cwd: Path = REPO, script: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", script] if script else [sys.executable, "-m", "crawler.cli"]
    return subprocess.run([*cmd, "reextract", *args], cwd=cwd, env=crawl_env(), capture_output=True, text=True, timeout=timeout)


def _whole(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for rec in ArchiveIterator(fh) if rec.content_stream().read() is not None)


def test_killed_backfill_archives_are_whole_and_reextract_gives_the_crawled_records(tmp_path):
    pages = generate_site(tmp_path / "site", n_reviews=60, n_news=6, seed=16, listings=False)
    reviews = {p.id for p in pages if p.is_review}
    out, warc, state = tmp_path / "out", tmp_path / "warc", tmp_path / "state.sqlite"
    feeds = json.dumps({str(out / "%(batch_time)s.jsonl"): {"format": "jsonl", "batch_item_count": 5}})
    cmd = [sys.executable, "-m", "scrapy", "crawl", "avclub", "-a", "base_url={}", "-a", "mode=backfill", "-a", f"state={state}",
           "-s", f"FEEDS={feeds}", "-s", f"WARC_DIR={warc}", "-s", "WARC_MAX_BYTES=60000", *FAST_PROD,
           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "LOG_LEVEL=INFO"]
    with QuietServer(tmp_path / "site") as server:
        cmd[cmd.index("base_url={}")] = f"base_url={server.base_url}"
        with (tmp_path / "run1.log").open("wb") as log:
            proc = subprocess.Popen(cmd, cwd=REPO, env=crawl_env(), stdout=log, stderr=log)
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                if out.exists() and len(list(out.glob("*.jsonl"))) >= 3 and len(list(warc.glob("*.warc.gz"))) >= 2:
                    break
                time.sleep(0.02)
            assert proc.poll() is None, "the crawl finished before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        # Killed: every completed WARC file reads to its end; the open one is hidden.
        done = sorted(warc.glob("*.warc.gz"))
        assert len(done) >= 2 and all(_whole(p) >= 3 for p in done)
        assert {p.read_bytes()[9] for p in done} == {255}  # gzip OS 255: ISA-L wrote them (zlib writes 3), the default WARC_COMPRESSOR
        parts = list(warc.glob(".*.part"))
        assert len(parts) <= 1  # none when the kill came right after a rotation
        # A part killed before its first whole record (just opened) is removed, not sealed.
        sealable = [p for p in parts if complete_prefix_length(p) > 0]
        run2 = run_scrapy(cmd[3:], cwd=REPO, timeout=180)  # (stats from STATS_DUMP_PATH)
    assert run2.returncode == 0, run2.stderr[-3000:]
    assert (stat(run2, "warc/sealed") or 0) == len(sealable)
    assert list(warc.glob(".*")) == []  # the killed run's .part file was cut and sealed (or removed when empty)
    crawled = [r for p in sorted(out.glob("*.jsonl")) if not p.name.endswith(".rejects.jsonl") for r in read_jsonl(p)]
    assert {r["id"] for r in crawled} == reviews and len(crawled) == len(reviews)
    # The manifests name the run's WARC files, and they exist.
    last = max((p for p in out.glob("*.jsonl") if not p.name.endswith(".rejects.jsonl")), key=lambda p: p.stat().st_mtime)
    manifest = json.loads(manifest_path_for(last).read_text("utf-8"))
    assert manifest["warc_files"] and all(Path(f).is_file() and Path(f).parent == warc for f in manifest["warc_files"])

    files = sorted(warc.glob("*.warc.gz"))
    rx = _reextract(*map(str, files), "-O", str(tmp_path / "rx.jsonl"), "--progress", "0")
    assert rx.returncode == 0, rx.stderr[-3000:]
    assert "pages/s" in rx.stderr
    assert _strip(read_jsonl(tmp_path / "rx.jsonl")) == _strip({**r, **NO_CHANGE} for r in crawled)
    assert {r["change"] for r in crawled} == {"new"} and {r["schema_version"] for r in crawled} == {2}
    m = json.loads(manifest_path_for(tmp_path / "rx.jsonl").read_text("utf-8"))
    assert (m["item_count"], m["exit_code"], m["exit_status"], m["spider"], m["warc_files"]) == (60, 0, "ok", "reextract", list(map(str, files)))
    assert not (tmp_path / "rx.rejects.jsonl").exists()


PATCHED = """
import sys
import crawler.record.build as build
_orig = build.normalize_credits
def normalize_credits(credits):
    out = _orig(credits)
    out["starring"] = out["starring"][::-1]
    return out
build.normalize_credits = normalize_credits
from crawler.cli import main
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""


def test_reextract_diff_shows_a_changed_normalizer_and_failures_leave_output_alone(tmp_path):
    generate_site(tmp_path / "site", n_reviews=12, n_news=2, seed=4, listings=False)
    warc = tmp_path / "warc"
    with FixtureServer(tmp_path / "site") as server:
        run = crawl(server.base_url, tmp_path / "full.jsonl", tmp_path / "state.sqlite", "-a", "mode=full", "-s", f"WARC_DIR={warc}",
                    "-s", "WARC_GZIP_LEVEL=1")
    assert run.returncode == 0, run.stderr[-3000:]
    [archive] = sorted(warc.glob("*.warc.gz"))
    assert archive.read_bytes()[8:10] == bytes([4, 3])  # gzip XFL 4, OS 3: zlib at level 1, as WARC_GZIP_LEVEL asked
    base = tmp_path / "base.jsonl"
    rx = _reextract(str(archive), "-O", str(base), "--diff", str(tmp_path / "full.jsonl"))
    assert rx.returncode == 0, rx.stderr[-3000:]
    assert rx.stdout.splitlines() == ["records compared 12, new 0, gone 0", "no field changed"]

    patched = _reextract(str(archive), "-O", str(tmp_path / "new.jsonl"), "--diff", str(base), script=PATCHED)
    assert patched.returncode == 0, patched.stderr[-3000:]
    multi = sum(1 for r in read_jsonl(base) if len(r["credits"]["starring"]) > 1)
    assert multi > 0
    lines = patched.stdout.splitlines()
    assert lines[0] == "records compared 12, new 0, gone 0"
    assert f"credits.starring: changed {multi}, appeared 0, vanished 0" in lines
    assert f"content_hash: changed {multi}, appeared 0, vanished 0" in lines
    assert not any(line.startswith(("body:", "title:", "grade")) for line in lines)

    # Version 2 by default (change null: no state); --schema-version 1 for the superseded version 1.
    assert all(r["schema_version"] == 2 and r["change"] is None and record_errors(r) == [] for r in read_jsonl(base))
    assert json.loads(manifest_path_for(base).read_text("utf-8"))["schema_version"] == 2
    v1 = _reextract(str(archive), "-O", str(tmp_path / "v1.jsonl"), "--schema-version", "1", "--workers", "1")
    assert v1.returncode == 0, v1.stderr[-2000:]
    got = read_jsonl(tmp_path / "v1.jsonl")
    assert len(got) == 12 and all(r["schema_version"] == 1 and "change" not in r and record_errors(r) == [] for r in got)
    assert sorted(r["content_hash"] for r in got) == sorted(r["content_hash"] for r in read_jsonl(base))
    assert json.loads(manifest_path_for(tmp_path / "v1.jsonl").read_text("utf-8"))["schema_version"] == 1
    v1_diff = _reextract(str(archive), "-O", str(tmp_path / "again.jsonl"), "--diff", str(tmp_path / "v1.jsonl"), "--workers", "1")
    assert v1_diff.stdout.splitlines() == ["records compared 12, new 0, gone 0", "no field changed"]  # v2 against v1

    # Failures: a missing input (2) and a torn archive (3) leave the previous output as it was.
    before = base.read_bytes(), manifest_path_for(base).read_bytes()
    missing = _reextract(str(tmp_path / "nope.warc.gz"), "-O", str(base))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    torn = tmp_path / "torn.warc.gz"
    torn.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    bad = _reextract(str(torn), "-O", str(base))
    assert bad.returncode == 3 and "RUN INCOMPLETE" in bad.stderr, bad.stderr[-2000:]
    assert (base.read_bytes(), manifest_path_for(base).read_bytes()) == before
    assert sorted(p.name for p in tmp_path.glob(".*")) == []


@contextlib.contextmanager
def _full_warc_disk(kind: str, folder: Path):
    """``(extra crawl arguments, env)`` that make the WARC folder fill up: a 36 KB tmpfs mounted on
    it (needs root with CAP_SYS_ADMIN: skipped elsewhere), or the capture middleware writing
    through a file that raises ENOSPC after 30,000 bytes (``tests/support/fulldisk.py``)."""
    folder.mkdir()
    if kind == "injected":
        yield ["-s", f"DOWNLOADER_MIDDLEWARES={json.dumps(WARC_MIDDLEWARES)}"], {"FULL_DISK_AFTER_BYTES": "30000"}
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=36k", "tmpfs", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield [], {}
    finally:
        # what the test checks of the archive was read (and the .part sealed) before this
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("kind", ["tmpfs", "injected"])
def test_a_full_warc_disk_stops_the_archive_exits_4_and_keeps_the_outputs(kind, tmp_path):
    """A write error on the archive (README "Archive and re-extract"): capture stops, the crawl
    goes on, its output and manifest are committed with every review, the state records them, the
    run exits 4 with one ``OUTPUT FAILED`` line naming the WARC file; the completed WARC files
    read to their end and the abandoned one stays hidden until the next run seals it."""
    pages = generate_site(tmp_path / "site", n_reviews=16, n_news=2, seed=5, listings=False)
    reviews = {p.id for p in pages if p.is_review}
    out, warc, state = tmp_path / "out.jsonl", tmp_path / "warc", tmp_path / "state.sqlite"
    with _full_warc_disk(kind, warc) as (extra, env), FixtureServer(tmp_path / "site") as server:
        proc = run_scrapy(["crawl", "avclub", "-a", f"base_url={server.base_url}", "-a", f"state={state}", "-a", "mode=full",
                           "-O", str(out), "-s", f"WARC_DIR={warc}", "-s", "WARC_MAX_BYTES=12000", *FAST_PROD, *extra],
                          env={**crawl_env(), **env})
        assert proc.returncode == 4, proc.stderr[-3000:]
        [line] = [x for x in proc.stderr.strip().splitlines()[-3:] if x.startswith("OUTPUT FAILED: ")]
        failed = Path(line.removeprefix("OUTPUT FAILED: ").split(": ", 1)[0])
        assert failed.parent == warc and failed.name.endswith(".warc.gz") and not failed.exists(), line
        assert line.endswith(f"{failed}: WARC capture stopped: No space left on device (the pages fetched after it are not "
                             "archived; the completed WARC files and the outputs are in place and the reviews exported)"), line
        assert "WARC capture stopped: cannot write" in proc.stderr
        assert stat(proc, "warc/failed") == 1 and stat(proc, "outputs/failed") == 1
        # The output is whole and committed: every review, its manifest says what failed.
        records = read_jsonl(out)
        assert {r["id"] for r in records} == reviews and len(records) == len(reviews)
        assert all(record_errors(r) == [] for r in records)
        manifest = json.loads(manifest_path_for(out).read_text("utf-8"))
        assert (manifest["item_count"], manifest["exit_code"], manifest["exit_status"]) == (len(reviews), 4, "output_failed")
        assert manifest["monitor_failures"] == [line]
        with SQLiteStateStore(state) as st:
            assert st.count() == len(reviews)
            assert st.db.execute("SELECT value FROM watermarks").fetchall() == []  # a failed run moves no watermark
        # The completed WARC files are the manifest's, whole, readable by warcio; the stopped one is hidden.
        done = sorted(warc.glob("*.warc.gz"))
        assert done and manifest["warc_files"] == [str(p) for p in done] and failed not in done
        assert all(_whole(p) >= 3 for p in done)
        [part] = list(warc.glob(".*.part"))
        assert part.name.startswith(f".{failed.name}.")
        # The next run that opens the folder cuts it after its last whole record and puts it in place.
        sealed = seal_stale(warc)
        assert sealed in ([failed], [])  # [] when no whole record made it (an empty file is deleted)
        assert list(warc.glob(".*")) == [] and all(_whole(p) >= 1 for p in sealed)
