"""The same seed-shaped review in different markups gives the same values (or an empty field),
never a wrong one: grade as text, label or image alt; credits as paragraphs, list items, a
``<dl>``, ``<br>`` lines; with and without JSON-LD; UTF-8 and windows-1252."""

from __future__ import annotations

import pytest

from crawler.api import extract_review
from crawler.record.v2 import to_v2

URL = "https://www.avclub.com/orbiting-hearts-review"
HEADLINE = "A tender space romance drifts off course"
DEK = "An animated love story loses its way among the planets."
PARAS = [
    "The film opens on a quiet launch pad, where a young pilot named Sera waits for a ride that never comes.",
    "Her neighbor, a street musician called Doyun, keeps playing the same three chords until she finally laughs.",
    "The animation is lovely—neon alleys, floating gardens, a sky crowded with delivery drones.",
    "But the script never decides whether it is a romance or a disaster film, and both halves suffer for it.",
]
CREDIT_LINES = [
    ("Director", "Min Ha-eun"),
    ("Writer", "Min Ha-eun, Park Jun-seo"),
    ("Starring", "Lee Soo-ah, Cho Dae-ho"),
    ("Release Date", "May 30, 2025 (Netflix)"),
]
EXPECTED_V1 = {
    "title": HEADLINE,
    "subtitle": DEK,
    "grade": {"raw": "C+", "scale": "letter", "value": 58, "best": 100, "score": 58, "letter": "C+"},
    "credits": {
        "director": ["Min Ha-eun"],
        "writer": ["Min Ha-eun", "Park Jun-seo"],
        "starring": ["Lee Soo-ah", "Cho Dae-ho"],
        "release_date": "2025-05-30",
        "platform": "Netflix",
    },
    "body": "\n\n".join(PARAS),
}
#: as ``extract_review`` returns them: the version 1 extraction view
EXPECTED = EXPECTED_V1


