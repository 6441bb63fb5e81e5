"""A generated run history (never real data): a state store with N runs of one site, one of
them with a grade coverage drop that failed its monitor, the latest run's output files,
manifests and reject file. Used by the report tests and to make ``docs/report.png``::

    python -m tests.support.runhistory docs/report.png
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.output.manifest import manifest_path_for
from crawler.record.coverage import COVERAGE_KEYS
from crawler.run.report import load_history, render_report, write_report
from crawler.state.sqlite import SQLiteStateStore

THRESHOLDS = {"title": 1.0, "body": 0.9, "grade@film": 0.8}


def generate_history(folder: Path, n_runs: int = 10, drop_run: int | None = 7, seed: int = 1, site: str = "avclub") -> Path:
    """Write ``folder/<site>.state.sqlite`` with *n_runs* nightly runs; run number *drop_run*
    (1-based; None: none) read grades on 20% of the film reviews (exit 1, the grade@film monitor
    failed). The latest run has two output files with manifests and a reject file. Returns the
    state path."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    state_path = folder / f"{site}.state.sqlite"
    start = datetime(2026, 11, 1, 2, 15, tzinfo=timezone.utc)
    base = {k: rng.uniform(0.6, 1.0) for k in COVERAGE_KEYS}  # each field's usual coverage
    with SQLiteStateStore(state_path) as state:
        for i in range(1, n_runs + 1):
            t0 = start + timedelta(days=i)
            run_id = t0.strftime("%Y%m%dT%H%M%SZ") + f"-{rng.randrange(16 ** 6):06x}"
            seen = rng.randint(180, 240)
            read = seen - rng.randint(60, 90)
            emitted = rng.randint(20, 45)
            drop = i == drop_run
            coverage = {k: round(min(v + rng.uniform(-0.03, 0.03), 1.0), 4) for k, v in base.items()}
            coverage.update({"title": 1.0, "body": round(rng.uniform(0.95, 1.0), 4),
                             "grade@film": 0.2 if drop else round(rng.uniform(0.86, 0.97), 4)})
            if drop:
                coverage["grade"] = 0.15
            failed = {"timeout": rng.randint(0, 3), "http_404": rng.randint(0, 2)}
            if i == n_runs - 2:
                failed["connection_lost"] = 4
            failed = {k: v for k, v in failed.items() if v}
            rejects = {"not_a_review": rng.randint(1, 4), **{f"failed/{k}": v for k, v in failed.items()}}
            outputs, rejects_file = [], None
            if i == n_runs:
                outputs, rejects_file = _write_outputs(folder, run_id, emitted, rejects, rng)
            failures = ([{"check": "coverage/grade@film", "message": f"MONITOR FAILED: grade coverage 0.20 < 0.80 (film reviews, {read * 2 // 3} read)"}]
                        if drop else [])
            state.add_run({
                "run_id": run_id, "mode": "incremental", "started": t0.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "finished": (t0 + timedelta(minutes=rng.randint(20, 40))).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "exit_code": 1 if drop else 0, "finish_reason": "finished", "exact_urls": False, "since": None, "until": None,
                "reviews_seen": seen, "emitted": emitted, "pages_fetched": read + 40, "site": site, "spider": site,
                "base_url": "https://www.avclub.example", "reviews_read": read, "unchanged": read - emitted,
                "not_modified": seen - read, "failed_pages": failed, "rejects_total": sum(rejects.values()),
                "rejects_by_reason": rejects, "rejects_file": rejects_file, "coverage": coverage,
                "coverage_sample": {"all": read, "film": read * 2 // 3, "tv": read - read * 2 // 3},
                "coverage_thresholds": THRESHOLDS, "monitor_failures": failures, "outputs": outputs,
            })
    return state_path


def _write_outputs(folder: Path, run_id: str, emitted: int, rejects: dict[str, int], rng: random.Random):
    outputs = []
    sizes = [min(emitted, 25), max(emitted - 25, 0)]
    for n, size in enumerate(s for s in sizes if s):
        path = folder / f"2026-11-{11 + n:02d}T02-15-00.000000-{run_id}.jsonl"
        lines = "".join(json.dumps({"id": f"{rng.randrange(16 ** 24):024x}", "url": f"https://www.avclub.example/review-{j}"}) + "\n"
                        for j in range(size))
        path.write_text(lines, "utf-8")
        sha = hashlib.sha256(lines.encode()).hexdigest()
        manifest = manifest_path_for(path)
        manifest.write_text(json.dumps({"file": path.name, "run_id": run_id, "item_count": size, "sha256": sha,
                                        "exit_status": "ok", "exit_code": 0}), "utf-8")
        outputs.append({"file": str(path), "items": size, "sha256": sha, "bytes": len(lines), "manifest": str(manifest)})
    rejects_file = folder / f"2026-11-11T02-15-00.000000-{run_id}.rejects.jsonl"
    with rejects_file.open("w", encoding="utf-8") as fh:
        for reason, count in rejects.items():
            for j in range(count):
                fh.write(json.dumps({"url": f"https://www.avclub.example/{reason.replace('/', '-')}-{j}", "reason": reason}) + "\n")
    return outputs, str(rejects_file)


def main(argv: list[str]) -> int:
    """``python -m tests.support.runhistory OUT.png [OUT.html]``: the report of a generated
    history, screenshotted in headless Chromium."""
    from tests.support.chromium import screenshot

    png = Path(argv[0]).resolve()
    html_path = Path(argv[1]).resolve() if len(argv) > 1 else None
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # relative paths in the generated history: output/avclub/...
        try:
            state = generate_history(Path("output") / "avclub")
            html_path = html_path or Path(tmp) / "report.html"
            write_report(html_path, render_report(load_history([str(state)]), sources=["a generated history"],
                                                  generated="2026-11-11T03:00:00Z"))
            screenshot(html_path, png, height=2300)
        finally:
            os.chdir(here)
    print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
