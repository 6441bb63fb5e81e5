"""Headlines: the record's ``title`` and, when the headline alone gives it, ``work_title``.

* :func:`strip_site_suffix` removes trailing site names and sections
  (``Foo review – a dek | Film | The Guardian`` -> ``Foo review – a dek`` when ``The Guardian``
  is one of the *names* given). Which names are site names is a fact about sites, kept in
  ``crawler/sites/sites.toml`` (``[publishers] names``, plus each site's ``title_suffixes``); the
  page passes them in, this module holds only the grammar.
* :func:`clean_title` picks the headline (the h1; the ``<title>`` when the h1 is empty or is
  the site's logo), decodes entities, cleans whitespace, keeps typographic quotes, dashes
  and prefixes such as ``Review:``, and reads ``work_title``, ``season`` and ``episode``
  from the common headline shapes:

  ``‘X’ Review: dek``, ``Film Review: ‘X’``, ``X review – dek``, ``X Review: dek``,
  ``Review: X``, ``X movie review & film summary (2023)``, ``‘X’ Season 2 Review``.

  Also (issue 14): ``<Festival> Film Review: ‘X’``, ``dek: X reviewed`` (one work, no list),
  spoiler and season qualifiers after a show's name (``X Season 2 Review (Spoiler-Free)``,
  ``X: Season 2 Review``), one quoted title inside a question or sentence (``Is ‘X’ the ...?``;
  not a quotation: a pronoun first, a verb of speech before it, punctuation inside, or a
  leading ``‘...’:``), capsule headlines (``X ★★★ (R)``, ``X (PG-13) ★★½``), ``<Festival>
  <year>: X`` (not a dispatch), and German, French and Spanish review headlines (``Kritik: X``,
  ``„X“ – Rezension``, ``Critique : X``, ``« X » : la critique``, ``Crítica de ‘X’``); an
  unquoted title must be title-cased.

  Prose headlines, roundups and festival dispatches (``Sundance Review: ...``) give no
  ``work_title`` (None): it must then come from credits or structured data.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .guard import never_raises
from .patterns import alternation
from .text import clean_text, html_to_text, looks_like_html

__all__ = ["clean_title", "strip_site_suffix"]

_SECTIONS = frozenset(
    "film films movies movie tv television tvradio tvandradio televisionradio televisionandradio culture arts artsculture entertainment "
    "reviews review moviereviews filmreviews tvreviews tvshows news stage streaming criticism "
    "critics features".split()
)
_SUFFIX_SEP_RE = re.compile(r"\s?[|•·]\s?|\s(?:-|–|—|::|/)\s")
_PIPE_SEP_RE = re.compile(r"\s?[|•·]\s?")
_DOMAIN_RE = re.compile(r"^(?:www\.)?[a-z0-9-]{2,40}\.(?:com|net|org|co\.uk|tv|io|co)$", re.IGNORECASE)
_KEY_RE = re.compile(r"[^a-z0-9]")

_QUOTED = (
    r"(?:‘(?P<q1>[^‘]{1,200}?)’(?![\w])"
    r"|“(?P<q2>[^“”]{1,200}?)”"
    r"|\"(?P<q3>[^\"]{1,200}?)\""
    r"|(?<![\w])'(?P<q4>[^']{1,200}?)'(?![\w])"
    r"|«\s?(?P<q5>[^«»]{1,200}?)\s?»"
    r"|„(?P<q6>[^„“”]{1,200}?)[“”])"
)
_POSSESSIVE = r"(?:[\w.&+-]{1,40}(?:\s[\w.&+-]{1,40}){0,3}(?:’s|'s|’|')\s)?"
_NUM_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}
_NUMW = r"\d{1,3}|" + alternation(_NUM_WORDS)
_SEASON_EP = (
    rf"(?:(?:season|series)\s(?P<season>{_NUMW})(?:,?\s(?:episode|ep\.?)\s(?P<episode>\d{{1,3}}))?"
    r"|s(?P<s2>\d{1,2})\s?e(?P<e2>\d{1,3})"
    r"|(?:episode|ep\.?)\s(?P<episode2>\d{1,3}))"
)
_SEASON_EP_RE = re.compile(rf"(?<![\w]){_SEASON_EP}(?![\w])", re.IGNORECASE)
_KIND_WORDS = r"(?:(?:movie|film|tv|television|series|show|documentary|miniseries|limited\sseries|season\s(?:premiere|finale))\s)"
_REVIEW_PREFIX = (
    r"(?:(?:(?:film|movie|tv|television|series|documentary|streaming|theater|theatre|book|album|game)\s)?review"
    r"|(?:film|serien|tv-|kino)?kritik|rezension|critique|cr[ií]tica|rese[ñn]a)"
)
# Review words in German, French and Spanish headlines ("X – Kritik", "« X » : la critique").
_FOREIGN_REVIEW = r"(?:(?:la|notre|unsere|die|nuestra|la\snuestra)\s)?(?:(?:film|serien|tv-|kino)?kritik|rezension|critique|cr[ií]tica|rese[ñn]a)"
_SPOILER = r"\(?(?:spoiler[-\s]?free|non[-\s]?spoiler(?:y)?|no[-\s]spoilers?|spoilers?(?:\sahead|\sincluded)?)\)?"

_FESTIVAL_RE = re.compile(
    r"^(?:[\w’'&./-]{1,30}\s){0,3}?(?:sundance|cannes|venice|tiff|toronto|berlinale|berlin|sxsw|"
    r"telluride|nyff|tribeca|fantastic\sfest|fantasia|locarno|rotterdam|iffr|karlovy\svary|busan|"
    r"lff|annecy|sitges|slamdance|hot\sdocs|true/false|afi\sfest|[\w’'&.-]{1,30}\s(?:film\s)?festival|"
    r"[\w’'&.-]{1,30}\sfest)(?:\s\d{4})?(?:\sfilm\sfestival)?\s(?:film\s)?review\b",
    re.IGNORECASE,
)
_ROUNDUP_RE = re.compile(
    r"\b(?:best|worst|roundup|round-up|ranked|ranking|top\s\d+|\d+\s(?:new\s)?(?:movies|films|shows|series)|"
    r"what\sto\swatch|this\sweek(?:end)?|new\s(?:movies|films|releases|shows)|reviews\b|reviewed\b|capsule)",
    re.IGNORECASE,
)
# "‘X’ Review: dek", "Netflix’s ‘X’ Season 2 Review", "‘X’ movie review".
_QUOTED_REVIEW_RE = re.compile(
    rf"^{_POSSESSIVE}{_QUOTED}[,:]?\s?(?:{_SEASON_EP}\s(?:(?:premiere|finale)\s)?)?(?:{_SPOILER}\s)?{_KIND_WORDS}?review\b",
    re.IGNORECASE,
)
# "Film Review: ‘X’", "Review: ‘X’ is a ...", "Review: Netflix’s ‘X’ ...", "Crítica de ‘X’: ...",
# "Critique « X » : ..."
# "Critique du film « X »", "Crítica de la película ‘X’", "Kritik zum Film „X“": a kind of work between.
_FOREIGN_OF_WORK = (
    r"\s(?:du|de\sla|de\sl['’]|de|del|des|zum|zur|zu\sdem)\s?(?:film|série|serie|documentaire|documental|"
    r"película|pelicula|album|álbum|livre|libro|buch|spiel|jeu|juego|dokumentarfilm|kinofilm)"
)
_REVIEW_COLON_QUOTED_RE = re.compile(
    rf"^{_REVIEW_PREFIX}(?:{_FOREIGN_OF_WORK})?(?:\s?:\s?|\s(?:de|zu|von|du|sur)\s|\s(?=[‘“\"'«„])){_POSSESSIVE}{_QUOTED}",
    re.IGNORECASE,
)
# "Sundance Film Review: ‘X’": a festival or trade prefix before a quoted title.
_PREFIX_FILM_REVIEW_RE = re.compile(
    rf"^(?:[\w’'&./-]{{1,30}}\s){{1,5}}?(?:film|movie)\sreview\s?:\s?{_QUOTED}", re.IGNORECASE
)
# "Tender and terrible: X reviewed".
_REVIEWED_RE = re.compile(r"^[^:]{1,150}:\s(?P<x>[^:]{1,150}?)\sreviewed$", re.IGNORECASE)
_FEST_NAMES = (
    r"(?:sundance|cannes|venice|tiff|toronto|berlinale|berlin|sxsw|telluride|nyff|tribeca|fantastic\sfest|"
    r"fantasia|locarno|rotterdam|iffr|karlovy\svary|busan|lff|annecy|sitges|slamdance|hot\sdocs|true/false|afi\sfest)"
)
# "Sundance 2025: X" (X a title, not a dispatch).
_FEST_YEAR_RE = re.compile(rf"^{_FEST_NAMES}(?:\sfilm\sfestival)?\s(?:19|20)\d\d\s?:\s(?P<x>.{{1,150}})$", re.IGNORECASE)
_DISPATCH_RE = re.compile(
    r"\b(?:day|days|dispatch|report|diary|preview|lineup|line-up|winners?|awards?|highlights|part|notes|letter|"
    r"recap|films|movies|shows|docs|documentaries|everyone|why|how|what|who|where|when|first|best|worst|"
    r"premieres|jury|opening|closing|week|weekend|festival|talking|picks|favorites|favourites|standouts|"
    r"buzz|sales|deals|market|interview|podcast|photos|gallery|live|blog|update)\b",
    re.IGNORECASE,
)
_MPA = r"(?:G|PG|PG-13|R|NC-17|NR|Not\sRated|Unrated)"
_STARS = r"(?:[★☆⭐]{1,10}½?|½|\*{1,5}(?:\s?(?:½|1/2))?)"
# "X ★★★ (R)", "X (PG-13) ★★½", "X ★★★★ PG": a capsule headline.
_CAPSULE_RE = re.compile(
    rf"^(?P<x>[^★☆⭐*()]{{1,120}}?)\s(?:\({_MPA}\)\s?{_STARS}|{_STARS}(?:\s\(?{_MPA}\)?)?)$"
)
# "X – Kritik", "„X“ – Rezension: dek", "« X » : la critique", "‘X’: crítica", "X | Filmkritik",
# "« X », la critique", "X (Kritik)".
_X_FOREIGN_RE = re.compile(
    rf"^(?P<x>[^:|]{{1,150}}?)(?:\s?(?:[–—:|,]|\s-)\s?{_FOREIGN_REVIEW}(?:\s?(?:[–—:|]|\s-)\s?\S.*)?"
    rf"|\s\({_FOREIGN_REVIEW}\))$",
    re.IGNORECASE,
)
# A quotation, not a title: it starts with a pronoun or a verb of speech precedes it.
_QUOTATION_START_RE = re.compile(
    r"^(?:i|i’m|i'm|i’ve|i've|we|we’re|we're|you|you’re|you're|he|she|they|it|it’s|it's|my|our|your|this|that|"
    r"there|don’t|don't|can’t|can't|never|just|no|yes|let’s|let's|let|please|stop|why|how|what)\b",
    re.IGNORECASE,
)
# A word naming a kind of work, outside the quote: without one, a quoted phrase in a headline is
# as often a scare quote ("Cells That ‘Taste’ Danger") as a title.
_WORK_CUE_RE = re.compile(
    r"\b(?:film|films|movie|movies|series|miniseries|show|shows|season|episode|finale|premiere|sequel|prequel|"
    r"remake|documentary|doc|drama|comedy|thriller|horror|musical|animation|album|record|novel|memoir|book|game|"
    r"review|reviewed|watch|stream|streaming|netflix|hulu|hbo|sitcom|biopic|western|romcom|rom-com|"
    r"film-maker|filmmaker|director|directors|debut)\b",
    re.IGNORECASE,
)
_SPEECH_BEFORE_RE = re.compile(
    r"(?:\b(?:says?|said|tells?|told|asks?|asked|calls?|called|admits?|insists?|reveals?|explains?|argues?|writes?|"
    r"on|about|quips?|jokes?|warns?|claims?)|:)\s?$",
    re.IGNORECASE,
)
# "Review: X" (X may hold colons, unquoted).
_REVIEW_COLON_RE = re.compile(rf"^{_REVIEW_PREFIX}\s?:\s(?P<x>[^‘’“”\"]{{1,200}})$", re.IGNORECASE)
# "X movie review & film summary (2023)".
_EBERT_RE = re.compile(
    r"^(?P<x>.{1,200}?)\s(?:movie|film)\sreview(?:\s(?:&|and)\sfilm\ssummary)?(?:\s?\((?:\d{4})\))?$",
    re.IGNORECASE,
)
# "X review – dek", "X Review: dek", "X Season 2 Review", "X Review".
_X_REVIEW_RE = re.compile(
    rf"^(?P<x>[^:|]{{1,150}}?)(?:\s|:\s(?=(?:season|series)\s))(?:{_SEASON_EP}\s(?:(?:premiere|finale)\s)?)?"
    rf"(?:{_SPOILER}\s)?{_KIND_WORDS}?review(?:\s{_SPOILER})?(?:\s?(?:[–—:|]|\s-)\s?\S.*|\s?\(\d{{4}}\))?$",
    re.IGNORECASE,
)
_STRIP_TAIL_RE = re.compile(
    r"(?:\s?\((?:\d{4}|G|PG|PG-13|R|NC-17|NR|TV-[A-Z0-9]{1,3})\)|\s(?:\d{4})$|\s?[★☆½⭐*]{1,10}$"
    r"|\s?[:|–—-]\s?[A-DF][+\-−–]?$|\s(?:G|PG|PG-13|R|NC-17)$)$",
)
_SMALL_WORDS = frozenset(
    "a an the and but or nor for so yet of in on at to by up as vs via with from into over than "
    "per is are was be de la le el del da di von van du des et".split()
)
_QUOTED_FULL_RE = re.compile(_QUOTED)
_SENTENCE_RE = re.compile(r"[.!?]\s|[.!?]$")


def _key(s: str) -> str:
    """Lowercase letters and digits of *s*, for comparing site names."""
    return _KEY_RE.sub("", s.lower())


def _to_text(s: object) -> str:
    """A one-line clean string from text or an HTML fragment (entities decoded)."""
    if s is None:
        return ""
    if isinstance(s, (bytes, bytearray)):
        s = bytes(s).decode("utf-8", errors="replace")
    if not isinstance(s, str):
        return ""
    s = s[:20_000]
    if looks_like_html(s):
        s = html_to_text(s)
    return clean_text(s)


def _clean_or_empty(title: object, *_: object) -> str:
    return clean_text(title) if isinstance(title, str) else ""


@never_raises("", fallback=_clean_or_empty)
def strip_site_suffix(title: object, names: tuple[str, ...] | list[str] | frozenset[str] = ()) -> str:
    """Return *title* cleaned and without trailing site names and sections.

    With ``"The Guardian"`` and ``"Variety"`` in *names*: ``Foo review – a dek | Film | The
    Guardian`` -> ``Foo review – a dek``; ``‘Foo’ Review: Bar - Variety`` -> ``‘Foo’ Review:
    Bar``. Only the site names in *names* (compared on lowercase letters and digits), a trailing
    domain, and sections after a stripped site are removed, so a dek after a dash is kept.
    Entities are decoded. Never raises.
    """
    return _strip_site_keys(_to_text(title), _name_keys(names))


def _strip_site_keys(t: str, sites: frozenset[str]) -> str:
    """:func:`strip_site_suffix` of the text *t* with the site names' keys *sites*."""
    stripped_site = False
    for _ in range(6):
        seps = list(_SUFFIX_SEP_RE.finditer(t))
        if not seps:
            break
        last = seps[-1]
        tail = t[last.end():].strip()
        k = _key(tail)
        if k and (k in sites or _DOMAIN_RE.match(tail)):
            t = t[: last.start()].rstrip()
            stripped_site = True
            continue
        if stripped_site and k in _SECTIONS and _PIPE_SEP_RE.fullmatch(last.group(0)):
            t = t[: last.start()].rstrip()
            continue
        break
    return t


