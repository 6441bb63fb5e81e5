"""The one page -> record function: :func:`read_page`.

The spider (inline), the extraction worker pool (:mod:`crawler.run.workers`), ``crawler.api``
and the fixture tests all read a page with it, so they cannot disagree. It is pure: no crawl
engine; what the crawl must count or reject comes back in the :class:`ReadOutcome`.

It lives in ``sites`` (not ``extract``) because choosing the page object needs the site registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.record.build import normalize_record
from crawler.record.validate import record_errors
from crawler.sites.registry import page_for

HTML_TYPES = ("text/html", "application/xhtml")


@dataclass
class ReadOutcome:
    """What reading one page gave: the records (each with its schema errors, ``[]`` when
    valid), the stats to add, and the rejects (``(reason, detail)``) to report."""

    records: list[tuple[dict, list[str]]] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    rejects: list[tuple[str, str]] = field(default_factory=list)

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n


def read_page(url: str, body: bytes | str, headers: dict | None = None, *, site: str | None = None,
              fallback_site: str | None = None, sites_files: tuple[str, ...] = (), expected: bool = False,
              source: str | None = None, fetched_at: str | None = None) -> ReadOutcome:
    """Read one fetched page into its record.

    *headers*: the response headers (``Content-Type`` decides whether it is HTML and how bytes
    are decoded). *site* / *fallback_site* / *sites_files*: which site reads it
    (:func:`crawler.sites.registry.page_for`). *expected*: the page must be a review (a page
    given with ``urls`` -- *source* ``"urls"`` -- that is not one is a reject).

    Stats: ``pages/skipped/not_html``, ``pages/read``, ``pages/site_from_canonical``,
    ``pages/classified/<reason>``, ``pages/skipped/not_review``, ``reviews/source/<field>/<layer>``,
    ``reviews/problem/<problem>``, ``reviews/extracted``.
    """
    out = ReadOutcome()
    content_type = ""
    for k, v in (headers or {}).items():
        if str(k).lower() == "content-type":
            content_type = v.decode("latin-1") if isinstance(v, bytes) else str(v)
            break
    if content_type and not content_type.lower().lstrip().startswith(HTML_TYPES):
        out.count("pages/skipped/not_html")
        if expected:
            out.rejects.append(("not_html", content_type))
        return out
    page = page_for(url, body, headers={"Content-Type": content_type}, site=site, fallback_site=fallback_site,
                    sites_files=sites_files)
    if getattr(page, "site_from_canonical", False):
        out.count("pages/site_from_canonical")
    out.count("pages/read")
    is_review = page.is_review()
    if getattr(page, "review_reason", None):  # the generic classifier says why
        out.count(f"pages/classified/{page.review_reason}")
    if not is_review:
        out.count("pages/skipped/not_review")
        if expected and source == "urls":
            out.rejects.append(("not_review", "no grade, credits or review markup on the page"))
        return out
    item = page.to_item()
    for name, layer in page.sources.items():
        out.count(f"reviews/source/{name}/{layer}")
    for problem in page.problems:
        out.count(f"reviews/problem/{problem}")
    out.count("reviews/extracted")
    record = normalize_record(item, fetched_at=fetched_at)
    out.records.append((record, record_errors(record)))
    return out
