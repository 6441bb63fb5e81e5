"""``crawler capture URL --site KEY``: a fixture case from a page served on 127.0.0.1.

Pages come from the bundled fixture sites through :class:`crawler.devserver.FixtureServer`
(and the fault server for broken responses); every failure is checked for its exit code and
for leaving nothing on disk.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys

import pytest

from crawler import settings
from crawler.cli import case_from_url, extract_path, main
from crawler.devserver import FIXTURES, FixtureHandler, FixtureServer
from tests.support.crawl import REPO, crawl_env
from tests.support.faultserver import Content, CorruptGzip, FaultServer

CASE = "reviews/the-lantern-keeper"


class RecordingHandler(FixtureHandler):
    def do_GET(self):  # noqa: N802
        self.server.agents.append(self.headers.get("User-Agent"))
        super().do_GET()


@pytest.fixture()
def site_server():
    srv = FixtureServer(FIXTURES / "reelverdict", handler=RecordingHandler)
    srv.agents = []
    with srv:
        yield srv


def files_under(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


def test_capture_saves_page_headers_and_prints_the_draft(site_server, tmp_path, capsys):
    url = f"{site_server.base_url}/{CASE}"
    code = main(["capture", url, "--site", "reelverdict", "--fixtures", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    folder = tmp_path / "reelverdict" / CASE
    assert files_under(tmp_path / "reelverdict") == [
        "reviews", "reviews/the-lantern-keeper", "reviews/the-lantern-keeper/expected.draft.json",
        "reviews/the-lantern-keeper/headers.json", "reviews/the-lantern-keeper/page.html",
    ]
    assert (folder / "page.html").read_bytes() == (FIXTURES / "reelverdict" / CASE / "page.html").read_bytes()
    assert json.loads((folder / "headers.json").read_text("utf-8")) == {"Content-Type": "text/html"}
    draft = json.loads(out)
    assert draft == json.loads((folder / "expected.draft.json").read_text("utf-8"))
    # the draft is what the crawl exports for the page: here, the case's hand-checked record
    assert draft == json.loads((FIXTURES / "reelverdict" / CASE / "expected.json").read_text("utf-8"))
    assert "expected.json" in err and "Check every field" in err
    assert site_server.agents == [settings.USER_AGENT]
    # the saved case reads back to the same record (the fixture tests' own path)
    saved = extract_path(folder, draft["url"], "reelverdict")
    saved.pop("fetched_at")
    assert saved == draft


def test_capture_of_a_non_review_prints_null(site_server, tmp_path, capsys):
    url = f"{site_server.base_url}/news/lantern-keeper-sequel-announced"
    assert main(["capture", url, "--site", "reelverdict", "--fixtures", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "null" and "NOT a review" in err
    folder = tmp_path / "reelverdict" / "news" / "lantern-keeper-sequel-announced"
    assert json.loads((folder / "expected.draft.json").read_text("utf-8")) is None


def test_case_name_option_and_default_case():
    assert case_from_url("https://critic.example/film/glass-tides-review/?utm_source=x#top") == "film/glass-tides-review"
    assert case_from_url("https://critic.example/") == ""


def test_capture_with_case_option(site_server, tmp_path, capsys):
    url = f"{site_server.base_url}/{CASE}"
    assert main(["capture", url, "--site", "reelverdict", "--case", "lantern", "--fixtures", str(tmp_path)]) == 0
    assert (tmp_path / "reelverdict" / "lantern" / "page.html").is_file()


@pytest.mark.parametrize("args,message", [
    (["capture", "ftp://127.0.0.1/x", "--site", "reelverdict"], "not an http(s) URL"),
    (["capture", "http://127.0.0.1:9/x", "--site", "nosuchsite"], "unknown site"),
    (["capture", "http://127.0.0.1:9/", "--site", "reelverdict"], "give a case path"),
    (["capture", "http://127.0.0.1:9/x", "--site", "reelverdict", "--case", "../escape"], "give a case path"),
])
def test_usage_errors_exit_2_and_write_nothing(args, message, tmp_path, capsys):
    assert main(args + ["--fixtures", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert files_under(tmp_path) == []


def test_existing_case_needs_force(site_server, tmp_path, capsys):
    folder = tmp_path / "reelverdict" / CASE
    folder.mkdir(parents=True)
    (folder / "expected.json").write_text('{"kept": true}\n', "utf-8")
    url = f"{site_server.base_url}/{CASE}"
    assert main(["capture", url, "--site", "reelverdict", "--fixtures", str(tmp_path)]) == 2
    assert "exists" in capsys.readouterr().err
    assert files_under(folder) == ["expected.json"] and site_server.agents == []  # not even fetched
    assert main(["capture", url, "--site", "reelverdict", "--fixtures", str(tmp_path), "--force"]) == 0
    assert files_under(folder) == ["expected.draft.json", "expected.json", "headers.json", "page.html"]
    assert (folder / "expected.json").read_text("utf-8") == '{"kept": true}\n'  # the checked file is never touched


def test_http_error_exits_1_and_writes_nothing(site_server, tmp_path, capsys):
    assert main(["capture", f"{site_server.base_url}/no/such/page", "--site", "reelverdict",
                 "--fixtures", str(tmp_path)]) == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert files_under(tmp_path) == []


def test_non_html_exits_1(site_server, tmp_path, capsys):
    assert main(["capture", f"{site_server.base_url}/sitemap.xml", "--site", "reelverdict",
                 "--fixtures", str(tmp_path)]) == 1
    assert "not an HTML page" in capsys.readouterr().err
    assert files_under(tmp_path) == []


def test_refused_connection_exits_1(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["capture", f"http://127.0.0.1:{port}/r/1", "--site", "reelverdict", "--fixtures", str(tmp_path)]) == 1
    assert "cannot fetch" in capsys.readouterr().err
    assert files_under(tmp_path) == []


def test_gzip_body_is_decoded_and_corrupt_gzip_fails(tmp_path, capsys):
    import gzip

    page = (FIXTURES / "reelverdict" / CASE / "page.html").read_bytes()
    with FaultServer(tmp_path / "empty") as srv:
        srv.script("/gz/1", Content(body=gzip.compress(page), headers={
            "Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip", "Set-Cookie": "a=b"}))
        srv.script("/bad/1", CorruptGzip())
        out_dir = tmp_path / "fx"
        assert main(["capture", f"{srv.base_url}/gz/1", "--site", "reelverdict", "--fixtures", str(out_dir)]) == 0
        folder = out_dir / "reelverdict" / "gz" / "1"
        assert (folder / "page.html").read_bytes() == page
        assert json.loads((folder / "headers.json").read_text("utf-8")) == {"Content-Type": "text/html; charset=utf-8"}
        capsys.readouterr()
        assert main(["capture", f"{srv.base_url}/bad/1", "--site", "reelverdict", "--fixtures", str(out_dir)]) == 1
        assert "bad gzip body" in capsys.readouterr().err
        assert not (out_dir / "reelverdict" / "bad").exists()


def test_command_line_entry_point(site_server, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "capture", f"{site_server.base_url}/{CASE}", "--site", "reelverdict",
         "--fixtures", str(tmp_path)],
        cwd=REPO, env=crawl_env(), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["work_title"] == json.loads(
        (FIXTURES / "reelverdict" / CASE / "expected.json").read_text("utf-8"))["work_title"]
    shutil.rmtree(tmp_path / "reelverdict")
