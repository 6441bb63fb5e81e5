"""How to read one site's pages: page objects built from url + html (no crawl engine).

Sites are declared in ``crawler/sites/sites.toml`` (:mod:`crawler.sites.config`);
:func:`page_class_for` gives a site key's page class: the site's own ``page_class`` when it has
one (``avclub``), else the generic page class with the site's config. ``PAGE_CLASSES`` holds the
classes that exist in code.
"""

from __future__ import annotations

from crawler.sites.avclub import AvClubPage
from crawler.sites.base import ReviewPage
from crawler.sites.config import all_sites, site_config, site_for_url
from crawler.sites.generic import GenericPage, configured_page_class, generic_for_host

PAGE_CLASSES: dict[str, type[ReviewPage]] = {
    AvClubPage.site: AvClubPage,
    GenericPage.site: GenericPage,
}


def page_class_for(site: str) -> type[ReviewPage]:
    """The page class for a site key: the configured site's class, a class in code, else the
    generic page class."""
    cfg = site_config(site)
    if cfg is not None:
        return configured_page_class(cfg)
    return PAGE_CLASSES.get(site, GenericPage)


def page_class_for_url(url: str) -> type[ReviewPage]:
    """The page class for a URL: the configured site owning its host, else generic with the
    host as site key."""
    cfg = site_for_url(url)
    if cfg is not None:
        return configured_page_class(cfg)
    from crawler.sites.config import host_key

    return generic_for_host(host_key(url))


__all__ = ["PAGE_CLASSES", "page_class_for", "page_class_for_url", "all_sites", "site_config", "site_for_url"]
