"""Which fields of a record are empty: counted as ``reviews/missing/<field>`` by the normalize
pipeline, as per-kind coverage by the state pipeline (for the monitors), and in each output
file's manifest. One definition of "missing" for all three: ``None``, ``""``, ``[]`` or ``{}``."""

from __future__ import annotations

#: fields whose emptiness is counted as ``reviews/missing/<field>``
TRACKED_FIELDS = ("kind", "title", "subtitle", "work_title", "grade", "body", "authors", "published_at", "modified_at", "language")
TRACKED_CREDITS = ("director", "writer", "starring", "release_date", "platform")
#: every coverage key: the tracked fields, then ``credits/<role>``
COVERAGE_KEYS = TRACKED_FIELDS + tuple(f"credits/{k}" for k in TRACKED_CREDITS)


_EMPTY = (None, "", [], {})  # one tuple for every call (never changed)


def is_missing(value) -> bool:
    return value in _EMPTY


#: a version 2 record keeps a page's bare date in ``<name>_date`` (``<name>_at`` null): present
_DATE_OF = {"published_at": "published_date", "modified_at": "modified_date"}


def missing_fields(record: dict) -> list[str]:
    """Names of the tracked fields that are empty in *record* (``credits/<role>`` for credits),
    the same for a record in either schema version."""
    missing = [f for f in TRACKED_FIELDS if is_missing(record.get(f)) and is_missing(record.get(_DATE_OF.get(f, f)))]
    credits = record.get("credits") or {}
    missing += [f"credits/{k}" for k in TRACKED_CREDITS if is_missing(credits.get(k))]
    return missing
