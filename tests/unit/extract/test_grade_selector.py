"""The site's grade element: its text, else the ``alt`` of the image it is or holds."""

from __future__ import annotations

import pytest

from crawler.sites.registry import page_for


def _grade(grade_html: str):
    html = (f"<html><body><article>{grade_html}<h1>Harbor Lights</h1><p>{'A quiet film about a keeper. ' * 30}</p>"
            "</article></body></html>")
    page = page_for("https://www.avclub.com/harbor-lights-review", html)
    answer = page.answer("grade")
    return (answer.value or {}).get("letter"), answer.layer


@pytest.mark.parametrize("grade_html, expected", [
    ('<div class="review-grade">B+</div>', ("B+", "selector")),
    ('<div class="review-grade"><img src="/g.png" alt="A-"></div>', ("A-", "selector")),
    ('<img class="grade" src="/g.png" alt="C">', ("C", "selector")),  # the selector matches the image itself
    ('<div class="review-grade">B+ <img src="/g.png" alt="D"></div>', ("B+", "selector")),  # the text first
    ('<div class="review-grade">Our grade <img alt="photo"><img alt="F"></div>', ("F", "selector")),
])
def test_grade_element_text_then_image_alts(grade_html, expected):
    assert _grade(grade_html) == expected
