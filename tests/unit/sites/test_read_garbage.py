"""Reading a page leaves no cyclic garbage: the page object, its tree and its caches are freed by
reference counting when :func:`crawler.sites.read.read_page` returns, not by a later pass of the
garbage collector (a worker reads page after page; lxml trees are memory the collector's
thresholds do not see)."""

from __future__ import annotations

import gc
from pathlib import Path

from crawler.sites.read import read_page

REPO = Path(__file__).resolve().parents[3]


def test_reading_the_fixture_pages_leaves_no_cyclic_garbage():
    pages = sorted(REPO.glob("fixtures/**/*.html"))
    assert len(pages) >= 20
    site_of = {p: p.relative_to(REPO / "fixtures").parts[0] for p in pages}
    read_page("https://www.avclub.com/warm-up", pages[0].read_bytes(), {"Content-Type": "text/html"})  # (imports, caches)
    gc.collect()
    gc.disable()
    try:
        records = 0
        for p in pages:
            # the page's own site, and the generic path for the same markup on an unknown host
            for site in (site_of[p], None):
                outcome = read_page(f"https://unknown.example/{p.parent.name}", p.read_bytes(), {"Content-Type": "text/html"}, site=site)
                records += len(outcome.records)
        assert records > 0
        assert gc.collect() == 0
    finally:
        gc.enable()
