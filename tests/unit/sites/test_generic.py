"""The generic page path: site config, structured data (JSON-LD, microdata, RDFa, OpenGraph),
the per-field sources, the review classifier, feeds, and ``extract_review`` for unknown hosts."""

from __future__ import annotations

import gc
import json
import weakref

import pytest
from hypothesis import given, strategies as st

from crawler.api import extract_review, page_for
from crawler.sites.registry import page_class_of
from crawler.sites.avclub import AvClubPage
from crawler.extract.page import _has_credits
from crawler.extract.classify import ReviewSignals, headline_is_listicle, headline_is_review, review_verdict
from crawler.sites.config import SiteConfig, SiteConfigError, all_sites, load_file, site_for_url
from crawler.sites.generic import GenericPage, _has_star
from crawler.extract.tags import STAR_CHARS
from crawler.extract.structured import microdata_items, rdfa_items
from crawler.spiders.reviews import feed_links

PARAS = [
    "The first paragraph of an invented review sets the scene on a windy pier at night.",
    "The second paragraph weighs the lead performance against a script that runs out of road.",
    "The third paragraph concludes that the film is worth a matinee and not much more.",
]


def _doc(head: str = "", body: str = "", h1: str = "Pier Nine review: a windy little noir") -> str:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    return (f"<!DOCTYPE html><html lang='en'><head><title>{h1} | Somewhere</title>{head}</head><body>"
            f"<article><h1>{h1}</h1>{body}<div class='entry-content'>{paras}</div></article></body></html>")


def _ld(obj) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


# ------------------------------------------------------------------ config
def test_every_configured_site_has_a_page_class():
    sites = all_sites()
    assert {"avclub", "reelverdict", "frameline", "pictureshow", "northgazette"} <= set(sites)
    assert page_class_of(sites["avclub"]) is AvClubPage  # its own class
    assert page_class_of(sites["reelverdict"]) is GenericPage  # config only: composed, no class made
    page = page_for("<html></html>", "https://www.reelverdict.example/r")
    assert type(page) is GenericPage and page.site == "reelverdict" and page.grade_best == 4 and page.grade_scale == "stars"
    assert page.grade_css[0] == ".star-rating"
    assert type(page_for("<html></html>", "https://www.avclub.com/r")) is AvClubPage
    with pytest.raises(ValueError, match="unknown site"):
        page_for("<html></html>", "https://x.example/r", site="nope")


def test_config_only_site_pages_pickle():
    """A configured site's page object is a plain class with the config composed in."""
    import pickle

    page = page_for("<html></html>", "https://www.reelverdict.example/r")
    assert pickle.loads(pickle.dumps(page.config)) == page.config
    assert pickle.loads(pickle.dumps(type(page))) is GenericPage


def test_site_for_url_matches_hosts_with_or_without_www():
    assert site_for_url("https://www.avclub.com/x").key == "avclub"
    assert site_for_url("https://avclub.com/x").key == "avclub"
    assert site_for_url("https://frameline.example/2025/04/x").key == "frameline"
    assert site_for_url("https://elsewhere.example/") is None


def test_config_is_validated(tmp_path):
    bad = {
        'hosts = ["a.example"]\ncolour = "red"': "unknown keys",
        'hosts = ["a.example"]\ngrade = { best = -1 }': "grade.best",
        'hosts = ["a.example"]\ndeny = ["("]': "bad pattern",
        'hosts = ["a.example"]\nselectors = { rating = ".x" }': "selectors",
        'base_url = "ftp://a.example"': "base_url",
    }
    for text, message in bad.items():
        path = tmp_path / "s.toml"
        path.write_text(f"[sites.a]\n{text}\n", "utf-8")
        with pytest.raises(SiteConfigError, match=message):
            load_file(path)


