"""The review page object every site builds on.

A page object is made from a URL and the page's HTML (str or bytes) and never touches the crawl
engine. It parses the HTML once; each field has one method that tries, in order, the site's
own selectors, structured data (JSON-LD, microdata, OpenGraph/meta), then text patterns, and
records which layer answered in :attr:`ReviewPage.sources`. When no layer is sure, the field is
empty (and the pipelines count it as missing): a value is never guessed.

A site adapter overrides only the class attributes (CSS selectors) or the methods that differ.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

import parsel
from lxml import etree

from crawler.record.item import Review
from crawler.extract.boilerplate import is_chrome_attr, is_chrome_text
from crawler.normalize.credits import credit_role, parse_credits, parse_runtime
from crawler.normalize.dates import parse_date, parse_datetime
from crawler.normalize.grades import grade_from_rating, parse_grade
from crawler.record.build import normalize_record
from crawler.normalize.text import clean_text
from crawler.normalize.titles import clean_title, strip_site_suffix
from crawler.normalize.urls import canonical_url
from crawler.extract.structured import microdata_items, rdfa_items
from crawler.extract.mainbody import choose_body, extract_body, structured_body_wins, structured_paragraphs
from crawler.extract.tags import BLOCK_TAGS, GRADE_SKIP_TAGS, PARA_TAGS, SKIP_CONTAINERS
from crawler.extract.dom import (
    decode_html,
    html_selector,
    element_text,
    iter_text,
    jsonld_names,
    jsonld_types,
    limit_markup,
    parse_jsonld,
)

REVIEW_TYPES = frozenset({"Review", "CriticReview", "EmployerReview", "UserReview"})
ARTICLE_TYPES = frozenset({"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle", "WebPage"})
FILM_TYPES = frozenset({"Movie", "Film"})
TV_TYPES = frozenset({"TVSeries", "TVSeason", "TVEpisode", "TVShow"})
_SECTION_KIND = {
    "film": "film", "films": "film", "movie": "film", "movies": "film", "film reviews": "film",
    "movie reviews": "film", "cinema": "film",
    "tv": "tv", "television": "tv", "tv reviews": "tv", "tv club": "tv", "tv review": "tv",
    "film review": "film", "movie review": "film", "series": "tv",
}
_ORG_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})
_OG_KIND = {"video.movie": "film", "video.tv_show": "tv", "video.episode": "tv"}
_GRADE_LABEL_RE = re.compile(r"^\s*(?:[\w’'.-]+\s+){0,2}grade\s*[:\-–—]", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?…][\"”’')]*$")
_BY_PREFIX_RE = re.compile(r"^\s*(?:by|words by|written by|review by)\s+", re.IGNORECASE)


def _memo(method):
    """Cache a field method's answer on the instance (fields call each other)."""
    name = method.__name__

    def wrapper(self):
        cache = self.__dict__.setdefault("_memo", {})
        if name not in cache:
            cache[name] = method(self)
        return cache[name]

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


