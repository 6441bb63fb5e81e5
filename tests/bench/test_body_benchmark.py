"""bench/body_benchmark.py: skips cleanly without the shared data, and scores a tiny set written
here (our own two pages, in the sets' layout) with every extractor row."""

from __future__ import annotations

import gzip
import json

from bench import body_benchmark

ARTICLE = (
    "<html><body><nav><a href='/'>Home</a></nav><main><article><h1>Night ferry</h1>"
    "<p>The night ferry leaves at ten and the film follows it across a dark and quiet sea.</p>"
    "<p>Halfway over, the lights go out and the passengers begin telling each other stories.</p>"
    "</article></main></body></html>"
)
TRUTH = (
    "The night ferry leaves at ten and the film follows it across a dark and quiet sea.\n\n"
    "Halfway over, the lights go out and the passengers begin telling each other stories."
)


def test_absent_sets_are_skipped_with_exit_0(tmp_path, capsys):
    assert body_benchmark.main(["--set", f"nowhere={tmp_path / 'missing'}"]) == 0
    assert "nowhere: not found" in capsys.readouterr().out


def test_a_set_is_scored_per_row_and_per_half(tmp_path, capsys):
    (tmp_path / "html").mkdir()
    truth = {}
    for pid in ("p1", "p2"):
        (tmp_path / "html" / f"{pid}.html.gz").write_bytes(gzip.compress(ARTICLE.encode()))
        truth[pid] = {"articleBody": TRUTH, "url": f"https://ferry.example/{pid}"}
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth), "utf-8")
    dump = tmp_path / "dump.jsonl"
    code = body_benchmark.main(["--set", f"tiny={tmp_path}", "--only", "review-crawler", "--halves", "--rounds", "5", "--dump", str(dump)])
    assert code == 0
    out = capsys.readouterr().out
    assert f"### tiny: 2 pages from {tmp_path}" in out
    exported = next(line for line in out.splitlines() if line.startswith(f"| {body_benchmark.EXPORTED} | 1.000 ± 0.000"))
    assert exported.split(" | ")[2].startswith("1.000")  # precision
    rows = [json.loads(line) for line in dump.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["p1", "p2"] and all(r["p"] == 1.0 and r["r"] == 1.0 for r in rows)
    assert {r["half"] for r in rows} <= {"A", "B"}