def _name_keys(names) -> frozenset[str]:
    """The keys of the site names *names* (an iterable of strings; other values are ignored)."""
    if isinstance(names, str):
        names = (names,)
    try:
        return _name_keys_cached(tuple(names))
    except TypeError:  # not hashable, or not iterable
        return frozenset()


@lru_cache(maxsize=256)
def _name_keys_cached(names: tuple) -> frozenset[str]:
    return frozenset(_key(n) for n in names if isinstance(n, str) and len(n) < 1000) - {""}


def _is_logo(h1: str, title_tag: str, names: frozenset[str]) -> bool:
    """True when the h1 text is the site's name (a logo; *names*: keys of site names), not a headline."""
    k = _key(h1)
    if not k:
        return True
    if k in names:
        return True
    if len(k) > 100:
        return False
    # Only a short tail of the <title> can be the logo text.
    # (bounded: a logo is short, and each separator below costs a pass over the window)
    window = title_tag[-(min(len(h1), 200) * 2 + 40):]
    for m in _SUFFIX_SEP_RE.finditer(window):
        if _key(window[m.end():]) == k:
            return True
    return False


def _quoted(m: re.Match) -> str | None:
    """The text inside whichever quote pair matched."""
    for g in ("q1", "q2", "q3", "q4", "q5", "q6"):
        if m[g] is not None:
            return m[g]
    return None


