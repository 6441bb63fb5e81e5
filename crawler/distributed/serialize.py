"""Requests in Redis as JSON, never pickles: nothing read from the queue can run code.

scrapy-redis pickles requests, so anyone who can write to the queue can run code on every
worker. In distributed mode :class:`crawler.distributed.scheduler.ReliablePriorityQueue` stores
each request as one JSON object instead (:func:`encode_request`) and rebuilds it with
:func:`decode_request`, which accepts only this shape::

    {"v": 1, "url": "http://...", "method": "GET", "headers": {"Name": ["value", ...]},
     "meta": {...}, "callback": "parse_page", "errback": "page_failed",
     "priority": 0, "dont_filter": false}

- ``url``: an ``http``/``https`` URL; ``method``: ``GET`` or ``HEAD`` (the project sends no
  bodies: a body, cookies, ``cb_kwargs`` or a ``Request`` subclass are refused);
- ``headers``: names and values as text (latin-1, as on the wire);
- ``meta``: only the keys in :data:`META_KEYS` (those this project's spiders and middlewares set,
  and those Scrapy's own retry / redirect / depth / download-slot bookkeeping sets), each value
  plain JSON (text, number, boolean, null, or a list of those); keys in :data:`TRANSIENT_META`
  (per-download bookkeeping) are left out;
- ``callback`` / ``errback``: by name, a public method of the running spider (``None``: the
  spider's ``parse``).

Anything else raises :class:`RequestRefused` with the reason. The queue refuses (and counts) such
an entry on pop instead of running it; see the scheduler. JSON keeps code out of the workers,
not data: a writer to Redis can still queue any URL on the allowed hosts or flood the queue, so
**Redis must stay private** (bind to a private network, ``requirepass``/ACLs, TLS across machines).
"""

from __future__ import annotations

import json
import re
from typing import Any

from scrapy import Request

FORMAT_VERSION = 1
METHODS = ("GET", "HEAD")
#: meta keys a queued request may carry: the project's own, then Scrapy's bookkeeping
META_KEYS = frozenset({
    # crawler/spiders/*.py
    "listing", "sitemap", "sitemap_lastmod", "sitemap_depth", "sitemap_read", "lastmod", "feed", "link_depth",
    "expected_review", "source", "review_page",
    # crawler/middlewares/conditional.py
    "handle_httpstatus_list", "known_review_id",
    # Scrapy: retry, redirect, depth, download slot, per-request switches
    "retry_times", "redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons",
    "depth", "download_slot", "dont_retry", "dont_redirect", "dont_obey_robotstxt",
    "download_timeout", "download_maxsize", "max_retry_times", "allow_offsite", "dont_merge_cookies",
    "is_start_request", "handle_httpstatus_all",
})
#: per-download bookkeeping copied onto retried requests: dropped, not stored
TRANSIENT_META = frozenset({"download_latency", "_retry_after_seen", "_fleet_lease", "_fleet_site",
                            "proxy", "_auth_proxy", "_scheme_proxy", "cache_timestamp", "cached_response", "_dont_cache"})
#: headers a downloader middleware adds again on every worker (never stored: may hold secrets)
TRANSIENT_HEADERS = frozenset({b"proxy-authorization", b"authorization", b"cookie"})
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
_FIELDS = {"v", "url", "method", "headers", "meta", "callback", "errback", "priority", "dont_filter"}


class RequestRefused(ValueError):
    """A request that cannot go through Redis as plain data (the message says why)."""


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, (list, tuple)):
        return all(v is None or isinstance(v, (str, bool, int, float)) for v in value)
    return False


def _method_name(spider: Any, func: Any, what: str) -> str | None:
    if func is None:
        return None
    name = getattr(func, "__name__", None)
    if getattr(func, "__self__", None) is not spider or not name or not _NAME.match(name):
        raise RequestRefused(f"{what} {func!r} is not a public method of the spider")
    return name


