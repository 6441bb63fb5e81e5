"""Turn a page's raw review into the exported record (pure: no Scrapy).

:func:`normalize_record` cleans every field with the other normalizers, derives ``id``,
``word_count`` and ``content_hash``, and returns a dict in the contract's key order. It is
idempotent: normalizing a record again returns it unchanged.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from json.encoder import encode_basestring as _encode_text
from json.encoder import encode_basestring_ascii as _encode_ascii
from typing import Any

from crawler.record.item import SCHEMA_VERSION, Review, record_view
from crawler.record.v2 import OUTPUT_SCHEMA_VERSION, OUTPUT_VERSIONS, SCHEMA_VERSION_2, to_v2
from crawler.record.validate import record_errors
from crawler.normalize.credits import parse_credits
from crawler.normalize.dates import parse_date, parse_datetime
from crawler.normalize.grades import parse_grade
from crawler.normalize.text import body_word_count, clean_body, clean_text
from crawler.normalize.urls import record_id

RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Review))
CONTENT_FIELDS: tuple[str, ...] = (
    "kind", "title", "subtitle", "work_title", "grade", "credits", "body", "authors",
    "published_at", "modified_at", "language",
)
CREDIT_KEYS: tuple[str, ...] = (
    "director", "writer", "starring", "release_date", "platform", "creator", "producer",
    "cinematographer", "editor", "composer", "releases", "runtime_minutes", "content_rating",
    "distributor", "studio", "country", "year",
)
_LIST_CREDITS = ("director", "writer", "starring", "creator", "producer", "cinematographer", "editor", "composer")
GRADE_KEYS: tuple[str, ...] = ("raw", "scale", "value", "best", "score", "letter")
#: the record's ``kind`` values (besides null): the kind of the reviewed work
KINDS: tuple[str, ...] = ("film", "tv", "album", "game", "book", "other")


def utc_now() -> str:
    """Now, as the record writes times: ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _opt_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return clean_text(value) or None


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return list(dict.fromkeys(n for n in (clean_text(v) for v in value if isinstance(v, str)) if n))


def normalize_grade(grade: Any) -> dict | None:
    """A grade dict with the contract's keys in order (or parsed from a string)."""
    if isinstance(grade, str):
        return parse_grade(grade)
    if not isinstance(grade, Mapping) or not grade.get("scale"):
        return None
    return {k: grade.get(k) for k in GRADE_KEYS}


def normalize_credits(credits: Any) -> dict:
    """The credits object in the contract's key order; lists cleaned, always the five base keys."""
    if isinstance(credits, str):
        credits = parse_credits(credits)
    credits = credits if isinstance(credits, Mapping) else {}
    out: dict[str, Any] = {}
    for key in CREDIT_KEYS:
        value = credits.get(key)
        if key in _LIST_CREDITS:
            names = _names(value)
            if names or key in ("director", "writer", "starring"):
                out[key] = names
        elif key == "release_date":
            out[key] = parse_date(value) if isinstance(value, str) else None
        elif key == "platform":
            out[key] = _opt_text(value)
        elif value not in (None, "", [], {}):
            # (a list or dict kept as it is, ``releases``, is copied: not shared with the item)
            out[key] = copy.deepcopy(value) if isinstance(value, (list, dict)) else value
    return out


def normalize_datetime(value: Any) -> str | None:
    return parse_datetime(value) if isinstance(value, str) and value.strip() else None


#: the canonical JSON the hashes are taken over (sorted keys, UTF-8 text, no spaces): one
#: encoder for every call, what ``json.dumps`` with these options builds anew each time
canonical_json = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def json_text(value: str) -> str:
    """``json.dumps(value, ensure_ascii=False)`` for a string, faster: an ASCII string without
    DEL (which only the ASCII encoder escapes) goes through the ASCII encoder, the same text
    about three times faster (a 10 kB body: 26 us instead of 74 us); any other string through
    the UTF-8 one."""
    if value.isascii() and "\x7f" not in value:
        return _encode_ascii(value)
    return _encode_text(value)


