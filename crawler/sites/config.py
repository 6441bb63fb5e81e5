"""Site configuration: ``crawler/sites/sites.toml`` declares every known site.

A site is a table ``[sites.KEY]`` with (all optional except ``hosts``):

- ``hosts``: host names of the site (``www.`` is ignored when matching);
- ``base_url``: the site root crawled by ``scrapy crawl reviews -a site=KEY``;
- ``page_class``: ``module:Class`` when the site has its own page class (default: the generic one);
- ``language``: default language when a page declares none;
- ``title_suffixes``: site names stripped from the end of ``<title>``/``og:title``;
- ``sitemaps``, ``feeds``: start points (absolute URLs or paths on ``base_url``); sitemaps named in
  ``robots.txt`` are always read too;
- ``listings``: review listing pages (paths or URLs), ``listing_link_css`` (links to reviews on a
  listing) and ``next_page_css`` (the pagination link);
- ``allow`` / ``deny``: regular expressions on the URL (``re.search``): a page is fetched only when
  it matches one ``allow`` pattern (if any are given) and no ``deny`` pattern;
- ``selectors``: per-field overrides, ``{title, subtitle, grade, credits, body, authors}``, each a
  CSS selector or a list of them (``xpath:`` prefix for XPath);
- ``grade``: ``{best = 4, scale = "stars"}``: the scale top for grades printed without one (``★★★½``),
  and the scale a structured-data rating is reported in;
- ``kind``: the kind of work the site reviews (``film``, ``tv``, ``album``, ``game``, ``book``,
  ``other``), used when a page's structured data, OpenGraph type and section do not say.

Facts about review publishers in general (crawled or not) are the table ``[publishers]``:
``names`` (publisher names stripped from the end of any page's ``<title>``, compared on lowercase
letters and digits) and ``grade_best`` (by host: the scale top of a publisher whose grades print
no denominator). Every site's config carries them (``publisher_names``; ``grade_best`` when the
site declares none), and :func:`generic_config` makes the config of an unconfigured host.

Extra config files (same format) can be added with the environment variable
``REVIEW_CRAWLER_SITES`` (``os.pathsep``-separated paths) or the spider argument ``sites_file``.
Reading the config is pure (no Scrapy).
"""

from __future__ import annotations

import os
import re
from importlib import resources
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from crawler.record.build import KINDS
from crawler.normalize.urls import host_key

CONFIG_PATH = Path(__file__).with_name("sites.toml")
ENV_VAR = "REVIEW_CRAWLER_SITES"
FIELDS = ("title", "subtitle", "grade", "credits", "body", "authors")
_KNOWN_KEYS = {
    "hosts", "base_url", "page_class", "language", "title_suffixes", "sitemaps", "feeds", "listings",
    "listing_link_css", "next_page_css", "allow", "deny", "selectors", "grade", "description", "kind",
}


class SiteConfigError(ValueError):
    """A site config file is malformed."""


def _strs(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SiteConfigError(f"{where}: expected a string or a list of strings, got {value!r}")


@dataclass(frozen=True)
class SiteConfig:
    """One site's declaration (see the module docstring)."""

    key: str
    hosts: tuple[str, ...] = ()
    base_url: str | None = None
    page_class: str | None = None
    language: str | None = None
    title_suffixes: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    listing_link_css: tuple[str, ...] = ()
    next_page_css: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    selectors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    grade_best: int | float | None = None
    grade_scale: str | None = None
    kind: str | None = None
    #: publisher names stripped from titles (``[publishers] names``; filled in when the files are read)
    publisher_names: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, key: str, data: dict) -> "SiteConfig":
        where = f"sites.{key}"
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", key):
            raise SiteConfigError(f"{where}: a site key is lowercase letters, digits, '-' and '_'")
        unknown = set(data) - _KNOWN_KEYS
        if unknown:
            raise SiteConfigError(f"{where}: unknown keys {sorted(unknown)}")
        selectors = data.get("selectors") or {}
        if not isinstance(selectors, dict) or set(selectors) - set(FIELDS):
            raise SiteConfigError(f"{where}.selectors: fields are {FIELDS}")
        grade = data.get("grade") or {}
        if not isinstance(grade, dict) or set(grade) - {"best", "scale"}:
            raise SiteConfigError(f"{where}.grade: keys are best, scale")
        best = grade.get("best")
        if best is not None and (isinstance(best, bool) or not isinstance(best, (int, float)) or best <= 0):
            raise SiteConfigError(f"{where}.grade.best: a positive number")
        scale = grade.get("scale")
        if scale not in (None, "stars", "numeric", "letter", "binary"):
            raise SiteConfigError(f"{where}.grade.scale: stars, numeric, letter or binary")
        for pat in _strs(data.get("allow"), f"{where}.allow") + _strs(data.get("deny"), f"{where}.deny"):
            try:
                re.compile(pat)
            except re.error as exc:
                raise SiteConfigError(f"{where}: bad pattern {pat!r}: {exc}") from None
        kind = data.get("kind")
        if kind is not None and kind not in KINDS:
            raise SiteConfigError(f"{where}.kind: one of {', '.join(KINDS)}")
        base_url = data.get("base_url")
        if base_url is not None and not (isinstance(base_url, str) and base_url.startswith(("http://", "https://"))):
            raise SiteConfigError(f"{where}.base_url: an http(s) URL")
        hosts = tuple(host_key(h) for h in _strs(data.get("hosts"), f"{where}.hosts"))
        if not hosts and base_url:
            hosts = (host_key(base_url),)
        return cls(
            key=key,
            hosts=hosts,
            base_url=base_url.rstrip("/") if base_url else None,
            page_class=data.get("page_class"),
            language=data.get("language"),
            title_suffixes=_strs(data.get("title_suffixes"), f"{where}.title_suffixes"),
            sitemaps=_strs(data.get("sitemaps"), f"{where}.sitemaps"),
            feeds=_strs(data.get("feeds"), f"{where}.feeds"),
            listings=_strs(data.get("listings"), f"{where}.listings"),
            listing_link_css=_strs(data.get("listing_link_css"), f"{where}.listing_link_css"),
            next_page_css=_strs(data.get("next_page_css"), f"{where}.next_page_css"),
            allow=_strs(data.get("allow"), f"{where}.allow"),
            deny=_strs(data.get("deny"), f"{where}.deny"),
            selectors={k: _strs(v, f"{where}.selectors.{k}") for k, v in selectors.items()},
            grade_best=best,
            grade_scale=scale,
            kind=kind,
        )

    def url_allowed(self, url: str) -> bool:
        """Whether *url* passes the site's ``allow``/``deny`` patterns."""
        if any(re.search(p, url) for p in self.deny):
            return False
        return not self.allow or any(re.search(p, url) for p in self.allow)

    def owns(self, url: str) -> bool:
        host = host_key(url)
        return bool(host) and host in self.hosts


