"""Table-driven and property tests for crawler.normalize.text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.text import clean_body, clean_text, html_to_text


@pytest.mark.parametrize("raw,expected", [
    ("  Jane   Doe  ", "Jane Doe"),
    ("Jane\u00a0Doe", "Jane Doe"),
    ("Jane\u202fDoe\u2009x\u3000y", "Jane Doe x y"),
    ("in\u00advisible", "invisible"),
    ("zero\u200bwidth\u200c\u200d\u2060", "zerowidth"),
    ("\ufeffBOM", "BOM"),
    ("line\nbreak\r\nand\ttab", "line break and tab"),
    ("Cafe\u0301", "Café"),
    ("nul\x00byte\x07", "nulbyte"),
    ("“Curly” – dash — ellipsis…", "“Curly” – dash — ellipsis…"),
    ("&amp; stays", "&amp; stays"),
    ("", ""),
    (None, ""),
    (b"bytes \xc3\xa9", "bytes é"),
    ("lone \ud800 surrogate", "lone surrogate"),
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    (["First  paragraph.", "", "  Second\u00a0one. "], "First paragraph.\n\nSecond one."),
    (["Only one"], "Only one"),
    (["", "  ", "\u200b"], None),
    ([], None),
    (None, None),
    ("First line\nsame paragraph.\n\nSecond.\n \n\n Third.", "First line same paragraph.\n\nSecond.\n\nThird."),
    ("A\r\n\r\nB", "A\n\nB"),
    ("   ", None),
    (["One", None, "Two"], "One\n\nTwo"),
    (("tuple", "works"), "tuple\n\nworks"),
    (["in\u00adline soft hyphen"], "inline soft hyphen"),
])
def test_clean_body(raw, expected):
    assert clean_body(raw) == expected


@pytest.mark.parametrize("html,expected", [
    ("<p>One</p><p>Two&nbsp;words</p>", "One\n\nTwo words"),
    ("Line<br>break<br/>again", "Line\nbreak\nagain"),
    ("Para<br><br>graph", "Para\n\ngraph"),
    ("<dl><dt>Director</dt><dd>Jo &amp; Kern</dd></dl>", "Director\nJo & Kern"),
    ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
    ("<div>x<script>var y = 1;</script><style>p{}</style> z</div>", "x z"),
    ("a <!-- comment --> b", "a b"),
    ("A&minus; &#8211; &#x2014;", "A− – —"),
    ("plain &amp; text", "plain & text"),
    ("<b>in</b><i>line</i>", "inline"),
    ("<html><body><p>doc</p></body></html>", "doc"),
    ('<?xml version="1.0" encoding="utf-8"?><p>x</p>', "x"),
    ("<p>unclosed <b>bold", "unclosed bold"),
    ("", ""),
    (None, ""),
    (b"<p>bytes</p>", "bytes"),
    ("<table><tr><td>a</td><td>b</td></tr></table>", "a\nb"),
    ("a\x00<p>b</p>", "a\n\nb"),
])
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_properties(s):
    out = clean_text(s)
    assert out == out.strip()
    assert "  " not in out and "\n" not in out and "\u00a0" not in out and "\u200b" not in out
    assert unicodedata.is_normalized("NFC", out)
    assert clean_text(out) == out


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.text(), max_size=8)))
def test_clean_body_properties(value):
    out = clean_body(value)
    if out is not None:
        assert out and "\n\n\n" not in out and out == out.strip()
        for para in out.split("\n\n"):
            assert para and para == clean_text(para)
        assert clean_body(out) == out


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_html_to_text_never_raises(s):
    out = html_to_text(s)
    assert isinstance(out, str)
    assert "\n\n\n" not in out


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_binary_input(b):
    html_to_text(b)
    clean_text(b)
    clean_body(b)


def test_huge_inputs():
    mb = 1_000_000
    for s in ("x" * mb, " " * mb, "\x00" * mb, "<" * mb, "<!--" * (mb // 4), "<br " * (mb // 4),
              "&amp;" * (mb // 5), "\u200b" * mb, "<p>" * 100_000):
        clean_text(s)
        clean_body(s)
        html_to_text(s)


def _clean_body_by_regex(s: str):
    """clean_body's reading of a string, with the blank-line regex alone (the reference)."""
    from crawler.normalize.text import _PARA_SPLIT_RE, _unify_newlines

    parts = [clean_text(p) for p in _PARA_SPLIT_RE.split(_unify_newlines(s))]
    parts = [p for p in parts if p]
    return "\n\n".join(parts) if parts else None


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "\t", "\u2029", "\r", "\u00a0", "\x0b", "é"]), max_size=40))
def test_clean_body_string_fast_path_is_the_regex_reading(s):
    assert clean_body(s) == _clean_body_by_regex(s)


