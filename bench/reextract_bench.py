"""``crawler reextract`` throughput: one worker against every core, over the archive of a real crawl.

Builds the archive once: a generated site of ``--pages`` pages (``bench/gen_site.py``) served on
127.0.0.1 (``bench/run_bench.py``'s server) and crawled in full by ``avclub`` with WARC capture
(``WARC_DIR``, files of ``--warc-mb`` MB). Then runs, alternating, ``--rounds`` times each::

    python -m crawler.cli reextract WORK/warc/*.warc.gz -O WORK/rx-W.jsonl --workers W --progress 0

for each ``W`` of ``--workers`` (default ``1`` and ``os.cpu_count()``), checks that every run
gives the crawl's records, and prints per ``W`` the pages/s reextract reports (reading the archive
and the pages; its summary line) and the whole command's wall time, medians and every run.
``--build-only`` builds the archive and prints the commands (to time them with another tool).

    python bench/reextract_bench.py --pages 1000 --rounds 3
    python bench/reextract_bench.py --pages 1000 --work /tmp/rx-bench --build-only
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.gen_site import generate  # noqa: E402
from bench.run_bench import BENCH_SETTINGS, Server, machine, run_crawl  # noqa: E402

RATE = re.compile(r"reextract: (\d+) pages from \d+ WARC file\(s\) in ([\d.]+) s \(([\d.]+) pages/s, (\d+) workers\): (\d+) records")


def build_archive(work: Path, pages: int, warc_mb: int) -> tuple[list[Path], int]:
    """Generate the site, crawl it with WARC capture; returns the WARC files and the crawl's record count."""
    site = work / "site"
    if not (site / "manifest.json").exists():
        print(f"generating {pages} pages into {site} ...", file=sys.stderr)
        generate(site, pages, quiet=True)
    manifest = json.loads((site / "manifest.json").read_text("utf-8"))
    warc = work / "warc"
    if not list(warc.glob("*.warc.gz")):
        settings = {**BENCH_SETTINGS, "WARC_DIR": str(warc), "WARC_MAX_BYTES": str(warc_mb * 1_000_000), "EXTRACT_WORKERS": "0"}
        server = Server(site)
        try:
            print(f"crawling {server.base_url} with WARC capture into {warc} ...", file=sys.stderr)
            result = run_crawl("avclub", server, work, settings)
        finally:
            server.stop()
        emitted = result["stats"].get("reviews/emitted", 0)
        if emitted != manifest["reviews"]:
            raise SystemExit(f"the crawl emitted {emitted} records, the site has {manifest['reviews']} reviews")
    return sorted(warc.glob("*.warc.gz")), manifest["reviews"]


def command(files: list[Path], out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "reextract", *map(str, files), "-O", str(out), "--workers", str(workers), "--progress", "0"]


def run_once(files: list[Path], out: Path, workers: int, records: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    proc = subprocess.run(command(files, out, workers), cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    m = RATE.search(proc.stderr)
    if proc.returncode != 0 or m is None:
        raise SystemExit(f"reextract --workers {workers} failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    if int(m.group(5)) != records:
        raise SystemExit(f"reextract --workers {workers} gave {m.group(5)} records, the crawl {records}")
    return {"pages": int(m.group(1)), "seconds": float(m.group(2)), "pages_per_s": float(m.group(3)), "wall": wall}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1000, help="pages of the generated site (default 1000)")
    ap.add_argument("--work", type=Path, help="work folder, reused when it holds an archive (default: a new temporary one)")
    ap.add_argument("--workers", default=f"1,{os.cpu_count() or 1}", help="comma-separated worker counts (default 1,<cores>)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warc-mb", type=int, default=20, help="WARC file size (default 20 MB)")
    ap.add_argument("--build-only", action="store_true", help="build the archive, print the commands, run nothing")
    args = ap.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="rx-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    files, records = build_archive(work, args.pages, args.warc_mb)
    counts = [int(x) for x in args.workers.split(",") if x]
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"archive: {len(files)} WARC file(s), {size:.1f} MB, {args.pages} pages, {records} reviews ({work})")
    for w in counts:
        print(f"command (--workers {w}): {shlex.join(command(files, work / f'rx-{w}.jsonl', w))}")
    if args.build_only:
        return 0
    runs: dict[int, list[dict]] = {w: [] for w in counts}
    for i in range(args.rounds):
        for w in counts:
            r = run_once(files, work / f"rx-{w}.jsonl", w, records)
            runs[w].append(r)
            print(f"  round {i + 1} --workers {w}: {r['pages_per_s']:7.1f} pages/s ({r['pages']} pages in {r['seconds']:.2f} s), "
                  f"command {r['wall']:.2f} s", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (other jobs on the machine: noisy figures)\n")
    print("| workers | pages/s (median) | pages/s (every run) | command wall s (median) |")
    print("| ---: | ---: | --- | ---: |")
    for w in counts:
        rates = [r["pages_per_s"] for r in runs[w]]
        print(f"| {w} | {statistics.median(rates):.1f} | {', '.join(f'{x:.1f}' for x in rates)} | "
              f"{statistics.median(r['wall'] for r in runs[w]):.2f} |")
    if len(counts) >= 2:
        a, b = counts[0], counts[-1]
        pairs = [y["pages_per_s"] / x["pages_per_s"] for x, y in zip(runs[a], runs[b])]
        print(f"\nspeed-up {b} workers / {a}: median {statistics.median(pairs):.2f} (per round: {', '.join(f'{x:.2f}' for x in pairs)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
