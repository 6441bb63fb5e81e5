"""German, French and Spanish critics' pages (issue 14): grade lines above or below the headline,
grade words, review headlines and dates, written from the formats with invented titles and names.
Each page is a small document read through ``crawler.api.extract_review`` (the crawl's own path).
"""

from __future__ import annotations

import pytest

from crawler.api import extract_review

BODY = {
    "de": "Der Leuchtturmwärter zählt nachts die Schiffe und schreibt ihre Namen in ein Heft, Seite um Seite.",
    "fr": "Le gardien du phare compte les navires la nuit et note leurs noms dans un carnet, page après page.",
    "es": "El farero cuenta los barcos por la noche y anota sus nombres en un cuaderno, página tras página.",
    "en": "The lighthouse keeper counts the ships at night and writes their names in a notebook, page by page.",
}
HEADLINE = {"de": "Kritik: Hafenlichter", "fr": "Critique : « Les Feux du port »", "es": "Crítica: ‘Luces del puerto’",
            "en": "Harbor Lights review"}
URL = {"de": "https://kino.example/kritik/hafenlichter", "fr": "https://cine.example/critique/les-feux-du-port",
       "es": "https://cine.example/criticas/luces-del-puerto", "en": "https://critic.example/reviews/harbor-lights"}


def page(lang: str, *, above: str = "", below: str = "", after: str = "", head: str = "", headline: str | None = None,
         declared: bool = True) -> str:
    text = "".join(f"<p>{BODY[lang]} {i}</p>" for i in range(10))
    lang_attr = f' lang="{lang}"' if declared else ""
    headline = headline or HEADLINE[lang]
    return (f"<html{lang_attr}><head><title>{headline}</title>{head}</head><body><article>{above}<h1>{headline}</h1>"
            f'{below}<div class="article-body">{text}</div>{after}</article></body></html>')


def read(lang: str, **kw) -> dict | None:
    return extract_review(page(lang, **kw), URL[lang])


def num(raw, value, best, score, scale="numeric"):
    return {"raw": raw, "scale": scale, "value": value, "best": best, "score": score, "letter": None}


# ------------------------------------------------------------------ grade lines
GRADE_LINES = [
    ("de", "<p>Bewertung: 4/5</p>", num("4/5", 4, 5, 80)),
    ("de", "<p><strong>Wertung:</strong> ★★★★☆</p>", num("★★★★☆", 4, 5, 80, "stars")),
    ("de", "<p>Unsere Bewertung: 7/10</p>", num("7/10", 7, 10, 70)),
    ("de", "<p>Bewertung: vier von fünf Sternen</p>", num("vier von fünf Sternen", 4, 5, 80, "stars")),
    ("fr", "<p>Note : 3/5</p>", num("3/5", 3, 5, 60)),
    ("fr", "<p>Notre note : 3,5/5</p>", num("3,5/5", 3.5, 5, 70)),
    ("fr", "<p>Note : quatre étoiles sur cinq</p>", num("quatre étoiles sur cinq", 4, 5, 80, "stars")),
    ("es", "<p>Calificación: 8/10</p>", num("8/10", 8, 10, 80)),
    ("es", "<p>Puntuación: 4 de 5</p>", num("4 de 5", 4, 5, 80)),
    ("es", "<p>Valoración: tres de cinco estrellas</p>", num("tres de cinco estrellas", 3, 5, 60, "stars")),
]


@pytest.mark.parametrize("lang,line,expected", GRADE_LINES)
def test_grade_line_above_the_headline(lang, line, expected):
    rec = read(lang, above=line)
    assert rec is not None and rec["grade"] == expected


@pytest.mark.parametrize("lang,line,expected", GRADE_LINES)
def test_grade_line_below_the_headline(lang, line, expected):
    rec = read(lang, below=line)
    assert rec is not None and rec["grade"] == expected


