"""Memory of a process and its children, read from /proc (Linux), for the benchmarks."""

from __future__ import annotations

import os


def proc_kb(pid: int | str, key: str) -> int:
    """``VmRSS``/``VmHWM`` of a process in KB (0 when gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def child_pids(pid: int) -> list[int]:
    """Direct children of *pid* (empty when it is gone)."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree_rss_kb(pid: int) -> int:
    """RSS of *pid* and all its descendants, in KB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += proc_kb(p, "VmRSS")
        todo += child_pids(p)
    return total
