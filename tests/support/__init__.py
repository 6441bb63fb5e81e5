"""Test support: crawl helpers, the generated test site, the fault server, a Redis server."""
