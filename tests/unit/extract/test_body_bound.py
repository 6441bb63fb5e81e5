"""The walk the body decision skips: :func:`crawler.extract.mainbody.text_length_bound` bounds
every body the main-text extractor can read, and a page whose site selector decides with it
(:func:`~crawler.extract.mainbody.selector_body_decides`) exports the same body as a page that
walked the whole page."""

from __future__ import annotations

from pathlib import Path

import parsel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract import page as page_module
from crawler.extract.mainbody import choose_body, extract_body, selector_body_decides, text_length_bound
from crawler.sites.registry import page_for
from tests.support.markup import html_trees
from tests.support.sitegen import make_bench_page

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
P = "The keeper climbs the stairs at dusk and lights the lamp, as his father did before him."


def _chars(paras: list[str]) -> int:
    return sum(len(p) for p in paras)


def _bound_holds(root, limit=400):
    bound = text_length_bound(root)
    assert _chars(extract_body(root, title="Harbor Lights")) <= bound
    for el in list(root.iter())[:limit]:
        if isinstance(el.tag, str):
            assert _chars(extract_body(root, within=el)) <= text_length_bound(el) <= bound, (el.tag, el.get("class"))


@pytest.mark.parametrize("html", [
    f"<html><body><div><p>{P}</p><p>{P}</p></div></body></html>",
    # minified lists: no space between the items' words in the page's text
    "<html><body><ul>" + "".join(f"<li>item{i}</li>" for i in range(50)) + "</ul></body></html>",
    # a definition list's inserted ": ", table cells, <br> runs, tails
    "<html><body><dl>" + "<dt>Director</dt><dd>Cy Moon</dd>" * 20 + "</dl><table><tr><td>a</td><td>b</td></tr></table>x<br><br>y</body></html>",
    # scripts and styles (never read), comments and processing instructions (only their tails)
    f"<html><body><script>var a = 1;</script><style>p {{ color: red }}</style><p>{P}<!-- c -->tail</p><?pi x?>after</body></html>",
    # text that NFC changes: composition exclusions get longer (U+0958), combining marks compose
    "<html><body>" + "<p>\u0958\u0959\u095a\u2adc x</p>" * 30 + "<p>e\u0301e\u0301 a\u0316\u0301</p></body></html>",
    "<html><body></body></html>",
    "<p>bare</p>",
    "",
])
def test_bound_on_hostile_markup(html):
    _bound_holds(parsel.Selector(text=html or "<html></html>").root)


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("page.html")), ids=lambda p: "/".join(p.parts[-4:-1]))
def test_bound_on_every_fixture(page):
    _bound_holds(page_for("https://fixture.invalid/x", page.read_bytes()).root, limit=200)


_TAGS = ["div", "p", "span", "a", "section", "article", "aside", "dl", "dt", "dd", "pre", "code",
          "br", "li", "ul", "h1", "em", "nav", "table", "tr", "td", "noscript", "script", "figure"]
_ATTRS = ["", ' class="article-body"', ' class="share"', ' class="comments"', " hidden", ' class="byline"']
_TEXT = ["", P, "By Pia Vance", "Grade: B+", "Director: Cy Moon", "x", " ", "\u0958a", "e\u0301", "\u00a0"]


def _tree():
    return html_trees(_TAGS, _ATTRS, _TEXT)


@settings(max_examples=150, deadline=None)
@given(st.lists(_tree(), min_size=1, max_size=4))
def test_bound_on_generated_markup(parts):
    _bound_holds(parsel.Selector(text="<html><body>" + "".join(parts) + "</body></html>").root, limit=120)


def test_selector_decides_only_where_choose_body_keeps_it():
    sel = ["a" * 60]
    assert selector_body_decides(sel, 120, site_selector=True)
    assert not selector_body_decides(sel, 121, site_selector=True)
    assert not selector_body_decides(sel, 10, site_selector=False)  # a generic selector needs the extractor
    assert not selector_body_decides([], 0, site_selector=True)
    for ext_len in range(0, 121):  # every extractor body within the bound keeps the selector's
        assert choose_body(sel, ["b" * ext_len] if ext_len else [], site_selector=True) == "selector"


def _pages():
    for page in sorted(FIXTURES.rglob("page.html")):
        yield "https://www.avclub.com/" + page.parent.name, page.read_bytes()
    for i in range(0, 60, 3):
        slug, html, _, _ = make_bench_page(i)
        yield f"https://www.avclub.com/{slug}", html.encode("utf-8")


@pytest.mark.parametrize(("url", "body"), list(_pages()), ids=lambda v: v.rsplit("/", 1)[-1][:40] if isinstance(v, str) else "")
def test_skipped_walk_exports_the_same_body(url, body, monkeypatch):
    skipped = page_for(url, body)
    expected_body = skipped.body()
    skipped_choice = skipped._body_choice
    monkeypatch.setattr(page_module, "text_length_bound", lambda root: 1 << 60)  # never skip
    walked = page_for(url, body)
    assert (walked.body(), walked._body_choice) == (expected_body, skipped_choice)


def test_generated_review_pages_skip_the_page_walk():
    """An A.V. Club review page whose body selector holds most of the page's text is decided
    without the page's walk (the cost issue 15 measures); a news page with a short body is not."""
    skipped = []
    for i in range(20):
        slug, html, _, _ = make_bench_page(i)
        page = page_for(f"https://www.avclub.com/{slug}", html.encode("utf-8"))
        assert page.body()
        skipped.append("_extracted_body" not in page.__dict__)
    assert sum(skipped) >= 18, skipped
