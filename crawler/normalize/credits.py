"""Credits blocks to the record's ``credits`` object (pure functions, no Scrapy).

A credits block is a few labelled lines under or beside a review::

    Director: Han Ji-won
    Writer: Han Ji-won, Kang Hyun-joo
    Starring: Kim Tae-ri, Hong Kyung
    Release Date: May 30, 2025 (Netflix)
    Join the discussion...

:func:`parse_credits` turns such text (or the HTML fragment holding it: ``dl/dt/dd``,
tables, ``<br>``-separated lines, label and value in separate elements) into
``{director, writer, starring, release_date, platform, ...extras}`` with the key order of
CONTRACT.md. :func:`credit_role` tells whether one line starts with a credit label.

Rules (see issue 3): labels are case-insensitive (``Director(s)``, ``Directed by``,
``Writer/Director``, ``Director, writer:``, ...); names are split on ``,``, ``and``, ``&`` and
``;`` but never on a slash; ``(Role)``, ``as Role`` and ``(voice)`` are dropped; ``Name, Jr.``
becomes ``Name Jr.``; executive producers are not producers; "based on the novel by X" does
not make X a writer; release dates become ISO (a missing year comes from ``published``),
festival screenings and ``TBA`` are not release dates; platforms keep their brand spelling
and theatrical wordings become ``theaters``; page chrome (``Join the discussion...``) ends
the block. When unsure, a field stays empty.

Wider shapes (issue 14): list markers before a line (``• Director: X``); several capitalised
labels on one line with no separator (``Cast: A, B Director: C Runtime: 97 min``); trade-paper
prose blocks (``A X release of a Y production. Produced by ... Directed by X. Screenplay, X, Y,
based on the novel by Z. Camera (color), W; editor, V``: ``Label, names`` pieces after ``.``/``;``
are read only when the rest is names; the ``A X release`` sentence gives the distributor and a
``(Belgium-France)`` head the country); ``Directed by X. With A, B.`` capsules (``With`` without a
colon is the cast only after a ``Directed by`` sentence on the same line); label qualifiers
(``Box Office (Gross USA):``; ``Release Date (Streaming):`` and ``On Disc/Streaming:`` are not the
release date); ``"Title" (directed by X and Y)`` lines; German, French and Spanish labels
(``Regie:``, ``Drehbuch:``, ``Darsteller:``, ``Réalisation :``, ``Avec :``, ``Dirección:``,
``Reparto:``, ``Réalisé par``, ``Dirigida por``; names split on ``und``/``et``/``y`` too; French
``Distribution :`` is the cast, so that label is recognised and never kept). Names are names:
an item with ``?``/``!``, a URL, a handle, or a lower-case first word (other than a particle such
as ``de``/``van``) is dropped, and a value with a question mark gives no names.
"""

from __future__ import annotations

import re

from .dates import find_dates, has_date
from .guard import never_raises
from .patterns import alternation
from .text import clean_text, html_to_text

__all__ = ["parse_credits", "credit_role", "CREDIT_ROLES", "normalize_platform", "parse_runtime"]

# Roles credit_role() can return: the credits keys a label fills, then "other" for
# recognised labels whose values are not kept (executive producers, casting, genre, ...).
CREDIT_ROLES: tuple[str, ...] = (
    "director", "writer", "starring", "release_date", "platform",
    "creator", "producer", "cinematographer", "editor", "composer",
    "runtime_minutes", "content_rating", "distributor", "studio", "country", "year",
    "other",
)
_NAME_ROLES = ("director", "writer", "starring", "creator", "producer", "cinematographer", "editor", "composer")
_EXTRA_ORDER = (
    "creator", "producer", "cinematographer", "editor", "composer", "releases", "runtime_minutes",
    "content_rating", "distributor", "studio", "country", "year",
)

# Noun labels ("Director:", "Writers", "Director of photography:") -> role ("|"-separated).
_NOUN_TERMS: dict[str, str] = {}
for _role, _terms in {
    "director": "director|directors|direction|directing|"
                # de, fr, es
                "regie|regisseur|regisseurin|réalisation|réalisateur|réalisatrice|mise en scène|"
                "dirección|directora|directores|dirigida por",
    "writer": "writer|writers|screenplay|screenplays|screenwriter|screenwriters|script|scripts|"
              "teleplay|writing|"
              "drehbuch|buch|scénario|scénariste|scénaristes|guion|guión|guionista|guionistas",
    "starring": "starring|stars|cast|with|voice cast|voices|main cast|principal cast|featuring|cast members|"
                "darsteller|darstellerin|darstellerinnen|hauptdarsteller|besetzung|mit|"
                "avec|interprètes|acteurs|reparto|intérpretes|elenco|protagonistas",
    "creator": "creator|creators|series creator|series creators",
    "producer": "producer|producers|produzent|produzentin|produzenten",
    "cinematographer": "cinematographer|cinematographers|cinematography|camera|director of photography|"
                       "photography|dp|dop|d.o.p.|kamera|bildgestaltung|photographie|"
                       "directeur de la photographie|fotografía|director de fotografía",
    "editor": "editor|editors|editing|film editing|film editor|film editors|schnitt|montage|montaje",
    "composer": "composer|composers|music|original music|original score|music composer|musik|filmmusik|"
                "musique|musique originale|música|música original",
    "release_date": "release date|release dates|release|released|u.s. release|us release|uk release|"
                    "u.s. release date|uk release date|premiere|premieres|premiere date|opens|opening|"
                    "in theaters|in cinemas|theatrical release|streaming release|air date|airs|debuts|"
                    "streaming date|release info|kinostart|filmstart|sortie|date de sortie|sortie en salles|"
                    "estreno|fecha de estreno",
    "platform": "network|networks|platform|streaming on|streaming|where to watch|where to stream|"
                "watch on|watch it on|available on|channel|streamer|streaming service|how to watch|"
                "where to find it|sender|plattform|plateforme|plataforma",
    "runtime_minutes": "runtime|run time|running time|length|duration|laufzeit|länge|dauer|durée|duración",
    "content_rating": "mpaa rating|mpa rating|mpaa|mpa|rated|rating|content rating|certificate|bbfc|"
                      "bbfc rating|classification|age rating|certification|fsk|altersfreigabe",
    # ("distribution" is the cast on French pages: recognised below, never kept)
    "distributor": "distributor|distributors|u.s. distributor|us distributor|verleih|distributeur|distributrice|"
                   "distribuidora",
    "studio": "studio|studios|production company|production companies",
    "country": "country|countries|country of origin|land|produktionsland|herkunftsland|pays|nationalité|país",
    "year": "year|release year|production year|jahr|produktionsjahr|année|año",
    "other": "executive producer|executive producers|exec. producer|exec. producers|co-producer|"
             "co-producers|co-executive producer|co-executive producers|associate producer|"
             "associate producers|line producer|production|crew|genre|genres|language|languages|"
             "casting|costume design|costume designer|costumes|production design|production designer|"
             "art direction|set decoration|sound|sound design|visual effects|vfx|makeup|choreography|"
             "songs|story|based on|source material|awards|budget|box office|format|aspect ratio|"
             "episodes|seasons|sales|world sales|international sales|section|tags|narrator|host|hosts|"
             "distribution|original language|on disc/streaming|on disc|on dvd|on blu-ray|home release|"
             "produktion|producción|género|genero|idioma|sprache|langue|titre original|originaltitel|"
             "título original",
}.items():
    for _t in _terms.split("|"):
        _NOUN_TERMS[_t.strip().lower()] = _role


