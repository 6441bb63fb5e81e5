"""Schema version 2 as a loader contract: 100 batch files, loaded one by one with DuckDB
``read_json`` and pandas ``read_json(lines=True)``, give one set of column types."""

from __future__ import annotations

import json
import random
import re

import duckdb
import pandas as pd
import pytest

from crawler.output.jsonl import dumps_record
from crawler.record.ddl import PANDAS_TIMESTAMP, duckdb_columns, pandas_dtypes
from crawler.record.v2 import FIELDS_V2, to_v2
from crawler.record.validate import record_errors
from tests.support.crawl import fixture_cases, load_expected

SITES = ("avclub", "reelverdict", "frameline", "pictureshow", "northgazette")


def _records() -> list[dict]:
    out = []
    for site in SITES:
        for case in fixture_cases(site):
            exp = load_expected(case)
            if exp:
                out.append(to_v2({**exp, "fetched_at": "2026-12-01T10:00:00Z"},
                                 {"change": "changed", "previous_hash": "0" * 64, "changed_fields": ["body"]}))
    return out


def _batches(tmp_path, n=100):
    recs = _records()
    rng = random.Random(16)
    groups = [
        [r for r in recs if r["grade"] is None],                                  # no grade at all
        [r for r in recs if r["grade"] and r["grade"]["letter"] is None],         # grades, no letter
        [r for r in recs if r["published_at"] is None] or recs[:1],               # undated
        [{**r, "change": "new", "previous_hash": None, "changed_fields": []} for r in recs[:2]],
    ]
    paths = []
    for i in range(n):
        batch = groups[i] if i < len(groups) and groups[i] else rng.sample(recs, rng.randint(1, 4))
        path = tmp_path / f"batch-{i:03d}.jsonl"
        path.write_text("".join(dumps_record(r) + "\n" for r in batch), "utf-8")
        paths.append(path)
    return paths


def test_v2_records_have_every_key_with_one_json_type(tmp_path):
    recs = _records()
    assert len(recs) >= 15
    for r in recs:
        assert list(r) == list(FIELDS_V2) and record_errors(r) == []
        if r["grade"]:
            line = dumps_record(r["grade"])
            assert re.search(r'"value": \d+\.\d+', line) and re.search(r'"best": \d+\.\d+', line)
        assert all(isinstance(r["credits"][k], list) for k in ("director", "writer", "starring", "producer", "distributor", "country"))
        assert {"runtime_minutes", "year", "content_rating", "releases"} <= set(r["credits"])
        assert r["published_at"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", r["published_at"])


@pytest.mark.parametrize(("field", "value"), [
    ("published_date", "2025-13-45"), ("published_at", "2025-02-30T10:00:00Z"), ("published_at", "2025-01-01"),
    ("fetched_at", "2025-01-01T25:00:00Z"), ("kind", "podcast"), ("credits", {"director": []}),
])
def test_v2_rejects_impossible_dates_and_missing_keys(field, value):
    rec = _records()[0]
    assert record_errors(rec) == []
    assert record_errors({**rec, field: value}) != []


def test_v2_takes_the_new_kinds():
    rec = _records()[0]
    for kind in ("album", "game", "book", "other"):
        assert record_errors({**rec, "kind": kind}) == []


def test_100_batch_files_load_with_one_set_of_column_types(tmp_path):
    paths = _batches(tmp_path)
    cols = duckdb_columns()
    con = duckdb.connect()
    types = set()
    for p in paths:
        desc = con.execute(f"DESCRIBE SELECT * FROM read_json('{p}', columns={cols!r}, format='newline_delimited')").fetchall()
        types.add(tuple((name, typ) for name, typ, *_ in desc))
    assert len(types) == 1
    [one] = types
    got = dict(one)
    assert list(got) == list(FIELDS_V2)
    assert got["published_at"] == "TIMESTAMP WITH TIME ZONE" and got["published_date"] == "DATE"
    assert got["grade"].startswith("STRUCT(raw VARCHAR, scale VARCHAR, \"value\" DOUBLE, best DOUBLE, score BIGINT, letter VARCHAR")
    assert "distributor VARCHAR[]" in got["credits"] and "runtime_minutes BIGINT" in got["credits"]
    # all files at once: every row, the letter grades as text, dates as dates
    files = [str(p) for p in paths]
    n, letters, dated = con.execute(
        f"SELECT count(*), count(grade.letter), count(published_date) FROM read_json({files!r}, columns={cols!r}, format='newline_delimited')").fetchone()
    assert n == sum(len(p.read_text().splitlines()) for p in paths) and letters > 0 and dated > 0
    # Without the columns, DuckDB's auto-detection types a column that is null in every record of a
    # file as "NULL" (the reason the contract ships duckdb_columns): shown here, not hidden.
    auto = dict((name, typ) for name, typ, *_ in con.execute(f"DESCRIBE SELECT * FROM read_json('{paths[0]}')").fetchall())
    assert auto["grade"] == '"NULL"'

    dtype, timestamps = pandas_dtypes()
    dtypes = set()
    for p in paths:
        df = pd.read_json(p, lines=True, dtype=dtype)
        for c in timestamps:
            df[c] = pd.to_datetime(df[c], utc=True).astype(PANDAS_TIMESTAMP)
        dtypes.add(tuple((c, str(t)) for c, t in df.dtypes.items()))
    assert len(dtypes) == 1
    d = dict(next(iter(dtypes)))
    assert d["published_at"].startswith("datetime64") and "UTC" in d["published_at"]
    assert d["word_count"] == "Int64" and d["subtitle"] == "string" and d["grade"] == "object"
    assert json.loads(paths[5].read_text().splitlines()[0])["schema_version"] == 2
