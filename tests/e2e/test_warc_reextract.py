"""WARC capture in real crawls, a SIGKILL in the middle, and ``crawler reextract`` of the archives
(scrapy and ``crawler`` in subprocesses, a generated site on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.record.validate import record_errors
from tests.support.crawl import run_scrapy, REPO, crawl_env, read_jsonl
from tests.support.sitegen import FAST_PROD, crawl, generate_site, stat


class QuietServer(FixtureServer):
    def handle_error(self, request, client_address):  # a killed crawler resets its connections
        pass


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
        parts = list(warc.glob(".*.part"))
        assert len(parts) <= 1  # none when the kill came right after a rotation
        run2 = run_scrapy(cmd[3:], cwd=REPO, timeout=180)  # (stats from STATS_DUMP_PATH)
    assert run2.returncode == 0, run2.stderr[-3000:]
    assert (stat(run2, "warc/sealed") or 0) == len(parts)
    assert list(warc.glob(".*")) == []  # the killed run's .part file was cut and sealed
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
    assert _strip(read_jsonl(tmp_path / "rx.jsonl")) == _strip(crawled)
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
        run = crawl(server.base_url, tmp_path / "full.jsonl", tmp_path / "state.sqlite", "-a", "mode=full", "-s", f"WARC_DIR={warc}")
    assert run.returncode == 0, run.stderr[-3000:]
    [archive] = sorted(warc.glob("*.warc.gz"))
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

    v2 = _reextract(str(archive), "-O", str(tmp_path / "v2.jsonl"), "--schema-version", "2", "--workers", "1")
    assert v2.returncode == 0, v2.stderr[-2000:]
    got = read_jsonl(tmp_path / "v2.jsonl")
    assert len(got) == 12 and all(r["schema_version"] == 2 and r["change"] is None and record_errors(r) == [] for r in got)
    assert sorted(r["content_hash"] for r in got) == sorted(r["content_hash"] for r in read_jsonl(base))

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
