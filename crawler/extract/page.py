"""The review page object every site builds on.

A page object is made from a URL and the page's HTML (str or bytes) and never touches the crawl
engine. It parses the HTML once. Each field is declared once as a
:class:`~crawler.extract.fields.Field` listing its layers in order -- the site's own selectors,
structured data (JSON-LD, microdata, RDFa), OpenGraph/meta, then text patterns -- each layer a
method ``_<field>_<layer>`` that answers or returns ``None``; the field's answer says which layer
gave it (:attr:`ReviewPage.sources` and :attr:`ReviewPage.problems` are derived from the declared
fields, and so is :meth:`ReviewPage.to_item`). When no layer is sure, the field is empty (and the
pipelines count it as missing): a value is never guessed.

A site adapter overrides only the class attributes (CSS selectors) or the layers that differ.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any, Iterable

from lxml import etree

from crawler.record.item import Review
from crawler.extract.boilerplate import is_chrome_attr, is_module_attr, is_module_heading
from crawler.extract.fields import Answer, Field, FieldPage, agree, merge
from crawler.normalize.credits import credit_role, parse_credits, parse_runtime
from crawler.normalize.dates import datetime_offset, has_date, parse_date, parse_datetime
from crawler.normalize.grades import grade_from_lines, grade_from_rating_node, is_grade_label, parse_grade
from crawler.record.build import normalize_record
from crawler.normalize.text import clean_text
from crawler.normalize.titles import clean_title, strip_site_suffix
from crawler.normalize.urls import canonical_url
from crawler.extract.classify import work_kind
from crawler.extract.select import PageSelector
from crawler.extract.structured import microdata_items, rdfa_items
from crawler.extract.mainbody import (
    choose_body,
    extract_bodies,
    extract_body,
    selector_body_decides,
    structured_body_wins,
    structured_paragraphs,
    text_length_bound,
)
from crawler.extract.tags import GRADE_SKIP_TAGS
from crawler.extract.dom import (
    decode_html,
    canonical_href,
    dating_times,
    jsonld_scripts,
    parse_html,
    title_text,
    element_text,
    has_text,
    iter_text,
    jsonld_names,
    jsonld_types,
    limit_markup,
    node_text,
    parse_jsonld,
)

REVIEW_TYPES = frozenset({"Review", "CriticReview", "EmployerReview", "UserReview"})
ARTICLE_TYPES = frozenset({"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle", "WebPage"})
FILM_TYPES = frozenset({"Movie", "Film"})
TV_TYPES = frozenset({"TVSeries", "TVSeason", "TVEpisode", "TVShow"})
_ORG_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})
_GRADE_LABEL_RE = re.compile(r"^\s*(?:[\w’'.-]+\s+){0,2}grade\s*[:\-–—]", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?…][\"”’')]*$")
_BY_PREFIX_RE = re.compile(r"^\s*(?:by|words by|written by|review by)\s+", re.IGNORECASE)
# A byline's lead-in ("By", "Analysis by", "Review by").
_BYLINE_PREFIX_RE = re.compile(
    r"^\s*(?:(?:analysis|review|reviewed|words|story|text|written|commentary|interview|opinion)\s+)?by\s+", re.IGNORECASE)
# "A and B", "A & B"; "A, B and C" (a list: commas, then "and" before the last name).
_NAME_AND_RE = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)
_NAME_LIST_RE = re.compile(r"^[^,]+(?:,\s*[^,]+)*,?\s+(?:and|&)\s+[^,]+$", re.IGNORECASE)
_URL_LIKE_RE = re.compile(r"^(?:https?:|www\.|/)|://|^[^\s@]+@[^\s@]+\.\w+$", re.IGNORECASE)
_LEADING_AND_RE = re.compile(r"^(?:and|&)\s+", re.IGNORECASE)
_CLOCK_RE = re.compile(r"\d:\d\d")
_ISO_DATE_START_RE = re.compile(r"\s*\d{4}-\d{2}-\d{2}")
_YEAR_ONLY_RE = re.compile(r"\s*(19|20)\d\d\s*")
_LANG_CODE_RE = re.compile(r"[a-z]{2,3}")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# never a module for a class/id hint: they hold the whole page
_PAGE_TAGS = frozenset({"html", "body", "main"})
# boxes whose first child heading can name a module ("Latest From Reviews")
_MODULE_BOX_TAGS = frozenset({"section", "div", "aside", "ul", "ol"})

#: the ``alt`` texts of an element that is an image or holds images, in document order
_IMG_ALTS = etree.XPath(".//img/@alt | self::img/@alt", smart_strings=False)


# A date's lead-in that makes it the modification date, not the publication date.
_UPDATED_RE = re.compile(
    r"\b(?:updated|modified|edited|revised|aktualisiert|geändert|mis\sà\sjour|modifié|actualizad[oa]|modificad[oa])\b",
    re.IGNORECASE,
)
_PUBLISHED_META = ("article:published_time", "datepublished", "og:published_time", "pubdate", "publish-date", "date")
_MODIFIED_META = ("article:modified_time", "datemodified", "og:updated_time")


def _grade_key(grade: dict) -> tuple:
    """A grade's identity: two layers agree when these are equal."""
    return grade.get("score"), grade.get("letter"), grade.get("value")


def _structured_body_or_html(field: Field, ask) -> Answer:
    """The body's policy: the structured body wins when it is the full text
    (:func:`~crawler.extract.mainbody.structured_body_wins`), else the HTML's paragraphs."""
    html, structured = ask("html"), ask("structured")
    paras = html.value or []
    if structured.value and structured_body_wins(structured.value, paras):
        return Answer("\n\n".join(structured.value), structured.layer)
    return Answer("\n\n".join(paras), html.layer) if paras else Answer()


