"""Run locks (issue #13, item 1): a second holder is refused at once with the holder's name; a
lock file left by a dead process is taken over; a released lock leaves no file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from crawler.state.lock import LockHeld, RunLock
from tests.support.crawl import REPO, crawl_env

HOLD = ("import sys, time; from crawler.state.lock import RunLock; "
        "RunLock(sys.argv[1], spider='avclub', run_id='R1').acquire(); print('held', flush=True); time.sleep(60)")


def test_a_second_holder_is_refused_with_the_holders_name(tmp_path):
    path = tmp_path / "state.sqlite.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True, env=crawl_env(), cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(LockHeld) as err:
            RunLock(path).acquire()
        assert time.monotonic() - t0 < 1  # at once, never waits
        text = str(err.value)
        assert f"pid {holder.pid} on {socket.gethostname()} since 20" in text and "run R1" in text
    finally:
        holder.kill()
        holder.wait()
    # killed: the kernel released it; the file (with the dead holder) is still there and is taken over
    assert json.loads(path.read_text())["pid"] == holder.pid
    lock = RunLock(path, spider="avclub", run_id="R2").acquire()
    assert lock.took_over["pid"] == holder.pid
    assert json.loads(path.read_text())["pid"] == os.getpid()
    lock.release()
    assert not path.exists()


def test_one_process_cannot_take_its_own_lock_twice(tmp_path):
    first = RunLock(tmp_path / "x.lock").acquire()
    with pytest.raises(LockHeld):
        RunLock(tmp_path / "x.lock").acquire()
    first.release()
    again = RunLock(tmp_path / "x.lock").acquire()
    assert again.took_over is None  # released cleanly: nothing to take over
    again.release()
