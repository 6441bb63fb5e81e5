"""Review crawler: Scrapy spiders for critics' film and TV reviews, exported as JSON Lines."""

__version__ = "0.1.0"
