"""Spider arguments: unknown ones refused with a "did you mean", bad values refused, one line."""

from __future__ import annotations

import pytest

from crawler.spiders.avclub import AvClubSpider
from crawler.spiders.reviews import ReviewsSpider


def test_unknown_arguments_are_refused_with_a_suggestion():
    with pytest.raises(ValueError, match=r"^unknown argument 'mdoe' \(did you mean 'mode'\?\)$"):
        AvClubSpider.check_arguments({"mdoe": "full"})
    with pytest.raises(ValueError, match=r"^unknown argument 'colour'$"):
        AvClubSpider.check_arguments({"colour": "red"})  # nothing close
    with pytest.raises(ValueError, match=r"^unknown argument 'dpeth' \(did you mean 'depth'\?\)$"):
        ReviewsSpider.check_arguments({"url": "https://critic.example/", "dpeth": "2"})


def test_known_arguments_and_underscore_ones_pass():
    AvClubSpider.check_arguments({"mode": "full", "since": "2024-01-01", "_job": "abc", "base_url": "http://127.0.0.1:1"})
    ReviewsSpider.check_arguments({"site": "reelverdict", "depth": "2", "state": "/tmp/x.sqlite"})
    assert {"base_url", "urls", "urls_file", "mode", "since", "until", "state", "site", "url", "depth", "sites_file"} <= ReviewsSpider.known_arguments()


def test_bad_values_are_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        AvClubSpider.check_arguments({"mode": "nightly"})
    with pytest.raises(ValueError, match=r"since must be a date YYYY-MM-DD, got 'yesterday'"):
        AvClubSpider.check_arguments({"since": "yesterday"})
