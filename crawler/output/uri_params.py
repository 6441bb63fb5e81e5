"""``FEED_URI_PARAMS`` (``crawler.output.uri_params.feed_uri_params``): the run's feed URI
parameters, each one safe path component.

:func:`uri_params` adds ``%(run_id)s`` (the run's id) and writes ``%(batch_time)s`` as
``20251124T010203.123456Z`` (UTC, microseconds: batch files never collide);
:func:`feed_uri_params` then makes every string value a single harmless path component (no
``/``, ``\\``, ``..``, NUL: :func:`crawler.security.safe_component`), whatever a spider argument
contains.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.security import safe_component


def uri_params(params: dict, spider: Any) -> dict:
    """``FEED_URI_PARAMS``: adds ``%(run_id)s`` (the run's id) and writes ``%(batch_time)s`` as
    ``20251124T010203.123456Z`` (UTC, microseconds: batch files never collide)."""
    bt = str(params.get("batch_time") or "")
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)(\.\d+)?", bt)
    if m:
        params["batch_time"] = f"{''.join(m.group(1, 2, 3))}T{''.join(m.group(4, 5, 6))}{m.group(7) or '.000000'}Z"
    params["run_id"] = getattr(spider, "run_id", None) or params.get("time")
    return params


def feed_uri_params(params: dict, spider: Any) -> dict:
    """``FEED_URI_PARAMS``: :func:`uri_params`, then every string value made one safe path
    component."""
    params = uri_params(params, spider) or params
    return {k: safe_component(v) if isinstance(v, str) else v for k, v in params.items()}