@pytest.mark.parametrize("lang,line,expected", GRADE_LINES)
def test_grade_line_after_the_body(lang, line, expected):
    rec = read(lang, after=line)
    assert rec is not None and rec["grade"] == expected


@pytest.mark.parametrize("lang,block,expected", [
    ("de", "<p>8/10</p><p>Sehr gut</p>", num("8/10", 8, 10, 80)),
    ("de", "<div>4/5</div><div>Sehenswert</div>", num("4/5", 4, 5, 80)),
    ("fr", "<p>7/10</p><p>Très bien</p>", num("7/10", 7, 10, 70)),
    ("es", "<p>6/10</p><p>Regular</p>", num("6/10", 6, 10, 60)),
    ("en", "<div>8/10</div><div>Great</div>", num("8/10", 8, 10, 80)),
    ("de", "<dl><dt>Bewertung</dt><dd>4/5</dd></dl>", num("4/5", 4, 5, 80)),
    ("fr", "<div><span>Note</span><div>3/5</div></div>", num("3/5", 3, 5, 60)),
])
def test_grade_over_two_lines_below_the_headline(lang, block, expected):
    """A score followed by a verdict word on the next line, or a label above its value."""
    rec = read(lang, after=block)
    assert rec is not None and rec["grade"] == expected


@pytest.mark.parametrize("lang,block", [
    ("de", "<p>Bewertung der Leser: 4/5</p>"),  # the readers' rating is not the critic's
    ("fr", "<p>Note des lecteurs : 4/5</p>"),
    ("es", "<p>Valoración de los usuarios: 4/5</p>"),
    ("de", "<p>8/10</p>"),  # a bare score below the headline: unsure
    ("de", "<p>8/10</p><p>Weiterlesen</p>"),
    ("en", "<p>3/4</p><p>cup of flour</p>"),
    ("fr", "<p>Note : voir plus bas</p>"),
    ("es", "<p>Nota: de 5 a 7</p>"),
    ("de", "<p>Bewertung:</p><p>Das ist ein schöner Film, der lange nachwirkt.</p>"),
])
def test_near_miss_lines_give_no_grade(lang, block):
    rec = read(lang, after=block, below="<p>Regie: Cy Moon</p>")
    assert rec is not None and rec["grade"] is None


# ------------------------------------------------------------------ headlines
@pytest.mark.parametrize("lang,headline,work", [
    ("de", "Hafenlichter – Kritik", "Hafenlichter"),
    ("de", "Hafenlichter (Kritik)", "Hafenlichter"),
    ("de", "Hafenlichter | Filmkritik", "Hafenlichter"),
    ("de", "Filmkritik zu „Hafenlichter“", "Hafenlichter"),
    ("fr", "Les Feux du port : notre critique", "Les Feux du port"),
    ("fr", "« Les Feux du port », la critique", "Les Feux du port"),
    ("fr", "Critique du film « Les Feux du port »", "Les Feux du port"),
    ("es", "Luces del puerto: la crítica", "Luces del puerto"),
    ("es", "Luces del puerto, crítica", "Luces del puerto"),
    ("es", "Crítica de la película ‘Luces del puerto’", "Luces del puerto"),
    ("es", "Reseña: Luces", "Luces"),
])
def test_foreign_review_headlines_name_the_work(lang, headline, work):
    rec = read(lang, headline=headline, below="<p>Regie: Cy Moon</p>")
    assert rec is not None and rec["work_title"] == work


@pytest.mark.parametrize("lang,headline", [
    ("fr", "Critique : un film magnifique et froid"),  # a dek after the review word, not a title
    ("es", "Crítica: una película tranquila"),
    ("de", "Die Kritik hat entschieden"),
])
def test_foreign_headlines_without_a_title_give_none(lang, headline):
    rec = read(lang, headline=headline, below="<p>Regie: Cy Moon</p>")
    assert rec is None or rec["work_title"] is None


