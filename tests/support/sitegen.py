"""A generated A.V. Club-shaped review site for production-run tests (state, incremental,
backfill, kill and resume, monitors), served by :class:`crawler.devserver.FixtureServer`.

``generate_site(root, n_reviews=...)`` writes ``robots.txt``, a sitemap index with one sitemap
per year (``lastmod`` per URL), review pages (film and TV: grade, credits block, JSON-LD
``Review``, canonical ``https://www.avclub.com/<slug>``), a few news pages, and optionally the
film/TV review listings with pagination. ``grades=False`` is the "redesigned" site: the grade
markup is gone (pages are still reviews by their credits and structured data).

Deterministic for a seed. Returns the list of :class:`GenPage`; ``change_body`` edits one page
(and its sitemap ``lastmod``).

The benchmarks' site (``generate_bench_site``, run by ``bench/gen_site.py``) is made here too,
with the same layout writers (robots, sitemaps, listings): its pages are the heavy ones of a real
template (50-150 KB: scripts, styles, navigation, ads, 10-20 paragraphs), where the test pages
stay small so the tests stay fast.
"""

from __future__ import annotations

import html
import json
import os
import random
import shutil
import sys
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


def _name(rng: random.Random, first: list[str] = FIRST, last: list[str] = LAST) -> str:
    return f"{rng.choice(first)} {rng.choice(last)}"


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


ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n\nSitemap: {{BASE}}/sitemap_index.xml\n"


def write_sitemap_set(root: Path, children: dict[str, list[tuple[str, str]]]) -> None:
    """``root/sitemaps/<name>`` for each child sitemap (its ``(path, lastmod)`` entries, URLs on
    ``{{BASE}}``) and ``root/sitemap_index.xml`` naming them, each with its newest ``lastmod``."""
    (root / "sitemaps").mkdir(parents=True, exist_ok=True)
    index = ['<?xml version="1.0" encoding="UTF-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for name, entries in children.items():
        urls = "".join(f"  <url>\n    <loc>{{{{BASE}}}}/{path}</loc>\n    <lastmod>{mod}</lastmod>\n  </url>\n" for path, mod in entries)
        (root / "sitemaps" / name).write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n', "utf-8")
        newest = max((mod for _, mod in entries), default=None)
        lastmod = f"\n    <lastmod>{newest}</lastmod>" if newest else ""
        index.append(f"  <sitemap>\n    <loc>{{{{BASE}}}}/sitemaps/{name}</loc>{lastmod}\n  </sitemap>")
    index.append("</sitemapindex>\n")
    (root / "sitemap_index.xml").write_text("\n".join(index), "utf-8")


def write_sitemaps(root: Path, pages: list[GenPage], lastmods: dict[str, str] | None = None) -> None:
    """One sitemap per year, newest first (``lastmods``: slug -> lastmod overrides)."""
    lastmods = lastmods or {}
    by_year: dict[int, list[GenPage]] = {}
    for p in pages:
        by_year.setdefault(p.published.year, []).append(p)
    children = {}
    for year in sorted(by_year, reverse=True):
        entries = sorted(by_year[year], key=lambda p: p.published, reverse=True)
        children[f"articles-{year}.xml"] = [(p.slug, lastmods.get(p.slug, _lastmod(p))) for p in entries]
    write_sitemap_set(root, children)


def write_listings(root: Path, pages: list[GenPage], per_page: int = 20, max_pages: int | None = None) -> None:
    """The film and TV review listings, *per_page* cards a page, paginated (at most *max_pages*)."""
    for kind in ("film", "tv"):
        items = sorted((p for p in pages if p.kind == kind), key=lambda p: p.published, reverse=True)
        chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)][:max_pages] or [[]]
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
    (root / "robots.txt").write_text(ROBOTS_TXT, "utf-8")
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


# ---------------------------------------------------------------- the benchmarks' heavy pages
SITEMAP_MAX_URLS = 50_000
NEWS_EVERY = 20  # one page in 20 is a news item (not a review)

