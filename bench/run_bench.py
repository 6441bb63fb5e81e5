"""Throughput benchmark: the full pipeline (``avclub`` and ``reviews`` spiders) against the fetch-only ceiling, in one run.

Serves a generated site (``bench/gen_site.py``) with nginx on 127.0.0.1 when nginx is installed,
else with ``bench/staticserver.py`` (an asyncio server in its own process), and runs, alternating,
``rounds`` times each:

(a) ``bench_noop`` (``bench/noop_spider.py``): the avclub spider's discovery, pages fetched,
    archived (WARC capture, on by default for full runs) and dropped: the ceiling; and the same
    with ``WARC_ENABLED=False``, fetching alone (``fetch_only``: a second ratio, which counts the
    archive as the pipeline's work);
(b) ``avclub``: the whole pipeline (extraction, normalization, validation, dedup, rejects,
    atomic JSONL export);
(c) ``reviews``: the same through the generic spider (``-a site=avclub -a base_url=...``: the
    site's configured discovery on the local mirror) -- ``--spiders`` picks (b) and/or (c).

All get the same settings (high concurrency, no AutoThrottle, no delay, robots.txt obeyed).
Prints pages/s of each, the ratio of each full crawl to the ceiling (median of the rounds), CPU seconds per 1,000 pages (the crawl process and its
worker processes, user+system) and peak RSS (sum over the crawl's process tree, sampled).

Memory mode (``--memory``): one ``avclub`` crawl over a big site, RSS recorded at milestones
(``--milestones 10000,100000``), optionally with a disk queue (``--jobdir``).

    python bench/gen_site.py --pages 3000 --out /tmp/bench-site
    python bench/run_bench.py --site /tmp/bench-site      # 3 rounds, both spiders, default settings
    python bench/run_bench.py --site /tmp/bench-site-100k --memory --milestones 10000,100000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.gen_site import generate, render_base  # noqa: E402
from bench.procmem import tree_rss_kb  # noqa: E402

#: the label of the fetch-only crawl: ``bench_noop`` with ``WARC_ENABLED=False``
FETCH_ONLY = "fetch_only"

BENCH_SETTINGS = {
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": "True",
    "REACTOR_THREADPOOL_MAXSIZE": "4",
    "MONITOR_MIN_REVIEWS_SEEN": "0",  # the no-op crawl reads no review; not a failed run
}

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    default_type application/octet-stream;
    types {{ text/html html; text/xml xml; text/plain txt; application/json json; }}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri/page.html $uri/index.html =404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """nginx (if installed) or the Python fallback, serving *root* on 127.0.0.1."""

    def __init__(self, root: Path, prefer: str = "auto"):
        self.root = root.resolve()
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
        nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None)
        self.kind = "nginx" if nginx and prefer in ("auto", "nginx") else "python"
        render_base(self.root, self.base_url)  # robots.txt and sitemaps with absolute URLs
        if self.kind == "nginx":
            conf = self.tmp / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=self.tmp, port=self.port, root=self.root))
            self.version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
            self.proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(self.tmp)], stderr=subprocess.DEVNULL)
        else:
            self.version = "bench/staticserver.py (asyncio)"
            self.proc = subprocess.Popen([sys.executable, str(HERE / "staticserver.py"), "--root", str(self.root), "--port", str(self.port)])
        deadline = time.time() + 15
        while True:
            try:
                urllib.request.urlopen(self.base_url + "/robots.txt", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{self.kind} did not start on {self.base_url}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_crawl(spider: str, server: Server, workdir: Path, settings: dict[str, str], *, feed: bool = True,
              milestones: str = "", timeout: float = 3600) -> dict:
    """One crawl in a subprocess; returns its result with CPU time and sampled peak RSS."""
    workdir = workdir / f"{spider}-{time.monotonic_ns()}"  # a fresh folder: fresh state store, full crawl
    workdir.mkdir()
    result_path = workdir / "result.json"
    cmd = [sys.executable, str(HERE / "_crawl.py"), spider, server.base_url, str(result_path)]
    if feed:
        cmd += ["--feed", str(workdir / f"{spider}.jsonl")]
    if milestones:
        cmd += ["--milestones", milestones]
    for k, v in settings.items():
        cmd += ["-s", f"{k}={v}"]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    wall0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=workdir, env=env)
    peak = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.time() + timeout
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.time() > deadline:
            proc.kill()
            pid, status, rusage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    if proc.returncode != 0 or not result_path.exists():
        raise RuntimeError(f"{spider} crawl failed (exit {proc.returncode})")
    result = json.loads(result_path.read_text("utf-8"))
    result["cpu_seconds"] = rusage.ru_utime + rusage.ru_stime  # includes reaped worker processes
    result["main_maxrss_mb"] = rusage.ru_maxrss / 1024
    result["peak_tree_rss_mb"] = peak[0] / 1024
    result["wall_seconds"] = time.perf_counter() - wall0
    return result


def summarize(results: list[dict], pages: int) -> dict:
    rates = [pages / r["seconds"] for r in results]
    return {
        "pages_per_s": statistics.median(rates),
        "pages_per_s_all": [round(x, 1) for x in rates],
        "cpu_s_per_1k": statistics.median(r["cpu_seconds"] / pages * 1000 for r in results),
        "peak_rss_mb": max(r["peak_tree_rss_mb"] for r in results),
        "main_maxrss_mb": max(r["main_maxrss_mb"] for r in results),
    }


def check_counts(result: dict, manifest: dict) -> None:
    st = result["stats"]
    read = st.get("pages/read", 0)
    if read < manifest["pages"]:
        raise RuntimeError(f"{result['spider']}: read {read} pages of {manifest['pages']}: {json.dumps({k: v for k, v in st.items() if 'fail' in k or 'reject' in k})}")
    if result["spider"] != "bench_noop":
        emitted = st.get("reviews/emitted", 0)
        if emitted != manifest["reviews"]:
            raise RuntimeError(f"{result['spider']} emitted {emitted} records, the site has {manifest['reviews']} reviews")


def machine() -> str:
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", type=Path, default=Path("/tmp/bench-site"), help="a generated site (made with --pages when missing)")
    ap.add_argument("--pages", type=int, default=3000, help="pages to generate when --site does not exist")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--spiders", default="avclub,reviews", help="full-pipeline spiders to run beside the ceiling (comma-separated)")
    ap.add_argument("--server", choices=["auto", "nginx", "python"], default="auto")
    ap.add_argument("-s", dest="settings", action="append", default=[], help="extra NAME=VALUE settings for both crawls")
    ap.add_argument("--memory", action="store_true", help="memory mode: one avclub crawl, RSS at --milestones")
    ap.add_argument("--milestones", default="10000,100000")
    ap.add_argument("--jobdir", action="store_true", help="memory mode: disk queues (JOBDIR in the work dir)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    if not (args.site / "manifest.json").exists():
        print(f"generating {args.pages} pages into {args.site} ...", file=sys.stderr)
        generate(args.site, args.pages)
    manifest = json.loads((args.site / "manifest.json").read_text("utf-8"))
    settings = dict(BENCH_SETTINGS)
    for kv in args.settings:
        k, v = kv.split("=", 1)
        settings[k] = v
    server = Server(args.site, args.server)
    workdir = Path(tempfile.mkdtemp(prefix="bench-run-"))
    print(f"server: {server.kind} ({server.version}) at {server.base_url}")
    print(f"site: {manifest['pages']} pages ({manifest['reviews']} reviews), mean {manifest['mean_kb']} KB "
          f"[{manifest['min_kb']}-{manifest['max_kb']} KB]; machine: {machine()}")
    print("settings: " + " ".join(f"{k}={v}" for k, v in settings.items()))
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    out: dict = {"load_before": os.getloadavg()[0], "server": server.kind, "server_version": server.version, "machine": machine(), "manifest": manifest, "settings": settings}
    try:
        if args.memory:
            if args.jobdir:
                settings["JOBDIR"] = str(workdir / "job")
            r = run_crawl("avclub", server, workdir, settings, milestones=args.milestones, timeout=6 * 3600)
            try:
                check_counts(r, manifest)
            except RuntimeError as exc:  # stopped early (Ctrl-C, SIGTERM): the milestones reached still count
                print(f"INCOMPLETE crawl ({r['stats'].get('finish_reason')}): {exc}")
            print(f"avclub: {manifest['pages'] / r['seconds']:.1f} pages/s, {r['seconds']:.0f} s, "
                  f"CPU {r['cpu_seconds'] / manifest['pages'] * 1000:.2f} s/1k pages")
            print("pages   seconds  main RSS  main peak  workers RSS  workers peak")
            for n, m in sorted(r["milestones"].items(), key=lambda kv: int(kv[0])):
                print(f"{int(n):>7} {m['seconds']:>7}  {m['main_rss_mb']:>7} MB {m['main_peak_mb']:>7} MB "
                      f"{m['workers_rss_mb']:>9} MB {m['workers_peak_mb']:>9} MB")
            print(f"peak RSS of the crawl's process tree (sampled): {r['peak_tree_rss_mb']:.0f} MB; "
                  f"main process ru_maxrss {r['main_maxrss_mb']:.0f} MB")
            out["memory"] = {k: v for k, v in r.items() if k != "stats"}
        else:
            full_spiders = [x.strip() for x in args.spiders.split(",") if x.strip()]
            runs: dict[str, list[dict]] = {"bench_noop": [], FETCH_ONLY: [], **{name: [] for name in full_spiders}}
            for i in range(args.rounds):
                for spider in runs:
                    if spider == FETCH_ONLY:  # the same no-op without WARC capture: fetching alone
                        r = run_crawl("bench_noop", server, workdir, {**settings, "WARC_ENABLED": "False"})
                    else:
                        r = run_crawl(spider, server, workdir, settings)
                    check_counts(r, manifest)
                    runs[spider].append(r)
                    print(f"  round {i + 1} {spider:<10} {manifest['pages'] / r['seconds']:7.1f} pages/s  "
                          f"cpu {r['cpu_seconds']:6.1f} s (main {r['main_cpu_seconds']:5.1f})  peak rss {r['peak_tree_rss_mb']:6.0f} MB", flush=True)
            noop = summarize(runs["bench_noop"], manifest["pages"])
            print(f"\nload average after the runs (other jobs on the machine): {os.getloadavg()[0]:.2f}")
            print()
            print("| crawl | pages/s (median) | per round | CPU s / 1k pages | peak RSS (MB) |")
            print("| --- | ---: | --- | ---: | ---: |")
            print(f"| no-op ceiling (`bench_noop`) | {noop['pages_per_s']:.1f} | {', '.join(f'{x:.0f}' for x in noop['pages_per_s_all'])} | "
                  f"{noop['cpu_s_per_1k']:.2f} | {noop['peak_rss_mb']:.0f} |")
            fetch = summarize(runs[FETCH_ONLY], manifest["pages"])
            print(f"| fetch only (`bench_noop`, `WARC_ENABLED=False`) | {fetch['pages_per_s']:.1f} | {', '.join(f'{x:.0f}' for x in fetch['pages_per_s_all'])} | "
                  f"{fetch['cpu_s_per_1k']:.2f} | {fetch['peak_rss_mb']:.0f} |")
            out.update(noop=noop, fetch_only=fetch, load_after=os.getloadavg()[0], spiders={})
            lines = []
            for name in full_spiders:
                full = summarize(runs[name], manifest["pages"])
                pairs = [f / n for f, n in zip(full["pages_per_s_all"], noop["pages_per_s_all"])]
                ratio = statistics.median(pairs)
                print(f"| full pipeline (`{name}` -> JSONL) | {full['pages_per_s']:.1f} | {', '.join(f'{x:.0f}' for x in full['pages_per_s_all'])} | "
                      f"{full['cpu_s_per_1k']:.2f} | {full['peak_rss_mb']:.0f} |")
                lines.append(f"ratio {name}/ceiling: {ratio:.2f} (median of the rounds; target >= 0.80); per round: {', '.join(f'{x:.2f}' for x in pairs)}")
                fetch_pairs = [f / n for f, n in zip(full["pages_per_s_all"], fetch["pages_per_s_all"])]
                lines.append(f"  {name}/fetch only (the archive counted as the pipeline's work): {statistics.median(fetch_pairs):.2f}; "
                             f"per round: {', '.join(f'{x:.2f}' for x in fetch_pairs)}")
                out["spiders"][name] = {"full": full, "ratio": ratio, "ratio_per_round": pairs,
                                        "ratio_fetch_only": statistics.median(fetch_pairs), "ratio_fetch_only_per_round": fetch_pairs}
            print()
            print("\n".join(lines))
            if "avclub" in out["spiders"]:  # (the keys earlier runs wrote)
                out.update(full=out["spiders"]["avclub"]["full"], ratio=out["spiders"]["avclub"]["ratio"],
                           ratio_per_round=out["spiders"]["avclub"]["ratio_per_round"])
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
