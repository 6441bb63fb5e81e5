"""The ``avclub`` spider: A.V. Club film and TV reviews.

Discovery: the sitemaps named in ``robots.txt`` (sitemap indexes followed, news and features
fetched then skipped as non-reviews), plus the film and TV review listings with pagination.
Arguments: see :mod:`crawler.spiders.discovery` (``base_url``, ``urls``, ``urls_file``).
"""

from __future__ import annotations

from crawler.spiders.discovery import ReviewSiteSpider


class AvClubSpider(ReviewSiteSpider):
    """Crawl A.V. Club reviews (``scrapy crawl avclub``)."""

    name = "avclub"
    site_key = "avclub"  # read by crawler.sites.avclub.AvClubPage (crawler/sites/sites.toml)
    default_base_url = "https://www.avclub.com"
    listing_paths = ("/film/reviews", "/tv/reviews")
