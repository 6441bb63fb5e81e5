"""Critics' grades to one 0-100 scale (pure functions, no Scrapy).

:func:`parse_grade` reads a grade as critics print it and returns the record's grade object
``{raw, scale, value, best, score, letter}`` (keys in that order), or None when the text is
not a grade:

* letters (``B+``, ``Grade: B-``, ``GRADE: A–``, ``c-/d+``) on the Metacritic-style table;
* stars (``★★★½``, ``★★★☆☆``, ``***1/2``, ``3½ stars``, ``Three and a half stars``, emoji,
  star icons in HTML);
* numbers (``4/5``, ``3.5/4``, ``7.8/10``, ``4,5/5``, ``4 out of 5 stars``, ``85%``, a bare
  ``7.8`` when the scale is known);
* binary verdicts (thumbs up/down, Fresh/Rotten, Recommended/Not recommended);
* German, French and Spanish labels, units and number words (``Bewertung: 4/5``, ``4 von 5
  Sternen``, ``vier von fünf Sternen``, ``Note : 4/5``, ``quatre étoiles sur cinq``,
  ``Calificación: 4 de 5``, ``4 sobre 5``; a fraction of number words with only ``of``/``von``/``de``
  needs a label or a unit: ``una de cinco`` alone is prose);
* a grade after a title and its MPA rating (``Glass Tides (R) B+``), a label with the critic's
  name in brackets (``Grade (Pia Vance): B+``, ``Grade: B+ (Pia Vance)``), a score followed by a
  verdict word (``8/10`` then ``Great``; not a letter or a bare integer: ``A masterpiece``).

The whole text (after an optional label such as ``Grade:`` or ``Our rating:``) must be the
grade expression: ``an A-list cast``, ``B-movie``, ``A24``, ``PG-13``, years, ``4K UHD`` and
prose are not grades. Aggregate and user ratings (Metascore, audience score, "Select a star
to rate") are rejected. Out-of-range values (``7/5``) give None, never a clamped score.

:func:`grade_from_rating` does the same for a schema.org ``Rating`` (``ratingValue``,
``bestRating``, ``worstRating``), and :func:`grade_from_rating_node` for a ``Rating`` given as an
object, a list or JSON text. :func:`grade_from_lines` reads a grade printed over two lines (a
label above its value, a score above a verdict word).
"""

from __future__ import annotations

import html
import json
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .text import clean_text, html_to_text, looks_like_html
from .guard import never_raises
from .patterns import alternation

__all__ = [
    "parse_grade", "grade_from_rating", "grade_from_rating_node", "grade_from_lines", "is_grade_label", "LETTER_SCORES",
    "round_half_up",
]

# Metacritic-style letter table (CONTRACT.md).
LETTER_SCORES: dict[str, int] = {
    "A+": 100, "A": 100, "A-": 91,
    "B+": 83, "B": 75, "B-": 67,
    "C+": 58, "C": 50, "C-": 42,
    "D+": 33, "D": 25, "D-": 16,
    "F+": 8, "F": 0, "F-": 0,
}

_MAX_HTML = 200_000  # longer input is not a grade widget
_MAX_TEXT = 120  # a grade expression (with its label) is short

# Characters folded before matching: dashes and minus signs to "-", fullwidth forms to ASCII,
# the fraction slash to "/", variation selectors removed.
_FOLD = str.maketrans(
    {
        "\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2011": "-", "\u2010": "-", "\u2014": "-",
        "\ufe63": "-", "\uff0d": "-", "\u2796": "-",
        "\uff0b": "+", "\ufe62": "+", "\u2795": "+",
        "\uff0f": "/", "\u2044": "/", "\u2215": "/",
        "\ufe0e": None, "\ufe0f": None,
        "\uff0c": ",", "\uff0e": ".", "\uff1a": ":", "\uff05": "%",
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
    }
)

