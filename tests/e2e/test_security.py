"""Security: on-site only, no writes outside the output folders, no secrets in logs or outputs,
XML sitemaps parsed without entity expansion or external resources.

The crawls run the real spider in a subprocess against the fault server (tests/support/faultserver.py),
from a working folder inside the test's temporary folder (a copy of ``scrapy.cfg``), so that a
path escaping the output folder would land where the test sees it.
"""

from __future__ import annotations

import gzip
import json
import logging
import shutil
from pathlib import Path

import pytest

from crawler.normalize.urls import canonical_url, clean_url
from crawler.output.uri_params import feed_uri_params
from crawler.security import check_spider_name, redact, safe_component, strip_userinfo
from crawler.spiders.avclub import AvClubSpider
from crawler.spiders.discovery import ReviewSiteSpider
from tests.support.crawl import FAST, REPO, read_jsonl, run_scrapy
from tests.support.faultserver import Content, FaultServer, Redirect, review_html

QUIET = ["-s", "MONITOR_MAX_ERROR_RATE=1", "-s", "MONITOR_COVERAGE={}", "-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=0"]
SECRET = "s3cr3t-Pa55"


def workdir(tmp: Path) -> Path:
    """A project folder deep inside *tmp* (so ``../..`` from its output stays inside *tmp*)."""
    work = tmp / "a" / "b" / "c" / "work"
    work.mkdir(parents=True)
    shutil.copy(REPO / "scrapy.cfg", work / "scrapy.cfg")
    return work


def all_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def page(title: str) -> Content:
    return Content(review_html(title).encode())


# ---------------------------------------------------------------- secrets
def test_redact_hides_credentials():
    line = (
        "Overridden settings: {'HTTP_PROXY': 'http://user:s3cr3t@127.0.0.1:9/', 'REDIS_PASSWORD': 'hunter2', "
        "'X': 'https://a.example/?token=abc&b=1'} Authorization: Basic dXNlcjpzZWNyZXQ= redis://:pw@h:1/0 MY_API_KEY=abc"
    )
    assert redact(line) == (
        "Overridden settings: {'HTTP_PROXY': 'http://***@127.0.0.1:9/', 'REDIS_PASSWORD': '***', "
        "'X': 'https://a.example/?token=***&b=1'} Authorization: Basic *** redis://***@h:1/0 MY_API_KEY=***"
    )
    assert redact("nothing secret: https://www.avclub.com/x?page=2") == "nothing secret: https://www.avclub.com/x?page=2"
    for hostile in ("a://" * 50_000, "@" * 100_000, "a:" * 50_000, "TOKEN=" * 20_000, "Authorization: " * 10_000, "x://" + "a" * 100_000):
        redact(hostile)  # linear: no catastrophic backtracking


def test_urls_lose_their_credentials():
    assert strip_userinfo("http://user:pw@127.0.0.1:8080/x?y=1#z") == "http://127.0.0.1:8080/x?y=1#z"
    assert strip_userinfo("https://token@example.com/") == "https://example.com/"
    assert strip_userinfo("http://[::1]:80/a@b") == "http://[::1]:80/a@b"
    assert clean_url("http://user:pw@127.0.0.1:8080/x?utm_source=a&id=2") == "http://127.0.0.1:8080/x?id=2"
    assert canonical_url("http://127.0.0.1/x", "http://u:p@127.0.0.1/canon") == "http://127.0.0.1/canon"


def test_log_records_are_redacted(caplog):
    from crawler.security import install_log_redaction

    install_log_redaction()
    with caplog.at_level(logging.INFO):
        logging.getLogger("crawler.test").info("proxy %s", f"http://user:{SECRET}@127.0.0.1:9/")
        try:
            raise ValueError(f"failed http://u:{SECRET}@127.0.0.1/x")
        except ValueError:
            logging.getLogger("crawler.test").exception("boom")
    assert SECRET not in caplog.text
    assert "http://***@127.0.0.1:9/" in caplog.text


