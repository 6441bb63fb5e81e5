"""Which page object reads a page: the site key -> page class lookup, and the page for a URL.

Sites are declared in ``crawler/sites/sites.toml`` (:mod:`crawler.sites.config`). A site with its
own behaviour names a page class there (``page_class = "crawler.sites.avclub:AvClubPage"``);
every other site is read by :class:`~crawler.sites.generic.GenericPage`. The site's config is
composed into the page object (``cls(url, html, site=cfg)``), never baked into a generated class.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from crawler.extract.page import ReviewPage
from crawler.sites.avclub import AvClubPage
from crawler.sites.config import SiteConfig, all_sites, generic_config, site_config, site_for_url
from crawler.sites.generic import GenericPage

#: page classes that exist in code, by site key (a configured site may name another one)
PAGE_CLASSES: dict[str, type[ReviewPage]] = {
    AvClubPage.site: AvClubPage,
    GenericPage.site: GenericPage,
}


@lru_cache(maxsize=64)
def import_page_class(path: str) -> type[ReviewPage]:
    """``module:Class`` -> the class (a :class:`ReviewPage` subclass)."""
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, ReviewPage)):
        raise TypeError(f"{path} is not a ReviewPage class")
    return cls


def page_class_of(cfg: SiteConfig | None) -> type[ReviewPage]:
    """A configured site's page class: its own ``page_class``, else the generic one."""
    if cfg is not None and cfg.page_class:
        return import_page_class(cfg.page_class)
    return GenericPage


def known_sites(extra: tuple[str, ...] = ()) -> list[str]:
    """Every site key a page can be read as: configured sites and page classes in code."""
    return sorted(set(PAGE_CLASSES) | set(all_sites(extra)))


def page_for(url: str, html: str | bytes, *, headers: dict | None = None, site: str | None = None,
             fallback_site: str | None = None, sites_files: tuple[str, ...] = ()) -> ReviewPage:
    """The page object for *html* fetched from *url*.

    - *site*: read the page as that site (a configured site's key, or a page class's key);
    - else the configured site owning the URL's host;
    - else *fallback_site* (a mirror of a configured site: ``-a site=KEY -a base_url=MIRROR``);
    - else the generic page class with the host as site key; when its canonical URL names a
      configured site (a mirror), the same tree is read again as that site
      (``page.site_from_canonical`` is then True).
    """
    cfg: SiteConfig | None = None
    if site is not None:
        cfg = site_config(site, sites_files)
        if cfg is None:
            if site not in PAGE_CLASSES:
                raise ValueError(f"unknown site {site!r}; known: {known_sites(sites_files)}")
            return PAGE_CLASSES[site](url, html, headers=headers, site=generic_config(url, site, sites_files))
    else:
        cfg = site_for_url(url, sites_files)
        if cfg is None and fallback_site is not None:
            cfg = site_config(fallback_site, sites_files)
    if cfg is not None:
        return page_class_of(cfg)(url, html, headers=headers, site=cfg)
    page = GenericPage(url, html, headers=headers, site=generic_config(url, extra=sites_files))
    canonical_cfg = site_for_url(page.canonical(), sites_files)
    if canonical_cfg is not None:
        page = page_class_of(canonical_cfg).from_page(page, site=canonical_cfg)
        page.site_from_canonical = True
    return page
