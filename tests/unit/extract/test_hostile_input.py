"""Hostile input to the extractors: random and mutated HTML, and adversarial strings.

What must hold for any input (``crawler.api.extract_review`` and every public normalizer):
no exception escapes; a returned record validates against the schema and its strings are clean
(valid UTF-8, no NUL or control characters); time per call stays bounded. Time is bounded by
design (no tight timing assertions): each call runs under a generous ``SIGALRM`` safety net
(:func:`time_limit`) that turns a hang or catastrophic regex backtracking into a failure
instead of a stuck test run.
"""

from __future__ import annotations

import json
import signal
import unicodedata
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.api import extract_review
from crawler.extract import boilerplate
from crawler.normalize import credits, dates, grades, text, titles, urls
from crawler.record import build as record
from crawler.extract.dom import MAX_ATTRIBUTES, decode_html, limit_markup
from crawler.record.validate import record_errors
from tests.support.crawl import FIXTURES
from tests.support.faultserver import review_html

#: safety net per call, seconds (hostile pages are a few MB; a normal page takes milliseconds)
LIMIT = 30
URL = "https://www.avclub.com/some-review"
HYPOTHESIS = settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))


class TookTooLong(Exception):
    pass


@contextmanager
def time_limit(seconds: int = LIMIT):
    """Fail (instead of hanging) when the block runs longer than *seconds* (main thread)."""

    def on_alarm(signum, frame):
        raise TookTooLong(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _strings(value, path="record"):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def assert_clean_record(rec) -> None:
    """None, or a record that validates and whose strings are clean text."""
    if rec is None:
        return
    assert record_errors(rec) == [], rec
    json.dumps(rec, ensure_ascii=False).encode("utf-8")  # strict: no lone surrogates
    for path, s in _strings(rec):
        bad = [c for c in s if unicodedata.category(c) in ("Cc", "Cs") and not (c == "\n" and path == "record.body")]
        assert not bad, (path, s[:200])


def extract(html, url=URL, **kw):
    with time_limit():
        rec = extract_review(html, url, **kw)
    assert_clean_record(rec)
    return rec


# ---------------------------------------------------------------- hand-made hostile pages
BASE = review_html("Hostile Title")


def _in_body(fragment: str) -> str:
    return BASE.replace('<div class="article-body">', '<div class="article-body">' + fragment)


def _jsonld(payload: str) -> str:
    return BASE.replace("</head>", f'<script type="application/ld+json">{payload}</script></head>')


HOSTILE_PAGES = {
    "nested_divs_100k": "<html><body>" + "<div>" * 100_000 + "<h1>T</h1><p>Grade: B</p>" + "</div>" * 100_000 + "</body></html>",
    "unclosed_divs_100k": "<html><body><h1>T</h1><p>Grade: B</p>" + "<div>" * 100_000,
    "nested_in_body": _in_body("<div>" * 50_000 + "<p>deep</p>" + "</div>" * 50_000),
    "unclosed_spans": _in_body("<span>" * 100_000 + "x"),
    "huge_attribute": BASE.replace("<h1>", '<h1 class="' + "a" * 5_000_000 + '">'),
    "many_attributes": BASE.replace("<h1>", "<h1 " + " ".join(f'a{i}="x"' for i in range(100_000)) + ">"),
    "null_bytes": BASE.replace("patient", "pat\x00ient\x01\x1b").replace("Hostile", "Hos\x00tile\x0b"),
    "control_chars_title": BASE.replace("<title>", "<title>\x07\x1f\u2028\ufeff\u200b"),
    "huge_title_tag": BASE.replace("<title>", "<title>" + "word | " * 100_000),
    "huge_h1": BASE.replace("<h1>Hostile Title", "<h1>" + "Title " * 100_000),
    "huge_grade": BASE.replace("Grade: B+", "Grade: " + "B+" * 50_000),
    "huge_credits": BASE.replace("Director: Ana Lima", "Director: " + "Ana Lima, " * 20_000),
    "many_paragraphs": _in_body("<p>para text here.</p>" * 20_000),
    "bad_entities": _in_body("&#0;&#xD800;&#x110000;&#99999999999;&bogus;&#x1;&#128;" * 10_000),
    "jsonld_deep_array": _jsonld("[" * 100_000 + "]" * 100_000),
    "jsonld_deep_object": _jsonld('{"a":' * 50_000 + "1" + "}" * 50_000),
    "jsonld_enormous": _jsonld(json.dumps({"@type": "Review", "reviewBody": "x" * 3_000_000})),
    "jsonld_many_nodes": _jsonld(json.dumps([{"@type": "Review", "name": f"n{i}", "reviewRating": {"ratingValue": "4", "bestRating": "5"}, "author": [{"name": "A"}] * 50} for i in range(2000)])),
    "jsonld_invalid": _jsonld('{"@type": "Review", "reviewRating": {"ratingValue": '),
    "jsonld_nan_infinity": _jsonld('{"@type": "Review", "reviewRating": {"ratingValue": NaN, "bestRating": Infinity, "worstRating": -Infinity}}'),
    "jsonld_wrong_types": _jsonld(json.dumps({
        "@type": ["Review", 5, None], "reviewRating": {"ratingValue": 1e308, "bestRating": -0.0, "worstRating": "NaN"},
        "author": {"name": ["x" * 100_000, 3]}, "datePublished": "9999-99-99T99:99", "headline": ["a"],
        "itemReviewed": {"@type": "Movie", "name": {"x": 1}, "director": 5, "actor": [[[]]]},
    })),
    "jsonld_control_chars": _jsonld('{"@type":"Review","author":{"name":"A\\u0000B\\ud800"},"reviewRating":{"ratingValue":"4\\u0000","bestRating":"5"}}'),
    "scripts_like_jsonld": BASE.replace("</head>", '<script>{"@type": "Review", "reviewRating": {"ratingValue": 1, "bestRating": 5}}</script>'
                                          '<script type="application/json">{"@type": "Review"}</script></head>'),
    "empty": "",
    "whitespace": " \n\t " * 1000,
    "not_html": "%PDF-1.4 " + "\x00\x01" * 1000,
}
HOSTILE_BYTES = {
    "invalid_utf8": BASE.encode("utf-8").replace(b"patient", b"pa\xff\xfe\xc3tient\xed\xa0\x80"),
    "surrogates_in_utf8": BASE.encode("utf-8").replace(b"patient", b"\xed\xa0\x80\xed\xbf\xbf"),
    "all_bytes": bytes(range(256)) * 4000,
    "utf16_bom_junk": b"\xff\xfe" + b"\x00<\x00h\x001" * 10000,
    "truncated_multibyte": BASE.encode("utf-8")[:-1] + b"\xe2\x80",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAGES))
