"""Public Python API: run the extractor on stored HTML, and the normalizers.

>>> from crawler.api import extract_review
>>> record = extract_review(html_bytes, "https://www.avclub.com/some-review")

``extract_review`` returns exactly the record a crawl exports for the page (``fetched_at``
is the time of the call), or ``None`` when the page is not a review.
"""

from __future__ import annotations

from crawler.normalize.credits import credit_role, parse_credits
from crawler.normalize.dates import parse_date, parse_datetime
from crawler.normalize.grades import grade_from_rating, parse_grade
from crawler.normalize.record import normalize_record
from crawler.normalize.text import clean_body, clean_text, html_to_text
from crawler.normalize.titles import clean_title, strip_site_suffix
from crawler.sites import PAGE_CLASSES, page_class_for, page_class_for_url
from crawler.sites.base import ReviewPage
from crawler.sites.config import all_sites
from crawler.validation import record_errors

__all__ = [
    "extract_review", "page_for",
    # normalizers (pure functions of strings; see crawler/normalize/)
    "parse_grade", "grade_from_rating", "parse_credits", "credit_role", "clean_title",
    "strip_site_suffix", "parse_date", "parse_datetime", "clean_text", "clean_body", "html_to_text",
    "normalize_record", "record_errors",
]

def page_for(html: str | bytes, url: str, *, site: str | None = None, headers: dict | None = None) -> ReviewPage:
    """The page object for *html* fetched from *url*: the class of the site given as *site*, or
    of the configured site (``crawler/sites/sites.toml``) owning the URL's host, else the generic
    page class (its records' ``site`` is the host, ``www.`` dropped)."""
    if site is None:
        return page_class_for_url(url)(url, html, headers=headers)
    if site not in PAGE_CLASSES and site not in all_sites():
        raise ValueError(f"unknown site {site!r}; known: {sorted(set(PAGE_CLASSES) | set(all_sites()))}")
    return page_class_for(site)(url, html, headers=headers)


def extract_review(html: str | bytes, url: str, *, site: str | None = None, headers: dict | None = None) -> dict | None:
    """The exported record for one page, or ``None`` when the page is not a review (or its
    record fails the schema, which the crawl would reject).

    *html* may be ``bytes`` (decoded like Scrapy does: BOM, ``Content-Type`` in *headers*,
    ``<meta charset>``, detection) or ``str``.
    """
    page = page_for(html, url, site=site, headers=headers)
    if not page.is_review():
        return None
    record = normalize_record(page.to_item())
    # A record that fails the schema (e.g. a page with a grade but no headline) is never
    # exported: the crawl rejects it as "invalid", and this returns None.
    return None if record_errors(record) else record