@dataclass(frozen=True)
class Publishers:
    """The ``[publishers]`` table: ``names`` and ``grade_best`` by host key."""

    names: tuple[str, ...] = ()
    grade_best: dict[str, int | float] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: object, where: str) -> "Publishers":
        if not isinstance(data, dict) or set(data) - {"names", "grade_best"}:
            raise SiteConfigError(f"{where}: [publishers] has the keys names, grade_best")
        best = data.get("grade_best") or {}
        if not isinstance(best, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in best.values()):
            raise SiteConfigError(f"{where}.grade_best: a table of host = positive number")
        return cls(names=_strs(data.get("names"), f"{where}.names"),
                   grade_best={host_key(h): v for h, v in best.items()})

    def merged(self, other: "Publishers") -> "Publishers":
        return Publishers(self.names + tuple(n for n in other.names if n not in self.names),
                          {**self.grade_best, **other.grade_best})


def read_file(path, text: str | None = None) -> tuple[dict[str, SiteConfig], Publishers]:
    """The sites and the publishers declared in one TOML file (or *text*, read from *path* elsewhere)."""
    try:
        data = tomllib.loads(Path(path).read_text("utf-8") if text is None else text)
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(f"{path}: {exc}") from None
    unknown = set(data) - {"sites", "publishers"}
    if unknown:
        raise SiteConfigError(f"{path}: unknown tables {sorted(unknown)} (sites.KEY and publishers)")
    sites = data.get("sites") or {}
    if not isinstance(sites, dict):
        raise SiteConfigError(f"{path}: [sites.KEY] tables expected")
    publishers = Publishers.from_dict(data["publishers"], f"{path}: publishers") if "publishers" in data else Publishers()
    return {key: SiteConfig.from_dict(key, value) for key, value in sites.items()}, publishers


def load_file(path, text: str | None = None) -> dict[str, SiteConfig]:
    """The sites declared in one TOML file (or *text*, read from *path* elsewhere)."""
    return read_file(path, text)[0]


@lru_cache(maxsize=16)
def _load(extra: tuple[str, ...]) -> tuple[dict[str, SiteConfig], Publishers]:
    # importlib.resources: the bundled file is also read from a zipped egg (Scrapyd)
    sites, pubs = read_file(CONFIG_PATH, resources.files("crawler.sites").joinpath("sites.toml").read_text("utf-8"))
    for path in extra:
        more, more_pubs = read_file(path)
        sites.update(more)
        pubs = pubs.merged(more_pubs)
    return {key: _with_publishers(cfg, pubs) for key, cfg in sites.items()}, pubs


def _with_publishers(cfg: SiteConfig, pubs: Publishers) -> SiteConfig:
    best = cfg.grade_best
    if best is None:
        best = next((pubs.grade_best[h] for h in cfg.hosts if h in pubs.grade_best), None)
    return replace(cfg, publisher_names=pubs.names, grade_best=best)


def _extra_files(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    env = tuple(p for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p)
    return env + tuple(extra)


def all_sites(extra: tuple[str, ...] = ()) -> dict[str, SiteConfig]:
    """Every configured site by key: ``sites.toml``, then the extra files (later ones win)."""
    return _load(_extra_files(extra))[0]


def publishers(extra: tuple[str, ...] = ()) -> Publishers:
    """The ``[publishers]`` facts of ``sites.toml`` and the extra files (names joined, hosts: later ones win)."""
    return _load(_extra_files(extra))[1]


def site_config(key: str, extra: tuple[str, ...] = ()) -> SiteConfig | None:
    return all_sites(extra).get(key)


def site_for_url(url: str, extra: tuple[str, ...] = ()) -> SiteConfig | None:
    """The configured site whose ``hosts`` include *url*'s host (``www.`` ignored), or None."""
    host = host_key(url)
    if not host:
        return None
    for cfg in all_sites(extra).values():
        if host in cfg.hosts:
            return cfg
    return None


def site_key_for_host(url: str) -> str:
    """A site key for an unconfigured site: its host key (``example.org``), else ``generic``."""
    return host_key(url) or "generic"


def generic_config(url: str, key: str | None = None, extra: tuple[str, ...] = ()) -> SiteConfig:
    """The config of a site nobody configured, for a page at *url*: keyed *key* (default: the
    host key), with the publisher names and the host's ``grade_best`` from ``[publishers]``."""
    pubs = publishers(extra)
    return SiteConfig(key=key or site_key_for_host(url), publisher_names=pubs.names,
                      grade_best=pubs.grade_best.get(host_key(url)))