def encode_request(request: Request, spider: Any) -> bytes:
    """*request* as JSON bytes (see the module docstring); :class:`RequestRefused` when it does
    not fit."""
    if type(request) is not Request:
        raise RequestRefused(f"{type(request).__name__} is not a plain Request: {request.url}")
    if request.method not in METHODS:
        raise RequestRefused(f"method {request.method} is not allowed ({', '.join(METHODS)}): {request.url}")
    if request.body:
        raise RequestRefused(f"a request body is not allowed: {request.url}")
    if request.cookies or request.cb_kwargs:
        raise RequestRefused(f"cookies and cb_kwargs are not allowed: {request.url}")
    if not request.url.startswith(("http://", "https://")):
        raise RequestRefused(f"only http(s) URLs are allowed: {request.url[:200]}")
    meta = {}
    for key, value in request.meta.items():
        if key in TRANSIENT_META:
            continue
        if key not in META_KEYS:
            raise RequestRefused(f"meta key {key!r} is not one the project sets: {request.url}")
        if not _plain(value):
            raise RequestRefused(f"meta {key!r} is not plain JSON ({type(value).__name__}): {request.url}")
        meta[key] = list(value) if isinstance(value, tuple) else value
    headers = {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in request.headers.items()
               if k.lower() not in TRANSIENT_HEADERS}
    doc = {
        "v": FORMAT_VERSION, "url": request.url, "method": request.method, "headers": headers, "meta": meta,
        "callback": _method_name(spider, request.callback, "callback"),
        "errback": _method_name(spider, request.errback, "errback"),
        "priority": int(request.priority), "dont_filter": bool(request.dont_filter),
    }
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _spider_method(spider: Any, name: Any, what: str):
    if name is None:
        return None
    if not isinstance(name, str) or not _NAME.match(name):
        raise RequestRefused(f"{what} {name!r} is not a method name")
    func = getattr(spider, name, None)
    if not callable(func) or getattr(func, "__self__", None) is not spider:
        raise RequestRefused(f"{what} {name!r} is not a method of spider {getattr(spider, 'name', '?')}")
    return func


def decode_request(raw: bytes | str, spider: Any) -> Request:
    """The request stored by :func:`encode_request`; :class:`RequestRefused` for anything else
    (a pickle, other JSON, unknown fields or meta keys, a method the spider lacks). Never
    evaluates the data."""
    data = bytes(raw) if isinstance(raw, (bytes, bytearray)) else str(raw).encode("utf-8", "replace")
    if not data.startswith(b"{"):
        raise RequestRefused(f"not a JSON request (starts with {data[:1]!r}; a pickle from scrapy-redis' default serializer?)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestRefused(f"not UTF-8 text: {exc}") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise RequestRefused(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("v") != FORMAT_VERSION:
        raise RequestRefused(f"not a version-{FORMAT_VERSION} request object")
    unknown = set(doc) - _FIELDS
    if unknown:
        raise RequestRefused(f"unknown fields {sorted(unknown)}")
    url, method = doc.get("url"), doc.get("method", "GET")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise RequestRefused(f"url must be an http(s) URL, got {str(url)[:200]!r}")
    if method not in METHODS:
        raise RequestRefused(f"method {method!r} is not allowed")
    headers = doc.get("headers") or {}
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(vs, list) and all(isinstance(v, str) for v in vs) for k, vs in headers.items()):
        raise RequestRefused("headers must map names to lists of text values")
    meta = doc.get("meta") or {}
    if not isinstance(meta, dict):
        raise RequestRefused("meta must be an object")
    for key, value in meta.items():
        if key not in META_KEYS:
            raise RequestRefused(f"meta key {key!r} is not one the project sets")
        if not _plain(value):
            raise RequestRefused(f"meta {key!r} is not plain JSON")
    priority, dont_filter = doc.get("priority", 0), doc.get("dont_filter", False)
    if not isinstance(priority, int) or isinstance(priority, bool) or not isinstance(dont_filter, bool):
        raise RequestRefused("priority must be an integer and dont_filter a boolean")
    return Request(
        url, method=method, headers={k: vs for k, vs in headers.items()}, meta=dict(meta),
        callback=_spider_method(spider, doc.get("callback"), "callback"),
        errback=_spider_method(spider, doc.get("errback"), "errback"),
        priority=priority, dont_filter=dont_filter,
    )