_FULL_GLYPHS = "★⭐🌟✭✮✯✪"
_EMPTY_GLYPHS = "☆✩⚝"
_HALF_GLYPHS = "⯨⯪⯫"
_GLYPH_SPACE_RE = re.compile(rf"(?<=[{_FULL_GLYPHS}{_EMPTY_GLYPHS}{_HALF_GLYPHS}½*])\s+(?=[{_FULL_GLYPHS}{_EMPTY_GLYPHS}{_HALF_GLYPHS}½*])")
_GLYPH_RE = re.compile(
    rf"^(?P<full>[{_FULL_GLYPHS}]{{1,10}}|\*{{1,10}})?\s?(?P<half>½|[{_HALF_GLYPHS}]|1/2)?"
    rf"(?P<empty>[{_EMPTY_GLYPHS}]{{0,10}})\s?(?P<unit>stars?)?$",
    re.IGNORECASE,
)
_GLYPH_RUN_RE = re.compile(rf"[{_FULL_GLYPHS}{_EMPTY_GLYPHS}{_HALF_GLYPHS}]{{1,10}}(?:½|[{_EMPTY_GLYPHS}]{{1,10}})*|(?<![\w*])\*{{1,10}}(?:\s?(?:½|1/2))?(?![\w*])")

_WORD_NUMS = {
    "zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    # German, French, Spanish ("vier von fünf Sternen", "quatre étoiles sur cinq", "tres de cinco")
    "null": 0, "eins": 1, "ein": 1, "eine": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
    "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10,
    "cero": 0, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10,
}
_WORD_ALT = alternation(_WORD_NUMS)
_FRACTIONS = {"½": Decimal("0.5"), "¼": Decimal("0.25"), "¾": Decimal("0.75"),
              "1/2": Decimal("0.5"), "1/4": Decimal("0.25"), "3/4": Decimal("0.75")}


def _num(g: str) -> str:
    """Regex for a grade number (digits, glyph fraction or words) with groups prefixed *g*."""
    return (
        rf"(?:(?P<{g}d>\d{{1,3}}(?:[.,]\d{{1,3}})?)(?:\s?-?\s?(?P<{g}f>½|¼|¾|1/2|1/4|3/4)(?!\d))?"
        rf"|(?P<{g}g>[½¼¾])"
        rf"|(?P<{g}w>{_WORD_ALT})(?:[\s-](?:and[\s-])?(?:a[\s-])?(?P<{g}wh>half))?"
        rf"|(?P<{g}h>half(?:\sa)?|a\shalf|one\shalf))"
    )


