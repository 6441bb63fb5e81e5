"""Atomic JSON Lines output and the record exporter."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import textwrap

from crawler.output.atomic import AtomicFileFeedStorage, temp_path_for
from crawler.output.jsonl import ReviewJsonLinesExporter
from crawler.record.item import Review
from tests.support.crawl import REPO, crawl_env


def test_exporter_writes_utf8_in_record_order():
    buf = io.BytesIO()
    exp = ReviewJsonLinesExporter(buf)
    exp.start_exporting()
    exp.export_item(Review(id="x", url="https://e.x/a", title="Zoë’s “Rêve” — A+", authors=["Agnès"]))
    exp.finish_exporting()
    line = buf.getvalue().decode("utf-8")
    assert "\\u" not in line and "Zoë’s “Rêve” — A+" in line
    assert list(json.loads(line))[:6] == ["schema_version", "id", "url", "site", "kind", "title"]


def test_target_appears_only_on_close(tmp_path):
    target = tmp_path / "out.jsonl"
    storage = AtomicFileFeedStorage(str(target), feed_options={"overwrite": True})
    fh = storage.open(None)
    fh.write(b'{"a": 1}\n')
    fh.flush()
    assert not target.exists()
    assert temp_path_for(target).exists()
    storage.store(fh)
    assert target.read_bytes() == b'{"a": 1}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_append_mode_keeps_existing_lines_atomically(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_bytes(b'{"a": 1}\n')
    storage = AtomicFileFeedStorage(f"file://{target}", feed_options={"overwrite": False})
    fh = storage.open(None)
    fh.write(b'{"a": 2}\n')
    assert target.read_bytes() == b'{"a": 1}\n'  # untouched until close
    storage.store(fh)
    assert target.read_bytes() == b'{"a": 1}\n{"a": 2}\n'


def test_gz_target_is_compressed(tmp_path):
    target = tmp_path / "out.jsonl.gz"
    storage = AtomicFileFeedStorage(str(target), feed_options={"overwrite": True})
    fh = storage.open(None)
    fh.write('{"t": "é"}\n'.encode())
    storage.store(fh)
    assert gzip.decompress(target.read_bytes()).decode() == '{"t": "é"}\n'


def test_killed_writer_leaves_no_final_file(tmp_path):
    """SIGKILL while writing: the final name never holds a partial file."""
    target = tmp_path / "out.jsonl"
    code = textwrap.dedent(f"""
        import os, sys, time
        from crawler.output.atomic import AtomicFileFeedStorage
        st = AtomicFileFeedStorage({str(target)!r}, feed_options={{"overwrite": True}})
        fh = st.open(None)
        fh.write(b'{{"a": 1}}\\n{{"half": ')
        fh.flush()
        print("ready", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=crawl_env(), stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert not target.exists()
    assert all(p.name.startswith(".") for p in tmp_path.iterdir())
