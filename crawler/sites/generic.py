"""The generic page class: any critic's site, read from structured data and common layouts.

:class:`GenericPage` is the base :class:`~crawler.extract.page.ReviewPage` plus

- a site's config (``crawler/sites/sites.toml``), composed into the page object
  (``GenericPage(url, html, site=cfg)``): per-field selector overrides (CSS, or XPath with an
  ``xpath:`` prefix), the grade scale, title suffixes, the default language;
- a wider grade text layer: a star/score element anywhere in the article header or around the
  body (``★★★☆☆``, ``Rating: 7/10``, a star widget's ``aria-label``); candidates that disagree
  give no grade (``grade_conflict``);
- the review classifier (:mod:`crawler.extract.classify`): listicles, news and index pages are not
  reviews even when they print a grade;
- the body as the base class reads it: a body selector, else the main-text extractor
  (:func:`crawler.extract.mainbody.extract_body`); a full JSON-LD ``articleBody``/``reviewBody`` wins.
"""

from __future__ import annotations

import re
from dataclasses import fields as dataclass_fields
from functools import cached_property

from crawler.extract.boilerplate import is_chrome_attr
from crawler.normalize.text import clean_text
from crawler.extract.fields import Answer
from crawler.extract.page import ReviewPage, _has_credits
from crawler.extract.select import PageSelector
from crawler.extract.classify import ReviewSignals, review_verdict
from crawler.extract.tags import GRADE_TAGS, STAR_CHARS
from crawler.extract.dom import element_text, jsonld_types

_CRITIC_REVIEW_TYPES = frozenset({"Review", "CriticReview"})
_LISTING_TYPES = frozenset({"CollectionPage", "SearchResultsPage"})
_GRADE_HINT_RE = re.compile(r"rating|stars?|score|grade|verdict", re.IGNORECASE)


def _has_star(text: str) -> bool:
    """Whether *text* holds a star glyph (every one is non-ASCII: an ASCII string, most
    elements' text, is answered by a flag of the string)."""
    return not text.isascii() and any(c in text for c in STAR_CHARS)


class ConfigSelector(PageSelector):
    """The page's selector whose ``css()`` also takes ``xpath:...`` (config overrides)."""

    def css(self, query: str):
        if query.startswith("xpath:"):
            return self.xpath(query[len("xpath:"):])
        return super().css(query)


class GenericPage(ReviewPage):
    """A review page of any site (see the module docstring)."""

    site = "generic"

    def _setup(self, site) -> None:
        super()._setup(site)
        #: why the page is or is not a review (``structured_data``, ``listicle``, ...)
        self.review_reason: str | None = None

    def make_selector(self, root):
        """Same tree, a selector that understands ``xpath:`` overrides (no second parse)."""
        return ConfigSelector(root=root, type="html", base_url=self.url)

    # ------------------------------------------------------------------ grade
    def _grade_structured(self) -> Answer | None:
        found = super()._grade_structured()
        if found and self.grade_scale == "stars" and found.value.get("scale") == "numeric":
            found = Answer({**found.value, "scale": "stars"}, found.layer)
        return found

    def _grade_text(self) -> dict | Answer | None:
        base = super()._grade_text()
        if base:
            return base
        # Star/score elements: short text that is a whole grade, in an element whose class, id or
        # aria-label hints at a rating, or whose text is star glyphs. All must agree.
        grades: list[dict] = []
        body = self.body_root
        for el in self.article_root.iter(*GRADE_TAGS):
            hint = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('aria-label') or ''} {el.get('title') or ''}"
            hinted = _GRADE_HINT_RE.search(hint) is not None
            own = el.text or ""
            if not hinted and not (_has_star(own) or _GRADE_HINT_RE.match(own.strip())):
                continue  # cheap test first: the text of big containers is never read
            if (is_chrome_attr(hint) and not hinted) or self.in_module(el):
                continue  # page chrome, or a teaser's or a rail's grade
            text = clean_text(element_text(el))
            cands = []
            if text and len(text) <= 40 and (_has_star(text) or _GRADE_HINT_RE.search(hint) or _GRADE_HINT_RE.match(text)):
                cands.append(text)
            label = clean_text(el.get("aria-label") or el.get("title") or "")
            if label and _GRADE_HINT_RE.search(hint) and len(label) <= 60:
                cands.append(label)
            for cand in cands:
                if body is not None and el is not body and body in el.iterancestors() and not _has_star(cand) and not _GRADE_HINT_RE.match(cand):
                    continue  # a bare number in the body's prose is no grade
                grade = self.parse_grade(cand)
                if grade:
                    grades.append(grade)
                    break
        if not grades:
            return None
        first = grades[0]
        if any((g["score"], g["letter"], g["value"]) != (first["score"], first["letter"], first["value"]) for g in grades[1:]):
            return Answer(problems=("grade_conflict",))
        return first

    # ------------------------------------------------------------------ classifier
    @property
    def signals(self) -> "PageSignals":
        """The page's :class:`~crawler.extract.classify.ReviewSignals`, each read when the
        verdict first asks for it (:class:`PageSignals`). A new object each time, not kept on
        the page: kept, it would make a reference cycle, and the page and its tree would wait
        for the garbage collector instead of being freed when the crawl drops them."""
        return PageSignals(self)

    def is_review(self) -> bool:
        ok, reason = review_verdict(self.signals)
        self.review_reason = reason
        return ok