_STAR_UNIT = r"(?:stars?|star\srating|sternen|sterne|stern|étoiles?|etoiles?|estrellas?)"
_OUT_OF = r"(?:/|out\sof|of|von|sur|de|sobre)"
_BEST = rf"(?P<b>\d{{1,3}}|{_WORD_ALT})"
_FRACTION_RE = re.compile(
    rf"^{_num('v')}\s?(?P<s1>{_STAR_UNIT})?\s?(?P<of>{_OUT_OF})\s?{_BEST}\s?(?P<s2>{_STAR_UNIT})?$", re.IGNORECASE
)
_STARS_RE = re.compile(rf"^{_num('v')}\s?(?P<s1>{_STAR_UNIT})$", re.IGNORECASE)
_HALF_STAR_RE = re.compile(r"^(?:1/2|half\sa|a\shalf|one\shalf|half)\s?stars?$", re.IGNORECASE)
_BARE_RE = re.compile(r"^(?P<vd>\d{1,3}(?:[.,]\d{1,3})?)$")
_PERCENT_RE = re.compile(r"^(?P<vd>\d{1,3}(?:[.,]\d{1,2})?)\s?%$")
_LETTER_MOD = r"(?:\+|-?\s?plus|-?\s?minus|-)"
_LETTER_RE = re.compile(
    rf"^(?P<l1>[a-df])\s?(?P<m1>{_LETTER_MOD})?(?:\s?/\s?(?P<l2>[a-df])\s?(?P<m2>{_LETTER_MOD})?)?$",
    re.IGNORECASE,
)
_BINARY_POS_RE = re.compile(
    r"^(?:thumbs?[\s-]?up|👍|fresh|recommended|highly\srecommended|stream\sit|see\sit)!?$", re.IGNORECASE
)
_BINARY_NEG_RE = re.compile(
    r"^(?:thumbs?[\s-]?down|👎|rotten|not\srecommended|skip\sit)!?$", re.IGNORECASE
)
# An optional label before the expression: "Grade:", "Criticwire grade:", "Our rating -",
# "Rated", "Stars:" (the last one only with a colon).
_LABEL_RE = re.compile(
    r"^(?:(?P<pre>[a-z][\w.'’&-]{0,30}(?:\s[a-z][\w.'’&-]{0,30}){0,3})\s)?"
    r"(?P<word>grade|rating|score|verdict|rated|stars|star\srating|"
    r"bewertung|wertung|note|notation|calificaci[oó]n|puntuaci[oó]n|valoraci[oó]n|nota)"
    r"(?:\s?(?P<colon>:)\s?|\s-\s|\s)(?P<rest>\S.*)$",
    re.IGNORECASE,
)
# Aggregates and user ratings are not the critic's grade.
_AGGREGATE_RE = re.compile(
    r"\b(?:metascore|metacritic|tomatometer|rotten\stomatoes|popcornmeter|audience|users?|"
    r"readers?|viewers?|community|average|avg|imdb|letterboxd|votes?|consensus|aggregate|"
    r"rate\sthis|select\sa\sstar|your\s(?:rating|score|grade)|critics['’]?\sscore|"
    r"leser|nutzer|zuschauer|community-wertung|lecteurs?|spectateurs?|internautes|presse|usuarios|lectores|"
    r"p[uú]blico|espectadores)\b",
    re.IGNORECASE,
)
_BRACKETS_RE = re.compile(r"[()\[\]]")
_GRADE_WORDS = (
    r"(?:grade|rating|score|verdict|bewertung|wertung|note|calificaci[oó]n|puntuaci[oó]n|valoraci[oó]n|nota)"
)
# "Grade (Pia Vance): B+", "Grade [Pia Vance] B": a label, the critic's name in brackets, the grade.
_LABEL_NAME_RE = re.compile(
    rf"^(?:[a-z][\w'’-]{{0,30}}\s)?{_GRADE_WORDS}\s?[(\[](?P<name>[^()\[\]]{{2,40}})[)\]]\s?[:\-–—]?\s?(?P<rest>\S.*)$",
    re.IGNORECASE,
)
# "Grade: B+ (Pia Vance)".
_LABEL_GRADE_NAME_RE = re.compile(
    rf"^(?:[a-z][\w'’-]{{0,30}}\s)?{_GRADE_WORDS}\s?:\s?(?P<rest>[^()\[\]]{{1,20}}?)\s?[(\[](?P<name>[^()\[\]]{{2,40}})[)\]]$",
    re.IGNORECASE,
)
_BRACKET_NAME_RE = re.compile(r"(?-i:[A-Z])[\w'’.-]+(?:\s(?:(?-i:[A-Z])[\w'’.-]+|de|van|von|da|di|le|la)){0,3}")
# "Glass Tides (R) B+": a capsule line, the grade after the title and its MPA rating.
_CAPSULE_RE = re.compile(r"^[^()]{1,100}?\s\((?:G|PG|PG-13|R|NC-17|NR|Not\sRated|Unrated)\)\s?[-–—:|,]?\s?(?P<rest>\S.{0,30})$")
# "8/10 Great", "7.5\nGood": a score followed by one verdict word (or two).
_VERDICT_TAIL_RE = re.compile(
    r"^(?P<rest>.{1,40}?)\s(?:great|good|very\sgood|excellent|amazing|superb|outstanding|masterpiece|essential|"
    r"fantastic|brilliant|solid|decent|fine|okay|average|mediocre|fair|poor|bad|awful|terrible|dreadful|weak|"
    r"disappointing|must[\s-]see|must[\s-]watch|gut|sehr\sgut|hervorragend|mittelmäßig|schlecht|"
    r"sehenswert|empfehlenswert|großartig|ausgezeichnet|enttäuschend|meisterwerk|"
    r"bien|très\sbien|bon|très\sbon|moyen|mauvais|médiocre|décevant|magnifique|à\svoir|chef-d['’]œuvre|"
    r"bueno|muy\sbueno|excelente|regular|malo|notable|recomendable|imprescindible|decepcionante|obra\smaestra)!?$",
    re.IGNORECASE,
)
_INTEGER_RE = re.compile(r"^\d{1,3}$")
_WS_RE = re.compile(r"\s+")
_TRAILING_PUNCT_RE = re.compile(r"(?<=[^.\d])[.!]$")

