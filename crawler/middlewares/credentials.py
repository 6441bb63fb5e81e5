"""No credentials on the wire: a request whose URL carries ``user:password@`` is sent without it."""

from __future__ import annotations

from crawler.security import strip_userinfo


class StripCredentialsMiddleware:
    """Downloader middleware: a request whose URL carries ``user:password@`` (a redirect's
    ``Location``, say) is sent without it (Scrapy cannot fetch such URLs, and credentials must
    not travel or be logged). Counted as ``security/credentials_stripped``."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if "@" not in request.url.split("?", 1)[0]:
            return None
        clean = strip_userinfo(request.url)
        if clean == request.url:
            return None
        self.crawler.stats.inc_value("security/credentials_stripped")
        return request.replace(url=clean, dont_filter=True)
