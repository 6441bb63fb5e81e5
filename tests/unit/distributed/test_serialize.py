"""Requests in Redis as JSON (crawler/distributed/serialize.py): the spiders' real requests go
through unchanged; anything else is refused with a reason, and nothing is ever unpickled."""

from __future__ import annotations

import json
import pickle

import pytest
from scrapy import FormRequest, Request

from crawler.distributed.serialize import RequestRefused, decode_request, encode_request
from crawler.spiders.avclub import AvClubSpider


@pytest.fixture
def spider():
    return AvClubSpider(base_url="http://127.0.0.1:9")


def test_the_spiders_requests_round_trip(spider):
    originals = [
        spider.review_request("http://127.0.0.1:9/a-review?utm_source=x", expected=True, source="sitemap", lastmod="2024-01-02"),
        Request("http://127.0.0.1:9/reviews", callback=spider.parse_listing, errback=spider.page_failed, meta={"listing": "/reviews"}, priority=3),
        Request("http://127.0.0.1:9/sitemap.xml", callback=spider.parse_sitemap, meta={"sitemap": True, "sitemap_lastmod": None}),
        # a retried, redirected copy as Scrapy's middlewares leave it
        Request("https://127.0.0.1:9/b", headers={"If-None-Match": '"e1"'}, dont_filter=True,
                meta={"retry_times": 2, "redirect_urls": ["http://127.0.0.1:9/b"], "redirect_reasons": [301], "depth": 1,
                      "download_slot": "127.0.0.1", "download_latency": 0.01, "_retry_after_seen": 123, "handle_httpstatus_list": [304]}),
    ]
    for request in originals:
        raw = encode_request(request, spider)
        assert json.loads(raw)["v"] == 1
        back = decode_request(raw, spider)
        assert (back.url, back.method, back.priority, back.dont_filter) == (request.url, request.method, request.priority, request.dont_filter)
        assert back.callback == request.callback and back.errback == request.errback
        assert dict(back.headers) == dict(request.headers)
        assert back.meta == {k: v for k, v in request.meta.items() if k not in ("download_latency", "_retry_after_seen")}
    assert decode_request(encode_request(originals[0], spider), spider).meta["lastmod"] == "2024-01-02"


@pytest.mark.parametrize(("make", "reason"), [
    (lambda s: Request("http://x/", meta={"payload": 1}), "meta key 'payload'"),
    (lambda s: Request("http://x/", meta={"listing": object()}), "not plain JSON"),
    (lambda s: Request("http://x/", method="POST"), "method POST"),
    (lambda s: Request("http://x/", body=b"a=1"), "body"),
    (lambda s: Request("http://x/", cb_kwargs={"a": 1}), "cb_kwargs"),
    (lambda s: FormRequest("http://x/", formdata={"a": "1"}), "not a plain Request"),
    (lambda s: Request("http://x/", callback=lambda r: None), "not a public method"),
    (lambda s: Request("file:///etc/passwd"), r"only http\(s\)"),
])
def test_requests_that_are_not_plain_data_are_refused(spider, make, reason):
    with pytest.raises(RequestRefused, match=reason):
        encode_request(make(spider), spider)


class Planted:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_pickle_is_refused_and_never_run(spider, tmp_path):
    target = tmp_path / "pwned"
    raw = pickle.dumps({"url": "http://x/", "callback": Planted(str(target))}, protocol=4)
    with pytest.raises(RequestRefused, match="not a JSON request"):
        decode_request(raw, spider)
    assert not target.exists()
    pickle.loads(raw)  # the planted payload is real: unpickling it creates the file
    assert target.exists()


@pytest.mark.parametrize(("doc", "reason"), [
    ("[1]", "not a JSON request"),
    ('{"v": 2, "url": "http://x/"}', "version-1"),
    ('{"v": 1, "url": "http://x/", "eval": "1"}', "unknown fields"),
    ('{"v": 1, "url": "ftp://x/"}', "http"),
    ('{"v": 1, "url": "http://x/", "callback": "__init__"}', "not a method name"),
    ('{"v": 1, "url": "http://x/", "callback": "crawler"}', "not a method"),
    ('{"v": 1, "url": "http://x/", "callback": "nope"}', "not a method"),
    ('{"v": 1, "url": "http://x/", "meta": {"x": 1}}', "meta key 'x'"),
    ('{"v": 1, "url": "http://x/", "meta": {"listing": {"a": 1}}}', "not plain JSON"),
    ('{"v": 1, "url": "http://x/", "headers": {"A": "b"}}', "headers"),
    ('{"v": 1, "url": "http://x/", "priority": "1"}', "priority"),
    ('{"v": 1, "url": "http://x/"', "not valid JSON"),
])
def test_other_json_is_refused(spider, doc, reason):
    with pytest.raises(RequestRefused, match=reason):
        decode_request(doc.encode(), spider)