_BENCH_WORDS = (
    "the a of and to in that it with as for its on but is by from this film series at an his her their "
    "story director camera scene performance script season episode character actor actress drama comedy "
    "thriller horror romance mystery sequence frame shot score music light shadow city town river house "
    "family mother father brother sister friend stranger detective killer lover memory grief humor tension "
    "pace rhythm structure ending opening middle act twist reveal dialogue silence moment image color "
    "texture sound editing montage close-up long take wide handheld quietly slowly sharply warmly coldly "
    "never always often rarely almost nearly barely strangely beautifully awkwardly confidently "
    "feels looks sounds plays moves turns finds loses keeps builds breaks holds lets makes takes gives "
    "bright dark small large familiar strange tender brutal clever silly earnest ironic patient restless"
).split()
_BENCH_FIRST = "Maren Theo Ilse Rafael Priya Jonah Celeste Dmitri Noor Wendell Ada Kofi Lucia Bram Signe Tomas Hana Otis".split()
_BENCH_LAST = "Holloway Marchetti Okafor Lindqvist Varga Delacroix Nakamura Brennan Quispe Adeyemi Sorensen Castillo Ferreira Kowalski Whitlock".split()
_GRADES = "A+ A A- B+ B B- C+ C C- D+ D D- F".split()
_PLATFORMS = ("Netflix", "Hulu", "Prime Video", "Apple TV+", "Max", "Peacock", "FX", "Shudder", "in theaters")
_MONTHS = "January February March April May June July August September October November December".split()


def _sentence(rng: random.Random, lo: int = 8, hi: int = 22) -> str:
    words = rng.choices(_BENCH_WORDS, k=rng.randint(lo, hi))
    return words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice((".", ".", ".", "?", "!"))


def _paragraph(rng: random.Random, work: str) -> str:
    sents = [_sentence(rng) for _ in range(rng.randint(4, 8))]
    k = rng.randrange(len(sents))
    sents[k] = f"<em>{work}</em> {sents[k][0].lower()}{sents[k][1:]}"
    if rng.random() < 0.5:
        k = rng.randrange(len(sents))
        sents[k] = sents[k][:-1] + f' <a href="/article-{rng.randint(1, 99999)}">{" ".join(rng.choices(_BENCH_WORDS, k=3))}</a>.'
    return " ".join(sents)


def _js_blob(rng: random.Random, kb: int) -> str:
    """Minified-looking inline JavaScript of about *kb* KB."""
    parts, size = [], 0
    while size < kb * 1024:
        fn = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=6))
        chunk = (f'function {fn}(e,t){{var n=e.{rng.choice(_BENCH_WORDS)}||{{}};for(var r=0;r<{rng.randint(2, 99)};r++)'
                 f'{{n["k"+r]=t&&t[r]?t[r]:"{rng.choice(_BENCH_WORDS)}-{rng.randint(0, 9999)}"}}return n}};')
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


def _css_blob(rng: random.Random, kb: int) -> str:
    parts, size = [], 0
    while size < kb * 1024:
        cls = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=7))
        chunk = f".{cls}{{margin:{rng.randint(0, 40)}px;color:#{rng.randint(0, 0xFFFFFF):06x};font-size:{rng.randint(10, 30)}px}}"
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)


def _nav(rng: random.Random) -> str:
    sections = ("Film", "TV", "Music", "Games", "Books", "Podcasts", "News", "Features", "Lists", "Interviews")
    items = []
    for sec in sections:
        links = "".join(f'<li><a href="/{sec.lower()}/{w}">{w.capitalize()}</a></li>' for w in rng.sample(_BENCH_WORDS, 8))
        items.append(f'<li class="menu-item"><a href="/{sec.lower()}">{sec}</a><ul class="sub-menu">{links}</ul></li>')
    return f'<nav class="site-nav" aria-label="Main"><ul class="menu">{"".join(items)}</ul></nav>'


def _ad(rng: random.Random, slot: str) -> str:
    gid = rng.randint(10**8, 10**9)
    return (f'<div class="ad ad-{slot}" data-ad-slot="{slot}"><div id="div-gpt-ad-{gid}">'
            f'<script>googletag.cmd.push(function(){{googletag.display("div-gpt-ad-{gid}")}});</script>'
            f'<span class="ad-label">Advertisement</span></div></div>')


def _date(rng: random.Random) -> tuple[str, str, str]:
    y, m, d = rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28)
    h = rng.randint(8, 20)
    iso = f"{y}-{m:02d}-{d:02d}T{h:02d}:00:00+00:00"
    human = f"{_MONTHS[m - 1]} {d}, {y} {h % 12 or 12}:00 {'AM' if h < 12 else 'PM'} UTC"
    release = f"{_MONTHS[m - 1]} {d}, {y}"
    return iso, human, release