def test_allow_and_deny_patterns():
    cfg = SiteConfig.from_dict("x", {"hosts": ["x.example"], "allow": [r"/reviews?/"], "deny": [r"/reviews/page/"]})
    assert cfg.url_allowed("https://x.example/reviews/pier-nine")
    assert not cfg.url_allowed("https://x.example/reviews/page/2")
    assert not cfg.url_allowed("https://x.example/news/pier-nine")


def test_extra_config_file_with_xpath_override(tmp_path, monkeypatch):
    path = tmp_path / "more.toml"
    path.write_text(
        '[sites.pier]\nhosts = ["pier.example"]\ntitle_suffixes = ["Pier Weekly"]\n'
        'selectors = { grade = ["xpath://p[@data-verdict]"], subtitle = ".kicker" }\n', "utf-8")
    monkeypatch.setenv("REVIEW_CRAWLER_SITES", str(path))
    html = _doc(body="<p class='kicker'>A dek for the pier.</p><p data-verdict='1'>Verdict: 6/10</p>")
    record = extract_review(html, "https://pier.example/r/1")
    assert record["site"] == "pier"
    assert record["subtitle"] == "A dek for the pier."
    assert record["grade"] == {"raw": "6/10", "scale": "numeric", "value": 6, "best": 10, "score": 60, "letter": None}


# ------------------------------------------------------------------ JSON-LD
GRAPH = {"@context": "https://schema.org", "@graph": [
    {"@type": "Person", "@id": "#critic", "name": "Juno Farrow"},
    {"@type": "TVSeason", "@id": "#work", "name": "Pier Nine", "actor": [{"@type": "Person", "name": "Ada Vell"}],
     "creator": {"@type": "Person", "name": "Olu Brandt"}, "aggregateRating": {"@type": "AggregateRating", "ratingValue": 9.1, "bestRating": 10}},
    {"@type": "Review", "itemReviewed": {"@id": "#work"}, "author": {"@id": "#critic"},
     "reviewRating": {"@type": "Rating", "ratingValue": "7", "bestRating": "10", "worstRating": "1"},
     "datePublished": "2025-06-01T10:00:00+02:00"},
]}


def test_jsonld_graph_with_id_references():
    page = GenericPage("https://pier.example/r", _doc(head=_ld(GRAPH)))
    assert page.is_review() and page.review_reason == "structured_data"
    rec = page.to_record()
    assert rec["kind"] == "tv" and rec["work_title"] == "Pier Nine"
    assert rec["authors"] == ["Juno Farrow"]
    assert rec["credits"]["starring"] == ["Ada Vell"] and rec["credits"]["creator"] == ["Olu Brandt"]
    assert rec["grade"] == {"raw": "7/10", "scale": "numeric", "value": 7, "best": 10, "score": 70, "letter": None}
    assert rec["published_at"] == "2025-06-01T08:00:00Z"
    assert page.sources["grade"] == "jsonld" and page.sources["authors"] == "jsonld"


def test_aggregate_rating_is_never_the_critics_grade():
    movie = {"@context": "https://schema.org", "@type": "Movie", "name": "Pier Nine",
             "aggregateRating": {"@type": "AggregateRating", "ratingValue": 4.4, "bestRating": 5},
             "review": {"@type": "Review", "author": {"@type": "Person", "name": "Juno Farrow"},
                        "reviewRating": {"@type": "AggregateRating", "ratingValue": 4.4}}}
    page = GenericPage("https://pier.example/r", _doc(head=_ld(movie), h1="Pier Nine"))
    assert page.grade() is None
    assert page.work_title() == "Pier Nine"  # the work's review node knows what it reviews
    assert page.authors() == ["Juno Farrow"]
    # A film's page carrying a (user) review is not, by that alone, a critic's review.
    assert not page.is_review() and page.review_reason == "no_review_signal"