# Star icons in HTML: a class token naming a single star ("star", "star-full", "fa-star-o").
_STAR_TOKEN_RE = re.compile(
    r"^(?:fa-|icon-|ico-|glyphicon-|bi-|mdi-|ion-|ri-|c-|o-)?star(?:[-_]{1,2}[a-z0-9]{1,12}){0,3}$"
)
_STAR_CONTAINER_RE = re.compile(r"rating|rate|wrap|container|list|group|widget|bar|score|count|label|text")
_STAR_SRC_RE = re.compile(r"star", re.IGNORECASE)
_ICON_HALF_RE = re.compile(r"half", re.IGNORECASE)
_ICON_EMPTY_RE = re.compile(
    r"empty|off\b|outline|regular|blank|inactive|unfilled|star-o\b|\bfar\b|grey|gray|disabled|\bzero\b",
    re.IGNORECASE,
)
_SKIP_TEXT_TAGS = frozenset(("script", "style", "noscript", "template", "title"))
_ICON_ORDER_RE = re.compile(r"f*h?e*")


def round_half_up(x: Decimal | float | int) -> int:
    """Round to the nearest integer, halves away from zero (87.5 -> 88)."""
    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _number(v: object) -> Decimal | None:
    """A finite Decimal from an int/float/numeric string (decimal comma allowed), else None."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, Decimal):
        d = v
    elif isinstance(v, (int, float)):
        d = Decimal(str(v))
    elif isinstance(v, str):
        s = v.strip().replace(",", ".")
        if not s or len(s) > 20:
            return None
        try:
            d = Decimal(s)
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    if not d.is_finite():
        return None
    return d


def _plain(d: Decimal) -> int | float:
    """int when whole, else float."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def _grade(raw: str, scale: str, value: Decimal, best: Decimal) -> dict | None:
    """Build a stars/numeric grade; None when out of range."""
    if best <= 0 or best > 100 or value < 0 or value > best:
        return None
    return {
        "raw": raw,
        "scale": scale,
        "value": _plain(value),
        "best": _plain(best),
        "score": round_half_up(Decimal(100) * value / best),
        "letter": None,
    }


def _letter_key(letter: str, mod: str | None) -> str:
    """Canonical ASCII letter (``B+``) from a letter and a modifier (``+``, ``minus``, ...)."""
    mod = (mod or "").replace(" ", "").lower()
    sign = "+" if mod.endswith(("+", "plus")) else "-" if mod else ""
    return letter.upper() + sign


def _value_of(m: re.Match, g: str) -> Decimal | None:
    """The number matched by :func:`_num` group prefix *g*."""
    if m[g + "d"] is not None:
        d = _number(m[g + "d"])
        if d is None:
            return None
        frac = m[g + "f"]
        if frac:
            if d != d.to_integral_value():
                return None  # "3.5½" is not a number
            d += _FRACTIONS[frac]
        return d
    if m[g + "g"] is not None:
        return _FRACTIONS[m[g + "g"]]
    if m[g + "w"] is not None:
        d = Decimal(_WORD_NUMS[m[g + "w"].lower()])
        return d + Decimal("0.5") if m[g + "wh"] else d
    if m[g + "h"] is not None:
        return Decimal("0.5")
    return None


def _default_best(best: object) -> Decimal | None:
    """The scale top to use when the expression has none: ``best=`` when it is a positive number
    (a site's scale is a fact about the site: ``crawler/sites/sites.toml``, passed in by the page)."""
    b = _number(best)
    if b is not None and b > 0:
        return b
    return None


