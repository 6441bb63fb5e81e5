"""Generate a synthetic A.V. Club-shaped review site of N pages for the benchmarks.

Pages are realistic in size and shape (about 50-150 KB: head scripts and styles, JSON-LD,
OpenGraph, a big navigation, ad slots with inline scripts, a letter grade above the headline,
a byline, 10-20 body paragraphs with inline links, a credits block, related links, footer), and
follow the markup of ``fixtures/avclub/lost-in-starlight/page.html`` so ``scrapy crawl avclub``
reads them. About 5% are news pages (no grade, no credits): fetched and skipped, as on the real
site. The generator is the tests' own (``tests/support/sitegen.py``: one site generator, with
the same robots, sitemaps and listings); this is its command line.

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
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.sitegen import SITEMAP_MAX_URLS, generate_bench_site, make_bench_page, render_base  # noqa: E402

generate = generate_bench_site
make_page = make_bench_page
__all__ = ["SITEMAP_MAX_URLS", "generate", "make_page", "render_base"]


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
