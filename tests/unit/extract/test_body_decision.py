"""The exported body (``ReviewPage.body()``): one decision between the site's body selector and
the main-text extractor, and the extractor on the page shapes that used to lose text (issue 14:
the selector's first match, bare text between ``<br>``s, articles inside ``<header>`` or hidden
streaming chunks, guides split over sibling sections, furniture words on the article's own
containers) and the furniture it must trim (spec boxes, credit/grade headers, bios)."""

from __future__ import annotations

import parsel

from crawler.api import page_for
from crawler.extract.mainbody import choose_body, extract_body, structured_paragraphs
from crawler.extract.page import ReviewPage

P = [
    "The ferry leaves the harbour at dawn, and the film follows it with the patience of a documentary.",
    "Halfway across, the captain's radio goes quiet, and the passengers start telling each other stories.",
    "Each story is shot in a different style, which sounds like a gimmick and plays like a confession.",
    "By the time the far shore appears, nobody on board wants to arrive, and neither, oddly, do we.",
    "The last scene is a single long take of the empty deck, and it earns every second of its length.",
    "It is the rare small film that trusts its audience to sit still, and it is better for that trust.",
]
URL = "https://ferry.example/reviews/the-crossing"


def body(html: str, **kwargs) -> list[str]:
    return extract_body(parsel.Selector(text=html).root, **kwargs)


def doc(inner: str, head: str = "") -> str:
    return f"""<html><head><title>The Crossing review</title>{head}</head><body>
    <nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/film">Film</a></li>
    <li><a href="/tv">Television</a></li><li><a href="/about">About us</a></li></ul></nav>
    {inner}
    <footer class="site-footer"><p>Copyright 2026 Ferry Media. All rights reserved, on every shore.</p></footer>
    </body></html>"""


def paras(items) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


class EntryPage(ReviewPage):
    """A site whose own body selector is ``.entry-content``."""

    site = "entry"
    body_css = (".entry-content",)


# (1) the selector path --------------------------------------------------------------------

def test_site_selector_takes_its_largest_match_not_a_teaser_before_it():
    html = doc(
        f"""<aside class="promo"><div class="entry-content"><p>{P[5]}</p></div></aside>
        <main><article><h1>The Crossing</h1><div class="entry-content">{paras(P[:4])}</div></article></main>"""
    )
    page = EntryPage(URL, html)
    assert page.body() == "\n\n".join(P[:4])
    assert page.sources["body"] == "selector"


def test_site_selector_matching_an_empty_element_falls_back_to_the_extractor():
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="entry-content"> </div>
        <div class="story">{paras(P[:4])}</div></article></main>""")
    page = EntryPage(URL, html)
    assert page.body() == "\n\n".join(P[:4])
    assert page.sources["body"] == "text"


def test_site_selector_matching_a_much_shorter_fragment_loses_to_the_extractor():
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="story">
        <div class="entry-content"><p>{P[0]}</p></div>{paras(P[1:6])}</div></article></main>""")
    page = EntryPage(URL, html)
    assert page.body() == "\n\n".join(P[:6])
    assert page.sources["body"] == "text"


def test_site_selector_wins_when_it_has_the_text():
    # the extractor would also keep the short teaser-like line the site's container holds
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="entry-content">{paras(P[:4])}</div>
        </article></main>""")
    page = EntryPage(URL, html)
    assert page.body() == "\n\n".join(P[:4]) and page.sources["body"] == "selector"


def test_bare_text_between_br_in_the_selected_container_is_body_text():
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="entry-content">
        {P[0]}<br><br>{P[1]}<br><br><p>{P[2]}</p>{P[3]}</div></article></main>""")
    page = EntryPage(URL, html)
    assert page.body() == "\n\n".join(P[:4])


