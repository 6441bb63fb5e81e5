"""Generate a synthetic A.V. Club-shaped review site of N pages for the benchmarks.

Pages are realistic in size and shape (about 50-150 KB: head scripts and styles, JSON-LD,
OpenGraph, a big navigation, ad slots with inline scripts, a letter grade above the headline,
a byline, 10-20 body paragraphs with inline links, a credits block, related links, footer), and
follow the markup of ``fixtures/avclub/lost-in-starlight/page.html`` so ``scrapy crawl avclub``
reads them. About 5% are news pages (no grade, no credits): fetched and skipped, as on the real
site.

Layout written under ``OUT`` (never the repository)::

    <slug>/page.html                 one folder per article (the fixture server's layout)
    robots.txt, sitemap_index.xml     {{BASE}} placeholders (see :func:`render_base`)
    sitemaps/articles-<k>.xml         child sitemaps, at most 50,000 URLs each
    film/reviews/index.html, tv/reviews/index.html   review listings (first 20 reviews each)
    urls.txt                          every article path, one per line
    manifest.json                     counts and sizes

``python bench/gen_site.py --pages 2000 --out /tmp/bench-site``
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

SITEMAP_MAX_URLS = 50_000
NEWS_EVERY = 20  # one page in 20 is a news item (not a review)

_WORDS = (
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
_FIRST = "Maren Theo Ilse Rafael Priya Jonah Celeste Dmitri Noor Wendell Ada Kofi Lucia Bram Signe Tomas Hana Otis".split()
_LAST = "Holloway Marchetti Okafor Lindqvist Varga Delacroix Nakamura Brennan Quispe Adeyemi Sorensen Castillo Ferreira Kowalski Whitlock".split()
_GRADES = "A+ A A- B+ B B- C+ C C- D+ D D- F".split()
_PLATFORMS = ("Netflix", "Hulu", "Prime Video", "Apple TV+", "Max", "Peacock", "FX", "Shudder", "in theaters")
_MONTHS = "January February March April May June July August September October November December".split()


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _sentence(rng: random.Random, lo: int = 8, hi: int = 22) -> str:
    words = rng.choices(_WORDS, k=rng.randint(lo, hi))
    return words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice((".", ".", ".", "?", "!"))


def _paragraph(rng: random.Random, work: str) -> str:
    sents = [_sentence(rng) for _ in range(rng.randint(4, 8))]
    k = rng.randrange(len(sents))
    sents[k] = f"<em>{work}</em> {sents[k][0].lower()}{sents[k][1:]}"
    if rng.random() < 0.5:
        k = rng.randrange(len(sents))
        sents[k] = sents[k][:-1] + f' <a href="/article-{rng.randint(1, 99999)}">{" ".join(rng.choices(_WORDS, k=3))}</a>.'
    return " ".join(sents)


def _js_blob(rng: random.Random, kb: int) -> str:
    """Minified-looking inline JavaScript of about *kb* KB."""
    parts, size = [], 0
    while size < kb * 1024:
        fn = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=6))
        chunk = (f'function {fn}(e,t){{var n=e.{rng.choice(_WORDS)}||{{}};for(var r=0;r<{rng.randint(2, 99)};r++)'
                 f'{{n["k"+r]=t&&t[r]?t[r]:"{rng.choice(_WORDS)}-{rng.randint(0, 9999)}"}}return n}};')
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
        links = "".join(f'<li><a href="/{sec.lower()}/{w}">{w.capitalize()}</a></li>' for w in rng.sample(_WORDS, 8))
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


def make_page(i: int) -> tuple[str, str, str, bool]:
    """``(slug, html, lastmod, is_review)`` of page *i* (deterministic)."""
    rng = random.Random(i * 7919 + 17)
    is_review = i % NEWS_EVERY != NEWS_EVERY - 1
    kind = "film" if i % 3 else "tv"
    work = " ".join(w.capitalize() for w in rng.sample(_WORDS[20:], rng.randint(2, 4)))
    slug = f"{work.lower().replace(' ', '-')}-{'review' if is_review else 'news'}-{i}"
    headline = f"{work} {' '.join(rng.choices(_WORDS, k=rng.randint(6, 12)))}"
    dek = _sentence(rng, 10, 20)
    author = _name(rng)
    iso, human, release = _date(rng)
    grade = rng.choice(_GRADES)
    platform = rng.choice(_PLATFORMS)
    director = [_name(rng) for _ in range(rng.randint(1, 2))]
    writer = [_name(rng) for _ in range(rng.randint(1, 3))]
    starring = [_name(rng) for _ in range(rng.randint(2, 6))]
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
    footer_links = "".join(f'<li><a href="/{w}">{w.capitalize()}</a></li>' for w in rng.sample(_WORDS, 30))
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
  <figure class="lead-image"><img src="https://i.example.invalid/{slug}.jpg" alt="{work}" width="1600" height="900"><figcaption>Photo: {_name(rng)}/{platform}</figcaption></figure>
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


def generate(out: Path, pages: int, *, quiet: bool = False) -> dict:
    """Generate the site into *out* (replaced if it is a generated site already)."""
    repo = Path(__file__).resolve().parent.parent
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
    reviews_by_kind: dict[str, list[str]] = {"film": [], "tv": []}
    total_bytes = 0
    sizes = []
    for i in range(pages):
        slug, html, lastmod, is_review = make_page(i)
        data = html.encode("utf-8")
        d = out / slug
        d.mkdir()
        (d / "page.html").write_bytes(data)
        total_bytes += len(data)
        if i < 2000:
            sizes.append(len(data))
        entries.append((slug, lastmod))
        if is_review:
            reviews_by_kind["film" if i % 3 else "tv"].append(slug)
        if not quiet and i and i % 10000 == 0:
            print(f"  {i} pages ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
    tmpl = out / "_templates"
    (tmpl / "sitemaps").mkdir(parents=True)
    children = []
    for k in range(0, len(entries), SITEMAP_MAX_URLS):
        name = f"articles-{k // SITEMAP_MAX_URLS + 1}.xml"
        urls = "".join(f"<url><loc>{{{{BASE}}}}/{slug}</loc><lastmod>{lm}</lastmod></url>\n" for slug, lm in entries[k:k + SITEMAP_MAX_URLS])
        (tmpl / "sitemaps" / name).write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n", "utf-8")
        children.append(name)
    index = "".join(f"<sitemap><loc>{{{{BASE}}}}/sitemaps/{n}</loc></sitemap>\n" for n in children)
    (tmpl / "sitemap_index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + index + "</sitemapindex>\n", "utf-8")
    (tmpl / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n\nSitemap: {{BASE}}/sitemap_index.xml\n", "utf-8")
    # The fixture server substitutes {{BASE}} itself: keep the templates at their served paths too.
    render_base(out, "{{BASE}}")
    for kind in ("film", "tv"):
        d = out / kind / "reviews"
        d.mkdir(parents=True)
        links = "".join(f'<article><h2><a class="card-link" href="/{s}">{s}</a></h2></article>' for s in reviews_by_kind[kind][:20])
        (d / "index.html").write_text(f"<!DOCTYPE html><html><body><main>{links}</main></body></html>", "utf-8")
    (out / "urls.txt").write_text("".join(f"/{slug}\n" for slug, _ in entries), "utf-8")
    manifest = {
        "pages": pages,
        "reviews": sum(len(v) for v in reviews_by_kind.values()),
        "bytes": total_bytes,
        "mean_kb": round(total_bytes / max(pages, 1) / 1024, 1),
        "min_kb": round(min(sizes) / 1024, 1) if sizes else 0,
        "max_kb": round(max(sizes) / 1024, 1) if sizes else 0,
        "sitemaps": len(children),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-site"))
    args = ap.parse_args(argv)
    manifest = generate(args.out, args.pages)
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
