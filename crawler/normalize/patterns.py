"""Regex alternations of vocabularies (credit labels, month names, number words), built once.

:func:`alternation` is what the normalizers compile; :func:`plain_alternation` is the same
language written term by term, kept as the reference the tests compare it with.

Python's ``re`` tries the branches of an alternation one by one at every position it scans:
the credit parser's label alternation (271 terms) at every position of every line cost ~1 ms
of a page's 8. Grouped under their first character, a position where no term starts costs one
test per first character instead of one per term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def term_pattern(term: str) -> str:
    """*term* as a regex: its characters as they are, a space matching one whitespace."""
    return re.escape(term).replace(r"\ ", r"\s")


def _longest_first(terms: Iterable[str]) -> list[str]:
    return sorted(terms, key=len, reverse=True)  # (stable: equal lengths keep their order)


def plain_alternation(terms: Iterable[str]) -> str:
    """The alternation of *terms*, longest first (so a longer term wins where both match),
    each as :func:`term_pattern`: ``directors|director|dop``."""
    return "|".join(term_pattern(t) for t in _longest_first(terms))


def alternation(terms: Iterable[str]) -> str:
    """:func:`plain_alternation` with the terms grouped under their first character:
    ``d(?:irectors|irector|op)``. The same language and the same preference: the terms that can
    match at a position all start with the character there and keep their longest-first order
    within their group. That needs the groups' first characters to be distinct with or without
    ``re.IGNORECASE`` (at most one group can match at a position): when two are case variants
    of each other (``K`` and ``k``), or a term is empty, this is :func:`plain_alternation`."""
    terms = _longest_first(terms)
    groups: dict[str, list[str]] = {}
    for t in terms:
        if not t:
            return plain_alternation(terms)
        groups.setdefault(t[0], []).append(t)
    firsts = list(groups)
    for i, a in enumerate(firsts):
        if any(re.fullmatch(re.escape(a), b, re.IGNORECASE) for b in firsts[i + 1:]):
            return plain_alternation(terms)
    parts = []
    for first, group in groups.items():
        if len(group) == 1:
            parts.append(term_pattern(group[0]))
        else:
            parts.append(f"{term_pattern(first)}(?:{'|'.join(term_pattern(t[1:]) for t in group)})")
    return "|".join(parts)