def make_bench_page(i: int) -> tuple[str, str, str, bool]:
    """``(slug, html, lastmod, is_review)`` of page *i* (deterministic)."""
    rng = random.Random(i * 7919 + 17)
    is_review = i % NEWS_EVERY != NEWS_EVERY - 1
    kind = "film" if i % 3 else "tv"
    work = " ".join(w.capitalize() for w in rng.sample(_BENCH_WORDS[20:], rng.randint(2, 4)))
    slug = f"{work.lower().replace(' ', '-')}-{'review' if is_review else 'news'}-{i}"
    headline = f"{work} {' '.join(rng.choices(_BENCH_WORDS, k=rng.randint(6, 12)))}"
    dek = _sentence(rng, 10, 20)
    author = _name(rng, _BENCH_FIRST, _BENCH_LAST)
    iso, human, release = _date(rng)
    grade = rng.choice(_GRADES)
    platform = rng.choice(_PLATFORMS)
    director = [_name(rng, _BENCH_FIRST, _BENCH_LAST) for _ in range(rng.randint(1, 2))]
    writer = [_name(rng, _BENCH_FIRST, _BENCH_LAST) for _ in range(rng.randint(1, 3))]
    starring = [_name(rng, _BENCH_FIRST, _BENCH_LAST) for _ in range(rng.randint(2, 6))]
    section = "Film" if kind == "film" else "TV"
    canonical = f"https://www.avclub.com/{slug}"

    types = ["NewsArticle", "Review"] if is_review else ["NewsArticle"]
    ld = {
        "@context": "https://schema.org", "@type": types, "headline": headline, "description": dek,
        "datePublished": iso, "dateModified": iso, "author": [{"@type": "Person", "name": author}],
        "articleSection": section, "publisher": {"@type": "Organization", "name": "The A.V. Club"},
        "mainEntityOfPage": canonical,
        "image": {"@type": "ImageObject", "url": f"https://i.example.invalid/{slug}.jpg", "width": 1600, "height": 900},
    }
    if is_review:
        ld["itemReviewed"] = {"@type": "Movie" if kind == "film" else "TVSeries", "name": work}
    crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": "https://www.avclub.com/"},
        {"@type": "ListItem", "position": 2, "name": section, "item": f"https://www.avclub.com/{kind}"},
    ]}
    head_js_kb = rng.randint(15, 70)
    css_kb = rng.randint(5, 20)
    paras = [_paragraph(rng, work) for _ in range(rng.randint(10, 20))]
    body_parts = []
    for k, p in enumerate(paras):
        body_parts.append(f"    <p>{p}</p>")
        if k in (2, 7, 13):
            body_parts.append("    " + _ad(rng, f"inline-{k}"))
        if k == 5:
            body_parts.append(f'    <aside class="related-inline"><p>Related: <a href="/r-{rng.randint(1, 9999)}">{_sentence(rng, 5, 9)}</a></p></aside>')
    credits = ""
    grade_html = ""
    if is_review:
        grade_html = f'  <div class="review-grade"><span class="grade-letter">{grade}</span></div>\n'
        credits = (
            '    <div class="review-credits">'
            f'<p><strong>Director:</strong> {", ".join(director)}</p>'
            f'<p><strong>Writer:</strong> {", ".join(writer)}</p>'
            f'<p><strong>Starring:</strong> {", ".join(starring)}</p>'
            f'<p><strong>Release Date:</strong> {release} ({platform})</p></div>\n'
        )
    related = "".join(f'<li><a href="/related-{rng.randint(1, 99999)}">{_sentence(rng, 6, 11)}</a></li>' for _ in range(10))
    footer_links = "".join(f'<li><a href="/{w}">{w.capitalize()}</a></li>' for w in rng.sample(_BENCH_WORDS, 30))
    html = f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{headline} | The A.V. Club</title>