def test_generic_selector_fragment_loses_to_the_extractor():
    # the base class's generic .entry-content matches only a short intro box
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="intro"><div class="entry-content"><p>{P[0]}</p></div></div>
        <div class="text">{paras(P[1:6])}</div></article></main>""")
    assert page_for(html, URL).body() == "\n\n".join(P[:6])


def test_choose_body_rules():
    short, long = ["x" * 100], ["y" * 150, "z" * 150]
    assert choose_body([], long, site_selector=True) == "extractor"
    assert choose_body(long, [], site_selector=False) == "selector"
    assert choose_body(short, long, site_selector=True) == "extractor"  # much shorter
    assert choose_body(["x" * 200], long, site_selector=True) == "selector"
    assert choose_body(["x" * 200], long, site_selector=False) == "extractor"
    assert choose_body(long, short, site_selector=False) == "selector"  # the extractor took a fragment
    assert choose_body(long, list(long), site_selector=False) == "selector"  # the same text
    assert choose_body([], [], site_selector=True) == "extractor"


# (2) containers the extractor never entered -------------------------------------------------

def test_whole_article_inside_a_header_is_found():
    html = doc(f"""<header class="site-header"><div class="logo"><a href="/">Ferry</a></div>
        <main><article><h1>The Crossing</h1><div class="post">{paras(P[:4])}</div></article></main></header>""")
    assert body(html) == P[:4]


def test_broken_markup_nesting_the_page_in_a_button_is_read():
    html = doc(f"""<header><button class="menu-toggle">Menu
        <main><article><h1>The Crossing</h1>{paras(P[:3])}</article></main></button></header>""")
    assert body(html) == P[:3]


def test_article_in_hidden_streaming_chunks_is_read_and_other_hidden_text_is_not():
    html = doc(f"""<main><h1>The Crossing</h1><div id="root"></div></main>
        <div hidden id="S:0"><div class="article-text">{paras(P[:3])}</div></div>
        <div hidden class="mega-menu"><p>{P[5]}</p></div>""")
    assert body(html) == P[:3]


def test_hidden_element_inside_the_article_stays_out():
    html = doc(f"""<main><article><h1>The Crossing</h1>{paras(P[:3])}
        <div style="display:none"><p>A hidden survey asking readers how they found this page today, please.</p></div></article></main>""")
    assert body(html) == P[:3]


# (3) guides and listicles over sibling sections -------------------------------------------------

def test_guide_split_over_sibling_sections_keeps_every_section():
    ad = '<div class="ad-slot"><a href="/a">Sponsored: the best ferries</a> <a href="/b">Book now and save</a> <a href="/c">Cheap tickets</a></div>'
    sections = ad.join(
        f'<section class="step"><div class="step-text"><h2>Step {i + 1}</h2><p>{p}</p></div></section>'
        for i, p in enumerate(P[:4])
    )
    html = doc(f"<main><h1>How to cross</h1><div class='guide'>{sections}</div></main>")
    assert body(html) == [x for i, p in enumerate(P[:4]) for x in (f"Step {i + 1}", p)]


def test_sibling_articles_are_not_merged():
    html = doc(f"""<main><article><h1>The Crossing</h1>{paras(P[:4])}</article>
        <div class="ad-slot"><a href="/x">Advertisement</a></div>
        <article><h2>Next story</h2>{paras(P[4:6])}</article></main>""")
    assert body(html) == P[:4]


# (4) furniture words on the article's own containers ---------------------------------------------

def test_prose_under_a_read_more_or_toc_class_is_kept():
    html = doc(f"""<main><article><h1>The Crossing</h1>{paras(P[:2])}
        <div class="read-more-content">{paras(P[2:4])}</div>
        <div class="grid-toc-content"><div class="text">{paras(P[4:6])}</div></div></article></main>""")
    assert body(html) == P


def test_a_short_newsletter_box_and_related_links_are_still_left_out():
    html = doc(f"""<main><article><h1>The Crossing</h1>{paras(P[:3])}
        <div class="newsletter"><p>Get the best ferry reviews in your inbox every Friday, free.</p></div>
        <div class="related-posts">{paras(P[3:5])}</div>{paras(P[5:])}</article></main>""")
    assert body(html) == P[:3] + P[5:]


# trims (issue 14, section 2) ---------------------------------------------------------------------

def test_spec_box_at_the_start_is_trimmed():
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="post">
        <p>Need to know</p><p>What is it? A ferry simulator</p><p>Expect to pay: $20</p>
        <p>Developer: Harbour Games</p>{paras(P[:3])}</div></article></main>""")
    assert body(html) == P[:3]


def test_grade_and_credits_header_at_the_start_is_trimmed():
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="post">
        <p>Grade: B+</p><p>Director: Ana Ruiz</p><p>Runtime: 97 minutes</p>{paras(P[:3])}</div></article></main>""")
    assert page_for(html, URL).body() == "\n\n".join(P[:3])
    assert body(html) == P[:3]


def test_critic_bio_at_the_end_is_trimmed():
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="post">{paras(P[:3])}
        <p>Mara Quinn is a film critic based in Lisbon. Follow them on Twitter at @maraquinn.</p></div></article></main>""")
    assert body(html) == P[:3]
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="post">{paras(P[:3])}
        <p><em>Follow Mara Quinn on Bluesky.</em></p></div></article></main>""")
    assert body(html) == P[:3]


def test_trims_leave_prose_that_only_looks_alike():
    first = "Details: the crossing takes ninety minutes, and the film spends every one of them at sea."
    last = "Follow the ferry's wake to the end and you will find a film that means every frame of it."
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="post"><p>{first}</p>{paras(P[:3])}<p>{last}</p></div></article></main>""")
    assert body(html) == [first, *P[:3], last]


def test_definition_list_credits_in_the_selected_container_are_left_out():
    html = doc(f"""<main><article><h1>The Crossing</h1><div class="entry-content">{paras(P[:3])}
        <dl><dt>Director</dt><dd>Ana Ruiz</dd><dt>Starring</dt><dd>Tom Vale, Ida Moss</dd></dl></div></article></main>""")
    assert EntryPage(URL, html).body() == "\n\n".join(P[:3])


def test_structured_body_escaped_twice_is_read_as_text():
    assert structured_paragraphs("&lt;p&gt;One &amp;quot;quoted&amp;quot; line.&lt;/p&gt;&lt;p&gt;Two.&lt;/p&gt;") == [
        'One "quoted" line.',
        "Two.",
    ]


def test_code_comments_are_not_comment_sections():
    code = '<pre><code class="language-bash"><span class="hljs-comment"># stage every modified file before you commit it</span>\ngit add -A</code></pre>'
    html = doc(f"<main><article><h1>Git basics</h1>{paras(P[:2])}{code}{paras(P[2:4])}</article></main>")
    assert body(html) == [*P[:2], "# stage every modified file before you commit it git add -A", *P[2:4]]