def test_hostile_page(name):
    html = HOSTILE_PAGES[name]
    for form in (html, html.encode("utf-8", "surrogatepass")):
        extract(form)


@pytest.mark.parametrize("name", sorted(HOSTILE_BYTES))
def test_hostile_bytes(name):
    for content_type in (None, "text/html; charset=utf-8", "text/html; charset=windows-1252", "text/html; charset=x-no-such-charset"):
        extract(HOSTILE_BYTES[name], headers={"Content-Type": content_type} if content_type else None)


def test_hostile_pages_keep_what_is_readable():
    """Junk around a review does not cost its fields: exact values survive."""
    for name in ("huge_attribute", "many_attributes", "null_bytes", "huge_title_tag", "jsonld_deep_array",
                 "jsonld_enormous", "jsonld_invalid", "jsonld_nan_infinity", "scripts_like_jsonld", "bad_entities"):
        rec = extract(HOSTILE_PAGES[name])
        assert rec["title"] == "Hostile Title", name
        assert rec["grade"] == {"raw": "B+", "scale": "letter", "value": 83, "best": 100, "score": 83, "letter": "B+"}, name
        assert rec["credits"]["director"] == ["Ana Lima"], name
    rec = extract(HOSTILE_PAGES["null_bytes"])
    assert rec["body"].startswith("Hostile Title is a patient film")


def test_attribute_flood_is_trimmed_before_parsing():
    tag = "<h1 " + " ".join(f'a{i}="x"' for i in range(5000)) + ">"
    trimmed = limit_markup("<p>" + tag + "Title</h1>")
    assert trimmed.count("=") == MAX_ATTRIBUTES
    assert trimmed.endswith('a999="x">Title</h1>')
    small = '<h1 class="x" data-big="' + "y" * 30000 + '">T</h1>'
    assert limit_markup(small) == small  # one long attribute is not a flood


def test_mixed_utf8_and_cp1252_bytes_decode_without_mojibake():
    body = "Café — “quiet”".encode("utf-8").replace("“quiet”".encode("utf-8"), b"\x93quiet\x94")
    for ct in ("text/html; charset=utf-8", None, "text/html; charset=windows-1252"):
        assert decode_html(b"<p>" + body + b"</p>", ct)[0] == "<p>Café — “quiet”</p>"
    assert decode_html("Café".encode("cp1252") + b"\x81", "text/html; charset=utf-8")[0] == "Café"