def _tidy_work(x: str | None) -> str | None:
    """Strip trailing ``(YYYY)``, MPA rating, stars or grade and stray punctuation from *x*."""
    if not x:
        return None
    x = clean_text(x)
    for _ in range(3):
        y = _STRIP_TAIL_RE.sub("", x).strip()
        if y == x:
            break
        x = y
    x = x.strip(" ,;:–—-")
    if not x or len(x) > 150:
        return None
    return x


def _title_case(x: str) -> bool:
    """True when *x* looks like a title (significant words capitalised, not a sentence)."""
    if _SENTENCE_RE.search(x):
        return False
    words = x.split()
    if not 1 <= len(words) <= 12:
        return False
    for i, w in enumerate(words):
        c = w.lstrip("\"'‘“(¿¡")[:1]
        if not c or not c.isalpha():
            continue
        if c.islower() and (i == 0 or w.lower() not in _SMALL_WORDS):
            return False
    return True


def _work_title(headline: str) -> str | None:
    """``work_title`` when *headline* alone names the reviewed work, else None."""
    if not headline or len(headline) > 400:
        return None
    m = _PREFIX_FILM_REVIEW_RE.match(headline)
    if m:
        return _tidy_work(_quoted(m))
    m = _REVIEWED_RE.match(headline)
    if m:
        return _one_title(m["x"])
    m = _FEST_YEAR_RE.match(headline)
    if m:
        x = _one_title(m["x"])
        return x if x and not _DISPATCH_RE.search(x) and len(x.split()) <= 8 else None
    if _FESTIVAL_RE.match(headline) or _ROUNDUP_RE.search(headline):
        return None
    m = _QUOTED_REVIEW_RE.match(headline)
    if m:
        return _tidy_work(_quoted(m))
    m = _REVIEW_COLON_QUOTED_RE.match(headline)
    if m:
        return _tidy_work(_quoted(m))
    m = _REVIEW_COLON_RE.match(headline)
    if m:
        x = _tidy_work(m["x"])
        return x if x and _title_case(x) else None
    m = _EBERT_RE.match(headline)
    if m:
        return _tidy_work(m["x"])
    m = _X_REVIEW_RE.match(headline)
    if m:
        x = m["x"].strip()
        if x.lower().startswith(("review", "film review", "movie review")):
            return None
        q = _QUOTED_FULL_RE.fullmatch(x) if len(x) < 210 else None
        if q:
            x = _quoted(q) or x
        elif any(c in x for c in "‘“\"«„") or len(x.split()) > 10:
            return None
        return _tidy_work(x)
    m = _CAPSULE_RE.match(headline)
    if m:
        x = _tidy_work(m["x"])
        return x if x and len(x.split()) <= 10 and not _SENTENCE_RE.search(x) else None
    m = _X_FOREIGN_RE.match(headline)
    if m:
        return _one_title(m["x"], words=10, sentence_case=True)
    return _quoted_in_sentence(headline)


