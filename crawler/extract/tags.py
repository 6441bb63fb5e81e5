"""Every tag vocabulary of the extractors in one place (class/id and text patterns of page
furniture are in :mod:`crawler.extract.boilerplate`). Pure data, no imports.

The normalizers' own HTML-fragment-to-text tag sets (:mod:`crawler.normalize.text`,
:mod:`crawler.normalize.grades`) stay with them: the normalize layer imports nothing above it.
"""

# Tags whose text is never page text (element text, grade lines).
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "head", "select", "button"})
# Tags that break a line when text is read out of an element.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul",
    }
)
# Not read when looking for a grade line above the headline.
GRADE_SKIP_TAGS = SKIP_TAGS | {"nav", "header"}
# Elements that may hold a star/score grade (the generic grade text layer).
GRADE_TAGS = ("span", "div", "p", "strong", "b", "em", "li", "dd", "td", "h2", "h3", "h4", "h5", "h6", "figcaption", "abbr")
STAR_CHARS = "★☆⭐✩✭✮✯✪½"

# The main-text extractor (crawler.extract.mainbody):
# elements whose content is never article text;
BODY_SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
        "video", "audio", "map", "head", "title", "select", "input", "textarea", "option",
        "figure", "figcaption",
    }
)
# elements of page chrome that are entered but marked, as a furniture class/id is: their text
# is left out unless the body container is inside one (templates put the whole article in a
# <header>, a broken page nests everything in a <button>);
BODY_MARKED_TAGS = frozenset({"nav", "aside", "footer", "header", "menu", "dialog", "label", "button"})
# elements whose start or end breaks a text run into a new block;
BODY_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "center", "dd", "details", "div", "dl", "dt",
        "fieldset", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul", "html",
    }
)
# never skipped for a class/id hint: they hold whole pages (WordPress puts ``comments-open``
# on <body>, sites put ``has-sidebar`` on <main>);
STRUCTURAL_TAGS = frozenset({"html", "body", "main", "article"})
# structured-data properties (microdata ``itemprop``, RDFa ``property``) of boxes around the
# body: the reviewed work's info box, the rating, the author, the publisher.
NON_BODY_PROPS = frozenset(
    {
        "itemReviewed", "reviewRating", "aggregateRating", "author", "creator", "publisher", "breadcrumb",
        "schema:itemReviewed", "schema:reviewRating", "schema:author", "schema:publisher",
    }
)