# ---------------------------------------------------------------- adversarial strings
NORMALIZERS = {
    "boilerplate.is_chrome_text": boilerplate.is_chrome_text,
    "boilerplate.is_chrome_attr": boilerplate.is_chrome_attr,
    "boilerplate.is_boilerplate_attr": boilerplate.is_boilerplate_attr,
    "boilerplate.is_discussion_attr": boilerplate.is_discussion_attr,
    "credits.normalize_platform": credits.normalize_platform,
    "credits.parse_runtime": credits.parse_runtime,
    "credits.credit_role": credits.credit_role,
    "credits.parse_credits": credits.parse_credits,
    "credits.parse_credits(published)": lambda s: credits.parse_credits(s, published="2025-05-30"),
    "dates.coerce_date": dates.coerce_date,
    "dates.find_dates": dates.find_dates,
    "dates.parse_date": dates.parse_date,
    "dates.parse_datetime": dates.parse_datetime,
    "grades.parse_grade": grades.parse_grade,
    "grades.grade_from_rating": lambda s: grades.grade_from_rating(s, best=s, worst=s, raw=s),
    "text.clean_text": text.clean_text,
    "text.text_lines": text.text_lines,
    "text.clean_body": lambda s: text.clean_body([s, s]),
    "text.html_to_text": text.html_to_text,
    "text.looks_like_html": text.looks_like_html,
    "titles.strip_site_suffix": titles.strip_site_suffix,
    "titles.clean_title": titles.clean_title,
    "titles.clean_title(h1)": lambda s: titles.clean_title(s, s),
    "urls.clean_url": urls.clean_url,
    "urls.canonical_url": lambda s: urls.canonical_url("https://www.avclub.com/x", s),
    "record.normalize_record": lambda s: record.normalize_record({"url": s, "title": s, "body": s, "grade": s, "credits": s, "authors": s, "published_at": s}),
}
# Repeated units that make backtracking regexes blow up (separators, labels, digits, spaces).
UNITS = ["a", " ", "a ", "1", "1 ", ".", ". ", ", ", "and ", "Director: ", "Directed by ", "(", "((", ")", "*", "★", "★½",
         "1/", "-", " - ", "— ", "|", " | ", "A. ", "Jr., ", ":", "on ", "\n", "<p>", "<", "&amp;", "Grade: ", "May 1 ",
         "2025-", "12/", "1 h ", "as x ", "Mr. ", "a-", "a_", "out of ", "%", "http://", "?a=", "é", "\x00", "a\u00a0"]
SIZE = 100_000


@pytest.mark.parametrize("name", sorted(NORMALIZERS))
def test_normalizer_on_adversarial_strings(name):
    fn = NORMALIZERS[name]
    for unit in UNITS:
        run = unit * (SIZE // len(unit))
        for s in (run, "Director: " + run, run + "!", "Grade: " + run + "x"):
            with time_limit():
                fn(s)


# Typed ``str`` (internal helpers and URL functions): given text only. The others take ``object``.
STR_ONLY = {"boilerplate.is_chrome_text", "boilerplate.is_chrome_attr", "boilerplate.is_boilerplate_attr",
            "boilerplate.is_discussion_attr", "text.looks_like_html", "urls.clean_url", "urls.canonical_url"}
ANY_VALUE = st.one_of(st.text(), st.binary(max_size=200), st.none(), st.integers(), st.floats(), st.lists(st.text(max_size=20), max_size=5),
                      st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=5))


@pytest.mark.parametrize("name", sorted(NORMALIZERS))
@HYPOTHESIS
@given(data=st.data())
def test_normalizer_never_raises(name, data):
    value = data.draw(st.text() if name in STR_ONLY else ANY_VALUE)
    with time_limit():
        NORMALIZERS[name](value)


