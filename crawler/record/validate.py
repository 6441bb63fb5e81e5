"""The record's JSON Schema and validation against it (no Scrapy)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

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


def record_errors(record: Any) -> list[str]:
    """Schema violations of *record*, one readable line each (``[]`` when valid)."""
    errors = []
    for err in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(record)"
        errors.append(f"{where}: {err.message[:300]}")
    return errors
