"""Pure normalizer functions shared by every site (no Scrapy imports).

Grades, credits, titles, dates and body text in the forms of CONTRACT.md:

* :func:`parse_grade`, :func:`grade_from_rating` -- grade objects ``{raw, scale, value, best, score, letter}``
* :func:`parse_credits`, :func:`credit_role` -- the ``credits`` object and credit-label detection
* :func:`clean_title`, :func:`strip_site_suffix` -- headline, work title, season and episode
* :func:`parse_date`, :func:`parse_datetime` -- ISO dates and UTC datetimes
* :func:`clean_text`, :func:`clean_body`, :func:`html_to_text` -- plain-text cleaning
"""

from .credits import CREDIT_ROLES, credit_role, parse_credits
from .dates import parse_date, parse_datetime
from .grades import grade_from_rating, parse_grade
from .text import clean_body, clean_text, html_to_text
from .titles import clean_title, strip_site_suffix

__all__ = [
    "CREDIT_ROLES",
    "clean_body",
    "clean_text",
    "clean_title",
    "credit_role",
    "grade_from_rating",
    "html_to_text",
    "parse_credits",
    "parse_date",
    "parse_datetime",
    "parse_grade",
    "strip_site_suffix",
]
