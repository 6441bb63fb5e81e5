"""The compiled validator agrees with the reference validator (``jsonschema``) on the schema file."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.record.validate import _validator, compiled_is_valid, record_errors
from tests.support.crawl import FIXTURES

RECORDS = [json.loads(p.read_text("utf-8")) for p in sorted(FIXTURES.rglob("expected.json"))]
RECORDS = [{**r, "fetched_at": "2025-06-01T12:00:00Z"} for r in RECORDS if r is not None]  # expected.json leaves it out


def _reference_valid(record) -> bool:
    return not list(_validator().iter_errors(record))


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


def test_fixtures_and_their_mutations_agree():
    assert RECORDS
    n = 0
    for record in RECORDS:
        assert compiled_is_valid(record) is True and _reference_valid(record)
        for bad in _mutations(copy.deepcopy(record)):
            assert (compiled_is_valid(bad) in (None, _reference_valid(bad))), bad
            assert (record_errors(bad) == []) == _reference_valid(bad)
            n += 1
    assert n >= 10 * len(RECORDS)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(sorted(RECORDS[0])), value=_json)
def test_random_field_values_agree(field, value):
    record = {**RECORDS[0], field: value}
    fast = compiled_is_valid(record)
    assert fast is None or fast == _reference_valid(record)
    assert (record_errors(record) == []) == _reference_valid(record)


@pytest.mark.parametrize("junk", [None, [], "x", 1, {"schema_version": 1}])
def test_non_records_are_invalid(junk):
    assert record_errors(junk)
