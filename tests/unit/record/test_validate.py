"""The compiled validator agrees with the reference validator (``jsonschema``) on the schema
files, for each record version (version 2 with its ``date``/``date-time`` formats)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.record.v2 import to_v2
from crawler.record.validate import _validator, compiled_is_valid, record_errors
from tests.support.crawl import FIXTURES

RECORDS = [json.loads(p.read_text("utf-8")) for p in sorted(FIXTURES.rglob("expected.json"))]
RECORDS = [{**r, "fetched_at": "2025-06-01T12:00:00Z"} for r in RECORDS if r is not None]  # expected.json leaves it out
CHANGES = [None, {"change": "new", "previous_hash": None, "changed_fields": []},
           {"change": "changed", "previous_hash": "a" * 64, "changed_fields": ["title", "grade"]},
           {"change": "changed", "previous_hash": "b" * 64, "changed_fields": None}]
RECORDS_V2 = [to_v2(r, CHANGES[i % len(CHANGES)]) for i, r in enumerate(RECORDS)]
BY_VERSION = {1: RECORDS, 2: RECORDS_V2}


def _reference_valid(record, version: int) -> bool:
    return not list(_validator(version).iter_errors(record))


def _mutations(record: dict):
    yield {**record, "schema_version": 2}
    yield {**record, "id": "not-hex"}
    yield {**record, "grade": {"raw": "B", "scale": "letter"}}
    yield {**record, "credits": {**record["credits"], "director": "one string"}}
    yield {**record, "published_at": "yesterday"}
    yield {**record, "word_count": -1}
    yield {**record, "kind": "opera"}
    yield {k: v for k, v in record.items() if k != "title"}
    yield {**record, "extra": 1}
    yield {**record, "authors": [None]}
    yield {**record, "body": "\ud800 lone surrogate"}


def _mutations_v2(record: dict):
    """What version 2 adds: formats, one type per field, the change event."""
    yield {**record, "schema_version": 1}
    yield {**record, "published_at": "2025-02-30T10:00:00Z"}   # not a real day
    yield {**record, "published_at": "2025-06-01T24:00:00Z"}   # not a real time
    yield {**record, "published_at": "2025-06-01T23:59:60Z"}   # no leap seconds
    yield {**record, "published_at": "2025-06-01"}             # a bare date belongs in published_date
    yield {**record, "published_date": "2025-13-45"}
    yield {**record, "published_date": "0000-01-01"}
    yield {**record, "modified_date": "2025-06-01T10:00:00Z"}
    yield {**record, "fetched_at": "2024-02-29T10:00:00Z"}     # valid: a leap day
    yield {**record, "fetched_at": "2023-02-29T10:00:00Z"}
    yield {**record, "fetched_at": "２０２５-06-01T10:00:00Z"}   # full-width digits
    yield {**record, "credits": {**record["credits"], "release_date": "2025-04-31"}}
    yield {**record, "credits": {**record["credits"], "releases": [{"date": "2025-02-29", "platform": None}]}}
    yield {**record, "credits": {**record["credits"], "releases": [{"date": "2024-02-29", "platform": "Netflix"}]}}
    yield {**record, "credits": {k: v for k, v in record["credits"].items() if k != "studio"}}
    yield {**record, "credits": {**record["credits"], "year": 2025.5}}
    yield {**record, "grade": {"raw": "B", "scale": "letter", "value": 75.0, "best": 100.0, "score": 75, "letter": "B"}}
    yield {**record, "grade": {"raw": "B", "scale": "letter", "value": 75.0, "best": 0.0, "score": 75, "letter": "B"}}
    yield {**record, "change": "deleted"}
    yield {**record, "change": "changed", "previous_hash": "nothex", "changed_fields": []}
    yield {**record, "changed_fields": ["title", "title"]}
    yield {**record, "changed_fields": [1]}
    yield {k: v for k, v in record.items() if k != "previous_hash"}
    yield {**record, "word_count": 12.0}
    yield {**record, "word_count": True}


@pytest.mark.parametrize("version", [1, 2])
def test_fixtures_and_their_mutations_agree(version):
    records = BY_VERSION[version]
    assert records
    n = 0
    for record in records:
        assert record_errors(record) == []
        assert compiled_is_valid(record, version) is True and _reference_valid(record, version)
        mutations = [*_mutations(copy.deepcopy(record)), *(_mutations_v2(copy.deepcopy(record)) if version == 2 else [])]
        for bad in mutations:
            assert (compiled_is_valid(bad, version) in (None, _reference_valid(bad, version))), bad
            # record_errors checks a record against its own schema_version's schema
            own = bad.get("schema_version") if bad.get("schema_version") in (1, 2) else 1
            assert (record_errors(bad) == []) == _reference_valid(bad, own), bad
            n += 1
    assert n >= 10 * len(records)


def test_version_2_fast_path_rejects_what_only_the_formats_forbid():
    """The patterns alone would pass these: the compiled validator checks the formats too."""
    record = RECORDS_V2[0]
    for field, value in [("published_at", "2025-02-30T10:00:00Z"), ("published_date", "2025-13-45"),
                         ("fetched_at", "2025-06-01T23:59:60Z")]:
        assert compiled_is_valid({**record, field: value}, 2) is False
        assert record_errors({**record, field: value}) == [f"{field}: '{value}' is not a '{'date' if field.endswith('date') else 'date-time'}'"]


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4), max_leaves=20)
_dates = st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?\Z")


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from([1, 2]), index=st.integers(min_value=0), field=st.sampled_from(sorted(RECORDS_V2[0])),
       value=_json | _dates)
def test_random_field_values_agree(version, index, field, value):
    records = BY_VERSION[version]
    base = records[index % len(records)]
    record = {**base, field: value}
    fast = compiled_is_valid(record, version)
    assert fast is None or fast == _reference_valid(record, version)
    if field != "schema_version":
        assert (record_errors(record) == []) == _reference_valid(record, version)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(["release_date", "year", "runtime_minutes", "releases", "studio", "platform"]),
       value=_json | _dates)
def test_random_credit_values_agree_in_version_2(key, value):
    record = {**RECORDS_V2[0], "credits": {**RECORDS_V2[0]["credits"], key: value}}
    fast = compiled_is_valid(record, 2)
    assert fast is None or fast == _reference_valid(record, 2)
    assert (record_errors(record) == []) == _reference_valid(record, 2)


@pytest.mark.parametrize("junk", [None, [], "x", 1, {"schema_version": 1}, {"schema_version": 2}])
def test_non_records_are_invalid(junk):
    assert record_errors(junk)
