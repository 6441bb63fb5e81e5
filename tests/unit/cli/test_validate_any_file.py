"""``crawler validate`` on any file (issue #13, item 6): non-UTF-8 bytes, UTF-16, 200k-deep
nesting, a corrupt or truncated ``.gz``, a directory. Each bad line is reported with its line
number and reason, the rest of the file and the other files are still checked, and the exit is
1 with the count; no traceback.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys

import pytest

from tests.support.crawl import REPO, crawl_env
from tests.unit.extract.test_hostile_input import time_limit


def record(n: int) -> dict:
    """A valid record (read from the bundled fixture expectations, made unique by its URL)."""
    cases = sorted((REPO / "fixtures" / "avclub").rglob("expected.json"))
    rec = next(r for r in (json.loads(c.read_text("utf-8")) for c in cases) if r)
    rec = {**rec, "url": f"https://www.avclub.com/review-{n}", "fetched_at": "2025-01-01T00:00:00Z"}
    return rec


def line(n: int) -> bytes:
    return (json.dumps(record(n), ensure_ascii=False) + "\n").encode("utf-8")


def validate(*paths) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", "validate", *map(str, paths)],
                          capture_output=True, text=True, env=crawl_env(), cwd=REPO, timeout=120)


def test_the_reference_records_are_valid(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_bytes(line(1) + line(2))
    proc = validate(good)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK: 0 invalid line(s)" in proc.stderr


def test_hostile_files_are_reported_line_by_line_and_the_rest_is_checked(tmp_path):
    files = {}
    files["bytes.jsonl"] = line(1) + b'{"title": "caf\xe9 \xff\xfe"}\n' + line(2)
    files["utf16.jsonl"] = (json.dumps(record(3)) + "\n").encode("utf-16")
    files["deep.jsonl"] = b"[" * 200_000 + b"]" * 200_000 + b"\n" + line(4)
    files["corrupt.jsonl.gz"] = b"\x1f\x8b\x08\x00 not gzip at all" * 10
    whole = gzip.compress(line(5) * 50)
    files["truncated.jsonl.gz"] = whole[: len(whole) // 2]
    files["torn.jsonl"] = line(6) + line(7)[:-20]
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    good = tmp_path / "zz-good.jsonl"
    good.write_bytes(line(8))
    paths.append(good)
    with time_limit(120):
        proc = validate(*paths)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    assert proc.returncode == 1, out
    reported = {m.group(1): m.group(2) for m in re.finditer(r"^\S*/([\w.-]+):(\d+): ", proc.stdout, re.M)}
    assert reported.get("bytes.jsonl") == "2"
    assert "not UTF-8" in proc.stdout
    assert reported.get("utf16.jsonl") == "1"
    assert reported.get("deep.jsonl") == "1"
    assert "nested too deeply" in proc.stdout
    assert "corrupt.jsonl.gz" in reported and "truncated.jsonl.gz" in reported
    assert "torn.jsonl" in reported and reported["torn.jsonl"] == "2"
    assert "zz-good.jsonl" not in reported  # checked, and valid
    # one line per problem, and the count on the last line
    problems = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert f"INVALID: {len(problems)} invalid line(s) in 7 file(s) checked" in proc.stderr
    # the invalid file's content is never echoed (a byte string of the junk line)
    assert "caf" not in out


def test_a_directory_or_a_missing_file_is_a_usage_error(tmp_path):
    proc = validate(tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "not a file" in proc.stderr


def test_json_and_parquet_outputs_are_checked_record_by_record(tmp_path, capsys):
    """``-O x.json`` writes a valid array: ``crawler validate`` says so (it read it as JSON Lines)."""
    import json as _json

    from crawler.cli import main
    from tests.support.crawl import FIXTURES

    good = _json.loads((FIXTURES / "avclub" / "lost-in-starlight" / "expected.json").read_text("utf-8"))
    good["fetched_at"] = "2025-06-01T12:00:00Z"
    ok = tmp_path / "ok.json"
    ok.write_text(_json.dumps([good, good], ensure_ascii=False), "utf-8")
    assert main(["validate", str(ok)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(_json.dumps([good, {**good, "word_count": -1}, 7]), "utf-8")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:#2: word_count" in out and f"{bad}:#3: not a readable record" in out
    torn = tmp_path / "torn.json"
    torn.write_text(_json.dumps([good])[:-10], "utf-8")
    assert main(["validate", str(torn)]) == 1


def test_csv_and_xml_are_refused_not_misjudged(tmp_path, capsys):
    from crawler.cli import main

    for name in ("out.csv", "out.xml.gz"):
        path = tmp_path / name
        path.write_bytes(b"x")
        assert main(["validate", str(path)]) == 2
        assert "cannot check" in capsys.readouterr().err