def test_related_item_list_beside_an_article_is_not_a_listing():
    lds = _ld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Pier Nine review: wet"}) + _ld(
        {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [{"@type": "ListItem", "position": 1, "url": "/x"}]})
    page = GenericPage("https://pier.example/reviews/pier-nine", _doc(head=lds, body="<p class='rating'>Rating: 3/5</p>", h1="Pier Nine review: wet"))
    assert page.is_review() and page.review_reason == "grade"
    bare = _ld({"@context": "https://schema.org", "@type": "ItemList", "itemListElement": []})
    page = GenericPage("https://pier.example/reviews/", _doc(head=bare, body="<p class='rating'>Rating: 3/5</p>", h1="Reviews"))
    assert not page.is_review() and page.review_reason == "listing"


def test_user_reviews_are_not_critic_reviews():
    user = {"@context": "https://schema.org", "@type": "UserReview", "author": {"@type": "Person", "name": "fan42"},
            "reviewRating": {"@type": "Rating", "ratingValue": 5}}
    page = GenericPage("https://pier.example/r", _doc(head=_ld(user), h1="Pier Nine"))
    assert not page.signals.structured_review


def test_main_entity_review_counts():
    page_ld = {"@context": "https://schema.org", "@type": "WebPage", "mainEntity": {
        "@type": "Review", "itemReviewed": {"@type": "Movie", "name": "Pier Nine"}, "author": {"@type": "Person", "name": "Juno Farrow"}}}
    page = GenericPage("https://pier.example/r", _doc(head=_ld(page_ld), h1="Pier Nine"))
    assert page.is_review() and page.review_reason == "structured_data"
    assert page.kind() == "film" and page.authors() == ["Juno Farrow"]


def test_article_body_wins_when_full_and_loses_when_truncated():
    full = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "x", "articleBody": "\n\n".join(PARAS)}
    page = GenericPage("https://pier.example/r", _doc(head=_ld(full), body="<p class='ad'>x</p>"))
    assert page.body() == "\n\n".join(PARAS) and page.sources["body"] == "jsonld"
    teaser = dict(full, articleBody=PARAS[0][:40] + "...")
    page = GenericPage("https://pier.example/r", _doc(head=_ld(teaser)))
    assert page.body() == "\n\n".join(PARAS) and page.sources["body"] == "selector"


def test_organization_authors_are_not_critics():
    ld = {"@context": "https://schema.org", "@type": "Review", "itemReviewed": {"@type": "Movie", "name": "Pier Nine"},
          "author": [{"@type": "Organization", "name": "Pier Weekly"}, {"@type": "Person", "name": "Juno Farrow"}]}
    page = GenericPage("https://pier.example/r", _doc(head=_ld(ld)))
    assert page.authors() == ["Juno Farrow"]
    only_org = dict(ld, author={"@type": "Organization", "name": "Pier Weekly"})
    assert GenericPage("https://pier.example/r", _doc(head=_ld(only_org))).authors() == []


def test_html_article_body_is_read_as_text():
    ld = {"@context": "https://schema.org", "@type": "Review", "itemReviewed": {"@type": "Movie", "name": "Pier Nine"},
          "reviewBody": "".join(f"<p>{p.replace('night', '<em>night</em>')}</p>" for p in PARAS)}
    page = GenericPage("https://pier.example/r", _doc(head=_ld(ld)))
    assert page.body() == "\n\n".join(PARAS) and page.sources["body"] == "jsonld"


def test_invalid_jsonld_is_counted_not_fatal():
    page = GenericPage("https://pier.example/r", _doc(head='<script type="application/ld+json">{"@type": "Review",</script>',
                                                     body="<p class='rating'>Rating: 3/5</p>"))
    assert page.grade()["score"] == 60
    assert "jsonld_invalid" in page.problems