class PageSignals:
    """The :class:`~crawler.extract.classify.ReviewSignals` of a :class:`GenericPage`, each read
    from the page when first asked for: :func:`~crawler.extract.classify.review_verdict` asks in
    order and stops at its answer, so a page with no grade, no credits and no review headline
    (most news and feature pages) is classified without extracting its body, and one with a
    grade and credits without counting the body's words. The fields are the page's own (cached
    per page), so the verdict is the one the eager signals give (:meth:`resolved`)."""

    def __init__(self, page: GenericPage):
        self._page = page

    @cached_property
    def structured_review(self) -> bool:
        # The page's own critic review: a top-level (or ``mainEntity``) Review/CriticReview with
        # content. A ``review`` nested in a work (user reviews on a film's page) does not count.
        page = self._page
        node = page.review_node
        own = node is not None and (
            any(n is node for n in page.structured)
            or any(page.deref(n.get("mainEntity")) is node for n in page.structured)
        )
        return own and bool(
            node.get("reviewRating") or node.get("itemReviewed") or node.get("reviewBody") or node.get("author")
        ) and bool(jsonld_types(node) & _CRITIC_REVIEW_TYPES)

    @cached_property
    def listing_type(self) -> bool:
        # An index page: a CollectionPage/SearchResultsPage, a bare ItemList with no article, or a
        # "website" page with no headline. (An ItemList beside an article, e.g. related stories, is not.)
        page = self._page
        types = [jsonld_types(n) for n in page.structured]
        return (
            any(t & _LISTING_TYPES for t in types)
            or (any("ItemList" in t for t in types) and page.article_node is None)
            or ((page.meta.get("og:type") or "").lower() == "website" and page.h1 is None)
        )

    @cached_property
    def headline(self) -> str:
        return self._page.title() or ""

    @cached_property
    def url(self) -> str:
        return self._page.canonical()

    @cached_property
    def has_grade(self) -> bool:
        return self._page.grade() is not None

    @cached_property
    def has_credits(self) -> bool:
        return _has_credits(self._page.credits())

    @cached_property
    def body_words(self) -> int:
        body = self._page.body()
        return len(body.split()) if body else 0

    @cached_property
    def url_denied(self) -> bool:
        page = self._page
        return bool(page.config and not page.config.url_allowed(page.url))

    def resolved(self) -> ReviewSignals:
        """Every signal read: the eager :class:`~crawler.extract.classify.ReviewSignals`."""
        return ReviewSignals(**{f.name: getattr(self, f.name) for f in dataclass_fields(ReviewSignals)})
