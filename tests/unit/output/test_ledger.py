"""Atomic files that fail, exporters that count what they write, feeds checked up front."""

from __future__ import annotations

import csv
import errno
import gzip
import io
import json

import pytest
from scrapy.extensions.postprocessing import PostProcessingManager
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.output.atomic import AtomicFile, AtomicFileFeedStorage, OutputError, temp_path_for
from crawler.output.exporters import (
    ReviewCsvExporter,
    ReviewJsonExporter,
    ReviewMarshalExporter,
    ReviewPickleExporter,
    ReviewXmlExporter,
)
from crawler.output.jsonl import ReviewJsonLinesExporter
from crawler.run.context import check_feeds

RECORDS = [
    {"id": f"id{i}", "url": f"https://e.x/{i}", "title": f"T{i}", "grade": {"raw": "B", "score": 75},
     "credits": {"director": ["A B"], "release_date": None}, "authors": ["C D"], "body": "" if i else "text",
     "content_hash": f"h{i}"}
    for i in range(3)
]


class Raising:
    """A raw file that runs out of space after *budget* bytes."""

    def __init__(self, raw, budget):
        self.raw, self.budget = raw, budget

    def write(self, data):
        if len(data) > self.budget:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.budget -= len(data)
        return self.raw.write(data)

    def __getattr__(self, name):
        return getattr(self.raw, name)


def test_a_failed_write_keeps_the_target_and_close_names_file_and_reason(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"previous\n")

    class Full(AtomicFile):
        def _open_raw(self):
            return Raising(super()._open_raw(), 10)

    f = Full(target, append=False)
    f.write(b"0123456789")
    f.write(b"more")  # fails: remembered, not raised
    f.write(b"even more")  # dropped
    with pytest.raises(OutputError) as exc:
        f.close()
    assert str(exc.value) == f"{target}: No space left on device"
    assert target.read_bytes() == b"previous\n" and not temp_path_for(target).exists()


def test_storage_records_the_error_and_never_stores(tmp_path):
    target = tmp_path / "out.jsonl"

    class Full(AtomicFile):
        def _open_raw(self):
            return Raising(super()._open_raw(), 0)

    class FullStorage(AtomicFileFeedStorage):
        file_class = Full

    storage = FullStorage(str(target), feed_options={"overwrite": True})
    fh = storage.open(None)
    fh.write(b"x\n")
    with pytest.raises(OutputError):
        storage.store(fh)
    assert (storage.stored, storage.error) == (False, "No space left on device")
    assert not target.exists()


def test_a_vetoed_storage_keeps_the_previous_file(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"previous\n")
    storage = AtomicFileFeedStorage(str(target), feed_options={"overwrite": True})
    fh = storage.open(None)
    fh.write(b"new\n")
    storage.veto = lambda s: "the run did not finish (shutdown)"
    storage.store(fh)
    assert (storage.stored, storage.error, storage.vetoed) == (False, None, "the run did not finish (shutdown)")
    assert target.read_bytes() == b"previous\n" and not temp_path_for(target).exists()


@pytest.mark.parametrize("exporter_cls", [ReviewJsonLinesExporter, ReviewJsonExporter, ReviewCsvExporter, ReviewXmlExporter,
                                          ReviewPickleExporter, ReviewMarshalExporter])
def test_every_exporter_counts_what_it_wrote_also_through_gzip_postprocessing(tmp_path, exporter_cls):
    target = tmp_path / "out.gz"
    storage = AtomicFileFeedStorage(str(target), feed_options={"overwrite": True, "postprocessing": ["x"]})
    raw = storage.open(None)
    wrapped = PostProcessingManager(["scrapy.extensions.postprocessing.GzipPlugin"], raw, {"gzip_compresslevel": 6})
    exp = exporter_cls(wrapped)
    exp.start_exporting()
    for rec in RECORDS:
        exp.export_item(rec)
    exp.finish_exporting()
    wrapped.close()
    storage.store(raw)
    assert storage.ledger.item_count == 3
    assert [r["id"] for r in storage.ledger.rows] == ["id0", "id1", "id2"]
    assert storage.ledger.missing["body"] == 2
    data = gzip.decompress(target.read_bytes())  # one gzip layer
    assert b"id2" in data
    if exporter_cls is ReviewCsvExporter:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        assert json.loads(rows[0]["credits"]) == {"director": ["A B"], "release_date": None}
        assert json.loads(rows[0]["authors"]) == ["C D"]


