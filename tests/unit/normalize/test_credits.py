"""Table-driven and property tests for crawler.normalize.credits (invented names only)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.credits import CREDIT_ROLES, credit_role, parse_credits

BASE = ["director", "writer", "starring", "release_date", "platform"]
ORDER = BASE + [
    "creator", "producer", "cinematographer", "editor", "composer", "releases", "runtime_minutes",
    "content_rating", "distributor", "studio", "country", "year",
]


def credits(**kw):
    out = {"director": [], "writer": [], "starring": [], "release_date": None, "platform": None}
    out.update(kw)
    return out


def check_order(got):
    keys = list(got)
    assert keys[:5] == BASE
    assert keys == [k for k in ORDER if k in got]


def test_basic_block_with_chrome():
    text = (
        "Director: Mina Sol\n"
        "Writer: Mina Sol, Oda Renn\n"
        "Starring: Pia Vance, Quin Hale\n"
        "Release Date: May 30, 2025 (Netflix)\n"
        "Join the discussion..."
    )
    got = parse_credits(text)
    assert got == credits(
        director=["Mina Sol"], writer=["Mina Sol", "Oda Renn"], starring=["Pia Vance", "Quin Hale"],
        release_date="2025-05-30", platform="Netflix",
    )
    check_order(got)


def test_chrome_on_last_line_is_not_part_of_field():
    got = parse_credits("Starring: Pia Vance, Quin Hale\nJoin the discussion...\nDirector: Not Kept")
    assert got["starring"] == ["Pia Vance", "Quin Hale"]
    assert got["director"] == []
    got = parse_credits("Starring: Pia Vance, Quin Hale Join the discussion...")
    assert got["starring"] == ["Pia Vance", "Quin Hale"]


def test_html_dl_labels_in_own_elements():
    html = (
        "<dl><dt>Directors</dt><dd>Ann Vale &amp; Bo Reyes</dd>"
        "<dt>Writers:</dt><dd>Cy&nbsp;Moon</dd>"
        "<dt>Cast</dt><dd>Dee Lark (voice), Eli Frost as The King, Fay Dunn, Jr., and more</dd></dl>"
        "<p>Join the discussion...</p>"
    )
    assert parse_credits(html) == credits(
        director=["Ann Vale", "Bo Reyes"], writer=["Cy Moon"],
        starring=["Dee Lark", "Eli Frost", "Fay Dunn Jr."],
    )


def test_label_alone_then_value_lines():
    text = "Director\nGus Lorne\nStarring\nHana Pike\nIvo Grant\nRelease Date\nSept. 5, 2025"
    assert parse_credits(text) == credits(
        director=["Gus Lorne"], starring=["Hana Pike", "Ivo Grant"], release_date="2025-09-05",
    )


def test_table_rows():
    html = "<table><tr><th>Director</th><td>Jo Kern</td></tr><tr><th>Music</th><td>Lu Vey</td></tr></table>"
    assert parse_credits(html) == credits(director=["Jo Kern"], composer=["Lu Vey"])


def test_br_separated_html():
    html = "<p>Director: Jo Kern<br>Writer: Kai Mott<br/>Cast: Lin Ode, Max Pry</p>"
    assert parse_credits(html) == credits(director=["Jo Kern"], writer=["Kai Mott"], starring=["Lin Ode", "Max Pry"])


@pytest.mark.parametrize("line,key,names", [
    ("Director: Jo Kern", "director", ["Jo Kern"]),
    ("Directors: Jo Kern, Kai Mott", "director", ["Jo Kern", "Kai Mott"]),
    ("Director(s): Jo Kern", "director", ["Jo Kern"]),
    ("DIRECTOR: Jo Kern", "director", ["Jo Kern"]),
    ("Directed by Jo Kern", "director", ["Jo Kern"]),
    ("Directed by: Jo Kern", "director", ["Jo Kern"]),
    ("Writer: Kai Mott", "writer", ["Kai Mott"]),
    ("Writers: Kai Mott and Lin Ode", "writer", ["Kai Mott", "Lin Ode"]),
    ("Written by Kai Mott", "writer", ["Kai Mott"]),
    ("Screenplay: Kai Mott", "writer", ["Kai Mott"]),
    ("Screenplay by Kai Mott", "writer", ["Kai Mott"]),
    ("Screenwriters: Kai Mott & Lin Ode", "writer", ["Kai Mott", "Lin Ode"]),
    ("Starring: Lin Ode, Max Pry, and Ned Quo", "starring", ["Lin Ode", "Max Pry", "Ned Quo"]),
    ("Stars: Lin Ode; Max Pry", "starring", ["Lin Ode", "Max Pry"]),
    ("Cast: Lin Ode (Mara), Max Pry (Tom)", "starring", ["Lin Ode", "Max Pry"]),
    ("With: Lin Ode, Max Pry", "starring", ["Lin Ode", "Max Pry"]),
    ("Voice cast: Lin Ode, Max Pry", "starring", ["Lin Ode", "Max Pry"]),
    ("Starring Lin Ode and Max Pry", "starring", ["Lin Ode", "Max Pry"]),
    ("Creator: Ona Reed", "creator", ["Ona Reed"]),
    ("Created by Ona Reed", "creator", ["Ona Reed"]),
    ("Producers: Pam Sto, Quill Ray", "producer", ["Pam Sto", "Quill Ray"]),
    ("Produced by Pam Sto", "producer", ["Pam Sto"]),
    ("Cinematographer: Rio Tam", "cinematographer", ["Rio Tam"]),
    ("Camera: Rio Tam", "cinematographer", ["Rio Tam"]),
    ("Director of photography: Rio Tam", "cinematographer", ["Rio Tam"]),
    ("Editor: Sal Umb", "editor", ["Sal Umb"]),
    ("Edited by Sal Umb", "editor", ["Sal Umb"]),
    ("Composer: Tess Vo", "composer", ["Tess Vo"]),
    ("Music: Tess Vo", "composer", ["Tess Vo"]),
    ("Music by Tess Vo", "composer", ["Tess Vo"]),
])
def test_name_labels(line, key, names):
    got = parse_credits(line)
    assert got[key] == names
    check_order(got)
    assert credit_role(line) == key


@pytest.mark.parametrize("line", [
    "Writer/Director: Uma Wex", "Writer-director: Uma Wex", "Director-screenwriter: Uma Wex",
    "Director, writer: Uma Wex", "Written and directed by Uma Wex", "Director & Writer: Uma Wex",
    "Writer and director: Uma Wex",
])
def test_combined_labels_fill_both(line):
    got = parse_credits(line)
    assert got["director"] == ["Uma Wex"] and got["writer"] == ["Uma Wex"]


@pytest.mark.parametrize("value,names", [
    ("Ana Bo, Cy Do", ["Ana Bo", "Cy Do"]),
    ("Ana Bo and Cy Do", ["Ana Bo", "Cy Do"]),
    ("Ana Bo, Cy Do, and Ed Fo", ["Ana Bo", "Cy Do", "Ed Fo"]),
    ("Ana Bo & Cy Do", ["Ana Bo", "Cy Do"]),
    ("Ana Bo; Cy Do", ["Ana Bo", "Cy Do"]),
    ("Ana Bo/Cy Do", ["Ana Bo/Cy Do"]),  # a slash never splits
    ("Ana Bo (voice), Cy Do", ["Ana Bo", "Cy Do"]),
    ("Ana Bo as Queen Mab, Cy Do as the Ferryman", ["Ana Bo", "Cy Do"]),
    ("Gil Han, Jr., Ida Joy", ["Gil Han Jr.", "Ida Joy"]),
    ("Zoë Ångström, Jean-Luc Ôde", ["Zoë Ångström", "Jean-Luc Ôde"]),
    ("Vera van der Berg, Luis de la Cruz", ["Vera van der Berg", "Luis de la Cruz"]),
    ("Zendra, Ana Bo", ["Zendra", "Ana Bo"]),
    ("Ana Bo, Cy Do and more", ["Ana Bo", "Cy Do"]),
    ("Ana Bo, Cy Do\u2026", ["Ana Bo"]),  # may be a truncated name: never guess
    ("Ana Bo, Cy Do, \u2026", ["Ana Bo", "Cy Do"]),
    ("Ana Bo, Cy Do, ...", ["Ana Bo", "Cy Do"]),
    ("Ana Bo, Cy D…", ["Ana Bo"]),
    ("Ana Bo, Ana Bo", ["Ana Bo"]),
    ("The Quell Brothers", ["The Quell Brothers"]),
    ("Ana&nbsp;Bo", ["Ana Bo"]),
    ("Ana Bo, Cy Do.", ["Ana Bo", "Cy Do"]),
    ("Kim Tae-ri, Hong Kyung", ["Kim Tae-ri", "Hong Kyung"]),
])
def test_name_separators_and_cleanup(value, names):
    assert parse_credits("Starring: " + value)["starring"] == names


def test_list_wrapping_onto_next_line():
    got = parse_credits("Starring: Ana Bo, Cy Do,\nEd Fo, Gus Ho\nDirector: Ida Jo")
    assert got["starring"] == ["Ana Bo", "Cy Do", "Ed Fo", "Gus Ho"]
    assert got["director"] == ["Ida Jo"]


def test_unlabelled_prose_does_not_extend_a_list():
    got = parse_credits("Starring: Ana Bo, Cy Do\nWith this film, the director returns to form.")
    assert got["starring"] == ["Ana Bo", "Cy Do"]


def test_source_material_is_not_a_writer():
    got = parse_credits("Screenplay: Kai Mott, based on the novel by Lin Ode")
    assert got["writer"] == ["Kai Mott"]
    got = parse_credits("Writer: Kai Mott\nBased on the novel by Lin Ode")
    assert got["writer"] == ["Kai Mott"]


def test_executive_producers_are_not_producers():
    got = parse_credits("Executive producers: Ana Bo, Cy Do\nProducer: Ed Fo\nExecutive produced by Gus Ho")
    assert got["producer"] == ["Ed Fo"]
    assert credit_role("Executive producers: Ana Bo") == "other"


def test_variety_style_block():
    text = (
        "Reviewed at Sundance Film Festival (Premieres), Jan. 24, 2025. MPA Rating: R. Running time: 119 MIN.\n"
        "Production: A Pike Pictures release of a Gull production.\n"
        "Crew: Director: Han Vo. Screenplay: Ava Po, Bo Li. Camera: Cam Ro. Editor: Ed Su. Music: Mo Ti.\n"
        "With: Jane Quill, Jon Rook."
    )
    got = parse_credits(text)
    assert got == credits(
        director=["Han Vo"], writer=["Ava Po", "Bo Li"], starring=["Jane Quill", "Jon Rook"],
        cinematographer=["Cam Ro"], editor=["Ed Su"], composer=["Mo Ti"], runtime_minutes=119,
        content_rating="R", distributor="Pike Pictures",  # "A Pike Pictures release of ..." (issue 14)
    )
    check_order(got)


@pytest.mark.parametrize("value,published,date,platform", [
    ("May 30, 2025 (Netflix)", None, "2025-05-30", "Netflix"),
    ("Sept. 5, 2025", None, "2025-09-05", None),
    ("Sept. 5, 2025, in theaters", None, "2025-09-05", "theaters"),
    ("September 5th, 2025", None, "2025-09-05", None),
    ("10 October 2025", None, "2025-10-10", None),
    ("11/14/2025", None, "2025-11-14", None),
    ("May 30 (Prime Video)", "2025-05-20", "2025-05-30", "Prime Video"),
    ("May 30", None, None, None),
    ("Friday, May 30 on Hulu", dt.date(2025, 5, 1), "2025-05-30", "Hulu"),
    ("May 30, 2025 (in select theaters)", None, "2025-05-30", "theaters"),
    ("May 30, 2025 (limited)", None, "2025-05-30", "theaters"),
    ("May 30, 2025 in cinemas", None, "2025-05-30", "theaters"),
    ("May 30, 2025 (apple tv+)", None, "2025-05-30", "Apple TV+"),
    ("May 30, 2025 on Disney Plus", None, "2025-05-30", "Disney+"),
    ("May 30, 2025 (MUBI)", None, "2025-05-30", "MUBI"),
    ("May 30, 2025 (Peacock)", None, "2025-05-30", "Peacock"),
    ("TBA", None, None, None),
    ("TBD", None, None, None),
    ("Now in theaters", None, None, "theaters"),
    ("Premiered at the Venice Film Festival, Sept. 1, 2025", None, None, None),
])
def test_release_dates(value, published, date, platform):
    got = parse_credits("Release Date: " + value, published=published)
    assert got["release_date"] == date
    assert got["platform"] == platform
    assert "releases" not in got


def test_several_release_windows():
    got = parse_credits("Release date: Sept. 5, 2025, in select theaters; Oct. 3 on Hulu", published="2025-09-01")
    assert got["release_date"] == "2025-09-05"
    assert got["platform"] == "theaters"
    assert got["releases"] == [
        {"date": "2025-09-05", "platform": "theaters"},
        {"date": "2025-10-03", "platform": "Hulu"},
    ]
    got = parse_credits("Release date: May 30, 2025 in theaters, June 27, 2025 on Netflix")
    assert got["releases"] == [
        {"date": "2025-05-30", "platform": "theaters"},
        {"date": "2025-06-27", "platform": "Netflix"},
    ]


@pytest.mark.parametrize("text,platform", [
    ("Network: HBO", "HBO"),
    ("Network: fx", "FX"),
    ("Where to watch: Prime Video", "Prime Video"),
    ("Streaming on: Netflix", "Netflix"),
    ("Sunday 9PM on HBO", "HBO"),
    ("Sundays at 10 p.m. ET on FX", "FX"),
    ("Platform: Tiny Indie Stream", "Tiny Indie Stream"),
])
def test_platform(text, platform):
    assert parse_credits(text)["platform"] == platform


def test_tv_premiere_line():
    got = parse_credits("Premieres: Sunday, June 1 at 9 p.m. on HBO", published="2025-05-25")
    assert got["release_date"] == "2025-06-01" and got["platform"] == "HBO"


@pytest.mark.parametrize("text,minutes", [
    ("Runtime: 97 MIN.", 97), ("Running time: 119 min.", 119), ("Runtime: 1 hr 38 min", 98),
    ("Run time: 1h 38m", 98), ("Runtime: 2 hours", 120), ("(119 min.)", 119), ("97 MIN.", 97),
    ("Length: 1 hour, 45 minutes", 105),
])
def test_runtime(text, minutes):
    assert parse_credits(text)["runtime_minutes"] == minutes


@pytest.mark.parametrize("text,rating", [
    ("Rated R for violence and language", "R"), ("MPAA Rating: R", "R"), ("MPA Rating: PG-13", "PG-13"),
    ("Rated PG-13 for some peril", "PG-13"), ("Rating: TV-MA", "TV-MA"), ("Rated: NC-17", "NC-17"),
    ("Certificate: 12A", "12A"), ("MPAA Rating: Not Rated", "Not Rated"),
])
def test_content_rating(text, rating):
    assert parse_credits(text)["content_rating"] == rating


def test_rating_label_with_a_grade_is_not_content_rating():
    got = parse_credits("Rating: B+\nDirector: Jo Kern")
    assert "content_rating" not in got and got["director"] == ["Jo Kern"]
    assert credit_role("Rating: B+") is None


def test_extras_order_and_types():
    text = (
        "Distributor: Gull Films\nStudio: Pike Works\nCountry: France, Belgium\nYear: 2024\n"
        "Composer: Tess Vo\nEditor: Sal Umb\nCinematography: Rio Tam\nProducer: Pam Sto\nCreator: Ona Reed\n"
        "Runtime: 90 min\nRated R\nRelease date: May 1, 2025 (theaters); June 1, 2025 (Netflix)"
    )
    got = parse_credits(text)
    check_order(got)
    assert got["distributor"] == "Gull Films" and got["studio"] == "Pike Works"
    assert got["country"] == "France, Belgium" and got["year"] == 2024
    assert got["runtime_minutes"] == 90 and got["content_rating"] == "R"
    assert got["release_date"] == "2025-05-01" and got["platform"] == "theaters"


@pytest.mark.parametrize("line,role", [
    ("Director: Jo Kern", "director"),
    ("Release Date: May 30, 2025", "release_date"),
    ("Starring: Lin Ode", "starring"),
    ("Network: HBO", "platform"),
    ("Runtime: 97 min", "runtime_minutes"),
    ("Rated R for language", "content_rating"),
    ("MPAA rating: PG", "content_rating"),
    ("Director", "director"),
    ("Writers:", "writer"),
    ("Distributor: Gull", "distributor"),
    ("Year: 2024", "year"),
    ("Country: Chile", "country"),
    ("Directed by Jo Kern", "director"),
    ("Writer/Director: Uma Wex", "writer"),
])
def test_credit_role(line, role):
    assert credit_role(line) == role
    assert role in CREDIT_ROLES


@pytest.mark.parametrize("line", [
    "With this film, the director shows a steady hand.",
    "Directed by Jo Kern, the film follows a family that loses everything in one summer.",
    "The director, Jo Kern, says she wanted a different ending.",
    "Starring in her first lead role, she is terrific.",
    "Editor's note: this review was updated.",
    "Join the discussion...",
    "",
    "Rating: B+",
    "Director Jo Kern returns with a story of grief.",
    "Music swells as the camera pans.",
])
def test_credit_role_rejects_prose(line):
    assert credit_role(line) is None


def test_empty_and_odd_inputs():
    for value in (None, "", "   ", 42, b"", [], "Join the discussion..."):
        got = parse_credits(value)
        assert got == credits()
        check_order(got)
    assert parse_credits(b"Director: Jo Kern")["director"] == ["Jo Kern"]


# --- properties -------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises(s):
    got = parse_credits(s)
    check_order(got)
    for k in ("director", "writer", "starring"):
        assert isinstance(got[k], list) and all(isinstance(n, str) and n for n in got[k])
    credit_role(s)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "Director:", "Writer:", "Starring", "Cast:", "Release Date:", "Network:", "Runtime:", "Rated",
    "Jo Kern", "Lin Ode,", "and", "&", "May 30, 2025", "(Netflix)", "97 min", "\n", "Join the discussion",
    "<dt>", "</dd>", "<br>", "as", "Jr.", "…", ";", "on HBO", "TBA",
]), max_size=30))
def test_never_raises_on_credit_like_soup(parts):
    got = parse_credits(" ".join(parts), published="2025-06-01")
    check_order(got)
    if got["release_date"] is not None:
        dt.date.fromisoformat(got["release_date"])


def test_huge_inputs():
    for s in ("Director: " + "Jo Kern, " * 100_000, "Starring:\n" * 100_000, "(" * 1_000_000,
              " as " * 250_000, "Release date: " + "May 30 " * 100_000, "\x00" * 1_000_000):
        check_order(parse_credits(s))
        credit_role(s)