def test_page_object_on_adversarial_strings():
    for unit in ("a", " ", "<div>", "<p>", "Grade: ", "Director: ", "&#", "<!--", "<script>", "]]>", "\x00", "★", "|"):
        run = unit * (SIZE // len(unit))
        for html in (run, BASE.replace("Hostile Title", run), _in_body(run)):
            extract(html)


FIELD_UNITS = ["a", " ", "1 ", ". ", ", ", " | ", "— ", "Director: ", "Grade: ", "★", "(", "May 1 ", "2025-", "<", "&amp;"]


def _field_pages(run: str) -> dict[str, str]:
    """*run* placed in every place a field is read from: meta tags, JSON-LD, credits, grade,
    dek and byline."""
    meta = (f'<meta property="og:title" content="{run}"><meta name="description" content="{run}">'
            f'<meta property="article:section" content="{run}"><meta property="article:published_time" content="{run}">'
            f'<meta name="author" content="{run}"><link rel="canonical" href="{run}">')
    ld = json.dumps({"@type": "Review", "headline": run, "datePublished": run, "author": {"name": run},
                     "reviewRating": {"ratingValue": run, "bestRating": run}, "articleSection": run, "inLanguage": run,
                     "itemReviewed": {"@type": "Movie", "name": run, "director": run, "actor": [run], "dateCreated": run}})
    return {
        "meta": review_html("T", extra_head=meta),
        "jsonld": review_html("T", extra_head=f'<script type="application/ld+json">{ld}</script>'),
        "credits": review_html("T").replace("Director: Ana Lima", "Director: " + run),
        "grade": review_html("T").replace("Grade: B+", "Grade: " + run),
        "dek": review_html("T").replace("<h1>T</h1>", f'<h1>T</h1><p class="dek">{run}</p>'),
        "byline": review_html("T").replace("<h1>T</h1>", f'<h1>T</h1><p class="byline">By {run}</p>'),
    }


@pytest.mark.parametrize("site", ["avclub", "generic"])
def test_adversarial_strings_in_every_field(site):
    for unit in FIELD_UNITS:
        for html in _field_pages(unit * (SIZE // len(unit))).values():
            extract(html, "http://127.0.0.1/x", site=site)


# ---------------------------------------------------------------- random and mutated HTML
TAGS = ["div", "p", "span", "h1", "h2", "article", "main", "section", "ul", "li", "dl", "dt", "dd", "br", "b", "a",
        "script", "style", "table", "td", "meta", "title", "time", "header", "footer", "aside", "figure", "html", "body", "head"]
ATTRS = ["class", "id", "itemprop", "itemtype", "itemscope", "property", "content", "name", "rel", "href", "type", "datetime", "lang", "charset"]
WORDS = ["article-body", "review-grade", "credits", "author", "byline", "reviewBody", "ratingValue", "bestRating",
         "application/ld+json", "og:title", "canonical", "http://schema.org/Review", "Grade: A-", "article:section", "Film"]
TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["Grade: B+", "Director: Ana Lima", "Starring: A, B and C", "★★★½", "4/5", "Release date: May 30, 2025",
                     '{"@type": "Review"}', "<", "&amp;", "&#0;", "\x00", "Review: ‘Foo’", "Written by X; Directed by Y."]),
)
JSON_KEYS = ["@type", "@graph", "reviewRating", "ratingValue", "bestRating", "worstRating", "author", "name", "itemReviewed",
             "datePublished", "dateModified", "headline", "reviewBody", "director", "actor", "inLanguage", "url"]
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
              st.sampled_from(["Review", "Movie", "TVSeries", "NewsArticle", "4", "B+", "2025-05-30T12:00:00-04:00"])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.sampled_from(JSON_KEYS), children, max_size=5)),
    max_leaves=25,
)


@st.composite
def jsonld_script(draw):
    payload = json.dumps(draw(JSON_VALUES), allow_nan=True)
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(payload)))
        payload = payload[:cut] + draw(st.text(max_size=5))
    return f'<script type="application/ld+json">{payload}</script>'


@st.composite
def attributes(draw):
    out = []
    for _ in range(draw(st.integers(0, 3))):
        value = draw(st.one_of(st.sampled_from(WORDS), st.text(max_size=20)))
        out.append(f' {draw(st.sampled_from(ATTRS))}="{value.replace(chr(34), "&quot;")}"')
    return "".join(out)


def _element(tag: str, attrs: str, children: list[str], close: bool) -> str:
    return f"<{tag}{attrs}>" + "".join(children) + (f"</{tag}>" if close else "")


HTML_TREES = st.recursive(
    st.one_of(TEXTS, jsonld_script()),
    lambda children: st.builds(_element, st.sampled_from(TAGS), attributes(), st.lists(children, max_size=5), st.booleans()),
    max_leaves=40,
)


@HYPOTHESIS
@given(tree=HTML_TREES, as_bytes=st.booleans())
def test_random_html(tree, as_bytes):
    html = "<html><head><title>T</title></head><body>" + tree + "</body></html>"
    extract(html.encode("utf-8", "surrogatepass") if as_bytes else html)


