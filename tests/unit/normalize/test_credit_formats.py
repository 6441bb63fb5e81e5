"""Credit-block formats from issue 14, written from the format with invented names only.

Each case is a shape seen on critics' sites (bullets, labels run together, trade-paper prose
blocks, capsules, aggregator info panels, German/French/Spanish labels); the property tests
check that whatever a block yields as names are names (no sentence, no question, no URL).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.credits import credit_role, parse_credits

NAME_KEYS = ("director", "writer", "starring", "creator", "producer", "cinematographer", "editor", "composer")


def credits(**kw):
    out = {"director": [], "writer": [], "starring": [], "release_date": None, "platform": None}
    out.update(kw)
    return out


# ------------------------------------------------------------------ bullets and list markers
@pytest.mark.parametrize("marker", ["• ", "· ", "- ", "– ", "* ", "▪ ", "► ", "1. ", "2) ", "— "])
def test_list_markers_before_labels(marker):
    text = f"{marker}Director: Mina Sol\n{marker}Cast: Pia Vance, Quin Hale\n{marker}Runtime: 97 min"
    got = parse_credits(text)
    assert got == credits(director=["Mina Sol"], starring=["Pia Vance", "Quin Hale"], runtime_minutes=97)
    assert credit_role(f"{marker}Director: Mina Sol") == "director"


def test_html_list_of_credits():
    html = "<ul><li>Director: Mina Sol</li><li>Writers: Mina Sol &amp; Oda Renn</li><li>Stars: Pia Vance</li></ul>"
    assert parse_credits(html) == credits(director=["Mina Sol"], writer=["Mina Sol", "Oda Renn"], starring=["Pia Vance"])


# ------------------------------------------------------------------ several labels on one line
def test_labels_run_together_on_one_line():
    text = (
        "Cast: Pia Vance, Quin Hale, Rod Sim Director: Mina Sol Screenwriter: Oda Renn "
        "Distributor: Gullwing Pictures Running time: 1 hr 52 min Rating: PG-13 Year: 2024"
    )
    got = parse_credits(text)
    assert got == credits(
        director=["Mina Sol"], writer=["Oda Renn"], starring=["Pia Vance", "Quin Hale", "Rod Sim"],
        runtime_minutes=112, content_rating="PG-13", distributor="Gullwing Pictures", year=2024,
    )


def test_run_together_needs_a_capitalised_label():
    # "cast:" in lower case inside a value is prose, not a new field
    got = parse_credits("Starring: Pia Vance, Quin Hale")
    assert got["starring"] == ["Pia Vance", "Quin Hale"]


# ------------------------------------------------------------------ trade-paper prose blocks
TRADE_BLOCK = (
    "A Gullwing Pictures release of a Pike Works production. Produced by Ann Vale, Bo Reyes. "
    "Directed by Cy Moon. Screenplay, Cy Moon, Dee Lark, based on the novel by Eli Frost. "
    "Camera (color, widescreen), Fay Dunn; editor, Gil Hart; music, Hal Ivo; production designer, Ina Jay.\n"
    "Reviewed at Example Hall, Pike City, May 3, 2025. MPA Rating: R. Running time: 112 MIN.\n"
    "With: Pia Vance, Quin Hale, Rod Sim."
)


def test_trade_paper_prose_block():
    got = parse_credits(TRADE_BLOCK)
    assert got == credits(
        director=["Cy Moon"], writer=["Cy Moon", "Dee Lark"], starring=["Pia Vance", "Quin Hale", "Rod Sim"],
        producer=["Ann Vale", "Bo Reyes"], cinematographer=["Fay Dunn"], editor=["Gil Hart"], composer=["Hal Ivo"],
        runtime_minutes=112, content_rating="R", distributor="Gullwing Pictures",
    )
    assert "Eli Frost" not in got["writer"]


def test_trade_paper_crew_with_production_lines():
    text = (
        "Production: A Gullwing Pictures release of a Pike Works, Tern Media production. "
        "Producers: Ann Vale, Bo Reyes.\n"
        "Crew: Director: Cy Moon. Screenplay: Cy Moon, Dee Lark. Camera: Fay Dunn. Editor: Gil Hart. Music: Hal Ivo.\n"
        "With: Pia Vance, Quin Hale."
    )
    got = parse_credits(text)
    assert got == credits(
        director=["Cy Moon"], writer=["Cy Moon", "Dee Lark"], starring=["Pia Vance", "Quin Hale"],
        producer=["Ann Vale", "Bo Reyes"], cinematographer=["Fay Dunn"], editor=["Gil Hart"], composer=["Hal Ivo"],
        distributor="Gullwing Pictures",
    )


def test_trade_header_with_country_and_runtime():
    text = "(Belgium-France) A Gullwing Pictures release. Running time: 104 MIN.\nDirector: Cy Moon"
    got = parse_credits(text)
    assert got["country"] == "Belgium-France"
    assert got["distributor"] == "Gullwing Pictures"
    assert got["runtime_minutes"] == 104 and got["director"] == ["Cy Moon"]


def test_trade_header_with_country_and_year():
    got = parse_credits("(Belgium/France, 2024) A Gullwing Pictures release of a Pike Works production.")
    assert (got["country"], got["year"], got["distributor"]) == ("Belgium/France", 2024, "Gullwing Pictures")
    got = parse_credits("(Documentary, 2024) A Gullwing Pictures release.")
    assert "country" not in got and "year" not in got  # not countries: the head is left alone


def test_production_line_in_another_shape_gives_no_distributor():
    got = parse_credits("Production: Pike Works and Tern Media, in association with Gull\nDirector: Cy Moon")
    assert "distributor" not in got and got["director"] == ["Cy Moon"]


@pytest.mark.parametrize("line", [
    "Creators, Coaches & Authors", "Music, Film & TV", "Writers, Editors and Designers", "Cast, Crew & Friends",
])
def test_a_menu_of_nouns_is_no_comma_label(line):
    got = parse_credits(line)
    assert not any(got.get(k) for k in ("director", "writer", "starring", "creator", "composer", "editor"))
    assert credit_role(line) is None


def test_comma_label_followed_by_prose_is_not_a_credit():
    got = parse_credits("Directed by Cy Moon. Music, dance and a lot of noise fill the hall.")
    assert got == credits(director=["Cy Moon"])


# ------------------------------------------------------------------ capsules
@pytest.mark.parametrize("text,director,starring", [
    ("Directed by Cy Moon. With Pia Vance, Quin Hale, Rod Sim.", ["Cy Moon"], ["Pia Vance", "Quin Hale", "Rod Sim"]),
    ("Directed by Cy Moon and Dee Lark. With Pia Vance and Quin Hale.", ["Cy Moon", "Dee Lark"], ["Pia Vance", "Quin Hale"]),
    ("Written and directed by Cy Moon. With Pia Vance.", ["Cy Moon"], ["Pia Vance"]),
])
def test_directed_by_with_capsule(text, director, starring):
    got = parse_credits(text)
    assert got["director"] == director and got["starring"] == starring


@pytest.mark.parametrize("text", [
    "With Pia Vance and Quin Hale in the headlines, is the festival still worth the trip?",
    "With Pia Vance, Quin Hale and a new cast, is this the best season yet?",
    "With this film, the director Cy Moon returns.",
    "Directed by Cy Moon. With a cast this good, nothing can go wrong.",
    "With Pia Vance. Is it good?",
])
def test_prose_with_is_never_starring(text):
    assert parse_credits(text)["starring"] == []


def test_with_line_does_not_take_a_word_of_the_next_element():
    # a <br>-separated block whose last line is followed by a section label in its own element
    html = "<p>Director: Cy Moon<br>With: Pia Vance, Quin Hale</p><span>Film</span>"
    got = parse_credits(html)
    assert got["starring"] == ["Pia Vance", "Quin Hale"]
    got = parse_credits("With: Pia Vance, Quin Hale\nFilm")
    assert got["starring"] == ["Pia Vance", "Quin Hale"]


# ------------------------------------------------------------------ aggregator info panels
def test_aggregator_info_panel():
    text = (
        "Rating: PG-13 (Brief Language)\nGenre: Drama\nOriginal Language: English\n"
        "Directed By: Cy Moon\nProducer: Ann Vale\nWritten By: Dee Lark, Eli Frost\n"
        "In Theaters: May 30, 2025  wide\nOn Disc/Streaming: Jul 1, 2025\n"
        "Box Office (Gross USA): $12.3M\nRuntime: 1h 52m\nDistributor: Gullwing Pictures\nStudio: Pike Works"
    )
    got = parse_credits(text)
    assert got == credits(
        director=["Cy Moon"], writer=["Dee Lark", "Eli Frost"], release_date="2025-05-30", platform="theaters",
        producer=["Ann Vale"], runtime_minutes=112, content_rating="PG-13", distributor="Gullwing Pictures",
        studio="Pike Works",
    )


def test_disc_release_alone_is_not_the_release_date():
    got = parse_credits("On Disc/Streaming: Jul 1, 2025\nRelease Date (Streaming): Jul 1, 2025\nDirected By: Cy Moon")
    assert got["release_date"] is None and got["director"] == ["Cy Moon"]


def test_release_date_theaters_qualifier():
    got = parse_credits("Release Date (Theaters): May 30, 2025, Wide")
    assert got["release_date"] == "2025-05-30" and got["platform"] == "theaters"


# ------------------------------------------------------------------ "Title" (directed by X and Y)
def test_quoted_title_directed_by_with_where_to_find_it():
    text = "“Glass Tides” (directed by Cy Moon and Dee Lark)\nWhere to Find It: Netflix"
    got = parse_credits(text)
    assert got == credits(director=["Cy Moon", "Dee Lark"], platform="Netflix")
    got = parse_credits("\"Glass Tides\" (directed by Cy Moon)\nWhere to Find It: In theaters")
    assert got == credits(director=["Cy Moon"], platform="theaters")


def test_quoted_title_with_prose_in_parentheses_is_not_a_credit():
    assert parse_credits("“Glass Tides” (directed by a man who clearly loves the sea)")["director"] == []


# ------------------------------------------------------------------ German, French, Spanish
def test_german_labels():
    text = (
        "Regie: Cy Moon\nDrehbuch: Dee Lark, Eli Frost\nDarsteller: Pia Vance, Quin Hale\n"
        "Kamera: Fay Dunn\nSchnitt: Gil Hart\nMusik: Hal Ivo\nLaufzeit: 112 Minuten\nProduktionsland: Belgien\n"
        "Verleih: Gullwing Filmverleih\nFSK: 12"
    )
    got = parse_credits(text)
    assert got == credits(
        director=["Cy Moon"], writer=["Dee Lark", "Eli Frost"], starring=["Pia Vance", "Quin Hale"],
        cinematographer=["Fay Dunn"], editor=["Gil Hart"], composer=["Hal Ivo"], runtime_minutes=112,
        content_rating="12", distributor="Gullwing Filmverleih", country="Belgien",
    )


def test_german_besetzung_and_mit():
    assert parse_credits("Besetzung: Pia Vance, Quin Hale")["starring"] == ["Pia Vance", "Quin Hale"]
    assert parse_credits("Regie: Cy Moon\nMit: Pia Vance und Quin Hale")["starring"] == ["Pia Vance", "Quin Hale"]


def test_french_labels():
    text = (
        "Réalisation : Cy Moon\nScénario : Dee Lark et Eli Frost\nAvec : Pia Vance, Quin Hale\n"
        "Photographie : Fay Dunn\nMontage : Gil Hart\nMusique : Hal Ivo\nDurée : 1h52\nPays : Belgique\n"
        "Distributeur : Gullwing Films"
    )
    got = parse_credits(text)
    assert got == credits(
        director=["Cy Moon"], writer=["Dee Lark", "Eli Frost"], starring=["Pia Vance", "Quin Hale"],
        cinematographer=["Fay Dunn"], editor=["Gil Hart"], composer=["Hal Ivo"], runtime_minutes=112,
        distributor="Gullwing Films", country="Belgique",
    )


def test_french_distribution_is_never_a_distributor_made_of_people():
    # "Distribution :" is the cast on French pages, a distributor on English ones: names of
    # people are not a distributor, and the field stays empty rather than guessed.
    got = parse_credits("Réalisation : Cy Moon\nDistribution : Pia Vance, Quin Hale")
    assert "distributor" not in got


def test_spanish_labels():
    text = (
        "Dirección: Cy Moon\nGuion: Dee Lark y Eli Frost\nReparto: Pia Vance, Quin Hale\n"
        "Fotografía: Fay Dunn\nMontaje: Gil Hart\nMúsica: Hal Ivo\nDuración: 112 minutos\nPaís: Bélgica\n"
        "Distribuidora: Gullwing Films"
    )
    got = parse_credits(text)
    assert got == credits(
        director=["Cy Moon"], writer=["Dee Lark", "Eli Frost"], starring=["Pia Vance", "Quin Hale"],
        cinematographer=["Fay Dunn"], editor=["Gil Hart"], composer=["Hal Ivo"], runtime_minutes=112,
        distributor="Gullwing Films", country="Bélgica",
    )


@pytest.mark.parametrize("line,role", [
    ("Regie: Cy Moon", "director"), ("Drehbuch: Dee Lark", "writer"), ("Darsteller: Pia Vance", "starring"),
    ("Réalisation : Cy Moon", "director"), ("Avec : Pia Vance", "starring"), ("Scénario : Dee Lark", "writer"),
    ("Dirección: Cy Moon", "director"), ("Reparto: Pia Vance", "starring"), ("Guion: Dee Lark", "writer"),
    ("Réalisé par Cy Moon", "director"), ("Dirigida por Cy Moon", "director"), ("Elenco: Pia Vance", "starring"),
])
def test_foreign_credit_roles(line, role):
    assert credit_role(line) == role


@pytest.mark.parametrize("text", [
    "Dirección: Av. del Puerto 742, Pike City",  # an address, not a director
    "Director: Pia Vance 2025",
    "Regie: 12.05.2025",
])
def test_numbers_are_not_names(text):
    assert parse_credits(text)["director"] == []


def test_photo_credit_is_no_cinematographer():
    assert "cinematographer" not in parse_credits("Image: Pike Photo Agency\nDirector: Cy Moon")


@pytest.mark.parametrize("line", [
    "Avec ce film, Cy Moon revient au drame.", "Mit diesem Film kehrt Cy Moon zurück.",
    "Regie führte diesmal eine Debütantin, und das merkt man.",
])
def test_foreign_prose_is_no_credit(line):
    got = parse_credits(line)
    assert got["director"] == [] and got["starring"] == []


# ------------------------------------------------------------------ properties
_BAD_NAME_RE = re.compile(r"[?!]|https?://|www\.|\.(?:com|org|net)\b|@")


def _assert_names_are_names(got):
    for key in NAME_KEYS:
        for name in got.get(key, []):
            assert not _BAD_NAME_RE.search(name), (key, name)
            assert len(name.split()) <= 7, (key, name)
            # no sentence: no ". " followed by a lower-case word, no lower-case-led name
            assert not re.search(r"\.\s[a-z]", name), (key, name)
            first = name.split()[0]
            assert not first[:1].islower() or first in ("de", "van", "von", "da", "di", "du", "le", "la"), (key, name)


_LABELS = st.sampled_from([
    "Director: ", "Cast: ", "With: ", "With ", "Starring ", "Written by ", "Directed by ", "Regie: ", "Avec : ",
    "Reparto: ", "Screenplay, ", "Crew: ", "Stars: ", "• Director: ", "",
])
_WORDS = st.sampled_from([
    "Pia Vance", "Quin Hale", "is", "this", "the", "best", "season", "yet?", "https://example.com/a",
    "www.example.org", "and", ",", ".", "in", "headlines", "Why", "Does", "It", "Work?", "@pia", "Film",
    "a", "new", "cast", "!", "Cy Moon",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_LABELS, st.lists(_WORDS, max_size=12)), max_size=6))
def test_names_are_names(parts):
    text = "\n".join(label + " ".join(words) for label, words in parts)
    got = parse_credits(text)
    _assert_names_are_names(got)
    got_one_line = parse_credits(" ".join(label + " ".join(words) for label, words in parts))
    _assert_names_are_names(got_one_line)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_names_are_names_on_any_text(s):
    _assert_names_are_names(parse_credits("Starring: " + s))
    _assert_names_are_names(parse_credits("Directed by " + s))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_LABELS, st.lists(_WORDS, max_size=8)), max_size=5))
def test_parse_is_stable_on_its_own_output(parts):
    """Writing the parsed credits back as a block and parsing again gives the same names."""
    got = parse_credits("\n".join(label + " ".join(words) for label, words in parts))
    block = "\n".join(f"{k.capitalize()}: {', '.join(got[k])}" for k in ("director", "writer", "starring") if got[k])
    again = parse_credits(block.replace("Starring:", "Cast:"))
    for k in ("director", "writer", "starring"):
        assert again[k] == got[k]


@pytest.mark.parametrize("text", [
    "With:\nPia Vance, Quin Hale\nFilm",
    "With: Pia Vance,\nQuin Hale\nFilm",
    "Starring\nPia Vance\nQuin Hale\nReviews",
    "With: Pia Vance, Quin Hale, TV",
])
def test_section_word_after_a_cast_is_not_a_name(text):
    assert parse_credits(text)["starring"] == ["Pia Vance", "Quin Hale"]


@pytest.mark.parametrize("text", [
    "With: Pia Vance and Quin Hale in the headlines, is the festival still worth the trip?",
    "With: Pia Vance and Quin Hale in the headlines, the festival is busy.",
    "Cast: Pia Vance, Quin Hale, who both shine here",
])
def test_prose_after_a_colon_label_gives_no_prose_names(text):
    got = parse_credits(text)["starring"]
    assert all(n in ("Pia Vance", "Quin Hale") for n in got)
