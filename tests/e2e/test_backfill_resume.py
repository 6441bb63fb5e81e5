"""Kill and resume: a backfill over a generated site of a few hundred pages is killed with
SIGKILL at random points several times, then resumed until it finishes. Afterwards every
review in the range is in the output files exactly once, every line parses and validates, and
no temporary file is left where a loader reads (nor anywhere in the output folder).

The numbers of the last run are printed (``pytest -s``) and recorded in the README's
"Reliability" section.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.record.validate import record_errors
from tests.support.crawl import REPO, crawl_env
from tests.support.sitegen import FAST_PROD, generate_site

SINCE, UNTIL = "2023-04-01", "2025-03-31"
N_REVIEWS, N_NEWS = 300, 20
KILLS = 5


class QuietServer(FixtureServer):
    def handle_error(self, request, client_address):  # a killed crawler resets its connections
        pass


def _final_files(out: Path) -> list[Path]:
    return sorted(out.glob("*.jsonl"))  # what a loader reads: `*.jsonl` (the rejects file ends .rejects.jsonl)


def _output_files(out: Path) -> list[Path]:
    return [p for p in _final_files(out) if not p.name.endswith(".rejects.jsonl")]


def _command(base_url: str, out: Path, state: Path) -> list[str]:
    feeds = json.dumps({str(out / "%(batch_time)s.jsonl"): {"format": "jsonl", "batch_item_count": 10}})
    return [sys.executable, "-m", "scrapy", "crawl", "avclub", "-a", f"base_url={base_url}", "-a", "mode=backfill",
            "-a", f"since={SINCE}", "-a", f"until={UNTIL}", "-a", f"state={state}", "-s", f"FEEDS={feeds}",
            *FAST_PROD, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "LOG_LEVEL=WARNING"]


def test_backfill_killed_with_sigkill_resumes_without_loss_or_duplicates(tmp_path):
    rng = random.Random(20251124)
    pages = generate_site(tmp_path / "site", n_reviews=N_REVIEWS, n_news=N_NEWS, seed=3, listings=False)
    expected = {p.id for p in pages if p.is_review and SINCE <= p.published.date().isoformat() <= UNTIL}
    assert 150 < len(expected) < N_REVIEWS
    out, state = tmp_path / "out", tmp_path / "state.sqlite"
    kills = stale_seen = 0
    log = tmp_path / "crawl.log"
    with QuietServer(tmp_path / "site") as server:
        cmd = _command(server.base_url, out, state)
        for attempt in range(KILLS + 3):
            if kills >= KILLS:
                break
            files_before = len(_output_files(out)) if out.exists() else 0
            stale_seen += len(list(out.glob(".*.part"))) if out.exists() else 0
            # Kill once this run has closed 1-2 more batch files, after a random extra moment.
            target = files_before + rng.randint(1, 2)
            extra = rng.uniform(0.0, 0.3)
            with log.open("ab") as fh:
                proc = subprocess.Popen(cmd, cwd=REPO, env=crawl_env(), stdout=fh, stderr=fh)
                deadline = time.monotonic() + 120
                while proc.poll() is None and time.monotonic() < deadline:
                    if out.exists() and len(_output_files(out)) >= target:
                        time.sleep(extra)
                        break
                    time.sleep(0.02)
                if proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)
                    assert proc.wait(timeout=30) == -signal.SIGKILL
                    kills += 1
                else:
                    break  # finished before the kill point: the final run below is a no-op resume
        stale_seen += len(list(out.glob(".*.part")))
        final = subprocess.run(cmd, cwd=REPO, env=crawl_env(), capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-3000:]
    assert kills >= 3, f"only {kills} kills landed"

    counts: Counter[str] = Counter()
    corrupt = 0
    for path in _output_files(out):
        text = path.read_text("utf-8")
        assert text == "" or text.endswith("\n")
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                corrupt += 1
                continue
            if record_errors(record):
                corrupt += 1
            counts[record["id"]] += 1
        manifest = json.loads(manifest_path_for(path).read_text("utf-8"))
        assert manifest["item_count"] == len(text.splitlines())
    lost = expected - set(counts)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    extra_ids = set(counts) - expected
    print(f"\nkill-and-resume: {kills} SIGKILLs survived, {len(expected)} reviews expected, lost {len(lost)}, "
          f"duplicated {duplicated}, corrupt lines {corrupt}, out of range emitted {len(extra_ids)}, "
          f"stale temp files found and cleaned {stale_seen}, output files {len(_output_files(out))}")
    assert (len(lost), duplicated, corrupt, len(extra_ids)) == (0, 0, 0, 0)
    # Nothing temporary left: not in the loader's glob, not hidden in the folder either.
    assert [p.name for p in out.iterdir() if p.name.endswith(".part") or p.name.startswith(".")] == []
    # The output validates with the CLI too.
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "validate", *map(str, _output_files(out))],
                          cwd=REPO, env=crawl_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