def _parse_expression(expr: str, *, labelled: bool, best: Decimal | None) -> dict | None:
    """Parse one cleaned grade expression (label already removed); None when not a grade."""
    raw = expr
    e = expr.translate(_FOLD)
    e = _BRACKETS_RE.sub(" ", e)
    e = _WS_RE.sub(" ", e).strip()
    if labelled:
        e = _TRAILING_PUNCT_RE.sub("", e)  # "Grade: B+." (a bare "B." may be an initial)
    e = _GLYPH_SPACE_RE.sub("", e)
    if not e:
        return None

    m = _LETTER_RE.match(e)
    if m:
        k1 = _letter_key(m["l1"], m["m1"])
        if m["l2"]:
            k2 = _letter_key(m["l2"], m["m2"])
            score = round_half_up(Decimal(LETTER_SCORES[k1] + LETTER_SCORES[k2]) / 2)
            key = f"{k1}/{k2}"
        else:
            score, key = LETTER_SCORES[k1], k1
        return {"raw": raw, "scale": "letter", "value": score, "best": 100, "score": score, "letter": key}

    if _BINARY_POS_RE.match(e):
        return {"raw": raw, "scale": "binary", "value": 1, "best": 1, "score": None, "letter": None}
    if _BINARY_NEG_RE.match(e):
        return {"raw": raw, "scale": "binary", "value": 0, "best": 1, "score": None, "letter": None}

    m = _FRACTION_RE.match(e)
    if m:
        value = _value_of(m, "v")
        b = m["b"]
        top = Decimal(_WORD_NUMS[b.lower()]) if b.lower() in _WORD_NUMS else _number(b)
        if value is None or top is None or top < 3:
            return None
        if not labelled and not (m["s1"] or m["s2"]) and m["vd"] is None and m["of"].lower() in ("of", "von", "de"):
            return None  # "one of five", "una de cinco": words of a sentence unless a label or a unit says grade
        scale = "stars" if (m["s1"] or m["s2"]) else "numeric"
        if scale == "stars" and top > 10:
            return None
        return _grade(raw, scale, value, top)

    m = _STARS_RE.match(e) or _HALF_STAR_RE.match(e)
    if m:
        value = _value_of(m, "v") if m.re is _STARS_RE else Decimal("0.5")
        if value is None or best is None or best > 10:
            return None
        return _grade(raw, "stars", value, best)

    m = _GLYPH_RE.match(e)
    if m and (m["full"] or m["half"]):
        full = len(m["full"] or "")
        if full and m["full"][0] == "*" and m["unit"]:
            return None
        value = Decimal(full) + (Decimal("0.5") if m["half"] else 0)
        empty = len(m["empty"] or "")
        if empty:
            top = Decimal(full + (1 if m["half"] else 0) + empty)
        elif best is not None:
            top = best
        else:
            return None
        return _grade(raw, "stars", value, top)

    m = _PERCENT_RE.match(e)
    if m:
        value = _number(m["vd"])
        return _grade(raw, "numeric", value, Decimal(100)) if value is not None else None

    m = _BARE_RE.match(e)
    if m and best is not None:
        value = _number(m["vd"])
        return _grade(raw, "numeric", value, best) if value is not None else None

    # Glyphs next to an explicit fraction: "★★★★☆ (4/5)", "4/5 ★★★★☆".
    g = _GLYPH_RUN_RE.search(e)
    if g and 0 < len(e) - (g.end() - g.start()):
        rest = _WS_RE.sub(" ", e[: g.start()] + " " + e[g.end():]).strip()
        other = _parse_expression(rest, labelled=True, best=best) if rest else None
        if other and other["scale"] in ("numeric", "stars"):
            if other["best"] > 10:
                return None  # stars beside a percentage or a 100-point score: not one grade
            glyphs = _parse_expression(g.group(0), labelled=True, best=Decimal(str(other["best"])))
            if glyphs is None or glyphs["value"] != other["value"]:
                return None  # the two disagree: do not guess
            other = dict(other, raw=raw, scale="stars")
            return other
    return None


def _parse_text(text: str, *, best: Decimal | None) -> dict | None:
    """Parse cleaned one-line text: reject aggregates, strip a label, parse the expression;
    then the wider shapes: a bracketed critic's name beside the label, a capsule line
    (``Title (R) B+``), a score followed by a verdict word (``8/10 Great``)."""
    if not text or len(text) > _MAX_TEXT:
        return None
    if _AGGREGATE_RE.search(text):
        return None
    got = _parse_labelled(text, best=best)
    if got is not None:
        return got
    got = _parse_expression(text, labelled=False, best=best)
    if got is not None:
        return got
    m = _LABEL_NAME_RE.match(text) or _LABEL_GRADE_NAME_RE.match(text)
    if m and _BRACKET_NAME_RE.fullmatch(m["name"].strip()):
        return _parse_expression(m["rest"].strip(), labelled=True, best=best)
    m = _CAPSULE_RE.match(text)
    if m:
        got = _parse_expression(m["rest"].strip(), labelled=True, best=best)
        if got is not None and got["scale"] != "binary" and not _INTEGER_RE.match(got["raw"]):
            return got
        return None
    m = _VERDICT_TAIL_RE.match(text)
    if m:
        expr = m["rest"].strip()
        got = _parse_labelled(expr, best=best) or _parse_expression(expr, labelled=True, best=best)
        if got is not None and got["scale"] in ("numeric", "stars") and not _INTEGER_RE.match(got["raw"]):
            return got
    return None


def _parse_labelled(text: str, *, best: Decimal | None) -> dict | None:
    """The expression after a grade label (``Grade: B-``, ``Note : 4/5``), or None."""
    m = _LABEL_RE.match(text)
    if m and not (m["word"].lower() == "stars" and not m["colon"]):
        return _parse_expression(m["rest"].strip(), labelled=True, best=best)
    return None


