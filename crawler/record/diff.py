"""What changed between two sets of records, per field (pure): :func:`diff_records`, :func:`format_diff`.

Records are matched by ``id`` and compared in the version 2 form (a version 1 record is converted
with :func:`crawler.record.v2.to_v2`, so a version 1 output diffs cleanly against a version 2 one;
``schema_version`` and the change event -- ``change``, ``previous_hash``, ``changed_fields``, which
describe a crawl's state, not the review -- are never compared). Per field (``credits`` and ``grade`` per key: ``credits.director``,
``grade.score``; ``fetched_at`` never compared): **changed** (a value on both sides, not equal),
**appeared** (empty before -- ``None``, ``""``, ``[]``, ``{}`` -- and filled now), **vanished**
(filled before, empty now), each with up to ``examples`` examples (url, before, after). Whole
records: ``new`` (ids only in the current set) and ``gone`` (only in the previous set).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crawler.record.coverage import is_missing
from crawler.record.v2 import SCHEMA_VERSION_2, to_v2

IGNORED = ("fetched_at", "schema_version", "change", "previous_hash", "changed_fields")
NESTED = ("grade", "credits")


def _flatten(record: Mapping) -> dict[str, Any]:
    if record.get("schema_version") != SCHEMA_VERSION_2:
        record = to_v2(record)
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key in IGNORED:
            continue
        if key in NESTED and isinstance(value, Mapping):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = v
            if not value:
                out[key] = value
        else:
            out[key] = value
    return out


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def diff_records(previous: Iterable[Mapping], current: Iterable[Mapping], examples: int = 3) -> dict:
    """``{"fields": {field: {"changed": n, "appeared": n, "vanished": n, "examples": [...]}},
    "new": n, "gone": n, "compared": n, "new_examples": [...], "gone_examples": [...]}``."""
    prev = {r.get("id"): r for r in previous}
    cur = {r.get("id"): r for r in current}
    fields: dict[str, dict] = {}
    compared = 0
    for rid, rec in cur.items():
        old = prev.get(rid)
        if old is None:
            continue
        compared += 1
        a, b = _flatten(old), _flatten(rec)
        for name in dict.fromkeys([*a, *b]):
            before, after = a.get(name), b.get(name)
            if before == after or (is_missing(before) and is_missing(after)):
                continue
            kind = "appeared" if is_missing(before) else "vanished" if is_missing(after) else "changed"
            entry = fields.setdefault(name, {"changed": 0, "appeared": 0, "vanished": 0, "examples": []})
            entry[kind] += 1
            if len(entry["examples"]) < examples:
                entry["examples"].append({"kind": kind, "url": rec.get("url"), "before": before, "after": after})
    new = [r.get("url") for k, r in cur.items() if k not in prev]
    gone = [r.get("url") for k, r in prev.items() if k not in cur]
    return {"fields": dict(sorted(fields.items())), "new": len(new), "gone": len(gone), "compared": compared,
            "new_examples": new[:examples], "gone_examples": gone[:examples]}


def format_diff(diff: dict) -> str:
    """The diff as text: one line per field with changes, its examples indented below."""
    lines = [f"records compared {diff['compared']}, new {diff['new']}, gone {diff['gone']}"]
    for url in diff["new_examples"]:
        lines.append(f"  new:  {url}")
    for url in diff["gone_examples"]:
        lines.append(f"  gone: {url}")
    if not diff["fields"]:
        lines.append("no field changed")
    for name, e in diff["fields"].items():
        lines.append(f"{name}: changed {e['changed']}, appeared {e['appeared']}, vanished {e['vanished']}")
        for ex in e["examples"]:
            lines.append(f"    {ex['kind']}: {ex['url']}: {_short(ex['before'])} -> {_short(ex['after'])}")
    return "\n".join(lines)
