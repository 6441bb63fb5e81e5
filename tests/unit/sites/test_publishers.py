"""Site facts live in ``crawler/sites/sites.toml``: the ``[publishers]`` names stripped from
titles and the scale tops of publishers whose grades print no denominator (issue 11)."""

from __future__ import annotations

import pytest

import crawler.normalize.grades as grades_module
import crawler.normalize.titles as titles_module
from crawler.api import extract_review, page_for
from crawler.sites.config import SiteConfigError, all_sites, generic_config, publishers, read_file


def _page(title: str, grade: str = "", h1: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><title>{title}</title></head><body><article>
    <h1>{h1 or title}</h1>{f'<div class="rating">Our rating: {grade}</div>' if grade else ''}
    <div class="article-body"><p>A harbour town waits for a ferry that never comes, and the film waits with it,
    patiently and with a good ear for small talk between people who have known each other too long.</p>
    <p>The second half loses the thread, but the last scene earns its quiet.</p></div></article></body></html>"""


def test_the_normalizers_hold_no_site_facts():
    assert not hasattr(titles_module, "SITE_NAMES") and not hasattr(grades_module, "SITE_SCALES")


def test_publishers_come_from_sites_toml():
    pubs = publishers()
    assert {"theguardian", "variety", "rogerebert", "ign"} <= set(pubs.names)
    assert pubs.grade_best["rogerebert.com"] == 4 and pubs.grade_best["ign.com"] == 10
    # every configured site carries them, and an unconfigured host gets them from generic_config
    assert all(cfg.publisher_names == pubs.names for cfg in all_sites().values())
    cfg = generic_config("https://www.ign.com/articles/some-review")
    assert (cfg.key, cfg.grade_best, cfg.publisher_names) == ("ign.com", 10, pubs.names)
    assert generic_config("https://pike.example/x").grade_best is None


def test_a_generic_page_strips_a_known_publisher_and_reads_its_scale():
    page = page_for(_page("Harbor Lights review – a quiet ferry tale | Film | The Guardian", "★★★",
                          h1="Harbor Lights review – a quiet ferry tale"),
                    "https://www.theguardian.com/film/harbor-lights-review")
    assert page.site == "theguardian.com" and page.grade_best == 5
    assert page.parse_grade("★★★") == {"raw": "★★★", "scale": "stars", "value": 3, "best": 5, "score": 60, "letter": None}
    # without the publisher's scale an undenominated star grade is missing, never guessed
    other = page_for(_page("Harbor Lights review", "★★★"), "https://pike.example/harbor-lights-review")
    assert other.parse_grade("★★★") is None


def test_the_title_of_an_unknown_site_drops_a_known_publisher_suffix():
    rec = extract_review(_page("Harbor Lights review – a quiet ferry tale | Variety", "B+", h1=""),
                         "https://pike.example/harbor-lights-review")
    assert rec is not None and rec["title"] == "Harbor Lights review – a quiet ferry tale"


def test_publishers_from_an_extra_file_are_joined(tmp_path):
    extra = tmp_path / "more.toml"
    extra.write_text('[publishers]\nnames = ["Pike Weekly"]\ngrade_best = { "pikeweekly.example" = 4 }\n', "utf-8")
    pubs = publishers((str(extra),))
    assert "Pike Weekly" in pubs.names and "variety" in pubs.names
    assert pubs.grade_best["pikeweekly.example"] == 4 and pubs.grade_best["ign.com"] == 10


@pytest.mark.parametrize("text,message", [
    ('[publishers]\nnames = "x"\nscales = 3\n', "has the keys names, grade_best"),
    ('[publishers]\ngrade_best = { "a.example" = 0 }\n', "host = positive number"),
    ('[publishers]\ngrade_best = { "a.example" = true }\n', "host = positive number"),
    ('[publishers]\nnames = [1]\n', "a string or a list of strings"),
    ('[site.x]\nhosts = ["x.example"]\n', "unknown tables ['site']"),
])
def test_a_malformed_publishers_table_is_refused(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(SiteConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_file(path)