# ------------------------------------------------------------------ microdata / RDFa / OpenGraph
def test_microdata_items_nest_and_repeat():
    page = GenericPage("https://pier.example/r", """<div itemscope itemtype="http://schema.org/Review">
      <span itemprop="author" itemscope itemtype="http://schema.org/Person"><span itemprop="name">A</span></span>
      <span itemprop="author" itemscope itemtype="http://schema.org/Person"><span itemprop="name">B</span></span>
      <a itemprop="url" href="/r">link</a><meta itemprop="datePublished" content="2025-01-02">
      <div itemprop="itemReviewed" itemscope itemtype="http://schema.org/Movie"><span itemprop="name">Pier Nine</span></div>
    </div><div itemscope itemtype="http://schema.org/Organization"><span itemprop="name">Org</span></div>""")
    items = microdata_items(page.root)
    assert [i["@type"] for i in items] == ["Review", "Organization"]
    review = items[0]
    assert [a["name"] for a in review["author"]] == ["A", "B"]
    assert review["url"] == "/r" and review["datePublished"] == "2025-01-02"
    assert review["itemReviewed"] == {"@source": "microdata", "@type": "Movie", "name": "Pier Nine"}


def test_rdfa_items_take_link_text_for_names():
    page = GenericPage("https://pier.example/r", """<div vocab="https://schema.org/" typeof="Review">
      <a property="author" href="/people/juno">Juno Farrow</a>
      <a property="url" href="/r/pier">here</a>
      <div property="reviewRating" typeof="Rating"><span property="ratingValue">4</span></div></div>""")
    [item] = rdfa_items(page.root)
    assert item["author"] == "Juno Farrow" and item["url"] == "/r/pier"
    assert item["reviewRating"]["ratingValue"] == "4"
    assert page.grade()["score"] == 80 and page.sources["grade"] == "rdfa"  # bestRating 5 by default


def test_opengraph_kind_and_title_fallback():
    html = ("<html><head><meta property='og:type' content='video.tv_show'>"
            "<meta property='og:title' content='Pier Nine review – wet and wonderful | Pier Weekly'></head>"
            "<body><p class='rating'>Rating: 9/10</p><div class='entry-content'>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></body></html>")
    cfg = SiteConfig.from_dict("pierweekly", {"hosts": ["pier.example"], "title_suffixes": ["Pier Weekly"]})
    page = GenericPage("https://pier.example/r", html, site=cfg)
    assert page.kind() == "tv" and page.sources["kind"] == "meta"
    assert page.title() == "Pier Nine review – wet and wonderful"
    assert page.work_title() == "Pier Nine"
    assert page.is_review()


def test_og_site_name_is_stripped_from_the_title_of_an_unknown_site():
    html = ("<html><head><title>Pier Nine review – wet and wonderful | Pier Weekly</title>"
            "<meta property='og:site_name' content='Pier Weekly'></head><body><div class='logo'>Pier Weekly</div>"
            "<p class='rating'>Rating: 4/5</p><div class='entry-content'>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></body></html>")
    record = extract_review(html, "https://pier-weekly.example/r/pier-nine")
    assert record["title"] == "Pier Nine review – wet and wonderful"
    assert record["work_title"] == "Pier Nine"


def test_star_glyph_candidates_that_disagree_give_no_grade():
    page = GenericPage("https://pier.example/r", _doc(body="<div class='stars'>★★★☆☆</div><div class='stars'>★★★★☆</div>"))
    assert page.grade() is None and "grade_conflict" in page.problems


def test_star_widget_aria_label():
    page = GenericPage("https://pier.example/r", _doc(body="<div class='star-rating' aria-label='4 out of 5 stars'><i></i><i></i></div>"))
    assert page.grade() == {"raw": "4 out of 5 stars", "scale": "stars", "value": 4, "best": 5, "score": 80, "letter": None}


# ------------------------------------------------------------------ classifier
@pytest.mark.parametrize("headline", [
    "Pier Nine review – a windy little noir", "Review: Pier Nine", "‘Pier Nine’ Review: Wet", "Pier Nine, season two review",
])
def test_review_headlines(headline):
    assert headline_is_review(headline) and not headline_is_listicle(headline)