_NAME_JOINER_RE = re.compile(r"\s(?:and|und|et|y)\s")


def _one_title(x: str, *, words: int = 8, sentence_case: bool = False) -> str | None:
    """*x* as one work's title: the inside of a quote, or a title-cased name of at most *words*
    words that lists nothing (no comma, ``and``, ``&``); else None. *sentence_case*: a name
    with only its first word capitalised counts too (French and Spanish titles: ``Les Feux du
    port``), for a name the headline itself marks as the work (``X : la critique``)."""
    x = clean_text(x)
    q = _QUOTED_FULL_RE.fullmatch(x) if len(x) < 210 else None
    if q:
        return _tidy_work(_quoted(q))
    if any(c in x for c in "‘’“”\"«»„") or "," in x or "&" in x or _NAME_JOINER_RE.search(x):
        return None
    x = _tidy_work(x)
    if not x or len(x.split()) > words or not (_title_case(x) or (sentence_case and _sentence_case(x))):
        return None
    return x


def _sentence_case(x: str) -> bool:
    """True when *x* looks like a sentence-case title: its first letter a capital, no sentence
    punctuation, at most 12 words."""
    first = x.lstrip("\"'‘“(¿¡«„ ")[:1]
    return bool(first) and first.isupper() and not _SENTENCE_RE.search(x) and len(x.split()) <= 12


