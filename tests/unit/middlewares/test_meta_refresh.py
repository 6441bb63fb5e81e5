"""Meta refresh without decoding every page (issue #15): :func:`may_declare_refresh` rules a
refresh out from the bytes, and never where Scrapy's own reading would find one."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings
from scrapy.utils.response import get_meta_refresh
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.middlewares.meta_refresh import (
    PREFIX_BYTES,
    MetaRefreshMiddleware,
    may_declare_refresh,
)

REFRESH = '<meta http-equiv="refresh" content="0; url=/film/elsewhere">'


def page(head: str = "", body: str = "<p>Plain review text.</p>") -> str:
    return f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"


def test_a_page_without_the_word_is_ruled_out():
    assert may_declare_refresh(page().encode()) is False
    assert may_declare_refresh(page().encode(), b"text/html; charset=utf-8") is False
    assert may_declare_refresh(page(body="caf\u00e9 \u2014 \u65e5\u672c").encode("utf-8")) is False
    assert may_declare_refresh(b"") is False


def test_the_word_in_any_case_and_anywhere_in_the_prefix_is_not():
    assert may_declare_refresh(page(REFRESH).encode()) is True
    assert may_declare_refresh(page(REFRESH.upper()).encode()) is True
    assert may_declare_refresh(page(body="<p>a Refresh of the series</p>").encode()) is True  # Scrapy decides
    late = page(body="x" * (PREFIX_BYTES + 10) + REFRESH).encode()
    assert may_declare_refresh(late) is False  # past 4,096 characters: Scrapy does not read it either
    assert get_meta_refresh(HtmlResponse("http://127.0.0.1/a", body=late)) == (None, None)


def test_other_encodings_are_left_to_scrapy():
    text = page()
    assert may_declare_refresh(text.encode("utf-16")) is True  # BOM and NULs
    assert may_declare_refresh(text.encode("utf-16-le")) is True  # NULs
    assert may_declare_refresh(text.encode("utf-32")) is True
    assert may_declare_refresh(text.encode(), b"text/html; charset=utf-16") is True
    assert may_declare_refresh(text.encode("cp500"), "text/html; charset=cp500") is True  # EBCDIC
    assert may_declare_refresh(text.encode(), "text/html; charset=iso-2022-jp") is True
    assert may_declare_refresh(page('<meta charset="windows-1252">').encode("cp1252")) is False
    assert may_declare_refresh(page('<meta charset="shift_jis">', "\u65e5\u672c").encode("shift_jis")) is False
    assert may_declare_refresh("\ufeff".encode() + page().encode()) is False  # a UTF-8 byte order mark
    # undeclared bytes that are neither ASCII nor UTF-8: Scrapy guesses the encoding (EBCDIC, say)
    assert may_declare_refresh(text.encode("cp500")) is True
    assert may_declare_refresh(page(body="caf\u00e9").encode("cp1252")) is True
    # an unknown charset is no charset to Scrapy (nor is UTF-7, which w3lib refuses): the bytes decide
    assert may_declare_refresh(text.encode(), "text/html; charset=no-such-charset") is False
    hidden = page('<meta http-equiv="refresh" content="0; url=/x">').encode("utf-7")
    hidden = hidden.replace(b"refresh", b"+AHI-efresh")  # UTF-7 spells the "r" in base64
    assert b"refresh" not in hidden and "refresh" in hidden.decode("utf-7")
    assert may_declare_refresh(hidden, "text/html; charset=utf-7") is False
    response = HtmlResponse("http://127.0.0.1/a", body=hidden, headers={"Content-Type": "text/html; charset=utf-7"})
    assert get_meta_refresh(response) == (None, None)


FRAGMENTS = st.sampled_from([
    REFRESH, '<meta http-equiv="REFRESH" content="5;URL=\'/b\'">', '<meta http-equiv="&#114;efresh" content="0;url=/c">',
    "<meta charset=\"utf-8\">", "<meta charset=\"windows-1252\">", '<meta charset="utf-16">', '<meta charset="utf-7">',
    "<script>refresh()</script>", "<noscript><meta http-equiv=refresh content=0;url=/d></noscript>",
    "<p>caf\u00e9</p>", "<p>\u65e5\u672c\u8a9e</p>", "<p>r&#101;fresh</p>", "\x00", "\ufeff", "<p>x</p>",
    '<meta content="0;url=/e" http-equiv="refresh">', "<meta http-equiv=Refresh content='0; url=/f'>",
])
ENCODINGS = st.sampled_from(["utf-8", "cp1252", "latin-1", "shift_jis", "gb18030", "utf-16", "utf-16-le", "utf-32",
                             "utf-7", "cp500", "cp037", "iso-2022-jp"])
HEADERS = st.sampled_from([None, b"text/html", b"text/html; charset=utf-8", b"text/html; charset=utf-16",
                           b"text/html; charset=cp1252", b"text/html; charset=utf-7", b"text/html; charset=bogus",
                           b"text/html; charset=cp500", b"text/html; charset=iso-2022-jp", b"text/html; charset=shift_jis"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=6), ENCODINGS, HEADERS)
def test_a_page_ruled_out_holds_no_refresh_for_scrapy(fragments, encoding, content_type):
    body = page("".join(fragments)).encode(encoding, errors="replace")
    headers = {"Content-Type": content_type} if content_type else {}
    if not may_declare_refresh(body, content_type):
        assert get_meta_refresh(HtmlResponse("http://127.0.0.1:8765/a", body=body, headers=headers)) == (None, None)


class CountingResponse(HtmlResponse):
    decoded = 0

    @property
    def text(self) -> str:
        CountingResponse.decoded += 1
        return super().text


def middleware() -> MetaRefreshMiddleware:
    return MetaRefreshMiddleware.from_crawler(get_crawler(settings_dict={"METAREFRESH_ENABLED": True}))


def test_the_middleware_redirects_as_scrapys_and_leaves_other_pages_undecoded():
    mw = middleware()
    req = Request("http://127.0.0.1:8765/film/a")
    CountingResponse.decoded = 0
    plain = CountingResponse(req.url, body=page().encode(), request=req)
    assert mw.process_response(req, plain) is plain
    assert CountingResponse.decoded == 0
    moved = CountingResponse(req.url, body=page(REFRESH).encode(), request=req)
    out = mw.process_response(req, moved)
    assert isinstance(out, Request) and out.url == "http://127.0.0.1:8765/film/elsewhere"
    assert CountingResponse.decoded >= 1  # Scrapy's reading
    other = Response(req.url, body=REFRESH.encode(), request=req)  # not HTML: Scrapy's rule (no redirect)
    assert mw.process_response(req, other) is other


def test_the_project_settings_put_it_in_scrapys_place():
    s = Settings()
    s.setmodule(project_settings, priority="project")
    mws = s.getdict("DOWNLOADER_MIDDLEWARES")
    assert mws["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert mws["crawler.middlewares.meta_refresh.MetaRefreshMiddleware"] == 580


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.one_of(st.none(), st.binary(max_size=80), st.text(max_size=80)))
def test_any_bytes_and_any_content_type_give_an_answer(body, content_type):
    assert may_declare_refresh(body, content_type) in (True, False)
    assert may_declare_refresh(b"<p>x</p>" + body, content_type) in (True, False)