@pytest.mark.parametrize("headline", [
    "The 10 best films of 2025 so far", "Every Pier movie, ranked", "Top 20 noirs", "The best horror films of the decade",
    "Twenty best film musicals, ranked", "What to watch this weekend",
])
def test_listicle_headlines(headline):
    assert headline_is_listicle(headline)


@pytest.mark.parametrize(("signals", "verdict"), [
    (ReviewSignals(structured_review=True, headline="The 10 best films"), (True, "structured_data")),
    (ReviewSignals(has_grade=True, headline="The 10 best films of 2025"), (False, "listicle")),
    (ReviewSignals(headline="Pier Nine renewed for a second season", has_credits=True, url="https://x/news/pier"), (False, "news")),
    (ReviewSignals(headline="Pier Nine", body_words=300), (False, "no_review_signal")),
    (ReviewSignals(headline="Pier Nine", has_grade=True, body_words=300), (True, "grade")),
    (ReviewSignals(headline="Pier Nine", has_grade=True, body_words=20), (False, "weak_signals")),
    (ReviewSignals(headline="Pier Nine", has_credits=True, url="https://x/reviews/pier-nine"), (True, "credits")),
    (ReviewSignals(headline="Pier Nine review: wet", url="https://x/reviews/pier-nine", body_words=200), (True, "headline")),
    (ReviewSignals(headline="Pier Nine review: wet", url="https://x/2025/pier-nine", body_words=200), (False, "weak_signals")),
    (ReviewSignals(structured_review=True, url_denied=True), (False, "url_denied")),
    (ReviewSignals(listing_type=True, has_grade=True, headline="Reviews"), (False, "listing")),
])
def test_review_verdict(signals, verdict):
    assert review_verdict(signals) == verdict


def _read_fields(page) -> set[str]:
    return {name for name, answer in page.__dict__.get("_answers", {}).items() if answer is not None}


def test_the_verdict_reads_only_the_signals_it_needs():
    # No grade, no credits, no review headline: a news page is classified without its body.
    news = GenericPage("https://pier.example/2025/pier-nine", _doc(h1="Pier Nine opens on Friday"))
    assert not news.is_review() and news.review_reason == "no_review_signal"
    assert {"grade", "credits"} <= _read_fields(news) and "body" not in _read_fields(news)
    # A grade and a credits block decide without the body's word count.
    both = GenericPage("https://pier.example/2025/pier-nine", _doc(
        body="<p class='rating'>Rating: 3/5</p><p>Director: Ana Ruiz<br>Starring: Tom Hale</p>", h1="Pier Nine"))
    assert both.is_review() and both.review_reason == "grade" and "body" not in _read_fields(both)
    # A grade alone needs the body's length.
    graded = GenericPage("https://pier.example/2025/pier-nine", _doc(body="<p class='rating'>Rating: 3/5</p>", h1="Pier Nine"))
    assert not graded.is_review() and graded.review_reason == "weak_signals" and "body" in _read_fields(graded)
    for page in (news, both, graded):  # the lazy signals give the verdict of the eager ones
        assert review_verdict(page.signals.resolved()) == review_verdict(page.signals)
        assert page.signals.resolved() == ReviewSignals(
            structured_review=False, listing_type=False, headline=page.title() or "", url=page.canonical(),
            has_grade=page.grade() is not None, has_credits=_has_credits(page.credits()),
            body_words=len((page.body() or "").split()), url_denied=False)


# ------------------------------------------------------------------ api, classes, feeds
def test_extract_review_for_an_unknown_host_uses_the_generic_path():
    html = _doc(head=_ld(GRAPH))
    record = extract_review(html.encode(), "https://www.pier-weekly.example/r/pier-nine?utm_source=x")
    assert record["site"] == "pier-weekly.example"
    assert record["url"] == "https://www.pier-weekly.example/r/pier-nine"
    assert record["grade"]["score"] == 70
    assert type(page_for(html, "https://www.avclub.com/x")) is AvClubPage
    with pytest.raises(ValueError, match="unknown site"):
        page_for(html, "https://x.example/", site="no-such-site")


