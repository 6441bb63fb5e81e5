"""One walk for the body decision: :func:`crawler.extract.mainbody.extract_bodies` gives exactly
what the two calls of :func:`~crawler.extract.mainbody.extract_body` give (the container alone,
the page), for every element of every page tried as the container."""

from __future__ import annotations

from pathlib import Path

import parsel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.markup import html_trees

from crawler.extract.mainbody import extract_bodies, extract_body
from crawler.extract.page import ReviewPage

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
P = "The keeper climbs the stairs at dusk and lights the lamp, as his father did before him."


def _same_for_every_element(root, title=None, subtitle=None, limit=400):
    for el in list(root.iter())[:limit]:
        if not isinstance(el.tag, str):
            continue
        one = extract_bodies(root, within=el, title=title, subtitle=subtitle)
        two = (extract_body(root, title=title, subtitle=subtitle, within=el), extract_body(root, title=title, subtitle=subtitle))
        assert one == two, (el.tag, el.get("class"))


@pytest.mark.parametrize("html", [
    f'<html><body><div class="article-body"><p>{P}</p><p>{P}</p></div></body></html>',
    # the container inside a link, inside code, a <dt> and its <dd>, an inline container
    f'<html><body><a href="/x"><div class="article-body"><p>{P}</p></div></a><p>{P}</p></body></html>',
    f'<html><body><pre><div class="share">{P}</div></pre><p>{P}</p></body></html>',
    f'<html><body><dl><dt>Director</dt><dd class="article-body">{P}</dd></dl><p>{P}</p></body></html>',
    f'<html><body><p>Lead <span class="article-body">{P}<br><br>{P}</span> tail</p></body></html>',
    # hinted ancestors and hinted elements inside the container, prose under a weak hint
    f'<html><body><div class="sidebar"><div class="article-body"><p>{P}</p><div class="related"><p>{P}</p></div></div></div></body></html>',
    f'<html><body><div class="article-body share"><p>{P}</p></div><div class="read-more"><p>{P}</p><p>{P}</p></div></body></html>',
    f'<html><body><div class="comments"><div class="article-body"><p>{P}</p></div></div><article><p>{P}</p></article></body></html>',
    # hidden and skipped ancestors, text right before and after the container, <br> runs
    f'<html><body><noscript><div class="article-body"><p>{P}</p></div></noscript><p>{P}</p></body></html>',
    f'<html><body><div hidden><div class="article-body"><p>{P}</p></div></div><p>{P}</p></body></html>',
    f'<html><body><div>before<br><div class="article-body">{P}<br>{P}</div>after<br><br>more</div></body></html>',
    f'<html><body><h1>Harbor Lights</h1><div class="article-body"><h1>Harbor Lights</h1><p>{P}</p></div></body></html>',
    "<html><body></body></html>",
    "<p>bare</p>",
])
def test_shared_walk_equals_two_walks(html):
    root = parsel.Selector(text=html).root
    _same_for_every_element(root, title="Harbor Lights")


@pytest.mark.parametrize("page", sorted(FIXTURES.rglob("page.html")), ids=lambda p: "/".join(p.parts[-4:-1]))
def test_shared_walk_on_every_fixture(page):
    rp = ReviewPage("https://fixture.invalid/x", page.read_bytes())
    _same_for_every_element(rp.root, title=rp.title(), subtitle=rp.subtitle())


_TAGS = ["div", "p", "span", "a", "section", "article", "aside", "dl", "dt", "dd", "pre", "code",
          "br", "li", "ul", "h1", "h2", "em", "nav", "table", "tr", "td", "noscript", "figure"]
_ATTRS = ["", ' class="article-body"', ' class="share"', ' class="read-more"', ' class="comments"',
           " hidden", ' style="display:none"', ' class="byline"', ' itemprop="author"']
_TEXT = ["", P, "By Pia Vance", "Grade: B+", "Director: Cy Moon", "Share", "May 30, 2025", "x", " "]


def _tree():
    return html_trees(_TAGS, _ATTRS, _TEXT)


@settings(max_examples=150, deadline=None)
@given(st.lists(_tree(), min_size=1, max_size=4))
def test_shared_walk_on_generated_markup(parts):
    root = parsel.Selector(text="<html><body>" + "".join(parts) + "</body></html>").root
    _same_for_every_element(root, title="Harbor Lights", limit=120)
