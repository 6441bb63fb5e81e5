"""The generic page class: any critic's site, read from structured data and common layouts.

:class:`GenericPage` is the base :class:`~crawler.sites.base.ReviewPage` plus

- a site's config (``crawler/sites/sites.toml``): per-field selector overrides (CSS, or XPath with
  an ``xpath:`` prefix), the grade scale, title suffixes, the default language
  (:func:`configured_page_class` makes the class for one site);
- a wider grade text layer: a star/score element anywhere in the article header or around the
  body (``★★★☆☆``, ``Rating: 7/10``, a star widget's ``aria-label``); candidates that disagree
  give no grade (``grade_conflict``);
- the review classifier (:mod:`crawler.sites.classify`): listicles, news and index pages are not
  reviews even when they print a grade;
- the body as the base class reads it: a body selector, else the main-text extractor
  (:func:`crawler.sites.body.extract_body`); a full JSON-LD ``articleBody``/``reviewBody`` wins.
"""

from __future__ import annotations

import importlib
import re
from functools import cached_property

import parsel

from crawler.normalize.boilerplate import is_chrome_attr
from crawler.normalize.text import clean_text
from crawler.sites.base import ReviewPage, _has_credits
from crawler.sites.classify import ReviewSignals, review_verdict
from crawler.sites.config import SiteConfig
from crawler.sites.html import element_text, jsonld_types

_CRITIC_REVIEW_TYPES = frozenset({"Review", "CriticReview"})
_LISTING_TYPES = frozenset({"CollectionPage", "SearchResultsPage"})
_GRADE_HINT_RE = re.compile(r"rating|stars?|score|grade|verdict", re.IGNORECASE)
_STAR_CHARS = "★☆⭐✩✭✮✯✪½"
_GRADE_TAGS = ("span", "div", "p", "strong", "b", "em", "li", "dd", "td", "h2", "h3", "h4", "h5", "h6", "figcaption", "abbr")


class ConfigSelector(parsel.Selector):
    """A parsel selector whose ``css()`` also takes ``xpath:...`` (config overrides)."""

    def css(self, query: str):
        if query.startswith("xpath:"):
            return self.xpath(query[len("xpath:"):])
        return super().css(query)


class GenericPage(ReviewPage):
    """A review page of any site (see the module docstring)."""

    site = "generic"
    config: SiteConfig | None = None
    #: grade scale a structured rating is reported in (``stars`` for a stars site)
    grade_scale: str | None = None

    def __init__(self, url, html, *, encoding=None, headers=None):
        super().__init__(url, html, encoding=encoding, headers=headers)
        # Same tree, a selector that understands ``xpath:`` overrides (no second parse).
        self.sel = ConfigSelector(root=self.root, type="html", base_url=url)
        #: why the page is or is not a review (``structured_data``, ``listicle``, ...)
        self.review_reason: str | None = None

    # ------------------------------------------------------------------ grade
    def _grade_structured(self):
        found = super()._grade_structured()
        if found and self.grade_scale == "stars" and found[1].get("scale") == "numeric":
            found = (found[0], {**found[1], "scale": "stars"})
        return found

    def _grade_text(self) -> dict | None:
        base = super()._grade_text()
        if base:
            return base
        # Star/score elements: short text that is a whole grade, in an element whose class, id or
        # aria-label hints at a rating, or whose text is star glyphs. All must agree.
        grades: list[dict] = []
        body = self.body_root
        for el in self.article_root.iter(*_GRADE_TAGS):
            hint = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('aria-label') or ''} {el.get('title') or ''}"
            hinted = _GRADE_HINT_RE.search(hint) is not None
            own = el.text or ""
            if not hinted and not (any(c in own for c in _STAR_CHARS) or _GRADE_HINT_RE.match(own.strip())):
                continue  # cheap test first: the text of big containers is never read
            if is_chrome_attr(hint) and not hinted:
                continue
            text = clean_text(element_text(el))
            cands = []
            if text and len(text) <= 40 and (any(c in text for c in _STAR_CHARS) or _GRADE_HINT_RE.search(hint) or _GRADE_HINT_RE.match(text)):
                cands.append(text)
            label = clean_text(el.get("aria-label") or el.get("title") or "")
            if label and _GRADE_HINT_RE.search(hint) and len(label) <= 60:
                cands.append(label)
            for cand in cands:
                if body is not None and el is not body and body in el.iterancestors() and not any(c in cand for c in _STAR_CHARS) and not _GRADE_HINT_RE.match(cand):
                    continue  # a bare number in the body's prose is no grade
                grade = self.parse_grade(cand)
                if grade:
                    grades.append(grade)
                    break
        if not grades:
            return None
        first = grades[0]
        if any((g["score"], g["letter"], g["value"]) != (first["score"], first["letter"], first["value"]) for g in grades[1:]):
            self.problems.append("grade_conflict")
            return None
        return first

    # ------------------------------------------------------------------ classifier
    @cached_property
    def signals(self) -> ReviewSignals:
        node = self.review_node
        # The page's own critic review: a top-level (or ``mainEntity``) Review/CriticReview with
        # content. A ``review`` nested in a work (user reviews on a film's page) does not count.
        own = node is not None and (
            any(n is node for n in self.structured)
            or any(self.deref(n.get("mainEntity")) is node for n in self.structured)
        )
        structured = own and bool(
            node.get("reviewRating") or node.get("itemReviewed") or node.get("reviewBody") or node.get("author")
        ) and bool(jsonld_types(node) & _CRITIC_REVIEW_TYPES)
        # An index page: a CollectionPage/SearchResultsPage, a bare ItemList with no article, or a
        # "website" page with no headline. (An ItemList beside an article, e.g. related stories, is not.)
        types = [jsonld_types(n) for n in self.structured]
        listing = (
            any(t & _LISTING_TYPES for t in types)
            or (any("ItemList" in t for t in types) and self.article_node is None)
            or ((self.meta.get("og:type") or "").lower() == "website" and self.h1 is None)
        )
        body = self.body()
        return ReviewSignals(
            structured_review=structured,
            listing_type=listing,
            headline=self.title() or "",
            url=self.canonical(),
            has_grade=self.grade() is not None,
            has_credits=_has_credits(self.credits()),
            body_words=len(body.split()) if body else 0,
            url_denied=bool(self.config and not self.config.url_allowed(self.url)),
        )

    def is_review(self) -> bool:
        ok, reason = review_verdict(self.signals)
        self.review_reason = reason
        return ok


