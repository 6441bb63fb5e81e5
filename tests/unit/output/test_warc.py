"""WARC files: records as received, rotation, hidden .part files, sealing what a killed run left."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.output.warc import READ_ARGS_HEADER, WarcFileWriter, complete_prefix_length, iter_responses, seal_stale

HTML = "<html><body><h1>Café review</h1></body></html>".encode("utf-8")


def _exchange(w: WarcFileWriter, i: int, body: bytes = HTML, headers=None, read_args=True) -> None:
    w.write_exchange(url=f"http://127.0.0.1:1/r/{i}?a=1", method="GET", request_headers=[("User-Agent", "ua")],
                     status=200, reason="OK", response_headers=headers or [("Content-Type", "text/html; charset=utf-8")],
                     body=body, read_args={"site": "avclub", "expected": False, "source": "sitemap"} if read_args else None,
                     date="2026-12-01T09:00:00.123456Z")


def _records(path: Path) -> list:
    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"), rec.http_headers, rec.content_stream().read()))
    return out


def test_request_and_response_records_with_headers_and_raw_gzip_body(tmp_path):
    w = WarcFileWriter(tmp_path, "avclub-RUN", info={"run_id": "RUN"})
    gz = gzip.compress(HTML)
    _exchange(w, 1, body=gz, headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    # not written where a reader looks until closed
    assert list(tmp_path.glob("*.warc.gz")) == [] and len(list(tmp_path.glob(".*.part"))) == 1
    w.close()
    [path] = w.files
    assert path.name == "avclub-RUN-00001.warc.gz" and list(tmp_path.glob(".*")) == []
    recs = _records(path)
    assert [r[0] for r in recs] == ["warcinfo", "response", "request"]
    _, uri, http, payload = recs[1]
    assert uri == "http://127.0.0.1:1/r/1?a=1"
    assert http.get_statuscode() == "200" and http.get_header("Content-Encoding") == "gzip"
    assert [v for k, v in http.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert http.get_header("Transfer-Encoding") is None
    assert payload == HTML  # warcio decodes the archived gzip body
    with path.open("rb") as fh:  # ... which is stored as received: gzipped
        raw = [r.raw_stream.read() for r in ArchiveIterator(fh) if r.rec_type == "response"][0]
    assert raw == gz
    req = recs[2][2]
    assert req.protocol == "GET" and req.statusline == "/r/1?a=1 HTTP/1.1"
    assert req.get_header("Host") == "127.0.0.1:1" and req.get_header("User-Agent") == "ua"
    [page] = list(iter_responses(path))
    assert (page.url, page.body, page.date, page.headers) == ("http://127.0.0.1:1/r/1?a=1", HTML, "2026-12-01T09:00:00Z", {"Content-Type": "text/html"})
    assert page.read_args == {"site": "avclub", "expected": False, "source": "sitemap"}


def test_rotation_by_size_and_only_read_pages_are_reextracted(tmp_path):
    w = WarcFileWriter(tmp_path, "s-R", max_bytes=2000)
    for i in range(10):
        _exchange(w, i, body=os.urandom(1500), read_args=i % 2 == 0)
    w.close()
    assert len(w.files) == 10 and [p.name for p in w.files][:2] == ["s-R-00001.warc.gz", "s-R-00002.warc.gz"]
    assert sorted(tmp_path.iterdir()) == sorted(w.files)
    pages = [p for f in w.files for p in iter_responses(f)]
    assert [p.url.rsplit("/", 1)[1] for p in pages] == ["0?a=1", "2?a=1", "4?a=1", "6?a=1", "8?a=1"]
    for f in w.files:
        assert sum(1 for _ in ArchiveIterator(f.open("rb"))) == 3  # warcinfo + response + request


def test_torn_part_file_is_cut_after_its_last_whole_record_and_sealed(tmp_path):
    w = WarcFileWriter(tmp_path, "s-R")
    for i in range(3):
        _exchange(w, i)
    part = next(tmp_path.glob(".*.part"))
    whole = part.stat().st_size
    w._raw.write(b"\x1f\x8b\x08\x00garbage-of-a-torn-record")  # a kill in the middle of a record
    w._raw.flush()
    assert complete_prefix_length(part) == whole
    # a live writer's file is left alone (this process is alive)
    assert seal_stale(tmp_path) == []
    dead = part.with_name(part.name.replace(f".{os.getpid()}.part", ".999999999.part"))
    os.rename(part, dead)
    [sealed] = seal_stale(tmp_path)
    assert sealed.name == "s-R-00001.warc.gz" and sealed.stat().st_size == whole and not dead.exists()
    assert [p.url.rsplit("/", 1)[1] for p in iter_responses(sealed)] == ["0?a=1", "1?a=1", "2?a=1"]


def test_sigkill_mid_write_leaves_completed_files_whole(tmp_path):
    script = f"""
