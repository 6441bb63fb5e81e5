"""Unit tests of crawler/run/failures.py: failure reasons, Retry-After, the offsite rule."""

from __future__ import annotations

import zlib
from datetime import datetime, timezone

from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.middlewares.retry_after import retry_after_seconds
from crawler.run.failures import classify_failure, host_allowed


def _wrapped(outer: type[Exception], inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as e:  # noqa: BLE001
            raise outer(str(e)) from e
    except Exception as e:  # noqa: BLE001
        return e


def test_failure_reasons():
    response = HtmlResponse("http://127.0.0.1/x", status=503, body=b"", request=Request("http://127.0.0.1/x"))
    assert classify_failure(HttpError(response, "Ignoring non-200 response")) == "http_503"
    assert classify_failure(DownloadTimeoutError("took longer than 2.0 seconds")) == "timeout"
    assert classify_failure(DownloadCancelledError("")) == "too_large"
    assert classify_failure(ResponseDataLossError()) == "truncated"
    assert classify_failure(DownloadConnectionRefusedError()) == "connection_refused"
    lost = _wrapped(DownloadFailedError, ResponseFailed([Failure(ConnectionLost())]))
    assert classify_failure(lost) == "connection_lost"
    assert classify_failure(zlib.error("Error -3 while decompressing data")) == "bad_encoding"
    assert classify_failure(IgnoreRequest("Forbidden by robots.txt")) == "robots_disallowed"
    assert classify_failure(IgnoreRequest("max redirections reached")) == "redirect_max"
    assert classify_failure(IgnoreRequest("Filtered offsite request to 'x'")) == "offsite"
    assert classify_failure(IgnoreRequest()) == "ignored"
    assert classify_failure(KeyError("x")) == "keyerror"


def test_retry_after_values():
    now = datetime(2025, 5, 30, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120", now) == 120.0
    assert retry_after_seconds("Fri, 30 May 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Fri, 30 May 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds(b"soon", now) is None
    assert retry_after_seconds(None, now) is None
    assert retry_after_seconds(b"-5", now) is None


def test_offsite_rule():
    assert host_allowed("127.0.0.1", ["127.0.0.1"])
    assert not host_allowed("localhost", ["127.0.0.1"])
    assert host_allowed("www.avclub.com", ["avclub.com"])
    assert not host_allowed("avclub.com.evil.example", ["avclub.com"])
    assert not host_allowed("evilavclub.com", ["avclub.com"])
    assert host_allowed("anything", [])