_CLASSES: dict[tuple, type[ReviewPage]] = {}
_CONFIGS: dict[tuple, SiteConfig] = {}


def reclass(page: ReviewPage, cls: type[ReviewPage]) -> ReviewPage:
    """*page* read again as *cls*, reusing its parsed tree (one parse per page); nothing that
    was computed for the old class is kept."""
    new = cls.__new__(cls)
    new.__dict__.update({
        k: v for k, v in page.__dict__.items()
        if k not in ("_memo", "sources", "problems", "review_reason") and not isinstance(getattr(type(page), k, None), cached_property)
    })
    new.sources, new.problems = {}, []
    if issubclass(cls, GenericPage):
        new.sel = ConfigSelector(root=page.root, type="html", base_url=page.url)
        new.review_reason = None
    else:
        new.sel = parsel.Selector(root=page.root, type="html", base_url=page.url)
    return new


def _ident(key: str) -> str:
    return re.sub(r"\W", "_", key)


def _import_class(path: str) -> type[ReviewPage]:
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, ReviewPage)):
        raise TypeError(f"{path} is not a ReviewPage class")
    return cls


def configured_page_class(cfg: SiteConfig) -> type[ReviewPage]:
    """The page class for a configured site: its own ``page_class``, else :class:`GenericPage`
    with the site's selectors, grade scale, title suffixes and language."""
    cache_key = (cfg.key, id(cfg))
    if cache_key in _CLASSES and _CONFIGS.get(cache_key) is cfg:
        return _CLASSES[cache_key]
    base = _import_class(cfg.page_class) if cfg.page_class else GenericPage
    attrs: dict = {"site": cfg.key, "config": cfg, "__module__": __name__}
    if cfg.language:
        attrs["language"] = cfg.language
    if cfg.title_suffixes:
        attrs["title_suffixes"] = tuple(cfg.title_suffixes)
    if cfg.grade_best:
        attrs["grade_best"] = cfg.grade_best
    if cfg.grade_scale:
        attrs["grade_scale"] = cfg.grade_scale
    for field, sels in cfg.selectors.items():
        attrs[f"{field}_css"] = tuple(sels) + tuple(getattr(base, f"{field}_css", ()))
    if not cfg.page_class or cfg.selectors or cfg.grade_best or cfg.grade_scale or cfg.title_suffixes:
        cls = type(f"{base.__name__}_{_ident(cfg.key)}", (base,), attrs)
    else:
        cls = base  # a site class with nothing to add from config: itself, unchanged
    _CLASSES[cache_key] = cls
    _CONFIGS[cache_key] = cfg  # held, so its id is never reused for another config
    return cls


def generic_for_host(key: str) -> type[GenericPage]:
    """The generic class with *key* as its site key (an unconfigured site's host)."""
    cache_key = (key, None)
    if cache_key not in _CLASSES:
        _CLASSES[cache_key] = type(f"GenericPage_{_ident(key)}", (GenericPage,), {"site": key, "__module__": __name__})
    return _CLASSES[cache_key]  # type: ignore[return-value]
