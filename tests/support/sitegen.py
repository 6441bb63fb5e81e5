"""A generated A.V. Club-shaped review site for production-run tests (state, incremental,
backfill, kill and resume, monitors), served by :class:`crawler.devserver.FixtureServer`.

``generate_site(root, n_reviews=...)`` writes ``robots.txt``, a sitemap index with one sitemap
per year (``lastmod`` per URL), review pages (film and TV: grade, credits block, JSON-LD
``Review``, canonical ``https://www.avclub.com/<slug>``), a few news pages, and optionally the
film/TV review listings with pagination. ``grades=False`` is the "redesigned" site: the grade
markup is gone (pages are still reviews by their credits and structured data).

Deterministic for a seed. Returns the list of :class:`GenPage`; ``change_body`` edits one page
(and its sitemap ``lastmod``). This generator is for tests only (bench/ has its own).
"""

from __future__ import annotations

import html
import json
import os
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from crawler.normalize.urls import record_id

CANONICAL_ROOT = "https://www.avclub.com"
GRADES = ["A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "F"]
WORDS = ("light harbor engine orchard velvet glass tide ember river winter signal paper motel "
         "choir summer island engine garden mirror static silver quiet echo").split()
FIRST = ["Maren", "Jonah", "Ilse", "Tomas", "Priya", "Dario", "Hana", "Owen", "Lena", "Rafael"]
LAST = ["Holloway", "Marchetti", "Okafor", "Lindqvist", "Sato", "Brennan", "Duarte", "Kowalski"]


@dataclass
class GenPage:
    slug: str
    kind: str | None  # film, tv, or None for news
    published: datetime
    grade: str | None
    title: str

    @property
    def canonical(self) -> str:
        return f"{CANONICAL_ROOT}/{self.slug}"

    @property
    def id(self) -> str:
        return record_id(self.canonical)

    @property
    def is_review(self) -> bool:
        return self.kind is not None


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _para(rng: random.Random, n: int = 60) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return (" ".join(words)).capitalize() + "."


def review_html(page: GenPage, rng: random.Random, *, grades: bool = True, body_note: str = "") -> str:
    title = html.escape(page.title)
    section = "Film" if page.kind == "film" else "TV"
    iso = page.published.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    author = _name(rng)
    director, star1, star2 = _name(rng), _name(rng), _name(rng)
    work = page.title.split(" is ")[0]
    ld = {"@context": "https://schema.org", "@type": ["NewsArticle", "Review"], "headline": page.title,
          "datePublished": iso, "dateModified": iso, "author": [{"@type": "Person", "name": author}],
          "articleSection": section, "itemReviewed": {"@type": "Movie" if page.kind == "film" else "TVSeries", "name": work},
          "publisher": {"@type": "Organization", "name": "The A.V. Club"}}
    paras = "\n".join(f"    <p>{_para(rng)}</p>" for _ in range(4))
    if body_note:
        paras += f"\n    <p>{html.escape(body_note)}</p>"
    grade = f'<div class="review-grade"><span class="grade-letter">{page.grade}</span></div>' if grades and page.grade else ""
    role = "Director" if page.kind == "film" else "Creator"
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>{title} | The A.V. Club</title>
<link rel="canonical" href="{page.canonical}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{iso}">
<meta property="article:modified_time" content="{iso}">
<meta property="article:section" content="{section}">
<meta name="author" content="{author}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head>
<body>
<header class="site-header"><a class="logo" href="/">The A.V. Club</a></header>
<main>
<article class="article review">
  {grade}
  <h1 class="article-title">{title}</h1>
  <div class="byline">By <a rel="author" href="/author/x">{author}</a> <time datetime="{iso}">{page.published:%B %d, %Y}</time></div>
  <div class="article-body">
{paras}
    <div class="review-credits"><p><strong>{role}:</strong> {director}</p><p><strong>Starring:</strong> {star1}, {star2}</p><p><strong>Release Date:</strong> {page.published:%B %d, %Y}</p></div>
  </div>
</article>
</main>
<footer class="site-footer">© The A.V. Club</footer>
</body></html>
"""


def news_html(page: GenPage, rng: random.Random) -> str:
    iso = page.published.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>{html.escape(page.title)} | The A.V. Club</title>
<link rel="canonical" href="{page.canonical}">
<meta property="article:published_time" content="{iso}"><meta property="article:section" content="News"></head>
<body><main><article class="article"><h1 class="article-title">{html.escape(page.title)}</h1>
<div class="article-body"><p>{_para(rng)}</p><p>{_para(rng)}</p></div></article></main></body></html>
"""


def _lastmod(page: GenPage) -> str:
    return (page.published + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def write_sitemaps(root: Path, pages: list[GenPage], lastmods: dict[str, str] | None = None) -> None:
    lastmods = lastmods or {}
    by_year: dict[int, list[GenPage]] = {}
    for p in pages:
        by_year.setdefault(p.published.year, []).append(p)
    (root / "sitemaps").mkdir(parents=True, exist_ok=True)
    index = ['<?xml version="1.0" encoding="UTF-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for year in sorted(by_year, reverse=True):
        entries = sorted(by_year[year], key=lambda p: p.published, reverse=True)
        mods = [lastmods.get(p.slug, _lastmod(p)) for p in entries]
        urls = "".join(f"  <url>\n    <loc>{{{{BASE}}}}/{p.slug}</loc>\n    <lastmod>{m}</lastmod>\n  </url>\n" for p, m in zip(entries, mods))
        (root / "sitemaps" / f"articles-{year}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n', "utf-8")
        index.append(f"  <sitemap>\n    <loc>{{{{BASE}}}}/sitemaps/articles-{year}.xml</loc>\n    <lastmod>{max(mods)}</lastmod>\n  </sitemap>")
    index.append("</sitemapindex>\n")
    (root / "sitemap_index.xml").write_text("\n".join(index), "utf-8")


def write_listings(root: Path, pages: list[GenPage], per_page: int = 20) -> None:
    for kind in ("film", "tv"):
        items = sorted((p for p in pages if p.kind == kind), key=lambda p: p.published, reverse=True)
        chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
        for n, chunk in enumerate(chunks, 1):
            folder = root / kind / "reviews" if n == 1 else root / kind / "reviews" / "page" / str(n)
            folder.mkdir(parents=True, exist_ok=True)
            cards = "\n".join(f'<article class="card"><h2><a class="card-link" href="/{p.slug}">{html.escape(p.title)}</a></h2></article>' for p in chunk)
            nxt = f'<a rel="next" class="pagination-next" href="/{kind}/reviews/page/{n + 1}">Next</a>' if n < len(chunks) else ""
            (folder / "index.html").write_text(
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{kind} reviews</title></head><body><main>\n{cards}\n<nav class="pagination">{nxt}</nav></main></body></html>\n', "utf-8")


def generate_site(root: Path | str, n_reviews: int = 60, n_news: int = 5, *, seed: int = 7, grades: bool = True,
                  listings: bool = True, start: date = date(2023, 1, 1), days: int = 900) -> list[GenPage]:
    """Write the site under *root*; return its pages (reviews first, then news)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pages: list[GenPage] = []
    for i in range(n_reviews + n_news):
        published = datetime(start.year, start.month, start.day, tzinfo=timezone.utc) + timedelta(days=rng.randrange(days), hours=rng.randrange(8, 20))
        is_review = i < n_reviews
        kind = ("film" if i % 3 else "tv") if is_review else None
        words = [rng.choice(WORDS).capitalize() for _ in range(2)]
        title = f"{' '.join(words)} {i} is a {rng.choice(['sturdy', 'luminous', 'clumsy', 'gentle'])} {'drama' if kind else 'story'}"
        slug = f"{'review' if is_review else 'news'}-{i:04d}-{words[0].lower()}-{words[1].lower()}"
        pages.append(GenPage(slug, kind, published, rng.choice(GRADES) if is_review else None, title))
    for p in pages:
        folder = root / p.slug
        folder.mkdir(parents=True, exist_ok=True)
        page_rng = random.Random(f"{seed}-{p.slug}")
        (folder / "page.html").write_text(review_html(p, page_rng, grades=grades) if p.is_review else news_html(p, page_rng), "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n\nSitemap: {{BASE}}/sitemap_index.xml\n", "utf-8")
    (root / "index.html").write_text("<!DOCTYPE html><html><body><h1>Generated site</h1></body></html>\n", "utf-8")
    write_sitemaps(root, pages)
    if listings:
        write_listings(root, [p for p in pages if p.is_review])
    return pages


def change_body(root: Path | str, pages: list[GenPage], slug: str, note: str = "Update: this review was revised.",
                *, seed: int = 7, bump_lastmod: bool = True) -> None:
    """Append a paragraph to one review's body; move its file mtime (Last-Modified) and, when
    *bump_lastmod*, its sitemap ``lastmod`` to now."""
    root = Path(root)
    page = next(p for p in pages if p.slug == slug)
    path = root / slug / "page.html"
    path.write_text(review_html(page, random.Random(f"{seed}-{slug}"), body_note=note), "utf-8")
    future = time.time() + 5  # strictly later than any Last-Modified already sent
    os.utime(path, (future, future))
    if bump_lastmod:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        write_sitemaps(root, pages, {slug: now})


# ---------------------------------------------------------------- crawl helpers for the tests
FAST_PROD = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
             "-s", "LOG_LEVEL=INFO", "-s", "PROGRESS_INTERVAL=0"]


def crawl(base_url: str, out: Path | str, state: Path | str, *extra: str, timeout: float = 180):
    """``scrapy crawl avclub`` against *base_url* writing ``-O out`` with the given state, in
    ``incremental`` mode unless *extra* names one (``-O`` alone would be a fresh ``full`` dump)."""
    from tests.support.crawl import run_scrapy

    mode = [] if any(str(x).startswith("mode=") for x in extra) else ["-a", "mode=incremental"]
    return run_scrapy(["crawl", "avclub", "-a", f"base_url={base_url}", "-a", f"state={state}", "-O", str(out), *mode, *FAST_PROD, *extra],
                      timeout=timeout)


def stat(proc, key: str) -> int | None:
    """An integer stat of a finished crawl (``run_scrapy``'s ``proc.stats``, from STATS_DUMP_PATH)."""
    value = proc.stats.get(key)
    return int(value) if value is not None else None
