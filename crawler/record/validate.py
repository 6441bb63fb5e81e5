"""The record's JSON Schemas and validation against them (no Scrapy).

Version 1 (``review-v1.schema.json``, superseded by version 2 but still the default output)
and version 2 (``review-v2.schema.json``, :mod:`crawler.record.v2`). :func:`record_errors`
checks a record against the schema of its own ``schema_version``. Version 2 checks ``format``
too: ``date`` (``2025-13-45`` is invalid) and ``date-time`` (``YYYY-MM-DDTHH:MM:SSZ``, a real
date and time), with our own checkers (jsonschema's ``date-time`` needs an extra package).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

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


def record_errors(record: Any) -> list[str]:
    """Schema violations of *record*, one readable line each (``[]`` when valid), against the
    schema of its ``schema_version`` (version 1 when it names no known version)."""
    version = record.get("schema_version") if isinstance(record, dict) else None
    validator = _validator(version if version in SCHEMA_FILES and not isinstance(version, bool) else 1)
    errors = []
    for err in sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(record)"
        errors.append(f"{where}: {err.message[:300]}")
    return errors