def _attr_tokens(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


class ReviewPage:
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
        self.root = html_selector(self.text, url, raw).root  # parsed once, from the bytes when UTF-8
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
            if site.grade_best:
                self.grade_best = site.grade_best
            if site.grade_scale:
                self.grade_scale = site.grade_scale
            for field, sels in site.selectors.items():
                setattr(self, f"{field}_css", tuple(sels) + tuple(getattr(type(self), f"{field}_css", ())))
        self.sel = self.make_selector(self.root)
        #: field -> which layer answered (``selector``, ``jsonld``, ``microdata``, ``meta``, ``text``)
        self.sources: dict[str, str] = {}
        #: problems seen while reading the page (``jsonld_invalid``, ``grade_conflict``, ...)
        self.problems: list[str] = []

    def make_selector(self, root):
        """The parsel selector over the page's one tree (a subclass may take other queries)."""
        return parsel.Selector(root=root, type="html", base_url=self.url)

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
        return parse_grade(text, best=self.grade_best, site_hint=self.site)

    # ----------------------------------------------------------------- parsed once, shared
    @cached_property
    def jsonld(self) -> list[dict]:
        nodes, errors = parse_jsonld(self.sel.xpath('//script[@type="application/ld+json"]/text()').getall())
        if errors:
            self.problems.append("jsonld_invalid")
        return nodes

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
        nodes = list(self.jsonld)
        if self.text and "itemscope" in self.text:
            nodes += microdata_items(self.root)
        if self.text and "typeof" in self.text:
            nodes += rdfa_items(self.root)
        return nodes

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
    def h1(self) -> etree._Element | None:
        for css in self.title_css:
            for el in self.sel.css(css):
                if clean_text(element_text(el.root)):
                    return el.root
        return None

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

    @cached_property
    def body_root(self) -> etree._Element | None:
        """The body container: the site's selector (of a selector's matches, the one with the
        most text: the first may be a teaser or an empty element; a selector whose matches are
        all empty is passed over), else the element with the most paragraph text."""
        for css in self.body_css:
            best, best_len = None, 0
            for found in self.sel.css(css):
                n = len(clean_text(element_text(found.root)))
                if n > best_len:
                    best, best_len = found.root, n
            if best is not None:
                self.sources["body_container"] = "selector"
                self.__dict__["_body_css"] = css
                return best
        best, best_len = None, 0
        for el in self.article_root.iter("div", "section", "article", "main", "td"):
            if any(is_chrome_attr(_attr_tokens(a)) for a in [el]):
                continue
            total = sum(len(clean_text(element_text(p))) for p in el if p.tag == "p")
            if total > best_len:
                best, best_len = el, total
        if best is not None:
            self.sources["body_container"] = "text"
        return best

    # ----------------------------------------------------------------- blocks and lines
    def _is_excluded(self, el: etree._Element, stop: etree._Element | None) -> bool:
        node = el
        while node is not None and node is not stop:
            if node.tag in SKIP_CONTAINERS or is_chrome_attr(_attr_tokens(node)):
                return True
            node = node.getparent()
        return False

    def paragraphs(self, container: etree._Element) -> list[etree._Element]:
        """Leaf paragraph elements (p, headings, li, blockquote, pre, and divs holding bare text)
        inside *container*, in document order, outside page-chrome containers."""
        out = []
        for el in container.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag in PARA_TAGS:
                if any(isinstance(c.tag, str) and c.tag in PARA_TAGS for c in el.iterdescendants()):
                    continue  # a wrapper: its leaf paragraphs are taken instead
            elif tag == "div":
                has_block_child = any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el)
                if has_block_child or not (el.text or "").strip():
                    continue
            else:
                continue
            if self._is_excluded(el, container.getparent()):
                continue
            out.append(el)
        return out

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
        """The text lines of an element (a ``<br>`` or block boundary ends a line)."""
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
    @_memo
    def canonical(self) -> str:
        href = self.sel.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]/@href').get()
        return canonical_url(self.url, href)

    @cached_property
    def site_names(self) -> tuple[str, ...]:
        """Names of the site stripped from the end of ``<title>``/``og:title``: the configured
        ``title_suffixes`` and the page's ``og:site_name``."""
        name = clean_text(self.meta.get("og:site_name") or "")
        return tuple(self.title_suffixes) + ((name,) if name and len(name) <= 80 else ())

    def _title_parts(self) -> dict:
        h1_text = clean_text(element_text(self.h1)) if self.h1 is not None else None
        title_tag = self.sel.xpath("//title/text()").get()
        suffixes = self.site_names
        if suffixes:
            if h1_text and strip_site_suffix(f"x | {h1_text}", suffixes) == "x":
                h1_text = None  # the h1 is the site's logo
            title_tag = strip_site_suffix(title_tag or "", suffixes)
        parts = clean_title(title_tag or "", h1_text or None)
        if parts.get("title"):
            self.sources["title"] = "selector" if h1_text else "meta"
            return parts
        for cand in (self.meta.get("og:title"), (self.article_node or {}).get("headline")):
            if isinstance(cand, str) and clean_text(cand):
                parts = clean_title(strip_site_suffix(cand, suffixes), None)
                if parts.get("title"):
                    self.sources["title"] = "meta"
                    return parts
        return parts

    @cached_property
    def title_parts(self) -> dict:
        return self._title_parts()

    @_memo
    def title(self) -> str | None:
        return self.title_parts.get("title") or None

    @_memo
    def subtitle(self) -> str | None:
        for css in self.subtitle_css:
            for el in self.sel.css(css):
                text = clean_text(element_text(el.root))
                if text and text != self.title():
                    self.sources["subtitle"] = "selector"
                    return text
        alt = (self.article_node or {}).get("alternativeHeadline")
        if isinstance(alt, str) and clean_text(alt):
            self.sources["subtitle"] = "jsonld"
            return clean_text(alt)
        # Text pattern: a short heading/paragraph right after the h1, outside the body.
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
                        self.sources["subtitle"] = "text"
                        return text
        return None

    @_memo
    def work_title(self) -> str | None:
        item = self.item_reviewed
        if item and isinstance(item.get("name"), str) and clean_text(item["name"]):
            self.sources["work_title"] = self.node_source(item)
            return clean_text(item["name"])
        wt = self.title_parts.get("work_title")
        if wt:
            self.sources["work_title"] = "text"
        return wt or None

    @_memo
    def kind(self) -> str | None:
        item = self.item_reviewed
        if item:
            types = jsonld_types(item)
            if types & FILM_TYPES:
                self.sources["kind"] = self.node_source(item)
                return "film"
            if types & TV_TYPES:
                self.sources["kind"] = self.node_source(item)
                return "tv"
        og_kind = _OG_KIND.get((self.meta.get("og:type") or "").strip().lower())
        if og_kind:
            self.sources["kind"] = "meta"
            return og_kind
        sections = [self.meta.get("article:section")]
        for node in (self.article_node, self.review_node):
            if node:
                sec = node.get("articleSection")
                sections.extend(sec if isinstance(sec, list) else [sec])
        for sec in sections:
            if isinstance(sec, str):
                kind = _SECTION_KIND.get(clean_text(sec).lower())
                if kind:
                    self.sources["kind"] = "meta"
                    return kind
        return None

    # grade ------------------------------------------------------------
    def _grade_selector(self) -> dict | None:
        for css in self.grade_css:
            for el in self.sel.css(css):
                text = clean_text(element_text(el.root))
                alts = [clean_text(a) for a in el.xpath(".//img/@alt | self::img/@alt").getall()]
                for cand in [text, *alts]:
                    grade = self.parse_grade(cand) if cand else None
                    if grade:
                        return grade
        return None

    def _grade_structured(self) -> tuple[str, dict] | None:
        node = self.review_node
        rating = self.deref(node.get("reviewRating")) if node else None
        if isinstance(rating, list):
            rating = rating[0] if rating else None
        if isinstance(rating, dict) and "AggregateRating" not in jsonld_types(rating):
            value = rating.get("ratingValue")
            best, worst = rating.get("bestRating"), rating.get("worstRating")
            if best in (None, "") and self.grade_best:
                best = self.grade_best
            grade = None
            if isinstance(value, str) and not re.fullmatch(r"\s*-?\d+(?:[.,]\d+)?\s*", value):
                grade = self.parse_grade(value)
            elif value is not None:
                grade = grade_from_rating(value, best, worst)
            if grade:
                return self.node_source(node), grade
        for scope in self.sel.xpath('//*[@itemprop="reviewRating"]'):
            if "AggregateRating" in (scope.attrib.get("itemtype") or ""):
                continue

            def prop(name: str) -> str | None:
                v = scope.xpath(f'.//*[@itemprop="{name}"]')
                if not v:
                    return None
                return v[0].attrib.get("content") or clean_text(v[0].xpath("string()").get())

            value = prop("ratingValue")
            if value:
                grade = grade_from_rating(value, prop("bestRating"), prop("worstRating"))
                if grade is None:
                    grade = self.parse_grade(value)
                if grade:
                    return "microdata", grade
        return None

    def _grade_text(self) -> dict | None:
        """A bare grade line just above the headline, a ``Grade: X`` line anywhere in the
        article, or an image whose alt text is the grade (in a grade container or above the h1)."""
        root = self.article_root
        h1 = self.h1
        lines = [line for line in (clean_text(x) for x in "".join(iter_text(root, skip=GRADE_SKIP_TAGS, stop=h1, img_alt=True)).split("\n")) if line]
        candidates = lines[-6:] if h1 is not None else lines[:3]
        for line in reversed(candidates) if h1 is not None else candidates:
            grade = self.parse_grade(line)
            if grade:
                return grade
        for line in element_text(root).split("\n"):
            line = clean_text(line)
            if line and len(line) < 40 and _GRADE_LABEL_RE.match(line):
                grade = self.parse_grade(line)
                if grade:
                    return grade
        for img in root.iter("img"):
            alt = clean_text(img.get("alt") or "")
            hint = f"{img.get('class') or ''} {img.get('src') or ''} {alt}".lower()
            if alt and "grade" in hint:
                grade = self.parse_grade(alt)
                if grade:
                    return grade
        return None

    @_memo
    def grade(self) -> dict | None:
        found: list[tuple[str, dict]] = []
        g = self._grade_selector()
        if g:
            found.append(("selector", g))
        s = self._grade_structured()
        if s:
            found.append(s)
        if not found:
            t = self._grade_text()
            if t:
                found.append(("text", t))
        if not found:
            return None
        source, grade = found[0]
        for _, other in found[1:]:
            if (other.get("score"), other.get("letter"), other.get("value")) != (grade.get("score"), grade.get("letter"), grade.get("value")):
                self.problems.append("grade_conflict")
                return None
        self.sources["grade"] = source
        return grade

    # credits ----------------------------------------------------------
    def _credits_selector(self) -> dict | None:
        for css in self.credits_css:
            els = self.sel.css(css)
            if els:
                lines = []
                for el in els:
                    for child in ([el.root] if el.root.tag in ("dl", "table") else self._credit_blocks(el.root, require_role=False)):
                        lines.extend(self.block_lines(child))
                credits = parse_credits("\n".join(lines), published=self.published_date())
                if _has_credits(credits):
                    return credits
        return None

    def _credit_blocks(self, container: etree._Element, *, require_role: bool = True) -> list[etree._Element]:
        blocks = []
        for el in container.iter("p", "li", "dl", "table", "div", "dd", "h3", "h4", "h5", "h6"):
            if el.tag in ("dd",) or any(a.tag in ("dl", "table") for a in el.iterancestors()):
                continue
            if el.tag in ("div", "li", "p") and any(
                isinstance(c.tag, str) and c.tag in ("p", "div", "li", "dl", "table", "ul", "ol") for c in el.iterdescendants()
            ):
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
        credits = parse_credits("\n".join(lines), published=self.published_date())
        return credits if _has_credits(credits) else None

    def _credits_structured(self) -> dict | None:
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
            if isinstance(value, str) and parse_date(value) and re.match(r"\s*\d{4}-\d{2}-\d{2}", value):
                out["release_date"] = parse_date(value)
                break
            if isinstance(value, (str, int)) and re.fullmatch(r"\s*(19|20)\d\d\s*", str(value)):
                out["year"] = int(value)
                break
        if isinstance(item.get("duration"), str) and parse_runtime(item["duration"]):
            out["runtime_minutes"] = parse_runtime(item["duration"])
        if isinstance(item.get("contentRating"), str) and clean_text(item["contentRating"]):
            out["content_rating"] = clean_text(item["contentRating"])
        return out

    @_memo
    def credits(self) -> dict:
        layers = [("selector", self._credits_selector()), (self.node_source(self.item_reviewed), self._credits_structured())]
        if layers[0][1] is None:
            # Text credit lines fill what structured data does not give (writer, release date...).
            layers.append(("text", self._credits_text()))
        merged: dict[str, Any] = {"director": [], "writer": [], "starring": [], "release_date": None, "platform": None}
        for source, credits in layers:
            if not credits:
                continue
            self.sources.setdefault("credits", source)
            for key, value in credits.items():
                if value and not merged.get(key):
                    merged[key] = value
        return merged

    # body -------------------------------------------------------------
    def body_paragraphs(self) -> list[str]:
        """The body's paragraphs read from the HTML (credits, grade lines, dek and chrome left
        out): the best of the body selector's container and the main-text extractor's.

        The container a selector matched is cut into paragraphs as the extractor cuts its own
        (bare text between ``<br>``s is a paragraph too); the decision
        (:func:`crawler.extract.mainbody.choose_body`) takes the extractor's body when the
        selector's is empty or much shorter and, for the base class's generic selectors, unless
        the extractor's is empty or much shorter."""
        container = self.body_root
        if container is None or self.sources.get("body_container") != "selector":
            return self.generic_body_paragraphs()
        selected = self._body_filter(extract_body(self.root, title=self.title(), subtitle=self.subtitle(), within=container))
        css = self.__dict__.get("_body_css")
        site_own = css not in ReviewPage.body_css or type(self).body_css != ReviewPage.body_css
        extracted = self.generic_body_paragraphs()
        if choose_body(selected, extracted, site_selector=site_own) == "selector":
            self.sources["body"] = "selector"
            return selected
        return extracted

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
        paras = self._body_filter(extract_body(self.root, title=self.title(), subtitle=self.subtitle()))
        if paras:
            self.sources["body"] = "text"
        return paras

    def structured_body(self) -> tuple[str, list[str]] | None:
        """``articleBody``/``reviewBody`` from structured data as paragraphs, with its source."""
        for node in (self.review_node, self.article_node):
            for key in ("reviewBody", "articleBody"):
                paras = structured_paragraphs((node or {}).get(key))
                if paras:
                    return self.node_source(node), paras
        return None

    @_memo
    def body(self) -> str | None:
        paras = self.body_paragraphs()
        found = self.structured_body()
        if found and structured_body_wins(found[1], paras):
            self.sources["body"] = found[0]
            return "\n\n".join(found[1])
        return "\n\n".join(paras) or None

    # people and dates ---------------------------------------------------
    @_memo
    def authors(self) -> list[str]:
        for css in self.authors_css:
            names = [clean_text(_BY_PREFIX_RE.sub("", clean_text(element_text(el.root)))) for el in self.sel.css(css)]
            names = [n for n in names if n and len(n) < 100]
            if names:
                self.sources["authors"] = "selector"
                return list(dict.fromkeys(names))
        for node in (self.review_node, self.article_node):
            if node and node.get("author"):
                people = self.deref(node["author"])
                people = [a for a in (people if isinstance(people, list) else [people])
                          if not (isinstance(a, dict) and jsonld_types(a) & _ORG_TYPES)]  # a publisher is no critic
                names = [clean_text(n) for n in jsonld_names(people) if clean_text(n)]
                if names:
                    self.sources["authors"] = self.node_source(node)
                    return list(dict.fromkeys(names))
        name = clean_text(self.meta.get("author") or "")
        if name and not name.startswith("http"):
            self.sources["authors"] = "meta"
            return [name]
        return []

    def _date(self, field: str, meta_keys: tuple[str, ...], jsonld_key: str, time_xpath: str | None) -> str | None:
        for key in meta_keys:
            value = parse_datetime(self.meta.get(key) or "")
            if value:
                self.sources[field] = "meta"
                return value
        for node in (self.review_node, self.article_node):
            if node and isinstance(node.get(jsonld_key), str):
                value = parse_datetime(node[jsonld_key])
                if value:
                    self.sources[field] = self.node_source(node)
                    return value
        if time_xpath:
            for raw in self.sel.xpath(time_xpath).getall():
                value = parse_datetime(raw)
                if value:
                    self.sources[field] = "text"
                    return value
        return None

    @_memo
    def published_at(self) -> str | None:
        return self._date(
            "published_at",
            ("article:published_time", "datepublished", "og:published_time", "pubdate", "publish-date", "date"),
            "datePublished",
            '(//article//time[@datetime] | //time[@itemprop="datePublished"] | //time[contains(@class,"publish")]'
            ' | //*[contains(@class,"byline") or contains(@class,"dateline")]//time[@datetime])/@datetime',
        )

    @_memo
    def modified_at(self) -> str | None:
        return self._date("modified_at", ("article:modified_time", "datemodified", "og:updated_time"), "dateModified", None)

    def published_date(self) -> str | None:
        value = self.published_at()
        return value[:10] if value else None

    def page_language(self) -> str | None:
        lang = self.root.get("lang") or self.meta.get("og:locale") or self.meta.get("content-language") or self.language
        if not lang:
            return None
        primary = re.split(r"[-_]", lang.strip())[0].lower()
        return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None

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
        """The page's review, not yet normalized (see :func:`crawler.record.build.normalize_record`)."""
        return Review(
            url=self.canonical(),
            site=self.site,
            kind=self.kind(),
            title=self.title(),
            subtitle=self.subtitle(),
            work_title=self.work_title(),
            grade=self.grade(),
            credits=self.credits(),
            body=self.body(),
            authors=self.authors(),
            published_at=self.published_at(),
            modified_at=self.modified_at(),
            language=self.page_language(),
        )

    def to_record(self, fetched_at: str | None = None) -> dict:
        """The exported record for this page (what the crawl writes, minus nothing)."""
        return normalize_record(self.to_item(), fetched_at=fetched_at)


def _has_credits(credits: dict | None) -> bool:
    if not credits:
        return False
    return any(credits.get(k) for k in ("director", "writer", "starring", "creator"))
