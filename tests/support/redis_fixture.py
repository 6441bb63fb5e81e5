"""A real ``redis-server`` on a free loopback port, in a temporary folder, for the tests.

CI installs the Debian package (``.ci/run``); locally ``apt-get install redis-server``. The
server keeps nothing on disk (``--save ''``, no AOF) and is stopped after the test.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.crawl import stop_process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc = proc
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


@contextmanager
def redis_server(workdir: Path):
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server; .ci/run does it)")
    workdir.mkdir(parents=True, exist_ok=True)
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(
            [exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir), "--save", "",
             "--appendonly", "no", "--protected-mode", "yes", "--logfile", str(workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        server = RedisServer(proc, port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if server.client().ping():
                    break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        if proc.poll() is None:
            break
    else:
        pytest.fail(f"redis-server did not start: {(workdir / 'redis.log').read_text(errors='replace')[-2000:]}")
    try:
        yield server
    finally:
        stop_process(proc)


@pytest.fixture
def redis_srv(tmp_path):
    with redis_server(tmp_path / "redis") as server:
        yield server