def test_listicle_on_unknown_host_gives_no_record():
    html = _doc(h1="The 10 best noirs of 2025", body="<p class='rating'>Rating: 9/10</p>")
    assert extract_review(html, "https://pier-weekly.example/lists/noirs") is None


def test_from_page_reuses_the_parsed_tree():
    page = page_for(_doc(head=_ld(GRAPH).replace("reelverdict.example", "other.example")), "http://127.0.0.1:1/r")
    assert page.site == "127.0.0.1"
    page.grade()
    other = GenericPage.from_page(page, site=all_sites()["reelverdict"])
    fresh = GenericPage(page.url, page.text, site=all_sites()["reelverdict"])
    assert other.root is page.root and other.site == "reelverdict" and other.sources == fresh.sources
    assert other.grade()["scale"] == "stars"  # the site's scale: a structured rating on a stars site


def test_feed_links_rss_and_atom():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><link>https://x.example/</link>
      <item><link>https://x.example/a</link><guid>https://x.example/a</guid></item>
      <item><link> /b </link></item><item><guid isPermaLink="false">id-3</guid></item></channel></rss>"""
    assert feed_links(rss, "https://x.example/feed") == ["https://x.example/a", "https://x.example/b"]
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="/atom"/>
      <entry><link rel="alternate" href="/c"/><link rel="enclosure" href="/c.jpg"/></entry>
      <entry><link href="https://x.example/d"/></entry></feed>"""
    assert feed_links(atom, "https://x.example/atom") == ["https://x.example/c", "https://x.example/d"]
    assert feed_links(b"<html>not a feed", "https://x.example/") == []
    assert feed_links(b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><rss><channel><item><link>&e;</link></item></channel></rss>', "https://x.example/") == []


def test_reviews_spider_arguments_are_checked():
    from crawler.spiders.reviews import ReviewsSpider

    with pytest.raises(ValueError, match="unknown site"):
        ReviewsSpider(site="no-such-site")
    with pytest.raises(ValueError, match="give -a site"):
        ReviewsSpider()
    with pytest.raises(ValueError, match="http"):
        ReviewsSpider(url="ftp://x.example/")
    spider = ReviewsSpider(url="https://www.avclub.com/film/reviews")
    assert spider.site_cfg.key == "avclub" and spider.base_url == "https://www.avclub.com"
    assert spider.page_site("https://www.avclub.com/r") == ("avclub", None)
    spider = ReviewsSpider(site="pictureshow")
    assert spider.base_url == "https://www.pictureshow.example"
    assert spider.listing_link_css == (".review-list a.review-link::attr(href)",)


def test_a_classified_page_is_freed_by_reference_counting():
    # The worker reads pages one after another: each page and its tree must go when dropped,
    # not wait for the garbage collector (no reference cycle through the lazy signals).
    for doc in (_doc(h1="Pier Nine opens on Friday"), _doc(body="<p class='rating'>Rating: 3/5</p>", h1="Pier Nine")):
        for cls, url in ((GenericPage, "https://pier.example/2025/pier-nine"), (AvClubPage, "https://www.avclub.com/pier-nine")):
            page = cls(url, doc)
            page.is_review()
            page.to_item()
            ref = weakref.ref(page)  # (lxml elements take no weak reference; the page holds the tree)
            gc.disable()
            try:
                del page
                assert ref() is None
            finally:
                gc.enable()


@given(st.text(alphabet=st.sampled_from("ab 5/★☆⭐✩✭✮✯✪½é\u00a0")) | st.text())
def test_has_star_is_any_star_glyph_in_the_text(text):
    assert _has_star(text) == any(c in text for c in STAR_CHARS)


def test_has_star_examples():
    assert _has_star("Rating: ★★★½") and not _has_star("Rating: 3/5") and not _has_star("")