def test_clean_body_blank_line_forms():
    assert clean_body("One.\n\nTwo.\n\n\n\nThree.") == "One.\n\nTwo.\n\nThree."
    assert clean_body("One.\n \nTwo.\nstill two") == "One.\n\nTwo. still two"
    assert clean_body("One.\r\n\r\nTwo.") == "One.\n\nTwo."


# ------------------------------------------------ the already-clean shortcut (is_clean_line)
def test_every_character_clean_text_changes_is_unprintable():
    """The fact :func:`is_clean_line` rests on, over every code point: a printable character
    other than the space is one clean_text keeps as it is (not removed, not a space, not
    whitespace), so a printable, NFC string without a double or edge space is clean."""
    import sys

    from crawler.normalize.text import _ASCII_DROP_RE, _INVISIBLE_RE, _SPACES_RE, _clean_line

    kept = 0
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if not ch.isprintable() or ch == " ":
            continue
        assert not _INVISIBLE_RE.match(ch) and not _SPACES_RE.match(ch) and not _ASCII_DROP_RE.match(ch), hex(cp)
        assert not ch.isspace() and ch.split() == [ch], hex(cp)
        assert _clean_line(ch) == unicodedata.normalize("NFC", ch), hex(cp)
        kept += 1
    assert kept > 100_000
    # ... and every character clean_text drops or rewrites is unprintable
    for ch in "\t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2000\u200a\u200b\u200f\u2028\u2029\u202f\u205f\u3000\ufeff\u00ad\u180e\u2066\x00\x7f\x9f":
        assert not ch.isprintable(), repr(ch)


@pytest.mark.parametrize("s,clean", [
    ("Jane Doe", True), ("Café crème", True), ("“Curly” – dash", True), ("x", True),
    (" Jane", False), ("Jane ", False), ("Jane  Doe", False), ("Jane\tDoe", False), ("Jane\u00a0Doe", False),
    ("zero\u200bwidth", False), ("Cafe\u0301", False), ("lone \ud800", False), ("nul\x00", False), ("a\nb", False),
])
def test_is_clean_line(s, clean):
    from crawler.normalize.text import _clean_line, is_clean_line

    assert is_clean_line(s) is clean
    if clean:
        assert _clean_line(s) == s


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=st.characters(codec="utf-8"), min_size=1),
                 st.lists(st.sampled_from(["a", "é", "e\u0301", " ", "  ", "\u00a0", "\u200b", "\t", "ß", "한", "\u2028", "x"]),
                          min_size=1, max_size=12).map("".join)))
def test_the_shortcut_answers_as_the_whole_cleaning_does(s):
    """clean_text with the shortcut gives what every step gives, on any text."""
    from crawler.normalize.text import _clean_line, is_clean_line

    if s:
        assert clean_text(s) == _clean_line(s)
        if is_clean_line(s):
            assert _clean_line(s) == s


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab é\t\n\r\u00a0\u2003\u2028\u2029\u200b\x1c\x85\u3000.")), max_size=25),
                max_size=8) | st.text(max_size=200))
def test_body_word_count_is_the_split_count(paragraphs):
    from crawler.normalize.text import body_word_count

    body = clean_body(paragraphs)
    assert body_word_count(body) == (len(body.split()) if body else 0)
