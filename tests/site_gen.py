"""A generated A.V. Club-shaped fixture site of any size, for the distributed tests and benchmark.

Review pages copy the markup of ``fixtures/avclub/lost-in-starlight/page.html`` with varied
titles, grades, critics, credits and bodies (small pages: a few KB each). One page in
``news_every`` is a news item (no grade, no credits). Discovery paths, as on the real site:
``robots.txt`` -> ``sitemap_index.xml`` -> ``sitemaps/articles-<k>.xml`` (every article), and
``film/reviews`` / ``tv/reviews`` listings with ``rel=next`` pagination (every review once).

``write_site(root, pages)`` returns the canonical URLs of the reviews
(``https://www.avclub.com/<slug>``, the pages' ``rel=canonical``). Serve ``root`` with
:class:`crawler.devserver.FixtureServer`.
"""

from __future__ import annotations

import random
from html import escape
from pathlib import Path

CANONICAL_BASE = "https://www.avclub.com"
GRADES = "A+ A A- B+ B B- C+ C C- D+ D D- F".split()
ADJ = "Quiet Glass Velvet Paper Salt Harbor Electric Silver Hollow Crimson Northern Broken Golden Distant Restless".split()
NOUN = "Engines Tides Orchard Lights Alibi Road Verse Hours Acre Garden Signal Country Lantern Mirror Season".split()
FIRST = "Maren Theo Ilse Rafael Priya Jonah Celeste Dmitri Noor Wendell Ada Kofi Lucia Bram Signe".split()
LAST = "Holloway Marchetti Okafor Lindqvist Varga Delacroix Nakamura Brennan Quispe Adeyemi Sorensen Castillo".split()
PLATFORMS = ("Netflix", "Hulu", "Prime Video", "Max", "Peacock", "Shudder")
WORDS = ("the film story camera scene performance script season episode character drama comedy thriller "
         "city river house family memory humor tension pace ending twist dialogue silence image color sound "
         "quietly slowly sharply never always often bright dark small strange tender clever earnest").split()
MONTHS = "January February March April May June July August September October November December".split()
PER_LISTING_PAGE = 10

REVIEW = """<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>{title} | The A.V. Club</title>
<link rel="canonical" href="{canonical}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:description" content="{dek}">
<meta property="og:url" content="{canonical}">
<meta property="article:published_time" content="{iso}">
<meta property="article:modified_time" content="{iso}">
<meta property="article:section" content="{section}">
<meta name="author" content="{author}">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":["NewsArticle","Review"],"headline":"{title}","description":"{dek}","datePublished":"{iso}","dateModified":"{iso}","author":[{{"@type":"Person","name":"{author}"}}],"articleSection":"{section}","itemReviewed":{{"@type":"{work_type}","name":"{work}"}},"publisher":{{"@type":"Organization","name":"The A.V. Club"}}}}</script>
</head>
<body>
<header class="site-header"><a class="logo" href="/">The A.V. Club</a>
<nav class="site-nav"><a href="/">Home</a> <a href="/film/reviews">Film</a> <a href="/tv/reviews">TV</a></nav>
</header>
<main>
<article class="article review">
  <div class="review-grade"><span class="grade-letter">{grade}</span></div>
  <h1 class="article-title">{title}</h1>
  <p class="article-dek">{dek}</p>
  <div class="byline">By <a rel="author" href="/author/x">{author}</a> <time datetime="{iso}">{human_date}</time></div>
  <div class="article-body">
{paragraphs}
    <div class="review-credits"><p><strong>Director:</strong> {director}</p><p><strong>Writer:</strong> {writer}</p><p><strong>Starring:</strong> {starring}</p><p><strong>Release Date:</strong> {human_day} ({platform})</p></div>
  </div>
</article>
</main>
<footer class="site-footer">© The A.V. Club</footer>
</body></html>
"""

NEWS = """<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="utf-8"><title>{title} | The A.V. Club</title>
<link rel="canonical" href="{canonical}"><meta property="article:section" content="News"></head>
<body><main><article class="article"><h1 class="article-title">{title}</h1>
<div class="article-body"><p>{text}</p></div></article></main></body></html>
"""