_NOUN = rf"(?:{alternation(_NOUN_TERMS)})(?:\(s\))?"
# A qualifier after a label: "Box Office (Gross USA):", "Release Date (Theaters):".
_QUALIFIER = r"(?:\s?\((?P<qual>[^()]{1,40})\))?"
_JOIN = r"\s?(?:/|-|–|—|,|&|\+|and)\s?"
_NOUNS = rf"(?P<nouns>{_NOUN}(?:{_JOIN}{_NOUN}){{0,3}})"
_NOUN_TERM_RE = re.compile(rf"\b(?:{alternation(_NOUN_TERMS)})", re.IGNORECASE)

# "by" forms: "Directed by", "Written and directed by", "Music by", "Screenplay by".
_BY_TERMS: dict[str, str] = {
    "directed": "director", "written": "writer", "screenplay": "writer", "teleplay": "writer",
    "script": "writer", "created": "creator", "produced": "producer", "edited": "editor",
    "shot": "cinematographer", "photographed": "cinematographer", "cinematography": "cinematographer",
    "music": "composer", "scored": "composer", "composed": "composer", "original music": "composer",
    "distributed": "distributor", "released": "distributor",
    "executive produced": "other", "story": "other", "developed": "other", "narrated": "other",
    "hosted": "other", "adapted": "other",
    # fr, es ("par", "por")
    "réalisé": "director", "réalisée": "director", "écrit": "writer", "écrite": "writer",
    "dirigida": "director", "dirigido": "director", "escrita": "writer", "escrito": "writer",
}
_BY = rf"(?:{alternation(_BY_TERMS)})"
_BYS = rf"(?P<bys>{_BY}(?:\s?(?:,|&|and)\s?{_BY}){{0,3}})"
_BY_TERM_RE = re.compile(rf"\b(?:{alternation(_BY_TERMS)})", re.IGNORECASE)

_LABEL_RE = re.compile(
    rf"^(?:{_NOUNS}{_QUALIFIER}\s?(?P<sep>[:：]|\s[-–—]\s?)\s?(?P<nrest>.*)"
    rf"|(?P<alone>{_NOUN}(?:{_JOIN}{_NOUN}){{0,3}})\s?[:：]?"
    rf"|{_BYS}\s+(?:by|par|por)\s?[:：]?\s+(?P<brest>\S.*)"
    rf"|(?P<cnoun>{_NOUN}){_QUALIFIER.replace('qual', 'cqual')}\s?,\s(?P<crest>\S.*)"
    rf"|(?P<starring>starring|featuring)\s+(?P<srest>\S.*))$",
    re.IGNORECASE,
)
# A label (with colon) or by-form starting later in a line: "... Screenplay: X. Camera: Y."
_MIDLINE_LABEL_RE = re.compile(
    rf"(?:(?<=[.;:])|(?<=[.;:][\"”’)]))\s+(?={_NOUN}(?:{_JOIN}{_NOUN}){{0,3}}{_QUALIFIER.replace('?P<qual>', '?:')}\s?[:：]\s?\S"
    rf"|{_BY}(?:\s?(?:,|&|and)\s?{_BY}){{0,3}}\s+(?:by|par|por)\s"
    rf"|{_NOUN}{_QUALIFIER.replace('?P<qual>', '?:')}\s?,\s(?-i:[A-Z])"
    rf"|(?-i:With)\s(?-i:[A-Z]))",
    re.IGNORECASE,
)

_US_RATINGS = r"NC-17|PG-13|PG|G|R|NR|X|Not\sRated|Unrated|TV-Y7-FV|TV-Y7|TV-Y|TV-G|TV-PG|TV-14|TV-MA"
_RATING_CODE_RE = re.compile(rf"^(?:rated\s)?(?P<code>{_US_RATINGS}|12A|12|15|18|U|R18)(?![\w-])", re.IGNORECASE)
_US_RATING_CODE_RE = re.compile(rf"^(?:rated\s)?(?P<code>{_US_RATINGS})(?![\w-])", re.IGNORECASE)
_RATED_LINE_RE = re.compile(rf"^rated\s(?P<code>{_US_RATINGS})(?![\w-])", re.IGNORECASE)
_RATING_CANON = {
    "not rated": "Not Rated", "unrated": "Unrated",
}
_REVIEWED_RE = re.compile(r"^reviewed\s(?:at|online|in|on|for)\b", re.IGNORECASE)

