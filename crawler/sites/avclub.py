"""The A.V. Club (``avclub``): review pages with a letter grade above the headline and a
``Director:/Writer:/Starring:/Release Date:`` credits block after the body.

Only the selectors differ from :class:`~crawler.extract.page.ReviewPage`; when a redesign hides
them, the base class's structured-data and text layers still read the page.
"""

from __future__ import annotations

from crawler.extract.page import ReviewPage


class AvClubPage(ReviewPage):
    """A.V. Club review page."""

    site = "avclub"
    language = "en"
    title_css = ("h1.article-title", "article h1", "main h1", "h1")
    subtitle_css = (".article-dek", ".dek", ".article-subtitle", ".subtitle", ".sub-headline", ".standfirst")
    grade_css = (".review-grade", ".grade-letter", ".grade", ".review-card__grade", ".letter-grade")
    credits_css = (".review-credits", ".credits", ".review-card__credits")
    body_css = (".article-body", ".article-content", "[itemprop=articleBody]", ".entry-content", ".post-content")
