"""Every request meta key the project's spiders and middlewares set can be queued in Redis
(distributed mode refuses any other key: a key missing here silently drops those requests)."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.distributed.serialize import META_KEYS, TRANSIENT_META

ROOT = Path(__file__).resolve().parents[3] / "crawler"
_SET = re.compile(r"""meta\[["']([a-z_]+)["']\]\s*=|meta\.setdefault\(["']([a-z_]+)["']|["']([a-z_]+)["']\s*:""")


def _meta_literals(text: str) -> set[str]:
    keys: set[str] = set()
    for m in re.finditer(r"meta=\{([^}]*)\}", text):
        keys |= set(re.findall(r"""["']([a-z_]+)["']\s*:""", m.group(1)))
    for m in re.finditer(r"""meta\[["']([a-z_]+)["']\]\s*=|meta\.setdefault\(["']([a-z_]+)["']""", text):
        keys.add(m.group(1) or m.group(2))
    return keys


def test_every_meta_key_set_by_the_project_can_be_queued():
    found: set[str] = set()
    for folder in ("spiders", "middlewares", "run"):
        for path in (ROOT / folder).glob("*.py"):
            found |= _meta_literals(path.read_text("utf-8"))
    assert found, "the scan found the project's meta keys"
    missing = sorted(k for k in found if k not in META_KEYS and k not in TRANSIENT_META)
    assert missing == []