def test_secrets_never_reach_logs_or_outputs(tmp_path, monkeypatch):
    """Credentials given in settings, in spider arguments and in the proxy environment."""
    work = workdir(tmp_path)
    with FaultServer(tmp_path / "root") as srv:
        srv.script("/review", page("Secret Review"))
        srv.script("/review2", page("Second Review"))
        # a redirect whose Location carries credentials (Scrapy logs redirects at DEBUG)
        srv.script("/moved", Redirect(f"http://user:{SECRET}@127.0.0.1:{srv.port}/review2"))
        urls = f"http://user:{SECRET}@127.0.0.1:{srv.port}/review,http://{SECRET}@127.0.0.1:{srv.port}/missing,{srv.base_url}/moved"
        proc = run_scrapy([
            "crawl", "avclub", "-a", f"urls={urls}", "-a", f"base_url=http://user:{SECRET}@127.0.0.1:{srv.port}",
            "-O", "out/reviews.jsonl", *FAST, *QUIET,
            "-s", f"HTTP_PROXY_URL=http://user:{SECRET}@127.0.0.1:9/", "-s", f"REDIS_PASSWORD={SECRET}",
            "-s", "LOG_LEVEL=DEBUG", "-s", "STATS_DUMP_PATH=out/stats.json",
        ], cwd=work)
        auth_headers = [h for h, _ in srv.requests]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Redirecting (301) to <GET http://***@127.0.0.1" in proc.stderr  # logged, redacted
    assert SECRET not in proc.stdout + proc.stderr
    for path in work.rglob("*"):
        if path.is_file() and path.suffix != ".sqlite":
            assert SECRET not in path.read_text("utf-8", errors="replace"), path
    records = read_jsonl(work / "out" / "reviews.jsonl")
    assert sorted(r["url"] for r in records) == [f"http://127.0.0.1:{srv.port}/review", f"http://127.0.0.1:{srv.port}/review2"]
    [reject] = read_jsonl(work / "out" / "reviews.rejects.jsonl")
    assert (reject["url"], reject["reason"]) == (f"http://127.0.0.1:{srv.port}/missing", "http_404")
    assert auth_headers  # the server was asked


def test_proxy_credentials_from_the_environment_are_not_logged(tmp_path, monkeypatch):
    """``http_proxy`` with credentials (a proxy on a closed loopback port): the page fails,
    is rejected, and the password appears nowhere."""
    monkeypatch.setenv("http_proxy", f"http://user:{SECRET}@127.0.0.1:9")
    for var in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(var, raising=False)
    work = workdir(tmp_path)
    proc = run_scrapy(["crawl", "avclub", "-a", "urls=http://127.0.0.1:9/review", "-O", "out/r.jsonl", *FAST, *QUIET,
                       "-s", "LOG_LEVEL=DEBUG", "-s", "ROBOTSTXT_OBEY=False"], cwd=work)
    assert proc.returncode == 1, proc.stderr[-3000:]  # every page given failed: a failed run
    assert SECRET not in proc.stdout + proc.stderr
    [reject] = read_jsonl(work / "out" / "r.rejects.jsonl")
    assert reject["reason"] == "connection_refused"
    for path in work.rglob("*"):
        if path.is_file() and path.suffix != ".sqlite":
            assert SECRET not in path.read_text("utf-8", errors="replace"), path


# ---------------------------------------------------------------- paths
def test_spider_name_cannot_be_changed_by_an_argument():
    with pytest.raises(ValueError, match="spider name cannot be changed"):
        AvClubSpider(name="../../evil", base_url="http://127.0.0.1:1")
    assert AvClubSpider(name="avclub", base_url="http://127.0.0.1:1").name == "avclub"

    class Bad(ReviewSiteSpider):
        name = "../x"

    with pytest.raises(ValueError, match="unsafe spider name"):
        check_spider_name(Bad.__new__(Bad))


