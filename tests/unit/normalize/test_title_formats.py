"""Headline formats from issue 14 (invented titles only): what ``work_title`` a headline gives.

Every shape here names one work unambiguously; the "no work title" table holds the near
misses (prose, dispatches, quotations, roundups) that must stay None.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.titles import clean_title


@pytest.mark.parametrize("headline,work,season", [
    # a festival or trade prefix before a quoted title
    ("Sundance Film Review: ‘Glass Tides’", "Glass Tides", None),
    ("Pike Film Festival Film Review: “Glass Tides”", "Glass Tides", None),
    ("Venice Film Review: 'Glass Tides' Is a Quiet Storm", "Glass Tides", None),
    ("TIFF Movie Review: ‘Glass Tides’", "Glass Tides", None),
    # "X reviewed" after a colon
    ("Tender, terrible and true: Glass Tides reviewed", "Glass Tides", None),
    ("A quiet storm: ‘Glass Tides’ reviewed", "Glass Tides", None),
    # spoiler and season qualifiers after the show's name: the work is the show
    ("Harbor Lights Season 2 Review (Spoiler-Free)", "Harbor Lights", 2),
    ("Harbor Lights Season 2 Spoiler-Free Review", "Harbor Lights", 2),
    ("Harbor Lights season 2 review: no spoilers, just vibes", "Harbor Lights", 2),
    ("‘Harbor Lights’ Season 2 Review – Spoilers Ahead", "Harbor Lights", 2),
    ("Harbor Lights (Spoiler-Free) Review", "Harbor Lights", None),
    ("Harbor Lights: Season 2 Review", "Harbor Lights", 2),
    ("Harbor Lights Season 2 Premiere Review: Back at Sea", "Harbor Lights", 2),
    # a quoted title inside a question or sentence headline
    ("Is ‘Glass Tides’ the Quietest Film of the Year?", "Glass Tides", None),
    ("Why “Glass Tides” Works Better Than Any Film Should", "Glass Tides", None),
    ("The sea swallows everything in the new series ‘Glass Tides’", "Glass Tides", None),
    ("Is Netflix’s ‘Glass Tides’ Worth Your Weekend?", "Glass Tides", None),
    # capsule headlines: stars and an MPA rating after the title
    ("Glass Tides ★★★ (R)", "Glass Tides", None),
    ("Glass Tides (PG-13) ★★½", "Glass Tides", None),
    ("GLASS TIDES ★★★★ PG", "GLASS TIDES", None),
    ("Glass Tides (R) ★★★☆", "Glass Tides", None),
    # <Festival> <year>: X
    ("Sundance 2025: Glass Tides", "Glass Tides", None),
    ("Berlinale 2026: ‘Glass Tides’", "Glass Tides", None),
    # German, French, Spanish review headlines
    ("Kritik: Glass Tides", "Glass Tides", None),
    ("Filmkritik: „Glass Tides“", "Glass Tides", None),
    ("Glass Tides – Kritik", "Glass Tides", None),
    ("„Glass Tides“ – Rezension: Ein stilles Meer", "Glass Tides", None),
    ("Rezension: Harbor Lights", "Harbor Lights", None),
    ("Critique : Glass Tides", "Glass Tides", None),
    ("« Glass Tides » : la critique", "Glass Tides", None),
    ("Critique « Glass Tides » : une mer calme", "Glass Tides", None),
    ("Crítica: Glass Tides", "Glass Tides", None),
    ("Crítica de ‘Glass Tides’: un mar en calma", "Glass Tides", None),
    ("‘Glass Tides’: crítica", "Glass Tides", None),
    ("Glass Tides (Kritik)", "Glass Tides", None),
    ("Glass Tides | Filmkritik", "Glass Tides", None),
    ("« Glass Tides », la critique", "Glass Tides", None),
    ("Glass Tides, crítica", "Glass Tides", None),
    ("Les Marées de verre : notre critique", "Les Marées de verre", None),  # sentence case before the review word
    ("Mareas de cristal: la crítica", "Mareas de cristal", None),
    ("Critique du film « Les Marées de verre »", "Les Marées de verre", None),
    ("Crítica de la película ‘Mareas de cristal’: un mar en calma", "Mareas de cristal", None),
    ("Kritik zum Film „Glass Tides“", "Glass Tides", None),
])
def test_work_title_formats(headline, work, season):
    got = clean_title(headline, None)
    assert got["title"] == headline
    assert got["work_title"] == work
    assert got["season"] == season


@pytest.mark.parametrize("headline", [
    # dispatches and prose after a festival prefix
    "Sundance 2025: The Films Everyone Is Talking About",
    "Cannes 2025: Day Three Report",
    "Berlinale 2026: Why the Festival Needs a Reset",
    "Sundance 2025: a look at the winners",
    # two works, or no work, reviewed
    "Glass Tides and Harbor Lights reviewed",
    "Tender and terrible: Glass Tides, Harbor Lights and Pale Fire reviewed",
    "The week's new films reviewed",
    # quotations inside a headline are not titles
    "Pia Vance on ‘Glass Tides’: ‘I Was Terrified’",
    "Director Says ‘We Made It for Kids’",
    "‘I Was Terrified’: Pia Vance on Her New Film",
    "Is ‘Glass Tides’ Better Than ‘Harbor Lights’?",
    # scare quotes: no word says a work is meant
    "Cells That ‘Sing’ at Night Warn the Body",
    "The results of the trial? ‘Sobering’",
    "Pia Vance Is ‘Terrific’ Tonight",
    "A Man Developed ‘Salt Orchard Cough’ After Moving House",
    "Understanding the Concept of 'Glass Tides' in Cloud Storage",
    # a capsule line needs stars or a rating after the title
    "Glass Tides",
    "Plan B",
    # foreign prose headlines
    "Kritik an der Filmförderung wächst",
    "Die Kritik hat entschieden",
    "La critique est unanime",
    "Critique : une mer calme et froide",  # a dek after the review word: sentence case is no title here
    "Crítica: una película tranquila",
    "le film est beau : la critique",  # no capital: prose
    "Ce film. Vraiment : la critique",
    "Glass Tides, Harbor Lights, crítica",  # a list
])
def test_no_work_title(headline):
    assert clean_title(headline, None)["work_title"] is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_work_title_is_part_of_the_headline(s):
    got = clean_title(s, None)
    w = got["work_title"]
    if w is not None:
        assert w and w.strip() == w
        assert w.casefold() in got["title"].casefold() or w in got["title"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Sundance 2025: ", "Kritik: ", "Critique : ", "Crítica: ", "Film Review: ", ""]),
       st.text(max_size=60), st.sampled_from(["", " reviewed", " ★★★ (R)", " Season 2 Review (Spoiler-Free)", "?"]))
def test_never_raises_on_format_soup(prefix, middle, suffix):
    got = clean_title(prefix + middle + suffix, None)
    assert list(got) == ["title", "work_title", "season", "episode"]
