"""``credit_role`` keeps the answers of short lines: the same answer as reading the line again,
and the store stays bounded."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize import credits
from crawler.normalize.credits import credit_role

LINES = ["Director: Mina Sol", "Directed by Mina Sol", "Share", "Rated R for language", "Starring Ana Bee, Cy Dee",
         "With this film, the director shows us", "Regie: Jan Vos", "x" * 400, "", "Release Date: May 2, 2025"]


def test_cached_answer_is_the_answer():
    for line in LINES * 2:
        assert credit_role(line) == credits._line_role(line)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80) | st.sampled_from(LINES))
def test_any_line(line):
    assert credit_role(line) == credits._line_role(line) == credit_role(line)


def test_store_is_bounded(monkeypatch):
    monkeypatch.setattr(credits, "_ROLE_CACHE_SIZE", 5)
    credits._role_cache.clear()
    for i in range(50):
        credit_role(f"Director: Person {i}")
    assert len(credits._role_cache) <= 5
    assert credit_role("Director: Person 3") == "director"
    credits._role_cache.clear()