@never_raises(False)
def is_grade_label(line: object) -> bool:
    """True when *line* starts with a grade label in English, German, French or Spanish
    (``Grade:``, ``Our rating -``, ``Bewertung:``, ``Note :``, ``Calificación:``) and the rest is a
    grade: a page's text layer can look for such lines anywhere in the article. Never raises."""
    if not isinstance(line, str) or len(line) > _MAX_TEXT:
        return False
    text = clean_text(line)
    m = _LABEL_RE.match(text)
    if not m or not m["colon"] or _AGGREGATE_RE.search(text):
        return False
    return _parse_expression(m["rest"].strip(), labelled=True, best=None) is not None


@never_raises(None)
def grade_from_lines(first: object, second: object, *, best: object = None) -> dict | None:
    """A grade printed over two lines, or None: a label above its value (``Bewertung`` then
    ``4/5``, ``Note :`` then ``3/5``) or a score above a verdict word (``8/10`` then ``Sehr gut``).
    Each line must be short and the two together exactly one of these shapes (a label alone, a
    verdict word alone: not prose); the grade is what :func:`parse_grade` reads from them
    (``raw`` the value or the score). *best* as for :func:`parse_grade`. Never raises.

    >>> grade_from_lines("8/10", "Great")["score"]
    80
    """
    if not isinstance(first, str) or not isinstance(second, str) or len(first) > 200 or len(second) > 200:
        return None
    a, b = clean_text(first), clean_text(second)
    if not a or not b or len(a) > 40 or len(b) > 40:
        return None
    top = _default_best(best)
    head = a.rstrip(" :")
    text = f"{head}: {b}"
    m = _LABEL_RE.match(text)
    if m and m.start("rest") == len(head) + 2:  # the first line is a grade label and nothing else
        return None if _AGGREGATE_RE.search(text) else _parse_expression(b, labelled=True, best=top)
    text = f"{a} {b}"
    m = _VERDICT_TAIL_RE.match(text)
    if m and m["rest"] == a:  # the second line is a verdict word and nothing else
        return _parse_text(text, best=top)
    return None


def _icon_kind(el) -> str | None:
    """``full``/``half``/``empty`` when *el* is a single star icon, else None."""
    tag = el.tag if isinstance(el.tag, str) else ""
    tag = tag.rsplit("}", 1)[-1].lower()
    cls = (el.get("class") or "").lower()
    tokens = cls.split()
    hint = cls
    is_icon = any(_STAR_TOKEN_RE.match(t) and not _STAR_CONTAINER_RE.search(t) for t in tokens)
    if not is_icon and tag == "img":
        src = el.get("src") or el.get("data-src") or ""
        if _STAR_SRC_RE.search(src.rsplit("/", 1)[-1]):
            is_icon, hint = True, cls + " " + src.rsplit("/", 1)[-1].lower()
    if not is_icon and tag == "use":
        href = el.get("href") or el.get("{http://www.w3.org/1999/xlink}href") or ""
        if _STAR_SRC_RE.search(href):
            is_icon, hint = True, cls + " " + href.lower()
    if not is_icon:
        return None
    if _ICON_HALF_RE.search(hint):
        return "half"
    if _ICON_EMPTY_RE.search(hint):
        return "empty"
    return "full"


def _count_icons(root) -> tuple[int, int, int] | None:
    """Count leaf star icons (full, half, empty) under *root*; None when there are none."""
    kinds = []
    seen = 0
    for el in root.iter():
        seen += 1
        if seen > 5000:
            return None
        kind = _icon_kind(el)
        if kind is None:
            continue
        if any(_icon_kind(d) is not None for d in el.iterdescendants()):
            continue  # a container of icons, e.g. <div class="star-box">
        kinds.append(kind)
    if not kinds or len(kinds) > 10:
        return None
    full, half, empty = kinds.count("full"), kinds.count("half"), kinds.count("empty")
    # Icons must read full..., at most one half, then empty...
    order = "".join({"full": "f", "half": "h", "empty": "e"}[k] for k in kinds)
    if not _ICON_ORDER_RE.fullmatch(order):
        return None
    return full, half, empty


