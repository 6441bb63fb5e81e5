"""Every fixture page of every site: page -> pipelines -> exporter equals ``expected.json``,
one test per field per page (cases found automatically: folders with an ``expected.json``)."""

from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.output.jsonl import ReviewJsonLinesExporter
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.normalize import NormalizePipeline
from crawler.pipelines.validate import ValidatePipeline
from crawler.record.build import RECORD_FIELDS
from crawler.record.item import PREPARED_ERRORS, Review
from crawler.sites.read import read_page
from tests.support.crawl import FIXTURES, load_expected

SITES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
CASES = sorted(p.parent for site in SITES for p in (FIXTURES / site).rglob("expected.json"))
FIELDS = [f for f in RECORD_FIELDS if f != "fetched_at"]


def _site_of(case: Path) -> str:
    return case.relative_to(FIXTURES).parts[0]


@lru_cache(maxsize=None)
def exported(case: Path) -> dict | None:
    """Run a fixture page through the crawl's path: ``read_page``, the pipelines, the exporter."""
    expected = load_expected(case)
    site = _site_of(case)
    url = expected["url"] if expected else f"https://fixture.invalid/{case.name}"
    headers = json.loads((case / "headers.json").read_text("utf-8")) if (case / "headers.json").exists() else None
    outcome = read_page(url, (case / "page.html").read_bytes(), headers, site=site)
    if not outcome.records:
        return None
    (record, errors), = outcome.records
    item = Review(**record)
    setattr(item, PREPARED_ERRORS, errors)
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    try:
        for cls in (NormalizePipeline, ValidatePipeline, DedupPipeline):
            item = cls.from_crawler(crawler).process_item(item)
    except DropItem as exc:
        pytest.fail(f"{case.name}: dropped by the pipelines: {exc}")
    buf = io.BytesIO()
    exporter = ReviewJsonLinesExporter(buf)
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    line = buf.getvalue().decode("utf-8")
    assert line.endswith("\n") and line.count("\n") == 1
    assert "\\u" not in line, "non-ASCII must be written as UTF-8, not escaped"
    return json.loads(line)


def _id(case: Path) -> str:
    return "/".join(case.relative_to(FIXTURES).parts)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_page_kind(case):
    """Review pages give a record, non-review pages (expected ``null``) give none."""
    expected = load_expected(case)
    record = exported(case)
    assert (record is None) == (expected is None)
    if record is not None:
        assert list(record) == list(RECORD_FIELDS), "key order is the contract's"


REVIEW_CASES = [c for c in CASES if load_expected(c) is not None]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", REVIEW_CASES, ids=_id)
def test_field(case, field):
    expected = load_expected(case)
    record = exported(case)
    assert record is not None, "not recognised as a review"
    assert record[field] == expected[field]