@HYPOTHESIS
@given(tree=HTML_TREES)
def test_random_html_inside_a_review(tree):
    """Junk inserted into a real review page: still a valid record (or none)."""
    extract(_in_body(tree))
    extract(BASE.replace("</head>", tree + "</head>"))


PAGES = sorted(FIXTURES.rglob("page.html"))


@st.composite
def mutated_page(draw):
    data = bytearray(draw(st.sampled_from(PAGES)).read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate", "flip"]))
        pos = draw(st.integers(0, len(data)))
        n = draw(st.integers(1, 2000))
        if op == "delete":
            del data[pos:pos + n]
        elif op == "duplicate":
            data[pos:pos] = data[pos:pos + n] * draw(st.integers(1, 5))
        elif op == "insert":
            data[pos:pos] = draw(st.one_of(st.binary(max_size=50), st.sampled_from([b"<div>", b"</div>", b"<script>", b"<!--", b"\x00", b"\xff\xfe", b"<h1>", b"&#"])))
        elif op == "truncate":
            del data[pos:]
        elif data:
            data[min(pos, len(data) - 1)] ^= draw(st.integers(1, 255))
    return bytes(data)


@HYPOTHESIS
@given(page=mutated_page(), content_type=st.sampled_from([None, "text/html", "text/html; charset=utf-8", "text/html; charset=windows-1252"]))
def test_mutated_fixture_pages(page, content_type):
    extract(page, headers={"Content-Type": content_type} if content_type else None)


def test_attribute_flood_is_found_wherever_it_sits():
    """The blocks scanned before the regex cannot miss a long tag at any offset of a long page."""
    flood = "<h1 " + " ".join(f'a{i}="x"' for i in range(5000)) + ">"
    for pad in (0, 1, 9999, 10000, 15003, 29999, 40000):
        page = "<p>" + "<b>x</b>" * (pad // 8) + flood + "Title</h1>" + "<i>y</i>" * 3000
        assert limit_markup(page).count("=") == MAX_ATTRIBUTES, pad
        assert limit_markup(page) == _LONG_TAG_RE_sub(page)
    plain = "<p>" + "<b>x</b>" * 20000
    assert limit_markup(plain) is plain
    # long runs that are no tag: a script, a style, text, a comment; one just short of a tag
    script = "<script>" + "var a = 1;" * 5000 + "</script>"
    for run in (script, "<style>" + ".a{b:c}" * 9000 + "</style>", "<p>" + "word " * 8000, "<!--" + "c" * 40000 + "-->",
                "<h1 " + "a" * 19990 + ">", "<1 " + "b" * 30000 + ">", "x" * 50000):
        for pad in (0, 7, 10000, 25001):
            page = "<p>" + "<b>x</b>" * (pad // 8) + run + "<i>y</i>" * 3000
            assert limit_markup(page) is page, (run[:10], pad)
            assert _LONG_TAG_RE_sub(page) == page
            with_flood = page + script + flood + "<p>after</p>" + script
            assert limit_markup(with_flood) == _LONG_TAG_RE_sub(with_flood) != with_flood, (run[:10], pad)
    at_the_end = script + "<h1 " + " ".join(f'a{i}="x"' for i in range(5000))  # (no ">": no tag)
    assert limit_markup(at_the_end) == _LONG_TAG_RE_sub(at_the_end) == at_the_end


def _LONG_TAG_RE_sub(text):
    from crawler.extract.dom import _LONG_TAG_RE, _trim_tag

    return _LONG_TAG_RE.sub(_trim_tag, text)


def test_long_runs_that_are_no_tag_are_not_searched(monkeypatch):
    """A page's long scripts and styles (runs without ``<`` or ``>``) do not run the regex."""
    from crawler.extract import dom

    calls = []

    class Counting:
        def sub(self, repl, text):
            calls.append(len(text))
            return dom_re.sub(repl, text)

    dom_re = dom._LONG_TAG_RE
    monkeypatch.setattr(dom, "_LONG_TAG_RE", Counting())
    page = "<html><head><style>" + ".a{b:c}" * 9000 + "</style><script>" + "var a = 1;" * 5000 + "</script></head>"
    assert limit_markup(page + "<body><p>x</p></body></html>") == page + "<body><p>x</p></body></html>"
    assert calls == []
    flood = "<h1 " + " ".join(f'a{i}="x"' for i in range(5000)) + ">"
    trimmed = limit_markup(page + flood)
    assert trimmed == page + dom_re.sub(dom._trim_tag, flood) and trimmed.count('="x"') == MAX_ATTRIBUTES
    assert len(calls) == 1