_RUNTIME_RE = re.compile(
    r"(?<![\d:])(?:(?P<h>\d{1,2})\s?(?:h|hrs?|hours?|std\.?|stunden?|heures?|horas?)\.?"
    r"(?:,?\s?(?:and\s|und\s|et\s|y\s)?(?P<hm>\d{1,2})\s?(?:m|mins?|minutes?|minuten|minutos|mn)\.?)?"
    r"|(?P<h2>\d)\s?h\s?(?P<hm2>[0-5]\d)(?!\d)"
    r"|(?P<m>\d{1,3})\s?(?:m|mins?|minutes?|minuten|minutos|mn)\.?)(?![\w])",
    re.IGNORECASE,
)
_RUNTIME_LINE_RE = re.compile(
    r"^\(?\s?(?:\d{1,2}\s?(?:h|hrs?|hours?)\.?(?:,?\s?(?:and\s)?\d{1,2}\s?(?:m|mins?|minutes?)\.?)?"
    r"|\d{1,3}\s?(?:mins?|minutes?)\.?)\s?\)?\.?$",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"(?<!\d)(18[89]\d|19\d\d|20\d\d|21\d\d)(?!\d)")

_WEEKDAY = r"(?:mon|tues?|wednes|thurs?|fri|satur|sun)(?:day)?s?\.?"
_PLATFORM_NAME = r"(?:the\s)?[A-Z][\w+.'’&!]*(?:\s(?:\+|on\s(?=[A-Z])|[A-Z0-9][\w+.'’&!]*)){0,3}"
_SCHEDULE_RE = re.compile(
    rf"^(?:(?:new\sepisodes|premieres?|airs|streams|returns|debuts)\s)?(?:on\s)?(?:{_WEEKDAY})"
    r"(?:\s?(?:,|at|@)?\s?\d{1,2}(?::\d\d)?\s?(?:[ap]\.?m\.?)?\s?(?:ET|PT|CT|ET/PT|E/P|EST|PST)?)?"
    rf",?\s(?:on|via)\s(?P<platform>{_PLATFORM_NAME})\.?$",
    re.IGNORECASE,
)
_ON_PLATFORM_RE = re.compile(rf"(?:^|\b)(?:on|via)\s(?P<platform>{_PLATFORM_NAME})")
_PAREN_RE = re.compile(r"\((?P<inner>[^()]{1,80})\)")
_THEATRICAL_RE = re.compile(
    r"\b(?:(?:in\s)?(?:select|limited|wide|major|many|local|participating|\d+|u\.?s\.?|uk)?\s?"
    r"(?:theaters|theatres|cinemas|movie\stheaters)|(?:wide|limited|theatrical)(?:\srelease)?|"
    r"theatrically|in\stheaters)\b",
    re.IGNORECASE,
)
_THEATRICAL_ONLY_RE = re.compile(
    r"^(?:(?:now|only|exclusively|opens?|opening|out|playing|released?)\s)*(?:in\s)?"
    r"(?:(?:select|limited|wide|major|many|local|participating)\s)?"
    r"(?:theaters|theatres|cinemas|movie\stheaters|wide|limited|theatrical|theatrically|wide\srelease|"
    r"limited\srelease|theatrical\srelease)$",
    re.IGNORECASE,
)
_FESTIVAL_RE = re.compile(
    r"\b(?:festival|fest|screening|screened|world\spremiere|premiered\sat|premieres\sat|"
    r"sundance|cannes|venice|berlinale|tiff|sxsw|telluride|nyff|tribeca|toronto|locarno|"
    r"rotterdam|karlovy|busan|fantastic\sfest|annecy)\b",
    re.IGNORECASE,
)
_TBA_RE = re.compile(
    r"\b(?:tba|tbd|tbc|to\sbe\s(?:announced|determined|confirmed)|coming\ssoon|unknown|n/a)\b", re.IGNORECASE
)
# (a day's dot, "12. März", ends no window)
_WINDOW_SPLIT_RE = re.compile(r"\s?;\s?|\s[/|]\s|(?<!\b\d)(?<!\b\d\d)\.\s(?=[A-Z])|,?\sthen\s|\s·\s")
_SUBWINDOW_SEP_RE = re.compile(r",\s(?:and\s)?|\sand\s|\s&\s")

# Page chrome that ends a credits block, as a line or inside a value.
_CHROME_LINE_RE = re.compile(
    r"^(?:join\sthe\s(?:discussion|conversation)|\d*\s?comments?\b|view\scomments|show\scomments|"
    r"leave\sa\scomment|share\b|share\sthis|advertisement\b|story\scontinues|read\smore\b|"
    r"related\b|more\sfrom\b|you\smay\salso\slike|recommended\sfor\syou|sign\sup\b|subscribe\b|"
    r"newsletter\b|follow\sus\b|tags?:|filed\sunder\b|trending\b|get\sthe\b.{0,40}newsletter)",
    re.IGNORECASE,
)
_CHROME_INLINE_RE = re.compile(
    r"\s?\b(?:join\sthe\s(?:discussion|conversation)|read\smore\b|advertisement\b|share\sthis\b|"
    r"view\scomments|leave\sa\scomment|sign\sup\sfor\b|subscribe\sto\b).*$",
    re.IGNORECASE,
)

#: the words :data:`_CHROME_INLINE_RE`'s branches start with (see :func:`_may_hold`)
_CHROME_INLINE_WORDS = ("join", "read", "advertisement", "share", "view", "leave", "sign", "subscribe")


def _may_hold(text: str, words: tuple[str, ...]) -> bool:
    """False when a case-insensitive pattern whose every match starts with one of *words*
    (ASCII, lower case) cannot match *text*: ASCII text holding none of them. Text that is
    not ASCII may (``re.IGNORECASE`` also pairs ``ſ`` with ``s``, ``ı`` with ``i``)."""
    if not text.isascii():
        return True
    low = text.lower()
    return any(w in low for w in words)


def _drop_chrome(text: str) -> str:
    """*text* without inline page chrome and what follows it (:data:`_CHROME_INLINE_RE`)."""
    return _CHROME_INLINE_RE.sub("", text) if _may_hold(text, _CHROME_INLINE_WORDS) else text


