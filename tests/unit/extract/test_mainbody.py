"""The generic main-text extractor (crawler.extract.mainbody.extract_body) on small hand-written
pages: the exact paragraphs it must return, with the page furniture around them left out."""

from __future__ import annotations

import parsel
import pytest
from lxml import etree

from crawler.api import page_for
from crawler.extract.mainbody import extract_body, structured_body_wins, structured_paragraphs

P1 = "The lighthouse keeper's daughter spends the whole first act waiting for a storm that never quite arrives."
P2 = "When the weather finally turns, the film turns with it, trading quiet dread for a long and breathless night at sea."
P3 = "Its last image, a lamp relit by a stranger, lands with the weight of everything the script refused to say aloud."


def body(html: str, **kwargs) -> list[str]:
    return extract_body(parsel.Selector(text=html).root, **kwargs)


def page(article: str, *, around: str = "") -> str:
    return f"""<html><head><title>The Lantern Keeper review</title></head><body>
    <nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/film">Film</a></li>
    <li><a href="/tv">Television</a></li><li><a href="/about">About us</a></li></ul></nav>
    <main><article>{article}</article>{around}</main>
    <footer class="site-footer"><p>Copyright 2025 Example Media. All rights reserved, everywhere, always.</p>
    <p><a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></p></footer>
    </body></html>"""


def test_plain_article_paragraphs_and_subheadings():
    html = page(f"<h1>The Lantern Keeper</h1><p>{P1}</p><h2>A storm at last</h2><p>{P2}</p><p>{P3}</p>")
    assert body(html) == [P1, "A storm at last", P2, P3]


def test_title_and_dek_given_by_the_caller_are_left_out():
    html = page(f"<h2>The Lantern Keeper</h2><p class='lede'>A slow, salty chiller.</p><p>{P1}</p><p>{P2}</p>")
    assert body(html, title="The Lantern Keeper", subtitle="A slow, salty chiller.") == [P1, P2]


def test_ads_share_bar_newsletter_and_related_stories_are_left_out():
    html = page(
        f"""<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Copy link</a></div>
        <p>{P1}</p>
        <div class="ad-slot"><p>Advertisement</p><p>Buy the best umbrellas in town, now with twenty percent off.</p></div>
        <p>{P2}</p>
        <div class="newsletter-signup"><h3>Get our film newsletter</h3>
          <p>Reviews, interviews and the week's best streaming picks, every Friday in your inbox.</p></div>
        <p>{P3}</p>
        <section class="related-stories"><h3>Related</h3><ul>
          <li><a href="/a">The ten best lighthouse films ever made, ranked from worst to best</a></li>
          <li><a href="/b">Interview: the director of The Lantern Keeper on shooting at sea</a></li></ul></section>"""
    )
    assert body(html) == [P1, P2, P3]


def test_comments_are_left_out_even_when_longer_than_the_article():
    comment = "I saw this at the festival and honestly thought the second half dragged on for far too long. " * 3
    comments = "".join(
        f'<li class="comment"><div class="comment-author">reader{i}</div><div class="comment-text"><p>{comment}</p></div></li>'
        for i in range(6)
    )
    html = page(f"<p>{P1}</p><p>{P2}</p>", around=f'<section id="comments"><h2>6 comments</h2><ol>{comments}</ol></section>')
    assert body(html) == [P1, P2]


def test_captions_bylines_and_dates_are_left_out():
    html = page(
        f"""<p class="byline">By Jane Critic</p><time datetime="2025-03-01">March 1, 2025</time>
        <figure><img src="a.jpg" alt=""><figcaption>Ada Stone in The Lantern Keeper. Photo: Example Films</figcaption></figure>
        <p>{P1}</p><div class="image-caption">The keeper's lamp, as seen from the harbour wall at dusk.</div>
        <p>{P2}</p><p>Published March 1, 2025</p>"""
    )
    assert body(html) == [P1, P2]


def test_sidebar_next_to_the_article_is_left_out():
    sidebar = "".join(f'<li><a href="/s{i}">Most read story number {i} of the whole week</a></li>' for i in range(8))
    html = page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", around=f'<aside class="sidebar"><h3>Most read</h3><ol>{sidebar}</ol></aside>')
    assert body(html) == [P1, P2, P3]


def test_teaser_cards_after_the_article_are_left_out():
    teasers = "".join(
        f'<div class="card"><h3><a href="/t{i}">Another review headline number {i}</a></h3>'
        f"<p>A summary of another review, long enough to look like a paragraph of prose, number {i}.</p></div>"
        for i in range(5)
    )
    html = f"""<html><body><div id="page"><div class="story"><h1>Headline</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>
    <div class="cards">{teasers}</div></div></body></html>"""
    assert body(html) == [P1, P2, P3]


def test_divs_instead_of_paragraphs():
    html = page(f'<div class="text"><div>{P1}</div><div>{P2}</div><div>{P3}</div></div>')
    assert body(html) == [P1, P2, P3]


