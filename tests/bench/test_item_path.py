"""bench/item_path.py runs the project's item path on pre-read pages: every review is exported
once through the real pipelines, and the figures it prints are per exported item."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.crawl import REPO


def test_item_path_bench_exports_every_review(tmp_path):
    result = tmp_path / "child.json"
    subprocess.run([sys.executable, "bench/item_path.py", "--pages", "40", "--child", str(result)], check=True, cwd=REPO,
                   timeout=300)
    run = json.loads(result.read_text("utf-8"))
    assert run["items"] == run["scraped"] == 38  # 40 pages, 2 news pages (one in 20)
    assert run["stats"]["reviews/emitted"] == 38 and run["stats"]["reviews/change/new"] == 38
    assert run["cpu_s"] > 0 and run["wall_s"] > 0
