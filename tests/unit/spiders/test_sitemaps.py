"""The sitemap parser and the reader of a sitemap download (crawler/spiders/sitemaps.py): the
entries do not depend on how the bytes are cut, the stream reads what the callback would read,
and stops (leaving the body to the callback) whenever it cannot read it the same way."""

from __future__ import annotations

import gzip

import pytest
from scrapy.http import Headers

from crawler.spiders.sitemaps import SitemapEntries, SitemapParser, SitemapRead, SitemapStream

NS = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
BODY = NS + b"".join(b"<url><loc> http://x/%d </loc><lastmod>2020-01-0%d</lastmod></url>" % (i, i % 9 + 1) for i in range(2000)) + b"</urlset>"
EXPECTED = [{"loc": f"http://x/{i}", "lastmod": f"2020-01-0{i % 9 + 1}"} for i in range(2000)]


def parse_in_pieces(body: bytes, size: int) -> tuple[list[dict], SitemapParser]:
    parser, entries = SitemapParser(), []
    for i in range(0, len(body), size):
        entries += parser.feed(body[i:i + size])
    return entries + parser.close(), parser


def stream(raw: bytes, size: int, encoding: str | None = None, max_size: int = 50 << 20):
    s = SitemapStream.for_headers(SitemapRead("http://x/s.xml", 0), Headers({"Content-Encoding": encoding} if encoding else {}), max_size)
    entries = []
    for i in range(0, len(raw), size):
        entries += s.feed(raw[i:i + size])
    tail = s.finish()
    return s, entries + (tail or []), tail


@pytest.mark.parametrize("size", [1, 5, 4096, 10**9])
def test_entries_do_not_depend_on_where_the_bytes_are_cut(size):
    n = 2000 if size > 1 else 200  # byte by byte: a shorter one
    body = BODY if n == 2000 else BODY[:BODY.index(b"<url><loc> http://x/200 ")] + b"</urlset>"
    entries, parser = parse_in_pieces(body, size)
    assert entries == list(SitemapEntries(body)) == EXPECTED[:n] and parser.kind == "urlset" and not parser.error


def test_broken_and_foreign_documents():
    cut = BODY[:30_000]
    entries = SitemapEntries(cut)
    assert entries.kind == "urlset" and list(entries) == EXPECTED[:len(list(SitemapEntries(cut)))]
    assert SitemapEntries(b"<html><body>no</body></html>").kind is None
    assert SitemapEntries(b"").kind is None
    index = SitemapEntries(b'<sitemapindex xmlns="x"><sitemap><loc>a</loc></sitemap><!-- c --><sitemap><lastmod>z</lastmod></sitemap></sitemapindex>')
    assert index.kind == "sitemapindex" and list(index) == [{"loc": "a"}, {"lastmod": "z"}]


@pytest.mark.parametrize(("raw", "encoding"), [(BODY, None), (b"\n  " + BODY, None), (gzip.compress(BODY), None),
                                               (gzip.compress(BODY), "gzip"), (gzip.compress(gzip.compress(BODY)), "x-gzip")])
@pytest.mark.parametrize("size", [3, 1000, 65536])
def test_the_stream_reads_plain_gzip_files_and_gzip_encoding_like_the_callback(raw, encoding, size):
    s, entries, tail = stream(raw, size, encoding)
    assert s.live and tail is not None and entries == EXPECTED
    assert s.decoded == len(gzip.decompress(raw) if encoding else raw)  # the callback's body length


@pytest.mark.parametrize(("raw", "encoding", "reason"), [
    (b"<html><body>no</body></html>", None, "not a sitemap"),
    (b"hello <urlset>", None, "not XML"),
    (gzip.compress(BODY)[:3000], None, "gzip stream cut short"),
    (gzip.compress(BODY[:100]) + gzip.compress(BODY[100:]), None, "data after the gzip stream"),
    (b"\x1f\x8b\x08 not gzip at all" * 10, None, "broken gzip"),
    (gzip.compress(NS + b" " * (3 << 20) + b"<url><loc>x</loc></url></urlset>"), None, "larger than"),
    (gzip.compress(NS + b" " * (3 << 20) + b"<url><loc>x</loc></url></urlset>"), "gzip", "larger than"),
])
def test_the_stream_stops_where_it_cannot_read_like_the_callback(raw, encoding, reason):
    s, entries, tail = stream(raw, 8192, encoding, max_size=2 << 20)
    assert not s.live and reason in s.stopped and tail is None
    assert entries == EXPECTED[:len(entries)]  # what it read before is what the callback reads first


def test_other_content_encodings_are_left_to_the_callback():
    for encoding in ("br", "deflate", "zstd", "gzip, br"):
        assert SitemapStream.for_headers(SitemapRead("u", 0), Headers({"Content-Encoding": encoding}), 1) is None


def test_entries_handled_before_are_skipped_once():
    read = SitemapRead("u", 0, done=2)
    taken = [e.get("loc") for e in [{"loc": "a"}, {"lastmod": "x"}, {"loc": "b"}, {"loc": "c"}] if read.take(e)]
    assert taken == ["c"] and read.index == 3