def test_double_br_separates_paragraphs_and_single_br_does_not():
    html = page(f'<div class="post">{P1}<br><br>{P2}<br>{P3}<br/><br/>The end, at last, of this short review.</div>')
    assert body(html) == [P1, f"{P2} {P3}", "The end, at last, of this short review."]


def test_links_inside_prose_are_kept_and_link_lists_are_not():
    html = page(
        f'<p>{P1} See also <a href="/x">our interview with the director</a>.</p><p>{P2}</p>'
        '<p><a href="/1">Previous review</a> | <a href="/2">Next review</a></p>'
    )
    assert body(html) == [f"{P1} See also our interview with the director.", P2]


def test_hidden_elements_scripts_and_styles_are_left_out():
    html = page(
        f"""<p>{P1}</p><p style="display: none">Hidden text that screen readers and crawlers should never see here.</p>
        <script>var x = "not article text at all, just some code that happens to be long";</script>
        <style>.x {{ color: red; }}</style><p hidden>Also hidden from everyone, even though it is long enough.</p><p>{P2}</p>"""
    )
    assert body(html) == [P1, P2]


def test_lists_and_blockquotes_in_the_body_are_paragraphs():
    html = page(
        f"<p>{P1}</p><blockquote><p>Nobody keeps a light for themselves.</p></blockquote>"
        f"<ul><li>Ada Stone as the keeper's daughter</li><li>Tom Reyes as the stranger</li></ul><p>{P2}</p>"
    )
    assert body(html) == [P1, "Nobody keeps a light for themselves.", "Ada Stone as the keeper's daughter", "Tom Reyes as the stranger", P2]


def test_whitespace_and_invisible_characters_are_cleaned():
    html = page(f"<p>  {P1}\n\u200b </p><p>{P2.replace(' ', '&nbsp;', 3)}</p>")
    assert body(html) == [P1, P2]


def test_no_article_text_gives_an_empty_list():
    assert body("<html><body><nav><a href='/'>Home</a></nav></body></html>") == []
    assert body("<html><body></body></html>") == []
    assert extract_body(None) == []


def test_structured_body_wins_only_when_it_is_the_full_text():
    html = [P1, P2]
    assert structured_body_wins(structured_paragraphs(f"{P1}\n\n{P2}\n\n{P3}"), html)
    assert not structured_body_wins(structured_paragraphs("A teaser of the first lines..."), html)
    assert structured_paragraphs(f"<p>{P1}</p><p>{P2}</p>") == [P1, P2]
    assert not structured_body_wins([], html)
    assert structured_paragraphs(None) == [] and structured_paragraphs("  ") == []


def test_structured_article_body_is_read_by_the_page():
    html = (
        '<html><head><script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "H", "articleBody": "' + P1 + '"}'
        "</script></head><body><p>x</p></body></html>"
    )
    assert page_for(html, "https://news.example/a").body() == P1


def test_the_tree_is_not_changed():
    html = page(f'<p>{P1}</p><div class="ad-slot"><p>Advertisement</p></div><p>{P2}</p>')
    root = parsel.Selector(text=html).root
    before = etree.tostring(root)
    assert extract_body(root) == [P1, P2]
    assert etree.tostring(root) == before
    assert extract_body(root) == [P1, P2]


def test_hostile_deep_nesting_does_not_recurse():
    # Built directly (the HTML parser itself caps nesting): far deeper than Python's recursion limit.
    root = etree.Element("html")
    node = etree.SubElement(root, "body")
    for _ in range(20_000):
        node = etree.SubElement(node, "div")
    for text in (P1, P2):
        etree.SubElement(node, "p").text = text
    assert extract_body(root) == [P1, P2]


def test_text_after_html_comments_inside_a_paragraph_is_kept():
    html = page(f"<p>The lighthouse keeper's<!-- --> daughter <?php x ?>waits for a storm<!-- ad --> that never quite arrives.</p><p>{P2}</p>")
    assert body(html) == ["The lighthouse keeper's daughter waits for a storm that never quite arrives.", P2]


def _avclub_cases():
    from tests.support.crawl import FIXTURES, load_expected

    return [c for c in sorted(p.parent for p in (FIXTURES / "avclub").rglob("expected.json")) if load_expected(c)]


@pytest.mark.parametrize("case", _avclub_cases(), ids=lambda c: c.name)
def test_generic_extractor_reads_every_avclub_review_body_without_the_site_selector(case):
    """With the site's body selectors switched off, the page object falls back to extract_body
    and must still give exactly the expected body."""
    from crawler.sites.avclub import AvClubPage
    from tests.support.crawl import load_expected

    class NoSelector(AvClubPage):
        body_css = ()

    expected = load_expected(case)
    page = NoSelector(expected["url"], (case / "page.html").read_bytes())
    assert page.body() == expected["body"]
    assert page.sources["body"] == "text"