def _inline_text(root) -> str:
    """All text of *root*, text nodes joined by spaces (``<span>Grade</span><b>B</b>`` ->
    ``Grade B``), script/style contents and comments left out; cleaned to one line."""
    parts: list[str] = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag and tag.lower() not in _SKIP_TEXT_TAGS and el.text:
            parts.append(el.text)
        if el is not root and el.tail:
            parts.append(el.tail)
        if len(parts) > 2000:
            break
    return clean_text(" ".join(parts))


def _parse_html(s: str, *, best: Decimal | None) -> dict | None:
    """Parse a grade from an HTML fragment: its text, then aria-label/title/alt, then icons."""
    from .text import _lxml_root

    root = _lxml_root(s)
    if root is None:
        return _parse_text(clean_text(html_to_text(s)), best=best)
    icons = _count_icons(root)
    icon_best = None
    if icons and (icons[1] or icons[2]) and icons[2]:
        icon_best = Decimal(sum(icons))
    eff_best = icon_best or best
    text = _inline_text(root)
    if text:
        got = _parse_text(text, best=eff_best)
        if got is not None:
            return got
        if _AGGREGATE_RE.search(text):
            return None
    for el in root.iter():
        for attr in ("aria-label", "title", "alt", "data-rating-label"):
            v = el.get(attr) if isinstance(el.tag, str) else None
            if v:
                v = clean_text(v)
                if _AGGREGATE_RE.search(v):
                    return None
                got = _parse_text(v, best=eff_best)
                if got is not None:
                    if icons and got["scale"] == "numeric":
                        got["scale"] = "stars"  # a star widget's label, e.g. "4 out of 5"
                    return got
    if icons and not text:
        full, half, empty = icons
        raw = "★" * full + ("½" if half else "") + "☆" * empty
        return _parse_expression(raw, labelled=True, best=best)
    return None


