"""Public Python API: run the extractor on stored HTML, and the normalizers.

>>> from crawler.api import extract_review
>>> record = extract_review(html_bytes, "https://www.avclub.com/some-review")

``extract_review`` returns exactly the record a crawl exports for the page (``fetched_at``
is the time of the call), or ``None`` when the page is not a review.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.normalize.credits import credit_role, parse_credits
from crawler.normalize.dates import parse_date, parse_datetime
from crawler.normalize.grades import grade_from_rating, parse_grade
from crawler.normalize.record import normalize_record
from crawler.normalize.text import clean_body, clean_text, html_to_text
from crawler.normalize.titles import clean_title, strip_site_suffix
from crawler.sites import PAGE_CLASSES, page_class_for
from crawler.sites.base import ReviewPage
from crawler.validation import record_errors

__all__ = [
    "extract_review", "page_for",
    # normalizers (pure functions of strings; see crawler/normalize/)
    "parse_grade", "grade_from_rating", "parse_credits", "credit_role", "clean_title",
    "strip_site_suffix", "parse_date", "parse_datetime", "clean_text", "clean_body", "html_to_text",
    "normalize_record", "record_errors",
]

_HOSTS = {"avclub.com": "avclub"}


def page_for(html: str | bytes, url: str, *, site: str | None = None, headers: dict | None = None) -> ReviewPage:
    """The page object for *html* fetched from *url*: the site's own page class when *site* is
    given or the URL's host is a known site, else the generic page class."""
    if site is None:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        site = _HOSTS.get(host, "generic")
    if site not in PAGE_CLASSES:
        raise ValueError(f"unknown site {site!r}; known: {sorted(PAGE_CLASSES)}")
    return page_class_for(site)(url, html, headers=headers)


def extract_review(html: str | bytes, url: str, *, site: str | None = None, headers: dict | None = None) -> dict | None:
    """The exported record for one page, or ``None`` when the page is not a review.

    *html* may be ``bytes`` (decoded like Scrapy does: BOM, ``Content-Type`` in *headers*,
    ``<meta charset>``, detection) or ``str``.
    """
    page = page_for(html, url, site=site, headers=headers)
    if not page.is_review():
        return None
    return normalize_record(page.to_item())
