"""The off-site rule (issue #13, items 2 and 3): a site is a scheme, a host and a port; only
http(s) handlers are enabled, so every request has the HTTP handler's DOWNLOAD_TIMEOUT."""

from __future__ import annotations

from scrapy.http import Request
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.normalize.urls import same_site, url_origin
from crawler.run.failures import request_on_site


class Spider:
    allowed_origins = frozenset({("http", "127.0.0.1", 8765), ("https", "www.avclub.com", 443)})
    allowed_domains = ["127.0.0.1", "www.avclub.com"]


def test_origin_fills_default_ports_and_lowercases():
    assert url_origin("HTTPS://WWW.AVCLUB.COM/x") == ("https", "www.avclub.com", 443)
    assert url_origin("http://127.0.0.1:8765/a?b") == ("http", "127.0.0.1", 8765)
    assert url_origin("http://127.0.0.1:99999/") is None  # a bad port: no site at all


def test_another_port_or_scheme_is_another_site():
    origins = Spider.allowed_origins
    assert same_site("http://127.0.0.1:8765/film/x", origins)
    assert not same_site("http://127.0.0.1:8766/film/x", origins)
    assert not same_site("https://127.0.0.1:8765/film/x", origins)
    assert not same_site("ftp://127.0.0.1:8765/film/x", origins)
    assert same_site("https://www.avclub.com:443/r", origins)
    assert not same_site("http://www.avclub.com/r", origins)
    assert not same_site("https://evil.www.avclub.com/r", origins)
    assert request_on_site(Request("http://127.0.0.1:8765/x"), Spider())
    assert not request_on_site(Request("http://127.0.0.1:1/x"), Spider())


def test_only_http_handlers_are_enabled():
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    handlers = {**settings.getdict("DOWNLOAD_HANDLERS_BASE"), **settings.getdict("DOWNLOAD_HANDLERS")}
    assert sorted(k for k, v in handlers.items() if v) == ["http", "https"]
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False and settings.getbool("TELNETCONSOLE_ENABLED") is False
    mws = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert mws["scrapy.downloadermiddlewares.offsite.OffsiteMiddleware"] is None
    assert "crawler.middlewares.offsite.SiteOffsiteMiddleware" in mws
