"""Security guards: no secrets in logs or outputs, no paths outside the output folders.

- **Secrets in logs.** :func:`install_log_redaction` (called when ``crawler.settings`` is
  loaded, so before Scrapy logs its "Overridden settings") wraps the logging record factory:
  every log message and traceback goes through :func:`redact`, which hides the user info of
  URLs (``http://user:secret@host`` -> ``http://***@host``), the values of secret-looking
  query parameters (``token=``, ``api_key=``, ``password=``, ...), of secret-looking settings
  (``*PASSWORD*``, ``*SECRET*``, ``*TOKEN*``, ``*API_KEY*``, ``*CREDENTIAL*``) and of
  ``Authorization`` headers.
- **Secrets in outputs.** :func:`strip_userinfo` removes credentials from a URL; the spider
  applies it to ``base_url``, ``urls`` and ``urls_file``, and
  :class:`crawler.middlewares.credentials.StripCredentialsMiddleware` to every request (the crawler never sends URL
  credentials anyway), the record's ``url`` never has any (:func:`crawler.normalize.urls.clean_url`),
  and reject lines are redacted.
- **Paths.** :func:`check_spider_name` refuses ``-a name=...`` (a spider argument would rename
  the spider, and the name is part of the output, reject and state paths);
  :func:`crawler.output.uri_params.feed_uri_params` (``FEED_URI_PARAMS``) makes every ``%(param)s`` filled into a feed
  path a single harmless path component (no ``/``, ``\\``, ``..``, NUL), whatever a spider
  argument contains.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"

_USERINFO_RE = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]{0,20}://)(?P<userinfo>[^\s/?#@'\"<>]{1,500})@")
# user info without a scheme, as in "invalid hostname: user:secret@host" (a colon before the @)
_BARE_USERINFO_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._~%!$&'()*+,;=-]{0,200}:[^\s/?#@'\"<>]{1,500}@(?=[A-Za-z0-9\[])")
_SECRET_PARAM_RE = re.compile(
    r"(?P<key>[?&;](?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd|"
    r"signature|sig|session[_-]?id|sessionid)=)[^&#\s'\"<>]{1,2000}",
    re.IGNORECASE,
)
_SECRET_SETTING_RE = re.compile(  # setting names are upper case
    r"(?P<key>(?<![A-Za-z0-9_])['\"]?[A-Z0-9_]{0,60}(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|CREDENTIAL)[A-Z0-9_]{0,60}['\"]?\s{0,3}[:=]\s{0,3})"
    r"(?P<q>['\"]?)(?P<value>[^'\"\s,}]{1,2000})(?P=q)",
)
_AUTH_HEADER_RE = re.compile(
    r"(?P<key>(?:proxy-)?authorization['\"]?\s{0,3}[:=]\s{0,3}\[?\s{0,3}(?-i:b)?['\"]?)(?P<scheme>(?:basic|bearer|digest|token)\s{1,3})?[A-Za-z0-9+/=._~-]{1,4000}",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """*text* with credentials hidden (see the module docstring). Linear time."""
    if not text or not isinstance(text, str):
        return text
    text = _USERINFO_RE.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    text = _BARE_USERINFO_RE.sub(REDACTED + "@", text)
    text = _SECRET_PARAM_RE.sub(lambda m: m["key"] + REDACTED, text)
    text = _SECRET_SETTING_RE.sub(lambda m: f"{m['key']}{m['q']}{REDACTED}{m['q']}", text)
    text = _AUTH_HEADER_RE.sub(lambda m: m["key"] + (m["scheme"] or "") + REDACTED, text)
    return text


def strip_userinfo(url: str) -> str:
    """*url* without ``user:password@`` (unchanged when it has none or does not parse)."""
    if not url or "@" not in url:
        return url
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.hostname or ""
        if ":" in host:  # IPv6
            host = f"[{host}]"
        netloc = host + (f":{parts.port}" if parts.port is not None else "")
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return _USERINFO_RE.sub(lambda m: m["scheme"], url)


# ---------------------------------------------------------------- logging
def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string is logging's own business
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        clean_exc = redact(text)
        if clean_exc != text:
            record.exc_text = clean_exc


def _lowest_emitted_level() -> int:
    """The lowest level any root handler writes (0 before logging is configured). A record below
    it is dropped unread, so it is neither formatted nor redacted: Scrapy creates a DEBUG
    "Scraped from ..." record with the whole item for every item, and formatting it to redact it
    cost a sixth of the crawl process's time at ``LOG_LEVEL=INFO``."""
    handlers = logging.root.handlers
    if not handlers:
        return 0
    return min(h.level for h in handlers)


def install_log_redaction() -> None:
    """Redact every log record created from now on in this process that a handler will write
    (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_crawler_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        if record.levelno >= _lowest_emitted_level():
            _redact_record(record)
        return record

    factory._crawler_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


# ---------------------------------------------------------------- paths
_UNSAFE_COMPONENT_RE = re.compile(r"[/\\\x00-\x1f]")


def safe_component(value: str) -> str:
    """*value* as one file-name component: separators and control characters become ``_``,
    and ``.``/``..`` (or an empty value) become ``_``."""
    value = _UNSAFE_COMPONENT_RE.sub("_", str(value))
    return "_" if value.strip(".") == "" else value


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_spider_name(spider: Any) -> None:
    """Refuse a spider renamed by ``-a name=...`` (the name is part of output, reject and
    state paths) and any name that is not a plain word."""
    cls_name = getattr(type(spider), "name", None)
    name = getattr(spider, "name", None)
    if cls_name and name != cls_name:
        raise ValueError(f"the spider name cannot be changed with -a name=... (got {safe_component(str(name))[:80]!r})")
    if not isinstance(name, str) or not _NAME_RE.match(name) or ".." in name:
        raise ValueError(f"unsafe spider name {safe_component(str(name))[:80]!r}")
