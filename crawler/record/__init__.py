"""The record: the exported item, how it is built from a page's raw values, and its contract.

- :mod:`crawler.record.item`: the :class:`~crawler.record.item.Review` dataclass (field order is
  the output order);
- :mod:`crawler.record.build`: :func:`~crawler.record.build.normalize_record` (id, word count,
  content hash; pure, idempotent);
- :mod:`crawler.record.validate`: the JSON Schema in ``crawler/record/schema/`` and validation;
- :mod:`crawler.record.coverage`: which tracked fields a record leaves empty.

Imports only :mod:`crawler.normalize` (import-linter checks it).
"""