def _quoted_in_sentence(headline: str) -> str | None:
    """The one quoted title inside a question or sentence headline (``Is ‘X’ the Film of the
    Year?``), or None when there are several quotes, the quote is a quotation, it is not a title,
    or no word of the headline names a kind of work (film, series, season, album, ...)."""
    quotes = list(_QUOTED_FULL_RE.finditer(headline))
    if len(quotes) != 1:
        return None
    m = quotes[0]
    inner = _quoted(m) or ""
    if m.start() == 0 and m.end() == len(headline):
        return None
    if m.start() == 0 and headline[m.end():].lstrip().startswith(":"):
        return None  # "‘X’: ..." may be a quotation leading the headline
    if not inner or inner[-1] in ",.;:!?…" or _QUOTATION_START_RE.match(inner):
        return None
    if _SPEECH_BEFORE_RE.search(headline[: m.start()]):
        return None
    if not _WORK_CUE_RE.search(headline[: m.start()] + " " + headline[m.end():]):
        return None  # no word says a work is meant: a scare quote, perhaps
    x = _tidy_work(inner)
    if not x or len(x.split()) > 6 or not _title_case(x):
        return None
    return x


def _season_episode(headline: str) -> tuple[int | None, int | None]:
    """Season and episode numbers the headline gives (``Season 2``, ``S02E05``, ``Episode 5``)."""
    m = _SEASON_EP_RE.search(headline)
    if not m:
        return None, None

    def num(v):
        """An int from digits or a number word, None when absent or implausible."""
        if v is None:
            return None
        v = v.lower()
        n = _NUM_WORDS.get(v)
        if n is None:
            n = int(v)
        return n if 0 < n < 200 else None

    season = num(m["season"] or m["s2"])
    episode = num(m["episode"] or m["e2"] or m["episode2"])
    return season, episode


