"""Is this page a critic's review? Signals read from a page object, and the verdict.

Pure functions over values (no Scrapy): :func:`review_signals` collects what a page shows,
:func:`review_verdict` decides. A page is a review when it carries review structured data
(``Review``/``CriticReview``), or a critic's grade or credits block together with a second sign
(a review headline, a review URL, a body of real text); listicles (``The 10 best ...``,
``... ranked``), news and index pages yield no item. The verdict comes with a reason, counted by
the spider (``pages/classified/<reason>``).

Headlines, URLs and news words are read in English, German, French and Spanish (``Kritik:``,
``X – Rezension``, ``Critique : X``, ``Crítica de X``; ``/kritik/``, ``/critique/``); review
structured data says yes whatever the page's language. :func:`work_kind` names the kind of
the reviewed work (``film``, ``tv``, ``album``, ``game``, ``book``, ``other``) from its
schema.org type, OpenGraph type or section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_NUM = r"(?:\d{1,3}|ten|twenty|fifteen|twelve|five|seven|eight|nine|six|fifty|hundred)"
# "Die 10 besten Filme", "Les 10 meilleurs films", "Las 10 mejores películas".
_FOREIGN_LISTICLE_RE = re.compile(
    r"^(?:die|les|las|los)\s+\d{1,3}\s+(?:besten|schlechtesten|meilleur(?:e)?s|pires|mejores|peores)\b"
    r"|\b(?:rangliste|classement)\b",
    re.IGNORECASE,
)
_LISTICLE_RE = re.compile(
    rf"^(?:the\s+)?{_NUM}\s+(?:best|worst|greatest|most|essential|great|new|biggest|top|films?|movies?|shows?|series|things|reasons|ways)\b"
    rf"|\btop\s+{_NUM}\b|\branked\b|\bevery\s+.{{1,60}}\s+ranked|\bbest\s+(?:\w+\s+){{0,4}}(?:of|from|in)\s+(?:19|20)\d\d\b"
    r"|\bbest\s+(?:\w+\s+){0,3}(?:of\s+the\s+(?:year|decade|century)|of\s+all\s+time|so\s+far)\b"
    r"|\b(?:what\s+to\s+watch|where\s+to\s+(?:watch|stream)|new\s+(?:on|to)\s+\w+\s+this\s+(?:week|month)|box\s+office)\b",
    re.IGNORECASE,
)
_NEWS_RE = re.compile(
    r"\b(?:renewed|cancell?ed|trailer|first\s+look|cast\s+in|set\s+to\s+(?:star|direct)|dies\s+at|obituary|announces?|teaser"
    # de, fr, es
    r"|verlängert|abgesetzt|gestorben|nachruf|kündigt|bande-annonce|renouvel[ée]e?s?|annul[ée]e?s?|mort\s+à|"
    r"tr[áa]iler|renovada|renovado|cancelada|cancelado|muere|anuncia)\b",
    re.IGNORECASE,
)
_FOREIGN_REVIEW_WORD = r"(?:(?:film|serien|tv-|kino)?kritik|rezension|critique|cr[ií]tica|rese[ñn]a)"
_REVIEW_HEADLINE_RE = re.compile(
    r"(?:^|\s)review\s*(?:[:–—|-]|$)|^review\s*[:–—|-]|\breview\s*\(\d{4}\)|\breview\s*[:–—-]"
    # "Kritik: X", "Critique : X", "Crítica de ‘X’", "X – Rezension", "« X » : la critique"
    rf"|^{_FOREIGN_REVIEW_WORD}\s?[:–—|-]|^{_FOREIGN_REVIEW_WORD}\s(?:de|zu|von|du)\s|^{_FOREIGN_REVIEW_WORD}\s[«„“‘\"']"
    rf"|(?:[:–—|]|\s-)\s?(?:(?:la|notre|unsere|die|nuestra)\s)?{_FOREIGN_REVIEW_WORD}\s*(?:[:–—|-]|$)"
    # "« X », la critique", "X, crítica", "X (Kritik)"
    rf"|,\s(?:(?:la|notre|nuestra)\s)?{_FOREIGN_REVIEW_WORD}\s*$|\s\({_FOREIGN_REVIEW_WORD}\)\s*$",
    re.IGNORECASE,
)
_REVIEW_URL_RE = re.compile(
    r"(?:^|[/_.-])(?:reviews?|kritik(?:en)?|filmkritik(?:en)?|rezension(?:en)?|critiques?|criticas?|cr%C3%ADticas?|"
    r"resenas?|rese%C3%B1as?)(?:$|[/_.-])|/critic(?:s|ism)?/",
    re.IGNORECASE,
)
_NON_REVIEW_URL_RE = re.compile(
    r"(?:^|/)(?:news|tag|tags|category|categories|author|authors|page|search|about|contact|newsletter|lists?|features?)(?:/|$)"
    r"|(?:^|/)(?:index|feed|rss)(?:\.\w+)?$",
    re.IGNORECASE,
)
_MIN_BODY_WORDS = 120


@dataclass(frozen=True)
class ReviewSignals:
    """What a page shows about being a review."""

    structured_review: bool = False  # the page's own Review/CriticReview node (not a work's user reviews)
    listing_type: bool = False  # structured data says CollectionPage/ItemList/SearchResultsPage
    headline: str = ""
    url: str = ""
    has_grade: bool = False
    has_credits: bool = False
    body_words: int = 0
    url_denied: bool = False


def headline_is_listicle(headline: str) -> bool:
    return bool(headline) and (
        _LISTICLE_RE.search(headline) is not None or _FOREIGN_LISTICLE_RE.search(headline) is not None
    )


def headline_is_review(headline: str) -> bool:
    """``X review``, ``X review – dek``, ``Review: X``, ``‘X’ Review: dek``, and the same in German,
    French and Spanish (``Kritik: X``, ``X – Rezension``, ``Critique : X``, ``Crítica de X``)."""
    return bool(headline) and _REVIEW_HEADLINE_RE.search(headline) is not None


def url_is_review(url: str) -> bool:
    return _REVIEW_URL_RE.search(urlsplit(url).path) is not None


def url_is_non_review(url: str) -> bool:
    path = urlsplit(url).path
    return path in ("", "/") or _NON_REVIEW_URL_RE.search(path) is not None


def review_verdict(s: ReviewSignals) -> tuple[bool, str]:
    """``(is_review, reason)`` for a page's signals.

    *s* is a :class:`ReviewSignals` or anything with its attributes; they are read in order of
    cost and only as far as the answer needs (a page's lazy signals,
    :class:`crawler.sites.generic.PageSignals`, extract the body only when its word count
    decides)."""
    if s.url_denied:
        return False, "url_denied"
    if s.structured_review:
        return True, "structured_data"
    if headline_is_listicle(s.headline):
        return False, "listicle"
    if s.listing_type:
        return False, "listing"
    review_headline = headline_is_review(s.headline)
    review_url = url_is_review(s.url)
    non_review_url = url_is_non_review(s.url)
    if not (review_headline or s.has_grade or s.has_credits):
        return False, "no_review_signal"
    if not review_headline and _NEWS_RE.search(s.headline or "") and not s.has_grade:
        return False, "news"
    if s.has_grade and (review_headline or review_url or s.has_credits or s.body_words >= _MIN_BODY_WORDS):
        return True, "grade"
    if s.has_credits and not non_review_url and (review_headline or review_url or s.body_words >= _MIN_BODY_WORDS):
        return True, "credits"
    if review_headline and (review_url or s.has_grade or s.has_credits) and s.body_words >= _MIN_BODY_WORDS:
        return True, "headline"
    return False, "weak_signals"


# The kind of the reviewed work, from its schema.org type (itemReviewed), OpenGraph type or section.
WORK_KINDS: dict[str, str] = {
    **dict.fromkeys(("Movie", "Film"), "film"),
    **dict.fromkeys(("TVSeries", "TVSeason", "TVEpisode", "TVShow"), "tv"),
    **dict.fromkeys(("MusicAlbum", "MusicRecording", "MusicRelease"), "album"),
    **dict.fromkeys(("VideoGame", "VideoGameSeries", "Game"), "game"),
    **dict.fromkeys(("Book", "BookSeries", "Audiobook", "ComicIssue", "ComicSeries"), "book"),
    # works and things that are none of the above (a generic CreativeWork or Thing says nothing)
    **dict.fromkeys((
        "TheaterEvent", "MusicEvent", "Event", "ExhibitionEvent", "DanceEvent", "ComedyEvent", "Festival",
        "Product", "SoftwareApplication", "MobileApplication", "WebApplication", "Restaurant",
        "FoodEstablishment", "LocalBusiness", "Hotel", "Place", "TouristAttraction", "Museum", "Recipe", "Course",
        "VisualArtwork", "Painting", "Sculpture", "Photograph", "PodcastSeries", "PodcastEpisode", "Periodical",
        "RadioSeries", "RadioEpisode", "Car", "Vehicle",
    ), "other"),
}
OG_KINDS: dict[str, str] = {
    "video.movie": "film", "video.tv_show": "tv", "video.episode": "tv",
    "music.album": "album", "music.song": "album", "book": "book",
}
SECTION_KINDS: dict[str, str] = {
    "film": "film", "films": "film", "movie": "film", "movies": "film", "film reviews": "film",
    "movie reviews": "film", "cinema": "film", "film review": "film", "movie review": "film",
    "tv": "tv", "television": "tv", "tv reviews": "tv", "tv club": "tv", "tv review": "tv", "series": "tv",
    "album reviews": "album", "album review": "album", "albums": "album", "record reviews": "album",
    "game reviews": "game", "game review": "game", "video games": "game", "video game reviews": "game",
    "books": "book", "book reviews": "book", "book review": "book",
    # de, fr, es
    "filmkritik": "film", "filmkritiken": "film", "kino": "film", "serien": "tv", "serienkritik": "tv",
    "fernsehen": "tv", "cinéma": "film", "séries": "tv", "cine": "film", "películas": "film",
}


def work_kind(types: object = (), og_type: object = None, section: object = None) -> str | None:
    """The kind of the reviewed work: from its schema.org *types* (a set of plain type names;
    a specific kind wins over ``other``), else the OpenGraph *og_type*, else the *section* name;
    None when none of them says (a value is never guessed)."""
    found = {WORK_KINDS[t] for t in (types or ()) if isinstance(t, str) and t in WORK_KINDS}
    specific = found - {"other"}
    if len(specific) == 1:
        return specific.pop()
    if specific:
        return None  # a Movie and a Book: do not guess
    if found:
        return "other"
    if isinstance(og_type, str) and og_type.strip().lower() in OG_KINDS:
        return OG_KINDS[og_type.strip().lower()]
    if isinstance(section, str):
        return SECTION_KINDS.get(" ".join(section.split()).lower())
    return None
