"""``-O reviews.parquet``: a real crawl to Parquet, read back by pyarrow and DuckDB with the
schema's types, the same records as the JSON Lines output (version 2)."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawler.devserver import FixtureServer
from crawler.output.manifest import manifest_path_for
from crawler.output.parquet import arrow_schema, iter_parquet_records
from tests.support.crawl import FAST, FIXTURES, read_jsonl, run_scrapy

pytestmark = pytest.mark.e2e


def _strip(records):
    return sorted(({k: v for k, v in r.items() if k != "fetched_at"} for r in records), key=lambda r: r["id"])


def test_a_crawl_to_parquet_reads_back_typed_with_pyarrow_and_duckdb(tmp_path):
    with FixtureServer(FIXTURES / "avclub") as server:
        common = ["crawl", "avclub", "-a", f"base_url={server.base_url}", "-a", "mode=full", *FAST]
        pq_run = run_scrapy([*common, "-a", f"state={tmp_path / 'a.sqlite'}", "-O", str(tmp_path / "reviews.parquet")])
        js_run = run_scrapy([*common, "-a", f"state={tmp_path / 'b.sqlite'}", "-O", str(tmp_path / "reviews.jsonl")])  # version 2: the default
    assert pq_run.returncode == 0, pq_run.stderr[-3000:]
    assert js_run.returncode == 0, js_run.stderr[-3000:]
    assert list(tmp_path.glob(".*")) == []
    table = pq.read_table(tmp_path / "reviews.parquet")
    assert table.schema.equals(arrow_schema())
    assert table.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("published_date").type == pa.date32()
    assert pa.types.is_struct(table.schema.field("grade").type) and table.schema.field("grade").type.field("value").type == pa.float64()
    assert table.schema.field("credits").type.field("starring").type == pa.list_(pa.string())
    jsonl = read_jsonl(tmp_path / "reviews.jsonl")
    assert table.num_rows == len(jsonl) >= 5
    assert _strip(iter_parquet_records(tmp_path / "reviews.parquet")) == _strip(jsonl)
    con = duckdb.connect()
    desc = dict((n, t) for n, t, *_ in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{tmp_path / 'reviews.parquet'}')").fetchall())
    assert desc["published_at"] == "TIMESTAMP WITH TIME ZONE" and desc["word_count"] == "BIGINT"
    assert desc["grade"].startswith("STRUCT(raw VARCHAR, scale VARCHAR, \"value\" DOUBLE")
    n, scores = con.execute(f"SELECT count(*), sum(grade.score) FROM read_parquet('{tmp_path / 'reviews.parquet'}')").fetchone()
    assert n == len(jsonl) and scores == sum(r["grade"]["score"] for r in jsonl if r["grade"] and r["grade"]["score"] is not None)
    manifest = json.loads(manifest_path_for(tmp_path / "reviews.parquet").read_text("utf-8"))
    assert (manifest["item_count"], manifest["exit_code"], manifest["schema_version"]) == (len(jsonl), 0, 2)


def test_a_crawl_that_writes_no_parquet_never_imports_pyarrow():
    """pyarrow (with numpy, ~40 MB resident and ~0.3 s) is imported when a Parquet file is first
    written or read, not by every crawl: the command line, the settings, every component the
    settings name and the spiders load without it."""
    import subprocess
    import sys

    from tests.support.crawl import REPO, crawl_env

    probe = """
import os, sys
os.environ["SCRAPY_SETTINGS_MODULE"] = "crawler.settings"
import crawler.cli
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
from scrapy.spiderloader import SpiderLoader
settings = get_project_settings()
for name in ("FEED_EXPORTERS", "FEED_STORAGES"):  # format or scheme -> class
    for path in settings.getdict(name).values():
        load_object(path)
for name in ("EXTENSIONS", "ITEM_PIPELINES", "SPIDER_MIDDLEWARES", "DOWNLOADER_MIDDLEWARES", "ADDONS"):  # class -> order
    for path in settings.getdict(name):
        if isinstance(path, str):
            load_object(path)
for spider in SpiderLoader.from_settings(settings).list():
    SpiderLoader.from_settings(settings).load(spider)
print(sorted(m for m in ("pyarrow", "numpy", "pandas", "duckdb") if m in sys.modules))
"""
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=REPO, env=crawl_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_without_pyarrow_writing_and_reading_parquet_say_what_to_install(monkeypatch, tmp_path):
    import io
    import sys

    from crawler.output import parquet

    monkeypatch.setattr(parquet, "pa", None)
    monkeypatch.setattr(parquet, "pq", None)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # (import pyarrow raises ImportError)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    for call, what in ((lambda: parquet.ParquetExporter(io.BytesIO()), "Parquet output"),
                       (lambda: list(iter_parquet_records(tmp_path / "x.parquet")), "reading Parquet"),
                       (arrow_schema, "Parquet")):
        with pytest.raises(RuntimeError) as err:
            call()
        assert str(err.value) == f"{what} needs pyarrow: pip install 'review-crawler[parquet]'"
    assert parquet.pa is None and parquet.pq is None