def test_feed_parameters_are_single_path_components():
    spider = AvClubSpider(base_url="http://127.0.0.1:1")
    spider.site = "../../../etc/cron.d/x"
    params = feed_uri_params({"name": "avclub", "site": spider.site, "time": "2025-01-01T00-00-00+00-00",
                              "batch_time": "2025-01-01T00-00-00.000001+00-00", "batch_id": 1, "dots": ".."}, spider)
    assert params["site"] == ".._.._.._etc_cron.d_x"
    assert params["dots"] == "_"
    assert params["name"] == "avclub" and params["batch_id"] == 1
    assert "/" not in params["batch_time"] and "/" not in params["run_id"]
    assert safe_component("a\\b\x00c") == "a_b_c"


def test_hostile_arguments_never_write_outside_the_output_folder(tmp_path):
    work = workdir(tmp_path)
    with FaultServer(tmp_path / "root") as srv:
        srv.script("/review", page("Path Review"))
        url = f"{srv.base_url}/review"
        before = all_files(tmp_path)
        # a spider argument used in the output path template (unknown arguments are refused;
        # "_"-prefixed ones, like Scrapyd's _job, pass through to the spider's attributes)
        proc = run_scrapy(["crawl", "avclub", "-a", f"urls={url}", "-a", "_site=../../../../escaped",
                           "-o", "out/%(_site)s.jsonl", *FAST, *QUIET], cwd=work)
        assert proc.returncode == 0, proc.stderr[-3000:]
        # an argument renaming the spider (the name is in output, reject and state paths)
        proc2 = run_scrapy(["crawl", "avclub", "-a", f"urls={url}", "-a", "name=../../../../escaped2", *FAST, *QUIET], cwd=work)
        assert proc2.returncode != 0
        assert "spider name cannot be changed" in proc2.stderr
    new = all_files(tmp_path) - before
    assert not [f for f in new if "escaped" in f and not f.startswith("a/b/c/work/out/")], sorted(new)
    assert all(f.startswith("a/b/c/work/") for f in new), sorted(new)
    assert "a/b/c/work/out/.._.._.._.._escaped.jsonl" in new
    assert [r["title"] for r in read_jsonl(work / "out" / ".._.._.._.._escaped.jsonl")] == ["Path Review"]


def test_url_paths_never_become_file_paths(tmp_path):
    """A URL full of ``../`` and encoded separators: the record keeps it as data only."""
    work = workdir(tmp_path)
    with FaultServer(tmp_path / "root") as srv:
        srv.script("/..%2F..%2Fetc%2Fpasswd", page("Encoded Traversal"))
        before = all_files(tmp_path)
        proc = run_scrapy(["crawl", "avclub", "-a", f"urls={srv.base_url}/..%2F..%2Fetc%2Fpasswd", "-O", "out/r.jsonl", *FAST, *QUIET], cwd=work)
        assert proc.returncode == 0, proc.stderr[-3000:]
    new = all_files(tmp_path) - before
    assert all(f.startswith("a/b/c/work/") for f in new), sorted(new)
    assert [r["title"] for r in read_jsonl(work / "out" / "r.jsonl")] == ["Encoded Traversal"]


# ---------------------------------------------------------------- XML sitemaps
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <url><loc>{{BASE}}/laughs-&lol9;</loc></url>
 <url><loc>{{BASE}}/after-laughs</loc></url>
</urlset>
"""


def xxe_sitemap(secret_file: Path) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY file SYSTEM "file://{secret_file}">
 <!ENTITY remote SYSTEM "{{{{BASE}}}}/xxe-remote-entity">
 <!ENTITY % dtd SYSTEM "{{{{BASE}}}}/xxe-remote-dtd"> %dtd;
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <url><loc>{{{{BASE}}}}/xxe-&file;</loc></url>
 <url><loc>{{{{BASE}}}}/xxe-&remote;</loc></url>
 <url><loc>{{{{BASE}}}}/after-xxe</loc></url>
</urlset>
""".encode()


