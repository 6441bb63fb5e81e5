"""The credit parser's shortcuts answer as the full work would: a pattern skipped by a cheap
test could not have matched, and the character tests hold for every code point."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize import credits

PIECES = ["Read More", " read  more", "SHARE THIS", "Subscribe to", "join the conversation", "leave a comment",
          "view comments", "Sign up for", "Advertisement", "based on", "Adapted from", "inspired by",
          "from the novel", "FROM A short story", "ſhare this", "joın the discussion", "Based\ton", "\u212aofi",
          "Jane Doe", ", ", " (voice)", "[x]", "19", "²", "٣", " ", "\n", "a", "Z", "é", "ß"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=12).map("".join) | st.text(max_size=60)


@settings(max_examples=1500, deadline=None)
@given(TEXTS)
def test_a_skipped_pattern_could_not_have_matched(text):
    if credits._CHROME_INLINE_RE.search(text):
        assert credits._may_hold(text, credits._CHROME_INLINE_WORDS)
    if credits._SOURCE_RE.search(text):
        assert credits._may_hold(text, credits._SOURCE_WORDS)
    assert credits._drop_chrome(text) == credits._CHROME_INLINE_RE.sub("", text)


@pytest.mark.parametrize("text, words, expected", [
    ("Jane Doe, Cy Dee", credits._CHROME_INLINE_WORDS, False),
    ("Jane Doe. Read more", credits._CHROME_INLINE_WORDS, True),
    ("ſhare this", credits._CHROME_INLINE_WORDS, True),  # not ASCII: the pattern decides
    ("Mary Shelley", credits._SOURCE_WORDS, False),
    ("Jo Bo, from the novel by Mary Shelley", credits._SOURCE_WORDS, True),
])
def test_may_hold(text, words, expected):
    assert credits._may_hold(text, words) is expected


def test_the_character_tests_hold_for_every_code_point():
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert (credits._ALNUM_RE.search(ch) is not None) == ch.isalnum(), hex(cp)
        assert not (ch.isalpha() and ch.isdigit()), hex(cp)  # (why _two_digits may skip letters)


@settings(max_examples=1500, deadline=None)
@given(TEXTS)
def test_two_digits(text):
    assert credits._two_digits(text) == (sum(ch.isdigit() for ch in text) >= 2)


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_name_like_of_words_is_name_like(text):
    assert credits._words_name_like(text, text.split()) == credits._name_like(text)


def test_names_with_parentheses_chrome_and_sources():
    value = "Jane Doe (voice), Cy Dee [uncredited], Bo Li, based on the novel by Ann Roe. Read more"
    assert credits._split_names(value) == ["Jane Doe", "Cy Dee", "Bo Li"]
    assert credits._split_names("Kofi Adeyemi, Maren Kowalski & Lucia Lindqvist") == [
        "Kofi Adeyemi", "Maren Kowalski", "Lucia Lindqvist"]
    assert credits._split_names("Jo Bo, 12 Main St") == []