def _settings(feeds):
    s = Settings()
    s.setmodule(project_settings, priority="project")
    s.set("FEEDS", feeds, priority="cmdline")
    return s


def test_check_feeds(tmp_path):
    ok = {str(tmp_path / "a" / "out.jsonl"): {"format": "jsonl"}}
    assert check_feeds(_settings(ok), "avclub", None) is None and (tmp_path / "a").is_dir()
    assert list((tmp_path / "a").iterdir()) == []  # the probe is removed
    assert check_feeds(_settings({"stdout:": {"format": "jsonl"}}), "avclub", None) is None
    assert "s3:// feeds are not supported" in check_feeds(_settings({"s3://b/k.jsonl": {"format": "jsonl"}}), "avclub", None)
    assert "unknown feed format 'jsnl' (did you mean 'jsonl'?)" in check_feeds(_settings({str(tmp_path / "x"): {"format": "jsnl"}}), "avclub", None)
    plain = {str(tmp_path / "p.json"): {"format": "json"}}
    s = _settings(plain)
    s.set("FEED_EXPORTERS", {"json": "scrapy.exporters.JsonItemExporter"}, priority="cmdline")
    assert "does not count what it writes" in check_feeds(s, "avclub", None)
    (tmp_path / "f").write_text("x")
    assert check_feeds(_settings({str(tmp_path / "f" / "o.jsonl"): {"format": "jsonl"}}), "avclub", None) == (
        f"cannot write the output {tmp_path / 'f' / 'o.jsonl'}: {tmp_path / 'f'} is not a folder")
    existing = tmp_path / "e.jsonl"
    existing.write_text("{}\n")
    o = {str(existing): {"format": "jsonl", "overwrite": True}}
    assert check_feeds(_settings(o), "avclub", None) is None  # -O alone: a fresh dump
    assert check_feeds(_settings(o), "avclub", "incremental").startswith(f"-O {existing} with -a mode=incremental would replace")


@pytest.mark.parametrize("name,exporter_cls", [("out.json", ReviewJsonExporter), ("out.csv.gz", ReviewCsvExporter),
                                               ("out.xml", ReviewXmlExporter), ("out.jsonl", ReviewJsonLinesExporter)])
def test_recovery_reads_back_every_text_format(tmp_path, name, exporter_cls):
    """A kill between "renamed" and "state written": recovery reads the file's rows in any format."""
    from crawler.output.manifest import scan_output

    target = tmp_path / name
    storage = AtomicFileFeedStorage(str(target), feed_options={"overwrite": True})
    fh = storage.open(None)
    exp = exporter_cls(fh)
    exp.start_exporting()
    for rec in RECORDS:
        exp.export_item(rec)
    exp.finish_exporting()
    storage.store(fh)
    scan = scan_output(target)
    assert [r["id"] for r in scan["rows"]] == ["id0", "id1", "id2"] and scan["bad_lines"] == 0
    row = scan["rows"][2]
    assert {k: row[k] for k in ("id", "url", "content_hash")} == {"id": "id2", "url": "https://e.x/2", "content_hash": "h2"}
    assert set(row["field_hashes"]) >= {"title", "body", "grade"}  # for the change events (schema v2)
    assert scan["coverage"]["title"] == 1.0


@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "parquet"])
def test_appending_to_a_whole_document_format_is_refused(tmp_path, fmt):
    """``-o x.csv`` onto an existing file would write a second header (JSON: a second array)."""
    target = tmp_path / f"out.{fmt}"
    assert check_feeds(_settings({str(target): {"format": fmt}}), "avclub", None) is None  # a new file: fine
    target.write_text("x", "utf-8")
    refused = check_feeds(_settings({str(target): {"format": fmt}}), "avclub", None)
    assert refused.startswith(f"-o {target} would append {fmt} records") and f"-O {target}" in refused
    assert check_feeds(_settings({str(target): {"format": fmt, "overwrite": True}}), "avclub", None) is None
    jsonl = tmp_path / "out.jsonl"
    jsonl.write_text('{"a": 1}\n', "utf-8")
    assert check_feeds(_settings({str(jsonl): {"format": "jsonl"}}), "avclub", None) is None  # JSON Lines appends
