"""The benchmark's synthetic site (bench/gen_site.py) stays readable by the avclub extractor:
a review page gives its full record, a news page is not a review, sitemaps list every page."""

from __future__ import annotations

import json

from bench.gen_site import generate, make_page, render_base
from crawler.api import extract_review
from crawler.record.validate import record_errors


def test_generated_site_layout(tmp_path):
    site = tmp_path / "site"
    manifest = generate(site, 40, quiet=True)
    assert (manifest["pages"], manifest["reviews"], manifest["sitemaps"]) == (40, 38, 1)
    assert 40 <= manifest["min_kb"] and manifest["max_kb"] <= 160
    slugs = [line.strip("/") for line in (site / "urls.txt").read_text("utf-8").split()]
    assert len(slugs) == 40 and all((site / s / "page.html").is_file() for s in slugs)
    render_base(site, "http://127.0.0.1:9")
    assert (site / "robots.txt").read_text("utf-8").endswith("Sitemap: http://127.0.0.1:9/sitemap_index.xml\n")
    assert "http://127.0.0.1:9/sitemaps/articles-1.xml" in (site / "sitemap_index.xml").read_text("utf-8")
    assert (site / "sitemaps" / "articles-1.xml").read_text("utf-8").count("<loc>http://127.0.0.1:9/") == 40
    assert json.loads((site / "manifest.json").read_text("utf-8"))["reviews"] == 38


def test_generated_review_page_gives_its_record():
    slug, html, lastmod, is_review = make_page(0)
    assert (slug, lastmod, is_review) == ("act-dark-friend-tension-review-0", "2024-03-22T20:00:00+00:00", True)
    record = extract_review(html.encode("utf-8"), f"http://127.0.0.1:9/{slug}", site="avclub")
    assert record_errors(record) == []
    assert record["url"] == f"https://www.avclub.com/{slug}"
    assert (record["kind"], record["work_title"], record["language"]) == ("tv", "Act Dark Friend Tension", "en")
    assert record["grade"] == {"raw": "C+", "scale": "letter", "value": 58, "best": 100, "score": 58, "letter": "C+"}
    assert record["credits"]["director"] == ["Maren Nakamura", "Kofi Adeyemi"]
    assert record["credits"]["writer"] == ["Kofi Holloway"]
    assert record["credits"]["starring"] == ["Kofi Adeyemi", "Maren Kowalski", "Lucia Lindqvist", "Rafael Quispe", "Celeste Lindqvist"]
    assert (record["credits"]["release_date"], record["authors"]) == ("2024-03-22", ["Tomas Sorensen"])
    assert record["published_at"] == "2024-03-22T20:00:00Z"
    assert record["word_count"] == 981
    assert not any(w in record["body"] for w in ("Advertisement", "Director:", "googletag", "Related:"))


def test_generated_news_page_is_not_a_review():
    slug, html, _, is_review = make_page(19)
    assert is_review is False and slug.endswith("-news-19")
    assert extract_review(html.encode("utf-8"), f"http://127.0.0.1:9/{slug}", site="avclub") is None