def _no_credits() -> dict[str, Any]:
    return {"director": [], "writer": [], "starring": [], "release_date": None, "platform": None}


def _attr_tokens(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _squash(text: str) -> str:
    return "".join(c for c in clean_text(text).casefold() if c.isalnum())


def module_elements(root: etree._Element, with_class_or_id: Iterable[etree._Element] | None = None,
                    class_and_id: Iterable[str] | None = None) -> set[etree._Element]:
    """The elements of *root*'s tree that look like modules beside an article (see
    :attr:`ReviewPage.modules`): a ``<nav>``; an ``<aside>`` or ``<footer>`` outside any
    ``<article>`` (a sidebar, the site's footer: an article's own aside or footer is its own);
    an element whose class/id names a module (not ``<html>``, ``<body>``, ``<main>``); a box
    (``section``, ``div``, ...) whose first child element is a heading naming a module
    ("Latest From Reviews"). Each kind is found by a tag filter of lxml or among the elements
    that have a class or id, not by a test of every element.

    *with_class_or_id*: the tree's elements whose class or id is not empty (the page's
    :attr:`ElementIndex.with_class_or_id <crawler.extract.select.ElementIndex.with_class_or_id>`;
    more elements are allowed); by default, found by a pass over the tree. *class_and_id*: the
    ``"<class> <id>"`` of each (:attr:`ElementIndex.class_and_id
    <crawler.extract.select.ElementIndex.class_and_id>`), read from them when not given."""
    found = set(root.iter("nav"))
    found.update(el for el in root.iter("aside", "footer") if next(el.iterancestors("article"), None) is None)
    if with_class_or_id is None:
        with_class_or_id = (el for el in root.iter(etree.Element) if el.get("class") or el.get("id"))
    pairs = (zip(with_class_or_id, class_and_id, strict=True) if class_and_id is not None
             else ((el, _attr_tokens(el)) for el in with_class_or_id))
    found.update(el for el, attrs in pairs if is_module_attr(attrs) and el.tag not in _PAGE_TAGS)
    for heading in root.iter(*_HEADING_TAGS):
        box = heading.getparent()
        if (box is not None and box.tag in _MODULE_BOX_TAGS and box not in found
                and box.find("*") is heading  # (the first child element, not a comment)
                and is_module_heading(clean_text(element_text(heading)))):
            found.add(box)
    return found


def author_names(raw: list[str]) -> list[str]:
    """Critics' names out of byline texts, each once: the lead-in (``By``), separators
    (``"Ada Vell,"``, ``"and Olu Brandt"``) and what follows a name after a comma (``"Ada Vell,
    AP Film Writer"``, ``"Ada Vell, PhD"``) dropped; ``"A and B"`` and ``"A, B and C"`` split.
    A URL or e-mail address (an author link's ``href``) or a date is never a name."""
    out: dict[str, str] = {}
    for text in raw:
        text = clean_text(_BYLINE_PREFIX_RE.sub("", clean_text(text)))
        text = _LEADING_AND_RE.sub("", text.strip(" ,"))
        if not text or len(text) >= 100 or has_date(text) or _CLOCK_RE.search(text):
            continue  # (a date or a time, "NOVEMBER 20, 2019 10:43", is no name)
        if _NAME_LIST_RE.match(text):
            parts = [p for chunk in text.split(",") for p in _NAME_AND_RE.split(chunk)]
        else:
            parts = _NAME_AND_RE.split(text.split(",")[0])
        for part in parts:
            name = clean_text(_LEADING_AND_RE.sub("", part.strip(" ,")))
            if not name or not any(c.isalpha() for c in name) or _URL_LIKE_RE.search(name):
                continue
            out.setdefault(name.casefold(), name)
    return list(out.values())


class ReviewPage(FieldPage):
    """Extraction for one review page. Subclass per site and override what differs.

    Class attributes (CSS selectors, tried in order, first non-empty wins):
    ``title_css``, ``subtitle_css``, ``grade_css``, ``credits_css``, ``body_css``,
    ``authors_css``; ``site`` is the site key; ``language`` the default language when the page
    does not declare one; ``title_suffixes`` extra site suffixes stripped from ``<title>``.
    """

    site = "generic"
    language: str | None = None
    title_css: tuple[str, ...] = ("article h1", "main h1", "h1")
    subtitle_css: tuple[str, ...] = (
        ".article-dek", ".dek", ".subtitle", ".sub-title", ".article-subtitle", ".standfirst",
        ".subheadline", ".sub-headline", "[itemprop=alternativeHeadline]",
    )
    grade_css: tuple[str, ...] = ()
    credits_css: tuple[str, ...] = ()
    body_css: tuple[str, ...] = (
        "[itemprop=articleBody]", "[itemprop=reviewBody]", ".article-body", ".article-content",
        ".entry-content", ".post-content", ".story-body", ".article__body", ".content-body",
    )
    authors_css: tuple[str, ...] = ("[rel=author]", ".byline .author", ".author-name", "[itemprop=author] [itemprop=name]")
    #: scale top for grades printed without one (``★★★½`` on a site that grades out of 4)
    grade_best: int | float | None = None
    #: scale a structured rating is reported in (``stars`` for a stars site)
    grade_scale: str | None = None
    title_suffixes: tuple[str, ...] = ()
    #: names of review publishers stripped from titles on any site (``[publishers]`` in sites.toml)
    publisher_names: tuple[str, ...] = ()

    def __init__(self, url: str, html: str | bytes, *, encoding: str | None = None, headers: dict | None = None,
                 site: Any = None):
        self.url = url
        content_type = None
        if headers:
            content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        if encoding and isinstance(html, bytes):
            content_type = f"text/html; charset={encoding}"
        self.text, self.encoding = decode_html(html, content_type)
        decoded = self.text
        self.text = limit_markup(self.text)  # hostile markup (crawler/extract/dom.py)
        raw = html if isinstance(html, bytes) and self.text is decoded else None
        self.root = parse_html(self.text, url, raw)  # parsed once, from the bytes when UTF-8
        self._setup(site)

    def _setup(self, site: Any) -> None:
        """Compose the site in: *site* is a site key (``str``) or a site's config (a
        :class:`crawler.sites.config.SiteConfig`: key, language, title suffixes, grade scale,
        per-field selectors put before the class's own). Instance attributes, never a generated
        class: a page object of any site pickles and is rebuilt from its key."""
        self.config = None
        if isinstance(site, str):
            self.site = site
        elif site is not None:
            self.config = site
            self.site = site.key
            if site.language:
                self.language = site.language
            if site.title_suffixes:
                self.title_suffixes = tuple(site.title_suffixes)
            if site.publisher_names:
                self.publisher_names = tuple(site.publisher_names)
            if site.grade_best:
                self.grade_best = site.grade_best
            if site.grade_scale:
                self.grade_scale = site.grade_scale
            for field, sels in site.selectors.items():
                setattr(self, f"{field}_css", tuple(sels) + tuple(getattr(type(self), f"{field}_css", ())))
        self.sel = self.make_selector(self.root)

    @property
    def problems(self) -> list[str]:
        """Problems seen on the page (``jsonld_invalid``, ``grade_conflict``, ...): the structured
        data's, then each declared field's. (:attr:`sources`: field -> the layer that answered.)"""
        return (["jsonld_invalid"] if self._jsonld_parsed[1] else []) + self.field_problems()

    def make_selector(self, root):
        """The parsel selector over the page's one tree (a subclass may take other queries);
        simple CSS selectors are answered from one index of the tree (:mod:`crawler.extract.select`)."""
        return PageSelector(root=root, type="html", base_url=self.url)

    @classmethod
    def from_page(cls, page: "ReviewPage", site: Any = None) -> "ReviewPage":
        """*page* read again as *cls* for *site*, reusing its parsed tree (one parse per page);
        nothing computed for the old page is kept."""
        new = cls.__new__(cls)
        new.url, new.text, new.encoding, new.root = page.url, page.text, page.encoding, page.root
        new._setup(site)
        return new

    def parse_grade(self, text) -> dict | None:
        """:func:`~crawler.normalize.grades.parse_grade` with the site's scale."""
        return parse_grade(text, best=self.grade_best)

    # ----------------------------------------------------------------- parsed once, shared
    @cached_property
    def _jsonld_parsed(self) -> tuple[list[dict], Any]:
        return parse_jsonld(jsonld_scripts(self.root))

    @property
    def jsonld(self) -> list[dict]:
        return self._jsonld_parsed[0]

    @cached_property
    def meta(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for m in self.root.iter("meta"):
            key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
            content = m.get("content")
            if key and content is not None and key not in out:
                out[key] = content
        return out

    @cached_property
    def structured(self) -> list[dict]:
        """Typed structured-data nodes: JSON-LD (``@graph`` and arrays unwrapped), then microdata,
        then RDFa items (those carry ``"@source"``). Read only when a field needs them."""
        return list(self.jsonld) + microdata_items(self.root) + rdfa_items(self.root)

    @cached_property
    def _ids(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for node in self.jsonld:
            if isinstance(node.get("@id"), str) and len(node) > 1:
                out.setdefault(node["@id"], node)
        return out

    def deref(self, value: Any) -> Any:
        """A JSON-LD ``{"@id": ...}`` reference replaced by the node it names (else unchanged)."""
        if isinstance(value, list):
            return [self.deref(v) for v in value]
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and isinstance(value.get("@id"), str):
            return self._ids.get(value["@id"], value)
        return value

    @staticmethod
    def node_source(node: dict | None) -> str:
        """Which structured-data kind a node came from: ``jsonld``, ``microdata`` or ``rdfa``."""
        return (node or {}).get("@source", "jsonld")

    def _nested(self, node: dict, key: str) -> list[dict]:
        value = self.deref(node.get(key))
        items = value if isinstance(value, list) else [value]
        return [x for x in items[:50] if isinstance(x, dict)]

    @cached_property
    def review_node(self) -> dict | None:
        """The structured-data node that is the critic's review (``Review``/``CriticReview``), if
        any: a top-level node, a work's ``review``, or a page's ``mainEntity``."""
        for node in self.structured:
            if jsonld_types(node) & REVIEW_TYPES:
                return node
        for node in self.structured:
            for key in ("review", "mainEntity"):
                for sub in self._nested(node, key):
                    if jsonld_types(sub) & REVIEW_TYPES:
                        if key == "review" and "itemReviewed" not in sub and jsonld_types(node) & (FILM_TYPES | TV_TYPES):
                            sub = {**sub, "itemReviewed": node}
                        return sub
        return None

    @cached_property
    def article_node(self) -> dict | None:
        for node in self.structured:
            if jsonld_types(node) & (ARTICLE_TYPES | REVIEW_TYPES) - {"WebPage"}:
                return node
        return None

    @cached_property
    def item_reviewed(self) -> dict | None:
        node = self.review_node
        if node:
            for item in self._nested(node, "itemReviewed"):
                return item
        for node in self.structured:
            for item in self._nested(node, "itemReviewed"):
                return item
        return None

    @cached_property
    def _module_candidates(self) -> frozenset:
        """Elements that look like modules beside the article (:func:`module_elements`). One
        that holds the page's ``<main>`` or half of its paragraph text is a layout wrapper
        (``class="container penci_sidebar"``), not a module."""
        index = getattr(self.sel, "index", None)
        found = (module_elements(self.root, index.with_class_or_id, index.class_and_id) if index is not None
                 else module_elements(self.root))
        main = self.root.find(".//main")
        if main is not None:
            found -= set(main.iterancestors())
        if found:
            lengths = {p: len(node_text(p)) for p in self.root.iter("p")}  # (read once)

            def prose(el: etree._Element) -> int:
                return sum(lengths[p] for p in el.iter("p"))

            total = sum(lengths.values())
            found = {el for el in found if not (total and prose(el) * 2 >= total)}
        return frozenset(found)

    @cached_property
    def modules(self) -> frozenset:
        """Modules beside the main article whose text is never a field of this page: teasers,
        rails, related and "latest from" blocks, sidebars, navigation, comments, the site footer
        (class/id hints, an ``<aside>``/``<footer>`` outside any ``<article>``, or a heading such
        as "Latest From Reviews"). None holds the page's headline."""
        h1 = self.h1
        if h1 is None:
            return self._module_candidates
        return self._module_candidates - set(h1.iterancestors())

    def in_module(self, el: etree._Element, modules: frozenset | None = None) -> bool:
        """Whether *el* sits in one of the :attr:`modules`."""
        modules = self.modules if modules is None else modules
        if not modules:
            return False
        node = el
        while node is not None:
            if node in modules:
                return True
            node = node.getparent()
        return False

    @cached_property
    def h1(self) -> etree._Element | None:
        """The headline: the first element of ``title_css`` with text outside modules (one inside
        what looks like a module counts when the page's ``<title>``/``og:title`` names it: a
        layout class, not a teaser)."""
        for css in self.title_css:
            for el in self.sel.css(css):
                text = clean_text(element_text(el.root))
                if text and (not self.in_module(el.root, self._module_candidates) or self._titled(text)):
                    return el.root
        return None

    def _titled(self, text: str) -> bool:
        """Whether the page's ``<title>`` or ``og:title`` holds *text*."""
        key = _squash(text)
        titles = (title_text(self.root), self.meta.get("og:title"))
        return bool(key) and any(key in _squash(t) for t in titles if isinstance(t, str))

    @cached_property
    def article_root(self) -> etree._Element:
        """The element that holds the article: the ``<article>`` around the h1, else ``<main>``,
        else ``<body>``."""
        h1 = self.h1
        if h1 is not None:
            for anc in h1.iterancestors():
                if anc.tag == "article":
                    return anc
        for tag in ("main", "article", "body"):
            found = self.root.find(f".//{tag}")
            if found is not None:
                return found
        return self.root

    #: the body container: the site's selector, else the element with the most paragraph text
    body_container = Field("selector", "text", item=None)

    @property
    def body_root(self) -> etree._Element | None:
        """The body container (field ``body_container``)."""
        return self.body_container()

    def _body_container_selector(self) -> etree._Element | None:
        """The site's selector: of a selector's matches, the one with the most text (the first
        may be a teaser or an empty element); a selector whose matches are all empty is passed over."""
        for css in self.body_css:
            matches = [found.root for found in self.sel.css(css)]
            if len(matches) == 1:  # one match: only whether it has text matters, not how much
                best = matches[0] if has_text(matches[0]) else None
            else:
                best, best_len = None, 0
                for el in matches:
                    n = len(clean_text(element_text(el)))
                    if n > best_len:
                        best, best_len = el, n
            if best is not None:
                self.__dict__["_body_css"] = css
                return best
        return None

    def _body_container_text(self) -> etree._Element | None:
        best, best_len = None, 0
        for el in self.article_root.iter("div", "section", "article", "main", "td"):
            if any(is_chrome_attr(_attr_tokens(a)) for a in [el]):
                continue
            total = sum(len(clean_text(element_text(p))) for p in el if p.tag == "p")
            if total > best_len:
                best, best_len = el, total
        return best

    # ----------------------------------------------------------------- blocks and lines
    def _dl_lines(self, el: etree._Element) -> list[str]:
        """``<dl>``/table credits as ``Label: value`` lines."""
        lines: list[str] = []
        if el.tag == "table":
            for row in el.iter("tr"):
                cells = [clean_text(element_text(c)) for c in row if c.tag in ("th", "td")]
                cells = [c for c in cells if c]
                if len(cells) >= 2:
                    lines.append(f"{cells[0].rstrip(':').strip()}: {', '.join(cells[1:])}")
                elif cells:
                    lines.append(cells[0])
            return lines
        label = None
        for child in el.iter("dt", "dd"):
            text = clean_text(element_text(child))
            if child.tag in ("dt", "th"):
                label = text.rstrip(":").strip()
            elif label:
                lines.append(f"{label}: {text}")
                label = None
            elif lines:
                lines[-1] += f", {text}"
        return lines

    def block_lines(self, el: etree._Element) -> list[str]:
        """The text lines of an element (a ``<br>`` or block boundary ends a line); read once per
        element and page (the credits are looked for in the article, then in the whole body)."""
        cache = self.__dict__.setdefault("_block_lines", {})
        found = cache.get(el)
        if found is None:
            found = cache[el] = tuple(self._read_block_lines(el))
        return list(found)

    def _read_block_lines(self, el: etree._Element) -> list[str]:
        if el.tag in ("dl", "table"):
            return self._dl_lines(el)
        lines = [line for line in (clean_text(x) for x in element_text(el).split("\n")) if line]
        # "<strong>Director</strong> Name": a bold label without its colon.
        first = next((c for c in el if isinstance(c.tag, str)), None)
        if lines and first is not None and first.tag in ("strong", "b", "span", "label", "em") and not (el.text or "").strip():
            label = clean_text(element_text(first))
            if label and not label.endswith(":") and lines[0].startswith(label) and credit_role(f"{label}: x"):
                rest = lines[0][len(label):].strip()
                if rest and credit_role(lines[0]) is None:
                    lines[0] = f"{label}: {rest}"
        return lines

    # ----------------------------------------------------------------- fields
    #: the page's address: its ``rel=canonical`` link resolved against the URL, else the URL
    canonical = Field("link", item="url", counted=False)

    def _canonical_link(self) -> str:
        href = canonical_href(self.root)
        return canonical_url(self.url, href)

    @cached_property
    def site_names(self) -> tuple[str, ...]:
        """Names of the site stripped from the end of ``<title>``/``og:title``: the configured
        ``title_suffixes`` and the page's ``og:site_name``."""
        name = clean_text(self.meta.get("og:site_name") or "")
        return tuple(self.title_suffixes) + ((name,) if name and len(name) <= 80 else ())

    @cached_property
    def _headline_parts(self) -> tuple[dict, bool]:
        """:func:`~crawler.normalize.titles.clean_title` of ``<title>`` with the h1, and whether
        an h1 took part."""
        h1_text = clean_text(element_text(self.h1)) if self.h1 is not None else None
        title_tag = title_text(self.root)
        if self.site_names:
            names = self.site_names + self.publisher_names
            if h1_text and strip_site_suffix(f"x | {h1_text}", names) == "x":
                h1_text = None  # the h1 is the site's logo
            title_tag = strip_site_suffix(title_tag or "", names)
        return clean_title(title_tag or "", h1_text or None, self.publisher_names), bool(h1_text)

    @cached_property
    def _meta_title_parts(self) -> dict | None:
        """The title parts of ``og:title``, else the structured ``headline`` (the first with a title)."""
        for cand in (self.meta.get("og:title"), (self.article_node or {}).get("headline")):
            if isinstance(cand, str) and clean_text(cand):
                parts = clean_title(strip_site_suffix(cand, self.site_names + self.publisher_names), None,
                                    self.publisher_names)
                if parts.get("title"):
                    return parts
        return None

    @cached_property
    def title_parts(self) -> dict:
        """The parts (title, work title, ...) of the headline the title was read from."""
        parts, _ = self._headline_parts
        if parts.get("title"):
            return parts
        return self._meta_title_parts or parts

    title = Field("selector", "meta")

    def _title_selector(self) -> Answer | None:
        """The h1 read with ``<title>`` (the ``<title>`` alone is a ``meta`` answer)."""
        parts, from_h1 = self._headline_parts
        return Answer(parts["title"], "selector" if from_h1 else "meta") if parts.get("title") else None

    def _title_meta(self) -> str | None:
        return (self._meta_title_parts or {}).get("title") or None

    subtitle = Field("selector", "jsonld", "text")

    def _subtitle_selector(self) -> str | None:
        for css in self.subtitle_css:
            for el in self.sel.css(css):
                text = clean_text(element_text(el.root))
                if text and text != self.title():
                    return text
        return None

    def _subtitle_jsonld(self) -> str | None:
        alt = (self.article_node or {}).get("alternativeHeadline")
        return clean_text(alt) if isinstance(alt, str) and clean_text(alt) else None

    def _subtitle_text(self) -> str | None:
        """A short heading/paragraph right after the h1, outside the body."""
        h1 = self.h1
        if h1 is not None:
            nxt = h1.getnext()
            while nxt is not None and not isinstance(nxt.tag, str):
                nxt = nxt.getnext()
            body = self.body_root
            if (
                nxt is not None
                and nxt.tag in ("h2", "p")
                and not is_chrome_attr(_attr_tokens(nxt))
                and (body is None or (nxt is not body and body not in list(nxt.iterancestors())))
            ):
                text = clean_text(element_text(nxt))
                if text and len(text) <= 300 and text != self.title() and not _BY_PREFIX_RE.match(text):
                    if parse_grade(text) is None and credit_role(text) is None:
                        return text
        return None

    work_title = Field("structured", "text")

    def _work_title_structured(self) -> Answer | None:
        item = self.item_reviewed
        if item and isinstance(item.get("name"), str) and clean_text(item["name"]):
            return Answer(clean_text(item["name"]), self.node_source(item))
        return None

    def _work_title_text(self) -> str | None:
        return self.title_parts.get("work_title") or None

    kind = Field("structured", "meta", "config")

    def _kind_structured(self) -> Answer | None:
        item = self.item_reviewed
        if item:
            kind = work_kind(jsonld_types(item))
            if kind:
                return Answer(kind, self.node_source(item))
        return None

    def _kind_meta(self) -> str | None:
        """``og:type``, else the article's section (meta or structured ``articleSection``)."""
        og_kind = work_kind(og_type=self.meta.get("og:type"))
        if og_kind:
            return og_kind
        sections = [self.meta.get("article:section")]
        for node in (self.article_node, self.review_node):
            if node:
                sec = node.get("articleSection")
                sections.extend(sec if isinstance(sec, list) else [sec])
        for sec in sections:
            if isinstance(sec, str):
                kind = work_kind(section=clean_text(sec))
                if kind:
                    return kind
        return None

    def _kind_config(self) -> str | None:
        """The site config's ``kind`` (a site that reviews one kind of work)."""
        return getattr(self.config, "kind", None) or None

    # grade ------------------------------------------------------------
    #: the site's grade element and the structured rating must agree (else no grade and the
    #: problem ``grade_conflict``); grade lines in the text are read only when neither answered
    grade = Field("selector", "structured", "text", combine=agree(_grade_key, fallback=("text",)))

    def _grade_selector(self) -> dict | None:
        for css in self.grade_css:
            for el in self.sel.css(css):
                if self.in_module(el.root):
                    continue
                text = clean_text(element_text(el.root))
                grade = self.parse_grade(text) if text else None
                if grade:
                    return grade
                for alt in _IMG_ALTS(el.root):  # (an image grade: ``<img alt="B+">``)
                    alt = clean_text(alt)
                    grade = self.parse_grade(alt) if alt else None
                    if grade:
                        return grade
        return None

    def _grade_structured(self) -> Answer | None:
        """The review's ``reviewRating`` (JSON-LD, microdata or RDFa; an object, JSON text or a
        string such as ``"4/5"``), read by :func:`~crawler.normalize.grades.grade_from_rating_node`
        with the site's scale as the default top of a bare number; else a ``reviewRating``
        property outside a review item. A rating that is not sure gives no answer."""
        node = self.review_node
        if node and node.get("reviewRating") is not None:
            grade = grade_from_rating_node(self.deref(node.get("reviewRating")), best=self.grade_best)
            if grade:
                return Answer(grade, self.node_source(node))
        for attr, source in (("itemprop", "microdata"), ("property", "rdfa")):
            for scope in (found.root for found in self.sel.css(f"[{attr}=reviewRating]")):
                grade = grade_from_rating_node(self._rating_props(scope, attr), best=self.grade_best)
                if grade:
                    return Answer(grade, source)
        return None

    @staticmethod
    def _rating_props(scope: etree._Element, attr: str) -> dict | str | None:
        """A ``reviewRating`` element as a Rating node (its ``ratingValue``, ``bestRating``,
        ``worstRating`` and type), or its own value when it has no ``ratingValue``."""
        def prop(el: etree._Element) -> str:
            return el.get("content") or clean_text(element_text(el))

        found: dict[str, Any] = {"@type": scope.get("itemtype") or scope.get("typeof") or "Rating"}
        for name in ("ratingValue", "bestRating", "worstRating"):
            els = scope.xpath(f'.//*[@{attr}="{name}"]')
            if els:
                found[name] = prop(els[0])
        if "ratingValue" in found:
            return found
        return None if "AggregateRating" in found["@type"] else prop(scope)

    def _grade_text(self) -> dict | Answer | None:
        """A bare grade line just above the headline; anywhere in the article a labelled grade
        line (``Grade: X``, ``Bewertung: 4/5``, ``Note : 3/5``, ``Calificación: 8/10``) or a grade
        over two lines (a label above its value, a score above a verdict word:
        :func:`~crawler.normalize.grades.grade_from_lines`), when all such lines agree (else no
        grade and the problem ``grade_conflict``); or an image whose alt text is the grade (in a
        grade container or above the h1)."""
        root = self.article_root
        h1 = self.h1
        modules = self.modules
        lines = [line for line in (clean_text(x) for x in "".join(
            iter_text(root, skip=GRADE_SKIP_TAGS, stop=h1, img_alt=True, exclude=modules)).split("\n")) if line]
        candidates = lines[-6:] if h1 is not None else lines[:3]
        for line in reversed(candidates) if h1 is not None else candidates:
            grade = self.parse_grade(line)
            if grade:
                return grade
        lines = [line for line in (clean_text(x) for x in "".join(iter_text(root, exclude=modules)).split("\n")) if line]
        found: list[dict] = []  # every labelled or two-line grade: a list's items each have one
        for i, line in enumerate(lines):
            grade = None
            if (len(line) < 40 and _GRADE_LABEL_RE.match(line)) or (len(line) <= 60 and is_grade_label(line)):
                grade = self.parse_grade(line)
            if grade is None and i + 1 < len(lines) and len(line) <= 40 and len(lines[i + 1]) <= 40:
                grade = grade_from_lines(line, lines[i + 1], best=self.grade_best)
            if grade:
                found.append(grade)
        if found:
            if any(_grade_key(g) != _grade_key(found[0]) for g in found[1:]):
                return Answer(problems=("grade_conflict",))  # grades that disagree: none is sure
            return found[0]
        for img in root.iter("img"):
            if self.in_module(img):
                continue
            alt = clean_text(img.get("alt") or "")
            hint = f"{img.get('class') or ''} {img.get('src') or ''} {alt}".lower()
            if alt and "grade" in hint:
                grade = self.parse_grade(alt)
                if grade:
                    return grade
        return None

    # credits ----------------------------------------------------------
    #: merged key by key: the site's credits block, then the reviewed work's structured data,
    #: then credit lines in the text (not read when the site's block answered)
    credits = Field("selector", "structured", "text", combine=merge(_no_credits, unless={"text": "selector"}))

    def _credits_selector(self) -> dict | None:
        for css in self.credits_css:
            els = [el for el in self.sel.css(css) if not self.in_module(el.root)]
            if els:
                lines = []
                for el in els:
                    for child in ([el.root] if el.root.tag in ("dl", "table") else self._credit_blocks(el.root, require_role=False)):
                        lines.extend(self.block_lines(child))
                credits = parse_credits("\n".join(lines), published=self.published_date(), language=self.page_language())
                if _has_credits(credits):
                    return credits
        return None

    def _credit_blocks(self, container: etree._Element, *, require_role: bool = True) -> list[etree._Element]:
        blocks = []
        for el in container.iter("p", "li", "dl", "table", "div", "dd", "h3", "h4", "h5", "h6"):
            if el.tag == "dd" or next(el.iterancestors("dl", "table"), None) is not None or self.in_module(el):
                continue
            if el.tag in ("div", "li", "p") and next(el.iterdescendants("p", "div", "li", "dl", "table", "ul", "ol"), None) is not None:
                continue
            if not require_role or any(credit_role(line) for line in self.block_lines(el)):
                blocks.append(el)
        return blocks

    def _credits_text(self) -> dict | None:
        credits = self._credits_in(self.article_root)
        body = self.root.find(".//body")
        if credits is None and body is not None and body is not self.article_root:
            credits = self._credits_in(body)
        return credits

    def _credits_in(self, container: etree._Element) -> dict | None:
        lines: list[str] = []
        for el in self._credit_blocks(container):
            block = self.block_lines(el)
            # A block counts when most of its lines are credits (not prose that mentions a role).
            labelled = [line for line in block if credit_role(line)]
            if labelled and len(labelled) * 2 >= len(block):
                lines.extend(block)
        if not lines:
            return None
        credits = parse_credits("\n".join(lines), published=self.published_date(), language=self.page_language())
        return credits if _has_credits(credits) else None

    def _credits_structured(self) -> Answer | None:
        item = self.item_reviewed
        if not item:
            return None

        def names(*keys: str) -> list[str]:
            for key in keys:
                found = [clean_text(n) for n in jsonld_names(self.deref(item.get(key)))]
                found = [n for n in found if n]
                if found:
                    return list(dict.fromkeys(found))
            return []

        is_work = bool(jsonld_types(item) & (FILM_TYPES | TV_TYPES))
        director = names("director", "directors")
        starring = names("actor", "actors")
        writer = names("author") if is_work else []
        creator = names("creator") if jsonld_types(item) & TV_TYPES else []
        if not (director or starring or creator or writer):
            return None
        out: dict[str, Any] = {"director": director, "writer": writer, "starring": starring, "release_date": None, "platform": None}
        if creator:
            out["creator"] = creator
        for key in ("datePublished", "dateCreated", "startDate"):
            value = item.get(key)
            if isinstance(value, str) and parse_date(value) and _ISO_DATE_START_RE.match(value):
                out["release_date"] = parse_date(value)
                break
            if isinstance(value, (str, int)) and _YEAR_ONLY_RE.fullmatch(str(value)):
                out["year"] = int(value)
                break
        if isinstance(item.get("duration"), str) and parse_runtime(item["duration"]):
            out["runtime_minutes"] = parse_runtime(item["duration"])
        if isinstance(item.get("contentRating"), str) and clean_text(item["contentRating"]):
            out["content_rating"] = clean_text(item["contentRating"])
        return Answer(out, self.node_source(item))

    # body -------------------------------------------------------------
    def body_paragraphs(self) -> list[str]:
        """The body's paragraphs read from the HTML (credits, grade lines, dek and chrome left
        out): the best of the body selector's container and the main-text extractor's.

        The container a selector matched is cut into paragraphs as the extractor cuts its own
        (bare text between ``<br>``s is a paragraph too); the decision
        (:func:`crawler.extract.mainbody.choose_body`) takes the extractor's body when the
        selector's is empty or much shorter and, for the base class's generic selectors, unless
        the extractor's is empty or much shorter."""
        return self._body_choice[0]

    @cached_property
    def _body_choice(self) -> tuple[list[str], str]:
        """``(paragraphs, layer)``: the body read from the HTML and which reading won
        (``selector``, or ``text`` for the main-text extractor)."""
        container = self.body_root
        if container is None or self.answer("body_container").layer != "selector":
            return self.generic_body_paragraphs(), "text"
        css = self.__dict__.get("_body_css")
        site_own = css not in ReviewPage.body_css or type(self).body_css != ReviewPage.body_css
        title, subtitle = self.title(), self.subtitle()
        if site_own:
            # The page's walk can only matter when the page holds twice the container's text.
            bound = text_length_bound(self.root)
            if 2 * text_length_bound(container) >= bound:
                selected = self._body_filter(extract_body(self.root, title=title, subtitle=subtitle, within=container))
                if selector_body_decides(selected, bound, site_selector=True):
                    return selected, "selector"
        # One walk over the page cuts both the container and the page into blocks.
        within, extracted = extract_bodies(self.root, title=title, subtitle=subtitle, within=container)
        self.__dict__["_extracted_body"] = extracted
        selected = self._body_filter(within)
        extracted = self.generic_body_paragraphs()
        if choose_body(selected, extracted, site_selector=site_own) == "selector":
            return selected, "selector"
        return extracted, "text"

    def _body_filter(self, paragraphs: list[str]) -> list[str]:
        """Credit lines (also a bold label without its colon: ``Director Jane Doe``) and short
        grade lines are not body paragraphs."""
        paras: list[str] = []
        for text in paragraphs:
            if len(text) <= 300 and credit_role(text):
                continue
            if len(text) <= 80 and not _SENTENCE_END_RE.search(text):
                words = text.split()
                if any(credit_role(f"{' '.join(words[:k])}: {' '.join(words[k:])}") for k in range(1, min(3, len(words) - 1) + 1)):
                    continue
            if len(text) < 40 and self.parse_grade(text) is not None:
                continue
            paras.append(text)
        return paras

    def generic_body_paragraphs(self) -> list[str]:
        """The main-text extractor (:func:`crawler.extract.mainbody.extract_body`) reads the
        body, then credit and grade lines are left out as above."""
        return self._body_filter(self._extracted_body)

    @cached_property
    def _extracted_body(self) -> list[str]:
        """The main-text extractor's paragraphs (from the body decision's walk when it made one)."""
        return extract_body(self.root, title=self.title(), subtitle=self.subtitle())

    def structured_body(self) -> tuple[str, list[str]] | None:
        """``articleBody``/``reviewBody`` from structured data as paragraphs, with its source."""
        for node in (self.review_node, self.article_node):
            for key in ("reviewBody", "articleBody"):
                paras = structured_paragraphs((node or {}).get(key))
                if paras:
                    return self.node_source(node), paras
        return None

    def _body_html(self) -> Answer | None:
        """The body's paragraphs read from the HTML: a ``selector`` answer when the site's body
        selector gave the container, else ``text`` (the main-text extractor)."""
        paras, layer = self._body_choice
        if not paras:
            return None
        return Answer(paras, layer)

    def _body_structured(self) -> Answer | None:
        found = self.structured_body()
        return Answer(found[1], found[0]) if found else None

    #: the HTML's paragraphs, unless the structured ``articleBody``/``reviewBody`` is the full text
    body = Field("html", "structured", combine=_structured_body_or_html)

    # people and dates ---------------------------------------------------
    authors = Field("selector", "structured", "meta", default=list)

    def _authors_selector(self) -> list[str] | None:
        for css in self.authors_css:
            names = author_names([element_text(el.root) for el in self.sel.css(css) if not self.in_module(el.root)])
            if names:
                return names
        return None

    def _authors_structured(self) -> Answer | None:
        for node in (self.review_node, self.article_node):
            if node and node.get("author"):
                people = self.deref(node["author"])
                people = [a for a in (people if isinstance(people, list) else [people])
                          if not (isinstance(a, dict) and jsonld_types(a) & _ORG_TYPES)]  # a publisher is no critic
                names = author_names(jsonld_names(people))
                if names:
                    return Answer(names, self.node_source(node))
        return None

    def _authors_meta(self) -> list[str] | None:
        return author_names([self.meta.get("author") or ""]) or None

    @cached_property
    def _time_datetimes(self) -> list[str]:
        """``datetime`` of the ``<time>`` elements that date the article (outside modules)."""
        return [el.get("datetime") for el in dating_times(self.root, with_datetime=True) if not self.in_module(el)]

    @cached_property
    def page_offset(self) -> str | None:
        """The UTC offset the page states with a date-time (``-04:00``): its meta dates, its
        structured dates, its ``<time>`` elements, the first that has a zone."""
        raws = [self.meta.get(k) for k in _PUBLISHED_META + _MODIFIED_META]
        raws += [(node or {}).get(k) for node in (self.review_node, self.article_node)
                 for k in ("datePublished", "dateModified", "dateCreated")]
        for raw in raws + self._time_datetimes:
            offset = datetime_offset(raw)
            if offset:
                return offset
        return None

    def read_datetime(self, raw: Any) -> str | None:
        """A date-time of the page: :func:`~crawler.normalize.dates.parse_datetime`, except that
        a time without a zone is read in the page's offset (:attr:`page_offset`), else stays
        a date: never labelled UTC by guess; a numeric date is day-first on a German, French or
        Spanish page (:attr:`page_language`), and a dotted one that could be read both ways is
        no date on any other."""
        value = parse_datetime(raw, language=self.page_language())
        if value and datetime_offset(raw) == "" and value.endswith("Z"):
            offset = self.page_offset
            value = parse_datetime(value[:-1] + offset) if offset else value[:10]
        return value

    def _date_meta(self, keys: tuple[str, ...]) -> str | None:
        for key in keys:
            value = self.read_datetime(self.meta.get(key) or "")
            if value:
                return value
        return None

    def _date_structured(self, key: str) -> Answer | None:
        for node in (self.review_node, self.article_node):
            if node and isinstance(node.get(key), str):
                value = self.read_datetime(node[key])
                if value:
                    return Answer(value, self.node_source(node))
        return None

    published_at = Field("meta", "structured", "text")

    def _published_at_meta(self) -> str | None:
        return self._date_meta(_PUBLISHED_META)

    def _published_at_structured(self) -> Answer | None:
        return self._date_structured("datePublished")

    def _published_at_text(self) -> str | None:
        """A ``<time datetime>`` in the article, or marked as the publication time; else such a
        ``<time>`` without ``datetime`` whose text is a date (``<time>12. März 2025</time>``)."""
        for raw in self._time_datetimes:
            value = self.read_datetime(raw)
            if value:
                return value
        for el in dating_times(self.root, with_datetime=False):
            parent = el.getparent()
            around = clean_text(element_text(parent if parent is not None else el))[:200]
            if self.in_module(el) or _UPDATED_RE.search(around):
                continue  # ("Last updated <time>...</time>": the modification date)
            value = self.read_datetime(clean_text(element_text(el)))
            if value:
                return value
        return None

    modified_at = Field("meta", "structured")

    def _modified_at_meta(self) -> str | None:
        return self._date_meta(_MODIFIED_META)

    def _modified_at_structured(self) -> Answer | None:
        return self._date_structured("dateModified")

    def published_date(self) -> str | None:
        value = self.published_at()
        return value[:10] if value else None

    #: the page's language: the first declared (``<html lang>``, ``og:locale``,
    #: ``Content-Language``), else the site's default
    page_language = Field("declared", item="language", counted=False)

    def _page_language_declared(self) -> str | None:
        lang = self.root.get("lang") or self.meta.get("og:locale") or self.meta.get("content-language") or self.language
        if not lang:
            return None
        primary = lang.strip().replace("_", "-").split("-")[0].lower()
        return primary if _LANG_CODE_RE.fullmatch(primary) else None

    # ----------------------------------------------------------------- the page as a whole
    def is_review(self) -> bool:
        """Whether the page is a critic's review: a grade, a credits block, or review
        structured data. News, features and lists have none of these."""
        if self.review_node is not None:
            return True
        if self.grade() is not None:
            return True
        credits = self.credits()
        return _has_credits(credits)

    def to_item(self) -> Review:
        """The page's review, not yet normalized (see :func:`crawler.record.build.normalize_record`):
        the site and the value of every declared field."""
        return Review(site=self.site, **self.field_values())

    def to_record(self, fetched_at: str | None = None) -> dict:
        """The exported record for this page (what the crawl writes, minus nothing)."""
        return normalize_record(self.to_item(), fetched_at=fetched_at)


def _has_credits(credits: dict | None) -> bool:
    if not credits:
        return False
    return any(credits.get(k) for k in ("director", "writer", "starring", "creator"))
