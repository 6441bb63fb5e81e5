"""The real spider against the fault-injecting server (tests/support/faultserver.py).

One crawl of exact URLs covers the HTTP faults (module fixture ``fault_crawl``); one crawl of a
small fault site with ``base_url`` covers discovery (robots.txt, sitemaps, listings, off-site
links). Every test asserts exact outcomes: the records written, the reject lines, the stats
keys (``pages/failed/<reason>``, ``rejects/<reason>``), and the server's request log.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crawler.record.v2 import FIELDS_V2
from crawler.record.validate import record_errors
from tests.support.crawl import FAST, read_jsonl, run_scrapy
from tests.support.faultserver import (
    Big,
    Content,
    CorruptGzip,
    FaultServer,
    Redirect,
    Reset,
    Stall,
    Status,
    Truncate,
    review_html,
)

#: crawl settings for fault tests: short timeout, two retries
FAULT_SETTINGS = [
    "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=2", "-s", "AUTOTHROTTLE_ENABLED=False",
    # a domain pause for Retry-After of at most 1 s (crawler/middlewares/domain_pause.py), so the test is quick
    "-s", "RETRY_AFTER_MAX=2",
    # these crawls fail on purpose: the run monitors' thresholds are not what is tested here
    "-s", "MONITOR_MAX_ERROR_RATE=1", "-s", "MONITOR_COVERAGE={}",
]
MOJIBAKE = ("Ã", "â€", "\ufffd", "Â")

ACCENTED_TITLE = "Café Society’s Return — Naïve"
ACCENTED_BODY = "Amélie’s “quiet” film…\nSecond paragraph: ½ of it is crème brûlée."


def page(title: str, **kw) -> Content:
    return Content(review_html(title, **kw).encode("utf-8"))


def crawl(args: list[str], tmp: Path, name: str = "out") -> dict:
    """Run the avclub spider with *args*; return output records, rejects, stats and log."""
    out = tmp / f"{name}.jsonl"
    stats_path = tmp / f"{name}.stats.json"
    proc = run_scrapy(["crawl", "avclub", *args, "-O", str(out), *FAST, *FAULT_SETTINGS, "-s", f"STATS_DUMP_PATH={stats_path}"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    rejects_path = tmp / f"{name}.rejects.jsonl"
    return {
        "records": read_jsonl(out),
        "rejects": read_jsonl(rejects_path) if rejects_path.exists() else [],
        "stats": json.loads(stats_path.read_text("utf-8")),
        "log": proc.stderr,
        "files": sorted(p.name for p in tmp.iterdir()),
    }


def strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def prefixed(stats: dict, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}


# ---------------------------------------------------------------- exact URLs with faults
TRANSIENT = {  # path -> title of the review it serves once the fault is over
    "/r429": "Rate Limited",
    "/r503": "Busy Server",
    "/r500": "Flaky Server",
    "/reset-once": "Reset Once",
    "/stall-once": "Stall Once",
    "/chain1": "Chained",
}
PERMANENT = {  # path -> the reason it fails with (stats key and reject reason)
    "/p500": "http_500",
    "/gone": "http_410",
    "/missing": "http_404",
    "/r429-long": "http_429",
    "/reset": "connection_lost",
    "/stall": "timeout",
    "/truncated": "truncated",
    "/bad-gzip": "bad_encoding",
    "/big": "too_large",
    "/big-chunked": "too_large",
    "/gzip-bomb": "too_large",
    "/loop1": "redirect_loop",
    "/far1": "redirect_max",
    "/offsite": "offsite_redirect",
    "/private/hidden": "robots_disallowed",
}
ENCODED = {  # path -> (bytes, Content-Type)
    "/cp1252-labelled-utf8": (review_html(ACCENTED_TITLE, body=ACCENTED_BODY).encode("cp1252"), "text/html; charset=utf-8"),
    "/utf8-labelled-cp1252": (review_html(ACCENTED_TITLE, body=ACCENTED_BODY, charset="windows-1252").encode("utf-8"), "text/html; charset=windows-1252"),
    "/bom": (b"\xef\xbb\xbf" + review_html(ACCENTED_TITLE, body=ACCENTED_BODY, charset=None).encode("utf-8"), "text/html; charset=iso-8859-1"),
    "/cp1252-meta-utf8": (review_html(ACCENTED_TITLE, body=ACCENTED_BODY).encode("cp1252"), "text/html"),
    # a UTF-8 page with windows-1252 quotes pasted in: each part decoded by itself
    "/utf8-with-cp1252-bytes": (
        review_html(ACCENTED_TITLE, body=ACCENTED_BODY).encode("utf-8").replace("“quiet”".encode("utf-8"), b"\x93quiet\x94"),
        "text/html; charset=utf-8",
    ),
}
UNCLOSED = (
    review_html("Unclosed Tags").replace("</p>", "").replace("</li>", "").replace("</div>", "")
    .replace("</article></main></body></html>", "")
)


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    with FaultServer(tmp / "empty-root") as srv:
        srv.script("/robots.txt", Content(b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}))
        srv.script("/r429", Status(429, times=1, retry_after=1), page("Rate Limited"))
        srv.script("/r503", Status(503, times=2, retry_after=1), page("Busy Server"))
        srv.script("/r500", Status(500, times=2), page("Flaky Server"))
        srv.script("/reset-once", Reset(times=1), page("Reset Once"))
        srv.script("/stall-once", Stall(3, times=1), page("Stall Once"))
        srv.script("/chain1", Redirect("/chain2"))
        srv.script("/chain2", Redirect("/chain3", status=302))
        srv.script("/chain3", page("Chained"))
        srv.script("/p500", Status(500))
        srv.script("/gone", Status(410))
        srv.script("/r429-long", Status(429, retry_after=3600))
        srv.script("/reset", Reset())
        srv.script("/stall", Stall(3))
        srv.script("/truncated", Truncate(review_html("Cut Short").encode()))
        srv.script("/bad-gzip", CorruptGzip())
        srv.script("/big", Big(10 * 1024 * 1024))
        srv.script("/big-chunked", Big(10 * 1024 * 1024, send_length=False))
        # 20 KB of gzip that decompresses to 20 MB: refused during decompression
        srv.script("/gzip-bomb", Content(gzip.compress(b"<html><body>" + b" " * (20 << 20) + b"</body></html>", 9),
                                         {"Content-Type": "text/html", "Content-Encoding": "gzip"}))
        srv.script("/loop1", Redirect("/loop2"))
        srv.script("/loop2", Redirect("/loop1"))
        for i in range(1, 9):  # a chain longer than REDIRECT_MAX_TIMES (5)
            srv.script(f"/far{i}", Redirect(f"/far{i + 1}"))
        srv.script("/far9", page("Too Far"))
        srv.script("/offsite", Redirect(f"{srv.other_host_url}/elsewhere"))
        srv.script("/elsewhere", page("Elsewhere"))
        srv.script("/private/hidden", page("Hidden"))
        for path, (body, ctype) in ENCODED.items():
            srv.script(path, Content(body, {"Content-Type": ctype}))
        srv.script("/unclosed", Content(UNCLOSED.encode()))
        srv.script("/no-body", page("No Body Here", body=""))
        paths = [*TRANSIENT, *PERMANENT, *ENCODED, "/unclosed", "/no-body"]
        result = crawl(["-a", "urls=" + ",".join(srv.base_url + p for p in paths)], tmp)
        result["server"] = srv
        result["base"] = srv.base_url
        result["tmp"] = tmp
    return result


def test_transient_faults_are_retried_and_the_review_written(fault_crawl):
    by_url = {r["url"]: r for r in fault_crawl["records"]}
    base, srv = fault_crawl["base"], fault_crawl["server"]
    for path, title in TRANSIENT.items():
        final = base + ("/chain3" if path == "/chain1" else path)
        assert by_url[final]["title"] == title, path
    # One failure each, then the page: the exact number of requests per URL.
    assert {p: srv.count(p) for p in ("/r429", "/r503", "/r500", "/stall-once", "/chain1", "/chain2", "/chain3")} == {
        "/r429": 2, "/r503": 3, "/r500": 3, "/stall-once": 2, "/chain1": 1, "/chain2": 1, "/chain3": 1,
    }
    assert srv.count("/reset-once") >= 2  # Twisted may retry a reset idempotent GET itself
    # Retry-After was honoured for the 429 and the two 503s (1 s each), not for the 500s.
    assert fault_crawl["stats"]["retry/retry_after_waits"] == 3


def test_permanent_faults_are_counted_and_rejected_with_reason(fault_crawl):
    base, stats = fault_crawl["base"], fault_crawl["stats"]
    rejects = {r["url"][len(base):]: r["reason"] for r in fault_crawl["rejects"]}
    assert rejects == PERMANENT
    expected_counts: dict[str, int] = {}
    for reason in PERMANENT.values():
        expected_counts[reason] = expected_counts.get(reason, 0) + 1
    assert prefixed(stats, "pages/failed/") == expected_counts
    assert prefixed(stats, "rejects/") == {**expected_counts, "total": len(PERMANENT), "path": str(fault_crawl["tmp"] / "out.rejects.jsonl")}
    for line in fault_crawl["rejects"]:
        assert line["detail"] and line["record"] is None and line["at"].endswith("Z")


def test_permanent_faults_are_retried_a_bounded_number_of_times(fault_crawl):
    srv = fault_crawl["server"]
    # RETRY_TIMES=2: three requests for a server error or a timeout; none for what cannot change.
    assert {p: srv.count(p) for p in ("/p500", "/stall", "/truncated", "/gone", "/missing", "/bad-gzip", "/big", "/gzip-bomb", "/r429-long")} == {
        "/p500": 3, "/stall": 3, "/truncated": 3, "/gone": 1, "/missing": 1, "/bad-gzip": 1, "/big": 1, "/gzip-bomb": 1, "/r429-long": 1,
    }
    assert fault_crawl["stats"]["retry/retry_after_too_long"] == 1
    assert "Retry-After 3600s is over RETRY_AFTER_MAX" in fault_crawl["log"]


def test_oversized_pages_are_refused_with_a_warning(fault_crawl):
    log = fault_crawl["log"]
    assert "WARNING: Expected to receive 10485760 bytes which is larger than download max size (8388608)" in log
    assert "exceeded DOWNLOAD_MAXSIZE (8388608 B) during decompression" in log
    assert fault_crawl["stats"]["pages/failed/too_large"] == 3
    assert fault_crawl["stats"]["memusage/max"] < 1_000_000_000


def test_nothing_off_site_or_disallowed_is_fetched(fault_crawl):
    srv = fault_crawl["server"]
    assert srv.hosts() == {"127.0.0.1"}
    assert srv.count("/elsewhere") == 0
    assert srv.count("/private/hidden") == 0
    assert srv.count("/far7") == 0 and srv.count("/far6") == 1  # REDIRECT_MAX_TIMES=5


def test_encodings_are_detected_without_mojibake(fault_crawl):
    base = fault_crawl["base"]
    by_url = {r["url"]: r for r in fault_crawl["records"]}
    for path in ENCODED:
        rec = by_url[base + path]
        assert rec["title"] == ACCENTED_TITLE, path
        assert rec["work_title"] == ACCENTED_TITLE, path
        assert rec["body"] == ACCENTED_BODY.replace("\n", "\n\n"), path
    for rec in fault_crawl["records"] + fault_crawl["rejects"]:
        for text in strings(rec):
            assert not any(m in text for m in MOJIBAKE), (rec.get("url"), text)


def test_unclosed_tags_still_give_the_review(fault_crawl):
    rec = {r["url"]: r for r in fault_crawl["records"]}[fault_crawl["base"] + "/unclosed"]
    assert rec["title"] == "Unclosed Tags"
    assert rec["grade"]["raw"] == "B+"
    assert rec["credits"]["director"] == ["Ana Lima"]
    assert rec["credits"]["starring"] == ["Rui Costa", "Maria Vaz"]
    assert rec["body"] == (
        "Unclosed Tags is a patient film about a family that keeps a lighthouse running long after the ships stopped coming.\n\n"
        "The director lets scenes breathe, and the cast rewards that trust with quiet, precise performances."
    )


def test_a_review_without_body_is_kept_and_counted(fault_crawl):
    """A page with a grade and credits but no body text is still a review: it is written with
    ``body: null`` and ``word_count: 0``, and counted as ``reviews/missing/body`` (the figure a
    monitor watches: a redesign that hides bodies shows there, it does not drop reviews)."""
    rec = {r["url"]: r for r in fault_crawl["records"]}[fault_crawl["base"] + "/no-body"]
    assert rec["title"] == "No Body Here"
    assert rec["grade"]["letter"] == "B+"
    assert rec["credits"]["director"] == ["Ana Lima"]
    assert rec["body"] is None and rec["word_count"] == 0
    assert fault_crawl["stats"]["reviews/missing/body"] == 1


def test_every_record_is_valid_and_every_page_accounted_for(fault_crawl):
    records, stats = fault_crawl["records"], fault_crawl["stats"]
    for rec in records:
        assert list(rec) == list(FIELDS_V2)
        assert record_errors(rec) == []
    assert len(records) == len(TRANSIENT) + len(ENCODED) + 2
    assert len({r["id"] for r in records}) == len(records)
    asked = len(TRANSIENT) + len(PERMANENT) + len(ENCODED) + 2
    assert stats["reviews/emitted"] + stats["rejects/total"] == asked
    assert {"out.jsonl", "out.rejects.jsonl", "out.stats.json"} <= set(fault_crawl["files"])
    assert not [f for f in fault_crawl["files"] if f.startswith(".") or f.endswith(".part")], "temporary files left"


# ---------------------------------------------------------------- discovery on a fault site
def test_site_crawl_respects_robots_and_stays_on_site(tmp_path):
    with FaultServer(tmp_path / "empty-root") as srv:
        other = srv.other_host_url
        srv.script("/robots.txt", Content(b"User-agent: *\nDisallow: /private/\nSitemap: {{BASE}}/sitemap.xml\n", {"Content-Type": "text/plain"}))
        srv.script("/sitemap.xml", Content(
            (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                "<url><loc>{{BASE}}/reviews/a</loc></url>"
                "<url><loc>{{BASE}}/reviews/flaky</loc></url>"
                "<url><loc>{{BASE}}/private/from-sitemap</loc></url>"
                f"<url><loc>{other}/reviews/offsite-in-sitemap</loc></url>"
                "</urlset>"
            ).encode(), {"Content-Type": "application/xml"}))
        srv.script("/film/reviews", Content(
            (
                '<html><body><article><h2><a href="/reviews/a">A</a></h2></article>'
                '<article><h2><a href="/reviews/b">B</a></h2></article>'
                '<article><h2><a href="/private/listed">P</a></h2></article>'
                f'<article><h2><a href="{other}/reviews/offsite-listed">O</a></h2></article>'
                "</body></html>"
            ).encode()))
        srv.script("/tv/reviews", Status(404))
        srv.script("/reviews/a", page("Review A"))
        srv.script("/reviews/b", Redirect(f"{other}/reviews/b-moved"))
        srv.script("/reviews/flaky", Status(503, times=1, retry_after=0), page("Review Flaky"))
        for path in ("/private/from-sitemap", "/private/listed", "/reviews/offsite-in-sitemap", "/reviews/offsite-listed", "/reviews/b-moved"):
            srv.script(path, page("Must Not Be Fetched"))
        result = crawl(["-a", f"base_url={srv.base_url}"], tmp_path)
        hits = sorted(p for _, p in srv.requests)
        hosts = srv.hosts()
    assert sorted(r["title"] for r in result["records"]) == ["Review A", "Review Flaky"]
    assert hosts == {"127.0.0.1"}
    # robots.txt twice: once for the robots middleware, once for its sitemaps.
    assert hits == ["/film/reviews", "/reviews/a", "/reviews/b", "/reviews/flaky", "/reviews/flaky", "/robots.txt", "/robots.txt", "/sitemap.xml", "/tv/reviews"]
    stats = result["stats"]
    assert prefixed(stats, "pages/failed/") == {"http_404": 1, "offsite_redirect": 1, "robots_disallowed": 2}
    assert stats["pages/skipped/offsite"] == 2
    # Rejects only for pages a review listing promised: the disallowed one and the one moved off-site.
    base = srv.base_url
    assert sorted((r["url"], r["reason"]) for r in result["rejects"]) == [
        (f"{base}/private/listed", "robots_disallowed"), (f"{base}/reviews/b", "offsite_redirect"),
    ]
