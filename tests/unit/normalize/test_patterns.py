"""Grouped alternations (issue #15): :func:`alternation` is the language of
:func:`plain_alternation`, with the same preference, and the normalizers built on it read
every text as they did with the plain alternations (the modules rebuilt with those are the
reference)."""

from __future__ import annotations

import inspect
import re
import sys
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.normalize import credits, dates, grades, titles
from crawler.normalize.patterns import alternation, plain_alternation
from crawler.normalize.text import html_to_text

REPO = Path(__file__).resolve().parents[3]


def test_grouped_under_first_characters():
    assert alternation(["director", "dop", "directors", "writer"]) == "d(?:irectors|irector|op)|writer"
    assert plain_alternation(["director", "dop", "directors", "writer"]) == "directors|director|writer|dop"
    assert alternation(["release date", "rated"]) == r"r(?:elease\sdate|ated)"
    assert alternation(["a.k.a", "b"]) == r"a\.k\.a|b"


def test_case_variants_and_empty_terms_keep_the_plain_form():
    assert alternation(["kind", "Kelvin"]) == plain_alternation(["kind", "Kelvin"])
    assert alternation(["x", "", "y"]) == plain_alternation(["x", "", "y"])
    assert alternation(["kind", "\u212aelvin"]) == plain_alternation(["kind", "\u212aelvin"])  # KELVIN SIGN ~ k


VOCABULARIES = {
    "credit nouns": sorted(credits._NOUN_TERMS),
    "credit by-forms": sorted(credits._BY_TERMS),
    "months": sorted(set(dates.MONTHS) | set(dates.FOREIGN_MONTHS)),
    "number words": sorted(grades._WORD_NUMS),
}


def _pieces(terms):
    words = sorted({w for t in terms for w in re.split(r"\s", t)})
    return st.lists(st.one_of(st.sampled_from(terms), st.sampled_from(words), st.sampled_from(
        [" ", "  ", "\n", ": ", ", ", ".", "(s)", "Jane Doe", "X", "by ", "é", "\u212a", "ſ", "İ", "ı"])), max_size=12)


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_the_same_matches_as_the_plain_alternation(name):
    terms = VOCABULARIES[name]
    pairs = [(re.compile(rf"(?:{alternation(terms)})\b", f), re.compile(rf"(?:{plain_alternation(terms)})\b", f))
             for f in (0, re.IGNORECASE)]

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_pieces(terms), st.sampled_from(terms))
    def check(pieces, term):
        for text in ("".join(pieces), term, term.upper(), term.title(), f"x{term}y {term}."):
            for grouped, plain in pairs:
                assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]

    check()


def _reference(module: types.ModuleType) -> types.ModuleType:
    """*module* rebuilt from its source with the plain alternations."""
    src = inspect.getsource(module)
    assert "from .patterns import alternation\n" in src
    src = src.replace("from .patterns import alternation\n", "from crawler.normalize.patterns import plain_alternation as alternation\n")
    src = re.sub(r"^from \.(\w+) import", r"from crawler.normalize.\1 import", src, flags=re.MULTILINE)
    name = f"{module.__name__}_plain_reference"
    ref = types.ModuleType(name)
    sys.modules[name] = ref  # (dataclasses look their module up)
    try:
        exec(compile(src, f"<{name}>", "exec"), ref.__dict__)  # noqa: S102 - our own module, rebuilt
    finally:
        sys.modules.pop(name, None)
    return ref


@pytest.fixture(scope="module")
def refs():
    return {m.__name__.rsplit(".", 1)[1]: _reference(m) for m in (credits, dates, grades, titles)}


def _corpus() -> list[str]:
    """Every text line of the fixture pages and the credit strings of the normalizer tests."""
    lines = []
    for path in sorted((REPO / "fixtures").rglob("*.html")):
        lines += [line for line in html_to_text(path.read_text("utf-8", errors="replace")).split("\n") if line.strip()]
    for path in sorted((REPO / "tests" / "unit" / "normalize").glob("test_*.py")):
        lines += re.findall(r'"((?:[^"\\\n]|\\.){3,300})"', path.read_text("utf-8"))
    return lines


def test_the_normalizers_read_the_corpus_as_with_plain_alternations(refs):
    lines = _corpus()
    assert len(lines) > 2000
    blocks = ["\n".join(lines[i:i + 6]) for i in range(0, len(lines), 3)]
    for line in lines:
        assert credits.credit_role(line) == refs["credits"].credit_role(line), line
        assert dates.find_dates(line, published="2025-03-01") == refs["dates"].find_dates(line, published="2025-03-01"), line
        assert dates.find_dates(line, language="de") == refs["dates"].find_dates(line, language="de"), line
        assert grades.parse_grade(line) == refs["grades"].parse_grade(line), line
        assert titles.clean_title(line, line) == refs["titles"].clean_title(line, line), line
        assert titles.clean_title(f"{line} Season seven, episode 3 review") == refs["titles"].clean_title(f"{line} Season seven, episode 3 review"), line
    for block in blocks:
        assert credits.parse_credits(block, published="2025-03-01") == refs["credits"].parse_credits(block, published="2025-03-01"), block


LABELS = st.sampled_from(sorted(credits._NOUN_TERMS) + sorted(credits._BY_TERMS) + ["Directed by", "Starring", "With"])
NAMES = st.sampled_from(["Mina Sol", "Pia Vance", "Quin Hale", "oda renn", "J. K. Doe", "Ana María Ruiz"])
GLUE = st.sampled_from([": ", " ", ", ", " and ", ". ", "; ", "\n", " (2024) ", " by ", " - ", "March 3, 2025", "12. März 2025", "1er avril 2025"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(LABELS, LABELS.map(str.title), NAMES, GLUE), max_size=16))
def test_generated_credit_blocks_read_as_with_plain_alternations(refs, parts):
    text = "".join(parts)
    assert credits.parse_credits(text) == refs["credits"].parse_credits(text)
    for line in text.split("\n"):
        assert credits.credit_role(line) == refs["credits"].credit_role(line)
    assert dates.find_dates(text, language="fr") == refs["dates"].find_dates(text, language="fr")
