"""Review recognition beyond English film/TV pages, and the record's ``kind`` (issue 14).

Pages are small invented documents read through ``crawler.api.extract_review`` (the crawl's
own path); the kind table tests :func:`crawler.extract.classify.work_kind` directly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crawler.api import extract_review
from crawler.extract.classify import (
    OG_KINDS, SECTION_KINDS, WORK_KINDS, headline_is_listicle, headline_is_review, review_verdict,
    url_is_review, work_kind, ReviewSignals,
)
from crawler.record.build import KINDS, normalize_record
from crawler.record.validate import record_errors
from crawler.sites.config import SiteConfig, SiteConfigError

SCHEMA = Path(__file__).resolve().parents[3] / "crawler" / "record" / "schema" / "review-v1.schema.json"
BODY = " ".join(["The record moves from hush to roar and back, and every turn lands where it should."] * 12)


def page(headline, jsonld=None, extra="", lang="en"):
    script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    return (
        f'<html lang="{lang}"><head><title>{headline}</title>{script}</head><body><article>'
        f"<h1>{headline}</h1>{extra}<div class=\"article-body\"><p>{BODY}</p><p>{BODY}</p></div>"
        "</article></body></html>"
    )


def review_ld(item, rating, body=None):
    node = {"@context": "https://schema.org", "@type": "Review", "itemReviewed": item, "reviewRating": rating,
            "author": {"@type": "Person", "name": "Pia Vance"}}
    if body:
        node["reviewBody"] = body
    return node


# ------------------------------------------------------------------ kinds
@pytest.mark.parametrize("types,og,section,kind", [
    ({"Movie"}, None, None, "film"),
    ({"TVSeason"}, None, None, "tv"),
    ({"MusicAlbum"}, None, None, "album"),
    ({"MusicRecording"}, None, None, "album"),
    ({"VideoGame"}, None, None, "game"),
    ({"Book"}, None, None, "book"),
    ({"TheaterEvent"}, None, None, "other"),
    ({"Product"}, None, None, "other"),
    ({"VideoGame", "SoftwareApplication"}, None, None, "game"),  # the specific kind wins over "other"
    ({"Movie", "Book"}, None, None, None),  # two kinds: no guess
    ({"CreativeWork"}, None, None, None),  # a generic work says nothing
    ({"Thing"}, "music.album", None, "album"),
    (set(), "book", None, "book"),
    (set(), "article", "Album Reviews", "album"),
    (set(), None, "Video Games", "game"),
    (set(), None, "Book  reviews", "book"),
    (set(), None, "Music", None),  # a music section also has concert reviews: no guess
    (set(), None, "Games", None),  # a newspaper's games are puzzles
    (set(), None, None, None),
])
def test_work_kind(types, og, section, kind):
    assert work_kind(types, og_type=og, section=section) == kind


def test_every_kind_is_in_the_schema_and_the_record():
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert schema["properties"]["kind"]["enum"] == [*KINDS, None]
    assert set(WORK_KINDS.values()) | set(OG_KINDS.values()) | set(SECTION_KINDS.values()) <= set(KINDS)
    for kind in KINDS:
        rec = normalize_record({"url": "https://critic.example/r/1", "site": "critic.example", "kind": kind, "title": "T"})
        assert rec["kind"] == kind
    assert normalize_record({"url": "https://critic.example/r/1", "kind": "podcast", "title": "T"})["kind"] is None


def test_site_config_kind():
    assert SiteConfig.from_dict("spinlog", {"hosts": ["spinlog.example"], "kind": "album"}).kind == "album"
    with pytest.raises(SiteConfigError, match="kind"):
        SiteConfig.from_dict("spinlog", {"hosts": ["spinlog.example"], "kind": "music"})


# ------------------------------------------------------------------ albums, games, books with a critic's score
def test_album_review_with_a_decimal_score():
    html = page("Pike Harbor: Low Tide Songs", review_ld(
        {"@type": "MusicAlbum", "name": "Low Tide Songs", "byArtist": {"@type": "MusicGroup", "name": "Pike Harbor"}},
        {"@type": "Rating", "ratingValue": "6.2", "bestRating": "10"}))
    rec = extract_review(html, "https://spinlog.example/albums/low-tide-songs")
    assert rec is not None and not record_errors(rec)
    assert rec["kind"] == "album" and rec["work_title"] == "Low Tide Songs"
    assert (rec["grade"]["value"], rec["grade"]["best"], rec["grade"]["score"]) == (6.2, 10, 62)


def test_game_review_four_of_five_stars():
    html = page("Tern Valley review", review_ld(
        {"@type": "VideoGame", "name": "Tern Valley"}, {"@type": "Rating", "ratingValue": 4, "bestRating": 5}))
    rec = extract_review(html, "https://playpress.example/tern-valley")
    assert rec is not None and rec["kind"] == "game"
    assert rec["grade"]["score"] == 80


def test_book_review_kind():
    html = page("Review: The Salt Orchard", review_ld(
        {"@type": "Book", "name": "The Salt Orchard", "author": {"@type": "Person", "name": "Oda Renn"}},
        {"@type": "Rating", "ratingValue": 4, "bestRating": 5}))
    rec = extract_review(html, "https://shelfnotes.example/salt-orchard")
    assert rec is not None and rec["kind"] == "book"
    assert rec["credits"]["writer"] == []  # a book's author is not a screenwriter


# ------------------------------------------------------------------ German, French, Spanish
def test_german_tv_review_with_structured_data():
    html = page("Rezension: Hafenlichter", review_ld(
        {"@type": "TVSeries", "name": "Hafenlichter"}, {"@type": "Rating", "ratingValue": 4, "bestRating": 5}),
        lang="de")
    rec = extract_review(html, "https://fernsehblatt.example/serien/hafenlichter")
    assert rec is not None and rec["kind"] == "tv" and rec["language"] == "de"
    assert rec["grade"]["score"] == 80


def test_structured_review_in_any_language_is_a_review():
    for lang, headline in (("ja", "港の灯り"), ("pl", "Światła portu"), ("fi", "Sataman valot")):
        html = page(headline, review_ld({"@type": "Movie", "name": headline},
                                        {"@type": "Rating", "ratingValue": 3, "bestRating": 5}), lang=lang)
        rec = extract_review(html, f"https://kino.example/{lang}/1")
        assert rec is not None and rec["kind"] == "film" and rec["grade"]["score"] == 60


@pytest.mark.parametrize("headline", [
    "Kritik: Hafenlichter", "Filmkritik: „Hafenlichter“", "Hafenlichter – Kritik", "„Hafenlichter“ – Rezension: Still",
    "Rezension: Hafenlichter", "Critique : Les Feux du port", "« Les Feux du port » : la critique",
    "Critique « Les Feux du port » : calme", "Crítica: Luces del puerto", "Crítica de ‘Luces del puerto’: calma",
    "‘Luces del puerto’: crítica", "Hafenlichter (Kritik)", "« Les Feux du port », la critique", "Luces del puerto, crítica",
])
def test_foreign_review_headlines(headline):
    assert headline_is_review(headline)


@pytest.mark.parametrize("headline", [
    "Kritik an der Filmförderung wächst", "Die Kritik hat entschieden", "La critique est unanime",
    "Los críticos votan", "Critiques: the year in film", "Hafenlichter, Kritik und Lob", "La critique (suite)",
])
def test_foreign_non_review_headlines(headline):
    assert not headline_is_review(headline)


@pytest.mark.parametrize("url", [
    "https://kino.example/kritik/hafenlichter", "https://kino.example/filmkritiken/hafenlichter",
    "https://cine.example/critique/les-feux", "https://cine.example/criticas/luces", "https://cine.example/resenas/luces",
])
def test_foreign_review_urls(url):
    assert url_is_review(url)


def test_foreign_listicles_and_news_are_not_reviews():
    assert headline_is_listicle("Die 10 besten Filme des Jahres")
    assert headline_is_listicle("Les 10 meilleurs films de 2025")
    assert headline_is_listicle("Las 10 mejores películas del año")
    ok, reason = review_verdict(ReviewSignals(headline="Hafenlichter: Staffel 3 verlängert", has_credits=True,
                                              url="https://kino.example/news/1", body_words=300))
    assert (ok, reason) == (False, "news")


def test_german_review_page_without_structured_data():
    extra = "<p>Regie: Cy Moon<br>Drehbuch: Dee Lark<br>Darsteller: Pia Vance, Quin Hale</p>"
    html = page("Kritik: Hafenlichter", extra=extra, lang="de")
    rec = extract_review(html, "https://kino.example/kritik/hafenlichter")
    assert rec is not None
    assert rec["work_title"] == "Hafenlichter"
    assert rec["credits"]["director"] == ["Cy Moon"] and rec["credits"]["starring"] == ["Pia Vance", "Quin Hale"]


def test_french_review_page_without_structured_data():
    extra = "<p>Réalisation : Cy Moon<br>Scénario : Dee Lark<br>Avec : Pia Vance, Quin Hale</p>"
    html = page("Critique : « Les Feux du port »", extra=extra, lang="fr")
    rec = extract_review(html, "https://cine.example/critique/les-feux-du-port")
    assert rec is not None and rec["work_title"] == "Les Feux du port"
    assert rec["credits"]["writer"] == ["Dee Lark"] and rec["credits"]["starring"] == ["Pia Vance", "Quin Hale"]


def test_spanish_review_page_without_structured_data():
    extra = "<p>Dirección: Cy Moon<br>Guion: Dee Lark<br>Reparto: Pia Vance, Quin Hale</p>"
    html = page("Crítica: ‘Luces del puerto’", extra=extra, lang="es")
    rec = extract_review(html, "https://cine.example/criticas/luces-del-puerto")
    assert rec is not None and rec["work_title"] == "Luces del puerto"
    assert rec["credits"]["director"] == ["Cy Moon"]
    assert not any(re.search(r"[?]|https?:", n) for n in rec["credits"]["starring"])