@never_raises({"title": "", "work_title": None, "season": None, "episode": None})
def clean_title(title_tag: object, h1: object = None, names: tuple[str, ...] | list[str] | frozenset[str] = ()) -> dict:
    """Return ``{title, work_title, season, episode}`` for a page's headline.

    ``title`` is the cleaned h1, falling back to *title_tag* (site suffix stripped) when the
    h1 is missing, empty or the site's logo; entities are decoded, non-breaking spaces become
    spaces, whitespace is collapsed, typographic quotes/dashes and prefixes (``Review:``) are
    kept. ``work_title`` is set only when the headline (else the ``<title>``) alone names the
    work; ``season`` / ``episode`` are ints when the headline gives them, else None.
    ``title`` is ``""`` when neither input has text. *names*: the site names to strip (see
    :func:`strip_site_suffix`). Never raises.
    """
    result = {"title": "", "work_title": None, "season": None, "episode": None}
    keys = _name_keys(names)
    tag_text = _to_text(title_tag)
    # (the text is read as text once more: a title a CMS escaped twice, "AT&amp;amp;T", reads "AT&T")
    tag = _strip_site_keys(_to_text(tag_text), keys)
    head = _to_text(h1)
    if head and not _is_logo(head, tag_text, keys):
        title = _strip_site_keys(_to_text(head), keys)
    else:
        if head:  # the h1 is the site's logo: its text is a site name to strip
            tag = _strip_site_keys(_to_text(tag_text), keys | {_key(head)})
        title = tag
    result["title"] = title
    work = _work_title(title)
    if work is None and tag and tag != title:
        work = _work_title(tag)
    result["work_title"] = work
    season, episode = _season_episode(title)
    if season is None and episode is None and tag and tag != title:
        season, episode = _season_episode(tag)
    result["season"], result["episode"] = season, episode
    return result
