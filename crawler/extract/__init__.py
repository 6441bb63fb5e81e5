"""How to read a page (no crawl engine, no site facts): the parsed tree and its text
(:mod:`~crawler.extract.dom`), every tag vocabulary (:mod:`~crawler.extract.tags`), page
furniture patterns (:mod:`~crawler.extract.boilerplate`), structured data as one node view
(:mod:`~crawler.extract.structured`), the main-text extractor (:mod:`~crawler.extract.mainbody`),
the review classifier (:mod:`~crawler.extract.classify`) and the page object every site builds on
(:mod:`~crawler.extract.page`)."""
