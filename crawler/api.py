"""Public Python API: run the extractor on stored HTML, and the normalizers.

>>> from crawler.api import extract_review
>>> record = extract_review(html_bytes, "https://www.avclub.com/some-review")

``extract_review`` returns exactly the record a crawl exports for the page (``fetched_at``
is the time of the call), or ``None`` when the page is not a review. The extraction view is the
version 1 record (the form of the fixtures' ``expected.json``: the page's own values, a date-only
``published_at`` as given); ``schema_version=2`` gives the loader form the crawl writes by default
(``RECORD_SCHEMA_VERSION``), whose ``change`` is ``null`` here: there is no state.
"""

from __future__ import annotations

from crawler.extract.page import ReviewPage
from crawler.normalize.credits import credit_role, parse_credits
from crawler.normalize.dates import parse_date, parse_datetime
from crawler.normalize.grades import grade_from_rating, parse_grade
from crawler.normalize.text import clean_body, clean_text, html_to_text
from crawler.normalize import titles as _titles
from crawler.normalize.urls import url_without_surrogates
from crawler.record.build import normalize_record, versioned
from crawler.record.v2 import OUTPUT_VERSIONS
from crawler.record.validate import record_errors
from crawler.sites import registry
from crawler.sites.config import publishers
from crawler.sites.read import read_page

__all__ = [
    "extract_review", "page_for",
    # normalizers (pure functions of strings; see crawler/normalize/)
    "parse_grade", "grade_from_rating", "parse_credits", "credit_role", "clean_title",
    "strip_site_suffix", "parse_date", "parse_datetime", "clean_text", "clean_body", "html_to_text",
    "normalize_record", "record_errors",
]


def clean_title(title_tag: object, h1: object = None, names=None) -> dict:
    """:func:`crawler.normalize.titles.clean_title` with the known publisher names of
    ``crawler/sites/sites.toml`` when *names* is not given."""
    return _titles.clean_title(title_tag, h1, publishers().names if names is None else names)


def strip_site_suffix(title: object, names=None) -> str:
    """:func:`crawler.normalize.titles.strip_site_suffix` with the known publisher names of
    ``crawler/sites/sites.toml`` when *names* is not given."""
    return _titles.strip_site_suffix(title, publishers().names if names is None else names)


def page_for(html: str | bytes, url: str, *, site: str | None = None, headers: dict | None = None) -> ReviewPage:
    """The page object for *html* fetched from *url*: the page object of the site given as
    *site*, or of the configured site (``crawler/sites/sites.toml``) owning the URL's host, else
    the generic page class (its records' ``site`` is the host, ``www.`` dropped; a mirror's
    canonical URL may name a configured site). :func:`crawler.sites.registry.page_for`."""
    return registry.page_for(url_without_surrogates(url), html, headers=headers, site=site)


def extract_review(html: str | bytes, url: str, *, site: str | None = None, headers: dict | None = None,
                   schema_version: int = 1) -> dict | None:
    """The exported record for one page, or ``None`` when the page is not a review (or its
    record fails the schema, which the crawl would reject).

    *schema_version*: 1 (default: the extraction view, the form of the fixtures'
    ``expected.json``) or 2 (the loader contract a crawl writes by default; ``change``,
    ``previous_hash`` and ``changed_fields`` are ``null``: no state).

    *html* may be ``bytes`` (decoded like Scrapy does: BOM, ``Content-Type`` in *headers*,
    ``<meta charset>``, detection) or ``str``. The same function as the crawl's
    (:func:`crawler.sites.read.read_page`). Any ``str`` and any ``bytes`` are read without an
    exception: lone surrogates (text read with ``surrogateescape``) are read as the bytes they
    were, in *html* and in *url* (``%XX``).
    """
    if site is not None and site not in registry.known_sites():
        raise ValueError(f"unknown site {site!r}; known: {registry.known_sites()}")
    if schema_version not in OUTPUT_VERSIONS:
        raise ValueError(f"schema_version must be 1 or 2, got {schema_version!r}")
    outcome = read_page(url_without_surrogates(url), html, headers, site=site)
    for record, errors in outcome.records:
        # A record that fails the schema (e.g. a page with a grade but no headline) is never
        # exported: the crawl rejects it as "invalid", and this returns None.
        if not errors:
            record, errors = versioned(record, schema_version)
        return None if errors else record
    return None
