"""No exception escapes ``crawler.api.extract_review`` for any ``str`` or any ``bytes`` (issue
#13, item 6): lone surrogates (text read with ``surrogateescape``), in the page and in the URL.

A returned record validates and is valid UTF-8 (it can be written); bytes a ``surrogateescape``
reader turned into surrogates are read back as the bytes they were.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.api import extract_review
from crawler.record.validate import record_errors
from tests.support.faultserver import review_html
from tests.unit.extract.test_hostile_input import time_limit

URL = "https://www.avclub.com/some-review"
HYPOTHESIS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
#: any code point, lone surrogates (category Cs) included
ANY_CHAR = st.characters(codec=None, categories=None, exclude_categories=())


def check(record) -> None:
    if record is None:
        return
    assert record_errors(record) == []
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # no lone surrogate left in any string


def test_lone_surrogate_in_a_review_page_is_read_as_the_byte_it_was():
    page = review_html("Caf\udce9 Society")  # b"Caf\xe9" read with surrogateescape
    record = extract_review(page, URL)
    assert record is not None
    assert record["title"] == "Café Society"  # the byte 0xE9 read as windows-1252, as Scrapy would
    check(record)


def test_surrogates_outside_surrogateescape_are_replaced_not_raised():
    record = extract_review(review_html("Half \ud800 pair \udbff"), URL)
    assert record is not None and "\ud800" not in record["title"]
    check(record)


def test_lone_surrogate_in_the_url():
    record = extract_review(review_html("Plain"), "https://www.avclub.com/caf\udce9-review")
    assert record is not None
    assert record["url"] == "https://www.avclub.com/caf%E9-review"
    check(record)


@HYPOTHESIS
@given(st.text(alphabet=ANY_CHAR, max_size=3000))
def test_any_text(text):
    with time_limit():
        check(extract_review(text, URL))
        check(extract_review(review_html(text[:200]) + text, URL))


@HYPOTHESIS
@given(st.binary(max_size=3000))
def test_any_bytes(data):
    with time_limit():
        check(extract_review(data, URL))
        check(extract_review(review_html("Bytes").encode("utf-8") + data, URL))


@HYPOTHESIS
@given(st.text(alphabet=ANY_CHAR, max_size=80))
def test_any_url_path(path):
    with time_limit():
        check(extract_review(review_html("Any URL"), "https://www.avclub.com/" + path))