LISTING = """<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><title>{section} Reviews | The A.V. Club</title>{next_link}</head>
<body><main><h1 class="section-title">{section} Reviews</h1><div class="card-list">
{cards}
</div>{next_anchor}</main></body></html>
"""


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 16))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def write_site(root: Path, pages: int, *, seed: int = 7, news_every: int = 10) -> list[str]:
    """Write a site of *pages* article pages under *root*; return the reviews' canonical URLs."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    reviews: dict[str, list[str]] = {"Film": [], "TV": []}
    articles: list[str] = []
    canonical_urls: list[str] = []
    for i in range(pages):
        slug = f"{rng.choice(ADJ).lower()}-{rng.choice(NOUN).lower()}-{i:05d}"
        canonical = f"{CANONICAL_BASE}/{slug}"
        folder = root / slug
        folder.mkdir(parents=True, exist_ok=True)
        articles.append(slug)
        if news_every and i % news_every == news_every - 1:
            title = f"{rng.choice(ADJ)} {rng.choice(NOUN)} news item number {i}"
            (folder / "page.html").write_text(NEWS.format(title=title, canonical=canonical, text=_sentence(rng)), "utf-8")
            continue
        work = f"{rng.choice(ADJ)} {rng.choice(NOUN)} {i}"
        section = "Film" if i % 3 else "TV"
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        iso = f"2025-{month:02d}-{day:02d}T15:00:00+00:00"
        values = {
            "title": escape(f"{work} is a {rng.choice(WORDS)} {rng.choice(('drama', 'comedy', 'thriller'))} about {rng.choice(WORDS)}"),
            "dek": escape(_sentence(rng)),
            "canonical": canonical,
            "iso": iso,
            "human_date": f"{MONTHS[month - 1]} {day}, 2025 11:00 AM EDT",
            "human_day": f"{MONTHS[month - 1]} {day}, 2025",
            "section": section,
            "work_type": "Movie" if section == "Film" else "TVSeries",
            "work": escape(work),
            "author": _name(rng),
            "grade": rng.choice(GRADES),
            "paragraphs": "\n".join(f"    <p>{escape(' '.join(_sentence(rng) for _ in range(4)))}</p>" for _ in range(rng.randint(3, 6))),
            "director": _name(rng),
            "writer": f"{_name(rng)}, {_name(rng)}",
            "starring": f"{_name(rng)}, {_name(rng)}",
            "platform": rng.choice(PLATFORMS),
        }
        (folder / "page.html").write_text(REVIEW.format(**values), "utf-8")
        reviews[section].append(slug)
        canonical_urls.append(canonical)
    _write_discovery(root, articles, reviews)
    return canonical_urls


def _write_discovery(root: Path, articles: list[str], reviews: dict[str, list[str]]) -> None:
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n\nSitemap: {{BASE}}/sitemap_index.xml\n", "utf-8")
    chunks = [articles[i:i + 100] for i in range(0, len(articles), 100)] or [[]]
    (root / "sitemaps").mkdir(exist_ok=True)
    index = ['<?xml version="1.0" encoding="UTF-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for k, chunk in enumerate(chunks):
        index.append(f"  <sitemap><loc>{{{{BASE}}}}/sitemaps/articles-{k}.xml</loc></sitemap>")
        urls = "\n".join(f"  <url><loc>{{{{BASE}}}}/{slug}</loc><lastmod>2025-06-01</lastmod></url>" for slug in chunk)
        (root / "sitemaps" / f"articles-{k}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n</urlset>\n', "utf-8")
    index.append("</sitemapindex>")
    (root / "sitemap_index.xml").write_text("\n".join(index) + "\n", "utf-8")
    (root / "index.html").write_text("<html><body><a href='/film/reviews'>Film</a></body></html>", "utf-8")
    for section, path in (("Film", "film/reviews"), ("TV", "tv/reviews")):
        slugs = reviews[section]
        pages = [slugs[i:i + PER_LISTING_PAGE] for i in range(0, len(slugs), PER_LISTING_PAGE)] or [[]]
        for n, chunk in enumerate(pages, start=1):
            folder = root / path if n == 1 else root / path / "page" / str(n)
            folder.mkdir(parents=True, exist_ok=True)
            cards = "\n".join(f'<article class="card"><h2><a class="card-link" href="/{s}">{s}</a></h2></article>' for s in chunk)
            nxt = f"/{path}/page/{n + 1}" if n < len(pages) else None
            (folder / "index.html").write_text(LISTING.format(
                section=section, cards=cards,
                next_link=f'<link rel="next" href="{nxt}">' if nxt else "",
                next_anchor=f'<a rel="next" class="pagination-next" href="{nxt}">Next</a>' if nxt else "",
            ), "utf-8")
