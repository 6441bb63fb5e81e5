"""The run report: rendered from a generated history (10 runs, run 7 with a grade coverage drop)
in a real headless Chromium; the screenshot is not blank and the drop run is marked, in the HTML
and in the pixels."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from crawler.cli import main as crawler_main
from crawler.run.report import FAILED_BAND, FAILED_MARK, group_by_site, load_history, read_rejects, render_report
from tests.support.chromium import chromium, screenshot
from tests.support.runhistory import generate_history


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _columns_of(img: Image.Image, colour: str, tolerance: int = 6, min_per_column: int = 1) -> tuple[int, list[int]]:
    """(pixels of *colour*, the x of every column holding at least *min_per_column* of them)."""
    target = _rgb(colour)
    rgb = img.convert("RGB")
    w, h = rgb.size
    px = rgb.load()
    per_column = [0] * w
    for y in range(h):
        for x in range(w):
            p = px[x, y]
            if all(abs(p[i] - target[i]) <= tolerance for i in range(3)):
                per_column[x] += 1
    cols = [x for x, n in enumerate(per_column) if n >= min_per_column]
    return sum(per_column[x] for x in cols), cols


def _render(tmp_path: Path, name: str, drop_run: int | None) -> tuple[str, Image.Image, list[dict]]:
    state = generate_history(tmp_path / name, n_runs=10, drop_run=drop_run)
    history = load_history([str(state)], runs=10)
    html = render_report(history, sources=[str(state)])
    out = tmp_path / f"{name}.html"
    out.write_text(html, "utf-8")
    png = tmp_path / f"{name}.png"
    screenshot(out, png, width=1000, height=1400)
    return html, Image.open(png), history["avclub"]


def test_the_report_of_a_history_with_a_coverage_drop_renders_and_marks_the_drop_run(tmp_path):
    assert chromium() is not None, "headless Chromium is needed: apt-get install chromium (.ci/run does)"
    html, img, runs = _render(tmp_path, "drop", drop_run=7)
    assert len(runs) == 10 and [r["exit_code"] for r in runs].count(1) == 1
    drop_id = runs[6]["run_id"]
    # HTML: self-contained (no script, nothing fetched), the drop run marked in all three charts
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r'(src|href)="https?:', html)
    assert re.findall(r'class="monitor-failed" data-run="([^"]+)"', html) == [drop_id] * 3
    assert html.count('class="monitor-failed-mark"') == 1
    assert html.count('class="below-threshold"') == 1  # grade (film) 0.20 under its 0.80 line
    assert html.count('class="threshold"') == 3
    assert "MONITOR FAILED: grade coverage 0.20 &lt; 0.80" in html
    # the screenshot is not blank
    assert img.size == (1000, 1400)
    colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    white = max(count for count, c in colours if c == (255, 255, 255))
    assert white < 0.95 * img.size[0] * img.size[1]
    # ... and shows the band behind run 7 (one column of the run's width) and its triangle above it
    # (a band column is 3 charts x ~180 px tall; the legend's key square is 11 px)
    band_pixels, band_cols = _columns_of(img, FAILED_BAND, min_per_column=100)
    assert band_pixels > 10_000, band_pixels
    assert band_cols[-1] - band_cols[0] + 1 == len(band_cols)  # one contiguous column
    assert 60 <= len(band_cols) <= 80, len(band_cols)  # the slot of one run of ten in a 700 px plot
    mark_pixels, mark_cols = _columns_of(img, FAILED_MARK, tolerance=10)
    assert mark_pixels > 40
    band_mid = (band_cols[0] + band_cols[-1]) / 2
    assert any(abs(x - band_mid) <= 2 for x in mark_cols)
    # the seventh of ten slots: the band sits right of the middle of the page
    assert 0.5 < band_mid / img.size[0] < 0.7


def test_without_a_drop_nothing_is_marked(tmp_path):
    html, img, runs = _render(tmp_path, "healthy", drop_run=None)
    assert all(r["exit_code"] == 0 for r in runs)
    assert 'class="monitor-failed"' not in html and 'class="below-threshold"' not in html
    assert _columns_of(img, FAILED_BAND, min_per_column=100) == (0, [])
    assert "monitor failed (none)" in html


def test_latest_outputs_and_top_rejects_are_listed(tmp_path):
    state = generate_history(tmp_path / "h", n_runs=10, drop_run=7)
    latest = load_history([str(state)])["avclub"][-1]
    html = render_report({"avclub": [latest]})
    for o in latest["outputs"]:
        assert o["sha256"] in html and Path(o["manifest"]).name in html and f'>{o["items"]}<' in html
    assert "ok (exit 0)" in html  # read from each file's manifest
    top = read_rejects(latest["rejects_file"])
    assert sum(n for _, n, _ in top) == latest["rejects_total"]
    assert top[0][0] in html and top[0][2][0] in html  # reason and an example URL


def test_group_by_site_keeps_the_last_runs_oldest_first():
    summaries = [{"run_id": str(i), "site": "a" if i % 2 else "b"} for i in range(10, 0, -1)]  # newest first
    grouped = group_by_site(summaries, runs=3)
    assert [r["run_id"] for r in grouped["a"]] == ["5", "7", "9"]
    assert [r["run_id"] for r in grouped["b"]] == ["6", "8", "10"]
    assert list(group_by_site(summaries, site="b")) == ["b"]


def test_crawler_report_command(tmp_path, capsys):
    state = generate_history(tmp_path / "h", n_runs=10, drop_run=7)
    out = tmp_path / "report.html"
    assert crawler_main(["report", "--state", str(state), "--runs", "4", "-o", str(out)]) == 0
    html = out.read_text("utf-8")
    assert html.count("<tr class=") == 4  # the last four runs
    assert crawler_main(["report", "--state", str(state), "--site", "nosuchsite", "-o", str(out)]) == 1
    assert "No runs in this history." in out.read_text("utf-8")
    missing = tmp_path / "missing.sqlite"
    assert crawler_main(["report", "--state", str(missing), "-o", str(tmp_path / "x.html")]) == 2
    assert not missing.exists() and not (tmp_path / "x.html").exists()
    assert "no state store at" in capsys.readouterr().err


def test_credentials_in_a_state_uri_are_not_written():
    html = render_report({"avclub": [{"run_id": "r1", "exit_code": 0, "rejects_file": "redis://u:s3cr3t@127.0.0.1/0"}]},
                         sources=["redis://:s3cr3t@127.0.0.1:6379/0"])
    assert "s3cr3t" not in html and "redis://***@127.0.0.1:6379/0" in html