def test_hostile_sitemaps_are_parsed_safely(tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("leaked-file-content")
    work = workdir(tmp_path)
    with FaultServer(tmp_path / "root") as srv:
        srv.script("/robots.txt", Content(b"User-agent: *\nSitemap: {{BASE}}/index.xml\n", {"Content-Type": "text/plain"}))
        srv.script("/index.xml", Content(
            b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<sitemap><loc>{{BASE}}/laughs.xml</loc></sitemap><sitemap><loc>{{BASE}}/xxe.xml</loc></sitemap>"
            b"<sitemap><loc>{{BASE}}/bomb.xml.gz</loc></sitemap>"
            b"<sitemap><loc>" + srv.other_host_url.encode() + b"/offsite-sitemap.xml</loc></sitemap></sitemapindex>",
            {"Content-Type": "application/xml"}))
        srv.script("/laughs.xml", Content(BILLION_LAUGHS, {"Content-Type": "application/xml"}))
        srv.script("/xxe.xml", Content(xxe_sitemap(secret_file), {"Content-Type": "application/xml"}))
        # a gzip bomb: 60 KB that decompress to 60 MB, past SITEMAP_MAX_SIZE (the protocol's 50 MB)
        srv.script("/bomb.xml.gz", Content(gzip.compress(
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + b" " * (60 << 20)
            + b"<url><loc>{{BASE}}/after-bomb</loc></url></urlset>", 9), {"Content-Type": "application/x-gzip"}))
        srv.script("/after-laughs", page("After Laughs"))
        srv.script("/after-xxe", page("After XXE"))
        proc = run_scrapy(["crawl", "avclub", "-a", f"base_url={srv.base_url}", "-O", "out/r.jsonl", *FAST, *QUIET,
                           "-s", "STATS_DUMP_PATH=out/stats.json"], cwd=work)
        paths = [p for _, p in srv.requests]
        hosts = srv.hosts()
    assert proc.returncode == 0, proc.stderr[-3000:]
    # The XXE sitemap is read without its entities; libxml2 refuses the entity bomb, so that
    # hostile sitemap gives no URL at all (its other entry is lost with it: safe, not wrong).
    assert sorted(r["title"] for r in read_jsonl(work / "out" / "r.jsonl")) == ["After XXE"]
    # No entity was expanded: no URL with "lol" repeated, the file's content never requested,
    # no external entity or DTD fetched, the off-site child sitemap never fetched.
    assert not [p for p in paths if "lollol" in p or "leaked" in p or "remote" in p or "offsite" in p or "after-bomb" in p], paths
    assert hosts == {"127.0.0.1"}
    assert "leaked-file-content" not in proc.stderr
    for f in (work / "out").rglob("*"):  # outputs, manifests, state, and the WARC archive of the fetched pages
        if f.is_file():
            data = f.read_bytes()
            data = gzip.decompress(data) if f.name.endswith(".gz") else data
            assert b"leaked-file-content" not in data  # never read, never fetched
            assert b"lollollol" not in data  # never expanded
    stats = json.loads((work / "out" / "stats.json").read_text())
    assert stats["sitemap/fetched"] == 3  # the index, the bomb of laughs, the XXE one
    assert stats["sitemap/invalid"] == 1  # the gzip bomb: refused, not decompressed past the limit
    # Bounded memory: the crawl process stayed far below what an expansion needs (3 GB).
    assert stats["memusage/max"] < 1_000_000_000


def test_feed_parser_of_the_reviews_spider_is_safe(tmp_path):
    """The RSS/Atom parser used for discovery by the ``reviews`` spider: same guarantees."""
    from crawler.spiders.reviews import feed_links

    secret = tmp_path / "secret.txt"
    secret.write_text("leaked-file-content")
    laughs = BILLION_LAUGHS.replace(b"urlset", b"rss").replace(b"<url><loc>", b"<channel><item><link>").replace(b"</loc></url>", b"</link></item></channel>")
    for body in (laughs, f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY f SYSTEM "file://{secret}">]><rss><channel><item><link>http://127.0.0.1/&f;</link></item></channel></rss>'.encode()):
        links = feed_links(body, "http://127.0.0.1/")
        assert not [x for x in links if "lollol" in x or "leaked" in x], links
