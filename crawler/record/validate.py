"""The record's JSON Schemas and validation against them (no Scrapy).

Version 1 (``review-v1.schema.json``, superseded by version 2 but still the default output)
and version 2 (``review-v2.schema.json``, :mod:`crawler.record.v2`). :func:`record_errors`
checks a record against the schema of its own ``schema_version``. Version 2 checks ``format``
too: ``date`` (``2025-13-45`` is invalid) and ``date-time`` (``YYYY-MM-DDTHH:MM:SSZ``, a real
date and time), with our own checkers (jsonschema's ``date-time`` needs an extra package).

Version 1 records are checked by a compiled validator (``jsonschema-rs``) first: a valid record
costs microseconds instead of ~0.4 ms. Only a record it rejects (or one it cannot read), and
every version 2 record (its format checkers are ours), is checked by the reference validator
(``jsonschema``), whose messages the reject file shows; so the answer is always the reference
validator's, and ``tests/unit/record/test_validate.py`` checks the two agree on every fixture and
on hostile records.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - a platform without its wheel: the reference validator alone
    jsonschema_rs = None

SCHEMA_FILE = "review-v1.schema.json"
SCHEMA_FILES = {1: SCHEMA_FILE, 2: "review-v2.schema.json"}

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return len(value) == 10 and bool(date.fromisoformat(value))


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ"))


@lru_cache(maxsize=None)
def load_schema(version: int = 1) -> dict:
    """The record's JSON Schema of *version* (``crawler/record/schema/review-v<N>.schema.json``)."""
    return json.loads(resources.files("crawler.record").joinpath("schema", SCHEMA_FILES[version]).read_text("utf-8"))


@lru_cache(maxsize=None)
def _validator(version: int = 1) -> jsonschema.protocols.Validator:
    schema = load_schema(version)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=FORMATS if version >= 2 else None)


@lru_cache(maxsize=1)
def _compiled():
    return jsonschema_rs.validator_for(load_schema(1)) if jsonschema_rs is not None else None


def compiled_is_valid(record: Any) -> bool | None:
    """The compiled validator's verdict on a version 1 record, or None when it is unavailable or
    cannot read *record*."""
    fast = _compiled()
    if fast is None:
        return None
    try:
        return bool(fast.is_valid(record))
    except Exception:  # noqa: BLE001 - a value it cannot convert: the reference validator decides
        return None


def record_errors(record: Any) -> list[str]:
    """Schema violations of *record*, one readable line each (``[]`` when valid), against the
    schema of its ``schema_version`` (version 1 when it names no known version)."""
    version = record.get("schema_version") if isinstance(record, dict) else None
    version = version if isinstance(version, int) and not isinstance(version, bool) and version in SCHEMA_FILES else 1
    if version == 1 and compiled_is_valid(record):
        return []
    validator = _validator(version)
    errors = []
    for err in sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(record)"
        errors.append(f"{where}: {err.message[:300]}")
    return errors
