"""The record's JSON Schemas and validation against them (no Scrapy).

Version 2 (``review-v2.schema.json``, :mod:`crawler.record.v2`, the default output) and version 1
(``review-v1.schema.json``, superseded, written on request). :func:`record_errors`
checks a record against the schema of its own ``schema_version``. Version 2 checks ``format``
too: ``date`` (``2025-13-45`` is invalid) and ``date-time`` (``YYYY-MM-DDTHH:MM:SSZ``, a real
date and time), with our own checkers (jsonschema's ``date-time`` needs an extra package).

Records of both versions are checked by a compiled validator (``jsonschema-rs``, built from the
same schema file, with the same ``date``/``date-time`` checkers for version 2) first: a valid
record costs about 5 us (version 1) or 30 us (version 2: the format checkers are called back in
Python) instead of 0.8 ms or 1.5 ms with the reference validator. Only a record it
rejects (or one it cannot read) is checked by the reference validator (``jsonschema``), whose
messages the reject file shows; so the answer is always the reference validator's, and
``tests/unit/record/test_validate.py`` checks the two agree, for each version, on every fixture
and on hostile records.
"""

from __future__ import annotations

import json
import re
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
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")


def _real(pattern: re.Pattern, make, value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats apply to strings only
    # a crawl's dates and fetch times repeat, and the answer depends on the text alone: a short
    # one is remembered (a long one is no date and is not kept)
    return (_real_text_cached if len(value) <= 32 else _real_text)(pattern, make, value)


def _real_text(pattern: re.Pattern, make, value: str) -> bool:
    m = pattern.fullmatch(value)
    try:
        return m is not None and bool(make(*map(int, m.groups())))
    except ValueError:  # 2025-13-45, 2025-02-30, 24:00:00
        return False


_real_text_cached = lru_cache(maxsize=4096)(_real_text)


@FORMATS.checks("date")
def _is_date(value: object) -> bool:
    """``YYYY-MM-DD``, a real date."""
    return _real(_DATE, date, value)


@FORMATS.checks("date-time")
def _is_datetime(value: object) -> bool:
    """``YYYY-MM-DDTHH:MM:SSZ``, a real date and time."""
    return _real(_DATETIME, datetime, value)


#: the same checkers for the compiled validator
_COMPILED_FORMATS = {"date": _is_date, "date-time": _is_datetime}


@lru_cache(maxsize=None)
def load_schema(version: int = 1) -> dict:
    """The record's JSON Schema of *version* (``crawler/record/schema/review-v<N>.schema.json``)."""
    return json.loads(resources.files("crawler.record").joinpath("schema", SCHEMA_FILES[version]).read_text("utf-8"))


@lru_cache(maxsize=None)
def _validator(version: int = 1) -> jsonschema.protocols.Validator:
    schema = load_schema(version)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=FORMATS if version >= 2 else None)


@lru_cache(maxsize=None)
def _compiled(version: int = 1):
    if jsonschema_rs is None:
        return None
    if version >= 2:  # formats checked, by the reference validator's own checkers
        return jsonschema_rs.validator_for(load_schema(version), validate_formats=True, formats=_COMPILED_FORMATS)
    return jsonschema_rs.validator_for(load_schema(version))


def compiled_is_valid(record: Any, version: int = 1) -> bool | None:
    """The compiled validator's verdict on *record* against the schema of *version*, or None
    when it is unavailable or cannot read *record*."""
    fast = _compiled(version)
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
    if compiled_is_valid(record, version):
        return []
    validator = _validator(version)
    errors = []
    for err in sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(record)"
        errors.append(f"{where}: {err.message[:300]}")
    return errors
