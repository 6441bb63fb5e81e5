"""Table-driven and property tests for crawler.normalize.titles (invented titles only)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.titles import clean_title, strip_site_suffix

KEYS = ["title", "work_title", "season", "episode"]
#: site names the page would pass in (crawler/sites/sites.toml holds the real list)
NAMES = ("The Guardian", "Variety", "The A.V. Club", "IndieWire", "Roger Ebert", "Slant Magazine", "Vulture")


@pytest.mark.parametrize("title,expected", [
    ("Glass Orchard review – a tender fable | Film | The Guardian", "Glass Orchard review – a tender fable"),
    ("Glass Orchard review – choppy | Television &amp; radio | The Guardian", "Glass Orchard review – choppy"),
    ("‘Glass Orchard’ Review: A Quiet Storm - Variety", "‘Glass Orchard’ Review: A Quiet Storm"),
    ("In Glass Orchard, a family learns to grieve | The A.V. Club", "In Glass Orchard, a family learns to grieve"),
    ("‘Glass Orchard’ Review: Bright | IndieWire", "‘Glass Orchard’ Review: Bright"),
    ("Glass Orchard movie review (2023) | Roger Ebert", "Glass Orchard movie review (2023)"),
    ("Glass Orchard – Slant Magazine", "Glass Orchard"),
    ("Glass Orchard | example.com", "Glass Orchard"),
    ("Glass Orchard review – a dek – with dashes", "Glass Orchard review – a dek – with dashes"),
    ("Film | Glass Orchard", "Film | Glass Orchard"),
    ("Glass\u00a0Orchard  review", "Glass Orchard review"),
    ("", ""),
])
def test_strip_site_suffix(title, expected):
    assert strip_site_suffix(title, NAMES) == expected


def test_strip_site_suffix_only_the_names_given():
    assert strip_site_suffix("Glass Orchard | Pike Weekly", ["Pike Weekly"]) == "Glass Orchard"
    assert strip_site_suffix("Glass Orchard | Pike Weekly") == "Glass Orchard | Pike Weekly"
    assert strip_site_suffix("Glass Orchard | Film | The Guardian") == "Glass Orchard | Film | The Guardian"
    assert strip_site_suffix("Glass Orchard | example.com") == "Glass Orchard"  # a domain is a domain
    assert strip_site_suffix("Glass Orchard | Pike Weekly", ["pikeweekly"]) == "Glass Orchard"  # compared as keys
    assert strip_site_suffix("Glass Orchard | Pike Weekly", [None, 3, "Pike Weekly"]) == "Glass Orchard"


@pytest.mark.parametrize("tag,h1,title,work,season,episode", [
    ("‘Glass Orchard’ Review: A Quiet Storm Rolls In - Variety", None,
     "‘Glass Orchard’ Review: A Quiet Storm Rolls In", "Glass Orchard", None, None),
    ("x", "Film Review: ‘Glass Orchard’", "Film Review: ‘Glass Orchard’", "Glass Orchard", None, None),
    ("Glass Orchard review – a tender, wry fable | Film | The Guardian", None,
     "Glass Orchard review – a tender, wry fable", "Glass Orchard", None, None),
    ("Glass Orchard Review: A Quiet Triumph | IndieWire", None,
     "Glass Orchard Review: A Quiet Triumph", "Glass Orchard", None, None),
    ("Review: Glass Orchard: The Second Harvest", None,
     "Review: Glass Orchard: The Second Harvest", "Glass Orchard: The Second Harvest", None, None),
    ("Glass Orchard movie review & film summary (2023) | Roger Ebert", None,
     "Glass Orchard movie review & film summary (2023)", "Glass Orchard", None, None),
    ("Glass Orchard movie review & film summary (2023) | Roger Ebert", "Glass Orchard",
     "Glass Orchard", "Glass Orchard", None, None),
    ("In Glass Orchard, a family learns to grieve | The A.V. Club", "In Glass Orchard, a family learns to grieve",
     "In Glass Orchard, a family learns to grieve", None, None, None),
    ("‘Don’t Tell Mother’ Review: Secrets &amp; Lies", None,
     "‘Don’t Tell Mother’ Review: Secrets & Lies", "Don’t Tell Mother", None, None),
    ("Pike Studios’ ‘Harbor Lights’ Review: Warm", None,
     "Pike Studios’ ‘Harbor Lights’ Review: Warm", "Harbor Lights", None, None),
    ("Netflix’s ‘Harbor Lights’ Season 2 Review: Brighter", None,
     "Netflix’s ‘Harbor Lights’ Season 2 Review: Brighter", "Harbor Lights", 2, None),
    ("Harbor Lights season two review – choppy waters | Television & radio | The Guardian", None,
     "Harbor Lights season two review – choppy waters", "Harbor Lights", 2, None),
    ("Harbor Lights S02E05 Review", None, "Harbor Lights S02E05 Review", "Harbor Lights", 2, 5),
    ("‘Harbor Lights’ Season 3, Episode 4 Review: Adrift", None,
     "‘Harbor Lights’ Season 3, Episode 4 Review: Adrift", "Harbor Lights", 3, 4),
    ("Review: ‘Pale Fire’ is a blaze", None, "Review: ‘Pale Fire’ is a blaze", "Pale Fire", None, None),
    ("Review: “Pale Fire” is a blaze", None, "Review: “Pale Fire” is a blaze", "Pale Fire", None, None),
    ("'Pale Fire' review: a blaze", None, "'Pale Fire' review: a blaze", "Pale Fire", None, None),
    ("Glass Orchard (2024) Review", None, "Glass Orchard (2024) Review", "Glass Orchard", None, None),
    ("Glass Orchard (R) review – grim", None, "Glass Orchard (R) review – grim", "Glass Orchard", None, None),
    ("Glass Orchard ★★★ review – fine", None, "Glass Orchard ★★★ review – fine", "Glass Orchard", None, None),
    # prose, roundups, festivals: no work title
    ("Review: In ‘Pale Fire,’ a woman returns home", None,
     "Review: In ‘Pale Fire,’ a woman returns home", None, None, None),
    ("Review: A woman returns home", None, "Review: A woman returns home", None, None, None),
    ("Sundance Review: ‘Harbor Lights’ Shines", None, "Sundance Review: ‘Harbor Lights’ Shines", None, None, None),
    ("Cannes 2025 Review: ‘Harbor Lights’", None, "Cannes 2025 Review: ‘Harbor Lights’", None, None, None),
    ("Tribeca Film Festival Review: ‘Harbor Lights’", None,
     "Tribeca Film Festival Review: ‘Harbor Lights’", None, None, None),
    ("The 10 Best Movies of 2025 | Vulture", None, "The 10 Best Movies of 2025", None, None, None),
    ("New movies this weekend: reviews of Glass Orchard and more", None,
     "New movies this weekend: reviews of Glass Orchard and more", None, None, None),
    ("Glass Orchard’s director on making a quiet film", None,
     "Glass Orchard’s director on making a quiet film", None, None, None),
])
def test_clean_title(tag, h1, title, work, season, episode):
    got = clean_title(tag, h1, NAMES)
    assert list(got) == KEYS
    assert got == {"title": title, "work_title": work, "season": season, "episode": episode}


@pytest.mark.parametrize("tag,h1,title", [
    ("Glass Orchard review – fine | The Guardian", "", "Glass Orchard review – fine"),
    ("Glass Orchard review – fine | The Guardian", "   ", "Glass Orchard review – fine"),
    ("Glass Orchard review – fine | The Guardian", "The Guardian", "Glass Orchard review – fine"),
    ("Glass Orchard review – fine | Pike Daily", "Pike Daily", "Glass Orchard review – fine"),
    ("‘Glass Orchard’ Review: A Long Headline That Got Cut…", "‘Glass Orchard’ Review: A Long Headline That Got Cut Short",
     "‘Glass Orchard’ Review: A Long Headline That Got Cut Short"),
    ("x", "<em>Glass</em> Orchard &amp; Co.", "Glass Orchard & Co."),
    ("Glass\u00a0Orchard", None, "Glass Orchard"),
    (None, None, ""),
])
def test_title_fallbacks(tag, h1, title):
    assert clean_title(tag, h1, NAMES)["title"] == title


def test_a_title_escaped_twice_reads_as_its_text():
    assert clean_title("x", "AT&amp;amp;T review")["title"] == "AT&T review"
    assert clean_title("AT&amp;amp;T review | Pike Weekly", None, ["Pike Weekly"])["title"] == "AT&T review"


def test_typographic_characters_kept():
    got = clean_title("“Quoted” – Dashes — and ‘apostrophes’ aren’t touched…")
    assert got["title"] == "“Quoted” – Dashes — and ‘apostrophes’ aren’t touched…"


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text()))
def test_never_raises(tag, h1):
    got = clean_title(tag, h1)
    assert list(got) == KEYS
    assert isinstance(got["title"], str)
    assert got["season"] is None or isinstance(got["season"], int)
    strip_site_suffix(tag)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_strip_is_idempotent(s):
    once = strip_site_suffix(s)
    assert strip_site_suffix(once) == strip_site_suffix(once)


def test_huge_inputs():
    for s in ("‘" * 1_000_000, "Review: " * 120_000, "a | " * 250_000, "'x' " * 250_000, "\x00" * 1_000_000):
        assert list(clean_title(s, s)) == KEYS
        strip_site_suffix(s)