@never_raises(None)
def parse_grade(text: object, *, best: object = None) -> dict | None:
    """Return the grade object ``{raw, scale, value, best, score, letter}`` or None.

    *text* is the grade as printed: plain text or an HTML fragment (entities, tags, star
    icons). An optional label is stripped (``Grade: B-`` -> raw ``B-``); the rest must be
    a whole grade expression. *best* is the scale top for expressions that carry none
    (``★★★½``, ``3 stars``, ``7.8``; a site's scale, from ``crawler/sites/sites.toml``); without
    it, such expressions give None.

    * letter: ``value`` = ``score`` from the table (A+ 100 ... F- 0), ``best`` 100, ``letter``
      the canonical ASCII letter (``A-``; split grades ``C-/D+`` average their scores).
    * stars / numeric: ``value`` the number (int when whole), ``best`` the scale top,
      ``score`` = round_half_up(100 * value / best), ``letter`` None.
    * binary: ``value`` 1/0, ``best`` 1, ``score`` and ``letter`` None.

    Never raises.

    >>> parse_grade("Grade: B-")["score"]
    67
    >>> parse_grade("3.5/4")["score"]
    88
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str) or not text or len(text) > _MAX_HTML:
        return None
    b = _default_best(best)
    if looks_like_html(text):
        if "<" in text:
            return _parse_html(text, best=b)
        text = html.unescape(text)
    if len(text) > _MAX_TEXT * 4:
        return None
    return _parse_text(clean_text(text), best=b)


def _is_letter(v: object) -> bool:
    """True when *v* is a letter grade written as text (``B+``, ``A-``, ``F``)."""
    if not isinstance(v, str) or len(v) > 8:
        return False
    got = _parse_expression(clean_text(v), labelled=True, best=None)
    return got is not None and got["scale"] == "letter"


@never_raises(None)
def grade_from_rating(value: object, best: object = None, worst: object = None, raw: object = None, *,
                      default_best: object = None) -> dict | None:
    """Return the grade object for a schema.org ``Rating``, or None.

    *value* is ``ratingValue``: a number or numeric string (decimal comma allowed), a letter
    (``"B+"``, with letter or absent ``bestRating``/``worstRating``: ``"A+"``/``"F"``), a
    percentage (``"85%"``: out of 100), a fraction (``"4 / 5"``, ``"4 out of 5"``: its own scale
    top) or stars (``"★★★★☆"``; ``"★★★½"`` and ``"3 stars"`` only with a scale top).
    *best* is ``bestRating`` (when absent: *default_best*, the site's scale, else 5 as schema.org
    defines; a text value is read with *default_best* only), *worst* ``worstRating``
    (a scale starting at 0 or 1, or a fraction of a point; values below it are rejected, and a
    scale starting higher gives None: the score would be a guess). A value and a scale that
    disagree (a letter on a number scale, ``"4 / 5"`` with ``bestRating`` 10) give None.
    *raw* is the visible grade text when known; otherwise raw is ``"value/best"``. The scale is
    ``stars`` when *raw* shows stars, else ``numeric``. Out-of-range values give None.
    Never raises.

    >>> grade_from_rating("4.5")["score"]
    90
    """
    v = _number(value)
    if v is None:
        if not isinstance(value, str) or len(value) > _MAX_TEXT:
            return None
        text = clean_text(value)
        if _is_letter(text):
            for bound in (best, worst):
                if bound not in (None, "") and not _is_letter(bound):
                    return None  # a letter on a number scale
            return parse_grade(text)
        if best not in (None, "") and _is_letter(best):
            return None
        top = _number(best) if best not in (None, "") else None
        if best not in (None, "") and top is None:
            return None
        got = parse_grade(text, best=top if top is not None else default_best)
        if not got or got["scale"] not in ("numeric", "stars"):
            return None
        if top is not None and top != Decimal(str(got["best"])):
            return None  # the text's scale and bestRating disagree
        low = _number(worst) if worst not in (None, "") else None
        if worst not in (None, "") and (low is None or low > 1 or Decimal(str(got["value"])) < low):
            return None
        return got
    if _is_letter(best) or _is_letter(worst):
        return None  # a number on a letter scale
    if best not in (None, ""):
        top = _number(best)
    else:
        top = _number(default_best) if default_best not in (None, "") else Decimal(5)
    if top is None or top <= 0:
        return None
    low = _number(worst) if worst not in (None, "") else None
    if worst not in (None, "") and low is None:
        return None
    if low is not None and (low < 0 or low > 1 or low >= top or v < low):
        return None
    raw_text = clean_text(raw) if isinstance(raw, str) else ""
    if raw_text:
        got = parse_grade(raw_text, best=top)
        if got and got["scale"] in ("stars", "numeric") and Decimal(str(got["value"])) == v:
            return got
    scale = "stars" if raw_text and ("star" in raw_text.lower() or any(
        c in raw_text for c in _FULL_GLYPHS + _EMPTY_GLYPHS)) else "numeric"
    shown = raw_text or f"{_plain(v)}/{_plain(top)}"
    return _grade(shown, scale, v, top)


def _unwrap(v: object) -> object:
    """A JSON-LD value as itself: ``{"@value": x}`` -> x, ``[x]`` -> x (the first item)."""
    for _ in range(3):
        if isinstance(v, list):
            v = v[0] if v else None
        elif isinstance(v, dict) and "@value" in v:
            v = v["@value"]
        else:
            break
    return v if isinstance(v, (str, int, float, Decimal)) and not isinstance(v, bool) else None


def grade_from_rating_node(rating: object, *, best: object = None) -> dict | None:
    """The grade of a schema.org ``Rating`` given as an object, a list of them or JSON text.

    Reads ``ratingValue``, ``bestRating`` and ``worstRating`` (``{"@value": ...}`` and one-item
    lists unwrapped) with :func:`grade_from_rating`; *best* is the site's scale top used when
    the node has no ``bestRating`` (else schema.org's 5). A plain string that is not JSON is read
    as a grade expression (``"4/5"``). An ``AggregateRating`` is no critic's grade: None.
    Never raises.
    """
    try:
        if isinstance(rating, (bytes, bytearray)):
            rating = bytes(rating).decode("utf-8", errors="replace")
        if isinstance(rating, str):
            text = rating.strip()
            if len(text) > 5000:
                return None
            if text[:1] in ("{", "["):
                try:
                    rating = json.loads(text)
                except ValueError:
                    return None
            else:
                return parse_grade(text, best=best)
        if isinstance(rating, list):
            rating = next((r for r in rating[:10] if isinstance(r, dict)), None)
        if not isinstance(rating, dict):
            return None
        types = rating.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and t.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "AggregateRating" for t in types):
            return None
        value = _unwrap(rating.get("ratingValue"))
        if value is None:
            return None
        # the site's scale is the default for a bare number (a letter or "4/5" carries its own)
        return grade_from_rating(value, _unwrap(rating.get("bestRating")), _unwrap(rating.get("worstRating")),
                                 default_best=best)
    except Exception:  # noqa: BLE001 - must never raise
        return None