# ------------------------------------------------------------------ dates
def _dated(lang: str, when: str, *, declared: bool = True, meta: bool = False) -> dict | None:
    if meta:
        return read(lang, head=f'<meta property="article:published_time" content="{when}">', declared=declared,
                    below="<p>Regie: Cy Moon</p>")
    return read(lang, below=f'<p class="byline">Von Pia Vance, <time>{when}</time></p><p>Regie: Cy Moon</p>',
                declared=declared)


@pytest.mark.parametrize("lang,when,iso", [
    ("de", "12. März 2025", "2025-03-12"),
    ("de", "Mittwoch, 12. März 2025", "2025-03-12"),
    ("de", "1. Mai 2025", "2025-05-01"),
    ("fr", "12 mars 2025", "2025-03-12"),
    ("fr", "1er avril 2025", "2025-04-01"),
    ("fr", "mercredi 12 mars 2025", "2025-03-12"),
    ("es", "12 de marzo de 2025", "2025-03-12"),
    ("es", "1 de abril del 2025", "2025-04-01"),
    ("de", "12.03.2025", "2025-03-12"),
    ("fr", "12/03/2025", "2025-03-12"),
    ("es", "05/04/2025", "2025-04-05"),
])
@pytest.mark.parametrize("meta", [False, True], ids=["time", "meta"])
def test_foreign_dates(lang, when, iso, meta):
    rec = _dated(lang, when, meta=meta)
    assert rec is not None and rec["published_at"] == iso


@pytest.mark.parametrize("when", ["12.03.2025", "05.04.2025"])
@pytest.mark.parametrize("meta", [False, True], ids=["time", "meta"])
def test_ambiguous_numeric_date_without_a_page_language_is_missing(when, meta):
    rec = _dated("de", when, declared=False, meta=meta)
    assert rec is not None and rec["published_at"] is None


def test_unambiguous_numeric_date_needs_no_language():
    rec = _dated("de", "24.03.2025", declared=False)
    assert rec is not None and rec["published_at"] == "2025-03-24"


def test_day_first_page_reads_no_month_first_date():
    """``03/24/2025`` cannot be day-first: on a French page it is no date (never read month-first)."""
    rec = _dated("fr", "03/24/2025")
    assert rec is not None and rec["published_at"] is None


def test_release_date_credit_in_german():
    rec = read("de", below="<p>Regie: Cy Moon<br>Kinostart: 12.03.2025</p>")
    assert rec is not None and rec["credits"]["release_date"] == "2025-03-12"
    rec = read("de", below="<p>Regie: Cy Moon<br>Kinostart: 12. März 2025</p>")
    assert rec is not None and rec["credits"]["release_date"] == "2025-03-12"


def test_grade_lines_that_disagree_give_no_grade():
    """A list's items each with a grade line: no one of them is the page's grade."""
    rec = read("fr", below="<p>Réalisation : Cy Moon</p>", after="<p>Note : 4/5</p><p>Note : 2/5</p>")
    assert rec is not None and rec["grade"] is None


def test_the_same_grade_twice_is_the_grade():
    rec = read("de", below="<p>Bewertung: 4/5</p>", after="<p>Unsere Bewertung: 4/5</p>")
    assert rec is not None and rec["grade"] == num("4/5", 4, 5, 80)


@pytest.mark.parametrize("lang,lead", [("en", "Last updated"), ("de", "Aktualisiert am"), ("fr", "Mis à jour le"),
                                       ("es", "Actualizado el")])
def test_an_update_date_is_not_the_publication_date(lang, lead):
    rec = read(lang, below=f'<p class="byline">{lead} <time>24.03.2025</time></p><p>Regie: Cy Moon</p>')
    assert rec is not None and rec["published_at"] is None
    rec = read(lang, below='<p class="byline"><time>24.03.2025</time></p><p>Regie: Cy Moon</p>')
    assert rec is not None and rec["published_at"] == "2025-03-24"