# Name lists.
_SOURCE_RE = re.compile(
    r"[,;(]?\s?\b(?:based\son|adapted\sfrom|inspired\sby|from\s(?:the|a|an)\s(?:[\w-]+\s){0,2}"
    r"(?:novel|book|play|story|memoir|comic|comics|graphic\snovel|short\sstory|article|series|manga|musical)\b).*$",
    re.IGNORECASE,
)
_SOURCE_WORDS = ("based", "adapted", "inspired", "from")
_PARENS_RE = re.compile(r"\s?[(\[][^()\[\]]{0,200}[)\]]")
_SUFFIX_RE = re.compile(r",\s?(Jr\.?|Sr\.?|II|III|IV)(?=\s?(?:[,;&]|\band\b|$))")
_AS_ROLE_RE = re.compile(r"\s(?:as|voicing|plays)\s[^,;&]{1,100}?(?=\s?(?:[,;&]|\sand\s|$))")
_SENTENCE_CUT_RE = re.compile(r"(?<=[a-z\u00df-\u00ff]{2})\.\s(?=[A-Z][a-z]+,?\s[a-z]|(?-i:With|Mit|Avec|Con)\s)")
_NAME_SPLIT_RE = re.compile(r"\s?;\s?|,\s?(?:and|und|et|y)\s|,\s?&\s?|\s?,\s?|\s?&\s?|\s(?:and|AND|und|et|y)\s|\s?\n\s?")
_JUNK_ITEM_RE = re.compile(
    r"^(?:and\s)?(?:more|others|many\smore|and\smore|etc\.?|et\sal\.?|…|\.{2,}|tba|tbd|n/?a|unknown|"
    r"various|none|see\sfull\scast.*|full\scast.*|more\.{0,3}|others?\.{0,3})$",
    re.IGNORECASE,
)
_NOT_NAME_RE = re.compile(r"[!?]|(?i:https?:|www\.|\.(?:com|org|net|io|co)\b)|@|\.\s[a-z]")
# One-word section labels and page furniture that follow a credits block in the next element.
_SECTION_WORD_RE = re.compile(
    r"^(?:film|films|movie|movies|tv|television|reviews?|music|books?|games?|culture|arts|news|videos?|"
    r"podcasts?|streaming|features?|entertainment|more|home|menu|share|comments?|kino|cinéma|cine|serien|"
    r"séries|series|kritik|critique|crítica)$",
    re.IGNORECASE,
)
_TRAILING_DOT_RE = re.compile(r"(?<![\s.])\.$")
_KEEP_DOT_RE = re.compile(r"(?:^|\s)(?:[A-Z]|Jr|Sr|St|Dr|Mr|Mrs|Ms|Inc|Co|Ltd|Bros)\.$")
_ENDS_WITH_SEP_RE = re.compile(r"(?:[,;&]|\band|\bwith)$", re.IGNORECASE)
# Particles a name may start with ("de la Cruz", "van Dyke"); "the", "of", "y" may not.
_LEADING_PARTICLES = frozenset("de da del della der den di du des dos das do van von le la les al el bin ibn ter ten "
                               "zu mac ben d' l' dei degli".split())
_PARTICLES = frozenset(
    "de da del della der den di du des dos das do van von le la les y e bin bint ibn al el ter ten zu "
    "af av of the st mac ben d' l' dei degli".split()
)

# Platforms in their brand spelling.
_PLATFORMS: dict[str, str] = {
    "netflix": "Netflix", "hulu": "Hulu", "mubi": "MUBI", "peacock": "Peacock", "hbo": "HBO",
    "hbo max": "HBO Max", "max": "Max", "fx": "FX", "fxx": "FXX", "fx on hulu": "FX on Hulu",
    "prime video": "Prime Video", "amazon prime video": "Prime Video", "amazon prime": "Prime Video",
    "amazon": "Prime Video", "prime": "Prime Video",
    "apple tv+": "Apple TV+", "apple tv plus": "Apple TV+", "appletv+": "Apple TV+", "apple tv": "Apple TV",
    "disney+": "Disney+", "disney plus": "Disney+", "paramount+": "Paramount+", "paramount plus": "Paramount+",
    "amc": "AMC", "amc+": "AMC+", "showtime": "Showtime", "starz": "Starz", "shudder": "Shudder",
    "the criterion channel": "The Criterion Channel", "criterion channel": "The Criterion Channel",
    "tubi": "Tubi", "youtube": "YouTube", "abc": "ABC", "nbc": "NBC", "cbs": "CBS", "fox": "Fox",
    "pbs": "PBS", "the cw": "The CW", "cw": "The CW", "bbc one": "BBC One", "bbc two": "BBC Two",
    "bbc three": "BBC Three", "bbc four": "BBC Four", "bbc iplayer": "BBC iPlayer", "itv": "ITV",
    "itv1": "ITV1", "itvx": "ITVX", "channel 4": "Channel 4", "sky atlantic": "Sky Atlantic",
    "mgm+": "MGM+", "epix": "Epix", "cinemax": "Cinemax", "tnt": "TNT", "tbs": "TBS", "ifc": "IFC",
    "sundance now": "Sundance Now", "acorn tv": "Acorn TV", "britbox": "BritBox", "kanopy": "Kanopy",
    "crunchyroll": "Crunchyroll", "discovery+": "Discovery+", "bravo": "Bravo", "starz+": "Starz",
    "vod": "VOD", "digital": "digital", "on demand": "VOD",
}
_NOT_PLATFORMS = frozenset(
    "u.s. us uk u.k. usa worldwide nationwide imax 3d 2d select expanding streaming digital? "
    "friday saturday sunday monday tuesday wednesday thursday the a an".split()
)
_PLATFORM_FILLER_RE = re.compile(
    r"\b(?:now|streaming|streams|available|premieres?|premiering|opens?|opening|out|from|starting|"
    r"beginning|begins|debuts?|arrives?|releases?|released|exclusively|only|and|also|later|coming|"
    r"to|airs?|new\sepisodes|weekly|at|in|on)\b|[,.:!–—-]",
    re.IGNORECASE,
)
_WS_RE = re.compile(r"\s+")
# A list marker before a line: bullets, dashes, "1." / "2)".
_LIST_MARKER_RE = re.compile(r"^(?:[•·▪▫►▸‣◦●○■□◆◇➤→*–—-]{1,3}|\d{1,2}[.)])\s+")
# "With A, B, C." after a "Directed by X." sentence (capsules); see _segments.
_WITH_RE = re.compile(r"^(?-i:With)\s(?P<wrest>(?-i:[A-Z]).*)$")
# A capitalised "Label:" inside a line with no separator before it ("... Rod Sim Director: X").
_RUN_LABEL_RE = re.compile(
    rf"(?<=\S)\s+(?=(?=(?-i:[A-ZÀ-Þ])){_NOUN}(?:{_JOIN}{_NOUN}){{0,3}}{_QUALIFIER.replace('?P<qual>', '?:')}\s?[:：]\s?\S)",
    re.IGNORECASE,
)
_LABEL_COLON_RE = re.compile(
    rf"{_NOUN}(?:{_JOIN}{_NOUN}){{0,3}}{_QUALIFIER.replace('?P<qual>', '?:')}\s?[:：]", re.IGNORECASE
)
# '"Title" (directed by X and Y)': the capsule line of a list of reviews.
_QUOTED_DIRECTED_RE = re.compile(
    r"^[“\"‘'«]\s?[^“”\"‘’'«»]{1,150}?\s?[”\"’'»]\s?,?\s?\((?:written\sand\s)?(?:directed|dir\.)\s(?:by\s)?"
    r"(?P<names>[^()]{1,150})\)\.?$",
    re.IGNORECASE,
)
# "A Gullwing Pictures release (of a Pike Works production)": the distributor of a trade block.
_RELEASE_OF_RE = re.compile(
    r"^(?:production:\s)?(?:an?\s)?(?P<dist>(?-i:[A-Z])[\w&.'’-]*(?:\s(?-i:[A-Z0-9])[\w&.'’-]*){0,5})\srelease"
    r"(?:\s(?:of|in\sassociation\swith)\s.{1,200})?\.?$",
    re.IGNORECASE,
)
# "(Belgium-France)" at the head of a trade block: the production countries.
_COUNTRIES = frozenset(
    "argentina australia austria belgium brazil bulgaria canada chile china colombia croatia cuba "
    "denmark egypt estonia finland france georgia germany greece hungary iceland india indonesia iran "
    "ireland israel italy japan jordan kazakhstan latvia lebanon lithuania luxembourg mexico morocco netherlands "
    "nigeria norway pakistan palestine peru philippines poland portugal qatar romania russia "
    "senegal serbia singapore slovakia slovenia spain sweden switzerland taiwan thailand tunisia turkey ukraine "
    "u.k. uk u.s. us usa uruguay venezuela vietnam korea".split()
) | frozenset({
    "czech republic", "hong kong", "new zealand", "saudi arabia", "south africa", "south korea",
    "united kingdom", "united states",
})
_COUNTRY_HEAD_RE = re.compile(
    r"^\((?P<c>[A-Z][A-Za-z. ]{1,30}(?:\s?[-/,]\s?[A-Z][A-Za-z. ]{1,30}){0,5})(?:,\s?(?P<y>(?:19|20)\d\d))?\)\s?"
)


