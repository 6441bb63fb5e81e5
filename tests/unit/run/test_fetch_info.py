"""A review's fetch kept until its file is stored (crawler/run/context.py): one packed string,
given back exactly."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from crawler.run.context import pack_fetch_info, unpack_fetch_info

values = st.one_of(st.none(), st.text(max_size=40))


def test_a_fetch_is_one_small_string():
    packed = pack_fetch_info("https://www.avclub.com/a-review-1850000000", '"6744a3b1-14a2e"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert isinstance(packed, str) and sys.getsizeof(packed) < 170
    assert unpack_fetch_info(packed) == ("https://www.avclub.com/a-review-1850000000", '"6744a3b1-14a2e"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert unpack_fetch_info(pack_fetch_info("https://x.example/", None, None)) == ("https://x.example/", None, None)


@given(values, values, values)
def test_any_fetch_comes_back_exactly(url, etag, last_modified):
    assert unpack_fetch_info(pack_fetch_info(url, etag, last_modified)) == (url, etag, last_modified)
