"""Canonical URLs and the record id derived from them (pure functions, no Scrapy)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urljoin, urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that only track the visitor; they never select content.
_TRACKING_PARAM_RE = re.compile(
    r"^(utm_[a-z_]*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|"
    r"yclid|ref_src|ref_url|cmpid|icid|ito|mbid|spm|s_kwcid|ocid|taid|share|sref)$",
    re.IGNORECASE,
)


#: the schemes the crawler fetches; any other (``ftp``, ``file``, ``data``, ``s3``, ...) is never requested
FETCHED_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_origin(url: str) -> tuple[str, str, int | None] | None:
    """``(scheme, host, port)`` of *url*, lower case, the port filled in for http (80) and
    https (443): what makes a site. ``None`` for a URL that does not parse (a bad port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower().rstrip("."), port if port is not None else _DEFAULT_PORTS.get(scheme)


def same_site(url: str, origins) -> bool:
    """Whether *url*'s scheme, host and port are those of one of *origins* (``url_origin``
    tuples). Another port or scheme of the same host is another site."""
    origin = url_origin(url)
    return origin is not None and origin in origins


_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")
_OTHER_SURROGATE_RE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def url_without_surrogates(url: str) -> str:
    """*url* with the lone surrogates of a ``surrogateescape`` reader as the percent-escaped
    bytes they were (``\\udce9`` -> ``%E9``) and any other lone surrogate dropped; a URL without
    surrogates is returned as it is."""
    if _OTHER_SURROGATE_RE.search(url):
        url = _OTHER_SURROGATE_RE.sub("", url)
    return _ESCAPED_BYTE_RE.sub(lambda m: f"%{ord(m.group()) - 0xDC00:02X}", url)


def clean_url(url: str) -> str:
    """Return *url* without credentials (``user:password@``), tracking parameters and
    fragment, canonicalized by w3lib.

    Never raises: an unparsable URL is returned stripped.
    """
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        if "@" in parts.netloc:  # credentials never belong in a record or a log
            parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
            url = parts.geturl()
        keep = [
            p.split("=", 1)[0]
            for p in parts.query.split("&")
            if p and not _TRACKING_PARAM_RE.match(p.split("=", 1)[0])
        ]
        if parts.query:
            url = url_query_cleaner(url, parameterlist=keep, keep_fragments=False) if keep else (
                parts._replace(query="", fragment="").geturl()
            )
        return canonicalize_url(url, keep_fragments=False)
    except ValueError:
        return url


def canonical_url(page_url: str, canonical_href: str | None = None) -> str:
    """The record's ``url``: the page's ``rel=canonical`` (made absolute) when it is a usable
    http(s) URL, else the page URL cleaned with :func:`clean_url`."""
    if canonical_href:
        href = canonical_href.strip()
        try:
            absolute = urljoin(page_url or "", href)
            if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).netloc:
                return clean_url(absolute)
        except ValueError:
            pass
    return clean_url(page_url)


def record_id(url: str) -> str:
    """Stable record id: the first 24 hex digits of sha256 over the canonical URL."""
    return hashlib.sha256((url or "").encode("utf-8", "surrogatepass")).hexdigest()[:24]


def host_key(url_or_host: object) -> str:
    """The one host key: the lower-cased host of a URL (or a bare host name) without ``www.``
    (``https://www.AVClub.com/x`` -> ``avclub.com``); ``""`` when there is none. Never raises."""
    if not isinstance(url_or_host, str) or not url_or_host:
        return ""
    try:
        host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host
    except ValueError:
        return ""
    return (host or "").strip().lower().removeprefix("www.")