def _clean_line(s: str) -> str:
    """One cleaned line, capped at 2000 characters, without a leading list marker."""
    return _LIST_MARKER_RE.sub("", clean_text(s[:4000])[:2000])


def _match_label(line: str):
    """Match a credit label at the start of *line*: ``(roles, rest, kind)`` or None.

    *kind* is ``colon`` (``Label: value``), ``alone`` (the label on its own), ``by``
    (``Directed by X``) or ``starring`` (``Starring X`` without colon).
    """
    m = _LABEL_RE.match(line)
    if m:
        qual = None
        if m["nouns"] is not None:
            terms, rest, kind, qual = m["nouns"], m["nrest"], "colon", m["qual"]
            if not rest:
                kind = "alone"
        elif m["alone"] is not None:
            terms, rest, kind = m["alone"], "", "alone"
        elif m["bys"] is not None:
            terms, rest, kind = m["bys"], m["brest"], "by"
        elif m["cnoun"] is not None:
            # "Screenplay, X, Y" / "Camera (color), X" (trade-paper blocks): names only
            terms, rest, kind = m["cnoun"], m["crest"], "comma"
        else:
            return ("starring",), m["srest"], "starring"
        if kind == "by":
            roles = [_BY_TERMS[_WS_RE.sub(" ", t.lower())] for t in _BY_TERM_RE.findall(terms)]
        else:
            roles = [_NOUN_TERMS[_WS_RE.sub(" ", t.lower())] for t in _NOUN_TERM_RE.findall(terms)]
        roles = [r for i, r in enumerate(roles) if r not in roles[:i]]
        if not roles:
            return None
        if kind in ("colon", "alone") and roles == ["other"] and terms.lower() in ("with",):
            return None
        if qual and roles[0] == "release_date" and not _THEATRICAL_ONLY_RE.match(clean_text(qual)):
            roles = ["other"]  # "Release Date (Streaming):": a later window, not the release
        return tuple(roles), (rest or "").strip(), kind
    if _RATED_LINE_RE.match(line):
        return ("content_rating",), line, "rated"
    if _REVIEWED_RE.match(line):
        return ("other",), line, "reviewed"
    m = _WITH_RE.match(line)
    if m:
        return ("starring",), m["wrest"], "with"
    return None


def _name_like(item: str) -> bool:
    """True when *item* reads like a person's (or a collective's) name, not prose."""
    return _words_name_like(item, item.split())


def _words_name_like(item: str, words: list[str]) -> bool:
    """:func:`_name_like` of *item* whose ``split()`` is *words*."""
    if not item or len(item) > 80:
        return False
    if not 1 <= len(words) <= 7:
        return False
    capital = False
    for w in words:
        c = w.lstrip("\"'“‘(")[:1]
        if not c:
            continue
        if c.islower():
            if w.lower().strip(".,") not in _PARTICLES:
                return False
        elif c.isalpha():
            capital = True
    return capital


#: a character ``str.isalnum()`` holds (``\w`` is exactly those and ``_``)
_ALNUM_RE = re.compile(r"[^\W_]")


def _two_digits(item: str) -> bool:
    """Whether *item* holds two or more characters ``str.isdigit()`` holds (letters never are)."""
    if item.replace(" ", "").isalpha():
        return False
    return sum(ch.isdigit() for ch in item) >= 2


def _names_only(value: str) -> list[str] | None:
    """The names of *value* when every item of it reads like a name, else None (prose)."""
    names = _split_names(value, strict=True)
    return names or None


