"""How many extraction workers a crawl gets (``EXTRACT_WORKERS``)."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler.run.workers import workers_for


@pytest.mark.parametrize(("overrides", "cpus", "expected"), [
    ({}, 2, 0),  # the project's polite defaults: AutoThrottle on, a delay: inline
    ({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}, 2, 1),
    ({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}, 8, 7),
    ({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}, 1, 1),
    ({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0.5}, 4, 0),
    ({"EXTRACT_WORKERS": "0", "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}, 4, 0),
    ({"EXTRACT_WORKERS": "2"}, 4, 2),
    ({"EXTRACT_WORKERS": "AUTO", "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0"}, 2, 1),
    # distributed mode: the addon moved the politeness to the fleet-wide limit
    ({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "DISTRIBUTED_DOWNLOAD_DELAY": 0.2}, 2, 0),
    ({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "DISTRIBUTED_AUTOTHROTTLE": True}, 2, 0),
    ({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "SCHEDULER": "crawler.distributed.scheduler.WorkerScheduler"}, 4, 0),
])
def test_workers_for(overrides, cpus, expected):
    from crawler import settings as project

    settings = Settings({k: getattr(project, k) for k in dir(project) if k.isupper()})
    settings.setdict(overrides, priority="cmdline")
    assert workers_for(settings, cpus) == expected
