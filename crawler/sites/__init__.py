"""The sites we know: ``sites.toml`` (the registry of site facts), its reader
(:mod:`~crawler.sites.config`), the page classes (:mod:`~crawler.sites.generic`,
:mod:`~crawler.sites.avclub`), the lookup (:mod:`~crawler.sites.registry`) and the one
page -> record function (:mod:`~crawler.sites.read`)."""