def _split_names(value: str, *, strict: bool = False) -> list[str]:
    """Split a name list into cleaned names (roles, notes and junk dropped, order kept).

    With *strict*, any item that does not read like a name makes the result empty.
    """
    v = _drop_chrome(value)
    if "?" in v:
        return []  # a question is not a list of names
    if _may_hold(v, _SOURCE_WORDS):
        v = _SOURCE_RE.sub("", v)
    for _ in range(3):
        if "(" not in v and "[" not in v:
            break
        v2 = _PARENS_RE.sub("", v)
        if v2 == v:
            break
        v = v2
    v = _SENTENCE_CUT_RE.split(v, maxsplit=1)[0]
    v = _SUFFIX_RE.sub(r" \1", v)
    v = _AS_ROLE_RE.sub("", v)
    out: list[str] = []
    for item in _NAME_SPLIT_RE.split(v):
        item = item.strip(" \t-–—:·•\"“”")
        if item[:4].lower() == "and ":
            item = item[4:].strip()
        if item.endswith((".", "…")) and not _KEEP_DOT_RE.search(item):
            if item.endswith(("…", "..")):
                continue  # truncated name: not a name
            item = _TRAILING_DOT_RE.sub("", item).strip()
        if not item or _JUNK_ITEM_RE.match(item) or "…" in item or "..." in item:
            continue
        if _two_digits(item):
            return []  # an address, a date or a phone number: not a list of names
        low = item.lower()
        if low in _NOUN_TERMS or low in _BY_TERMS:
            if strict:
                return []
            continue  # a label ("Screenplay"), not a name
        words = item.split()
        name_like = _words_name_like(item, words)
        if strict and not name_like:
            return []
        if len(item) > 80 or len(words) > 7 or _ALNUM_RE.search(item) is None:
            continue
        if _NOT_NAME_RE.search(item):
            continue  # a URL, a handle, an exclamation: not a name
        first = words[0]
        if first[:1].islower() and first.lower().strip(".,") not in _LEADING_PARTICLES:
            continue  # prose ("a new cast"), not a name
        if not any(w[:1].isupper() or w[:1].isdigit() for w in words):
            continue  # particles alone ("the", "de")
        if _SECTION_WORD_RE.match(item):
            continue  # the page's next element ("Film", "TV", "Reviews"), not a name
        if not name_like:
            continue  # "Quin Hale in the headlines": prose around a name
        if item not in out:
            out.append(item)
    return out


def normalize_platform(name: object) -> str | None:
    """Brand spelling of a platform (``netflix`` -> ``Netflix``); theatrical wordings ->
    ``theaters``; unknown names are returned cleaned as written; None when empty."""
    if not isinstance(name, str):
        return None
    n = clean_text(name).strip(" .,;:()[]")
    if not n or len(n) > 60:
        return None
    key = n.lower()
    if key.startswith("the ") and key not in _PLATFORMS:
        key2 = key[4:]
        if key2 in _PLATFORMS:
            return _PLATFORMS[key2]
    if key in _PLATFORMS:
        return _PLATFORMS[key]
    if _THEATRICAL_ONLY_RE.match(n):
        return "theaters"
    if key in _NOT_PLATFORMS:
        return None
    return n


def _platform_in(segment: str) -> str | None:
    """The platform a release-window text names: ``(Netflix)``, ``on Hulu``, ``in theaters``."""
    for m in _PAREN_RE.finditer(segment):
        inner = m["inner"].strip()
        if _THEATRICAL_RE.search(inner) and _THEATRICAL_ONLY_RE.match(_PLATFORM_FILLER_RE.sub(" ", inner).strip() or inner):
            return "theaters"
        p = _known_platform(inner)
        if p:
            return p
        if not has_date(inner) and _name_like(inner) and len(inner.split()) <= 4:
            p = normalize_platform(inner)
            if p:
                return p
    m = _ON_PLATFORM_RE.search(segment)
    if m:
        p = normalize_platform(m["platform"])
        if p and p.lower() not in _NOT_PLATFORMS and not has_date(p):
            return p
    if _THEATRICAL_RE.search(segment):
        return "theaters"
    # What is left once dates and filler words are gone: "Netflix, May 30".
    rest = _PLATFORM_FILLER_RE.sub(" ", segment)
    rest = _WS_RE.sub(" ", rest).strip()
    return _known_platform(rest)


def _known_platform(text: str) -> str | None:
    """The platform when *text* is exactly a known platform name or theatrical wording."""
    t = clean_text(text).strip(" .,;:").lower()
    if not t:
        return None
    if t in _PLATFORMS:
        return _PLATFORMS[t]
    if t.startswith("the ") and t[4:] in _PLATFORMS:
        return _PLATFORMS[t[4:]]
    if _THEATRICAL_ONLY_RE.match(t):
        return "theaters"
    return None


def _release_windows(value: str, published, language=None) -> list[dict]:
    """Release windows ``[{date, platform}]`` from a release-date value, in source order."""
    v = _drop_chrome(value)
    windows: list[dict] = []
    for seg in _WINDOW_SPLIT_RE.split(v):
        seg = seg.strip(" ,")
        if not seg:
            continue
        if _FESTIVAL_RE.search(seg):
            continue  # a festival screening is not a release
        dates = find_dates(seg, published=published, language=language)
        pieces = []
        if len(dates) >= 2:
            start = 0
            for (_, prev_end, _), (nxt_start, _, _) in zip(dates, dates[1:]):
                cut = None
                for m in _SUBWINDOW_SEP_RE.finditer(seg, prev_end, nxt_start):
                    cut = m
                if cut is None:
                    pieces = [seg]
                    break
                pieces.append(seg[start:cut.start()])
                start = cut.end()
            else:
                pieces.append(seg[start:])
        else:
            pieces = [seg]
        for piece in pieces:
            pdates = dates if piece is seg else find_dates(piece, published=published, language=language)
            date = pdates[0][2] if pdates else None
            stripped = piece
            for s, e, _ in reversed(pdates):
                stripped = stripped[:s] + " " + stripped[e:]
            if _TBA_RE.search(stripped) and not date:
                platform = _platform_in(_TBA_RE.sub(" ", stripped))
            else:
                platform = _platform_in(stripped)
            if date or platform:
                windows.append({"date": date, "platform": platform})
    return windows