def page(*, grade: str, credits: str, head: str = "", body_open: str = '<div class="article-body">', body_close: str = "</div>", charset: str = "utf-8") -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in PARAS)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="{charset}">
<title>{HEADLINE} | The A.V. Club</title>{head}</head>
<body><nav><a href="/">Home</a> <a href="/film/reviews">Film</a></nav>
<article>
{grade}
<h1>{HEADLINE}</h1>
<h2>{DEK}</h2>
{body_open}
{paras}
<div class="ad-slot"><span>Advertisement</span></div>
{credits}
{body_close}
<div class="comments"><p>Join the discussion...</p></div>
</article></body></html>"""


P_CREDITS = "".join(f"<p><strong>{k}:</strong> {v}</p>" for k, v in CREDIT_LINES)
LI_CREDITS = "<ul>" + "".join(f"<li>{k}: {v}</li>" for k, v in CREDIT_LINES) + "</ul>"
DL_CREDITS = "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in CREDIT_LINES) + "</dl>"
BR_CREDITS = "<p>" + "<br>".join(f"{k}: {v}" for k, v in CREDIT_LINES) + "</p>"
TABLE_CREDITS = "<table>" + "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in CREDIT_LINES) + "</table>"
BOLD_NO_COLON_CREDITS = "".join(f"<p><b>{k}</b> {v}</p>" for k, v in CREDIT_LINES)
WRAPPED_CREDITS = "<p>Director: Min Ha-eun<br>Writer: Min Ha-eun,<br>Park Jun-seo<br>Starring: Lee Soo-ah, Cho Dae-ho<br>Release Date: May 30, 2025 (Netflix)</p>"
JSONLD = '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"%s"}</script>' % HEADLINE

VARIANTS = {
    "grade-line-p-credits": dict(grade="<div>C+</div>", credits=P_CREDITS),
    "grade-label-li-credits": dict(grade="<p>Grade: C+</p>", credits=LI_CREDITS),
    "grade-img-alt-dl-credits": dict(grade='<img src="/grades/c-plus.png" alt="C+">', credits=DL_CREDITS),
    "grade-span-br-credits-jsonld": dict(grade='<span class="grade">C+</span>', credits=BR_CREDITS, head=JSONLD),
    "table-credits": dict(grade='<div class="grade">C+</div>', credits=TABLE_CREDITS),
    "bold-label-no-colon": dict(grade="<p>Grade: C+</p>", credits=BOLD_NO_COLON_CREDITS),
    "wrapped-credit-list": dict(grade="<div>C+</div>", credits=WRAPPED_CREDITS),
    "no-body-class": dict(grade="<p>C+</p>", credits=P_CREDITS, body_open="<div>", body_close="</div>"),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
@pytest.mark.parametrize("field", sorted(EXPECTED))
def test_variant_gives_same_values(name, field):
    record = extract_review(page(**VARIANTS[name]).encode("utf-8"), URL)
    assert record is not None
    assert record[field] == EXPECTED[field]


@pytest.mark.parametrize("field", sorted(EXPECTED))
def test_windows_1252_page(field):
    html = page(grade="<div>C+</div>", credits=P_CREDITS, charset="windows-1252").encode("cp1252")
    record = extract_review(html, URL, headers={"Content-Type": "text/html"})
    assert record[field] == EXPECTED[field]


def test_windows_1252_bytes_labelled_utf8_have_no_mojibake():
    html = page(grade="<div>C+</div>", credits=P_CREDITS, charset="utf-8").encode("cp1252")
    record = extract_review(html, URL, headers={"Content-Type": "text/html; charset=utf-8"})
    assert "—" in record["body"] and "\ufffd" not in record["body"]


def test_hidden_grade_is_missing_not_guessed():
    """A redesign that drops the grade element leaves the grade empty; the page is still a review."""
    record = extract_review(page(grade="", credits=P_CREDITS).encode(), URL)
    assert record["grade"] is None
    assert record["credits"] == EXPECTED["credits"]


def test_prose_mentioning_grades_is_not_a_grade():
    html = page(grade="<p>An A-list cast in a B-movie plot</p>", credits=P_CREDITS)
    assert extract_review(html.encode(), URL)["grade"] is None


def test_undeclared_windows_1252_is_detected():
    html = page(grade="<div>C+</div>", credits=P_CREDITS).replace('<meta charset="utf-8">', "")
    record = extract_review(html.replace("—", "–").encode("cp1252"), URL)
    assert "–" in record["body"] and "\ufffd" not in record["body"]


def test_credits_after_the_article_element():
    html = page(grade="<div>C+</div>", credits="").replace("</article>", "</article>" + P_CREDITS)
    assert extract_review(html.encode(), URL)["credits"] == EXPECTED["credits"]


def test_headline_not_in_h1():
    html = page(grade="<div>C+</div>", credits=P_CREDITS).replace("<h1>", '<div class="headline">').replace("</h1>", "</div>")
    record = extract_review(html.encode(), URL)
    assert record["title"] == HEADLINE  # from <title>, suffix stripped
    assert record["grade"] == EXPECTED["grade"]  # the first line of the article
    assert record["credits"] == EXPECTED["credits"]


def test_extract_review_gives_version_1_unless_told_2():
    from crawler.record.build import RECORD_FIELDS
    from crawler.record.v2 import FIELDS_V2

    html = page(grade="<div>C+</div>", credits=P_CREDITS).encode()
    v2 = extract_review(html, URL, schema_version=2)
    assert list(v2) == list(FIELDS_V2) and v2["schema_version"] == 2
    assert {k: v2[k] for k in EXPECTED_V1} == {k: v for k, v in to_v2(EXPECTED_V1).items() if k in EXPECTED_V1}
    assert (v2["change"], v2["previous_hash"], v2["changed_fields"]) == (None, None, None)  # no state
    v1 = extract_review(html, URL)
    assert list(v1) == list(RECORD_FIELDS) and v1["schema_version"] == 1
    assert {k: v1[k] for k in EXPECTED_V1} == EXPECTED_V1 and v1["content_hash"] == v2["content_hash"]
    with pytest.raises(ValueError, match="schema_version must be 1 or 2"):
        extract_review(html, URL, schema_version=3)
