"""What a spider hands to read_page for a page: the WARC capture records the same options
(``read_options``, from the request's meta, before the response has its request) as the
spider's own ``read_args`` on the response, so ``crawler reextract`` reads pages as the crawl did."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.spiders.avclub import AvClubSpider
from crawler.spiders.reviews import ReviewsSpider


@pytest.mark.parametrize(("spider_cls", "kwargs", "url", "site"), [
    (AvClubSpider, {"base_url": "http://127.0.0.1:8765"}, "http://127.0.0.1:8765/film-review-x", ("avclub", None)),
    (ReviewsSpider, {"site": "avclub", "base_url": "http://127.0.0.1:8765"}, "http://127.0.0.1:8765/film-review-x", (None, "avclub")),
    (ReviewsSpider, {"url": "http://127.0.0.1:8766/"}, "http://127.0.0.1:8766/reviews/a-film", (None, None)),
])
@pytest.mark.parametrize("meta", [{}, {"expected_review": True, "source": "urls", "review_page": True}, {"source": "sitemap"}])
def test_read_options_are_read_args_without_the_page(spider_cls, kwargs, url, site, meta):
    crawler = get_crawler(spider_cls)
    spider = spider_cls.from_crawler(crawler, **kwargs)
    body = b"<html><head><title>A film</title></head><body><p>Text.</p></body></html>"
    request = Request(url, meta=dict(meta))
    response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8"}, request=request)
    args = spider.read_args(response)
    options = spider.read_options(url, request.meta)
    assert {k: v for k, v in args.items() if k not in ("url", "body", "headers")} == options
    assert (args["url"], args["body"], args["headers"]) == (url, body, {"Content-Type": "text/html; charset=utf-8"})
    assert options == {"site": options["site"], "fallback_site": options["fallback_site"], "sites_files": options["sites_files"],
                       "expected": bool(meta.get("expected_review")), "source": meta.get("source")}
    assert (options["site"], options["fallback_site"]) == spider.page_site(url) == site