def parse_runtime(text: object) -> int | None:
    """Minutes from ``97 MIN.``, ``(119 min.)``, ``1 hr 38 min`` (98), ``2h``; None if absent."""
    if not isinstance(text, str):
        return None
    m = _RUNTIME_RE.search(text[:2000])
    if not m:
        return None
    if m["h"] is not None:
        minutes = int(m["h"]) * 60 + int(m["hm"] or 0)
    elif m["h2"] is not None:
        minutes = int(m["h2"]) * 60 + int(m["hm2"])
    else:
        minutes = int(m["m"])
    return minutes if 1 <= minutes <= 1500 else None


def _content_rating(value: str, *, strict_us: bool) -> str | None:
    """The rating code at the start of *value* (``R for violence`` -> ``R``)."""
    m = (_US_RATING_CODE_RE if strict_us else _RATING_CODE_RE).match(value.strip())
    if not m:
        return None
    code = _WS_RE.sub(" ", m["code"])
    return _RATING_CANON.get(code.lower(), code.upper())


@never_raises(None)
def credit_role(line: object) -> str | None:
    """The credits role a single line's label names, or None when it has no credit label.

    ``Director: X`` -> ``director``, ``Writer/Director: X`` -> ``writer`` (the first role of a
    combined label), ``Release Date: ...`` -> ``release_date``, ``Network: HBO`` -> ``platform``,
    ``Runtime: 97 min`` -> ``runtime_minutes``, ``Rated R for ...`` -> ``content_rating``,
    ``Executive producers: X`` -> ``other`` (recognised, not kept). A noun label needs a colon
    (or to stand alone on the line); ``by`` forms (``Directed by X``) and ``Starring X`` are
    accepted only on a short line whose rest is a list of names, so prose such as
    ``With this film, the director...`` gives None. Never raises.
    """
    if not isinstance(line, str):
        return None
    if len(line) <= _ROLE_CACHE_LINE:
        try:
            return _role_cache[line]
        except KeyError:
            pass
        if len(_role_cache) >= _ROLE_CACHE_SIZE:
            _role_cache.clear()
        role = _role_cache[line] = _line_role(line)
        return role
    return _line_role(line)


# credit_role is asked about the same lines many times (every block of a page twice, menus and
# footers on every page): the answers of short lines are kept (a pure function of the string).
_ROLE_CACHE_LINE = 300
_ROLE_CACHE_SIZE = 20_000
_role_cache: dict[str, str | None] = {}


def _line_role(line: str) -> str | None:
    text = _clean_line(line)
    if not text or len(text) > 1000:
        return None
    got = _match_label(text)
    if got is None:
        return None
    roles, rest, kind = got
    if kind in ("with", "comma"):
        return None  # read only inside a line of other credits (see _segments)
    if kind in ("by", "starring", "comma"):
        if len(text) > 200:
            return None
        if not _names_only(rest):
            return None
    if roles[0] == "content_rating" and kind in ("colon",):
        if _content_rating(rest, strict_us=False) is None:
            return None
    return roles[0]


_WORD_RE = re.compile(r"\S+")
_COUNTRY_SEP_RE = re.compile(r"\s?[-/,]\s?")


def _segments(line: str) -> list[tuple[tuple | None, str]]:
    """Split a line at labels that start mid-line; each piece with its label match (or None)."""
    cuts = [(m.start(), m.end()) for m in _MIDLINE_LABEL_RE.finditer(line)]
    head = _match_label(line)
    if head is not None and head[2] == "colon":
        # Labels run together with no separator: "Cast: A, B Director: C Runtime: 97 min".
        for m in _RUN_LABEL_RE.finditer(line):
            lab = _LABEL_COLON_RE.match(line, m.end())
            if lab is None:
                continue
            before = list(_WORD_RE.finditer(line[max(0, m.start() - 60):m.start()]))[-3:]
            offset = max(0, m.start() - 60)
            if any((x := _LABEL_COLON_RE.match(line, offset + w.start())) and x.end() == lab.end() for w in before):
                continue  # "MPA Rating:": the word before belongs to the label
            cuts.append((m.start(), m.end()))
    cuts.sort()
    pieces = []
    start = 0
    for a, b in cuts:
        if a < start:
            continue
        pieces.append(line[start:a])
        start = b
    pieces.append(line[start:])
    out = []
    directed = labelled = False
    for i, piece in enumerate(pieces):
        piece = piece.strip()
        if not piece:
            continue
        if i < len(pieces) - 1:
            piece = piece.rstrip(".;").strip() if not _KEEP_DOT_RE.search(piece) else piece
        label = head if piece == line else _match_label(piece)  # (a line of one piece: matched above)
        if label is not None and label[2] == "with" and not directed:
            label = None  # "With X ...": starring only after a "Directed by" sentence
        if label is not None and label[2] == "comma" and not labelled:
            label = None  # "Screenplay, X": only after another credit in the same block line
        if label is not None:
            labelled = True
        if label is not None and label[2] == "by" and "director" in label[0]:
            directed = True
        out.append((label, piece))
    return out


def _no_credits(*_: object, **__: object) -> dict:
    """The credits object of a block nothing could be read from."""
    return _ordered({"director": [], "writer": [], "starring": [], "release_date": None, "platform": None})


@never_raises(fallback=_no_credits)
def parse_credits(text: object, *, published: object = None, language: object = None) -> dict:
    """Return the credits object for a credits block (multi-line text or HTML fragment).

    Keys, in order: ``director``, ``writer``, ``starring`` (lists, always present),
    ``release_date`` (ISO date or None), ``platform`` (str or None), then only when present
    ``creator``, ``producer``, ``cinematographer``, ``editor``, ``composer`` (lists),
    ``releases`` (``[{date, platform}]`` when there are several release windows),
    ``runtime_minutes`` (int), ``content_rating`` (``R``, ``PG-13``, ``TV-MA``...),
    ``distributor``, ``studio``, ``country`` (str) and ``year`` (int).

    *published* (a date, datetime or ISO string) supplies the year of a release date written
    without one; *language* is the page's (``de``, ``fr``, ``es``: numeric release dates such as
    ``Kinostart: 12.03.2025`` read day-first; see :func:`crawler.normalize.dates.parse_date`).
    Unknown lines are skipped; page chrome ends the block. Never raises.
    """
    out: dict = {"director": [], "writer": [], "starring": [], "release_date": None, "platform": None}
    _parse_into(out, text, published, language)
    return _ordered(out)


