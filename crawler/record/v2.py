"""Record schema version 2: the loader contract (pure). :func:`to_v2` turns a version 1 record
(:func:`crawler.record.build.normalize_record`) into a version 2 one.

What version 2 fixes for loaders (``crawler/record/schema/review-v2.schema.json``):

- every field and every ``credits`` key is always present, with one JSON type: lists are
  ``[]`` when empty, everything else ``null``; ``distributor``, ``studio``, ``country`` are
  always lists;
- ``grade.value`` and ``grade.best`` are always JSON floats (``4.0``), ``grade.score``,
  ``word_count``, ``credits.runtime_minutes`` and ``credits.year`` always integers;
- ``published_at``/``modified_at`` are always full ``YYYY-MM-DDTHH:MM:SSZ`` timestamps or
  ``null``; a page that gives only a date has it in ``published_date``/``modified_date`` (which
  always hold the UTC date of the timestamp when there is one);
- change events (from the state store, :mod:`crawler.pipelines.state`): ``change`` (``new``,
  ``changed``, ``unchanged``; ``null`` outside a crawl), ``previous_hash`` (the hash the state
  had, ``null`` for new records), ``changed_fields`` (content fields whose value changed:
  ``[]`` for new and unchanged records, ``null`` when the state has no per-field hashes).

``content_hash`` is the version 1 hash (same content, same hash, whatever the version).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SCHEMA_VERSION_2 = 2
#: the schema version records are written in unless told otherwise (``RECORD_SCHEMA_VERSION``,
#: ``crawler reextract --schema-version``, :func:`crawler.api.extract_review`); 1 stays available
OUTPUT_SCHEMA_VERSION = SCHEMA_VERSION_2
#: the versions a record can be written in
OUTPUT_VERSIONS = (1, SCHEMA_VERSION_2)
KINDS = ("film", "tv", "album", "game", "book", "other")
LIST_CREDITS = ("director", "writer", "starring", "creator", "producer", "cinematographer", "editor", "composer",
                "distributor", "studio", "country")
CREDIT_KEYS_V2 = ("director", "writer", "starring", "creator", "producer", "cinematographer", "editor", "composer",
                  "release_date", "platform", "releases", "runtime_minutes", "content_rating", "distributor", "studio",
                  "country", "year")
FIELDS_V2 = ("schema_version", "id", "url", "site", "kind", "title", "subtitle", "work_title", "grade", "credits", "body",
             "authors", "published_at", "published_date", "modified_at", "modified_date", "language", "word_count",
             "content_hash", "fetched_at", "change", "previous_hash", "changed_fields")
CHANGE_EVENTS = ("new", "changed", "unchanged")


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _list(value: Any) -> list:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def grade_v2(grade: Any) -> dict | None:
    if not isinstance(grade, Mapping):
        return None
    return {"raw": grade.get("raw"), "scale": grade.get("scale"), "value": _float(grade.get("value")),
            "best": _float(grade.get("best")), "score": _int(grade.get("score")), "letter": grade.get("letter") or None}


def credits_v2(credits: Any) -> dict:
    credits = credits if isinstance(credits, Mapping) else {}
    out: dict[str, Any] = {}
    for key in CREDIT_KEYS_V2:
        value = credits.get(key)
        if key in LIST_CREDITS:
            out[key] = [str(v) for v in _list(value)]
        elif key == "releases":
            out[key] = [{"date": r.get("date") or None, "platform": r.get("platform") or None}
                        for r in _list(value) if isinstance(r, Mapping)]
        elif key in ("runtime_minutes", "year"):
            out[key] = _int(value)
        else:
            out[key] = value if isinstance(value, str) and value else None
    return out


def split_when(value: Any) -> tuple[str | None, str | None]:
    """``(timestamp, date)`` of a v1 ``published_at``-like value: a full timestamp gives both,
    a bare date only the date."""
    if not isinstance(value, str) or not value:
        return None, None
    if len(value) == 10:
        return None, value
    return value, value[:10]


def to_v2(record: Mapping, change: Mapping | None = None) -> dict:
    """The version 2 record for a version 1 *record*; *change*: ``{"change", "previous_hash",
    "changed_fields"}`` from the state (None: not known, all three ``null``/``None``)."""
    pub_at, pub_date = split_when(record.get("published_at"))
    mod_at, mod_date = split_when(record.get("modified_at"))
    change = change or {}
    kind = record.get("kind")
    return {
        "schema_version": SCHEMA_VERSION_2,
        "id": record.get("id"),
        "url": record.get("url"),
        "site": record.get("site"),
        "kind": kind if kind in KINDS else None,
        "title": record.get("title"),
        "subtitle": record.get("subtitle"),
        "work_title": record.get("work_title"),
        "grade": grade_v2(record.get("grade")),
        "credits": credits_v2(record.get("credits")),
        "body": record.get("body"),
        "authors": [str(a) for a in _list(record.get("authors"))],
        "published_at": pub_at,
        "published_date": pub_date,
        "modified_at": mod_at,
        "modified_date": mod_date,
        "language": record.get("language"),
        "word_count": _int(record.get("word_count")) or 0,
        "content_hash": record.get("content_hash"),
        "fetched_at": record.get("fetched_at"),
        "change": change.get("change"),
        "previous_hash": change.get("previous_hash"),
        "changed_fields": (list(change["changed_fields"]) if change.get("changed_fields") is not None else None) if change else None,
    }
