"""Build the Scrapyd egg of this project (``python -m crawler.deploy build-egg --out dist``).

``scrapyd-deploy`` builds eggs by writing a ``setup.py`` into the project folder and running
``setup.py bdist_egg``; with a ``pyproject.toml``-only project that generated ``setup.py`` is
ignored for the metadata (so its ``scrapy`` entry point is lost) and is left behind in the
clone. Instead this copies the package sources to a temporary folder and runs setuptools'
``bdist_egg`` there from ``pyproject.toml``, which declares the entry point Scrapyd needs
(``[project.entry-points.scrapy] settings = "crawler.settings"``) and the package data (the
record schema, the sites table). Nothing is written to the clone except the egg in ``--out``.

``python -m crawler.deploy schedule --url http://127.0.0.1:6800 avclub -a mode=incremental``
schedules a job with ``schedule.json``, waits for it in ``listjobs.json``, prints the job's log
URL and exits with the run's exit status (``run/exit_code`` in the job's final stats: 0 success,
1 a monitor failed, 2 bad arguments, 3 the run did not finish; 3 as well when the log has no final
stats, e.g. the process died) — for cron, since Scrapyd itself does not report exit codes.

Deploy the egg with ``scrapyd-deploy --egg dist/<egg> -v <version>`` (uses the ``[deploy]``
target of ``scrapy.cfg``) or ``curl http://127.0.0.1:6800/addversion.json -F project=crawler
-F version=<version> -F egg=@dist/<egg>``. The fixture sites (``fixtures/``) are not in the egg.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from crawler.run.context import EXIT_INCOMPLETE

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("crawler", "pyproject.toml", "README.md", "scrapy.cfg")


def build_egg(out_dir: str | Path, repo: Path = REPO) -> Path:
    """Build the egg into *out_dir*; return its path."""
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crawler-egg-") as tmp:
        work = Path(tmp)
        for name in SOURCES:
            src = repo / name
            if src.is_dir():
                shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif src.exists():
                shutil.copy2(src, work / name)
        before = set(out.glob("*.egg"))
        proc = subprocess.run(
            [sys.executable, "-c", "from setuptools import setup; setup()", "bdist_egg", "--dist-dir", str(out)],
            cwd=work, capture_output=True, text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"bdist_egg failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    eggs = sorted(set(out.glob("*.egg")) - before) or sorted(out.glob("*.egg"), key=lambda p: p.stat().st_mtime)
    if not eggs:
        raise RuntimeError(f"no egg written to {out}")
    return eggs[-1]


EXIT_DID_NOT_FINISH = EXIT_INCOMPLETE  # no final stats: the job did not finish
_EXIT_RE = re.compile(r"'run/exit_code': (\d+)")


def _http(url: str, fields: list[tuple[str, str]] | None = None, timeout: float = 30) -> bytes:
    data = urllib.parse.urlencode(fields).encode() if fields is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=timeout) as resp:  # noqa: S310
        return resp.read()


def schedule_and_wait(url: str, spider: str, *, project: str = "crawler", args: dict[str, str] | None = None,
                      settings: dict[str, str] | None = None, timeout: float = 24 * 3600, poll: float = 5.0) -> tuple[str, int, str]:
    """Schedule *spider* on the Scrapyd at *url*, wait until the job is finished; return
    ``(jobid, exit code, log text)`` (the exit code read from the job's final stats)."""
    base = url.rstrip("/")
    fields = [("project", project), ("spider", spider), *((k, v) for k, v in (args or {}).items()),
              *(("setting", f"{k}={v}") for k, v in (settings or {}).items())]
    answer = json.loads(_http(f"{base}/schedule.json", fields))
    if answer.get("status") != "ok":
        raise RuntimeError(f"schedule.json refused the job: {answer}")
    jobid = answer["jobid"]
    deadline = time.monotonic() + timeout
    while True:
        jobs = json.loads(_http(f"{base}/listjobs.json?project={urllib.parse.quote(project)}"))
        done = [j for j in jobs.get("finished", []) if j.get("id") == jobid]
        if done:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {jobid} not finished after {timeout}s")
        time.sleep(poll)
    log_url = done[0].get("log_url") or f"/logs/{project}/{spider}/{jobid}.log"
    try:
        log = _http(urllib.parse.urljoin(base + "/", log_url.lstrip("/"))).decode("utf-8", "replace")
    except OSError:
        log = ""
    found = _EXIT_RE.findall(log)
    return jobid, int(found[-1]) if found else EXIT_DID_NOT_FINISH, log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.deploy")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_egg = sub.add_parser("build-egg", help="build the Scrapyd egg")
    p_egg.add_argument("--out", default="dist", help="folder for the egg (default: dist)")
    p_run = sub.add_parser("schedule", help="schedule a Scrapyd job, wait for it, exit with its exit status")
    p_run.add_argument("spider")
    p_run.add_argument("--url", default="http://127.0.0.1:6800", help="the Scrapyd (default http://127.0.0.1:6800)")
    p_run.add_argument("--project", default="crawler")
    p_run.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE", help="spider argument")
    p_run.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="Scrapy setting")
    p_run.add_argument("--timeout", type=float, default=24 * 3600)
    p_run.add_argument("--poll", type=float, default=5.0)
    args = parser.parse_args(argv)
    if args.cmd == "build-egg":
        print(build_egg(args.out))
        return 0
    pairs = lambda items: dict(item.split("=", 1) for item in items)  # noqa: E731
    jobid, code, log = schedule_and_wait(args.url, args.spider, project=args.project, args=pairs(args.spargs),
                                         settings=pairs(args.settings), timeout=args.timeout, poll=args.poll)
    print(f"job {jobid}: exit {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
