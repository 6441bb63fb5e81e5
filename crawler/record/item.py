"""The exported record as a dataclass (used through itemadapter). Field order is the output order."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

SCHEMA_VERSION = 1
#: attribute set on an item built and validated in an extraction worker: its schema errors
#: (the pipelines then neither normalize nor validate it again)
PREPARED_ERRORS = "_prepared_errors"
#: attribute set by the state pipeline: the review's change event (``change``, ``previous_hash``,
#: ``changed_fields``), written into records of schema version 2
CHANGE_ATTR = "_change"


@dataclass
class Review:
    """One critic's review. See ``crawler/record/schema/review-v1.schema.json`` for the contract."""

    schema_version: int = SCHEMA_VERSION
    id: str | None = None
    url: str | None = None
    site: str | None = None
    kind: str | None = None
    title: str | None = None
    subtitle: str | None = None
    work_title: str | None = None
    grade: dict[str, Any] | None = None
    credits: dict[str, Any] = field(default_factory=dict)
    body: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    language: str | None = None
    word_count: int = 0
    content_hash: str | None = None
    fetched_at: str | None = None


#: the record's fields, in output order
REVIEW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Review))
_review_values = attrgetter(*REVIEW_FIELDS)


def record_view(item: Any) -> dict:
    """The record fields of *item* as a dict in field order, its values not copied (to read,
    not to change): a :class:`Review`'s fields (not the attributes the pipelines attach), a dict
    as it is; anything else (a Scrapy item, an attrs object, a subclass) through itemadapter, a
    copy. What ``ItemAdapter(item).asdict()`` gives without its deep copy, which cost the crawl
    process more than any pipeline (issue 15)."""
    if type(item) is Review:
        return dict(zip(REVIEW_FIELDS, _review_values(item)))
    if type(item) is dict:
        return item
    from itemadapter import ItemAdapter

    return ItemAdapter(item).asdict()