import os, signal, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[3])!r})
from crawler.output.warc import WarcFileWriter
w = WarcFileWriter({str(tmp_path)!r}, "k-R", max_bytes=8000)
for i in range(40):
    w.write_exchange(url=f"http://h/{{i}}", method="GET", request_headers=[], status=200, reason="OK",
                     response_headers=[("Content-Type", "text/html")], body=os.urandom(3000), read_args={{}})
    if i == 25:
        os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -9
    done = sorted(tmp_path.glob("*.warc.gz"))
    assert len(done) >= 5 and len(list(tmp_path.glob(".*.part"))) == 1
    urls = [p.url for f in done for p in iter_responses(f)]
    assert urls == [f"http://h/{i}" for i in range(len(urls))]
    sealed = seal_stale(tmp_path)
    urls = [p.url for f in sorted(tmp_path.glob("*.warc.gz")) for p in iter_responses(f)]
    assert urls == [f"http://h/{i}" for i in range(26)] and len(sealed) == 1
    assert list(tmp_path.glob(".*")) == []
    json.dumps(urls)


def test_a_part_file_killed_before_its_first_whole_record_is_removed_not_sealed(tmp_path):
    # A kill right after the writer opened a new file: nothing, or a torn warcinfo member.
    empty = tmp_path / ".e-R-00003.warc.gz.999999999.part"
    empty.write_bytes(b"")
    torn = tmp_path / ".t-R-00001.warc.gz.999999999.part"
    torn.write_bytes(b"\x1f\x8b\x08\x00torn-warcinfo")
    assert complete_prefix_length(empty) == 0 and complete_prefix_length(torn) == 0
    assert seal_stale(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_a_record_cut_in_the_middle_is_not_kept_and_a_torn_file_is_refused(tmp_path):
    w = WarcFileWriter(tmp_path, "c-R")
    for i in range(4):
        _exchange(w, i, body=os.urandom(2000))
    w.close()
    [path] = w.files
    data = path.read_bytes()
    cut = tmp_path / ".c-R-00002.warc.gz.999999999.part"
    cut.write_bytes(data[: len(data) - 1500])  # inside the last response/request pair
    [sealed] = seal_stale(tmp_path)
    assert [p.url.rsplit("/", 1)[1] for p in iter_responses(sealed)] == ["0?a=1", "1?a=1", "2?a=1"]
    torn = tmp_path / "torn.warc.gz"
    torn.write_bytes(data[: len(data) - 1500])
    try:
        list(iter_responses(torn))
    except Exception as exc:  # noqa: BLE001
        assert "torn WARC file" in str(exc)
    else:
        raise AssertionError("a torn WARC file was read")


def _gzip_members(path: Path) -> list[bytes]:
    """The decompressed gzip members of a file, one by one."""
    import zlib

    data, out = path.read_bytes(), []
    while data:
        d = zlib.decompressobj(zlib.MAX_WBITS + 16)
        out.append(d.decompress(data))
        data = d.unused_data
    return out


def test_each_record_is_one_gzip_member_at_the_chosen_level(tmp_path):
    import pytest

    from crawler.output.warc import DEFAULT_GZIP_LEVEL

    page = b"<html><body>" + b"<p>The keeper climbs the stairs at dusk.</p>" * 400 + b"</body></html>"
    sizes = {}
    for level in (1, 9):
        w = WarcFileWriter(tmp_path / str(level), "s-R", gzip_level=level)
        _exchange(w, 1, body=page)
        _exchange(w, 2, body=page)
        w.close()
        [path] = w.files
        members = _gzip_members(path)
        assert len(members) == 5  # warcinfo, then response + request twice: one member each
        assert members[1].startswith(b"WARC/1.1\r\n") and b"WARC-Type: response" in members[1] and members[1].endswith(b"\r\n\r\n")
        assert [(r[0], r[1], r[3]) for r in _records(path)][1:] == [
            ("response", "http://127.0.0.1:1/r/1?a=1", page), ("request", "http://127.0.0.1:1/r/1?a=1", b""),
            ("response", "http://127.0.0.1:1/r/2?a=1", page), ("request", "http://127.0.0.1:1/r/2?a=1", b"")]
        assert [p.body for p in iter_responses(path)] == [page, page]
        sizes[level] = path.stat().st_size
    assert sizes[9] < sizes[1]  # the level is applied
    assert DEFAULT_GZIP_LEVEL == 6
    with pytest.raises(ValueError, match="0-9"):
        WarcFileWriter(tmp_path, "s-R", gzip_level=10)


def test_gzip_header_names_the_level(tmp_path):
    """zlib marks a member's level in the gzip header (XFL 4 fastest, 2 best, 0 between): what the
    e2e tests read to see that WARC_GZIP_LEVEL reached the crawl's writer."""
    for level, xfl in ((1, 4), (6, 0), (9, 2)):
        w = WarcFileWriter(tmp_path / str(level), "s-R", gzip_level=level)
        _exchange(w, 1)
        w.close()
        assert w.files[0].read_bytes()[8] == xfl


# ---------------------------------------------------------------- the compressor (WARC_COMPRESSOR)
# zlib writes OS 3 (Unix) in a gzip header, ISA-L 255 (unknown): which compressor wrote a member.
ZLIB_OS, ISAL_OS = 3, 255


def test_the_default_compressor_is_isal_at_level_1_and_zlib_keeps_its_levels():
    import zlib

    from isal import isal_zlib

    from crawler.output.warc import DEFAULT_GZIP_LEVEL, DEFAULT_ISAL_LEVEL, gzip_choice

    assert (DEFAULT_GZIP_LEVEL, DEFAULT_ISAL_LEVEL) == (6, 1)
    assert gzip_choice() == gzip_choice("auto", None) == gzip_choice(" AUTO ", "") == gzip_choice("isal")
    assert (gzip_choice().name, gzip_choice().level, gzip_choice().module) == ("isal", 1, isal_zlib)
    assert [(c.name, c.level) for c in (gzip_choice("isal", 3), gzip_choice("isal", "0"))] == [("isal", 3), ("isal", 0)]
    # a level with auto is zlib's, as WARC_GZIP_LEVEL always meant; zlib alone defaults to 6
    assert [(c.name, c.level, c.module) for c in (gzip_choice("auto", 9), gzip_choice("auto", "1"), gzip_choice("zlib"))] == [
        ("zlib", 9, zlib), ("zlib", 1, zlib), ("zlib", 6, zlib)]


def test_a_compressor_or_level_it_cannot_honour_is_refused():
    import pytest

    from crawler.output.warc import gzip_choice

    for compressor, level, message in (("brotli", None, "WARC_COMPRESSOR must be one of auto, isal, zlib, got 'brotli'"),
                                       ("isal", 4, "WARC_GZIP_LEVEL must be an ISA-L level 0-3, got '4'"),
                                       ("zlib", 10, "WARC_GZIP_LEVEL must be a gzip level 0-9, got '10'"),
                                       ("auto", "fast", "WARC_GZIP_LEVEL must be a gzip level 0-9, got 'fast'"),
                                       ("zlib", -1, "WARC_GZIP_LEVEL must be a gzip level 0-9, got '-1'")):
        with pytest.raises(ValueError) as err:
            gzip_choice(compressor, level)
        assert str(err.value) == message


def test_without_isal_auto_is_zlib_6_and_isal_is_refused(monkeypatch):
    import zlib

    import pytest

    from crawler.output import warc

    monkeypatch.setattr(warc, "_isal_zlib", lambda: None)
    choice = warc.gzip_choice()
    assert (choice.name, choice.level, choice.module) == ("zlib", 6, zlib)
    with pytest.raises(ValueError, match=r"^WARC_COMPRESSOR is 'isal' but the isal package is not installed \(pip install isal\)$"):
        warc.gzip_choice("isal")


def test_isal_records_are_standard_gzip_members_every_reader_reads(tmp_path):
    """Each record one gzip member, as with zlib; gzip, zlib, warcio and our reader all read
    them, the same records as a zlib-written file; the header says ISA-L wrote them."""
    page = b"<html><body>" + "<p>The keeper climbs the stairs at dusk, caf\u00e9 au lait.</p>".encode() * 400 + b"</body></html>"
    paths = {}
    for compressor in ("isal", "zlib"):
        w = WarcFileWriter(tmp_path / compressor, "s-R", compressor=compressor)
        assert (w.gzip.name, w.gzip.level) == (compressor, {"isal": 1, "zlib": 6}[compressor])
        _exchange(w, 1, body=page)
        _exchange(w, 2, body=page)
        w.close()
        [paths[compressor]] = w.files
    data = paths["isal"].read_bytes()
    assert data[:2] == b"\x1f\x8b" and data[9] == ISAL_OS and paths["zlib"].read_bytes()[9] == ZLIB_OS
    members = _gzip_members(paths["isal"])
    assert len(members) == 5 and all(m.startswith(b"WARC/1.1\r\n") and m.endswith(b"\r\n\r\n") for m in members)
    assert b"".join(members) == gzip.decompress(data)
    strip = lambda recs: [(t, u, body) for t, u, _h, body in recs]  # noqa: E731
    assert strip(_records(paths["isal"]))[1:] == strip(_records(paths["zlib"]))[1:]
    assert [p.body for p in iter_responses(paths["isal"])] == [page, page]
    assert len(data) < len(page)  # compressed


def test_gzip_members_with_an_int_is_zlib_at_that_level(tmp_path):
    import io

    from crawler.output.warc import GzipMembers

    raw = io.BytesIO()
    g = GzipMembers(raw, 9)
    g.write(HTML)
    g.flush()
    assert (g.choice.name, g.level) == ("zlib", 9) and raw.getvalue()[8:10] == bytes([2, ZLIB_OS])
    assert gzip.decompress(raw.getvalue()) == HTML
