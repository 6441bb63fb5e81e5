"""How to read one site's pages: page objects built from url + html (no crawl engine).

``PAGE_CLASSES`` maps a site key to its page class; :func:`page_class_for` finds one.
"""

from __future__ import annotations

from crawler.sites.avclub import AvClubPage
from crawler.sites.base import ReviewPage

PAGE_CLASSES: dict[str, type[ReviewPage]] = {
    AvClubPage.site: AvClubPage,
    ReviewPage.site: ReviewPage,
}


def page_class_for(site: str) -> type[ReviewPage]:
    """The page class for a site key (``generic`` when the site has none of its own)."""
    return PAGE_CLASSES.get(site, ReviewPage)