def _ordered(out: dict) -> dict:
    """The credits dict with the contract's key order, extras only when present."""
    result = {k: out.get(k) for k in ("director", "writer", "starring", "release_date", "platform")}
    for k in ("director", "writer", "starring"):
        result[k] = list(result[k] or [])
    for k in _EXTRA_ORDER:
        v = out.get(k)
        if v not in (None, [], ""):
            result[k] = v
    return result


def _parse_into(out: dict, text: object, published: object, language: object = None) -> None:
    """Fill *out* from the credits block *text*."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str) or not text.strip():
        return
    lines = html_to_text(text[:200_000]).split("\n")[:400]
    fields: list[dict] = []
    current: dict | None = None
    for raw_line in lines:
        line = _clean_line(raw_line)
        if not line:
            continue
        if _CHROME_LINE_RE.match(line):
            break
        segments = _segments(line)
        dense = sum(1 for label, _ in segments if label is not None) >= 3
        for label, seg in segments:
            m = _COUNTRY_HEAD_RE.match(seg) if label is None else None
            if m:
                parts = [p.strip() for p in _COUNTRY_SEP_RE.split(m["c"])]
                if parts and all(p.lower() in _COUNTRIES for p in parts):
                    fields.append({"roles": ("country",), "parts": [m["c"]], "alone": False, "open": False})
                    if m["y"]:
                        fields.append({"roles": ("year",), "parts": [m["y"]], "alone": False, "open": False})
                    seg = seg[m.end():].strip()
                    current = None
                    if not seg:
                        continue
                    label = _match_label(seg)
            m = _RELEASE_OF_RE.match(seg)
            if m and (label is None or label[0] == ("other",)):
                fields.append({"roles": ("distributor",), "parts": [m["dist"]], "alone": False, "open": False})
                current = None
                continue
            if label is not None:
                roles, rest, kind = label
                if kind in ("by", "starring", "comma", "with"):
                    if len(seg) > 300 or (len(line) > 300 and not dense) or not _names_only(rest):
                        current = None
                        continue
                if kind == "rated":
                    code = _content_rating(seg, strict_us=True)
                    if code:
                        fields.append({"roles": roles, "parts": [code], "alone": False, "open": False})
                    current = None
                    continue
                current = {"roles": roles, "parts": [rest] if rest else [], "alone": kind == "alone",
                           "open": not rest or bool(_ENDS_WITH_SEP_RE.search(rest))}
                fields.append(current)
                continue
            # An unlabelled segment: a continuation of the open field, or a standalone line.
            if current is not None and current["open"]:
                roles = current["roles"]
                first = not current["parts"]
                is_names = roles[0] in _NAME_ROLES
                if first:
                    if is_names and current["alone"] and not _names_only(seg):
                        current = None  # prose after a bare label is not a value
                        continue
                    current["parts"].append(seg)
                    current["open"] = bool(_ENDS_WITH_SEP_RE.search(seg)) or (current["alone"] and is_names)
                    continue
                if is_names:
                    if _names_only(seg):
                        current["parts"].append(seg)
                        current["open"] = bool(_ENDS_WITH_SEP_RE.search(seg)) or current["alone"]
                        continue
                elif roles[0] == "release_date" and len(seg) <= 160 and find_dates(seg, published=published, language=language):
                    current["parts"].append(seg)
                    continue
            elif current is not None and current["roles"][0] == "release_date" and current["alone"] \
                    and len(seg) <= 160 and find_dates(seg, published=published, language=language):
                current["parts"].append(seg)
                continue
            current = None
            m = _QUOTED_DIRECTED_RE.match(seg)
            if m and _names_only(m["names"]):
                fields.append({"roles": ("director",), "parts": [m["names"]], "alone": False, "open": False})
                continue
            m = _SCHEDULE_RE.match(seg)
            if m:
                fields.append({"roles": ("platform",), "parts": [m["platform"]], "alone": False, "open": False})
                continue
            if _RUNTIME_LINE_RE.match(seg):
                fields.append({"roles": ("runtime_minutes",), "parts": [seg], "alone": False, "open": False})
                continue
    for field in fields:
        _apply(out, field, published, language)


def _apply(out: dict, field: dict, published: object, language: object = None) -> None:
    """Store one labelled field's value in *out*."""
    roles = field["roles"]
    parts = [p for p in field["parts"] if p]
    if not parts:
        return
    for role in roles:
        if role in _NAME_ROLES:
            names = _split_names(", ".join(parts))
            lst = out.setdefault(role, [])
            for n in names:
                if n not in lst:
                    lst.append(n)
        elif role == "release_date":
            windows = _release_windows("; ".join(parts), published, language)
            dated = [w for w in windows if w["date"]]
            if dated and out.get("release_date") is None:
                out["release_date"] = dated[0]["date"]
                if dated[0]["platform"] and out.get("platform") is None:
                    out["platform"] = dated[0]["platform"]
            if out.get("platform") is None:
                for w in windows:
                    if w["platform"]:
                        out["platform"] = w["platform"]
                        break
            if len(dated) >= 2 and "releases" not in out:
                out["releases"] = dated
        elif role == "platform":
            value = _drop_chrome(parts[0])
            p = _known_platform(value) or _platform_in(value) or normalize_platform(
                _PARENS_RE.sub("", value).split(",")[0])
            if p and out.get("platform") is None:
                out["platform"] = p
        elif role == "runtime_minutes":
            minutes = parse_runtime(" ".join(parts))
            if minutes and "runtime_minutes" not in out:
                out["runtime_minutes"] = minutes
        elif role == "content_rating":
            code = _content_rating(parts[0], strict_us=False)
            if code and "content_rating" not in out:
                out["content_rating"] = code
        elif role in ("distributor", "studio", "country"):
            value = clean_text(_drop_chrome(" ".join(parts))).strip(" .;,")
            if value and len(value) <= 150 and role not in out:
                out[role] = value
        elif role == "year":
            m = _YEAR_RE.search(" ".join(parts))
            if m and "year" not in out:
                out["year"] = int(m.group(1))