<link rel="canonical" href="{canonical}">
<link rel="preconnect" href="https://cdn.example.invalid">
<link rel="stylesheet" href="/static/css/main.{rng.randint(10**6, 10**7)}.css">
<meta property="og:type" content="article">
<meta property="og:title" content="{headline}">
<meta property="og:description" content="{dek}">
<meta property="og:url" content="{canonical}">
<meta property="og:image" content="https://i.example.invalid/{slug}.jpg">
<meta property="article:published_time" content="{iso}">
<meta property="article:modified_time" content="{iso}">
<meta property="article:section" content="{section}">
<meta name="author" content="{author}">
<meta name="twitter:card" content="summary_large_image">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<script type="application/ld+json">{json.dumps(crumbs)}</script>
<script>window.dataLayer=window.dataLayer||[];window.dataLayer.push({{"section":"{section}","author":"{author}","pageType":"article"}});</script>
<script>{_js_blob(rng, head_js_kb)}</script>
<style>{_css_blob(rng, css_kb)}</style>
<script async src="https://securepubads.example.invalid/tag/js/gpt.js"></script>
</head>
<body class="article-template">
<header class="site-header"><a class="logo" href="/">The A.V. Club</a>
{_nav(rng)}
<form class="search" action="/search"><input type="search" name="q"><button>Search</button></form>
</header>
{_ad(rng, "leaderboard")}
<main>
<article class="article review">
  <nav class="breadcrumbs"><a href="/">Home</a> › <a href="/{kind}">{section}</a></nav>
{grade_html}  <h1 class="article-title">{headline}</h1>
  <p class="article-dek">{dek}</p>
  <div class="byline">By <a rel="author" href="/author/{author.lower().replace(' ', '-')}">{author}</a> <time datetime="{iso}">{human}</time></div>
  <div class="share-bar"><a href="#">Share</a> <a href="#">Copy link</a> <a href="#">Email</a></div>
  <figure class="lead-image"><img src="https://i.example.invalid/{slug}.jpg" alt="{work}" width="1600" height="900"><figcaption>Photo: {_name(rng, _BENCH_FIRST, _BENCH_LAST)}/{platform}</figcaption></figure>
  <div class="article-body">
{chr(10).join(body_parts)}
{credits}  </div>
  <section class="comments"><p>Join the discussion...</p></section>
</article>
<aside class="related"><h3>Related</h3><ul>{related}</ul></aside>
{_ad(rng, "sidebar")}
</main>
<footer class="site-footer"><ul class="footer-links">{footer_links}</ul>
<form class="newsletter"><input type="email" name="email"><button>Subscribe</button></form>
<p>© The A.V. Club</p></footer>
<script>{_js_blob(rng, rng.randint(3, 10))}</script>
</body></html>
"""
    return slug, html, iso, is_review


def render_base(site: Path, base_url: str, dest: Path | None = None) -> None:
    """Write robots.txt and the sitemaps with ``{{BASE}}`` replaced by *base_url* (for static
    servers that cannot substitute, such as nginx), from ``site/_templates`` into *dest*."""
    dest = dest or site
    tmpl = site / "_templates"
    for src in tmpl.rglob("*"):
        if src.is_file():
            out = dest / src.relative_to(tmpl)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(src.read_bytes().replace(b"{{BASE}}", base_url.encode()))


def generate_bench_site(out: Path, pages: int, *, quiet: bool = False) -> dict:
    """Generate the site into *out* (replaced if it is a generated site already)."""
    repo = Path(__file__).resolve().parents[2]
    out = out.resolve()
    if out == repo or repo in out.parents:
        raise SystemExit(f"refusing to generate inside the repository: {out}")
    if out.exists():
        if not (out / "manifest.json").exists():
            raise SystemExit(f"{out} exists and is not a generated site; remove it or pick another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    entries: list[tuple[str, str]] = []
    listed: list[GenPage] = []
    reviews = 0
    total_bytes = 0
    sizes = []
    for i in range(pages):
        slug, html, lastmod, is_review = make_bench_page(i)
        data = html.encode("utf-8")
        d = out / slug
        d.mkdir()
        (d / "page.html").write_bytes(data)
        total_bytes += len(data)
        if i < 2000:
            sizes.append(len(data))
        entries.append((slug, lastmod))
        if is_review:
            reviews += 1
            listed.append(GenPage(slug, "film" if i % 3 else "tv", datetime.fromisoformat(lastmod), None, slug))
        if not quiet and i and i % 10000 == 0:
            print(f"  {i} pages ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
    tmpl = out / "_templates"
    tmpl.mkdir()
    chunks = [entries[k:k + SITEMAP_MAX_URLS] for k in range(0, len(entries), SITEMAP_MAX_URLS)]
    children = {f"articles-{n}.xml": chunk for n, chunk in enumerate(chunks, 1)}
    write_sitemap_set(tmpl, children)
    (tmpl / "robots.txt").write_text(ROBOTS_TXT, "utf-8")
    # The fixture server substitutes {{BASE}} itself: keep the templates at their served paths too.
    render_base(out, "{{BASE}}")
    write_listings(out, listed, max_pages=1)
    (out / "urls.txt").write_text("".join(f"/{slug}\n" for slug, _ in entries), "utf-8")
    manifest = {
        "pages": pages,
        "reviews": reviews,
        "bytes": total_bytes,
        "mean_kb": round(total_bytes / max(pages, 1) / 1024, 1),
        "min_kb": round(min(sizes) / 1024, 1) if sizes else 0,
        "max_kb": round(max(sizes) / 1024, 1) if sizes else 0,
        "sitemaps": len(children),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
    return manifest


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
