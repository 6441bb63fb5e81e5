"""The class/id and text hints the generic body extractor uses (crawler.extract.boilerplate)."""

from __future__ import annotations

import pytest

from crawler.extract.boilerplate import is_boilerplate_attr, is_discussion_attr, is_furniture_text


@pytest.mark.parametrize(
    "attrs",
    [
        "share-bar", "ad-slot", "related-stories", "newsletter-signup", "comments", "image-caption",
        "byline", "site-header", "pagination", "sr-only", "post-meta", "meta", "more-news",
        "privacy-consent", "widget popular-posts", "sidebar",
    ],
)
def test_furniture_attributes(attrs):
    assert is_boilerplate_attr(attrs) is True


@pytest.mark.parametrize(
    "attrs",
    [
        "",
        "article-body",
        "entry-content entry-content-read-more",  # names the article text: wins over the hint
        "article__body article-overlay-handle",
        "content-with-sidebar-wrp",  # a layout, not a sidebar
        "has-section-nav main-content",
        "modal-enabled",
        "ArticlePage-content paywall",  # the article behind a paywall is still the article
        "hs_cos_wrapper hs_cos_wrapper_meta_field",  # "meta" only counts as a whole token
        "social-media-embed",  # an embedded post quoted by the article
        "__next",
        "elementor-widget-container",
    ],
)
def test_not_furniture_attributes(attrs):
    assert is_boilerplate_attr(attrs) is False


def test_discussion_attributes():
    assert is_discussion_attr("comments-area post-comments") is True
    assert is_discussion_attr("disqus_thread") is True
    assert is_discussion_attr("has-comments") is False
    assert is_discussion_attr("related-stories") is False
    assert is_discussion_attr("") is False


@pytest.mark.parametrize(
    "text",
    [
        "Advert", "Advertising.", "This slideshow requires JavaScript.",
        '[button link="/x" type="big"] Send us your review[/button]',
        "We use cookies and other tracking technologies to improve your browsing experience.",
        "Tell us what you think...", "Leave a comment",
    ],
)
def test_furniture_text(text):
    assert is_furniture_text(text) is True


@pytest.mark.parametrize(
    "text",
    ["", "The advert was everywhere in the film.", "Copyright law is the film's real subject.", "We use our eyes."],
)
def test_not_furniture_text(text):
    assert is_furniture_text(text) is False
