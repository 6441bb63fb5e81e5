"""The record's JSON Schema and validation against it (no Scrapy).

The schema file is the contract. Records are checked by a compiled validator (``jsonschema-rs``)
first: a valid record costs microseconds instead of ~0.4 ms. Only a record it rejects (or one it
cannot read) is checked again by the reference validator (``jsonschema``), whose messages the
reject file shows; so the answer is always the reference validator's, and
``tests/unit/record/test_validate.py`` checks the two agree on every fixture and on hostile records.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - a platform without its wheel: the reference validator alone
    jsonschema_rs = None

SCHEMA_FILE = "review-v1.schema.json"


@lru_cache(maxsize=1)
def load_schema() -> dict:
    """The record's JSON Schema (``crawler/record/schema/review-v1.schema.json``)."""
    return json.loads(resources.files("crawler.record").joinpath("schema", SCHEMA_FILE).read_text("utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _compiled():
    return jsonschema_rs.validator_for(load_schema()) if jsonschema_rs is not None else None


def compiled_is_valid(record: Any) -> bool | None:
    """The compiled validator's verdict, or None when it is unavailable or cannot read *record*."""
    fast = _compiled()
    if fast is None:
        return None
    try:
        return bool(fast.is_valid(record))
    except Exception:  # noqa: BLE001 - a value it cannot convert: the reference validator decides
        return None


def record_errors(record: Any) -> list[str]:
    """Schema violations of *record*, one readable line each (``[]`` when valid)."""
    if compiled_is_valid(record):
        return []
    errors = []
    for err in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(record)"
        errors.append(f"{where}: {err.message[:300]}")
    return errors
