"""The ``avclub`` spider: A.V. Club film and TV reviews.

Discovery: the sitemaps named in ``robots.txt`` (sitemap indexes followed, news and features
fetched then skipped as non-reviews), plus the film and TV review listings with pagination.
Arguments: see :mod:`crawler.spiders.base` (``base_url``, ``urls``, ``urls_file``).
"""

from __future__ import annotations

from crawler.sites.avclub import AvClubPage
from crawler.spiders.base import ReviewSiteSpider


class AvClubSpider(ReviewSiteSpider):
    """Crawl A.V. Club reviews (``scrapy crawl avclub``)."""

    name = "avclub"
    page_class = AvClubPage
    default_base_url = "https://www.avclub.com"
    listing_paths = ("/film/reviews", "/tv/reviews")