def content_hash(record: Mapping) -> str:
    """sha256 over the content fields' canonical JSON: equal content, equal hash, across runs."""
    content = {k: record.get(k) for k in CONTENT_FIELDS}
    blob = canonical_json(content)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def normalize_record(item: Any, *, fetched_at: str | None = None) -> dict:
    """The exported record for *item* (a :class:`Review`, a dict or anything itemadapter reads).

    Cleans strings (NFC, whitespace, invisible characters), orders keys, and derives ``id``
    from ``url``, ``word_count`` from ``body`` and ``content_hash`` from the content fields.
    ``fetched_at`` keeps the item's own value, else the one given, else now.
    """
    if type(item) is Review:  # its fields are only read (the values the record keeps are new or copied)
        src = record_view(item)
    elif dataclasses.is_dataclass(item) and not isinstance(item, type):
        src = dataclasses.asdict(item)
    elif isinstance(item, Mapping):
        src = dict(item)
    else:
        from itemadapter import ItemAdapter  # a Scrapy item or attrs object

        src = ItemAdapter(item).asdict()
    url = clean_text(src.get("url") or "") or None
    lang = _opt_text(src.get("language"))
    body = clean_body(src.get("body")) if src.get("body") else None
    rec: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": record_id(url) if url else None,
        "url": url,
        "site": _opt_text(src.get("site")),
        "kind": src.get("kind") if src.get("kind") in KINDS else None,
        "title": _opt_text(src.get("title")),
        "subtitle": _opt_text(src.get("subtitle")),
        "work_title": _opt_text(src.get("work_title")),
        "grade": normalize_grade(src.get("grade")),
        "credits": normalize_credits(src.get("credits")),
        "body": body or None,
        "authors": _names(src.get("authors")),
        "published_at": normalize_datetime(src.get("published_at")),
        "modified_at": normalize_datetime(src.get("modified_at")),
        "language": lang.lower() if lang else None,
        "word_count": body_word_count(body),
        "content_hash": None,
        "fetched_at": src.get("fetched_at") or fetched_at or utc_now(),
    }
    rec["content_hash"] = content_hash(rec)
    return rec


def versioned(record: dict, version: int = OUTPUT_SCHEMA_VERSION, change: Mapping | None = None) -> tuple[dict, list[str]]:
    """``(record as written in schema *version*, its schema errors)`` for a valid version 1
    *record* (:func:`normalize_record`, already checked): version 1 passes it through; version 2
    is :func:`crawler.record.v2.to_v2` with the *change* event (None: not known) checked against
    ``review-v2.schema.json``. The one step from the crawl's record to the written one, for the
    crawl (:mod:`crawler.pipelines.version`), ``crawler reextract`` and :mod:`crawler.api`."""
    if version not in OUTPUT_VERSIONS:
        raise ValueError(f"record schema version must be 1 or 2, got {version}")
    if version == SCHEMA_VERSION:
        return record, []
    out = to_v2(record, change)
    return out, record_errors(out)


def field_hashes(record: Mapping, texts: Mapping[str, str] | None = None) -> dict[str, str]:
    """Per content field, the first 16 hex digits of sha256 over its canonical JSON (the
    version 2 form, so a record hashes the same in either version): what the state keeps so
    the next run can say which fields of a changed review changed.

    *texts*: the JSON text (:func:`json_text`) of string fields of a version 2 *record*, already
    made (by :func:`crawler.output.jsonl.dumps_record`, writing it): not made again."""
    if record.get("schema_version") == SCHEMA_VERSION_2:
        v2 = record
    else:
        v2, texts = to_v2(record), None  # one form for both versions
    canonical = {name: v2.get(name) for name in CONTENT_FIELDS}
    for name in ("published", "modified"):
        canonical[f"{name}_at"] = [v2.get(f"{name}_at"), v2.get(f"{name}_date")]
    sha256 = hashlib.sha256
    out = {}
    for name in CONTENT_FIELDS:
        value = canonical[name]
        if type(value) is str:
            blob = (texts.get(name) if texts else None) or json_text(value)
        else:
            blob = canonical_json(value)
        out[name] = sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return out


def changed_fields(record: Mapping, previous_hashes: Mapping[str, str] | None) -> list[str] | None:
    """The content fields of *record* whose hash differs from *previous_hashes* (None: not known)."""
    if not previous_hashes:
        return None
    now = field_hashes(record)
    return [name for name in CONTENT_FIELDS if previous_hashes.get(name) != now[name]]
